"""Every page run with AppTest: default state, each query parameter, invalid values, widgets."""

from __future__ import annotations

import csv
import os
import shutil
from pathlib import Path

import pytest
from page_helpers import run_page, text_of
from streamlit.testing.v1 import AppTest

PROJECT = Path(__file__).resolve().parents[1]
INPUTS = PROJECT / "data" / "inputs"
PAGES = ("overview", "explorer", "company", "rules", "responses", "story", "editor", "about")


@pytest.fixture(scope="module", autouse=True)
def page_data(tmp_path_factory):
    """Pages read a copy of the shipped inputs through TRACKER_DATA_DIR."""
    root = tmp_path_factory.mktemp("page-data")
    shutil.copytree(INPUTS, root / "inputs")
    previous = os.environ.get("TRACKER_DATA_DIR")
    os.environ["TRACKER_DATA_DIR"] = str(root)
    yield root
    if previous is None:
        os.environ.pop("TRACKER_DATA_DIR", None)
    else:
        os.environ["TRACKER_DATA_DIR"] = previous


def notices(app: AppTest) -> list[str]:
    return [c.value for c in app.caption if c.value.startswith("⚠️")]


def read_inputs(name: str) -> list[dict[str, str]]:
    with open(INPUTS / f"{name}.csv", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_with_default_state(page):
    app = run_page(page)
    assert not app.exception
    assert not app.error
    assert "Data as of" in text_of(app)
    assert dict(app.query_params) == {}, "defaults stay out of the URL"


@pytest.mark.parametrize("page, params", [
    ("overview", {"granularity": "year"}),
    ("overview", {"group": "sector"}),
    ("overview", {"group": "none", "cumulative": "1"}),
    ("overview", {"dest": "China,Russia"}),
    ("explorer", {"q": "huawei cloud"}),
    ("explorer", {"from": "2024-01-01", "to": "2024-12-31"}),
    ("explorer", {"dest": "Iran"}),
    ("explorer", {"sector": "Semiconductors"}),
    ("explorer", {"action": "revised"}),
    ("explorer", {"license": "all items"}),
    ("explorer", {"company": "huawei"}),
    ("company", {"company": "huawei"}),
    ("company", {"company": "xiaomi"}),
    ("rules", {"rule": "2025-00704"}),
    ("responses", {"status": "proposed"}),
    ("responses", {"company": "smic", "category": "public_statement"}),
    ("story", {"step": "15"}),
    ("overview", {"present": "1"}),
    ("explorer", {"dest": "China", "present": "1"}),
])
def test_each_query_parameter_opens_its_view_and_stays_in_the_url(page, params):
    app = run_page(page, **params)
    assert not app.exception
    assert not notices(app)
    assert dict(app.query_params) == params


@pytest.mark.parametrize("page, params, kept", [
    ("overview", {"granularity": "decade"}, {}),
    ("overview", {"group": "colour", "dest": "China,Atlantis"}, {"dest": "China"}),
    ("explorer", {"from": "2025-02-30", "action": "zapped,added"}, {"action": "added"}),
    ("explorer", {"company": "no-such-company", "license": "some"}, {}),
    ("explorer", {"from": "2025-01-01", "to": "2024-01-01"}, {}),
    ("rules", {"rule": "not-a-rule"}, {}),
    ("responses", {"status": "rumoured", "category": "magic"}, {}),
    ("story", {"step": "0"}, {}),
])
def test_invalid_values_fall_back_to_defaults_with_a_notice(page, params, kept):
    app = run_page(page, **params)
    assert not app.exception
    assert notices(app), "an ignored value is announced"
    assert dict(app.query_params) == kept


def test_company_page_for_zhipu_shows_listing_citation_entries_and_responses():
    app = run_page("company", company="zhipu-ai")
    assert not app.exception
    text = text_of(app)
    assert "First listed 2025-01-16; 7 entries" in text
    entries = app.dataframe[0].value
    assert len(entries) == 7
    assert set(entries["fr_citations"]) == {"90 FR 4619"}
    assert {str(d)[:10] for d in entries["listed_date"]} == {"2025-01-16"}
    zhipu_responses = [r for r in read_inputs("responses") if r["company_id"] == "zhipu-ai"]
    statement = next(r for r in zhipu_responses if r["category"] == "public_statement")
    proposed = [r for r in zhipu_responses if r["status"] == "proposed"]
    assert statement["title"] in text
    assert proposed and all(r["title"] in text for r in proposed)
    assert "Public statement" in [e.label.rsplit(" (", 1)[0] for e in app.expander]


def test_unknown_company_gets_a_clear_page_not_an_error():
    app = run_page("company", company="does-not-exist")
    assert not app.exception
    assert not app.error
    assert any("no company profile" in w.value for w in app.warning)
    assert app.dataframe, "the list of companies is offered instead"


def test_explorer_search_and_filters_change_the_url_and_the_rows():
    app = run_page("explorer")
    total = len(read_inputs("entities"))
    assert f"{total:,} entries" in text_of(app)
    app.text_input(key="q").set_value("zhipu").run()
    assert app.query_params["q"] == ["zhipu"] or app.query_params["q"] == "zhipu"
    assert len(app.dataframe[0].value) == 7
    app.multiselect(key="dest").set_value(["Russia"]).run()
    assert "No entries match" in "\n".join(i.value for i in app.info)


def test_explorer_table_holds_exactly_the_filtered_rows():
    expected = {r["entity_id"] for r in read_inputs("entities") if r["destination"] == "Iran"}
    app = run_page("explorer", dest="Iran")
    shown = set(app.dataframe[0].value["entity_id"])
    assert shown == expected


def test_overview_controls_write_the_url():
    app = run_page("overview")
    app.segmented_control(key="granularity").set_value("year").run()
    app.toggle(key="cumulative").set_value(True).run()
    assert not app.exception
    params = {k: (v[0] if isinstance(v, list) else v) for k, v in dict(app.query_params).items()}
    assert params == {"granularity": "year", "cumulative": "1"}


def test_overview_headline_counts_come_from_the_inputs():
    app = run_page("overview")
    metrics = {m.label: m.value for m in app.metric}
    entities = read_inputs("entities")
    assert metrics["Entries on the list"] == f"{len(entities):,}"
    assert metrics["Destinations"] == str(len({e["destination"] for e in entities}))


def test_responses_status_filter_narrows_the_notes():
    proposed = [r for r in read_inputs("responses") if r["status"] == "proposed"]
    app = run_page("responses", status="proposed")
    assert f"{len(proposed)} notes" in [s.value for s in app.subheader]


def test_rules_page_reconciles_stated_counts_with_todays_list():
    app = run_page("rules", rule="2025-00704")
    assert "On 41 of 55 rule dates" in text_of(app)
    assert any("cite this rule" in m.value for m in app.markdown)


def test_story_steps_are_their_own_links():
    moments = read_inputs("moments")
    app = run_page("story", step="15")
    assert f"Moment 15 of {len(moments)}" in text_of(app)
    app.button(key="story_next").click().run()
    assert dict(app.query_params) == {"step": "16"}
    assert f"Moment 16 of {len(moments)}: {moments[15]['date']}" in text_of(app)


def test_presenter_mode_keeps_the_filters_and_offers_no_editing(monkeypatch):
    monkeypatch.setenv("TRACKER_EDITOR_PASSWORD", "pw")
    explorer = run_page("explorer", dest="Iran", present="1")
    assert dict(explorer.query_params) == {"dest": "Iran", "present": "1"}
    assert not explorer.sidebar.children or not list(explorer.sidebar.children.values())
    editor = run_page("editor", present="1")
    assert any("not available in presenter mode" in i.value for i in editor.info)
    assert not editor.text_input
