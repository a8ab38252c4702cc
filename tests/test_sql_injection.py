"""Hostile text in every filter, the search and every lookup is data, never SQL.

On the test factory's data (tests/factory.py). Each query must run without error, find
nothing it should not (no LIKE wildcards, no string splicing), and leave every table of the
store as it was.
"""

from __future__ import annotations

import dataclasses

import factory as made
import pytest

from tracker.filters import Filters, filters_from_values
from tracker.present.page_state import EXPLORER
from tracker.store import queries

HOSTILE = [
    "'",
    '"',
    "';",
    "'; DROP TABLE entities; --",
    "'; DROP VIEW entities; --",
    "\"; DROP VIEW events; --",
    "' OR '1'='1",
    "China' OR 'x'='x",
    "1; DELETE FROM entities",
    "%",
    "_",
    "%_%",
    "Chin_",
    "\\",
    "\\'; --",
    "$1 ?",
    "智谱' UNION SELECT * FROM companies --",
    "a\x00b",
]

TABLES = ("companies", "entities", "events", "rules", "responses", "moments")


def table_counts(made_db) -> dict[str, int]:
    return {t: made_db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}


@pytest.fixture
def counts_before(made_db) -> dict[str, int]:
    return table_counts(made_db)


def every_filter(text: str) -> list[Filters]:
    """The text in each filter on its own."""
    return [Filters(destinations=(text,)), Filters(sectors=(text,)), Filters(actions=(text,)),
            Filters(license_scopes=(text,)), Filters(company=text), Filters(query=text)]


@pytest.mark.parametrize("text", HOSTILE, ids=[repr(t) for t in HOSTILE])
def test_hostile_text_in_every_filter_is_only_data(made_db, counts_before, text: str) -> None:
    for filters in every_filter(text):
        field = next(f.name for f in dataclasses.fields(filters) if getattr(filters, f.name))
        found = queries.entries(made_db, filters)
        assert queries.count_entries(made_db, filters) == len(found)
        if field != "query":
            # An exact value that names no destination, sector, action, scope or company.
            assert found.empty, (field, text)
        queries.top_destinations(made_db, filters)
        queries.listings_over_time(made_db, filters, "month", "sector")
        queries.undated_listings(made_db, filters)
    assert table_counts(made_db) == counts_before


@pytest.mark.parametrize("text", HOSTILE, ids=[repr(t) for t in HOSTILE])
def test_hostile_text_in_every_lookup_is_only_data(made_db, counts_before, text: str) -> None:
    data = queries.company(made_db, text)
    assert data.profile is None
    assert data.entries.empty and data.events.empty and data.responses.empty
    assert queries.related_companies(made_db, text).empty
    assert queries.rule_entries(made_db, text).empty
    assert queries.responses(made_db, statuses=(text,)).empty
    assert queries.responses(made_db, company_id=text).empty
    assert queries.responses(made_db, category=text).empty
    assert queries.response_matrix(made_db, statuses=(text,)).empty
    assert table_counts(made_db) == counts_before


def test_wildcards_are_not_wildcards(made_db) -> None:
    assert queries.count_entries(made_db, Filters(destinations=("%",))) == 0
    assert queries.count_entries(made_db, Filters(destinations=("Chin_",))) == 0
    assert queries.count_entries(made_db, Filters(company="%")) == 0
    assert queries.count_entries(made_db, Filters(query="_")) == 0
    # the real values still work
    china = made.DESTINATION_COUNTS[made.CHINA]
    assert queries.count_entries(made_db, Filters(destinations=(made.CHINA,))) == china
    assert queries.count_entries(made_db, Filters(query="lumen")) == len(made.LUMEN_ENTRIES)


def test_hostile_text_combined_in_one_view(made_db, counts_before) -> None:
    text = "'; DROP TABLE entities; --"
    filters = Filters(destinations=(text, "China"), sectors=(text,), actions=(text,),
                      license_scopes=(text,), company=text, query=text)
    assert queries.entries(made_db, filters).empty
    queries.listings_over_time(made_db, filters, "year", "destination")
    assert table_counts(made_db) == counts_before


def test_hostile_text_from_a_shared_link_is_only_data(made_db, counts_before) -> None:
    text = "'; DROP TABLE entities; --"
    parsed = EXPLORER.read(
        {"dest": f"China,{text}", "sector": text, "action": text, "license": text, "company": text,
         "q": text, "from": text, "to": "2025-01-31"},
        {"dest": {"China"}, "sector": {"Telecommunications"}, "company": {made.HANHAI}})
    filters = filters_from_values(parsed.values)
    assert filters.destinations == ("China",)
    assert filters.company is None and filters.date_from is None
    assert parsed.notices  # the reader is told what was ignored
    queries.entries(made_db, filters)
    assert table_counts(made_db) == counts_before


@pytest.mark.parametrize("option", ["granularity", "group_by"])
def test_chart_options_outside_the_fixed_choices_are_refused(made_db, option: str) -> None:
    # Only these two choose SQL text; anything but the fixed choices never reaches the database.
    chosen = {"granularity": "year", "group_by": "destination"}
    chosen[option] = "year'); DROP TABLE entities; --"
    with pytest.raises(KeyError):
        queries.listings_over_time(made_db, Filters(), chosen["granularity"], chosen["group_by"])


@pytest.mark.parametrize("table, columns", [
    ('entities"; DROP TABLE entities; --', ("name",)),
    ("entities", ('name") FROM entities; DROP VIEW entities; --',)),
    ("entities", ("name", "'; DROP TABLE events; --")),
])
def test_the_benchmark_scan_takes_only_names_the_store_has(made_db, counts_before, table, columns) -> None:
    # scan_columns quotes identifiers into its SQL, so it must refuse any name not in the store.
    with pytest.raises(ValueError, match="the store has no table"):
        queries.scan_columns(made_db, table, columns)
    assert table_counts(made_db) == counts_before
