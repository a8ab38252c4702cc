"""The store's screening tables (built in tracker.store.layout): the index the screening library
reads, the details of the entries a screen matched, and the version screened against."""

from __future__ import annotations

import threading

import pandas as pd

from tracker.screening.match import ScreeningIndex
from tracker.store.connection import _frame


def screening_index_frames(db) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(names, tokens, postings) for tracker.screening.match.ScreeningIndex.from_frames."""
    names = _frame(db, "SELECT name_no, ref_no, list, key FROM screening_names ORDER BY name_no")
    tokens = _frame(db, "SELECT token_id, token FROM screening_tokens ORDER BY token_id")
    postings = _frame(db, "SELECT token_id, name_no FROM screening_postings")
    return names, tokens, postings


def screening_matched(db, ref_nos: list[int], name_nos: list[int]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The entries (by ref_no) and the listed names (by name_no) a screen matched."""
    entries = _frame(db, """
        SELECT ref_no, list, ref_id, name, destination, listed_date, license_requirement, license_policy,
               fr_citation, list_url, programs, type
        FROM screening_entries WHERE ref_no IN (SELECT unnest(?))""", [list(map(int, ref_nos))])
    names = _frame(db, "SELECT name_no, kind, text FROM screening_names WHERE name_no IN (SELECT unnest(?))",
                   [list(map(int, name_nos))])
    return entries, names


def screening_version(db) -> dict:
    """The screening list's version and date, its rows by list, and the entries screened as the EL."""
    rows = _frame(db, """
        SELECT version_id, version_date, list, count(*) AS rows FROM screening_list GROUP BY ALL
        ORDER BY rows DESC, list""")
    entries = _frame(db, "SELECT count(*) AS n FROM screening_entries WHERE list = 'EL'")["n"].iloc[0]
    first = rows.iloc[0] if len(rows) else None
    return {"version_id": None if first is None else first["version_id"],
            "version_date": None if first is None else pd.Timestamp(first["version_date"]).date(),
            "rows": int(rows["rows"].sum()) if len(rows) else 0,
            "by_list": dict(zip(rows["list"], rows["rows"].astype(int), strict=True)),
            "entity_list_entries": int(entries)}


def screening_destinations(db) -> list[str]:
    """Every destination and country name a screened line may end with."""
    return _frame(db, """
        SELECT DISTINCT destination FROM entities UNION SELECT DISTINCT destination FROM screening_countries
        ORDER BY 1""")["destination"].dropna().tolist()


# --- The index, built once per store build and shared by the pages and the API ---

_index_lock = threading.Lock()
_indexes: dict[str, ScreeningIndex] = {}
INDEXES_KEPT = 2  # the build being served and the one before it, while readers move over


def screening_index(db, build_id: str) -> ScreeningIndex:
    """The screening index of the store `db` reads (whose build is `build_id`), made once per build."""
    with _index_lock:
        if build_id in _indexes:
            return _indexes[build_id]
        index = ScreeningIndex.from_frames(*screening_index_frames(db))
        _indexes[build_id] = index
        while len(_indexes) > INDEXES_KEPT:
            _indexes.pop(next(iter(_indexes)))
        return index
