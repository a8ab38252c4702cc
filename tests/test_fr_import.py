"""Importing a Federal Register rule (API JSON) and the Consolidated Screening List (CSV export).

The data folders, the rule documents and the screening list exports are made by the test
factory (tests/factory.py) from its own rows; tests/fixtures/ holds the broken files (and the
export header the factory's exports follow).
"""

from __future__ import annotations

import csv
import json

import factory as made
import pytest
from editor_fixtures import FIXTURES, assert_clear_error, read_csv, run_cli, tree_hashes, write_csv

from tracker.editing import saves
from tracker.importers.federal_register import SourceError, import_rule, rule_from_fr_json
from tracker.importers.screening_list import import_csl
from tracker.inputs.validate import validate_dir

RULE_JSON = FIXTURES / "fr_rule_2025-00704.json"  # a real document, for the mapping of its fields
CSL = FIXTURES / "csl_sample.csv"  # the real export header; broken copies of it are made below


def document() -> dict:
    return json.loads(RULE_JSON.read_text(encoding="utf-8"))


def write_json(path, data) -> object:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


@pytest.fixture
def paths(tmp_path):
    """The factory's data folder (no store yet), beside the files a test writes."""
    return made.write_inputs(tmp_path / "data")


@pytest.fixture
def new_rule(tmp_path):
    """A document of a rule the factory's rules.csv does not hold."""
    return write_json(tmp_path / "new_rule.json", made.NEW_RULE_DOCUMENT)


@pytest.fixture
def sample(tmp_path):
    """The factory's screening list export: one entry gone, one changed, one new, one of another list."""
    return made.csl_export(tmp_path / "csl_sample.csv")


def rows(paths, table: str) -> list[dict[str, str]]:
    return read_csv(paths.inputs / f"{table}.csv")[1]


def audit(paths) -> list[dict]:
    return [json.loads(line) for line in (paths.backups / "audit.log").read_text().splitlines()]


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


def test_a_new_rule_is_appended_once(paths, new_rule):
    before = rows(paths, "rules")

    dry = import_rule(paths, new_rule, apply=False)
    assert [o.status for o in dry.outcomes] == ["new"] and dry.saved is None
    assert rows(paths, "rules") == before

    applied = import_rule(paths, new_rule, apply=True, editor="ann")
    again = import_rule(paths, new_rule, apply=True, editor="ann")

    after = rows(paths, "rules")
    assert after[:-1] == before and after[-1]["rule_id"] == made.NEW_RULE
    assert after[-1]["actions"] == "add;revise" and after[-1]["fr_citation"] == "90 FR 70001"
    assert applied.saved.published and applied.saved.files[0].backup_file.exists()
    assert [o.status for o in again.outcomes] == ["unchanged"] and again.saved is None
    assert [(e["action"], e["file"], e["added"]) for e in audit(paths)] == [("import-rule", "rules.csv", 1)]


def test_a_rule_already_present_is_updated_not_added_twice(paths, tmp_path):
    count = len(rows(paths, "rules"))
    existing = next(r for r in rows(paths, "rules") if r["rule_id"] == made.LUMEN_RULE)
    doc = made.fr_document(made.LUMEN_RULE)
    file = write_json(tmp_path / "lumen_rule.json", doc)

    report = import_rule(paths, file, apply=True)

    [outcome] = report.outcomes
    assert outcome.status == "updated"
    # The rule row already says everything the document does, except that the document is a source.
    assert [c for c, _, _ in outcome.changes] == ["sources"]
    updated = next(r for r in rows(paths, "rules") if r["rule_id"] == made.LUMEN_RULE)
    assert updated == {**existing, "sources": existing["sources"] + " | " + doc["html_url"]}
    assert len(rows(paths, "rules")) == count
    assert validate_dir(paths.inputs).ok
    before = tree_hashes(paths.root)
    again = import_rule(paths, file, apply=True)
    assert [o.status for o in again.outcomes] == ["unchanged"] and again.saved is None
    assert tree_hashes(paths.root) == before


def test_a_document_corrects_what_the_row_says_differently(paths, tmp_path):
    doc = {**made.fr_document(made.LUMEN_RULE), "title": "Additions of Lumen Huazhi and Six Affiliates"}

    [outcome] = import_rule(paths, write_json(tmp_path / "corrected.json", doc), apply=True).outcomes

    assert [c for c, _, _ in outcome.changes] == ["title", "sources"]
    updated = next(r for r in rows(paths, "rules") if r["rule_id"] == made.LUMEN_RULE)
    assert updated["title"] == doc["title"]


def test_cli_import_rule_reports_and_writes_only_with_apply(paths, new_rule):
    before = tree_hashes(paths.root)

    dry = run_cli(paths, "import-rule", new_rule)
    assert dry.returncode == 0, dry.stderr
    assert f"new rule {made.NEW_RULE}" in dry.stdout and "dry run: nothing was written" in dry.stdout
    assert tree_hashes(paths.root) == before

    applied = run_cli(paths, "import-rule", new_rule, "--apply", "--editor", "ann")
    assert applied.returncode == 0, applied.stderr
    assert "saved rules.csv: 1 added" in applied.stdout
    assert rows(paths, "rules")[-1]["rule_id"] == made.NEW_RULE


