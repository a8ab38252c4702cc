"""The query layer (`tracker.store`) against a store built from the shipped inputs.

Every expected value is computed here from the input CSVs with the csv module (a small
plain-Python model of the inputs), never through the store or the build.
"""

from __future__ import annotations

import csv
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from tracker.present.filters import Filters
from tracker.store import connection, queries

ZHIPU_ENTRIES = ["EL-0306", "EL-0307", "EL-0308", "EL-0309", "EL-0589", "EL-0963", "EL-1013"]


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
def model(built_store: connection.Store) -> Model:
    """The inputs the session's store was built from (its data folder's inputs/)."""
    inputs = built_store.build_dir.parents[2] / "inputs"
    rows = {name: read_rows(inputs / f"{name}.csv")
            for name in ("entities", "events", "companies", "rules", "responses", "moments")}
    rows["companies"] = {c["company_id"]: c for c in rows["companies"]}
    return Model(**rows)


def entry_ids(frame: pd.DataFrame) -> set[str]:
    ids = list(frame["entity_id"])
    assert len(ids) == len(set(ids)), "an entry is listed twice"
    return set(ids)


# --- Overview ---


def test_headline_counts(db, model: Model) -> None:
    figures = queries.headline(db, 2025)
    added_in = Counter(e["year"] for e in model.events if e["action"] == "added")
    assert figures == {
        "entries": len(model.entities),
        "destinations": len({e["destination"] for e in model.entities}),
        "companies": len(model.companies),
        "rules": sum(r["scope"] == "entity_list_change" for r in model.rules),
        "added_this_year": added_in["2025"],
        "added_last_year": added_in["2024"],
    }
    assert (figures["entries"], figures["destinations"]) == (3409, 91)


def test_top_destinations_order_and_counts(db, model: Model) -> None:
    counts = Counter(e["destination"] for e in model.entities)
    expected = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:10]
    frame = queries.top_destinations(db, Filters())
    assert list(frame.itertuples(index=False, name=None)) == expected
    assert expected[:2] == [("China", 1106), ("Russia", 1081)]


def test_top_destinations_with_filters(db, model: Model) -> None:
    in_2024 = model.ids_with_event(lambda ev: "2024-01-01" <= ev["date"] <= "2024-12-31")
    telecom = model.ids(lambda e: model.sector(e) == "Telecommunications")
    counts = Counter(e["destination"] for e in model.entities if e["entity_id"] in in_2024 & telecom)
    expected = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:5]
    filters = Filters(sectors=("Telecommunications",), date_from=date(2024, 1, 1), date_to=date(2024, 12, 31))
    frame = queries.top_destinations(db, filters, limit=5)
    assert expected and list(frame.itertuples(index=False, name=None)) == expected


def listings(frame: pd.DataFrame, period_format: str = "%Y") -> Counter:
    return Counter({(pd.Timestamp(p).strftime(period_format), g): n
                    for p, g, n in frame.itertuples(index=False, name=None)})


def test_listings_per_year_equal_first_listed_years(db, model: Model) -> None:
    dest = {e["entity_id"]: e["destination"] for e in model.entities}
    added = [ev for ev in model.events if ev["action"] == "added" and ev["date"]]
    frame = queries.listings_over_time(db, Filters(), "year", "destination")
    assert listings(frame) == Counter((ev["date"][:4], dest[ev["entity_id"]]) for ev in added)
    per_year = Counter()
    for (year, _), n in listings(frame).items():
        per_year[year] += n
    assert per_year == Counter(ev["date"][:4] for ev in added)
    # Undated listings are left off the axis and counted apart.
    undated = sum(1 for ev in model.events if ev["action"] == "added" and not ev["date"])
    assert undated > 0
    assert queries.undated_listings(db, Filters()) == undated
    assert sum(per_year.values()) + undated == len(model.entities)


