"""The entry page's questions: one entry of the list (listed or removed) by its id, its Federal
Register actions, the versions of the list it appears in, and its company profile.

The entry, its actions and its versions are each read by entity id from a table the build sorts by
it (layout.DERIVED_TABLES: entry_lookup, a copy of the entries in id order, entry_events,
entry_versions), straight from the file's row group that holds it (tracker.store.sorted_files):
about a millisecond each at any scale, where a DuckDB query on the same files takes 5-20.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from tracker.store.sorted_files import rows_by_entity, sorted_file

# What an entry id looks like: 'EL-' and digits. Anything else is not looked up at all.
ENTRY_ID = re.compile(r"EL-\d{1,9}")


@dataclass
class EntryData:
    """Everything the entry page shows about one entry (entry None when the id is unknown)."""

    entry: dict | None
    events: pd.DataFrame
    versions: pd.DataFrame
    company: dict | None
    removal_rule: dict | None


def is_entry_id(text: str) -> bool:
    """Whether the text is written as an entry id (EL-0882)."""
    return bool(ENTRY_ID.fullmatch(text or ""))


def _row(db, sql: str, params: list) -> dict | None:
    db.complete()
    found = db.execute(sql, params)
    row = found.fetchone()
    return dict(zip([d[0] for d in found.description], row, strict=True)) if row else None


def entry(db, entity_id: str) -> dict | None:
    """The entry with this id, every column of it (None when there is none)."""
    if not is_entry_id(entity_id):
        return None
    found = sorted_file(db, "entry_lookup", "entity_id").rows(entity_id).to_pylist()
    return found[0] if found else None


def entry_events(db, entity_id: str) -> pd.DataFrame:
    """The entry's Federal Register actions, oldest first (undated last), each with its rule's title,
    link and first page where a rule is recorded: event_id, action, date, year, fr_citation, rule_id,
    rule_title, rule_url, rule_citation, derivation, evidence, parts_removed, note."""
    return rows_by_entity(db, "entry_events", entity_id)  # stored by entity, date, event


def entry_versions(db, entity_id: str) -> pd.DataFrame:
    """The versions of the list the entry appears in, oldest first: version_id, version_date,
    source_kind, source, date_meaning, row, match (how the row was matched to the entry), version_name."""
    return rows_by_entity(db, "entry_versions", entity_id)  # stored by entity, date


def entry_company(db, company_id: str | None) -> dict | None:
    """The company profile of an entry (None without one)."""
    if not company_id:
        return None
    return _row(db, "SELECT company_id, name, local_name, sector, country, sources FROM companies "
                    "WHERE company_id = ?", [company_id])


def entry_rule(db, rule_id: str | None) -> dict | None:
    """A rule's date, citation, title and link (None when none is recorded)."""
    if not rule_id:
        return None
    return _row(db, "SELECT rule_id, publication_date, fr_citation, title, url FROM rules WHERE rule_id = ?",
                [rule_id])


def entry_page(db, entity_id: str) -> EntryData:
    """The entry page's answers for one id."""
    found = entry(db, entity_id)
    if found is None:
        empty = pd.DataFrame()
        return EntryData(None, empty, empty, None, None)
    return EntryData(found, entry_events(db, entity_id), entry_versions(db, entity_id),
                     entry_company(db, found.get("company_id")), entry_rule(db, found.get("removed_rule_id")))


# --- The benchmark's picks (tracker.bench) ---

def benchmark_entries(db) -> tuple[str, str]:
    """The entry with the most Federal Register actions (the entry page's worst case) and the entry
    in the middle of the list's order (a typical one)."""
    busiest = db.execute("SELECT entity_id FROM entities ORDER BY n_events DESC, entity_id LIMIT 1"
                         ).fetchone()
    middle = db.execute("SELECT entity_id FROM entities WHERE entity_no = "
                        "(SELECT count(*) // 2 FROM entities)").fetchone()
    return busiest[0], (middle or busiest)[0]
