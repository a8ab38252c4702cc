"""The frame every API route runs in: the route table, the store a request reads, limits, errors.

Adding a route is one function and one decorator line (see docs/API.md):

    @route("GET", "/api/v1/things/{thing_id}")
    def thing(call: Call) -> dict:
        ...  # call.params, call.path_params, call.json(), call.cursor(), call.manifest

A route returns a dict (sent as JSON with the store's build id and data-as-of date added) or a
Starlette Response (CSV, Atom), and raises ApiError for a 4xx. Routes are plain functions run in
a worker thread (the store's questions block); the body of a POST is read, size-checked, before.
Nothing a request sends is logged or stored.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import format_datetime
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tracker.api.settings import Limits
from tracker.config import data_paths
from tracker.store import build, connection
from tracker.store.manifest import Manifest

LOG = logging.getLogger("tracker.api")
STORE_CHECK_S = 10  # as the pages do (tracker.ui.questions): a rebuilt store is served within this
METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
API_PREFIXES = ("/api/", "/feeds/")


class ApiError(Exception):
    """A request the API answers with a 4xx (or 503): its status and a message for the client."""

    def __init__(self, status: int, message: str, headers: Mapping[str, str] | None = None, **details: Any):
        super().__init__(message)
        self.status, self.message, self.headers, self.details = status, message, dict(headers or {}), details


@dataclass
class Call:
    """One request as a route sees it."""

    request: Request
    params: dict[str, list[str]]  # the query string, every value of every name
    path_params: dict[str, str]
    body: bytes | None
    status: build.StoreStatus
    limits: Limits
    prefix: str = ""  # the server's base path (Streamlit's server.baseUrlPath), '' or '/name'

    @property
    def manifest(self) -> Manifest:
        return self.status.manifest

    def cursor(self):
        """A cursor of the process's one connection to the store being served."""
        return connection.open_store(self.status.build_dir, self.status.manifest).cursor()

    def json(self) -> Any:
        """The body as JSON; ApiError 400 when it is missing, not JSON or nested too deeply."""
        return parse_json(self.body or b"", self.limits.max_json_depth)

    def base_url(self) -> str:
        """This app's address (with its base path), without a trailing slash: the configured public
        address, else the one the client reached (its Host header)."""
        if self.limits.public_url:
            return self.limits.public_url
        return str(self.request.base_url).rstrip("/") + self.prefix

    def route_url(self) -> str:
        """This request's address without its query string."""
        if self.limits.public_url:
            return self.limits.public_url + self.request.url.path.removeprefix(self.prefix)
        return str(self.request.base_url).rstrip("/") + self.request.url.path


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    handler: Callable[[Call], Any]
    cors_open: bool = field(default=True)


ROUTES: dict[str, dict[str, Endpoint]] = {}  # path -> method -> endpoint, in the order declared


def route(method: str, path: str, table: dict[str, dict[str, Endpoint]] | None = None
          ) -> Callable[[Callable[[Call], Any]], Callable[[Call], Any]]:
    """Declare a route: `@route("GET", "/api/v1/entries")` over `def entries(call: Call) -> dict`
    (into `table` instead of the app's ROUTES, for a test's own route)."""
    def declare(handler: Callable[[Call], Any]) -> Callable[[Call], Any]:
        verb = method.upper()
        declared = ROUTES if table is None else table
        declared.setdefault(path, {})[verb] = Endpoint(verb, path, handler, cors_open=verb == "GET")
        return handler
    return declare


# --- Parameters ---

def parse_json(body: bytes, max_depth: int) -> Any:
    """A JSON document, refused (400) when it is not UTF-8 JSON or nests deeper than `max_depth`."""
    if not body.strip():
        raise ApiError(400, "The request needs a JSON body.")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise ApiError(400, "The body is not UTF-8 text.") from None
    if _nesting(text) > max_depth:
        raise ApiError(400, f"The JSON document nests deeper than {max_depth} levels.")
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        raise ApiError(400, "The body is not valid JSON.") from None


