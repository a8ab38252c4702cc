"""The OpenAPI 3.1 description of every route, POST /api/v1/screen included as issue 14 specifies it."""

from __future__ import annotations

from tracker import schema
from tracker.api.settings import Limits
from tracker.present.page_state import EXPLORER, TEXT_LIMIT
from tracker.store.manifest import Manifest

VERSION = "1.0.0"

_EXPLORER_HELP = {
    "q": f"Search names, aliases and local-language names (first {TEXT_LIMIT} characters).",
    "from": "Listed or changed on or after this day (YYYY-MM-DD).",
    "to": "Listed or changed on or before this day (YYYY-MM-DD).",
    "dest": "Destinations, comma-separated or repeated (dest=China,Iran).",
    "sector": "Sectors of the company profile, comma-separated or repeated.",
    "action": "Actions, comma-separated or repeated; 'removed' asks for removed entries.",
    "license": "License requirement scopes, comma-separated or repeated.",
    "policy": "License review policy families, comma-separated or repeated.",
    "company": "A company profile's id (company=zhipu-ai).",
}
_EXPLORER_ENUMS = {"action": schema.ACTIONS, "license": schema.LICENSE_SCOPES,
                   "policy": schema.POLICY_FAMILIES}


def _explorer_parameters() -> list[dict]:
    out = []
    for param in EXPLORER.params:
        kind = {"type": "string", "format": "date"} if param.kind == "date" else {"type": "string"}
        if param.name in _EXPLORER_ENUMS:
            kind = {"type": "array", "items": {"type": "string", "enum": list(_EXPLORER_ENUMS[param.name])}}
        parameter = {"name": param.name, "in": "query", "required": False, "schema": kind,
                     "description": _EXPLORER_HELP.get(param.name, param.name)}
        if kind.get("type") == "array":
            parameter.update(style="form", explode=False)
        out.append(parameter)
    return out


def _paging(limits: Limits) -> list[dict]:
    return [{"name": "limit", "in": "query", "required": False,
             "schema": {"type": "integer", "minimum": 1, "maximum": limits.max_limit,
                        "default": limits.default_limit}, "description": "How many rows to give."},
            {"name": "offset", "in": "query", "required": False,
             "schema": {"type": "integer", "minimum": 0, "default": 0}, "description": "Rows to skip."}]


def _json(schema_ref: str, description: str) -> dict:
    return {"description": description, "headers": {"ETag": {"$ref": "#/components/headers/ETag"}},
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema_ref}"}}}}


def _errors(*codes: int) -> dict:
    meaning = {400: "A parameter is unknown or malformed.", 403: "Not allowed from this origin.",
               404: "Not found.", 405: "Method not allowed.", 413: "The body is too large.",
               429: "Too many requests: wait the Retry-After seconds.", 503: "No published data yet."}
    return {str(code): {"$ref": f"#/components/responses/E{code}"} for code in codes if code in meaning}


def document(base_url: str, limits: Limits, manifest: Manifest | None = None) -> dict:
    """The OpenAPI document for a server at `base_url` with these limits."""
    common = _errors(400, 429, 503)
    paths = {
        "/api/v1/entries": {"get": {
            "operationId": "listEntries", "summary": "Entries, filtered as the explorer filters them",
            "description": "Exactly the explorer's query parameters and grammar, plus limit, offset and "
                           "format. format=csv gives the explorer's CSV download (all rows unless limit or "
                           "offset is given; cells that a spreadsheet would read as a formula start with ').",
            "parameters": [*_explorer_parameters(), *_paging(limits),
                           {"name": "format", "in": "query", "required": False,
                            "schema": {"type": "string", "enum": ["json", "csv"], "default": "json"}}],
            "responses": {"200": {**_json("EntryList", "A page of entries."), "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/EntryList"}},
                "text/csv": {"schema": {"type": "string"}}}},
                          "304": {"description": "Not modified (If-None-Match)."}, **common}}},
        "/api/v1/entries/{entity_id}": {"get": {
            "operationId": "getEntry", "summary": "One entry, listed or removed, with its listing events",
            "parameters": [{"name": "entity_id", "in": "path", "required": True, "schema": {"type": "string"},
                            "example": "EL-0001"}],
            "responses": {"200": _json("EntryWithEvents", "The entry and its events."),
                          "304": {"description": "Not modified."}, **_errors(400, 404, 429, 503)}}},
        "/api/v1/changes": {"get": {
            "operationId": "listChanges", "summary": "Listing events and list-changing rules since a day",
            "parameters": [{"name": "since", "in": "query", "required": True,
                            "schema": {"type": "string", "format": "date"}, "example": "2025-01-01"},
                           *_paging(limits)],
            "responses": {"200": _json("Changes", "Events (paged) and rules since the day, newest first."),
                          "304": {"description": "Not modified."}, **common}}},
        "/api/v1/screen": {"post": {
            "operationId": "screenNames", "summary": "Screen names against the Entity List or every US list",
            "description": f"At most {limits.max_names:,} names of at most {limits.max_name_length} "
                           f"characters, a body of at most {limits.max_body_bytes:,} bytes. Names are never "
                           "logged or stored. Same-origin unless the operator allows other origins.",
            "requestBody": {"required": True, "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/ScreenRequest"}}}},
            "responses": {"200": {"description": "One result per name, in the order asked.",
                                  "content": {"application/json": {
                                      "schema": {"$ref": "#/components/schemas/ScreenResponse"}}}},
                          **_errors(400, 403, 413, 429, 503)}}},
        "/api/v1/openapi.json": {"get": {
            "operationId": "openapi", "summary": "This document",
            "responses": {"200": {"description": "The OpenAPI document.",
                                  "content": {"application/json": {"schema": {"type": "object"}}}}}}},
        "/feeds/changes.atom": {"get": {
            "operationId": "changesFeed", "summary": "Atom 1.0 feed: one item per rule or list version",
            "responses": {"200": {"description": "The feed, newest first.",
                                  "content": {"application/atom+xml": {"schema": {"type": "string"}}}},
                          "304": {"description": "Not modified."}, **_errors(429, 503)}}},
    }
    info = {"title": "Entity List Tracker API", "version": VERSION,
            "description": f"Read-only data of the US Entity List, as the dashboard shows it. At most "
                           f"{limits.requests_per_minute} requests a minute per client. Every JSON answer "
                           "carries build_id and data_as_of. See docs/API.md.",
            "license": {"name": "Public data (US Government works); see the About page",
                        "url": f"{base_url}/about"}}
    if manifest is not None:
        info["x-build-id"], info["x-data-as-of"] = manifest.build_id, manifest.data_as_of
    return {"openapi": "3.1.0", "info": info, "servers": [{"url": base_url}], "paths": paths,
            "components": _components()}


