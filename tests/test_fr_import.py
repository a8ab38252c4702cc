"""Importing a Federal Register rule (API JSON) and the Consolidated Screening List (CSV export)."""

from __future__ import annotations

import csv
import json

import pytest
from editor_fixtures import (
    FIXTURES,
    assert_clear_error,
    copy_of_inputs,
    read_csv,
    run_cli,
    small_data,
    tree_hashes,
    write_csv,
)

from tracker.editing import saves
from tracker.importers.federal_register import SourceError, import_rule, rule_from_fr_json
from tracker.importers.screening_list import import_csl
from tracker.inputs.validate import validate_dir

RULE_JSON = FIXTURES / "fr_rule_2025-00704.json"
CSL = FIXTURES / "csl_sample.csv"


def document() -> dict:
    return json.loads(RULE_JSON.read_text(encoding="utf-8"))


def rows(paths, table: str) -> list[dict[str, str]]:
    return read_csv(paths.inputs / f"{table}.csv")[1]


def audit(paths) -> list[dict]:
    return [json.loads(line) for line in (paths.history / "audit.log").read_text().splitlines()]


# --- Federal Register rule documents ---

def test_a_document_maps_to_a_rules_row():
    doc = document()

    row = rule_from_fr_json(doc)

    assert row["rule_id"] == row["document_number"] == doc["document_number"]
    assert row["publication_date"] == doc["publication_date"]
    assert row["fr_citation"] == doc["citation"]
    assert (row["title"], row["summary"]) == (doc["title"], doc["abstract"])
    assert row["url"] == row["sources"] == doc["html_url"]
    assert row["scope"] == "entity_list_change"
    assert row["actions"] == "add;revise"  # "Addition of Entities to and Revision of Entry ..."
    assert all(row[c] == "" for c in ("entities_added", "entries_added", "country_counts"))


def test_counts_are_taken_only_when_the_document_gives_them():
    row = rule_from_fr_json({**document(), "entities_added": 11, "country_counts": "China:11"})

    assert (row["entities_added"], row["country_counts"]) == ("11", "China:11")
    assert row["counts_source"]


def test_missing_required_fields_are_named():
    with pytest.raises(SourceError, match="missing required field.*document_number, publication_date"):
        rule_from_fr_json(json.loads((FIXTURES / "fr_rule_missing_fields.json").read_text()))


def test_a_bad_field_is_named_by_its_json_name():
    with pytest.raises(SourceError, match="field 'citation': '90FR4617' is not a Federal Register citation"):
        rule_from_fr_json({**document(), "citation": "90FR4617"})


def test_a_new_rule_is_appended_once(tmp_path):
    paths = small_data(tmp_path, drop_rules=("2025-00704",))
    before = rows(paths, "rules")

    dry = import_rule(paths, RULE_JSON, apply=False)
    assert [o.status for o in dry.outcomes] == ["new"] and dry.saved is None
    assert rows(paths, "rules") == before

    applied = import_rule(paths, RULE_JSON, apply=True, editor="ann")
    again = import_rule(paths, RULE_JSON, apply=True, editor="ann")

    after = rows(paths, "rules")
    assert after[:-1] == before and after[-1]["rule_id"] == "2025-00704"
    assert applied.saved.published and applied.saved.files[0].history_file.exists()
    assert [o.status for o in again.outcomes] == ["unchanged"] and again.saved is None
    assert [(e["action"], e["file"], e["added"]) for e in audit(paths)] == [("import-rule", "rules.csv", 1)]


def test_a_rule_already_present_is_updated_not_added_twice(tmp_path):
    paths = copy_of_inputs(tmp_path)
    count = len(rows(paths, "rules"))
    existing = next(r for r in rows(paths, "rules") if r["rule_id"] == "2025-00704")

    report = import_rule(paths, RULE_JSON, apply=True)

    [outcome] = report.outcomes
    assert outcome.status == "updated"
    # The rule row already says everything the document does, except that the document is a source.
    assert [c for c, _, _ in outcome.changes] == ["sources"]
    updated = next(r for r in rows(paths, "rules") if r["rule_id"] == "2025-00704")
    assert updated["sources"] == existing["sources"] + " | " + document()["html_url"]
    assert len(rows(paths, "rules")) == count
    assert validate_dir(paths.inputs).ok