def _nesting(text: str) -> int:
    """How deep brackets nest, strings skipped (checked before parsing, so a deep document costs nothing)."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            escaped, in_string = (False, True) if escaped else (char == "\\", char != '"')
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def screened_names(call: Call) -> list[dict]:
    """The names of a screening request, `{"names": ["...", {"name": ..., "country": ...}]}`, each as
    {"name", "country"}; ApiError 400 for a wrong shape or type, too many names or a name too long."""
    body = call.json()
    names = body.get("names") if isinstance(body, dict) else None
    if not isinstance(names, list):
        raise ApiError(400, 'The body must be a JSON object with a list of names: {"names": ["..."]}.')
    if len(names) > call.limits.max_names:
        raise ApiError(400, f"At most {call.limits.max_names:,} names a request, not {len(names):,}.")
    out = []
    for number, item in enumerate(names, 1):
        if isinstance(item, str):
            name, country = item, None
        elif isinstance(item, dict):
            name, country = item.get("name"), item.get("country")
        else:
            name = country = None
        if not isinstance(name, str) or not name.strip() or not (country is None or isinstance(country, str)):
            raise ApiError(400, f"Name {number} must be a non-empty text, or an object with a text 'name' "
                                "and optionally a text 'country'.")
        if len(name) > call.limits.max_name_length:
            raise ApiError(400, f"Name {number} is longer than {call.limits.max_name_length} characters.")
        out.append({"name": name, "country": country})
    return out


def check_known(params: Mapping[str, list[str]], known: set[str] | tuple[str, ...]) -> None:
    """ApiError 400 naming any query parameter the route does not take."""
    unknown = sorted(set(params) - set(known))
    if unknown:
        raise ApiError(400, f"Unknown parameter(s): {', '.join(unknown)}. This route takes: "
                            f"{', '.join(known) or 'none'}.")


def one(params: Mapping[str, list[str]], name: str) -> str | None:
    """The value of a parameter given once (the last one when repeated, as the pages read it)."""
    values = params.get(name) or []
    return values[-1].strip() if values else None


def whole_number(params: Mapping[str, list[str]], name: str, default: int, largest: int | None = None,
                 smallest: int = 0) -> int:
    """A whole-number parameter between `smallest` and `largest`; ApiError 400 otherwise."""
    text = one(params, name)
    if text is None or text == "":
        return default
    if not (text.isascii() and text.isdigit()) or int(text) < smallest or \
            (largest is not None and int(text) > largest):
        span = f"from {smallest} to {largest}" if largest is not None else f"of at least {smallest}"
        raise ApiError(400, f"'{name}' must be a whole number {span}.")
    return int(text)


# --- The store, checked every few seconds (as the pages check it) ---

_store_lock = threading.Lock()
_checked: dict[Any, tuple[float, build.StoreStatus]] = {}  # data folder -> (when looked, what was found)


def store_status(look_again: bool = False) -> build.StoreStatus:
    """The published store (rebuilt first when the inputs changed), looked at most every STORE_CHECK_S
    unless `look_again`."""
    paths = data_paths()
    with _store_lock:
        looked, status = _checked.get(paths.root, (-math.inf, None))
        if status is None or look_again or time.monotonic() - looked > STORE_CHECK_S:
            status = build.refresh_store(paths)
            _checked[paths.root] = (time.monotonic(), status)
    if status.build_dir is None:
        raise ApiError(503, "There is no published data to answer from: the inputs could not be built.",
                       {"Retry-After": "60"})
    return status


# --- Rate limit: requests per client per minute, a sliding window ---

class RateLimiter:
    """Counts each client's requests over the last minute; says how long to wait once over."""

    def __init__(self, per_minute: int, window_s: float = 60.0):
        self.per_minute, self.window_s = per_minute, window_s
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def wait_s(self, client: str, now: float | None = None) -> int:
        """0 when this request may go ahead (and is counted); else the seconds until one may."""
        now = time.monotonic() if now is None else now
        with self._lock:
            if len(self._seen) > 10_000:  # forget clients quiet for a minute, so memory stays small
                self._seen = {c: q for c, q in self._seen.items() if q and now - q[-1] < self.window_s}
            times = self._seen.setdefault(client, deque())
            while times and now - times[0] >= self.window_s:
                times.popleft()
            if len(times) >= self.per_minute:
                return max(1, math.ceil(self.window_s - (now - times[0])))
            times.append(now)
            return 0