def _components() -> dict:
    text, nullable_text = {"type": "string"}, {"type": ["string", "null"]}
    nullable_day = {"type": ["string", "null"], "format": "date"}
    stamp = {"build_id": text, "data_as_of": nullable_day}
    entry = {"type": "object", "required": ["entity_id", "name", "destination", "aliases", "citations"],
             "properties": {
                 "entity_id": text, "name": text, "destination": nullable_text, "listed_date": nullable_day,
                 "fr_citations": nullable_text, "citation_url": nullable_text, "company_id": nullable_text,
                 "company_name": nullable_text, "sector": nullable_text, "license_requirement": nullable_text,
                 "license_scope": nullable_text, "license_review_policy": nullable_text,
                 "policy_family": nullable_text, "aliases": {"type": "array", "items": text},
                 "address": nullable_text, "entry_type": nullable_text, "company_link": nullable_text,
                 "source": nullable_text, "status": {"type": "string", "enum": list(schema.ENTRY_STATUSES)},
                 "removed_date": nullable_day, "removed_rule_id": nullable_text, "page": text,
                 "citations": {"type": "array", "items": {"type": "object", "properties": {
                     "citation": text, "url": nullable_text}}}}}
    event = {"type": "object", "properties": {
        "event_id": text, "entity_id": text, "action": text, "date": nullable_day,
        "year": {"type": ["integer", "null"]}, "fr_citation": nullable_text, "citation_url": nullable_text,
        "rule_id": nullable_text}}
    error = {"type": "object", "required": ["error", "status"],
             "properties": {"error": text, "status": {"type": "integer"}}}
    name_item = {"oneOf": [text, {"type": "object", "required": ["name"],
                                  "properties": {"name": text, "country": text}}]}
    responses = {f"E{code}": {"description": meaning, "content": {"application/json": {
        "schema": {"$ref": "#/components/schemas/Error"}}}}
        for code, meaning in ((400, "Bad request"), (403, "Forbidden"), (404, "Not found"),
                              (405, "Method not allowed"), (413, "Body too large"), (503, "No data"))}
    responses["E429"] = {"description": "Too many requests",
                         "headers": {"Retry-After": {"schema": {"type": "integer"},
                                                     "description": "Seconds to wait."}},
                         "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    return {
        "headers": {"ETag": {"schema": {"type": "string"}, "description": "Send it back as If-None-Match."}},
        "responses": responses,
        "schemas": {
            "Error": error, "Entry": entry, "Event": event,
            "EntryList": {"type": "object", "required": ["total", "entries", "next"], "properties": {
                **stamp, "total": {"type": "integer"}, "offset": {"type": "integer"},
                "limit": {"type": "integer"}, "next": nullable_text,
                "entries": {"type": "array", "items": {"$ref": "#/components/schemas/Entry"}}}},
            "EntryWithEvents": {"type": "object", "properties": {
                **stamp, "entry": {"$ref": "#/components/schemas/Entry"},
                "events": {"type": "array", "items": {"$ref": "#/components/schemas/Event"}}}},
            "Changes": {"type": "object", "properties": {
                **stamp, "since": {"type": "string", "format": "date"}, "total_events": {"type": "integer"},
                "next": nullable_text, "rules": {"type": "array", "items": {"type": "object"}},
                "events": {"type": "array", "items": {"$ref": "#/components/schemas/Event"}}}},
            "ScreenRequest": {"type": "object", "required": ["names"], "properties": {
                "names": {"type": "array", "items": name_item},
                "lists": {"oneOf": [{"type": "string", "enum": ["all"]}, {"type": "array", "items": text}],
                          "description": "Lists to screen against (EL, SDN, ...) or 'all'; default EL."}}},
            "ScreenResponse": {"type": "object", "properties": {
                **stamp, "list_version": text, "results": {"type": "array", "items": {
                    "type": "object", "properties": {
                        "query": text, "verdict": {"type": "string", "enum": ["likely", "possible", "none"]},
                        "matches": {"type": "array", "items": {"type": "object", "properties": {
                            "entity_id": text, "list": text, "name": text, "destination": nullable_text,
                            "score": {"type": "number"}, "reason": text}}}}}}}},
        },
    }
