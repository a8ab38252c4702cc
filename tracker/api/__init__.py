"""The HTTP API and the change feed, served by the same `streamlit run app.py` as the dashboard.

app.py hands `starlette_routes()` to `st.App`; each route is a function in one of the modules
below, declared with `tracker.api.frame.route` (docs/API.md says how to add one).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from starlette.routing import Route

from tracker.api import (
    routes,  # noqa: F401 - declares the read-only routes
    screening,  # noqa: F401 - declares POST /api/v1/screen
)
from tracker.api.frame import Api
from tracker.api.settings import Limits


def starlette_routes(secrets: Callable[[], Mapping | None] | None = None, base_path: str = "") -> list[Route]:
    """Every API route as a Starlette route under `base_path` (Streamlit's server.baseUrlPath), its
    limits read from the environment and, on the first request, from `secrets()` (the [api] secrets)."""
    limits = lambda: Limits.from_settings((secrets() if secrets else None) or {})  # noqa: E731
    return Api(limits, base_path=base_path or "").starlette_routes()
