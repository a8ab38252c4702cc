"""The store's questions the HTTP API asks beyond the pages' own (tracker.store.queries): a page of
entries, one entry with its events, what changed since a date.

Parameterized SQL only, as in queries.py; the same filters, search and order as the explorer.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from tracker.store.connection import _frame
from tracker.store.layout import ENTRY_COLUMN_NAMES
from tracker.store.sorted_files import rows_by_entity

EVENT_COLUMN_NAMES = ("event_id", "entity_id", "action", "date", "year", "fr_citation", "rule_id",
                      "derivation", "evidence", "parts_removed", "note")
EVENT_COLUMNS = ", ".join(f"ev.{name}" for name in EVENT_COLUMN_NAMES)


def entry(db, entity_id: str) -> pd.DataFrame:
    """One entry (listed or removed) by its id: one row, or none for an unknown id. Read as the entry
    page reads it (tracker.store.entry), from the entries sorted by id."""
    return rows_by_entity(db, "entry_lookup", entity_id, list(ENTRY_COLUMN_NAMES))


def entry_events(db, entity_id: str) -> pd.DataFrame:
    """An entry's listing events (added, revised, removed), oldest first (undated last), with their
    rule's title and link."""
    return rows_by_entity(db, "entry_events", entity_id, [*EVENT_COLUMN_NAMES, "rule_title", "rule_url"])


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