def test_listings_over_time_filtered_by_destination_and_dates(db, model: Model) -> None:
    china = model.ids(lambda e: e["destination"] == "China")
    frame = queries.listings_over_time(db, Filters(destinations=("China",)), "year", "destination")
    assert listings(frame) == Counter(
        (ev["date"][:4], "China") for ev in model.events
        if ev["action"] == "added" and ev["date"] and ev["entity_id"] in china)

    filters = Filters(date_from=date(2019, 5, 1), date_to=date(2020, 6, 30))
    frame = queries.listings_over_time(db, filters, "quarter", "none")

    def quarter(day: str) -> str:
        return f"{day[:4]}-{(int(day[5:7]) - 1) // 3 * 3 + 1:02d}"

    expected = Counter((quarter(ev["date"]), "All entries") for ev in model.events
                       if ev["action"] == "added" and "2019-05-01" <= ev["date"] <= "2020-06-30")
    assert expected and listings(frame, "%Y-%m") == expected


def test_listings_over_time_by_sector_and_other_actions(db, model: Model) -> None:
    sector = {e["entity_id"]: model.sector(e) for e in model.entities}
    filters = Filters(sectors=("Semiconductors", "Telecommunications"), actions=("revised",))
    frame = queries.listings_over_time(db, filters, "year", "sector")
    expected = Counter((ev["date"][:4], sector[ev["entity_id"]]) for ev in model.events
                       if ev["action"] == "revised" and ev["date"]
                       and sector[ev["entity_id"]] in filters.sectors)
    assert expected and listings(frame) == expected


# --- Explorer: every filter ---


def test_entries_unfiltered_are_every_entry_newest_first(db, model: Model) -> None:
    listed = model.listed_date()
    frame = queries.entries(db, Filters())
    expected = sorted(sorted(listed), key=lambda i: listed[i], reverse=True)  # undated ("") last
    assert list(frame["entity_id"]) == expected
    assert queries.count_entries(db, Filters()) == len(model.entities)


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
    "company": (Filters(company="huawei"), lambda m: m.ids(lambda e: e["company_id"] == "huawei")),
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
def test_entries_match_each_filter(db, model: Model, name: str) -> None:
    filters, expected = FILTER_CASES[name]
    want = expected(model)
    assert 0 < len(want) < len(model.entities), "the case must select some entries, not all"
    assert entry_ids(queries.entries(db, filters)) == want
    assert queries.count_entries(db, filters) == len(want)


# --- Search ---


def test_search_finds_zhipu_by_name_alias_and_chinese_name(db, model: Model) -> None:
    assert model.search("zhipu") == set(ZHIPU_ENTRIES)
    for query in ("zhipu", "Zhipu AI", "智谱"):
        assert entry_ids(queries.entries(db, Filters(query=query))) == set(ZHIPU_ENTRIES), query


def test_search_finds_aliases_in_any_word_order(db, model: Model) -> None:
    expected = model.search("knowledge atlas")
    assert "EL-0307" in expected  # its alias: Beijing Knowledge Atlas Technology Co., Ltd.
    assert entry_ids(queries.entries(db, Filters(query="Knowledge Atlas"))) == expected
    assert entry_ids(queries.entries(db, Filters(query="atlas knowledge"))) == expected


def test_search_needs_every_word(db, model: Model) -> None:
    expected = model.search("huawei cloud")
    assert len(expected) > 1
    assert expected < model.search("huawei")
    assert entry_ids(queries.entries(db, Filters(query="huawei cloud"))) == expected


def test_search_tolerates_a_typo(db, model: Model) -> None:
    assert model.search("zhipo") == set()  # no entry has the misspelt word
    found = queries.entries(db, Filters(query="zhipo"))
    assert set(ZHIPU_ENTRIES) <= entry_ids(found)
    assert len(found) < 20  # near spellings, not everything


def test_search_combines_with_filters(db) -> None:
    assert queries.count_entries(db, Filters(query="zhipu", destinations=("Russia",))) == 0
    assert queries.count_entries(db, Filters(query="zhipu", company="zhipu-ai")) == len(ZHIPU_ENTRIES)


# --- Company page ---


