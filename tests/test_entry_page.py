"""The entry page (app_pages/entry.py) and its store questions (tracker.store.entry), on the SHIPPED
data: the facts below are the v2 files' (entities.csv, entry_citations.csv, removals.csv), read
here from the committed inputs where a count is asserted."""

from __future__ import annotations

import csv
import io
import json

import pytest
from page_helpers import run_page, table_with, text_of

from tracker import schema
from tracker.present import entry as present
from tracker.store import entry as store

SMIC, ZHIPU_ATLAS, REMOVED, METEOR = "EL-0882", "EL-0307", "EL-3412", "EL-2477"


def links_of(app) -> str:
    return "\n".join(m.value for m in app.markdown) + "\n".join(c.value for c in app.caption)


def test_knowledge_atlas_entry_shows_its_alias_and_its_linked_citation(shipped_app) -> None:
    app = run_page("entry", id=ZHIPU_ATLAS)
    assert not app.exception and not app.error
    assert "Knowledge Atlas" in text_of(app)
    assert "[90 FR 4619](https://www.federalregister.gov/citation/90-FR-4619)" in links_of(app)
    assert "(rules?rule=2025-00704)" in links_of(app), "the rule's page on this dashboard"
    assert "(company?company=zhipu-ai)" in links_of(app)
    assert dict(app.query_params) == {"id": ZHIPU_ATLAS}


def test_smic_shows_its_listing_and_its_revision(shipped_app) -> None:
    app = run_page("entry", id=SMIC)
    assert not app.exception and not app.error
    text = text_of(app)
    assert "Semiconductor Manufacturing International Corporation (SMIC)" in text
    assert "Listed as of 2026-07-23" in text
    assert "2020-12-22 · added** · [85 FR 83420](https://www.federalregister.gov/citation/85-FR-83420)" \
        in links_of(app)
    assert "2024-12-05 · revised** · [89 FR 96836]" in links_of(app)
    timeline = table_with(app, "action", "citation_url", "rule_page")
    assert list(timeline["action"]) == ["added", "revised"]
    assert list(timeline["rule_page"]) == ["rules?rule=2020-28031", "rules?rule=2024-28267"]
    versions = table_with(app, "version_date", "match")
    assert len(versions) == 7, "in each of the seven versions of the list"


def test_a_removed_entry_opens_with_its_removal(shipped_app) -> None:
    app = run_page("entry", id=REMOVED)
    assert not app.exception and not app.error
    first = app.markdown[0].value.replace("\\", "")
    assert first.startswith("**Removed on 2023-11-17** under [88 FR 80131]")
    assert "How this is known: **stated**" in first and "removals.csv" in first
    assert "(rules?rule=2023-25557)" in first
    assert list(table_with(app, "action", "citation_url")["action"]) == ["added", "revised", "removed"]


@pytest.mark.parametrize("asked", ["EL-99999", "no such<b>entry</b>", "EL-0882' OR 1=1"])
def test_an_unknown_or_malformed_id_gets_a_notice_and_a_way_back(shipped_app, asked) -> None:
    app = run_page("entry", id=asked)
    assert not app.exception and not app.error
    assert len(app.info) == 1 and "There is no entry" in app.info[0].value
    assert "<b>" not in app.info[0].value, "the id is shown as text"
    links = [e for e in app.get("page_link")]
    assert links and "explorer" in links[0].proto.page


def test_an_id_is_read_whatever_its_case(shipped_app) -> None:
    app = run_page("entry", id="el-0882")
    assert not app.exception and "SMIC" in text_of(app)


# --- The store's answers and the downloads, from the shipped store ---

def test_store_questions_answer_by_id(db) -> None:
    assert store.entry(db, "EL-0882; DROP TABLE entities") is None
    assert store.entry(db, "EL-99999") is None
    data = store.entry_page(db, SMIC)
    assert data.entry["entity_id"] == SMIC and data.company["company_id"] == "smic"
    assert list(data.events["fr_citation"]) == ["85 FR 83420", "89 FR 96836"]
    removed = store.entry_page(db, REMOVED)
    assert removed.entry["status"] == "removed" and removed.removal_rule["rule_id"] == "2023-25557"
    assert list(removed.versions["version_id"]) == ["ecfr_2023-10-30"]


def test_events_of_every_entry_are_its_rows_in_events_csv(db, shipped_inputs) -> None:
    with open(shipped_inputs / "events.csv", encoding="utf-8") as handle:
        expected: dict[str, list[str]] = {}
        for row in csv.DictReader(handle):
            expected.setdefault(row["entity_id"], []).append(row["event_id"])
    for entity_id in (SMIC, ZHIPU_ATLAS, REMOVED, METEOR):
        assert sorted(store.entry_events(db, entity_id)["event_id"]) == sorted(expected[entity_id])