@pytest.mark.parametrize("fixture,words", [
    ("fr_rule_malformed.json", ("fr_rule_malformed.json:6:1:", "not valid JSON")),
    ("fr_rule_missing_fields.json", ("fr_rule_missing_fields.json:", "document_number, publication_date")),
])
def test_cli_import_rule_of_a_bad_file_is_a_clear_error_and_writes_nothing(paths, fixture, words):
    before = tree_hashes(paths.root)

    result = run_cli(paths, "import-rule", FIXTURES / fixture, "--apply")

    assert_clear_error(result, *words)
    assert tree_hashes(paths.root) == before


def test_cli_import_rule_of_a_json_list_of_strings_is_a_clear_error(paths, tmp_path):
    bad = tmp_path / "odd.json"
    bad.write_text('["2025-00704"]')

    assert_clear_error(run_cli(paths, "import-rule", bad, "--apply"), "odd.json", "expected a JSON object")


# --- The Consolidated Screening List ---

def test_the_sample_gives_new_changed_unchanged_and_gone(paths, sample):
    before = tree_hashes(paths.root)

    report = import_csl(paths, sample, apply=False)

    assert (report.rows_read, report.entity_list_rows) == (made.CSL_ROWS, made.CSL_EL_ROWS)  # not the SDN row
    found = {f.status: sorted(x.entity_id for x in report.findings if x.status == f.status)
             for f in report.findings}
    unchanged = sorted(e["entity_id"] for e in made.entities()
                       if e["entity_id"] not in (made.CSL_GONE, made.CSL_CHANGED))
    assert found == {"unchanged": unchanged, "changed": [made.CSL_CHANGED], "new": [made.CSL_NEW_ID],
                     "gone": [made.CSL_GONE]}
    assert len(unchanged) == made.CSL_UNCHANGED
    [changed] = [f for f in report.findings if f.status == "changed"]
    assert [c for c, _, _ in changed.changes] == ["address"]
    assert tree_hashes(paths.root) == before


def test_applying_adds_updates_and_marks_removed_but_never_deletes(paths, sample):
    entities_before = {r["entity_id"]: r for r in rows(paths, "entities")}
    events_before = rows(paths, "events")

    report = import_csl(paths, sample, apply=True, editor="ann")

    entities = {r["entity_id"]: r for r in rows(paths, "entities")}
    assert set(entities) == set(entities_before) | {made.CSL_NEW_ID}
    new = entities[made.CSL_NEW_ID]
    assert (new["name"], new["destination"]) == (made.CSL_NEW_NAME, made.CHINA)
    assert new["address"] == "8 Example Road, Shenzhen, China"
    assert entities[made.CSL_CHANGED]["address"] == "3 Example Road, Building 2, China"
    # A gone entry is kept, its text as it was; only its status says it was removed.
    assert entities[made.CSL_GONE] == {**entities_before[made.CSL_GONE], "status": "removed"}
    new_events = {e["event_id"]: e for e in rows(paths, "events")[len(events_before):]}
    assert rows(paths, "events")[: len(events_before)] == events_before
    assert {k: (e["action"], e["derivation"]) for k, e in new_events.items()} == {
        f"{made.CSL_NEW_ID}-1": ("added", "screening list import"),
        f"{made.CSL_CHANGED}-2": ("revised", "screening list import"),
        f"{made.CSL_GONE}-2": ("removed", "screening list import")}
    # Two rules were printed that day (90 FR 5001 and 90 FR 5029); page 5003 falls in the first.
    added = new_events[f"{made.CSL_NEW_ID}-1"]
    assert (added["date"], added["fr_citation"], added["rule_id"]) == (made.LUMEN_DAY, made.LUMEN_CITATION,
                                                                       made.LUMEN_RULE)
    assert validate_dir(paths.inputs).ok
    assert report.saved.published
    # The export is recorded as a version of the list too (issue 12, point 4).
    assert {(e["file"], e["action"]) for e in audit(paths)} == {("entities.csv", "import-csl"),
                                                               ("events.csv", "import-csl"),
                                                               ("list_versions.csv", "import-csl"),
                                                               ("version_rows.csv", "import-csl")}
    assert len(saves.list_versions(paths, "entities")) == len(saves.list_versions(paths, "events")) == 1


def test_a_second_import_of_the_same_file_changes_nothing(paths, sample):
    import_csl(paths, sample, apply=True)
    before = tree_hashes(paths.inputs)

    again = import_csl(paths, sample, apply=True)

    assert {f.status for f in again.findings} == {"unchanged"} and len(again.findings) == made.CSL_EL_ROWS
    assert again.saved is None
    assert tree_hashes(paths.inputs) == before


