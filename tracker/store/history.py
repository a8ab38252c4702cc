"""The list's history: its versions, and what changed between two of them.

Answered from `version_entries` (tracker.store.layout): each version's entries with a hash per
compared field of its normalised value (h_) and of its raw value (r_). Two versions' entries are
first told apart on one hash of every raw value; only the entries that differ are looked at field by
field: a field whose normalised hashes differ changed, one whose raw hashes alone differ changed in
writing only (format-only). A field that either version's source lacks, or gives in part or in
another shape (list_versions.fields_lacking / fields_partial), is not compared.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from tracker import schema
from tracker.store.connection import _frame
from tracker.store.layout import COMPARED_FIELDS


@dataclass(frozen=True)
class Version:
    """One version of the list, as list_versions holds it, with its name (its date, see `versions`)."""

    version_id: str
    name: str
    date: str
    source_kind: str
    variant: str | None
    source: str
    source_path: str
    date_meaning: str
    notes: str | None
    rows: int
    matched_rows: int
    fields_lacking: tuple[str, ...]
    fields_partial: tuple[str, ...]

    @property
    def unmatched_rows(self) -> int:
        return self.rows - self.matched_rows


@dataclass(frozen=True)
class VersionDiff:
    """What changed from one version to another.

    `kinds`: one row per entry added, removed, changed or changed in writing only (entity_no,
    destination, kind): every difference, counted from it. `entries`: those entries (all of them, or
    the first `shown` of them by entry number, see `complete`) with today's id, name,
    destination and status, the fields that changed (`changed_fields`) and those that changed only
    in writing (`format_fields`), and old_<field>/new_<field> for each compared field. `fields`: one
    row per field that changed in one of those entries (entity_id, field, old, new, format_only).
    `not_compared`: field -> why it is not compared.
    """

    old: Version
    new: Version
    compared: tuple[str, ...]
    not_compared: dict[str, str]
    entries: pd.DataFrame
    fields: pd.DataFrame
    kinds: pd.DataFrame

    def count(self, kind: str) -> int:
        return int((self.kinds["kind"] == kind).sum())

    @property
    def complete(self) -> bool:
        """Whether `entries` holds every entry that differs (else the first ones of each kind)."""
        return len(self.entries) == len(self.kinds)

    @property
    def counts(self) -> dict[str, int]:
        return {kind: self.count(kind) for kind in schema.DIFF_KINDS}

    @property
    def unmatched(self) -> dict[str, int]:
        """Rows of each version matched to no entry: neither added nor removed, counted apart."""
        return {self.old.version_id: self.old.unmatched_rows, self.new.version_id: self.new.unmatched_rows}

    def by_destination(self) -> pd.DataFrame:
        """destination, kind, entries: the differences counted by today's destination of each entry."""
        counts = self.kinds.groupby(["destination", "kind"], dropna=False).size().rename("entries")
        return counts.reset_index().sort_values(["destination", "kind"], ignore_index=True)


def _split(cell: object) -> tuple[str, ...]:
    return tuple(cell.split(schema.LIST_SEPARATOR)) if isinstance(cell, str) and cell else ()


def _names(frame: pd.DataFrame) -> list[str]:
    """Each version's name: its date, with its variant (or source kind) when another shares the date."""
    shared = frame["date"].duplicated(keep=False)
    apart = frame["variant"].where(frame["variant"].notna(), frame["source_kind"])
    return [f"{day} {other}" if twin else day for day, twin, other in zip(frame["date"], shared, apart,
                                                                            strict=True)]


def versions(db) -> list[Version]:
    """Every version of the list, oldest first."""
    frame = _frame(db, """
        SELECT version_id, strftime(date, '%Y-%m-%d') AS date, source_kind, variant, source, source_path,
               date_meaning, notes, rows, matched_rows, fields_lacking, fields_partial
        FROM list_versions ORDER BY date, version_id""")
    frame["name"] = _names(frame)
    return [Version(version_id=r.version_id, name=r.name, date=r.date, source_kind=r.source_kind,
                    variant=r.variant, source=r.source, source_path=r.source_path,
                    date_meaning=r.date_meaning, notes=r.notes, rows=int(r.rows),
                    matched_rows=int(r.matched_rows), fields_lacking=_split(r.fields_lacking),
                    fields_partial=_split(r.fields_partial)) for r in frame.itertuples()]


