"""The query layer (`tracker.store`) against a store built from the test factory's inputs
(tests/factory.py).

Every expected value is computed here from the input CSVs with the csv module (a small
plain-Python model of the inputs), never through the store or the build, and checked
against the facts the factory states (its constants) where it states them.
"""

from __future__ import annotations

import csv
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import factory as made
import pandas as pd
import pytest

from tracker.filters import Filters
from tracker.store import connection, queries

LUMEN_ENTRIES = list(made.LUMEN_ENTRIES)


def read_rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def iso(value) -> str | None:
    """A date cell of a frame as YYYY-MM-DD, None when missing."""
    return None if pd.isna(value) else pd.Timestamp(value).date().isoformat()


@dataclass
class Model:
    """The inputs as plain rows, and what each entry's filters see."""

    entities: list[dict[str, str]]
    events: list[dict[str, str]]
    companies: dict[str, dict[str, str]]
    rules: list[dict[str, str]]
    responses: list[dict[str, str]]
    moments: list[dict[str, str]]

    def sector(self, entity: dict[str, str]) -> str:
        return self.companies[entity["company_id"]]["sector"] if entity["company_id"] else "No profile"

    @staticmethod
    def license_scope(entity: dict[str, str]) -> str:
        text = entity["license_requirement"]
        if not text:
            return "not stated"
        return "all items" if re.search("all items subject to the EAR", text, re.I) else "specific items"

    def listed_date(self) -> dict[str, str]:
        return {e["entity_id"]: e["date"] for e in self.events if e["action"] == "added"}

    def ids(self, keep) -> set[str]:
        return {e["entity_id"] for e in self.entities if keep(e)}

    def ids_with_event(self, keep) -> set[str]:
        return {e["entity_id"] for e in self.events if keep(e)}

    def words(self, entity: dict[str, str]) -> set[str]:
        """Words of the entry's names, aliases and local names, and of its profile's."""
        company = self.companies.get(entity["company_id"], {})
        text = " ".join([entity["name"], entity["aliases"], entity["local_name"],
                         company.get("name", ""), company.get("aliases", ""), company.get("local_name", "")])
        return {w for w in re.split(r"[\W_]+", text.lower()) if w}

    def search(self, query: str) -> set[str]:
        """Entries where every word of the query is part of one of the entry's words."""
        tokens = [t for t in re.split(r"[\W_]+", query.lower()) if t]
        return self.ids(lambda e: all(any(t in w for w in self.words(e)) for t in tokens))


@pytest.fixture(scope="module")
def model(made_store: connection.Store) -> Model:
    """The inputs the session's store was built from (its data folder's inputs/)."""
    inputs = made_store.build_dir.parents[2] / "inputs"
    rows = {name: read_rows(inputs / f"{name}.csv")
            for name in ("entities", "events", "companies", "rules", "responses", "moments")}
    rows["companies"] = {c["company_id"]: c for c in rows["companies"]}
    return Model(**rows)


def entry_ids(frame: pd.DataFrame) -> set[str]:
    ids = list(frame["entity_id"])
    assert len(ids) == len(set(ids)), "an entry is listed twice"
    return set(ids)


# --- Overview ---


def test_headline_counts(made_db, model: Model) -> None:
    figures = queries.headline(made_db, 2025)
    added_in = Counter(e["year"] for e in model.events if e["action"] == "added")
    assert figures == {
        "entries": len(model.entities),
        "destinations": len({e["destination"] for e in model.entities}),
        "companies": len(model.companies),
        "rules": sum(r["scope"] == "entity_list_change" for r in model.rules),
        "added_this_year": added_in["2025"],
        "added_last_year": added_in["2024"],
    }
    assert (figures["entries"], figures["destinations"]) == (made.ENTRIES, made.DESTINATIONS)
    assert (figures["companies"], figures["rules"]) == (made.COMPANIES, made.LIST_CHANGING_RULES)
    assert (figures["added_this_year"], figures["added_last_year"]) == (made.ADDED_IN[2025],
                                                                        made.ADDED_IN[2024])


def test_top_destinations_order_and_counts(made_db, model: Model) -> None:
    counts = Counter(e["destination"] for e in model.entities)
    expected = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:10]
    frame = queries.top_destinations(made_db, Filters())
    assert list(frame.itertuples(index=False, name=None)) == expected
    assert expected == sorted(made.DESTINATION_COUNTS.items(), key=lambda item: -item[1])