def test_an_entry_is_matched_by_an_alias(paths, tmp_path):
    entry = next(e for e in made.entities() if e["entity_id"] == made.ATLAS_ENTRY)
    by_alias = made.csl_row(entry, name=made.LUMEN_ALIAS, alt_names="Beijing Star Atlas Technology Co., Ltd.")
    csl = made.csl_export(tmp_path / "by_alias.csv", [by_alias])

    report = import_csl(paths, csl, apply=False, partial=True)

    [finding] = report.findings
    assert finding.entity_id == made.ATLAS_ENTRY and finding.status == "changed"
    assert [c for c, _, _ in finding.changes] == ["aliases"]


def test_an_entry_under_another_destination_is_a_new_entry(paths, tmp_path):
    entry = next(e for e in made.entities() if e["destination"] == made.RUSSIA)
    moved = made.csl_row(entry)
    moved["addresses"] = moved["addresses"].replace(", RU", ", DE")
    csl = made.csl_export(tmp_path / "moved.csv", [moved])

    [finding] = import_csl(paths, csl, apply=False, partial=True).findings

    assert (finding.status, finding.destination) == ("new", "Germany")


def test_a_file_missing_most_of_the_list_is_not_applied_without_partial(paths, tmp_path):
    lumen = [made.csl_row(e) for e in made.entities() if e["company_id"] == made.LUMEN]
    csl = made.csl_export(tmp_path / "lumen_only.csv", lumen)
    before = tree_hashes(paths.root)

    with pytest.raises(SourceError, match="would be marked removed; nothing was written"):
        import_csl(paths, csl, apply=True)

    assert tree_hashes(paths.root) == before
    gone = made.ENTRIES - len(lumen)
    assert import_csl(paths, csl, apply=False).count("gone") == gone


def test_cli_import_csl_dry_run_then_apply(paths, sample):
    before = tree_hashes(paths.root)

    dry = run_cli(paths, "import-csl", sample)
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.splitlines()[0] == (
        f"csl_sample.csv: {made.CSL_ROWS} rows, {made.CSL_EL_ROWS} from the Entity List: "
        f"1 new, 1 changed, {made.CSL_UNCHANGED} unchanged, 1 gone")
    assert tree_hashes(paths.root) == before

    applied = run_cli(paths, "import-csl", sample, "--apply", "--editor", "ann")
    assert applied.returncode == 0, applied.stderr
    assert "saved entities.csv: 1 added, 0 removed, 2 changed" in applied.stdout
    assert "saved events.csv: 3 added" in applied.stdout


def test_cli_import_csl_partial_reports_nothing_gone(paths, sample):
    result = run_cli(paths, "import-csl", sample, "--partial")

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0].endswith(f"1 new, 1 changed, {made.CSL_UNCHANGED} unchanged")


def broken_copy(tmp, name: str, tail: bytes):
    path = tmp / name
    path.write_bytes(CSL.read_bytes() + tail)
    return path


CSL_LINES = len(CSL.read_bytes().splitlines())


@pytest.mark.parametrize("make,words", [
    (lambda tmp: FIXTURES / "csl_missing_columns.csv",
     ("csl_missing_columns.csv:1:", "missing column(s) addresses, federal_register_notice")),
    (lambda tmp: broken_copy(tmp, "quote.csv", b'x,"Entity List\n'),
     (f"quote.csv:{CSL_LINES + 1}:", "cannot read this record")),
    (lambda tmp: broken_copy(tmp, "short.csv", b"x,y\n"),
     (f"short.csv:{CSL_LINES + 1}:", "row has 2 fields; expected 29")),
    (lambda tmp: broken_copy(tmp, "latin1.csv", "x,Soci\xe9t\xe9\n".encode("latin-1")),
     (f"latin1.csv:{CSL_LINES + 1}:", "not UTF-8")),
])
def test_cli_import_csl_of_a_bad_file_is_a_clear_error_and_writes_nothing(paths, tmp_path, make, words):
    before = tree_hashes(paths.root)

    result = run_cli(paths, "import-csl", make(tmp_path), "--apply")

    assert_clear_error(result, *words)
    assert tree_hashes(paths.root) == before


def test_cli_import_of_a_missing_file_is_a_clear_error(paths, tmp_path):
    assert_clear_error(run_cli(paths, "import-csl", tmp_path / "none.csv"), "none.csv", "no such file")
    assert_clear_error(run_cli(paths, "import-rule", tmp_path / "none.json"), "none.json", "no such file")


def test_the_factorys_exports_have_the_full_export_header(tmp_path):
    with open(CSL, encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle))
    assert header[:3] == ["_id", "source", "entity_number"] and header[-1] == "ids" and len(header) == 29
    assert made.CSL_HEADER == header
    header_of_made, _ = read_csv(made.csl_export(tmp_path / "made.csv"))
    assert header_of_made == header


def test_an_export_written_by_hand_reads_as_the_factorys(paths, tmp_path):
    # write_csv (the editor helpers' writer) and the factory's writer agree on the format.
    header, rows_written = read_csv(made.csl_export(tmp_path / "made.csv"))
    write_csv(tmp_path / "again.csv", header, rows_written)
    report = import_csl(paths, tmp_path / "again.csv", apply=False)
    assert report.count("unchanged") == made.CSL_UNCHANGED
