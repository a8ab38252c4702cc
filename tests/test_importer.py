"""The importer of the shared source files (version 2, ../shared/data/v2; moments from version 1):
facts carry over, links say how they were made, nothing is dropped silently, and the committed inputs
are exactly what it writes.

Expected values are read from the shared CSVs here with the csv module, never through the
importer's own code.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

import pytest

from tracker import schema
from tracker.config import shared_data_dir
from tracker.importers.shared import MINTED_IDS, PROFILE_SECTORS, ImportReport, import_shared
from tracker.inputs.validate import validate_dir

V2 = shared_data_dir() / "v2"

ZHIPU_ENTRIES = ["EL-0306", "EL-0307", "EL-0308", "EL-0309", "EL-0589", "EL-0963", "EL-1013"]


def read_rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, ImportReport]:
    """The inputs written by one import of the shared data (version 2), and the importer's report."""
    assert V2.is_dir(), f"{V2} is missing: set TRACKER_SHARED_DATA to the shared data folder"
    dest = tmp_path_factory.mktemp("imported") / "inputs"
    return dest, import_shared(V2, dest)


@pytest.fixture(scope="module")
def out(imported) -> dict[str, list[dict[str, str]]]:
    """The imported inputs, read back as rows."""
    dest, _ = imported
    return {t.name: read_rows(dest / t.filename) for t in schema.TABLES}


@pytest.fixture(scope="module")
def source() -> dict[str, list[dict[str, str]]]:
    rows = {name: read_rows(V2 / f"{name}.csv")
            for name in ("entities", "fr_rules", "companies", "responses", "removals")}
    rows["moments"] = read_rows(V2.parent / "moments.csv")  # version 2 has no moments file
    return rows


def listed(out) -> list[dict[str, str]]:
    return [e for e in out["entities"] if e["status"] == schema.LISTED]


def test_every_entry_and_destination_is_imported(out, source) -> None:
    assert len(source["entities"]) == 3411
    assert len({r["country"] for r in source["entities"]}) == 91
    assert len(listed(out)) == len(source["entities"])
    assert [e["entity_id"] for e in listed(out)] == [e["entity_id"] for e in source["entities"]]
    assert len({e["destination"] for e in listed(out)}) == 91
    names = {e["entity_id"]: e["name"] for e in listed(out)}
    assert names == {e["entity_id"]: e["name"] for e in source["entities"]}
    for column, copied in (("license_review_policy", "license_review_policy"),
                           ("license_requirement", "license_requirement"), ("notes", "qa_flag")):
        assert {e["entity_id"]: e[column] for e in listed(out)} == {
            e["entity_id"]: e[copied] for e in source["entities"]}, column


def test_removed_entries_keep_the_ids_minted_for_them(out, source) -> None:
    removed = {e["entity_id"]: e for e in out["entities"] if e["status"] == schema.REMOVED}
    assert sorted(removed) == sorted(MINTED_IDS.values()) == ["EL-3412", "EL-3413", "EL-3414", "EL-3415"]
    for (destination, name), entity_id in MINTED_IDS.items():
        named = [r for r in source["removals"] if (r["destination"], r["entity_name"]) == (destination, name)]
        assert named, name
        assert removed[entity_id]["destination"] == destination


def test_report_counts_what_was_written(imported, out) -> None:
    _, report = imported
    assert report.counts == {name: len(rows) for name, rows in out.items()}


def test_each_entry_is_added_at_its_first_listing(out, source) -> None:
    added = {e["entity_id"]: e for e in out["events"] if e["action"] == "added"}
    assert set(added) == {e["entity_id"] for e in out["entities"]}
    for entry in source["entities"]:
        event = added[entry["entity_id"]]
        assert event["fr_citation"] == entry["first_listed_fr"], entry["entity_id"]
        assert event["year"] == entry["first_listed_year"], entry["entity_id"]
        if entry["first_listed_date"]:
            assert event["date"] == entry["first_listed_date"], entry["entity_id"]
        elif event["date"]:
            # The source table missed a few dates that its raw citation text does give (m/d/yy).
            year, month, day = (int(p) for p in event["date"].split("-"))
            assert f"{month}/{day}/{year % 100:02d}" in entry["fr_citations"], entry["entity_id"]


def test_zhipu_and_its_six_affiliates_are_listed_on_16_january_2025(out, source) -> None:
    profile = next(c for c in source["companies"] if c["company_id"] == "zhipu-ai")
    assert profile["el_entity_ids"].split(";") == ZHIPU_ENTRIES
    rule = re.search(r"rule (\d{4}-\d{5})", profile["el_listing_events"]).group(1)

    linked = sorted(e["entity_id"] for e in out["entities"] if e["company_id"] == "zhipu-ai")
    assert linked == ZHIPU_ENTRIES
    for entity_id in ZHIPU_ENTRIES:
        events = [e for e in out["events"] if e["entity_id"] == entity_id]
        assert [(e["action"], e["date"], e["fr_citation"], e["rule_id"]) for e in events] == [
            ("added", "2025-01-16", "90 FR 4619", rule)]