def test_top_destinations_with_filters(made_db, model: Model) -> None:
    in_2020 = model.ids_with_event(lambda ev: "2020-01-01" <= ev["date"] <= "2020-12-31")
    telecom = model.ids(lambda e: model.sector(e) == "Telecommunications")
    counts = Counter(e["destination"] for e in model.entities if e["entity_id"] in in_2020 & telecom)
    expected = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:5]
    filters = Filters(sectors=("Telecommunications",), date_from=date(2020, 1, 1), date_to=date(2020, 12, 31))
    frame = queries.top_destinations(made_db, filters, limit=5)
    assert expected and list(frame.itertuples(index=False, name=None)) == expected

    in_2022 = model.ids_with_event(lambda ev: "2022-01-01" <= ev["date"] <= "2022-12-31")
    counts = Counter(e["destination"] for e in model.entities if e["entity_id"] in in_2022)
    expected = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    frame = queries.top_destinations(made_db, Filters(date_from=date(2022, 1, 1), date_to=date(2022, 12, 31)))
    assert len(expected) > 1 and list(frame.itertuples(index=False, name=None)) == expected


def listings(frame: pd.DataFrame, period_format: str = "%Y") -> Counter:
    return Counter({(pd.Timestamp(p).strftime(period_format), g): n
                    for p, g, n in frame.itertuples(index=False, name=None)})


def test_listings_per_year_equal_first_listed_years(made_db, model: Model) -> None:
    dest = {e["entity_id"]: e["destination"] for e in model.entities}
    added = [ev for ev in model.events if ev["action"] == "added" and ev["date"]]
    frame = queries.listings_over_time(made_db, Filters(), "year", "destination")
    assert listings(frame) == Counter((ev["date"][:4], dest[ev["entity_id"]]) for ev in added)
    per_year = Counter()
    for (year, _), n in listings(frame).items():
        per_year[year] += n
    assert per_year == Counter(ev["date"][:4] for ev in added)
    # Undated listings are left off the axis and counted apart.
    undated = sum(1 for ev in model.events if ev["action"] == "added" and not ev["date"])
    assert undated == made.UNDATED_LISTINGS
    assert queries.undated_listings(made_db, Filters()) == undated
    assert sum(per_year.values()) + undated == len(model.entities)


def test_listings_over_time_filtered_by_destination_and_dates(made_db, model: Model) -> None:
    china = model.ids(lambda e: e["destination"] == "China")
    frame = queries.listings_over_time(made_db, Filters(destinations=("China",)), "year", "destination")
    assert listings(frame) == Counter(
        (ev["date"][:4], "China") for ev in model.events
        if ev["action"] == "added" and ev["date"] and ev["entity_id"] in china)

    filters = Filters(date_from=date(2019, 5, 1), date_to=date(2020, 6, 30))
    frame = queries.listings_over_time(made_db, filters, "quarter", "none")

    def quarter(day: str) -> str:
        return f"{day[:4]}-{(int(day[5:7]) - 1) // 3 * 3 + 1:02d}"

    expected = Counter((quarter(ev["date"]), "All entries") for ev in model.events
                       if ev["action"] == "added" and "2019-05-01" <= ev["date"] <= "2020-06-30")
    assert expected and listings(frame, "%Y-%m") == expected


def test_listings_over_time_by_sector_and_other_actions(made_db, model: Model) -> None:
    sector = {e["entity_id"]: model.sector(e) for e in model.entities}
    filters = Filters(sectors=("Semiconductors", "Telecommunications"), actions=("revised",))
    frame = queries.listings_over_time(made_db, filters, "year", "sector")
    expected = Counter((ev["date"][:4], sector[ev["entity_id"]]) for ev in model.events
                       if ev["action"] == "revised" and ev["date"]
                       and sector[ev["entity_id"]] in filters.sectors)
    assert expected and listings(frame) == expected


# --- Explorer: every filter ---


def test_entries_unfiltered_are_every_entry_newest_first(made_db, model: Model) -> None:
    listed = model.listed_date()
    frame = queries.entries(made_db, Filters())
    expected = sorted(sorted(listed), key=lambda i: listed[i], reverse=True)  # undated ("") last
    assert list(frame["entity_id"]) == expected
    assert queries.count_entries(made_db, Filters()) == len(model.entities)


