"""The store's questions the HTTP API asks beyond the pages' own (tracker.store.queries): a page of
entries, one entry with its events, what changed since a date.

Parameterized SQL only, as in queries.py; the same filters, search and order as the explorer.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from tracker.store.connection import _frame
from tracker.store.layout import ENTRY_COLUMNS

EVENT_COLUMNS = """ev.event_id, ev.entity_id, ev.action, ev.date, ev.year, ev.fr_citation, ev.rule_id,
    ev.derivation, ev.evidence, ev.parts_removed, ev.note"""


def entry(db, entity_id: str) -> pd.DataFrame:
    """One entry (listed or removed) by its id: one row, or none for an unknown id."""
    return _frame(db, f"SELECT {ENTRY_COLUMNS} FROM entities e WHERE e.entity_id = ?", [entity_id])


def entry_events(db, entity_id: str) -> pd.DataFrame:
    """An entry's listing events (added, revised, removed), oldest first, with their rule's title."""
    return _frame(db, f"""SELECT {EVENT_COLUMNS}, r.title AS rule_title, r.url AS rule_url
                          FROM events ev LEFT JOIN rules r USING (rule_id)
                          WHERE ev.entity_id = ? ORDER BY ev.date NULLS LAST, ev.event_id""", [entity_id])


def count_events_since(db, since: date) -> int:
    """How many dated listing events fall on or after a day."""
    return db.execute("SELECT count(*) FROM events ev WHERE ev.date >= ?", [since]).fetchone()[0]


def events_since(db, since: date, limit: int, offset: int = 0) -> pd.DataFrame:
    """Dated listing events on or after a day, newest first, with their entry's name and destination."""
    return _frame(db, f"""SELECT {EVENT_COLUMNS}, ev.entity_name AS name, ev.destination, ev.status
                          FROM events ev WHERE ev.date >= ?
                          ORDER BY ev.date DESC, ev.event_id LIMIT ? OFFSET ?""", [since, limit, offset])


def rules_since(db, since: date | None = None) -> pd.DataFrame:
    """Rules that changed the list published on or after a day (every one when None), newest first."""
    return _frame(db, """SELECT rule_id, publication_date, effective_date, document_number, fr_citation,
                                title, actions, stated_added, entries_citing, removals_recorded, url,
                                source_caveat
                         FROM rules WHERE scope = 'entity_list_change'
                           AND (CAST(? AS DATE) IS NULL OR publication_date >= ?)
                         ORDER BY publication_date DESC, rule_id""", [since, since])

