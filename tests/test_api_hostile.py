"""Hostile input through the API, and its rate limit, over real HTTP against `streamlit run app.py`
on data whose text tries to be HTML and spreadsheet formulas (tests/hostile_data.py), with a low
rate limit set for this server. The tests run in file order: the last one spends the limit."""

from __future__ import annotations

import csv
import hashlib
import io

import feedparser
import hostile_data as hostile
import httpx
import pytest
from api_helpers import explorer_csv, serving

from tracker.present.export import FORMULA_STARTS

LIMIT = 60  # requests a minute for this server: the tests before the last make fewer


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    return hostile.hostile_inputs(tmp_path_factory.mktemp("api-hostile"))


@pytest.fixture(scope="module")
def api(data):
    for url in serving(data.root, TRACKER_API_REQUESTS_PER_MINUTE=str(LIMIT)):
        with httpx.Client(base_url=url, timeout=120) as client:
            yield client


@pytest.fixture(scope="module")
def inputs_before(data):
    return _fingerprint(data)


def _fingerprint(data) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(data.inputs.iterdir())}


def test_formula_names_are_quoted_in_the_csv_as_in_the_explorers(api, data, inputs_before):
    query = {"company": [hostile.COMPANY]}
    response = api.get("/api/v1/entries", params={"company": hostile.COMPANY, "format": "csv"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))

    assert response.content == explorer_csv(data, query)
    assert len(rows) == hostile.COMPANY_ENTRIES
    for row in rows:
        for value in row.values():
            assert not value.startswith(FORMULA_STARTS), value
    assert any(row["name"].startswith("'=HYPERLINK(") for row in rows)


def test_markup_in_the_data_is_json_text(api):
    response = api.get("/api/v1/entries", params={"company": hostile.COMPANY})

    assert response.headers["content-type"] == "application/json"
    assert response.headers["x-content-type-options"] == "nosniff"
    names = [e["name"] for e in response.json()["entries"]]
    assert any(hostile.SCRIPT in name for name in names)


def test_markup_in_rule_titles_is_escaped_in_the_feed(api):
    response = api.get("/feeds/changes.atom")
    parsed = feedparser.parse(response.content)

    assert not parsed.bozo
    assert b"<script>" not in response.content and b"&lt;script&gt;" in response.content
    assert any(hostile.PAYLOAD == item.title.split(": ", 1)[-1] for item in parsed.entries)


HOSTILE_QUERIES = [
    {"q": hostile.SCRIPT},
    {"q": '=HYPERLINK("http://x","y")'},
    {"q": "a\u202eb\u200d\u0301\ufeff😀"},
    {"q": "x" * 10_000},
    {"q": "'; DROP TABLE entities; --"},
    {"dest": "China'); DROP TABLE entities; --"},
    {"company": "../../etc/passwd"},
]


@pytest.mark.parametrize("params", HOSTILE_QUERIES, ids=range(len(HOSTILE_QUERIES)))
def test_a_hostile_query_is_answered_in_json_and_never_fails(api, params):
    response = api.get("/api/v1/entries", params=params)

    assert response.status_code in (200, 400), response.text
    assert response.headers["content-type"] == "application/json"
    assert "Traceback" not in response.text
    if response.status_code == 200:
        assert isinstance(response.json()["total"], int)


def test_bytes_that_are_not_utf8_or_hold_nul_are_answered_in_json(api):
    for raw in ("/api/v1/entries?q=%FF%FE", "/api/v1/entries?q=a%00b", "/api/v1/entries/%ED%A0%80",
                "/api/v1/changes?since=%00"):
        response = api.get(raw)
        assert response.status_code < 500, (raw, response.text)
        assert response.headers["content-type"] == "application/json"


def test_a_huge_body_is_refused_and_the_server_keeps_serving(api):
    response = api.post("/api/v1/entries", content=b"x" * 20_000_000)

    assert response.status_code == 405, "no route here takes a body: refused before it is read"
    assert api.get("/api/v1/entries?limit=1").status_code == 200


def test_hostile_requests_leave_nothing_behind(api, data, inputs_before):
    assert _fingerprint(data) == inputs_before
    assert sorted(p.name for p in data.root.iterdir() if not p.name.startswith("streamlit-")) == \
        ["inputs", "store"]
    logged = "".join(p.read_text(errors="replace") for p in data.root.glob("streamlit-*.log"))
    for sent in ("DROP TABLE", "etc/passwd", "HYPERLINK", "/api/v1/entries"):
        assert sent not in logged, f"the server's log holds {sent!r} from a request"


def test_a_client_over_the_limit_is_told_when_to_come_back(api):
    statuses = [api.get("/api/v1/entries/EL-0001").status_code for _ in range(LIMIT + 1)]
    refused = api.get("/feeds/changes.atom")

    assert statuses[-1] == 429 and 200 in statuses
    assert refused.status_code == 429, "every API route shares the client's count"
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert "Try again in" in refused.json()["error"]
    assert api.get("/_stcore/health").text == "ok", "the dashboard is not rate-limited"
