"""Helpers for the API tests: a real `streamlit run app.py` (the browser tests' serving helper) and
the explorer's CSV for a query string, made the way its download makes it."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "browser"))

from browser_helpers import start_server, stop_server  # noqa: E402

from tracker.config import DataPaths  # noqa: E402
from tracker.filters import filters_from_values  # noqa: E402
from tracker.present.export import csv_bytes  # noqa: E402
from tracker.present.page_state import EXPLORER  # noqa: E402
from tracker.present.text import with_citation_url  # noqa: E402
from tracker.store import build, connection, queries  # noqa: E402

__all__ = ["explorer_csv", "serving", "start_server", "stop_server"]


def serving(data_dir: Path, **env: str):
    """A server over a data folder for a module: yields its base URL, stopped after."""
    process, url, _ = start_server(data_dir, env)
    try:
        yield url
    finally:
        stop_server(process)


def explorer_csv(paths: DataPaths, query: dict[str, list[str]]) -> bytes:
    """The explorer's CSV download for a query string: its state read from the URL (with the options
    the page reads), its filters, `questions.entries(filters)` with citation links, `csv_bytes`."""
    status = build.refresh_store(paths)
    db = connection.open_store(status.build_dir, status.manifest).cursor()
    options = {"dest": set(queries.destinations(db)["destination"]), "sector": set(queries.sectors(db)),
               "company": set(queries.companies(db)["company_id"])}
    parsed = EXPLORER.read(query, options)
    assert not parsed.notices, parsed.notices
    return csv_bytes(with_citation_url(queries.entries(db, filters_from_values(parsed.values))))
