"""The Editor page with AppTest: the password gate, refusing a bad edit, publishing a good one."""

from __future__ import annotations

import csv
import json
import os
import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

PROJECT = Path(__file__).resolve().parents[1]
PASSWORD = "correct horse battery staple"


@pytest.fixture()
def data_dir(tmp_path, monkeypatch):
    shutil.copytree(PROJECT / "data" / "inputs", tmp_path / "inputs")
    monkeypatch.setenv("TRACKER_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("TRACKER_READ_ONLY", raising=False)
    monkeypatch.delenv("TRACKER_EPHEMERAL_DISK", raising=False)
    return tmp_path


def editor_page() -> AppTest:
    return AppTest.from_file(str(PROJECT / "app_pages" / "editor.py"), default_timeout=120)


def signed_in(name: str = "Test Editor") -> AppTest:
    app = editor_page().run()
    app.text_input(key="editor_name").set_value(name)
    app.text_input(key="editor_password_input").set_value(PASSWORD)
    app.button[0].click().run()
    assert not app.exception
    return app


def tree_hashes(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_without_a_password_configured_the_page_edits_nothing(data_dir, monkeypatch):
    monkeypatch.delenv("TRACKER_EDITOR_PASSWORD", raising=False)
    app = editor_page().run()
    assert not app.exception
    assert any("no editor password is configured" in i.value for i in app.info)
    assert not app.tabs and not app.data_editor and not app.text_input


def test_a_read_only_deployment_offers_no_editing(data_dir, monkeypatch):
    monkeypatch.setenv("TRACKER_EDITOR_PASSWORD", PASSWORD)
    monkeypatch.setenv("TRACKER_READ_ONLY", "1")
    app = editor_page().run()
    assert any("read-only" in i.value for i in app.info)
    assert not app.text_input and not app.tabs


def test_a_wrong_password_gives_nothing_and_attempts_are_limited(data_dir, monkeypatch):
    monkeypatch.setenv("TRACKER_EDITOR_PASSWORD", PASSWORD)
    app = editor_page().run()
    for _ in range(5):
        app.text_input(key="editor_password_input").set_value("guess")
        app.button[0].click().run()
        assert not app.tabs and not app.data_editor
    assert any("Too many wrong passwords" in e.value for e in app.error)
    assert not app.text_input, "no further tries are offered"


def test_an_edit_that_breaks_a_rule_is_refused_with_its_message(data_dir, monkeypatch):
    monkeypatch.setenv("TRACKER_EDITOR_PASSWORD", PASSWORD)
    before = tree_hashes(data_dir / "inputs")
    app = signed_in()
    app.selectbox(key="editor_table").set_value("rules").run()
    app.session_state["edit_rules_editor"] = {
        "edited_rows": {0: {"publication_date": "2025-02-30"}}, "added_rows": [], "deleted_rows": []}
    app.run()
    assert not app.exception
    messages = "\n".join(e.value for e in app.error)
    assert "problem(s)" in messages
    problems = next(d.value for d in app.dataframe if "problem" in d.value.columns)
    assert "'2025-02-30' is not a date" in " ".join(problems["problem"])
    assert set(problems["file"]) == {"rules.csv"}
    publish_buttons = [b for b in app.button if b.key and b.key.endswith("_publish")]
    assert not publish_buttons, "no publish while errors remain"
    assert tree_hashes(data_dir / "inputs") == before


def test_a_valid_edit_shows_its_diff_saves_keeps_history_and_the_overview_reflects_it(data_dir, monkeypatch):
    monkeypatch.setenv("TRACKER_EDITOR_PASSWORD", PASSWORD)
    with open(data_dir / "inputs" / "entities.csv", encoding="utf-8") as handle:
        entities = list(csv.DictReader(handle))
    destinations_before = len({e["destination"] for e in entities})
    assert entities[0]["entity_id"] == "EL-0001"

    app = signed_in("Ada")
    app.session_state["edit_entities_editor"] = {
        "edited_rows": {0: {"destination": "Atlantis"}}, "added_rows": [], "deleted_rows": []}
    app.run()
    assert not app.exception and not app.error
    assert any("1 changed" in m.value for m in app.markdown)
    diff = app.dataframe[1].value
    assert diff.to_dict("records") == [{"change": "changed", "key": "EL-0001", "column": "destination",
                                        "old": "Afghanistan", "new": "Atlantis"}]
    app.checkbox(key="edit_entities_confirm").check().run()
    app.button(key="edit_entities_publish").click().run()
    assert not app.exception
    assert any("store rebuilt" in s.value for s in app.success)

    with open(data_dir / "inputs" / "entities.csv", encoding="utf-8") as handle:
        saved = list(csv.DictReader(handle))
    assert saved[0]["destination"] == "Atlantis"
    history = list((data_dir / "backups" / "entities").glob("*.csv"))
    assert len(history) == 1
    with open(history[0], encoding="utf-8") as handle:
        assert next(csv.DictReader(handle))["destination"] == "Afghanistan"
    audit = [json.loads(line) for line in (data_dir / "backups" / "audit.log").read_text().splitlines()]
    assert audit[-1]["editor"] == "Ada"
    assert "entities" in json.dumps(audit[-1])

    overview = AppTest.from_file(str(PROJECT / "app_pages" / "overview.py"), default_timeout=120).run()
    metrics = {m.label: m.value for m in overview.metric}
    assert metrics["Destinations"] == str(destinations_before + 1)


def test_the_response_form_adds_a_note_that_the_company_page_shows(data_dir, monkeypatch):
    monkeypatch.setenv("TRACKER_EDITOR_PASSWORD", PASSWORD)
    app = signed_in()
    app.selectbox(key="response_company").set_value("zhipu-ai")
    app.text_input(key="response_date").set_value("2026-02-20")
    app.selectbox(key="response_category").set_value("public_statement")
    app.selectbox(key="response_status").set_value("announced")
    app.text_input(key="response_title").set_value("A note added by the editor test")
    app.text_area(key="response_note").set_value("Body of the note.")
    app.text_input(key="response_source_name").set_value("Example source")
    app.text_input(key="response_source_url").set_value("https://example.org/note")
    app.button(key="FormSubmitter:add_response-Add the note").click().run()
    assert not app.exception and not app.error

    company = AppTest.from_file(str(PROJECT / "app_pages" / "company.py"), default_timeout=120)
    company.query_params["company"] = "zhipu-ai"
    company.run()
    assert any("A note added by the editor test" in m.value for m in company.markdown)


def test_the_response_form_refuses_a_bad_date_and_writes_nothing(data_dir, monkeypatch):
    monkeypatch.setenv("TRACKER_EDITOR_PASSWORD", PASSWORD)
    before = tree_hashes(data_dir / "inputs")
    app = signed_in()
    app.text_input(key="response_date").set_value("2026-13-45")
    app.text_input(key="response_title").set_value("Title")
    app.text_area(key="response_note").set_value("Note")
    app.text_input(key="response_source_name").set_value("Source")
    app.text_input(key="response_source_url").set_value("https://example.org")
    app.button(key="FormSubmitter:add_response-Add the note").click().run()
    assert any("problem(s)" in e.value for e in app.error)
    problem_tables = [d.value for d in app.dataframe if "problem" in d.value.columns]
    assert "is not a date or a month" in " ".join(problem_tables[0]["problem"])
    assert tree_hashes(data_dir / "inputs") == before


def test_on_a_host_without_a_persistent_disk_the_page_offers_downloads_not_saves(data_dir, monkeypatch):
    monkeypatch.setenv("TRACKER_EDITOR_PASSWORD", PASSWORD)
    monkeypatch.setenv("TRACKER_EPHEMERAL_DISK", "1")
    app = signed_in()
    app.session_state["edit_entities_editor"] = {
        "edited_rows": {0: {"name": "Renamed"}}, "added_rows": [], "deleted_rows": []}
    app.run()
    assert any("does not keep files after a restart" in w.value for w in app.warning)
    assert not [b for b in app.button if b.key and b.key.endswith("_publish")]
    assert os.path.exists(data_dir / "inputs" / "entities.csv")
    assert not list(data_dir.glob("backups/**/*.csv")) and not (data_dir / "backups" / "audit.log").exists()