FILTER_CASES = {
    "destination": (Filters(destinations=("Iran", "Pakistan")),
                    lambda m: m.ids(lambda e: e["destination"] in ("Iran", "Pakistan"))),
    "sector": (Filters(sectors=("Semiconductors",)),
               lambda m: m.ids(lambda e: m.sector(e) == "Semiconductors")),
    "no profile": (Filters(sectors=("No profile",)), lambda m: m.ids(lambda e: not e["company_id"])),
    "action": (Filters(actions=("revised",)),
               lambda m: m.ids_with_event(lambda ev: ev["action"] == "revised")),
    "license scope": (Filters(license_scopes=("specific items",)),
                      lambda m: m.ids(lambda e: m.license_scope(e) == "specific items")),
    "company": (Filters(company=made.HANHAI), lambda m: m.ids(lambda e: e["company_id"] == made.HANHAI)),
    "date range": (Filters(date_from=date(2022, 10, 1), date_to=date(2022, 12, 31)),
                   lambda m: m.ids_with_event(lambda ev: "2022-10-01" <= ev["date"] <= "2022-12-31")),
    "all together": (
        Filters(destinations=("China",), actions=("added",), license_scopes=("all items",),
                date_from=date(2020, 1, 1), date_to=date(2023, 12, 31)),
        lambda m: m.ids(lambda e: e["destination"] == "China" and m.license_scope(e) == "all items")
        & m.ids_with_event(lambda ev: ev["action"] == "added"
                           and "2020-01-01" <= ev["date"] <= "2023-12-31")),
}


@pytest.mark.parametrize("name", FILTER_CASES)
def test_entries_match_each_filter(made_db, model: Model, name: str) -> None:
    filters, expected = FILTER_CASES[name]
    want = expected(model)
    assert 0 < len(want) < len(model.entities), "the case must select some entries, not all"
    assert entry_ids(queries.entries(made_db, filters)) == want
    assert queries.count_entries(made_db, filters) == len(want)


# --- Search ---


def test_search_finds_a_company_by_name_alias_and_chinese_name(made_db, model: Model) -> None:
    assert model.search("lumen") == set(LUMEN_ENTRIES)
    for query in ("lumen", made.LUMEN_ALIAS, made.LUMEN_SEARCH_CHINESE):
        assert entry_ids(queries.entries(made_db, Filters(query=query))) == set(LUMEN_ENTRIES), query


def test_search_finds_aliases_in_any_word_order(made_db, model: Model) -> None:
    expected = model.search("star atlas")
    assert expected == {made.ATLAS_ENTRY}  # its alias: Beijing Star Atlas Technology Co., Ltd.
    assert entry_ids(queries.entries(made_db, Filters(query="Star Atlas"))) == expected
    assert entry_ids(queries.entries(made_db, Filters(query="atlas star"))) == expected


def test_search_needs_every_word(made_db, model: Model) -> None:
    expected = model.search("hanhai cloud")
    assert expected == set(made.HANHAI_CLOUD_ENTRIES)
    assert expected < model.search("hanhai")
    assert entry_ids(queries.entries(made_db, Filters(query="hanhai cloud"))) == expected


def test_search_tolerates_a_typo(made_db, model: Model) -> None:
    assert model.search(made.TYPO) == set()  # no entry has the misspelt word
    found = queries.entries(made_db, Filters(query=made.TYPO))
    assert entry_ids(found) == set(LUMEN_ENTRIES)  # near spellings, not everything


def test_search_combines_with_filters(made_db) -> None:
    assert queries.count_entries(made_db, Filters(query="lumen", destinations=(made.RUSSIA,))) == 0
    assert queries.count_entries(made_db, Filters(query="lumen", company=made.LUMEN)) == len(LUMEN_ENTRIES)
    assert queries.count_entries(made_db, Filters(query="lumen", company=made.HANHAI)) == 0


# --- Company page ---


def test_company_profile_entries_events_and_responses(made_db, model: Model) -> None:
    data = queries.company(made_db, made.LUMEN)
    source = model.companies[made.LUMEN]
    assert data.profile is not None
    for column in ("name", "local_name", "aliases", "country", "city", "sector", "sources"):
        assert data.profile[column] == source[column], column
    assert data.profile["founded"] == int(source["founded"])
    assert data.profile["local_name"] == made.LUMEN_LOCAL_NAME

    assert list(data.entries["entity_id"]) == LUMEN_ENTRIES

    events = [ev for ev in model.events if ev["entity_id"] in LUMEN_ENTRIES]
    titles = {r["rule_id"]: r["title"] for r in model.rules}
    assert sorted(data.events["event_id"]) == sorted(ev["event_id"] for ev in events)
    for row in data.events.itertuples():
        assert (row.action, iso(row.date), row.fr_citation) == ("added", made.LUMEN_DAY, made.LUMEN_CITATION)
        assert row.rule_title == titles[row.rule_id]

    said = [r for r in model.responses if r["company_id"] == made.LUMEN]
    assert len(said) == made.LUMEN_RESPONSES
    day = {r["response_id"]: r["date"] if len(r["date"]) == 10 else r["date"] + "-01" for r in said}
    assert list(data.responses["response_id"]) == sorted(day, key=lambda i: (day[i], i))