def test_cli_import_rule_reports_and_writes_only_with_apply(tmp_path):
    paths = small_data(tmp_path, drop_rules=("2025-00704",))
    before = tree_hashes(paths.root)

    dry = run_cli(paths, "import-rule", RULE_JSON)
    assert dry.returncode == 0, dry.stderr
    assert "new rule 2025-00704" in dry.stdout and "dry run: nothing was written" in dry.stdout
    assert tree_hashes(paths.root) == before

    applied = run_cli(paths, "import-rule", RULE_JSON, "--apply", "--editor", "ann")
    assert applied.returncode == 0, applied.stderr
    assert "saved rules.csv: 1 added" in applied.stdout
    assert rows(paths, "rules")[-1]["rule_id"] == "2025-00704"


@pytest.mark.parametrize("fixture,words", [
    ("fr_rule_malformed.json", ("fr_rule_malformed.json:6:1:", "not valid JSON")),
    ("fr_rule_missing_fields.json", ("fr_rule_missing_fields.json:", "document_number, publication_date")),
])
def test_cli_import_rule_of_a_bad_file_is_a_clear_error_and_writes_nothing(tmp_path, fixture, words):
    paths = copy_of_inputs(tmp_path)
    before = tree_hashes(paths.root)

    result = run_cli(paths, "import-rule", FIXTURES / fixture, "--apply")

    assert_clear_error(result, *words)
    assert tree_hashes(paths.root) == before


def test_cli_import_rule_of_a_json_list_of_strings_is_a_clear_error(tmp_path):
    paths = copy_of_inputs(tmp_path)
    bad = tmp_path / "odd.json"
    bad.write_text('["2025-00704"]')

    assert_clear_error(run_cli(paths, "import-rule", bad, "--apply"), "odd.json", "expected a JSON object")


# --- The Consolidated Screening List ---

def test_the_sample_gives_new_changed_unchanged_and_gone(tmp_path):
    paths = small_data(tmp_path)
    before = tree_hashes(paths.root)

    report = import_csl(paths, CSL, apply=False)

    assert (report.rows_read, report.entity_list_rows) == (7, 6)  # the SDN row is left out
    found = {f.status: sorted(x.entity_id or x.name for x in report.findings if x.status == f.status)
             for f in report.findings}
    assert found == {"unchanged": ["EL-0306", "EL-0307", "EL-1013", "EL-1850"], "changed": ["EL-0308"],
                     "new": ["EL-1851"], "gone": ["EL-0589"]}
    [changed] = [f for f in report.findings if f.status == "changed"]
    assert [c for c, _, _ in changed.changes] == ["address"]
    assert tree_hashes(paths.root) == before


def test_applying_adds_updates_and_marks_removed_but_never_deletes(tmp_path):
    paths = small_data(tmp_path)
    entities_before = {r["entity_id"]: r for r in rows(paths, "entities")}
    events_before = rows(paths, "events")

    report = import_csl(paths, CSL, apply=True, editor="ann")

    entities = {r["entity_id"]: r for r in rows(paths, "entities")}
    assert set(entities) == set(entities_before) | {"EL-1851"}
    assert entities["EL-1851"]["name"] == "Shanghai Zhipu Huanyu Technology Co., Ltd."
    assert entities["EL-1851"]["destination"] == "China"
    assert entities["EL-1851"]["address"].endswith("Shanghai, China")
    assert entities["EL-0308"]["address"].startswith("Room 306-5,")
    assert entities["EL-0589"] == entities_before["EL-0589"]
    new_events = {e["event_id"]: e for e in rows(paths, "events")[len(events_before):]}
    assert rows(paths, "events")[: len(events_before)] == events_before
    assert {k: (e["action"], e["derivation"]) for k, e in new_events.items()} == {
        "EL-1851-1": ("added", "screening list import"),
        "EL-0308-2": ("revised", "screening list import"),
        "EL-0589-2": ("removed", "screening list import")}
    # Two rules were printed that day (90 FR 4617 and 90 FR 4621); page 4619 falls in the first.
    added = new_events["EL-1851-1"]
    assert (added["date"], added["fr_citation"], added["rule_id"]) == ("2025-01-16", "90 FR 4619",
                                                                       "2025-00704")
    assert validate_dir(paths.inputs).ok
    assert report.saved.published
    assert {(e["file"], e["action"]) for e in audit(paths)} == {("entities.csv", "import-csl"),
                                                               ("events.csv", "import-csl")}
    assert len(saves.list_versions(paths, "entities")) == len(saves.list_versions(paths, "events")) == 1


def test_a_second_import_of_the_same_file_changes_nothing(tmp_path):
    paths = small_data(tmp_path)
    import_csl(paths, CSL, apply=True)
    before = tree_hashes(paths.inputs)

    again = import_csl(paths, CSL, apply=True)

    assert {f.status for f in again.findings} == {"unchanged"} and len(again.findings) == 6
    assert again.saved is None
    assert tree_hashes(paths.inputs) == before


