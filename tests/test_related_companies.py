"""Related companies (`queries.related_companies`) against a plain-Python reading of the inputs.

Two profiles are related when they share a parent, or when entries of theirs were added by
the same rule or on the same day. The page shows the RELATED_SHOWN closest and the total.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

import factory as made
import pandas as pd
import pytest

from tracker.bench.generate import generate
from tracker.config import data_paths
from tracker.store import build, connection, layout, queries


def rows(inputs: Path, name: str) -> list[dict[str, str]]:
    with open(inputs / f"{name}.csv", encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def expected_relations(inputs: Path) -> dict[str, tuple[list[tuple[str, str]], int]]:
    """company -> ([(other company, relation text)] closest first, capped; how many in all)."""
    companies = {c["company_id"]: c for c in rows(inputs, "companies")}
    owner = {e["entity_id"]: e["company_id"] for e in rows(inputs, "entities") if e["company_id"]}
    rules, days = defaultdict(set), defaultdict(set)  # company -> rules / days it was added on
    for event in rows(inputs, "events"):
        company = owner.get(event["entity_id"])
        if company and event["action"] == "added":
            if event["rule_id"]:
                rules[company].add(event["rule_id"])
            if event["date"]:
                days[company].add(event["date"])
    expected = {}
    for me, mine in companies.items():
        related = []
        for other, theirs in companies.items():
            if other == me:
                continue
            parent = bool(mine["parent_id"]) and mine["parent_id"] in (theirs["parent_id"], other) \
                or theirs["parent_id"] == me
            shared_rules = sorted(rules[me] & rules[other])
            shared_days = sorted(days[me] & days[other])
            if not (parent or shared_rules or shared_days):
                continue
            parts = ["same parent company"] if parent else []
            if shared_rules:
                parts.append(f"listed by the same rule ({', '.join(shared_rules)})")
            elif shared_days:
                parts.append(f"listed the same day ({', '.join(shared_days)})")
            closeness = (not parent, -len(shared_rules), -len(shared_days), theirs["name"], other)
            related.append((closeness, other, "; ".join(parts)))
        related.sort()
        expected[me] = ([(other, text) for _, other, text in related[:layout.RELATED_SHOWN]], len(related))
    return expected


def answered(db, company_id: str) -> tuple[list[tuple[str, str]], int]:
    found = queries.related_companies(db, company_id)
    total = int(found["related_total"].iloc[0]) if len(found) else 0
    assert found["related_total"].nunique() <= 1
    return list(zip(found["company_id"], found["relation"], strict=True)), total


def test_related_companies_of_every_profile(made_db, made_store):
    expected = expected_relations(made_store.build_dir.parents[2] / "inputs")
    assert {company: answered(made_db, company) for company in expected} == expected
    # Each kind of relation, as the factory states it: a shared parent, a shared rule, a shared day.
    assert expected == {company: (related, len(related)) for company, related in made.RELATED.items()}


@pytest.fixture(scope="module")
def generated_store(tmp_path_factory):
    folder = tmp_path_factory.mktemp("related")
    generate(folder, 20_000, seed=3)
    paths = data_paths(folder)
    build.build_store(paths)
    opened = connection.Store(build.current_build(paths))
    yield folder / "inputs", opened
    opened.close()


def test_related_companies_are_capped_to_the_closest_with_the_total(generated_store):
    inputs, opened = generated_store
    expected = expected_relations(inputs)
    assert max(total for _, total in expected.values()) > layout.RELATED_SHOWN  # the cap is exercised
    assert any("same parent company" in text for shown, _ in expected.values() for _, text in shown)
    db = opened.cursor()
    assert {company: answered(db, company) for company in expected} == expected


def test_company_tables_come_in_the_order_the_page_shows(generated_store):
    # The company questions rely on the stored order (no ORDER BY): check it on a big company.
    inputs, opened = generated_store
    db = opened.cursor()
    companies = queries.companies(db)
    biggest = companies.sort_values(["entries", "company_id"], ascending=[False, True]).iloc[0]["company_id"]
    data = queries.company(db, biggest)
    assert len(data.entries) > 50 and len(data.events) > 50
    entries = list(zip(data.entries["listed_date"], data.entries["entity_id"], strict=True))
    assert entries == sorted(entries)
    events = [(pd.isna(d), d if not pd.isna(d) else None, e)
              for d, e in zip(data.events["date"], data.events["event_id"], strict=True)]
    assert events == sorted(events, key=lambda t: (t[0], t[1] or 0, t[2]))
    said = queries.company(db, max(companies["company_id"],
                                 key=lambda c: len(queries.responses(db, company_id=c)))).responses
    assert len(said) > 1
    notes = list(zip(said["day"], said["response_id"], strict=True))
    assert notes == sorted(notes)