# --- Answers ---

def json_response(body: dict, status: int = 200, headers: Mapping[str, str] | None = None) -> JSONResponse:
    return JSONResponse(body, status_code=status, headers=dict(headers or {}))


def error_response(error: ApiError, manifest: Manifest | None = None) -> JSONResponse:
    """The error as JSON; with the build's id and date when a store had been opened for the request."""
    stamp = {"build_id": manifest.build_id, "data_as_of": manifest.data_as_of} if manifest else {}
    return json_response({"error": error.message, "status": error.status, **error.details, **stamp},
                         error.status, error.headers)


def _last_modified(manifest: Manifest) -> str | None:
    try:
        return format_datetime(datetime.fromisoformat(manifest.built_at.replace("Z", "+00:00")), usegmt=True)
    except (ValueError, TypeError):
        return None


def _finish(call: Call, answer: Any) -> Response:
    """The route's answer as a response: JSON with the build's id and date, validators, 304 when fresh."""
    if isinstance(answer, Response):
        response = answer
    else:
        response = json_response({"build_id": call.manifest.build_id, "data_as_of": call.manifest.data_as_of,
                                  **answer})
        if answer.get("next"):
            response.headers["Link"] = f"<{answer['next']}>; rel=\"next\""
    if call.request.method in ("GET", "HEAD") and 200 <= response.status_code < 300:
        etag = '"' + hashlib.sha256(response.body).hexdigest()[:32] + '"'
        response.headers["ETag"] = etag
        if (modified := _last_modified(call.manifest)) is not None:
            response.headers["Last-Modified"] = modified
        response.headers.setdefault("Cache-Control", "public, max-age=60")
        if not call.limits.public_url:  # links were made from the Host header: cache them per host
            response.headers["Vary"] = ", ".join(filter(None, (response.headers.get("Vary"), "Host")))
        asked = [t.strip().removeprefix("W/")
                 for t in call.request.headers.get("if-none-match", "").split(",")]
        if etag in asked or "*" in asked:
            kept = ("etag", "last-modified", "cache-control")
            return Response(status_code=304, headers={k: v for k, v in response.headers.items() if k in kept})
    return response


def _same_origin(request: Request) -> bool:
    origin = request.headers.get("origin")
    return origin is None or origin.rstrip("/") == str(request.base_url).rstrip("/")


def _cors(request: Request, endpoints: Mapping[str, Endpoint], limits: Limits,
          response: Response) -> Response:
    origin = request.headers.get("origin")
    if origin is None:
        return response
    method = request.headers.get("access-control-request-method", request.method).upper()
    endpoint = endpoints.get(method)
    if endpoint is not None and endpoint.cors_open:
        response.headers["Access-Control-Allow-Origin"] = "*"
    elif origin.rstrip("/") in limits.post_origins:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Vary"] = ", ".join(filter(None, (response.headers.get("Vary"), "Origin")))
    return response