def test_huawei_affiliates_are_linked_and_say_how(out, source) -> None:
    named = {e["entity_id"] for e in source["entities"] if re.search(r"\bhuawei\b", e["name"], re.I)}
    assert len(named) > 100
    by_id = {e["entity_id"]: e for e in out["entities"]}
    parent = next(c for c in source["companies"] if c["company_id"] == "huawei")["el_entity_ids"]
    for entity_id in named:
        entity = by_id[entity_id]
        assert entity["company_id"] == "huawei", entity_id
        if entity_id in parent.split(";"):
            assert "named in the profile source" in entity["company_link"]
        else:
            assert entity["company_link"] == "name contains 'Huawei'", entity_id
    # Every link, to any profile, says how it was made.
    assert all(e["company_link"] for e in out["entities"] if e["company_id"])
    assert not any(e["company_link"] for e in out["entities"] if not e["company_id"])


def test_every_response_is_placed_or_reported(imported, out, source) -> None:
    _, report = imported
    placed = {r["response_id"] for r in out["responses"]}
    unplaced = {re.search(r"r-\d+", line).group(0) for line in report.unplaced}
    assert placed.isdisjoint(unplaced)
    assert placed | unplaced == {r["response_id"] for r in source["responses"]}
    assert len(placed) == 125
    company_of = {r["response_id"]: r["company_id"] for r in out["responses"]}
    for name, company_id in (("ZTE", "zte"), ("Xiaomi", "xiaomi"), ("BAAI", "baai"),
                             ("Positive Technologies", "positive-technologies")):
        ids = [r["response_id"] for r in source["responses"] if r["company"] == name]
        assert ids, name
        assert {company_of.get(i) for i in ids} == {company_id}, name


def test_response_facts_carry_over(out, source) -> None:
    written = {r["response_id"]: r for r in out["responses"]}
    for row in source["responses"]:
        if row["response_id"] in written:
            copy = written[row["response_id"]]
            for column in ("date", "category", "status", "title", "note", "source_name", "source_url",
                           "source_kind", "source_note"):
                assert copy[column] == row[column], (row["response_id"], column)


def test_companies_keep_their_local_names(out, source) -> None:
    local = {c["company_id"]: c["local_name"] for c in out["companies"]}
    assert local == {c["company_id"]: c["name_zh"] for c in source["companies"]}
    assert local["zhipu-ai"] == "智谱AI"


def test_every_profile_has_a_declared_sector_and_keeps_its_own_words(out, source) -> None:
    assert len(out["companies"]) == len(source["companies"]) == 32
    assert set(PROFILE_SECTORS) == {c["company_id"] for c in source["companies"]}
    detail = {c["company_id"]: c["sector"] for c in source["companies"]}
    for company in out["companies"]:
        assert company["sector"] in schema.SECTORS
        assert company["sector_detail"] == detail[company["company_id"]]


def test_rules_keep_dates_and_stated_counts(out, source) -> None:
    # The rules of fr_rules.csv, in its order, then the one removal whose rule was not found.
    assert len(out["rules"]) == len(source["fr_rules"]) + 1
    stated = {r["publication_date"]: r["stated_removed"] for r in read_rows(V2 / "removal_rules.csv")}
    for rule, row in zip(out["rules"], source["fr_rules"], strict=False):
        assert rule["publication_date"] == row["publication_date"]
        assert rule["fr_citation"] == row["fr_citation"]
        for column in ("entities_added", "entries_added", "entries_revised"):
            assert rule[column] == row[column], (rule["rule_id"], column)
        # A count of removals the research states as text ('3 (one each)') is not made a number;
        # the Federal Register summary's own numbers stay.
        as_text = not re.fullmatch(r"\d*", stated.get(row["publication_date"], ""))
        if as_text and row["counts_source"].startswith("removals research"):
            assert rule["entities_removed"] == "", rule["rule_id"]
        else:
            assert rule["entities_removed"] == row["entities_removed"], rule["rule_id"]


def test_moment_with_two_rules_keeps_both_citations(out) -> None:
    moment = next(m for m in out["moments"] if m["moment_id"] == "m-15")
    assert moment["fr_citations"] == "90 FR 4617; 90 FR 4621"


def test_imported_inputs_validate(imported) -> None:
    dest, _ = imported
    result = validate_dir(dest)
    assert [str(p) for p in result.problems] == []


def test_committed_inputs_equal_a_fresh_import(imported, shipped_inputs: Path) -> None:
    dest, _ = imported
    for table in schema.TABLES:
        assert (dest / table.filename).read_bytes() == (shipped_inputs / table.filename).read_bytes(), (
            f"data/inputs/{table.filename} differs from a fresh 'python -m tracker import'")


def test_company_links_use_profiles_that_exist(out) -> None:
    known = {c["company_id"] for c in out["companies"]}
    linked = Counter(e["company_id"] for e in out["entities"] if e["company_id"])
    assert set(linked) <= known
    assert linked["huawei"] > 100
