"""The HTTP API and the feed, over real HTTP against `streamlit run app.py` on 127.0.0.1, on a copy
of the shipped data: each route, its answers checked against the inputs or the explorer's own CSV."""

from __future__ import annotations

import csv
import io
import shutil
import time
from datetime import date
from urllib.parse import urlencode

import feedparser
import httpx
import pandas as pd
import pytest
from api_helpers import explorer_csv, serving
from openapi_spec_validator import validate

from tracker import schema
from tracker.citations import federal_register_url
from tracker.config import data_paths
from tracker.present.export import neutralise
from tracker.store import build


@pytest.fixture(scope="module")
def data(tmp_path_factory, shipped_inputs):
    root = tmp_path_factory.mktemp("api-data")
    shutil.copytree(shipped_inputs, root / "inputs")
    return data_paths(root)


@pytest.fixture(scope="module")
def api(data):
    for url in serving(data.root, TRACKER_API_REQUESTS_PER_MINUTE="100000"):
        with httpx.Client(base_url=url, timeout=120) as client:
            yield client


# --- /api/v1/entries: the explorer's query string, the explorer's rows ---

EXPLORER_QUERIES = [
    "q=huawei&dest=China",
    "dest=China,Iran&from=2020-01-01&to=2024-12-31",
    "action=removed",
    "license=all%20items&policy=presumption%20of%20denial,case-by-case",
    "q=%E6%99%BA%E8%B0%B1",  # 智谱
    "company=huawei&dest=China&dest=Cuba",
    "",
]


@pytest.mark.parametrize("query", EXPLORER_QUERIES)
def test_entries_csv_is_the_explorers_csv_for_the_same_query_string(api, data, query):
    response = api.get(f"/api/v1/entries?{query}&format=csv" if query else "/api/v1/entries?format=csv")

    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert response.content == explorer_csv(data, _query(query))