def test_unknown_company_gives_no_profile_and_empty_tables(made_db) -> None:
    data = queries.company(made_db, "no-such")
    assert data.profile is None
    assert data.entries.empty and data.events.empty and data.responses.empty
    assert "entity_id" in data.entries.columns  # empty, but shaped for the page's table


# --- Rules ---


def test_rules_stated_counts_beside_entries_citing(made_db, model: Model) -> None:
    citing = defaultdict(set)
    for ev in model.events:
        if ev["rule_id"]:
            citing[ev["rule_id"]].add(ev["entity_id"])
    frame = queries.rules(made_db)
    by_id = sorted(model.rules, key=lambda r: r["rule_id"])
    newest_first = sorted(by_id, key=lambda r: r["publication_date"], reverse=True)
    assert list(frame["rule_id"]) == [r["rule_id"] for r in newest_first]
    by_id = {r["rule_id"]: r for r in model.rules}
    for row in frame.itertuples():
        source = by_id[row.rule_id]
        stated = source["entries_added"] or source["entities_added"]
        assert (None if pd.isna(row.stated_added) else int(row.stated_added)) == (
            int(stated) if stated else None), row.rule_id
        assert row.entries_citing == len(citing[row.rule_id]), row.rule_id
    lumen_rule = frame.set_index("rule_id").loc[made.LUMEN_RULE]
    assert lumen_rule.entries_citing == len(LUMEN_ENTRIES)
    assert len(frame) == made.RULES


def test_listing_dates_reconciliation(made_db, model: Model) -> None:
    stated = Counter()
    for rule in model.rules:
        value = rule["entries_added"] or rule["entities_added"]
        if value:
            stated[rule["publication_date"]] += int(value)
    listed = Counter(ev["date"] for ev in model.events if ev["action"] == "added" and ev["date"])
    expected = {day: (n, listed[day], n == listed[day]) for day, n in stated.items()}

    frame = queries.listing_dates_reconciliation(made_db)
    got = {iso(r.date): (r.stated_added, r.listed_today, bool(r.matches)) for r in frame.itertuples()}
    assert got == expected
    assert (sum(m for _, _, m in got.values()), len(got)) == (made.RECONCILED_DATES,
                                                              made.RULE_DATES_WITH_COUNTS)


# --- Responses ---


def test_responses_by_status(made_db, model: Model) -> None:
    statuses = Counter(r["status"] for r in model.responses)
    assert len(queries.responses(made_db)) == len(model.responses)
    for status, n in statuses.items():
        assert len(queries.responses(made_db, statuses=(status,))) == n, status
    assert len(queries.responses(made_db, statuses=("announced", "proposed"))) == (
        statuses["announced"] + statuses["proposed"])
    assert statuses == made.STATUS_COUNTS
    hanhai = [r for r in model.responses
              if r["company_id"] == made.HANHAI and r["category"] == "public_statement"]
    assert len(hanhai) == made.HANHAI_STATEMENTS
    assert len(queries.responses(made_db, company_id=made.HANHAI, category="public_statement")) == len(hanhai)


@pytest.mark.parametrize("statuses", [(), ("observed",), ("announced", "proposed"), ("proposed", "announced"),
                                      ("observed", "announced", "proposed"), ("announced", "other")])
def test_response_matrix_counts(made_db, model: Model, statuses: tuple[str, ...]) -> None:
    expected = Counter((r["company_id"], r["category"]) for r in model.responses
                       if not statuses or r["status"] in statuses)
    frame = queries.response_matrix(made_db, statuses=statuses)
    assert Counter({(r.company_id, r.category): r.notes for r in frame.itertuples()}) == expected
    names = {c: model.companies[c]["name"] for c, _ in expected}
    assert all(r.company_name == names[r.company_id] for r in frame.itertuples())
    shown = list(zip(frame["company_name"], frame["category"], strict=True))
    assert shown == sorted(shown)


def test_response_matrix_of_unknown_statuses_is_empty(made_db) -> None:
    frame = queries.response_matrix(made_db, statuses=("other",))
    assert frame.empty and list(frame.columns) == ["company_id", "company_name", "category", "notes",
                                                   "first_day", "last_day"]


def test_moments_for_the_time_axis(made_db, model: Model) -> None:
    frame = queries.moments(made_db)
    assert list(frame["moment_id"]) == [m["moment_id"] for m in sorted(
        model.moments, key=lambda m: (m["date"], m["moment_id"]))]
    assert frame.set_index("moment_id").loc[made.TWO_CITATION_MOMENT, "fr_citations"] == made.TWO_CITATIONS
