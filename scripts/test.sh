#!/usr/bin/env bash
# Install everything the tests need, then run the whole suite.
# Used by README.md and by .ci/run; safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt

# Browser tests drive Debian's Chromium (never a downloaded browser build); the CJK font
# lets screenshots show Chinese names.
if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi "wenquanyi"; then
    if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium fonts-wqy-zenhei >/dev/null
fi

# The accessibility tests inject axe-core (the npm package, pinned) into each page; it lives in a
# git-ignored project folder and is only ever used by the tests, never by the app.
AXE_CORE_VERSION="4.14.1"
AXE_DIR=".test-tools"
if ! grep -qs "\"version\": \"$AXE_CORE_VERSION\"" "$AXE_DIR/node_modules/axe-core/package.json"; then
    if ! command -v npm >/dev/null; then
        if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
        $SUDO apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq nodejs npm >/dev/null
    fi
    mkdir -p "$AXE_DIR"
    npm install --silent --prefix "$AXE_DIR" --no-save --no-package-lock --no-audit --no-fund \
        "axe-core@$AXE_CORE_VERSION"
fi

python -m ruff check .
python -m pytest "$@"
