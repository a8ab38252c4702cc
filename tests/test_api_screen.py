"""POST /api/v1/screen over real HTTP against `streamlit run app.py` (shipped data): answers as the
Screening page answers, in the order asked; every list or the lists named on request; limits and bad
bodies answered 4xx with a JSON message; the names never reach the server's log or the data folder."""

from __future__ import annotations

import shutil

import httpx
import pytest
from api_helpers import start_server, stop_server

MARKER = "Zzyzx Quillfeather Holdings"  # a made-up name, looked for in the log afterwards


@pytest.fixture(scope="module")
def served(tmp_path_factory, shipped_inputs):
    root = tmp_path_factory.mktemp("api-screen")
    shutil.copytree(shipped_inputs, root / "inputs")
    process, url, log = start_server(root, {"TRACKER_API_REQUESTS_PER_MINUTE": "100000",
                                            "TRACKER_API_MAX_NAMES": "50"})
    try:
        with httpx.Client(base_url=url, timeout=120) as client:
            yield client, root, log
    finally:
        stop_server(process)


def _post(client, body, **headers):
    return client.post("/api/v1/screen", json=body, headers=headers)


def test_names_are_screened_in_the_order_asked_with_verdicts_and_reasons(served) -> None:
    client, _, _ = served
    names = ["Huawei Technologies Co., Ltd.", {"name": "Rosneft", "country": "Russia"}, "Xiaomi",
             "OBORON HOLDING LLC"]
    answer = _post(client, {"names": names})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["build_id"] and body["data_as_of"] and body["list_version"] == "csl_all_2026-07-31"
    assert [r["query"] for r in body["results"]] == ["Huawei Technologies Co., Ltd.", "Rosneft", "Xiaomi",
                                                      "OBORON HOLDING LLC"]
    huawei, rosneft, xiaomi, oboron = body["results"]
    best = huawei["matches"][0]
    assert (huawei["verdict"], best["entity_id"], best["list"], best["reason"], best["score"]) == (
        "likely", "EL-0652", "EL", "exact name", 100.0)
    assert best["page"] == f"{client.base_url}/entry?id=EL-0652" and best["destination"] == "China"
    assert [m["score"] for m in huawei["matches"]] == sorted((m["score"] for m in huawei["matches"]),
                                                             reverse=True)
    assert rosneft["matches"][0]["reason"] == "exact name, same destination"
    assert xiaomi == {"query": "Xiaomi", "country": None, "verdict": "none", "note": None, "matches": []}
    assert oboron["verdict"] == "none"
    assert oboron["note"].startswith("not on the Entity List; on the SDN list")


def test_every_list_or_the_lists_named(served) -> None:
    client, _, _ = served
    every = _post(client, {"names": ["OBORON HOLDING LLC"], "lists": "all"}).json()["results"][0]
    assert every["verdict"] == "likely" and every["matches"][0]["entity_id"] == "SDN-50757"
    assert every["matches"][0]["page"].startswith("https://sanctionslist.ofac.treas.gov/")
    named = _post(client, {"names": ["Huawei Technologies Co., Ltd."], "lists": ["CMIC"]}).json()
    assert {m["list"] for m in named["results"][0]["matches"]} == {"CMIC"}
    assert named["results"][0]["note"].startswith("also on the EL list")


@pytest.mark.parametrize(("body", "message"), [
    ({"names": "Huawei"}, "list of names"),
    ({"names": [3]}, "Name 1 must be a non-empty text"),
    ({"names": ["x" * 301]}, "longer than 300 characters"),
    ({"names": ["a"] * 51}, "At most 50 names a request"),
    ({"names": ["a"], "lists": ["SDN", "NOPE"]}, "Unknown list(s): NOPE"),
    ({"names": ["a"], "lists": 7}, "'lists' must be"),
    ({"names": ["a"], "list": "all"}, "Unknown field(s) in the body: list"),
])
def test_bad_bodies_get_a_400_with_a_json_message(served, body, message) -> None:
    client, _, _ = served
    answer = _post(client, body)
    assert answer.status_code == 400 and message in answer.json()["error"], answer.text


def test_malformed_json_a_get_and_unknown_parameters_are_refused(served) -> None:
    client, _, _ = served
    assert client.post("/api/v1/screen", content=b"{names: [", headers={
        "content-type": "application/json"}).status_code == 400
    assert client.get("/api/v1/screen").status_code == 405
    assert client.post("/api/v1/screen?lists=all", json={"names": ["a"]}).status_code == 400


def test_hostile_names_are_answered_as_text_and_never_logged_or_stored(served) -> None:
    client, root, log = served
    names = ["<script>alert(1)</script>", "=HYPERLINK(\"http://x\")", "\u202eevil\u0000", MARKER]
    answer = _post(client, {"names": names, "lists": "all"})
    assert answer.status_code == 200
    results = answer.json()["results"]
    assert [r["query"] for r in results] == ["<script>alert(1)</script>", "=HYPERLINK(\"http://x\")",
                                            "\u202eevil\u0000", MARKER]  # as given, as JSON text
    assert results[0]["verdict"] == results[3]["verdict"] == "none"
    assert MARKER not in log.read_text(errors="replace")
    stored = [p for p in root.rglob("*") if p.is_file() and p != log]
    assert not any(MARKER.encode() in p.read_bytes() for p in stored)


def test_the_openapi_document_describes_the_route(served) -> None:
    client, _, _ = served
    document = client.get("/api/v1/openapi.json").json()
    assert "post" in document["paths"]["/api/v1/screen"]
