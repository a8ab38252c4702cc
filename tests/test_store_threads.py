"""Many sessions querying at once: threads share one Store (one DuckDB connection) through
their own cursors, as the app's page runs do, and every answer equals the single-threaded one
(on the test factory's data, tests/factory.py)."""

from __future__ import annotations

import random
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import fields

import factory as made
import pandas as pd
import pytest

from tracker.filters import Filters
from tracker.store import connection, queries

THREADS = 12
ROUNDS = 2

QUESTIONS = [
    ("headline", (2025,)),
    ("count_entries", (Filters(),)),
    ("count_entries", (Filters(destinations=("China",), actions=("added",)),)),
    ("entries", (Filters(query="hanhai cloud"),)),
    ("entries", (Filters(query="lumen"), 5)),
    ("entries", (Filters(query=made.TYPO),)),
    ("entries", (Filters(destinations=("Iran", "Russia"), sectors=("No profile",)),)),
    ("entries", (Filters(company=made.HANHAI),)),
    ("listings_over_time", (Filters(), "quarter", "destination")),
    ("listings_over_time", (Filters(destinations=("China",)), "month", "sector")),
    ("listings_over_time", (Filters(license_scopes=("all items",)), "year", "none")),
    ("top_destinations", (Filters(), 10)),
    ("undated_listings", (Filters(),)),
    ("company", (made.LUMEN,)),
    ("company", (made.HANHAI,)),
    ("related_companies", (made.KESTREL,)),
    ("related_companies", (made.HANHAI_CLOUD,)),
    ("companies", ()),
    ("destinations", ()),
    ("sectors", ()),
    ("rules", ()),
    ("rule_entries", (made.LUMEN_RULE,)),
    ("listing_dates_reconciliation", ()),
    ("responses", (("observed",), made.LUMEN)),
    ("response_matrix", (("observed", "proposed"),)),
    ("moments", ()),
    ("newest_rules", (6,)),
]


def ask(db, index: int):
    question, args = QUESTIONS[index]
    return getattr(queries, question)(db, *args)


def same(a, b) -> bool:
    if isinstance(a, pd.DataFrame):
        return isinstance(b, pd.DataFrame) and a.equals(b) and list(a.columns) == list(b.columns)
    if isinstance(a, queries.CompanyData):
        return all(same(getattr(a, f.name), getattr(b, f.name)) for f in fields(a))
    return a == b


@pytest.fixture(scope="module")
def shared(made_store) -> tuple[connection.Store, list]:
    """The session's built store and the answer to every question, asked one at a time."""
    cursor = made_store.cursor()
    expected = [ask(cursor, i) for i in range(len(QUESTIONS))]
    # Answers worth comparing: none of the questions about a company or a rule is empty.
    assert all(len(a.entries) if isinstance(a, queries.CompanyData) else not getattr(a, "empty", False)
               for a in expected), [q for q, a in zip(QUESTIONS, expected, strict=True)
                                    if getattr(a, "empty", False)]
    cursor.close()
    return made_store, expected


def test_many_threads_on_one_connection_get_the_single_threaded_answers(shared) -> None:
    opened, expected = shared
    start = threading.Barrier(THREADS)

    def session(seed: int) -> list[str]:
        order = list(range(len(QUESTIONS))) * ROUNDS
        random.Random(seed).shuffle(order)
        start.wait()  # all at once
        wrong = []
        for index in order:
            cursor = opened.cursor()  # one cursor per question, as each cached answer takes its own
            try:
                if not same(ask(cursor, index), expected[index]):
                    wrong.append(QUESTIONS[index][0])
            finally:
                cursor.close()
        return wrong

    with ThreadPoolExecutor(THREADS) as pool:
        results = list(pool.map(session, range(THREADS)))

    assert results == [[]] * THREADS


def test_threads_holding_one_cursor_each_for_a_whole_run(shared) -> None:
    opened, expected = shared
    start = threading.Barrier(THREADS)

    def run(seed: int) -> int:
        cursor = opened.cursor()  # a page run keeps its cursor for all its questions
        start.wait()
        order = random.Random(seed).sample(range(len(QUESTIONS)), len(QUESTIONS))
        try:
            return sum(not same(ask(cursor, i), expected[i]) for i in order)
        finally:
            cursor.close()

    with ThreadPoolExecutor(THREADS) as pool:
        assert list(pool.map(run, range(THREADS))) == [0] * THREADS


def test_a_build_opened_by_many_threads_at_once_is_opened_once(made_store, monkeypatch) -> None:
    monkeypatch.setattr(connection, "_open", {})
    start = threading.Barrier(THREADS)

    def open_it(_):
        start.wait()
        return connection.open_store(made_store.build_dir)

    with ThreadPoolExecutor(THREADS) as pool:
        opened = list(pool.map(open_it, range(THREADS)))

    assert len({id(s) for s in opened}) == 1
    cursor = opened[0].cursor()
    assert queries.count_entries(cursor, Filters()) == made_store.cursor().execute(
        "SELECT count(*) FROM entities").fetchone()[0]
    cursor.close()
    opened[0].close()
