"""The API frame's handling of bodies, names, origins, faults and limits (tracker/api/frame.py), on
routes this test declares in a table of its own (the app's routes take no body yet: the screening
route will), served by the real frame over the factory's store, in-process through Starlette's
TestClient; the limits' reading from the environment and secrets."""

from __future__ import annotations

import json
import logging

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from tracker.api.frame import Api, ApiError, Call, RateLimiter, parse_json, route, screened_names
from tracker.api.settings import Limits

TABLE: dict = {}


@route("POST", "/api/test/echo", TABLE)
def echo(call: Call) -> dict:
    return {"got": call.json()}


@route("POST", "/api/test/names", TABLE)
def names(call: Call) -> dict:
    return {"names": screened_names(call)}


@route("GET", "/api/test/fault", TABLE)
def fault(call: Call) -> dict:
    raise RuntimeError(f"secret detail {call.params}")


@pytest.fixture()
def client(made_app):
    limits = Limits(max_body_bytes=2_000, max_names=3, max_name_length=20, max_json_depth=4,
                    post_origins=("https://allowed.example",), requests_per_minute=1_000)
    app = Starlette(routes=Api(limits, TABLE).starlette_routes())
    with TestClient(app) as test_client:
        yield test_client


def test_a_body_over_the_limit_is_refused_unread(client):
    declared = client.post("/api/test/echo", content=b"[" + b"1," * 2_000 + b"1]")
    streamed = client.post("/api/test/echo", content=iter([b"[" + b"1," * 600, b"1," * 600 + b"1]"]))

    assert declared.status_code == 413 and "2,000 bytes" in declared.json()["error"]
    assert streamed.status_code == 413, "a body sent without a length is cut off at the limit too"


@pytest.mark.parametrize(("body", "said"), [
    (b"", "needs a JSON body"),
    (b"{'names': 1}", "not valid JSON"),
    (b"\xff\xfe{}", "not UTF-8"),
    (b"[[[[[[1]]]]]]", "deeper than 4"),
    (b'{"a": "[[[[[[[[[["}', None),  # brackets inside a string are text, not nesting
])
def test_a_body_that_is_not_json_or_nests_too_deep_is_a_400(client, body, said):
    response = client.post("/api/test/echo", content=body)
    if said is None:
        assert response.status_code == 200 and response.json()["got"] == {"a": "[[[[[[[[[["}
    else:
        assert response.status_code == 400 and said in response.json()["error"]


def test_deep_json_is_refused_before_it_is_parsed():
    with pytest.raises(ApiError, match="deeper than 8"):
        parse_json(b"[" * 200_000 + b"]" * 200_000, 8)


@pytest.mark.parametrize(("body", "said"), [
    ({"names": "Huawei"}, "list of names"),
    (["Huawei"], "list of names"),
    ({"names": ["a", "b", "c", "d"]}, "At most 3 names"),
    ({"names": ["x" * 21]}, "Name 1 is longer than 20"),
    ({"names": ["ok", 7]}, "Name 2 must be"),
    ({"names": [{"name": "ok", "country": ["CN"]}]}, "Name 1 must be"),
    ({"names": ["   "]}, "Name 1 must be"),
])
def test_screened_names_of_the_wrong_shape_or_size_are_a_400(client, body, said):
    response = client.post("/api/test/names", json=body)
    assert response.status_code == 400 and said in response.json()["error"]


def test_odd_unicode_and_markup_in_names_come_back_as_sent(client):
    sent = ["<script>x()</script>", "=HYPERLINK(\"x\")", "智谱华章", "a\u202eb\u200dc", "😀", "\u0000x"]
    first, second = (client.post("/api/test/names", json={"names": part}) for part in (sent[:3], sent[3:]))

    for response in (first, second):
        assert response.status_code == 200 and response.headers["content-type"] == "application/json"
        assert response.headers["x-content-type-options"] == "nosniff"
    assert [n["name"] for n in first.json()["names"] + second.json()["names"]] == sent
    assert b"<script>" in first.content  # JSON text, not HTML: nosniff keeps browsers from sniffing


