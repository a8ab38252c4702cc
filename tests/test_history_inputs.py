"""The inputs of the list's history (issue 12.1): one event per citation of an entry's eCFR cell, removed
entries kept with their removal, a removal of parts of an entry that stays listed as a revision naming
them, rules with their stated removal counts, and the versions of the list with their rows.

Expected values are read from version 2 of the shared source files with the csv module here, never
through the importer; the shipped inputs (data/inputs) are what is checked.
"""

from __future__ import annotations

import csv
import re
import shutil
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from tracker import schema
from tracker.config import PROJECT_DIR, shared_data_dir
from tracker.filters import Filters
from tracker.inputs.validate import validate_dir
from tracker.store import queries

V2 = shared_data_dir() / "v2"
INPUTS = PROJECT_DIR / "data" / "inputs"
ZHIPU_ENTRIES = ["EL-0306", "EL-0307", "EL-0308", "EL-0309", "EL-0589", "EL-0963", "EL-1013"]
INDIAN_CENTRES = ["Bhabha Atomic Research Center (BARC)", "Indira Gandhi Atomic Research Center (IGCAR)",
                  "Indian Rare Earths"]


def read_rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def v2() -> dict[str, list[dict[str, str]]]:
    """Version 2 of the shared source files, as rows."""
    assert V2.is_dir(), f"{V2} is missing: set TRACKER_SHARED_DATA to the shared data folder"
    names = ("entities", "entry_citations", "fr_rules", "removal_rules", "removals")
    rows = {name: read_rows(V2 / f"{name}.csv") for name in names}
    rows["versions"] = read_rows(V2 / "list_versions" / "versions.csv")
    return rows


@pytest.fixture(scope="module")
def shipped() -> dict[str, list[dict[str, str]]]:
    """The shipped inputs, as rows."""
    return {t.name: read_rows(INPUTS / t.filename) for t in schema.TABLES}


def events_of(shipped, entity_id: str) -> list[dict[str, str]]:
    return sorted((e for e in shipped["events"] if e["entity_id"] == entity_id),
                  key=lambda e: int(e["event_id"].rpartition("-")[2]))


def cell_citations(cell: str) -> list[tuple[str, str]]:
    """(citation, ISO date or '') of each citation of a cell such as '85 FR 83420, 12/22/20; 89 FR 96836'."""
    out = []
    for part in cell.split("; "):
        match = re.fullmatch(r"(\d+ FR \d+)(?:, (\d+)/(\d+)/(\d\d))?", part.strip())
        assert match, part
        citation, month, day, year = match.groups()
        when = date(2000 + int(year) if int(year) < 50 else 1900 + int(year), int(month), int(day)) \
            if year else None
        out.append((citation, when.isoformat() if when else ""))
    return out


