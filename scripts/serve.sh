#!/usr/bin/env sh
# Serve the dashboard: build the store if it is missing or stale, then run Streamlit on $PORT.
# The container's entry command; also fine on any host.
set -eu
cd "$(dirname "$0")/.."
python -m tracker build >/dev/null || echo "warning: inputs invalid; serving the last good store" >&2
exec python -m streamlit run app.py \
    --server.port "${PORT:-8501}" \
    --server.address "${HOST:-0.0.0.0}" \
    --server.headless true