def not_compared(old: Version, new: Version) -> dict[str, str]:
    """Field -> why it is not compared between these two versions (fields compared are left out)."""
    out = {}
    for field in COMPARED_FIELDS:
        lacking = [v.name for v in (old, new) if field in v.fields_lacking]
        partial = [v.name for v in (old, new) if field in v.fields_partial]
        if lacking:
            out[field] = f"{schema.DIFF_NOT_IN_SOURCE} ({', '.join(lacking)})"
        elif partial:
            out[field] = f"{schema.DIFF_IN_PART} ({', '.join(partial)})"
    return out


def _field_sql(compared: tuple[str, ...]) -> str:
    # Field names come from COMPARED_FIELDS, never from a user: they are written into the SQL.
    changed = ", ".join(f"CASE WHEN a.h_{f} <> b.h_{f} THEN '{f}' END" for f in compared)
    writing = ", ".join(f"CASE WHEN a.h_{f} = b.h_{f} AND a.r_{f} <> b.r_{f} THEN '{f}' END"
                        for f in compared)
    values = ", ".join(f"a.v_{f} AS old_{f}, b.v_{f} AS new_{f}" for f in compared)
    # Comma-joined, not lists: a frame of text columns is made from Arrow, without a second run.
    none = "''"
    return (f"array_to_string(list_filter([{changed}], lambda x: x IS NOT NULL), ',') AS changed_fields, "
            if compared else f"{none} AS changed_fields, ") + \
           (f"array_to_string(list_filter([{writing}], lambda x: x IS NOT NULL), ',') AS format_fields"
            if compared else f"{none} AS format_fields") + (f", {values}" if compared else "")


# Every entry whose raw values differ, or (`chosen`) the entries $nos, numbered between $lo and $hi
# (the numbers let the scan skip the row groups holding none of them).
_ALL_DIFFERING = """
    a0 AS (SELECT entity_no, r_all FROM version_entries WHERE version_id = $old),
    b0 AS (SELECT entity_no, r_all FROM version_entries WHERE version_id = $new),
    d AS (SELECT coalesce(a0.entity_no, b0.entity_no) AS entity_no
          FROM a0 FULL JOIN b0 USING (entity_no) WHERE a0.r_all IS DISTINCT FROM b0.r_all)"""
_CHOSEN = "d AS (SELECT unnest($nos) AS entity_no)"


def _diff_sql(compared: tuple[str, ...], chosen: bool = False) -> str:
    within = "AND entity_no BETWEEN $lo AND $hi" if chosen else ""
    return f"""
        WITH {_CHOSEN if chosen else _ALL_DIFFERING},
             a AS (SELECT * FROM version_entries WHERE version_id = $old {within}
                   AND entity_no IN (SELECT entity_no FROM d)),
             b AS (SELECT * FROM version_entries WHERE version_id = $new {within}
                   AND entity_no IN (SELECT entity_no FROM d))
        SELECT e.entity_no, e.entity_id, e.name, e.destination, e.status,
               strftime(e.removed_date, '%Y-%m-%d') AS removed_date, e.removed_fr_citation,
               a.entity_no IS NULL AS is_added, b.entity_no IS NULL AS is_removed,
               a.matches AS old_match, b.matches AS new_match, a.v_fr_citations AS old_citations,
               b.v_fr_citations AS new_citations, {_field_sql(compared)}
        FROM d JOIN (SELECT * FROM entities {"WHERE entity_no BETWEEN $lo AND $hi" if chosen else ""}) e
            USING (entity_no)
        LEFT JOIN a USING (entity_no) LEFT JOIN b USING (entity_no)
        ORDER BY e.destination, e.name, e.entity_id"""


def _kinds(frame: pd.DataFrame) -> pd.Series:
    changed = frame["changed_fields"].map(len) > 0
    writing = frame["format_fields"].map(len) > 0
    kind = pd.Series(pd.NA, index=frame.index, dtype=object)
    kind[writing] = schema.DIFF_FORMAT_ONLY
    kind[changed] = schema.DIFF_CHANGED
    kind[frame["is_added"].astype(bool)] = schema.DIFF_ADDED
    kind[frame["is_removed"].astype(bool)] = schema.DIFF_REMOVED
    return kind


