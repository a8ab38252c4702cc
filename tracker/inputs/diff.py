"""What changed between two versions of an input: rows added, removed and changed, cell by cell.

Rows are matched by the table's key column (`entity_id`, `rule_id`, ...). When the
key cannot identify rows (missing, empty or repeated in either version) the rows
are compared in order instead, and `TableDiff.message` says why.

Two renderings: `render_text` for people and `render_patch`, a unified diff of the
CSV text that `git apply` accepts, for editors whose host does not keep files.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from tracker.inputs import validate
from tracker.inputs.validate import Problem
from tracker.schema import Table

Row = dict[str, str]


class CsvError(ValueError):
    """A CSV file cannot be read; `problem` says where (file, line, column) and why."""

    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem


@dataclass(frozen=True)
class CellChange:
    """One cell whose value differs between the old and the new version."""

    key: str
    column: str
    old: str
    new: str


@dataclass
class TableDiff:
    """Rows added, removed and changed between two versions of one input."""

    table: str
    key: str | None  # None when rows were compared in order
    added: dict[str, Row] = field(default_factory=dict)  # label -> row
    removed: dict[str, Row] = field(default_factory=dict)
    changed: list[CellChange] = field(default_factory=list)
    columns_added: list[str] = field(default_factory=list)
    columns_removed: list[str] = field(default_factory=list)
    message: str = ""

    @property
    def changed_keys(self) -> list[str]:
        """Labels of the changed rows, in order, each once."""
        return list(dict.fromkeys(c.key for c in self.changed))

    @property
    def counts(self) -> dict[str, int]:
        """Rows added, removed and changed, and cells changed."""
        return {"added": len(self.added), "removed": len(self.removed),
                "changed": len(self.changed_keys), "cells": len(self.changed)}

    @property
    def is_empty(self) -> bool:
        """True when no row, cell or column differs."""
        return not (self.added or self.removed or self.changed
                    or self.columns_added or self.columns_removed)

    def summary(self) -> str:
        """One line: the file and its counts."""
        n = self.counts
        by = f"matched by {self.key}" if self.key else "compared row by row"
        return (f"{self.table}.csv: {n['added']} added, {n['removed']} removed, "
                f"{n['changed']} changed ({n['cells']} cells), {by}")

    def records(self) -> list[dict[str, str]]:
        """Every change as a flat record (change, key, column, old, new), for a table on screen."""
        out = [{"change": "added", "key": k, "column": "", "old": "", "new": _row_text(r)}
               for k, r in self.added.items()]
        out += [{"change": "removed", "key": k, "column": "", "old": _row_text(r), "new": ""}
                for k, r in self.removed.items()]
        out += [{"change": "changed", "key": c.key, "column": c.column, "old": c.old, "new": c.new}
                for c in self.changed]
        return out


def read_csv_bytes(data: bytes, name: str) -> tuple[list[str], list[Row]]:
    """Header and rows (cells stripped) of CSV bytes; raises CsvError naming the line and column."""
    # The validator's own reader, so a file is located the same way in every message.
    text, problem = validate.decode(name, data)
    if problem:
        raise CsvError(problem)
    records, problems = validate.read_records(name, text)
    if problems:
        raise CsvError(problems[0])
    if not records:
        return [], []
    header = [cell.strip() for cell in records[0][1]]
    return header, [_as_row(header, [cell.strip() for cell in record]) for _, record in records[1:]]


def _as_row(header: list[str], record: list[str]) -> Row:
    # Cells beyond the header are kept under a visible name rather than dropped from the diff.
    names = header + [f"(column {i})" for i in range(len(header) + 1, len(record) + 1)]
    return {name: record[i] if i < len(record) else "" for i, name in enumerate(names)}


def diff_csv_bytes(table: Table, old: bytes, new: bytes) -> TableDiff:
    """Diff of two versions of a table's CSV file; raises CsvError when one cannot be read."""
    old_header, old_rows = read_csv_bytes(old, f"{table.filename} (old)")
    new_header, new_rows = read_csv_bytes(new, f"{table.filename} (new)")
    return diff_tables(table, old_rows, new_rows, old_header, new_header)


def diff_tables(table: Table, old_rows: list[Row], new_rows: list[Row],
                old_header: list[str] | None = None, new_header: list[str] | None = None) -> TableDiff:
    """Diff of two lists of rows, matched by the table's key, else compared in order."""
    old_columns = old_header if old_header is not None else _columns_of(old_rows)
    new_columns = new_header if new_header is not None else _columns_of(new_rows)
    common = [c for c in new_columns if c in old_columns]
    diff = TableDiff(table.name, table.key,
                     columns_added=[c for c in new_columns if c not in old_columns],
                     columns_removed=[c for c in old_columns if c not in new_columns])
    reason = _key_problem(table.key, old_columns, new_columns, old_rows, new_rows)
    if reason:
        diff.key = None
        diff.message = f"{reason}; rows were compared in order instead"
        _diff_in_order(diff, common, old_rows, new_rows)
    else:
        _diff_by_key(diff, common, old_rows, new_rows)
    return diff