def test_company_profile_entries_events_and_responses(db, model: Model) -> None:
    data = queries.company(db, "zhipu-ai")
    source = model.companies["zhipu-ai"]
    assert data.profile is not None
    for column in ("name", "local_name", "aliases", "country", "city", "sector", "sources"):
        assert data.profile[column] == source[column], column
    assert data.profile["founded"] == int(source["founded"])
    assert data.profile["local_name"] == "智谱AI"

    assert list(data.entries["entity_id"]) == ZHIPU_ENTRIES

    events = [ev for ev in model.events if ev["entity_id"] in ZHIPU_ENTRIES]
    titles = {r["rule_id"]: r["title"] for r in model.rules}
    assert sorted(data.events["event_id"]) == sorted(ev["event_id"] for ev in events)
    for row in data.events.itertuples():
        assert (row.action, iso(row.date), row.fr_citation) == ("added", "2025-01-16", "90 FR 4619")
        assert row.rule_title == titles[row.rule_id]

    said = [r for r in model.responses if r["company_id"] == "zhipu-ai"]
    assert len(said) == 21
    day = {r["response_id"]: r["date"] if len(r["date"]) == 10 else r["date"] + "-01" for r in said}
    assert list(data.responses["response_id"]) == sorted(day, key=lambda i: (day[i], i))


def test_unknown_company_gives_no_profile_and_empty_tables(db) -> None:
    data = queries.company(db, "no-such")
    assert data.profile is None
    assert data.entries.empty and data.events.empty and data.responses.empty
    assert "entity_id" in data.entries.columns  # empty, but shaped for the page's table


# --- Rules ---


def test_rules_stated_counts_beside_entries_citing(db, model: Model) -> None:
    citing = defaultdict(set)
    for ev in model.events:
        if ev["rule_id"]:
            citing[ev["rule_id"]].add(ev["entity_id"])
    frame = queries.rules(db)
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
    zhipu_rule = frame.set_index("rule_id").loc["2025-00704"]
    assert zhipu_rule.entries_citing >= len(ZHIPU_ENTRIES)


def test_listing_dates_reconciliation(db, model: Model) -> None:
    stated = Counter()
    for rule in model.rules:
        value = rule["entries_added"] or rule["entities_added"]
        if value:
            stated[rule["publication_date"]] += int(value)
    listed = Counter(ev["date"] for ev in model.events if ev["action"] == "added" and ev["date"])
    expected = {day: (n, listed[day], n == listed[day]) for day, n in stated.items()}

    frame = queries.listing_dates_reconciliation(db)
    got = {iso(r.date): (r.stated_added, r.listed_today, bool(r.matches)) for r in frame.itertuples()}
    assert got == expected
    assert (sum(m for _, _, m in got.values()), len(got)) == (41, 55)


# --- Responses ---


def test_responses_by_status(db, model: Model) -> None:
    statuses = Counter(r["status"] for r in model.responses)
    assert len(queries.responses(db)) == len(model.responses)
    for status, n in statuses.items():
        assert len(queries.responses(db, statuses=(status,))) == n, status
    assert len(queries.responses(db, statuses=("announced", "proposed"))) == (
        statuses["announced"] + statuses["proposed"])
    zte = [r for r in model.responses if r["company_id"] == "zte" and r["category"] == "public_statement"]
    assert len(queries.responses(db, company_id="zte", category="public_statement")) == len(zte)


@pytest.mark.parametrize("statuses", [(), ("observed",), ("announced", "proposed"), ("proposed", "announced"),
                                      ("observed", "announced", "proposed"), ("announced", "other")])
def test_response_matrix_counts(db, model: Model, statuses: tuple[str, ...]) -> None:
    expected = Counter((r["company_id"], r["category"]) for r in model.responses
                       if not statuses or r["status"] in statuses)
    frame = queries.response_matrix(db, statuses=statuses)
    assert Counter({(r.company_id, r.category): r.notes for r in frame.itertuples()}) == expected
    names = {c: model.companies[c]["name"] for c, _ in expected}
    assert all(r.company_name == names[r.company_id] for r in frame.itertuples())
    shown = list(zip(frame["company_name"], frame["category"], strict=True))
    assert shown == sorted(shown)


def test_response_matrix_of_unknown_statuses_is_empty(db) -> None:
    frame = queries.response_matrix(db, statuses=("other",))
    assert frame.empty and list(frame.columns) == ["company_id", "company_name", "category", "notes",
                                                   "first_day", "last_day"]


def test_moments_for_the_time_axis(db, model: Model) -> None:
    frame = queries.moments(db)
    assert list(frame["moment_id"]) == [m["moment_id"] for m in sorted(
        model.moments, key=lambda m: (m["date"], m["moment_id"]))]
    assert frame.set_index("moment_id").loc["m-15", "fr_citations"] == "90 FR 4617; 90 FR 4621"