@pytest.mark.parametrize("query", EXPLORER_QUERIES)
def test_entries_json_pages_hold_the_explorers_csv_rows(api, data, query):
    expected = list(csv.DictReader(io.StringIO(explorer_csv(data, _query(query)).decode("utf-8-sig"))))
    got, url, pages = [], f"/api/v1/entries?{query}&limit=1000", 0
    while url:
        answer = api.get(url).json()
        assert answer["total"] == len(expected)
        got += answer["entries"]
        url, pages = answer["next"], pages + 1
    assert pages == max(1, -(-len(expected) // 1000))
    assert [_as_csv_row(entry, expected[0].keys()) for entry in got] == expected


def _query(text: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for key, value in httpx.QueryParams(text).multi_items():
        out.setdefault(key, []).append(value)
    return out


def _as_csv_row(entry: dict, columns) -> dict:
    """An API entry written as the CSV writes it (lists joined, missing values empty, formulas quoted)."""
    out = {}
    for column in columns:
        value = entry[column]
        if column == "aliases":
            value = schema.LIST_SEPARATOR.join(value) if value else None
        out[column] = "" if value is None else str(neutralise(value))
    return out


def test_entries_pages_follow_next_links_without_overlap(api):
    first = api.get("/api/v1/entries", params={"dest": "China", "limit": 50}).json()
    second = api.get(first["next"]).json()
    both = [e["entity_id"] for e in first["entries"] + second["entries"]]
    whole = api.get("/api/v1/entries", params={"dest": "China", "limit": 100}).json()

    assert first["total"] > 100 and len(set(both)) == 100
    assert both == [e["entity_id"] for e in whole["entries"]]
    assert second["offset"] == 50 and "offset=100" in second["next"]


def test_every_json_answer_carries_the_build_and_its_date(api, data):
    manifest = build.read_manifest(data)
    for url in ("/api/v1/entries?limit=1", "/api/v1/entries/EL-0001", "/api/v1/changes?since=2025-01-01",
                "/api/v1/entries/no-such-entry", "/api/v1/entries?dest=Atlantis"):
        answer = api.get(url).json()
        assert (answer["build_id"], answer["data_as_of"]) == (manifest.build_id, manifest.data_as_of), url


def test_an_unchanged_answer_is_not_sent_again(api):
    first = api.get("/api/v1/entries", params={"q": "zhipu"})
    seen = {"If-None-Match": first.headers["etag"]}
    again = api.get("/api/v1/entries", params={"q": "zhipu"}, headers=seen)
    other = api.get("/api/v1/entries", params={"q": "huawei"}, headers=seen)

    assert first.status_code == 200 and first.headers["last-modified"].endswith("GMT")
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == seen["If-None-Match"]
    assert other.status_code == 200


def test_head_gives_the_headers_of_get_without_a_body(api):
    got = api.get("/api/v1/entries?q=zhipu&format=csv")
    head = api.head("/api/v1/entries?q=zhipu&format=csv")

    assert head.status_code == 200 and head.content == b""
    assert head.headers["etag"] == got.headers["etag"]
    assert head.headers["content-type"] == got.headers["content-type"]


# --- One entry ---

def test_one_entry_comes_with_its_events_from_the_inputs(api, data):
    events = pd.read_csv(data.inputs / "events.csv", dtype=str)
    entity_id = events["entity_id"].value_counts().index[0]  # the entry with the most events
    answer = api.get(f"/api/v1/entries/{entity_id}").json()

    assert answer["entry"]["entity_id"] == entity_id
    assert sorted(e["event_id"] for e in answer["events"]) == \
        sorted(events.loc[events["entity_id"] == entity_id, "event_id"])
    assert all(c["url"].startswith("https://www.federalregister.gov/citation/")
               for c in answer["entry"]["citations"])
    assert answer["entry"]["page"] == f"{str(api.base_url).rstrip('/')}/entry?id={entity_id}"


def test_an_unknown_entry_is_a_json_404(api):
    response = api.get("/api/v1/entries/EL-99999")
    assert response.status_code == 404
    assert response.json()["error"] == "No entry has this id."


# --- Changes since a day ---

def test_changes_since_a_day_are_the_inputs_events_and_rules_since_it(api, data):
    since = "2024-01-01"
    events = pd.read_csv(data.inputs / "events.csv", dtype=str)
    rules = pd.read_csv(data.inputs / "rules.csv", dtype=str)
    expected_events = events[events["date"].fillna("") >= since]
    expected_rules = rules[(rules["scope"] == "entity_list_change") & (rules["publication_date"] >= since)]

    got, url = [], f"/api/v1/changes?since={since}&limit=1000"
    while url:
        answer = api.get(url).json()
        got += answer["events"]
        url = answer["next"]

    assert answer["total_events"] == len(expected_events) == len(got)
    assert sorted(e["event_id"] for e in got) == sorted(expected_events["event_id"])
    assert [e["date"] for e in got] == sorted((e["date"] for e in got), reverse=True)
    assert sorted(r["rule_id"] for r in answer["rules"]) == sorted(expected_rules["rule_id"])


def test_changes_need_a_day(api):
    for url in ("/api/v1/changes", "/api/v1/changes?since=yesterday", "/api/v1/changes?since=20240101"):
        response = api.get(url)
        assert response.status_code == 400 and "YYYY-MM-DD" in response.json()["error"]


# --- The description and the feed ---

def test_the_openapi_document_is_valid_and_describes_every_route(api):
    document = api.get("/api/v1/openapi.json").json()

    validate(document)
    assert set(document["paths"]) == {"/api/v1/entries", "/api/v1/entries/{entity_id}", "/api/v1/changes",
                                      "/api/v1/screen", "/api/v1/openapi.json", "/feeds/changes.atom"}
    assert "post" in document["paths"]["/api/v1/screen"]
    listed = {p["name"] for p in document["paths"]["/api/v1/entries"]["get"]["parameters"]}
    assert listed == {"q", "from", "to", "dest", "sector", "action", "license", "policy", "company",
                      "limit", "offset", "format"}


def test_the_feed_has_one_item_per_rule_and_list_version_newest_first(api, data):
    response = api.get("/feeds/changes.atom")
    parsed = feedparser.parse(response.content)
    rules = pd.read_csv(data.inputs / "rules.csv", dtype=str)
    # Atom needs a day: a rule without one is left out
    rules = rules[(rules["scope"] == "entity_list_change") & rules["publication_date"].notna()]
    versions = pd.read_csv(data.inputs / "list_versions.csv", dtype=str)

    assert response.headers["content-type"].startswith("application/atom+xml")
    assert not parsed.bozo, parsed.bozo_exception
    assert parsed.version == "atom10"
    assert len(parsed.entries) == len(rules) + len(versions)
    days = [e.updated[:10] for e in parsed.entries]
    assert days == sorted(days, reverse=True)
    by_id = {e.id: e for e in parsed.entries}
    for rule in rules.itertuples():
        item = by_id[f"tag:entity-list-tracker,2026:rule:{rule.rule_id}"]
        links = {link.rel: link.href for link in item.links}
        assert links["alternate"] == f"{api.base_url}/rules?rule={rule.rule_id}".replace("//rules", "/rules")
        cited = federal_register_url(rule.fr_citation) if isinstance(rule.fr_citation, str) else None
        assert links["related"] == (cited or rule.url)
        caveat = rule.source_caveat if isinstance(rule.source_caveat, str) else None
        assert (f"Weak source: {caveat}." in item.summary) if caveat else ("Weak source" not in item.summary)
    # A version is named by its day, and its variant (else source kind) when another shares the day.
    versions = versions.sort_values(["date", "version_id"])
    shared = versions["date"].duplicated(keep=False)
    names = [f"{v.date} {v.variant if isinstance(v.variant, str) else v.source_kind}" if twin else v.date
             for v, twin in zip(versions.itertuples(), shared, strict=True)]
    for number, version in enumerate(versions.itertuples()):
        item = by_id[f"tag:entity-list-tracker,2026:list-version:{version.version_id}"]
        expected = {"to": names[number]} if number == 0 else {"from": names[number - 1], "to": names[number]}
        assert item.link == f"{api.base_url}/changes?{urlencode(expected)}".replace("//changes", "/changes")


def test_feed_item_ids_are_the_same_after_a_rebuild(api, data):
    before = api.get("/feeds/changes.atom")
    old_build = api.get("/api/v1/entries?limit=1").json()["build_id"]
    build.build_store(data)  # a new build of the same inputs, as an editor's save makes
    deadline = time.monotonic() + 60
    while api.get("/api/v1/entries?limit=1").json()["build_id"] == old_build:
        assert time.monotonic() < deadline, "the API kept serving the old build"
        time.sleep(1)
    after = api.get("/feeds/changes.atom")

    assert [e.id for e in feedparser.parse(after.content).entries] == \
        [e.id for e in feedparser.parse(before.content).entries]
    assert after.content == before.content, "an unchanged list is an unchanged feed"


# --- Errors: JSON with a message, never a traceback ---

BAD_REQUESTS = [
    ("/api/v1/entries?bogus=1", 400, "Unknown parameter"),
    ("/api/v1/entries?dest=Atlantis", 400, "Atlantis"),
    ("/api/v1/entries?action=exploded", 400, "exploded"),
    ("/api/v1/entries?from=2024-02-30", 400, "YYYY-MM-DD"),
    ("/api/v1/entries?from=2024-05-01&to=2024-01-01", 400, "ends before it starts"),
    ("/api/v1/entries?limit=100000", 400, "limit"),
    ("/api/v1/entries?limit=-1", 400, "limit"),
    ("/api/v1/entries?offset=x", 400, "offset"),
    ("/api/v1/entries?format=xml", 400, "format"),
    ("/api/v1/entries?company=no-such-company", 400, "company"),
    ("/api/v1/entries/EL-0001?x=1", 400, "Unknown parameter"),
    ("/api/v1/openapi.json?x=1", 400, "Unknown parameter"),
    ("/api/v2/entries", 404, "No such API route"),
    ("/feeds/changes.rss", 404, "No such API route"),
]


@pytest.mark.parametrize(("url", "status", "said"), BAD_REQUESTS)
def test_a_bad_request_is_answered_in_json_with_what_was_wrong(api, url, status, said):
    response = api.get(url)

    assert response.status_code == status
    assert response.headers["content-type"] == "application/json"
    assert said in response.json()["error"]
    assert "Traceback" not in response.text


def test_a_method_a_route_does_not_take_is_a_json_405(api):
    response = api.delete("/api/v1/entries")
    assert response.status_code == 405 and response.headers["allow"] == "GET"
    assert "GET" in response.json()["error"]


def test_gets_are_open_to_other_origins(api):
    response = api.get("/api/v1/entries?limit=1", headers={"Origin": "https://example.org"})
    preflight = api.options("/api/v1/entries", headers={"Origin": "https://example.org",
                                                         "Access-Control-Request-Method": "GET"})
    assert response.headers["access-control-allow-origin"] == "*"
    assert preflight.status_code == 204 and preflight.headers["access-control-allow-origin"] == "*"


def test_the_dashboard_is_served_beside_the_api(api):
    assert api.get("/_stcore/health").text == "ok"
    page = api.get("/explorer?q=huawei")
    assert page.status_code == 200 and "<div id=\"root\">" in page.text


def test_data_as_of_is_a_day(api):
    assert date.fromisoformat(api.get("/api/v1/entries?limit=1").json()["data_as_of"])
