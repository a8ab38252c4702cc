"""The API's read-only routes: entries (the explorer's query as data), one entry, changes since a
day, the OpenAPI document and the Atom feed of changes. Each is one function; see tracker.api.frame."""

from __future__ import annotations

import dataclasses
from datetime import date
from urllib.parse import urlencode

import pandas as pd
from starlette.responses import JSONResponse, Response

from tracker import schema
from tracker.api import feed, openapi
from tracker.api.frame import ApiError, Call, check_known, one, route, whole_number
from tracker.api.settings import Limits
from tracker.citations import federal_register_url
from tracker.filters import filters_from_values
from tracker.present import page_state
from tracker.present.export import csv_bytes
from tracker.present.page_state import EXPLORER
from tracker.present.text import day, with_citation_url
from tracker.store import api_queries, history, queries

PAGING = ("limit", "offset")
ENTRY_PARAMS = (*(p.name for p in EXPLORER.params), *PAGING, "format")
FORMATS = ("json", "csv")


# --- Entries: the explorer's filters, the explorer's rows ---

@route("GET", "/api/v1/entries")
def entries(call: Call) -> dict | Response:
    """The entries the explorer shows for the same query string: JSON, or its CSV with format=csv."""
    check_known(call.params, ENTRY_PARAMS)
    kind = one(call.params, "format") or "json"
    if kind not in FORMATS:
        raise ApiError(400, f"'format' must be one of {', '.join(FORMATS)}.")
    if kind == "json":
        return entries_answer(call.cursor(), call.params, call.limits, call.route_url(), call.base_url())
    db = call.cursor()
    filters = filters_from_values(explorer_values(db, call.params))
    paged = any(one(call.params, p) for p in PAGING)
    limit = whole_number(call.params, "limit", call.limits.default_limit, call.limits.max_limit, 1) \
        if paged else None
    offset = whole_number(call.params, "offset", 0)
    rows = with_citation_url(queries.entries(db, filters, limit, offset))
    # The explorer's download: the same rows, columns and formula-safe cells.
    return Response(csv_bytes(rows), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="entity-list-entries.csv"'})


def entries_answer(db, params: dict[str, list[str]], limits: Limits, url: str, base: str) -> dict:
    """The JSON answer of /api/v1/entries (without the build stamp) for a query string; `url` is the
    route's address, for the `next` link, `base` the app's, for the entries' pages. The benchmark
    times this."""
    filters = filters_from_values(explorer_values(db, params))
    limit = whole_number(params, "limit", limits.default_limit, limits.max_limit, 1)
    offset = whole_number(params, "offset", 0)
    rows = with_citation_url(queries.entries(db, filters, limit, offset))
    total = queries.count_entries(db, filters)
    following = offset + limit if offset + limit < total else None
    return {"total": total, "offset": offset, "limit": limit,
            "next": _page_url(url, params, following) if following is not None else None,
            "entries": [entry_record(row, base) for row in records(rows)]}


def explorer_values(db, params: dict[str, list[str]]) -> dict:
    """The explorer's values for the query string, read as the explorer reads it; 400 for any value the
    explorer would ignore (with its notice), as a program should hear of it rather than get other rows."""
    options = {"dest": set(queries.destinations(db)["destination"]), "sector": set(queries.sectors(db)),
               "company": set(queries.companies(db)["company_id"])}
    parsed = EXPLORER.read({k: v for k, v in params.items() if k not in (*PAGING, "format")}, options)
    if parsed.notices:
        raise ApiError(400, " ".join(parsed.notices), problems=parsed.notices)
    return parsed.values


def _page_url(url: str, params: dict[str, list[str]], offset: int) -> str:
    kept = [(k, v) for k, values in params.items() if k != "offset" for v in values]
    return f"{url}?{urlencode([*kept, ('offset', str(offset))])}"


def records(frame: pd.DataFrame) -> list[dict]:
    """Rows as JSON-ready dicts: dates as YYYY-MM-DD, missing values as null, numbers as numbers."""
    out = []
    columns = list(frame.columns)
    dated = {c for c in columns if pd.api.types.is_datetime64_any_dtype(frame[c])}
    for values in frame.itertuples(index=False, name=None):
        row = {}
        for column, value in zip(columns, values, strict=True):
            if value is None or (not isinstance(value, (str, list, tuple)) and pd.isna(value)):
                row[column] = None
            elif column in dated:
                row[column] = day(value)
            elif hasattr(value, "item"):  # numpy scalar
                row[column] = value.item()
            else:
                row[column] = value
        out.append(row)
    return out


def entry_record(row: dict, base: str) -> dict:
    """An entry as the API gives it: the explorer's columns, its aliases as a list, and its citations
    each with its Federal Register link."""
    aliases = row.get("aliases")
    cited = [c.strip() for c in (row.get("fr_citations") or "").split(";") if c.strip()]
    return {**row, "aliases": [a.strip() for a in aliases.split(schema.LIST_SEPARATOR.strip())
                               if a.strip()] if aliases else [],
            "citations": [{"citation": c, "url": federal_register_url(c)} for c in cited],
            "page": f"{base}/{page_state.page_href(page_state.ENTRY, id=row['entity_id'])}"}


# --- One entry ---

@route("GET", "/api/v1/entries/{entity_id}")
def entry(call: Call) -> dict:
    """One entry, listed or removed, with its listing events; 404 for an id the list does not hold."""
    check_known(call.params, ())
    entity_id = call.path_params["entity_id"]
    answer = entry_answer(call.cursor(), entity_id, call.base_url())
    if answer is None:
        raise ApiError(404, "No entry has this id.", entity_id=entity_id[:100])
    return answer


def entry_answer(db, entity_id: str, base: str) -> dict | None:
    """The JSON answer of /api/v1/entries/{entity_id} (without the build stamp); None for an id the list
    does not hold. The benchmark times this."""
    found = api_queries.entry(db, entity_id)
    if found.empty:
        return None
    events = records(api_queries.entry_events(db, entity_id))
    for event in events:
        event["citation_url"] = federal_register_url(event["fr_citation"]) if event["fr_citation"] else None
    return {"entry": entry_record(records(with_citation_url(found))[0], base), "events": events}


# --- Changes since a day ---

@route("GET", "/api/v1/changes")
def changes(call: Call) -> dict:
    """Listing events and the rules that changed the list since a day (inclusive), newest first."""
    check_known(call.params, ("since", *PAGING))
    since = _day(call, "since", required=True)
    limit = whole_number(call.params, "limit", call.limits.default_limit, call.limits.max_limit, 1)
    offset = whole_number(call.params, "offset", 0)
    db = call.cursor()
    total = api_queries.count_events_since(db, since)
    events = records(api_queries.events_since(db, since, limit, offset))
    for event in events:
        event["citation_url"] = federal_register_url(event["fr_citation"]) if event["fr_citation"] else None
    rules = records(api_queries.rules_since(db, since))
    for rule in rules:
        rule["page"] = f"{call.base_url()}/{page_state.page_href(page_state.RULES, rule=rule['rule_id'])}"
    following = offset + limit if offset + limit < total else None
    return {"since": since.isoformat(), "total_events": total, "offset": offset, "limit": limit,
            "next": _page_url(call.route_url(), call.params, following) if following is not None else None,
            "rules": rules, "events": events}


def _day(call: Call, name: str, required: bool = False) -> date | None:
    text = one(call.params, name)
    if not text:
        if required:
            raise ApiError(400, f"'{name}' is required: a day as YYYY-MM-DD.")
        return None
    try:
        if len(text) != len("YYYY-MM-DD"):  # fromisoformat also takes 20240101 and week dates
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise ApiError(400, f"'{name}' must be a day as YYYY-MM-DD.") from None


# --- The API's description and the feed ---

@route("GET", "/api/v1/openapi.json")
def openapi_document(call: Call) -> Response:
    """The OpenAPI 3.1 description of every route (the build's id and date in its info, as x- fields:
    the document itself may hold no other top-level keys)."""
    check_known(call.params, ())
    return JSONResponse(openapi.document(call.base_url(), call.limits, call.manifest))


@route("GET", "/feeds/changes.atom")
def changes_feed(call: Call) -> Response:
    """Atom 1.0: one item per rule that changed the list and per recorded version of the list."""
    check_known(call.params, ())
    db = call.cursor()
    versions = [dataclasses.asdict(v) for v in history.versions(db)]
    body = feed.atom(call.base_url(), api_queries.rules_since(db), versions)
    return Response(body, media_type="application/atom+xml; charset=utf-8")