def test_csv_and_json_of_an_entry_hold_its_fields_and_every_action(db) -> None:
    data = store.entry_page(db, SMIC)
    rows = list(csv.DictReader(io.StringIO(present.entry_csv(data.entry, data.events).decode("utf-8-sig"))))
    assert [(r["entity_id"], r["event_action"], r["event_date"], r["event_fr_citation"]) for r in rows] == [
        (SMIC, "added", "2020-12-22", "85 FR 83420"), (SMIC, "revised", "2024-12-05", "89 FR 96836")]
    record = json.loads(present.entry_json(present.entry_record(data.entry, data.events, data.versions,
                                                                data.company)))
    assert record["entity_id"] == SMIC and record["company"]["company_id"] == "smic"
    assert [a["date"] for a in record["actions"]] == ["2020-12-22", "2024-12-05"]
    assert len(record["list_versions"]) == 7 and record["page"] == "entry?id=EL-0882"


# --- Links to the entry page, and the sources of response notes ---

def test_explorer_rows_open_their_entry_with_every_citation_shown(shipped_app) -> None:
    app = run_page("explorer", q="SMIC")
    assert not app.exception
    rows = table_with(app, "entry_page", "citations_page")
    smic = rows[rows["entity_id"] == SMIC].iloc[0]
    assert smic["entry_page"] == "entry?id=EL-0882"
    assert smic["citations_page"] == "entry?id=EL-0882#85 FR 83420; 89 FR 96836"
    assert (rows["entry_page"] == "entry?id=" + rows["entity_id"]).all()


def test_rule_and_company_rows_open_their_entry(shipped_app) -> None:
    rule = table_with(run_page("rules", rule="2025-00704"), "entry_page", "action")
    assert ZHIPU_ATLAS in set(rule["entity_id"])
    assert (rule["entry_page"] == "entry?id=" + rule["entity_id"]).all()
    company = run_page("company", company="smic")
    entries = table_with(company, "entry_page", "citations_page")
    assert (entries["entry_page"] == "entry?id=" + entries["entity_id"]).all()
    assert SMIC in set(entries["entity_id"])
    events = table_with(company, "entry_page", "citation_url", "event_id")
    assert events["citation_url"].str.startswith("https://www.federalregister.gov/citation/").all()


def responses_of(shipped_inputs) -> list[dict]:
    with open(shipped_inputs / "responses.csv", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_responses_filter_by_source_strength(shipped_app, shipped_inputs) -> None:
    expected = sum(r["source_kind"] in ("mirror", "aggregator") for r in responses_of(shipped_inputs))
    app = run_page("responses", source="mirror,aggregator")
    assert not app.exception
    assert app.header[0].value == f"{expected:,} notes"
    assert dict(app.query_params)["source"] == "mirror,aggregator"
    notes = [m.value for m in app.markdown if "Source:" in m.value]
    assert len(notes) == expected and all("*weak source: " in n for n in notes)


def test_each_note_shows_its_source_strength_and_source_note(shipped_app, shipped_inputs) -> None:
    rows = [r for r in responses_of(shipped_inputs) if r["company_id"] == "zhipu-ai"]
    app = run_page("company", company="zhipu-ai")
    notes = [m.value.replace("\\", "") for m in app.markdown if "Source:" in m.value]
    assert len(notes) == len(rows)
    with_note = [r for r in rows if r["source_note"]]
    for row in with_note:
        assert any(f"about this source: {row['source_note']}" in n for n in notes), row["source_note"]
    for row in rows:
        label = schema.SOURCE_KIND_LABELS[row["source_kind"]]
        assert any(row["title"] in n and label in n for n in notes), row["title"]


def test_responses_for_a_company_link_its_entries(shipped_app) -> None:
    app = run_page("responses", company="smic")
    assert "[EL-0882](entry?id=EL-0882)" in links_of(app)


def test_an_action_with_no_rule_recorded_says_so_without_a_rule_link(shipped_app) -> None:
    app = run_page("entry", id=METEOR)  # 87 FR 34136 of 2022-06-06: no rule recorded for it
    line = next(m.value for m in app.markdown if "87 FR 34136" in m.value and "2022-06-06" in m.value)
    revision = next(part for part in line.split("\n") if "87 FR 34136" in part)
    assert "*rule not recorded*" in revision and "rule page" not in revision


def test_the_rules_table_links_each_rules_citation(shipped_app) -> None:
    rules = table_with(run_page("rules"), "citation_url", "title")
    cited = rules[rules["fr_citation"].notna()]
    assert len(cited) and cited["citation_url"].str.startswith("https://www.federalregister.gov/citation/").all()


def test_presenter_mode_keeps_the_entry_in_the_link(shipped_app) -> None:
    app = run_page("entry", id=SMIC, present="1")
    assert not app.exception and "SMIC" in text_of(app)
    assert dict(app.query_params) == {"id": SMIC, "present": "1"}


def test_an_undated_removal_says_so(shipped_app) -> None:
    # Sandvine (EL-3413): removed by a BIS press release of 2024 that gives no Federal Register date.
    app = run_page("entry", id="EL-3413")
    first = app.markdown[0].value.replace("\\", "")
    assert first.startswith("**Removed, on a date no source gives** (in 2024) under ")
    assert "(rules?rule=2024-10-21-BIS-press-release)" in first and "How this is known: **stated**" in first
    assert first.count("Commerce Removes Sandvine") == 1, "the rule is named once"