def _columns_of(rows: list[Row]) -> list[str]:
    return list(dict.fromkeys(name for row in rows for name in row))


def _key_problem(key: str, old_columns: list[str], new_columns: list[str],
                 old_rows: list[Row], new_rows: list[Row]) -> str | None:
    """Why the key cannot match rows, or None when it can."""
    for version, columns, rows in (("old", old_columns, old_rows), ("new", new_columns, new_rows)):
        if key not in columns:
            return f"the {version} version has no key column '{key}'"
        seen: set[str] = set()
        for number, row in enumerate(rows, start=1):
            value = row.get(key, "")
            if not value:
                return f"row {number} of the {version} version has no {key}"
            if value in seen:
                return f"{key} '{value}' appears more than once in the {version} version"
            seen.add(value)
    return None


def _diff_by_key(diff: TableDiff, common: list[str], old_rows: list[Row], new_rows: list[Row]) -> None:
    key = diff.key
    old_by_key = {row[key]: row for row in old_rows}
    new_keys = {row[key] for row in new_rows}
    for row in new_rows:
        before = old_by_key.get(row[key])
        if before is None:
            diff.added[row[key]] = row
        else:
            diff.changed.extend(_cell_changes(row[key], common, before, row))
    for row in old_rows:
        if row[key] not in new_keys:
            diff.removed[row[key]] = row


def _diff_in_order(diff: TableDiff, common: list[str], old_rows: list[Row], new_rows: list[Row]) -> None:
    old_cells = [tuple(row.get(c, "") for c in common) for row in old_rows]
    new_cells = [tuple(row.get(c, "") for c in common) for row in new_rows]
    matcher = difflib.SequenceMatcher(a=old_cells, b=new_cells, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        # A replaced block pairs its rows one to one; what is left over was added or removed.
        paired = min(i2 - i1, j2 - j1) if tag == "replace" else 0
        for k in range(paired):
            diff.changed.extend(_cell_changes(f"row {j1 + k + 1}", common, old_rows[i1 + k],
                                              new_rows[j1 + k]))
        for i in range(i1 + paired, i2):
            diff.removed[f"old row {i + 1}"] = old_rows[i]
        for j in range(j1 + paired, j2):
            diff.added[f"row {j + 1}"] = new_rows[j]


def _cell_changes(key: str, columns: list[str], old: Row, new: Row) -> list[CellChange]:
    return [CellChange(key, c, old.get(c, ""), new.get(c, "")) for c in columns
            if old.get(c, "") != new.get(c, "")]


def _row_text(row: Row, limit: int = 60) -> str:
    return "; ".join(f"{k}={_short(v, limit)}" for k, v in row.items() if v)


def _short(value: str, limit: int) -> str:
    value = value.replace("\n", " ")
    return value if len(value) <= limit else value[: limit - 1] + "…"


def excerpt_pair(old: str, new: str, width: int = 80) -> tuple[str, str]:
    """Both values cut to about `width` characters around where they first differ."""
    old, new = old.replace("\n", " "), new.replace("\n", " ")
    if max(len(old), len(new)) <= width:
        return old, new
    start = 0
    while start < min(len(old), len(new)) and old[start] == new[start]:
        start += 1
    start = max(0, start - width // 4)

    def cut(value: str) -> str:
        piece = value[start: start + width]
        return ("…" if start else "") + piece + ("…" if start + width < len(value) else "")

    return cut(old), cut(new)


def render_text(diff: TableDiff, limit: int | None = 200) -> str:
    """The diff as plain text: a summary line, then one line per added/removed row and changed cell."""
    lines = [diff.summary()]
    if diff.message:
        lines.append(f"note: {diff.message}")
    if diff.columns_added:
        lines.append("columns added: " + ", ".join(diff.columns_added))
    if diff.columns_removed:
        lines.append("columns removed: " + ", ".join(diff.columns_removed))
    body = [f"+ {k}: {_row_text(r)}" for k, r in diff.added.items()]
    body += [f"- {k}: {_row_text(r)}" for k, r in diff.removed.items()]
    body += [f"~ {c.key} {c.column}: {old!r} -> {new!r}"
             for c in diff.changed for old, new in [excerpt_pair(c.old, c.new)]]
    if limit is not None and len(body) > limit:
        body = body[:limit] + [f"... and {len(body) - limit} more lines"]
    return "\n".join(lines + body) + "\n"


def render_patch(old: bytes, new: bytes, path: str) -> str:
    """A unified diff of the CSV text that `git apply` accepts; `path` is the file's path in the repo."""
    old_lines = _lines(old.decode("utf-8", errors="replace"))
    new_lines = _lines(new.decode("utf-8", errors="replace"))
    out = []
    for line in difflib.unified_diff(old_lines, new_lines, f"a/{path}", f"b/{path}"):
        if line.endswith("\n"):
            out.append(line)
        else:
            out.append(line + "\n\\ No newline at end of file\n")
    return "".join(out)


def _lines(text: str) -> list[str]:
    # str.splitlines also splits on characters such as U+2028 that may sit inside a cell.
    return re.findall(r"[^\n]*\n|[^\n]+$", text)