class Api:
    """The declared routes as Starlette routes, with the limits and the rate limiter they share."""

    def __init__(self, limits: Limits | Callable[[], Limits],
                 table: Mapping[str, Mapping[str, Endpoint]] | None = None, base_path: str = ""):
        self._limits, self._limiter = limits, None
        self.table = ROUTES if table is None else table
        self.prefix = "/" + base_path.strip("/") if base_path.strip("/") else ""

    @property
    def limits(self) -> Limits:
        if not isinstance(self._limits, Limits):  # read once the server is up (the secrets are then loaded)
            try:
                self._limits = self._limits()
            except ValueError as wrong:  # the operator's setting, not the request: said in the log
                LOG.error("The API's limits are misconfigured: %s", wrong)
                raise ApiError(503, "The API is not configured correctly; its operator has been told in the "
                                    "server's log.") from None
        return self._limits

    @property
    def limiter(self) -> RateLimiter:
        if self._limiter is None:
            self._limiter = RateLimiter(self.limits.requests_per_minute)
        return self._limiter

    def starlette_routes(self) -> list[Route]:
        """One Starlette route per declared path (under the base path), then a JSON 404 for any other
        path under /api/ or /feeds/."""
        made = [Route(self.prefix + path, self._endpoint(path), methods=list(METHODS)) for path in self.table]
        unknown = [Route(f"{self.prefix}{prefix}{{rest:path}}", self._endpoint(None), methods=list(METHODS))
                   for prefix in API_PREFIXES]
        return made + unknown

    def _endpoint(self, path: str | None):
        async def endpoint(request: Request) -> Response:
            endpoints = self.table.get(path, {}) if path else {}
            try:
                response = await self._answer(request, endpoints)
            except ApiError as error:
                response = error_response(error, getattr(request.state, "manifest", None))
            except Exception as error:  # a fault of ours: said in one line, never a traceback
                LOG.error("API route %s failed: %s", request.url.path, type(error).__name__)
                response = error_response(ApiError(500, "The server could not answer this request."))
            response.headers.setdefault("X-Content-Type-Options", "nosniff")
            return _cors(request, endpoints, self._limits if isinstance(self._limits, Limits) else Limits(),
                         response)
        return endpoint

    async def _answer(self, request: Request, endpoints: Mapping[str, Endpoint]) -> Response:
        client = request.client.host if request.client else "unknown"
        wait = self.limiter.wait_s(client)
        if wait:
            raise ApiError(429, f"Too many requests: at most {self.limits.requests_per_minute} a minute. "
                                f"Try again in {wait} s.", {"Retry-After": str(wait)})
        if not endpoints:
            raise ApiError(404, "No such API route. The routes are listed at /api/v1/openapi.json.")
        method = request.method.upper()
        if method == "OPTIONS":
            return self._preflight(request, endpoints)
        endpoint = endpoints.get("GET" if method == "HEAD" else method)
        if endpoint is None:
            raise ApiError(405, f"This route answers {', '.join(endpoints)} only.",
                           {"Allow": ", ".join(endpoints)})
        if not endpoint.cors_open and not _same_origin(request) and \
                request.headers.get("origin", "").rstrip("/") not in self.limits.post_origins:
            raise ApiError(403, "This route takes requests from this site's own pages only "
                                "(or from the origins its operator allows).")
        body = await self._body(request) if method not in ("GET", "HEAD") else None
        status = await run_in_threadpool(store_status)
        request.state.manifest = status.manifest
        call = Call(request, _query(request), dict(request.path_params), body, status, self.limits,
                    self.prefix)
        try:
            answer = await run_in_threadpool(endpoint.handler, call)
        except connection.StoreError:
            # A store file deleted or cut short under the running server: look at the store again now
            # (a damaged build is rebuilt, or the last intact one served) and answer from that once.
            call.status = await run_in_threadpool(store_status, True)
            try:
                answer = await run_in_threadpool(endpoint.handler, call)
            except connection.StoreError:
                raise ApiError(503, "The published data cannot be read just now; try again shortly.",
                               {"Retry-After": "30"}) from None
        response = _finish(call, answer)
        if method == "HEAD":
            return Response(status_code=response.status_code, headers=dict(response.headers))
        return response

    def _preflight(self, request: Request, endpoints: Mapping[str, Endpoint]) -> Response:
        allowed = ", ".join([*endpoints, "OPTIONS"])
        return Response(status_code=204, headers={
            "Allow": allowed, "Access-Control-Allow-Methods": allowed,
            "Access-Control-Allow-Headers": "Content-Type, If-None-Match", "Access-Control-Max-Age": "600"})

    async def _body(self, request: Request) -> bytes:
        """The body, read only up to the limit: a larger one is refused (413) without reading it all."""
        largest = self.limits.max_body_bytes
        declared = request.headers.get("content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > largest):
            raise ApiError(413, f"The body is larger than {largest:,} bytes.")
        chunks, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > largest:
                raise ApiError(413, f"The body is larger than {largest:,} bytes.")
            chunks.append(chunk)
        return b"".join(chunks)


def _query(request: Request) -> dict[str, list[str]]:
    params: dict[str, list[str]] = {}
    for key, value in request.query_params.multi_items():
        params.setdefault(key, []).append(value)
    return params