def _long_fields(entries: pd.DataFrame, compared: tuple[str, ...]) -> pd.DataFrame:
    """One row per (entry, field) that changed, in writing or in substance."""
    rows = []
    for entry in entries[entries["kind"].isin((schema.DIFF_CHANGED, schema.DIFF_FORMAT_ONLY))].itertuples():
        for field in compared:
            if field in entry.changed_fields or field in entry.format_fields:
                rows.append({"entity_id": entry.entity_id, "name": entry.name,
                             "destination": entry.destination, "field": field,
                             "old": getattr(entry, f"old_{field}"),
                             "new": getattr(entry, f"new_{field}"),
                             "format_only": field not in entry.changed_fields})
    return pd.DataFrame(rows, columns=["entity_id", "name", "destination", "field", "old", "new",
                                       "format_only"])


def _entries(db, sql: str, params: dict) -> pd.DataFrame:
    """The entries that differ, field by field, each with its kind (entries alike left out)."""
    frame = _frame(db, sql, params)
    for column in ("changed_fields", "format_fields"):
        frame[column] = frame[column].map(lambda x: tuple(x.split(",")) if x else ())
    frame["kind"] = _kinds(frame)
    return frame[frame["kind"].notna()].drop(columns=["is_added", "is_removed"]).reset_index(drop=True)


_HASHED_KINDS = f"""
    SELECT a.entity_no, b.entity_no AS aligned_no, a.destination,
           CASE WHEN a.r_all IS NULL THEN '{schema.DIFF_ADDED}'
                WHEN b.r_all IS NULL THEN '{schema.DIFF_REMOVED}'
                WHEN a.h_all <> b.h_all THEN '{schema.DIFF_CHANGED}'
                ELSE '{schema.DIFF_FORMAT_ONLY}' END AS kind
    FROM (SELECT entity_no, destination, r_all, h_all FROM version_hashes WHERE version_id = $old) a
    POSITIONAL JOIN (SELECT entity_no, r_all, h_all FROM version_hashes WHERE version_id = $new) b
    WHERE a.r_all IS DISTINCT FROM b.r_all"""


def _hashed_kinds(db, old_id: str, new_id: str) -> pd.DataFrame:
    """entity_no, destination, kind of every entry that differs, from r_all and h_all alone: valid when
    every field is compared. version_hashes holds a row per version and entry number, so the two
    versions' rows line up by position (checked on every row that differs: a row out of line would
    differ)."""
    frame = _frame(db, _HASHED_KINDS, {"old": old_id, "new": new_id})
    if not (frame["entity_no"] == frame["aligned_no"]).all():
        raise RuntimeError("version_hashes: the two versions' rows are not in line")
    return frame.drop(columns="aligned_no")


def version_diff(db, old_id: str, new_id: str, shown: int | None = None, whole: int = 0) -> VersionDiff:
    """What changed from version `old_id` to version `new_id` (ids, see `versions`).

    With `shown`, when every field is compared, the differences are found and counted from the
    hashes alone (`kinds`), and only the first `shown` entries that differ (by entry number) are
    read field by field with their text (`entries`, `fields`; see `complete`), or every one of them
    when at most `whole` differ."""
    by_id = {v.version_id: v for v in versions(db)}
    if old_id not in by_id or new_id not in by_id:
        raise KeyError(f"no version {old_id if old_id not in by_id else new_id}")
    old, new = by_id[old_id], by_id[new_id]
    skipped = not_compared(old, new)
    compared = tuple(f for f in COMPARED_FIELDS if f not in skipped)
    params = {"old": old_id, "new": new_id}
    if shown is None or skipped:  # a field left out: which entries differ depends on the fields
        entries = _entries(db, _diff_sql(compared), params)
        kinds = entries[["entity_no", "destination", "kind"]].sort_values("entity_no", ignore_index=True)
    else:
        kinds = _hashed_kinds(db, old_id, new_id)
        # The first by number: read from the fewest row groups.
        nos = kinds["entity_no"] if len(kinds) <= whole else kinds["entity_no"].head(shown)
        if len(nos) == len(kinds) or len(nos) == 0:
            entries = _entries(db, _diff_sql(compared), params)
        else:
            entries = _entries(db, _diff_sql(compared, chosen=True),
                               {**params, "nos": nos.tolist(), "lo": int(nos.min()), "hi": int(nos.max())})
    return VersionDiff(old=old, new=new, compared=compared, not_compared=skipped, entries=entries,
                       fields=_long_fields(entries, compared), kinds=kinds)