def test_an_entry_is_matched_by_an_alias(tmp_path):
    paths = small_data(tmp_path)
    header, sample = read_csv(CSL)
    by_alias = [{**r, "name": "Zhipu AI", "alt_names": "Beijing Knowledge Atlas Technology Co., Ltd."}
                for r in sample if r["name"].startswith("Beijing Zhipu Huazhang")]
    csl = tmp_path / "by_alias.csv"
    write_csv(csl, header, by_alias)

    report = import_csl(paths, csl, apply=False, partial=True)

    [finding] = report.findings
    assert finding.entity_id == "EL-0307" and finding.status == "changed"
    assert [c for c, _, _ in finding.changes] == ["aliases"]


def test_an_entry_under_another_destination_is_a_new_entry(tmp_path):
    paths = small_data(tmp_path)
    header, sample = read_csv(CSL)
    moved = [{**r, "addresses": r["addresses"].replace(", CN", ", HK").replace(", RU", ", DE")}
             for r in sample if r["name"] == "3DiVi OOO"]
    csl = tmp_path / "moved.csv"
    write_csv(csl, header, moved)

    [finding] = import_csl(paths, csl, apply=False, partial=True).findings

    assert (finding.status, finding.destination) == ("new", "Germany")


def test_a_file_missing_most_of_the_list_is_not_applied_without_partial(tmp_path):
    paths = copy_of_inputs(tmp_path)
    before = tree_hashes(paths.root)

    with pytest.raises(SourceError, match="would be marked removed; nothing was written"):
        import_csl(paths, CSL, apply=True)

    assert tree_hashes(paths.root) == before


def test_cli_import_csl_dry_run_then_apply(tmp_path):
    paths = small_data(tmp_path)
    before = tree_hashes(paths.root)

    dry = run_cli(paths, "import-csl", CSL)
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.splitlines()[0] == ("csl_sample.csv: 7 rows, 6 from the Entity List: "
                                          "1 new, 1 changed, 4 unchanged, 1 gone")
    assert tree_hashes(paths.root) == before

    applied = run_cli(paths, "import-csl", CSL, "--apply", "--editor", "ann")
    assert applied.returncode == 0, applied.stderr
    assert "saved entities.csv: 1 added, 0 removed, 1 changed" in applied.stdout
    assert "saved events.csv: 3 added" in applied.stdout


def test_cli_import_csl_partial_reports_nothing_gone_on_the_full_list(tmp_path):
    paths = copy_of_inputs(tmp_path)

    result = run_cli(paths, "import-csl", CSL, "--partial")

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0].endswith("1 changed, 5 unchanged")


@pytest.mark.parametrize("make,words", [
    (lambda tmp: FIXTURES / "csl_missing_columns.csv",
     ("csl_missing_columns.csv:1:", "missing column(s) addresses, federal_register_notice")),
    (lambda tmp: _write(tmp / "quote.csv", CSL.read_text(encoding="utf-8") + 'x,"Entity List\n'),
     ("quote.csv:9:", "cannot read this record")),
    (lambda tmp: _write(tmp / "short.csv", CSL.read_text(encoding="utf-8") + "x,y\n"),
     ("short.csv:9:", "row has 2 fields; expected 29")),
    (lambda tmp: _write_bytes(tmp / "latin1.csv", CSL.read_bytes() + "x,Soci\xe9t\xe9\n".encode("latin-1")),
     ("latin1.csv:9:", "not UTF-8")),
])
def test_cli_import_csl_of_a_bad_file_is_a_clear_error_and_writes_nothing(tmp_path, make, words):
    paths = small_data(tmp_path)
    before = tree_hashes(paths.root)

    result = run_cli(paths, "import-csl", make(tmp_path), "--apply")

    assert_clear_error(result, *words)
    assert tree_hashes(paths.root) == before


def test_cli_import_of_a_missing_file_is_a_clear_error(tmp_path):
    paths = small_data(tmp_path)

    assert_clear_error(run_cli(paths, "import-csl", tmp_path / "none.csv"), "none.csv", "no such file")
    assert_clear_error(run_cli(paths, "import-rule", tmp_path / "none.json"), "none.json", "no such file")


def _write(path, text: str):
    path.write_text(text, encoding="utf-8")
    return path


def _write_bytes(path, data: bytes):
    path.write_bytes(data)
    return path


def test_the_csl_fixture_has_the_full_export_header():
    with open(CSL, encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle))
    assert header[:3] == ["_id", "source", "entity_number"] and header[-1] == "ids" and len(header) == 29