def fold(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


# --- Events of the entries on the list ---

def test_every_entry_has_one_event_per_citation_of_its_cell(v2, shipped):
    assert sum(len(cell_citations(e["fr_citations"])) for e in v2["entities"]) == 4807
    for entry in v2["entities"]:
        cited = cell_citations(entry["fr_citations"])
        events = events_of(shipped, entry["entity_id"])
        assert [(e["fr_citation"], e["date"]) for e in events] == cited, entry["entity_id"]
        assert [e["action"] for e in events] == ["added"] + ["revised"] * (len(cited) - 1), entry["entity_id"]
        for event, (citation, _) in zip(events, cited, strict=True):
            assert event["year"] == (event["date"][:4] or str(int(citation.split()[0]) + 1935))
            assert event["rule_id"] or schema.RULE_NOT_RECORDED in event["note"], event["event_id"]
            assert "entities.csv fr_citations" in event["evidence"], event["event_id"]


def test_screening_list_citations_are_kept_as_evidence_not_events(v2, shipped):
    extra: dict[str, list[str]] = {}
    for row in v2["entry_citations"]:
        if row["citation_source"].startswith("csl"):
            extra.setdefault(row["entity_id"], []).append(row["fr_citation"])
    assert sum(len(c) for c in extra.values()) == 128
    entities = {e["entity_id"]: e for e in shipped["entities"]}
    for entity_id, citations in extra.items():
        assert entities[entity_id]["screening_list_citations"].split("; ") == citations, entity_id
        assert not set(citations) & {e["fr_citation"] for e in events_of(shipped, entity_id)}, entity_id


def test_zhipu_and_its_six_affiliates_are_listed_on_16_january_2025_by_rule_2025_00704(v2, shipped):
    rule = next(r for r in v2["fr_rules"] if r["document_number"] == "2025-00704")
    assert (rule["publication_date"], rule["fr_citation"]) == ("2025-01-16", "90 FR 4617")
    for entity_id in ZHIPU_ENTRIES:
        events = events_of(shipped, entity_id)
        assert [(e["action"], e["date"], e["fr_citation"], e["rule_id"]) for e in events] == [
            ("added", "2025-01-16", "90 FR 4619", "2025-00704")], entity_id


def test_smic_is_added_in_december_2020_and_revised_in_december_2024(shipped):
    events = events_of(shipped, "EL-0882")
    assert [(e["action"], e["date"], e["fr_citation"]) for e in events] == [
        ("added", "2020-12-22", "85 FR 83420"), ("revised", "2024-12-05", "89 FR 96836")]


# --- Removals ---

def test_named_removals_are_removed_entries_with_their_removal_event(v2, shipped):
    parts = {r["entity_name"] for r in v2["removals"] if r["entity_name"] in INDIAN_CENTRES}
    assert parts == set(INDIAN_CENTRES)
    listed_ids = {e["entity_id"] for e in v2["entities"]}
    removed = [e for e in shipped["entities"] if e["status"] == schema.REMOVED]
    assert not {e["entity_id"] for e in removed} & listed_ids
    for removal in v2["removals"]:
        if removal["entity_name"] in parts:
            continue
        [entry] = [e for e in removed if e["destination"] == removal["destination"]
                   and fold(e["name"]) == fold(removal["entity_name"])]
        [event] = [e for e in events_of(shipped, entry["entity_id"]) if e["action"] == "removed"]
        assert event == events_of(shipped, entry["entity_id"])[-1]
        assert event["date"] == removal["publication_date"], removal["entity_name"]
        assert event["fr_citation"] == removal["rule_fr_citation"], removal["entity_name"]
        assert event["derivation"] == removal["confidence"], removal["entity_name"]
        if removal["rule_document_number"]:
            assert event["rule_id"] == removal["rule_document_number"], removal["entity_name"]
    assert len(removed) == len(v2["removals"]) - len(parts) == 4


def test_the_institute_of_forensic_science_is_removed_on_17_november_2023(shipped):
    [entry] = [e for e in shipped["entities"]
               if e["name"] == "Ministry of Public Security's Institute of Forensic Science of China"]
    assert (entry["status"], entry["destination"]) == (schema.REMOVED, "China")
    events = events_of(shipped, entry["entity_id"])
    assert [(e["action"], e["date"], e["fr_citation"], e["rule_id"], e["derivation"]) for e in events] == [
        ("added", "2020-06-05", "85 FR 34505", events[0]["rule_id"], "inferred"),
        ("revised", "2020-07-22", "85 FR 44161", events[1]["rule_id"], "inferred"),
        ("removed", "2023-11-17", "88 FR 80131", "2023-25557", "stated")]
    # Its text and citations are the Oct-2023 eCFR version's, the newest that holds it.
    [row] = [r for r in read_rows(V2 / "list_versions" / "ecfr_2023-10-30.csv")
             if r["name"] == entry["name"]]
    assert entry["fr_citations"] == "85 FR 34505; 85 FR 44161"
    assert cell_citations(row["fr_citations"]) == [("85 FR 34505", "2020-06-05"),
                                                   ("85 FR 44161", "2020-07-22")]


def test_removed_entries_get_new_ids_after_the_highest_in_use(v2, shipped):
    highest = max(int(e["entity_id"][3:]) for e in v2["entities"])
    removed = sorted(int(e["entity_id"][3:]) for e in shipped["entities"] if e["status"] == schema.REMOVED)
    assert removed == list(range(highest + 1, highest + 1 + len(removed)))
    assert all(re.fullmatch(r"EL-\d{4,7}", e["entity_id"]) for e in shipped["entities"])


def test_india_dae_stays_listed_with_a_revision_naming_the_three_centres(shipped):
    entry = next(e for e in shipped["entities"] if e["entity_id"] == "EL-1377")
    assert entry["status"] == schema.LISTED
    events = events_of(shipped, "EL-1377")
    assert schema.REMOVED not in {e["action"] for e in events}
    [revision] = [e for e in events if e["parts_removed"]]
    assert revision["parts_removed"].split(" | ") == INDIAN_CENTRES
    assert (revision["action"], revision["date"], revision["rule_id"], revision["derivation"]) == (
        "revised", "2025-01-16", "2025-00704", "stated")
    assert not any(fold(e["name"]) in {fold(n) for n in INDIAN_CENTRES} for e in shipped["entities"])


def test_sapfir_and_molot_oruzhie_are_listed_not_removed(shipped):
    entities = {e["entity_id"]: e for e in shipped["entities"]}
    for entity_id, name in (("EL-3410", "Sapfir"), ("EL-3411", "Molot-Oruzhie")):
        assert name in entities[entity_id]["name"]
        assert entities[entity_id]["status"] == schema.LISTED
        assert schema.REMOVED not in {e["action"] for e in events_of(shipped, entity_id)}


def test_every_removal_rule_keeps_its_stated_counts_on_its_rule(v2, shipped):
    assert len(v2["removal_rules"]) == 18
    rules = shipped["rules"]
    for stated in v2["removal_rules"]:
        # The same document, else the same first page, else the only rule of that day, else the title.
        for column, source in (("document_number", "rule_document_number"),
                               ("fr_citation", "rule_fr_citation"),
                               ("publication_date", "publication_date"), ("title", "title")):
            found = [r for r in rules if stated[source] and r[column] == stated[source]]
            if found:
                break
        [rule] = found
        for column, source in (("stated_removed", "stated_removed"), ("names_sourced", "names_sourced"),
                               ("names_stated", "names_stated"), ("names_inferred", "names_inferred"),
                               ("stated_removed_destinations", "stated_destinations")):
            assert rule[column] == stated[source], (stated["title"], column)
        assert rule["names_removed"].split(" | ") == [n.strip() for n in stated["names_found"].split(";")
                                                      if n.strip()] or not stated["names_found"]
        # The number only where the count is a plain number; '>=2 (title plural)' stays text.
        if re.fullmatch(r"\d+", stated["stated_removed"]):
            assert rule["entities_removed"] == stated["stated_removed"], stated["title"]
        elif not rule["counts_source"].startswith("FR summary"):
            assert rule["entities_removed"] == "", stated["title"]
    assert all(re.fullmatch(r"\d*", r["entities_removed"]) for r in rules)
    assert len(rules) == len(v2["fr_rules"]) + 1  # the Sandvine removal, whose rule was not found
    sandvine = next(r for r in rules if "Sandvine" in r["title"])
    assert (sandvine["publication_date"], sandvine["stated_removed"]) == ("", "1 entity")


# --- Versions of the list ---

def test_the_seven_versions_of_the_list_and_their_rows(v2, shipped):
    versions = {v["version_id"]: v for v in shipped["list_versions"]}
    assert len(versions) == 7
    counts: dict[str, int] = {}
    for row in shipped["version_rows"]:
        counts[row["version_id"]] = counts.get(row["version_id"], 0) + 1
    for stated in v2["versions"]:
        version = versions[stated["version_id"]]
        assert version["date"] == stated["version_date"]
        assert version["source_path"] == stated["source_path"]
        assert counts[stated["version_id"]] == int(stated["rows"]), stated["version_id"]
        source = read_rows(V2 / "list_versions" / f"{stated['version_id']}.csv")
        assert counts[stated["version_id"]] == len(source)


def test_version_rows_keep_the_match_to_todays_ids(v2, shipped):
    source = read_rows(V2 / "list_versions" / "csl_2026-07-31.csv")
    rows = [r for r in shipped["version_rows"] if r["version_id"] == "csl_2026-07-31"]
    assert [r["entity_ids"].split(" | ") if r["entity_ids"] else [] for r in rows] == [
        [i.strip() for i in s["entity_id_2026"].split(";") if i.strip()] for s in source]
    assert [r["name"] for r in rows] == [s["name"] for s in source]
    # The rows of a removed entry name the id it was given.
    forensic = next(e for e in shipped["entities"] if "Institute of Forensic Science" in e["name"])
    held = [r for r in shipped["version_rows"] if r["entity_ids"] == forensic["entity_id"]]
    assert [(r["version_id"], r["match"]) for r in held] == [("ecfr_2023-10-30", "removed_entry")]


def with_row(path: Path, cells: list[str]) -> None:
    with open(path, "a", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerow(cells)


def test_a_second_version_on_the_same_date_is_refused_unless_named_apart(tmp_path):
    shutil.copytree(INPUTS, tmp_path / "inputs")
    versions = tmp_path / "inputs" / "list_versions.csv"
    original = versions.read_bytes()
    header = original.decode().splitlines()[0].split(",")
    row = {"version_id": "ecfr_2023-11-21b", "date": "2023-11-21", "source_kind": "ecfr", "variant": "",
           "source": "eCFR text, another copy", "source_path": "example/repo@abc:file.xml",
           "date_meaning": "download date", "notes": "", "used_for": ""}
    with_row(versions, [row.get(c, "") for c in header])
    line = len(original.decode().splitlines()) + 1

    result = validate_dir(tmp_path / "inputs")

    [problem] = result.errors
    assert (problem.file, problem.line, problem.column_name) == ("list_versions.csv", line, "date")
    assert "2023-11-21" in problem.message and "variant" in problem.message
    versions.write_bytes(original)
    with_row(versions, [{**row, "variant": "second copy"}.get(c, "") for c in header])
    assert validate_dir(tmp_path / "inputs").ok


def test_a_removed_entry_needs_its_removal_event(tmp_path):
    shutil.copytree(INPUTS, tmp_path / "inputs")
    entities = (tmp_path / "inputs" / "entities.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    index = next(i for i, line in enumerate(entities) if line.startswith("EL-0001,"))
    assert ",entity,listed," in entities[index]
    entities[index] = entities[index].replace(",entity,listed,", ",entity,removed,")
    (tmp_path / "inputs" / "entities.csv").write_text("".join(entities), encoding="utf-8")

    result = validate_dir(tmp_path / "inputs")

    [problem] = result.errors
    assert (problem.file, problem.line, problem.column_name) == ("entities.csv", index + 1, "status")
    assert "no 'removed' event for EL-0001" in problem.message
    # The removal event first (a warning while the status says listed), then the status: valid.
    header = (tmp_path / "inputs" / "events.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
    event = {"event_id": "EL-0001-2", "entity_id": "EL-0001", "action": "removed", "date": "2026-01-05",
             "year": "2026", "derivation": "editor"}
    with_row(tmp_path / "inputs" / "events.csv", [event.get(c, "") for c in header])
    entities[index] = entities[index].replace(",entity,removed,", ",entity,listed,")
    (tmp_path / "inputs" / "entities.csv").write_text("".join(entities), encoding="utf-8")
    result = validate_dir(tmp_path / "inputs")
    assert result.ok and [(p.line, p.column_name) for p in result.warnings] == [(index + 1, "status")]


# --- The store ---

def test_the_store_counts_todays_list_and_finds_removed_entries_through_their_removals(db, shipped):
    listed = sum(e["status"] == schema.LISTED for e in shipped["entities"])
    assert listed == 3411
    assert queries.headline(db, 2025)["entries"] == listed
    assert queries.count_entries(db, Filters()) == listed
    removed = queries.entries(db, Filters(actions=(schema.REMOVED,)))
    expected = {e["entity_id"] for e in shipped["entities"] if e["status"] == schema.REMOVED}
    assert set(removed["entity_id"]) == expected
    forensic = removed[removed["name"].str.contains("Institute of Forensic Science")].iloc[0]
    assert (str(forensic["removed_date"])[:10], forensic["removed_rule_id"]) == ("2023-11-17", "2023-25557")
    assert queries.count_entries(db, Filters(query="forensic science")) == 0
    assert queries.count_entries(db, Filters(query="forensic science", actions=(schema.REMOVED,))) == 1


def test_version_entries_are_hashed_alike_when_they_differ_only_in_writing(db):
    fields = ("destination", "name", "aliases", "address", "fr_citations", "license_requirement",
              "license_review_policy")
    alike = " AND ".join(f"a.h_{f} = b.h_{f}" for f in fields)
    rows = db.execute(f"""
        SELECT {alike}, a.r_all = b.r_all, count(*) FROM version_entries a JOIN version_entries b
          ON a.entity_id = b.entity_id
         AND a.version_id = 'ecfr_2026-03-25' AND b.version_id = 'ecfr_2026-07-23'
        GROUP BY ALL""").fetchall()
    counts = {(same, written_alike): n for same, written_alike, n in rows}
    assert sum(counts.values()) == 3411
    assert (False, True) not in counts  # rows written alike are alike
    # Most read alike; 438 differ only in writing; 31 are changed (some by the name/alias/address split)
    assert (counts[(True, True)], counts[(True, False)], counts[(False, False)]) == (2942, 438, 31)
    counted = dict(db.execute("SELECT version_id, rows FROM list_versions").fetchall())
    assert counted["csl_2026-07-31"] == 3420


def test_removals_per_year_are_the_named_removals_and_the_rules_counts_without_names(db, shipped):
    named, counted = Counter(), Counter()
    for event in shipped["events"]:
        if event["action"] == "removed" and event["date"]:
            named[int(event["date"][:4])] += 1
    for rule in shipped["rules"]:
        unnamed = int(rule["entities_removed"] or 0) - int(rule["names_sourced"] or 0)
        if rule["publication_date"] and unnamed > 0:
            counted[int(rule["publication_date"][:4])] += unnamed
    found = queries.removals_over_time(db, Filters(), "year")
    by_kind = {kind: Counter({p.year: int(n) for p, n in zip(part["period"], part["removals"], strict=True)})
               for kind, part in found.groupby("kind")}
    assert by_kind == {queries.REMOVAL_NAMED: named, queries.REMOVAL_COUNT_ONLY: counted}
    assert sum(counted.values()) == 8 and sum(named.values()) == 3
    # A count has no entries to filter: with a destination only the named removals are given.
    china = queries.removals_over_time(db, Filters(destinations=("China",)), "year")
    assert set(china["kind"]) == {queries.REMOVAL_NAMED} and china["removals"].sum() == 2  # IFS, Hefei
    in_words = queries.removals_in_words(db)
    expected = {r["rule_id"] for r in shipped["rules"] if r["stated_removed"]
                and (not r["entities_removed"] or not r["publication_date"])}
    assert set(in_words["rule_id"]) == expected and "2024-10-21-BIS-press-release" in expected
