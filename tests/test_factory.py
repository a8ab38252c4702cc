"""The test factory (tests/factory.py) says of its rows what its rows hold, counted here with
plain Python: the other tests compare the code under test with these constants."""

from __future__ import annotations

from collections import Counter

import factory as made

from tracker import schema
from tracker.inputs.validate import validate_dir

ROWS = made.rows()


def by(table: str, column: str, value: str) -> list[dict[str, str]]:
    return [row for row in ROWS[table] if row[column] == value]


def test_the_factorys_inputs_validate(tmp_path):
    result = validate_dir(made.write_inputs(tmp_path).inputs)
    assert result.problems == []
    assert set(ROWS) == {t.name for t in schema.TABLES}


def test_the_counts_it_states():
    entities = ROWS["entities"]
    assert len(entities) == made.ENTRIES
    assert Counter(e["destination"] for e in entities) == made.DESTINATION_COUNTS
    assert len(made.DESTINATION_COUNTS) == made.DESTINATIONS
    assert len(ROWS["companies"]) == made.COMPANIES == len(made.RELATED)
    assert len(ROWS["rules"]) == made.RULES
    assert sum(r["scope"] == "entity_list_change" for r in ROWS["rules"]) == made.LIST_CHANGING_RULES
    assert len(ROWS["responses"]) == made.RESPONSES
    assert Counter(r["status"] for r in ROWS["responses"]) == made.STATUS_COUNTS
    assert len(ROWS["moments"]) == made.MOMENTS and ROWS["moments"][-1]["moment_id"] == made.LAST_MOMENT
    assert sum(not e["company_id"] for e in entities) == made.NO_PROFILE_ENTRIES


def test_the_entries_and_events_it_names():
    assert [e["entity_id"] for e in by("entities", "company_id", made.LUMEN)] == list(made.LUMEN_ENTRIES)
    assert [e["entity_id"] for e in by("entities", "company_id", made.HANHAI)] == list(made.HANHAI_ENTRIES)
    assert [e["entity_id"] for e in by("entities", "company_id", made.HANHAI_CLOUD)] == list(
        made.HANHAI_CLOUD_ENTRIES)
    assert by("entities", "company_id", made.QUIET) == [] and by("responses", "company_id", made.QUIET) == []
    added = [e for e in ROWS["events"] if e["action"] == "added"]
    assert sorted(e["entity_id"] for e in added) == sorted(e["entity_id"] for e in ROWS["entities"])
    lumen = [e for e in added if e["entity_id"] in made.LUMEN_ENTRIES]
    assert {(e["date"], e["fr_citation"], e["rule_id"]) for e in lumen} == {
        (made.LUMEN_DAY, made.LUMEN_CITATION, made.LUMEN_RULE)}
    assert [e["entity_id"] for e in added if not e["date"]] == [made.UNDATED_ENTRY]
    assert made.UNDATED_LISTINGS == 1
    assert sorted({e["entity_id"] for e in ROWS["events"] if e["action"] == "revised"}) == list(
        made.REVISED_ENTRIES)
    assert [e["entity_id"] for e in ROWS["events"] if e["action"] == "corrected"] == [made.CORRECTED_ENTRY]
    per_year = Counter(int(e["date"][:4]) for e in added if e["date"])
    assert {year: per_year[year] for year in made.ADDED_IN} == made.ADDED_IN
    specific = [e["entity_id"] for e in ROWS["entities"] if e["license_requirement"] == made.SPECIFIC_ITEMS]
    assert specific == list(made.SPECIFIC_ITEMS_ENTRIES)
    assert [e["entity_id"] for e in ROWS["entities"] if e["entry_type"] == "address_only"] == [
        made.ADDRESS_ONLY_ENTRY]
    assert [e["entity_id"] for e in ROWS["entities"] if not e["license_requirement"]] == list(
        made.NOT_STATED_ENTRIES)


def test_the_rules_it_names():
    rules = {r["rule_id"]: r for r in ROWS["rules"]}
    changing = [r for r in ROWS["rules"] if r["scope"] == "entity_list_change"]
    assert max(changing, key=lambda r: r["publication_date"])["rule_id"] == made.NEWEST_RULE
    assert max(r["publication_date"] for r in ROWS["rules"]) == made.DATA_AS_OF == made.NEWEST_RULE_DAY
    assert rules[made.RELATED_RULE]["scope"] == "related_rule"
    assert rules[made.LUMEN_RULE]["fr_citation"] == made.LUMEN_RULE_CITATION
    # Stated additions per rule date against the entries first listed that day.
    stated = Counter()
    for rule in ROWS["rules"]:
        value = rule.get("entries_added") or rule.get("entities_added")
        if value:
            stated[rule["publication_date"]] += int(value)
    listed = Counter(e["date"] for e in ROWS["events"] if e["action"] == "added" and e["date"])
    assert (sum(n == listed[day] for day, n in stated.items()), len(stated)) == (
        made.RECONCILED_DATES, made.RULE_DATES_WITH_COUNTS)


def test_the_responses_it_names():
    lumen = by("responses", "company_id", made.LUMEN)
    assert len(lumen) == made.LUMEN_RESPONSES
    assert [r["title"] for r in lumen if r["category"] == "public_statement"] == [made.LUMEN_STATEMENT]
    assert tuple(r["title"] for r in lumen if r["status"] == "proposed") == made.LUMEN_PROPOSED
    assert len([r for r in by("responses", "company_id", made.HANHAI)
                if r["category"] == "public_statement"]) == made.HANHAI_STATEMENTS
    [moment] = by("moments", "moment_id", made.TWO_CITATION_MOMENT)
    assert moment["fr_citations"] == made.TWO_CITATIONS