def test_posts_are_same_origin_unless_the_origin_is_allowed(client):
    same = client.post("/api/test/echo", json=[1], headers={"Origin": "http://testserver"})
    allowed = client.post("/api/test/echo", json=[1], headers={"Origin": "https://allowed.example"})
    other = client.post("/api/test/echo", json=[1], headers={"Origin": "https://evil.example"})
    preflight = client.options("/api/test/echo", headers={"Origin": "https://evil.example",
                                                          "Access-Control-Request-Method": "POST"})

    assert same.status_code == 200 and "access-control-allow-origin" not in same.headers
    assert allowed.status_code == 200 and allowed.headers["access-control-allow-origin"] == "https://allowed.example"
    assert other.status_code == 403 and "own pages" in other.json()["error"]
    assert "access-control-allow-origin" not in preflight.headers


def test_a_fault_is_a_json_500_that_logs_no_request_detail(client, caplog):
    with caplog.at_level(logging.ERROR, logger="tracker.api"):
        response = client.get("/api/test/fault?name=Secret+Company")

    assert response.status_code == 500
    assert response.json() == {"error": "The server could not answer this request.", "status": 500}
    assert "Traceback" not in response.text and "Secret" not in response.text
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "RuntimeError" in logged and "Secret" not in logged and "secret detail" not in logged


def test_the_rate_limit_counts_a_sliding_minute_per_client():
    limiter = RateLimiter(per_minute=2)

    assert [limiter.wait_s("a", now=t) for t in (0.0, 10.0)] == [0, 0]
    assert limiter.wait_s("a", now=20.0) == 40, "until the first request is a minute old"
    assert limiter.wait_s("b", now=20.0) == 0, "another client has its own count"
    assert limiter.wait_s("a", now=60.5) == 0
    assert limiter.wait_s("a", now=61.0) == 9


def test_limits_come_from_the_environment_over_the_secrets():
    limits = Limits.from_settings({"requests_per_minute": 7, "max_names": 9, "post_origins": ["https://a.example/"]},
                                  {"TRACKER_API_REQUESTS_PER_MINUTE": "30"})
    assert (limits.requests_per_minute, limits.max_names, limits.post_origins) == (30, 9, ("https://a.example",))
    assert Limits.from_settings({}, {}) == Limits()
    for bad in ("0", "-5", "ten", "1e3"):
        with pytest.raises(ValueError, match="TRACKER_API_MAX_LIMIT"):
            Limits.from_settings({}, {"TRACKER_API_MAX_LIMIT": bad})


def test_a_json_answer_is_stamped_with_the_build(client, made_app):
    answer = json.loads(client.post("/api/test/echo", json={"x": 1}).content)
    manifest = json.loads((made_app.store / "current" / "manifest.json").read_text())
    assert (answer["build_id"], answer["data_as_of"]) == (manifest["build_id"], manifest["data_as_of"])


def test_misconfigured_limits_are_a_503_and_a_line_in_the_log(made_app, caplog):
    def wrong() -> Limits:
        return Limits.from_settings({}, {"TRACKER_API_MAX_LIMIT": "lots"})

    app = Starlette(routes=Api(wrong, TABLE).starlette_routes())
    with TestClient(app) as test_client, caplog.at_level(logging.ERROR, logger="tracker.api"):
        response = test_client.post("/api/test/echo", json=[1])

    assert response.status_code == 503 and "not configured correctly" in response.json()["error"]
    assert "TRACKER_API_MAX_LIMIT" in caplog.text


@route("GET", "/api/test/where", TABLE)
def where(call: Call) -> dict:
    return {"base": call.base_url(), "route": call.route_url()}


def test_links_come_from_the_public_address_when_one_is_set_else_vary_by_host(made_app):
    for limits, base in ((Limits(), "http://forged.example"),
                         (Limits(public_url="https://tracker.example/app"), "https://tracker.example/app")):
        with TestClient(Starlette(routes=Api(limits, TABLE).starlette_routes())) as client:
            answer = client.get("/api/test/where", headers={"Host": "forged.example"})
        assert answer.status_code == 200
        assert answer.json()["base"] == base and answer.json()["route"] == base + "/api/test/where"
        varies = [v.strip() for v in answer.headers.get("vary", "").split(",")]
        assert ("Host" in varies) == (not limits.public_url)
    assert Limits.from_settings({}, {"TRACKER_API_PUBLIC_URL": "https://t.example/"}).public_url == \
        "https://t.example"
