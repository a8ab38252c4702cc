"""Saving edits to the CSV inputs without losing anything.

A save, in this order (each step is placed so that stopping after it leaves
the inputs, the backups and the store consistent):

1. Validate every changed table together with the unchanged ones. Any error
   refuses the save (`SaveRefused`) and nothing is written.
2. Copy each file about to change to `backups/<table>/<UTC stamp>.csv`. Stopping
   here leaves only an extra copy of the current version.
3. Write a journal (`backups/.pending.json`) naming those copies.
4. Replace the inputs atomically, referenced tables first (rules, then entities,
   then events), so every prefix of these writes is itself valid input.
5. Append one line per file to `backups/audit.log`, then delete the journal.
   An exception in 4-5 puts the previous versions back from the copies at once;
   a process killed there leaves the journal, and the next save (or `recover`)
   puts them back. A save of several files is therefore all or nothing.
6. Rebuild the store. If this fails or never runs, the store keeps serving the
   previous build, `build.is_stale()` reports it stale (its manifest's hashes no
   longer match the inputs) and the next `build.ensure_store()` rebuilds it.

Saves are serialised by a lock file in the backups folder.
"""

from __future__ import annotations

import contextlib
import csv
import fcntl
import hashlib
import io
import json
import os
import re
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from tracker import schema
from tracker.citations import split_citation, year_of_volume
from tracker.config import DataPaths
from tracker.inputs import files
from tracker.inputs.diff import CsvError, TableDiff, diff_csv_bytes, read_csv_bytes, render_patch
from tracker.inputs.validate import Problem, ValidationResult, validate_dir
from tracker.store import build
from tracker.store.manifest import Manifest

AUDIT_LOG = "audit.log"
JOURNAL = ".pending.json"
LOCK = ".save.lock"
LEFTOVER_AGE_S = 60  # a temporary file this old belongs to no write still running
_COMMUNITY_CLOUD_MOUNT = Path("/mount/src")
_STAMP = re.compile(r"\d{8}T\d{12}Z(-\d+)?")

Row = dict[str, str]


class SaveRefused(Exception):
    """The edit would leave errors in the inputs; nothing was written. `result` holds every problem."""

    def __init__(self, result: ValidationResult):
        first = result.errors[0] if result.errors else "no details"
        super().__init__(f"{len(result.errors)} errors in the inputs, so nothing was saved; "
                         f"first: {first}")
        self.result = result


class EditConflict(Exception):
    """The file changed since the editor opened it; nothing was written."""


@dataclass(frozen=True)
class EditCheck:
    """What a save would do: its validation and its diff. Nothing is written."""

    table: str
    result: ValidationResult
    diff: TableDiff

    @property
    def ok(self) -> bool:
        return self.result.ok


@dataclass(frozen=True)
class FileSave:
    """One file a save replaced."""

    table: str
    diff: TableDiff
    backup_file: Path | None  # copy of the previous version; None when there was no file


@dataclass(frozen=True)
class SaveResult:
    """What a save wrote and whether the store now shows it."""

    files: tuple[FileSave, ...]
    warnings: tuple[Problem, ...] = ()
    manifest: Manifest | None = None  # of the store after the save
    build_error: str | None = None  # the inputs are saved, but the store still shows the old ones

    @property
    def saved(self) -> bool:
        return bool(self.files)

    @property
    def published(self) -> bool:
        return self.build_error is None and self.manifest is not None

    @property
    def diff(self) -> TableDiff | None:
        """Diff of the first file saved (the only one for single-file saves)."""
        return self.files[0].diff if self.files else None

    def lines(self) -> list[str]:
        """What happened, one sentence a line."""
        if not self.files:
            out = ["no changes; nothing was saved"]
        else:
            out = [f"saved {f.diff.summary()}"
                   + (f"; previous version kept as {f.backup_file.name}" if f.backup_file else "")
                   for f in self.files]
        if self.build_error:
            out.append(f"the store was not rebuilt ({self.build_error}); it keeps showing the "
                       "previous data and is rebuilt on the next start or build")
        elif self.manifest:
            out.append(f"store rebuilt: {self.manifest.build_id}")
        return out


@dataclass(frozen=True)
class Version:
    """A previous version of an input, kept in the backups folder."""

    table: str
    version: str  # the file's stem, a UTC time stamp
    path: Path
    replaced_at: datetime
    size: int
    replaced_by: str | None = None  # editor of the save that replaced it, from the audit log
    action: str | None = None


@dataclass
class _Plan:
    table: schema.Table
    old: bytes | None
    new: bytes
    diff: TableDiff
    backup_file: Path | None = None
    extra: dict = field(default_factory=dict)


def persistent_storage() -> bool | None:
    """Whether saved files outlive a restart: False on Streamlit Community Cloud, None when unknown.

    TRACKER_EPHEMERAL_DISK=1 declares the disk ephemeral and =0 persistent, overriding
    the guess. Without it, Community Cloud is recognised by the repository being
    mounted at /mount/src or HOSTNAME=streamlit, the markers apps there commonly test;
    neither is a documented contract, hence the variable.
    """
    declared = os.environ.get("TRACKER_EPHEMERAL_DISK", "").strip().lower()
    if declared in ("1", "true", "yes"):
        return False
    if declared in ("0", "false", "no"):
        return True
    if os.environ.get("HOSTNAME") == "streamlit" or _COMMUNITY_CLOUD_MOUNT.is_dir():
        return False
    return None


def table_named(name: str) -> schema.Table:
    """The declared table of that name; ValueError naming the known ones otherwise."""
    try:
        return schema.TABLES_BY_NAME[name]
    except KeyError:
        raise ValueError(f"unknown input '{name}'; expected one of: "
                         + ", ".join(schema.TABLES_BY_NAME)) from None


def current_bytes(paths: DataPaths, table_name: str) -> bytes | None:
    """The input file's bytes as they are on disk, or None when it does not exist."""
    path = paths.inputs / table_named(table_name).filename
    return path.read_bytes() if path.exists() else None


def file_hash(data: bytes | None) -> str | None:
    """SHA-256 of a file's bytes (what `expected_hash` compares), None for no file."""
    return None if data is None else hashlib.sha256(data).hexdigest()


def read_rows(paths: DataPaths, table_name: str) -> list[Row]:
    """Rows of an input as text (cells stripped), in file order."""
    data = current_bytes(paths, table_name)
    return [] if data is None else read_csv_bytes(data, table_named(table_name).filename)[1]


def check_edit(paths: DataPaths, table_name: str, new_bytes: bytes) -> EditCheck:
    """Validate a replacement against the other inputs and diff it against the file; writes nothing."""
    table = table_named(table_name)
    result = validate_dir(paths.inputs, replacements={table.name: new_bytes})
    try:
        diff = _diff(table, current_bytes(paths, table.name), new_bytes)
    except CsvError:
        diff = TableDiff(table.name, table.key, message="the new file cannot be read; see the errors")
    return EditCheck(table.name, result, diff)


def patch_for(paths: DataPaths, table_name: str, new_bytes: bytes) -> str:
    """A unified patch (for `git apply` at the repository root) from the file on disk to `new_bytes`."""
    table = table_named(table_name)
    return render_patch(current_bytes(paths, table.name) or b"", new_bytes, f"data/inputs/{table.filename}")


def _diff(table: schema.Table, old: bytes | None, new: bytes) -> TableDiff:
    """The diff of a save; a previous file that cannot be read counts as empty, so it can be replaced."""
    try:
        return diff_csv_bytes(table, old or b"", new)
    except CsvError as error:
        if "(new)" in error.problem.file:
            raise
        diff = diff_csv_bytes(table, b"", new)
        diff.message = (f"the previous file cannot be read ({error.problem.message}, line "
                        f"{error.problem.line}); every row counts as added")
        return diff


def save_input(paths: DataPaths, table_name: str, new_bytes: bytes, editor: str | None = None, *,
               expected_hash: str | None = None) -> SaveResult:
    """Validate, keep the previous version, write atomically, audit and rebuild (see the module doc).

    Raises SaveRefused (nothing written) while any error remains, and EditConflict when
    `expected_hash` is given and the file on disk no longer has it.
    """
    expected = {table_name: expected_hash} if expected_hash else None
    return save_inputs(paths, {table_name: new_bytes}, editor, action="edit", expected=expected)


def save_inputs(paths: DataPaths, replacements: dict[str, bytes], editor: str | None = None, *,
                action: str = "edit", details: dict | None = None,
                expected: dict[str, str] | None = None) -> SaveResult:
    """Save several inputs together, all or nothing; `action` and `details` go to the audit lines."""
    tables = [table_named(name) for name in replacements]
    with _save_lock(paths):
        _recover(paths)
        for name, wanted in (expected or {}).items():
            if file_hash(current_bytes(paths, name)) != wanted:
                raise EditConflict(f"{table_named(name).filename} changed on disk since it was "
                                   "opened; nothing was saved. Reload it and edit again.")
        result = validate_dir(paths.inputs, replacements=replacements)
        if not result.ok:
            raise SaveRefused(result)
        plans = [_plan(paths, t, replacements[t.name]) for t in schema.TABLES if t in tables]
        plans = [p for p in plans if p.old != p.new]
        if plans:
            _commit(paths, plans, editor, action, details or {})
        manifest, build_error = _rebuild(paths)
    files = tuple(FileSave(p.table.name, p.diff, p.backup_file) for p in plans)
    return SaveResult(files, tuple(result.warnings), manifest, build_error)


def _plan(paths: DataPaths, table: schema.Table, new: bytes) -> _Plan:
    old = current_bytes(paths, table.name)
    return _Plan(table, old, new, _diff(table, old, new))


def _commit(paths: DataPaths, plans: list[_Plan], editor: str | None, action: str, details: dict) -> None:
    batch = uuid.uuid4().hex[:12]
    for plan in plans:
        if plan.old is not None:
            plan.backup_file = _backup_copy(paths, plan.table.name, plan.old)
    journal = {"batch": batch, "files": {
        p.table.name: {"backup_file": _relative(paths, p.backup_file), "new_sha256": file_hash(p.new)}
        for p in plans}}
    files.write_atomic(paths.backups / JOURNAL, json.dumps(journal, indent=2).encode())
    try:
        for plan in plans:
            files.write_atomic(paths.inputs / plan.table.filename, plan.new)
        for plan in plans:
            _audit(paths, action=action, file=plan.table.filename, editor=editor, batch=batch,
                   **{k: v for k, v in plan.diff.counts.items() if k != "cells"},
                   backup_file=_relative(paths, plan.backup_file), **details)
    except BaseException:
        _recover(paths)
        raise
    (paths.backups / JOURNAL).unlink()


def recover(paths: DataPaths) -> list[str]:
    """Put back the previous versions of a save that was interrupted while writing; returns the files."""
    with _save_lock(paths):
        return _recover(paths)


def _recover(paths: DataPaths) -> list[str]:
    # Only under the save lock: a journal is also present while a save is running.
    _remove_leftovers(paths)
    journal_path = paths.backups / JOURNAL
    if not journal_path.exists():
        return []
    journal = json.loads(journal_path.read_text())
    restored = []
    for name, entry in journal["files"].items():
        target = paths.inputs / table_named(name).filename
        copy = entry["backup_file"]
        if copy is None:
            # The file did not exist before the save: remove it only if the save created it.
            if file_hash(current_bytes(paths, name)) == entry["new_sha256"]:
                target.unlink()
                restored.append(target.name)
        elif file_hash(current_bytes(paths, name)) != file_hash((paths.backups / copy).read_bytes()):
            files.write_atomic(target, (paths.backups / copy).read_bytes())
            restored.append(target.name)
    _audit(paths, action="rollback", batch=journal["batch"], files=restored,
           note="an interrupted save was undone from its backup copies")
    journal_path.unlink()
    return restored


def _remove_leftovers(paths: DataPaths) -> None:
    """Delete the temporary files of writes killed half way (`files.write_atomic`'s `.<name>.*.tmp`)."""
    for folder in (paths.inputs, paths.backups):
        for leftover in folder.glob(".*.tmp") if folder.is_dir() else ():
            with contextlib.suppress(OSError):  # the age guards a write outside the save lock (import)
                if time.time() - leftover.stat().st_mtime > LEFTOVER_AGE_S:
                    leftover.unlink()


def _rebuild(paths: DataPaths) -> tuple[dict | None, str | None]:
    try:
        manifest = build.ensure_store(paths)
    except Exception as error:  # the inputs are saved; the store catches up on the next ensure_store
        return build.read_manifest(paths), f"{type(error).__name__}: {error}"
    if build.is_stale(paths):
        return manifest, "the inputs did not validate at build time"
    return manifest, None


def _backup_copy(paths: DataPaths, table_name: str, data: bytes) -> Path:
    folder = paths.backups / table_name
    folder.mkdir(parents=True, exist_ok=True)
    stamp = f"{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}"
    path, n = folder / f"{stamp}.csv", 1
    while path.exists():
        n += 1
        path = folder / f"{stamp}-{n}.csv"
    files.write_atomic(path, data)
    return path


def _relative(paths: DataPaths, path: Path | None) -> str | None:
    return None if path is None else path.relative_to(paths.backups).as_posix()


def _audit(paths: DataPaths, **entry) -> None:
    line = {"when": datetime.now(UTC).isoformat(timespec="seconds"), **entry}
    paths.backups.mkdir(parents=True, exist_ok=True)
    with open(paths.backups / AUDIT_LOG, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(line, ensure_ascii=False) + "\n")
        handle.flush()
        os.fsync(handle.fileno())


@contextlib.contextmanager
def _save_lock(paths: DataPaths):
    paths.backups.mkdir(parents=True, exist_ok=True)
    with open(paths.backups / LOCK, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def audit_entries(paths: DataPaths) -> list[dict]:
    """The audit log, oldest first; a line that cannot be read is skipped."""
    path = paths.backups / AUDIT_LOG
    if not path.exists():
        return []
    entries = []
    for line in path.read_text(encoding="utf-8").splitlines():
        with contextlib.suppress(json.JSONDecodeError):
            entries.append(json.loads(line))
    return entries


def list_versions(paths: DataPaths, table_name: str) -> list[Version]:
    """Previous versions of an input, newest first."""
    table = table_named(table_name)
    folder = paths.backups / table.name
    if not folder.is_dir():
        return []
    # Audit lines written before the rename name the copy `history_file`.
    saves = {e.get("backup_file") or e.get("history_file"): e for e in audit_entries(paths)
             if e.get("backup_file") or e.get("history_file")}
    versions = []
    for path in folder.glob("*.csv"):
        if not _STAMP.fullmatch(path.stem):
            continue
        entry = saves.get(f"{table.name}/{path.name}", {})
        versions.append(Version(table.name, path.stem, path,
                                datetime.strptime(path.stem.split("-")[0], "%Y%m%dT%H%M%S%fZ")
                                .replace(tzinfo=UTC),
                                path.stat().st_size, entry.get("editor"), entry.get("action")))
    return sorted(versions, key=lambda v: v.version, reverse=True)


def restore_version(paths: DataPaths, table_name: str, version: str, editor: str | None = None) -> SaveResult:
    """Make a previous version current again; a save like any other (the current one is kept too)."""
    match = next((v for v in list_versions(paths, table_name) if v.version == version), None)
    if match is None:
        raise ValueError(f"no version '{version}' of {table_named(table_name).filename} in "
                         f"{paths.backups / table_name}; `python -m tracker backups {table_name}` "
                         "lists them")
    return save_inputs(paths, {table_name: match.path.read_bytes()}, editor, action="restore",
                       details={"restored_from": version})


# --- Appending rows: the quick forms and the importers ---

def with_rows(paths: DataPaths, table_name: str, rows: list[Row], replace: bool = False) -> bytes:
    """The input's bytes with rows appended (or, with replace, only these rows), in its own column order.

    Appending keeps the existing bytes as they are, so the patch shows only the new lines.
    """
    table = table_named(table_name)
    old = current_bytes(paths, table.name) or b""
    header = read_csv_bytes(old, table.filename)[0]
    fresh = replace or not header
    header = header or table.column_names
    unknown = sorted({k for row in rows for k in row} - set(header))
    if unknown:
        raise ValueError(f"{table.filename} has no column {', '.join(unknown)}")
    ending = "\r\n" if old.split(b"\n", 1)[0].endswith(b"\r") else "\n"
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header, lineterminator=ending)
    if fresh:
        writer.writeheader()
    writer.writerows({k: row.get(k, "") or "" for k in header} for row in rows)
    if fresh:
        return buffer.getvalue().encode("utf-8")
    if not old.endswith(b"\n"):
        old += ending.encode()
    return old + buffer.getvalue().encode("utf-8")


def next_entity_id(existing: list[str]) -> str:
    """The EL id after the highest of `existing` (EL-0001 when there is none)."""
    numbers = [int(m.group(1)) for i in existing if (m := re.fullmatch(r"EL-(\d+)", i))]
    return f"EL-{max(numbers, default=0) + 1:04d}"


def next_response_id(existing: list[str]) -> str:
    """The r-NNNN id after the highest of `existing`."""
    numbers = [int(m.group(1)) for i in existing if (m := re.fullmatch(r"r-(\d+)", i))]
    return f"r-{max(numbers, default=0) + 1:04d}"


def next_event_number(events: list[Row], entity_id: str) -> int:
    """The sequence number of the next event of an entry (event ids are '<entity_id>-<n>')."""
    prefix = f"{entity_id}-"
    numbers = [int(e["event_id"][len(prefix):]) for e in events
               if e.get("event_id", "").startswith(prefix) and e["event_id"][len(prefix):].isdigit()]
    return max(numbers, default=0) + 1


def add_response(paths: DataPaths, note: Row, editor: str | None = None) -> SaveResult:
    """Append a strategic-response note, giving it the next response id when it has none."""
    note = dict(note)
    if not note.get("response_id"):
        note["response_id"] = next_response_id([r["response_id"] for r in read_rows(paths, "responses")])
    return save_inputs(paths, {"responses": with_rows(paths, "responses", [note])}, editor,
                       action="add-response")


def record_rule(paths: DataPaths, rule: Row, entities: list[Row], editor: str | None = None) -> SaveResult:
    """Record a rule, the entries it added and their 'added' events in one all-or-nothing save.

    Entries without an entity_id get the next EL ids; entries without fr_citations
    get the rule's citation. The rule row is omitted when that rule_id already exists.
    """
    rules = read_rows(paths, "rules")
    new_rules = [] if any(r["rule_id"] == rule.get("rule_id") for r in rules) else [rule]
    ids = [e["entity_id"] for e in read_rows(paths, "entities")]
    entries, events = [], []
    for given in entities:
        entry = dict(given)
        if not entry.get("entity_id"):
            entry["entity_id"] = next_entity_id(ids)
        ids.append(entry["entity_id"])
        entry.setdefault("entry_type", "entity")
        entry.setdefault("status", schema.LISTED)
        entry["fr_citations"] = entry.get("fr_citations") or rule.get("fr_citation", "")
        entries.append(entry)
        events.append(added_event(entry, rule, derivation="editor"))
    return save_inputs(paths, {name: with_rows(paths, name, rows) for name, rows in
                               (("rules", new_rules), ("entities", entries), ("events", events)) if rows},
                       editor, action="record-rule", details={"rule_id": rule.get("rule_id", "")})


def added_event(entry: Row, rule: Row, derivation: str, note: str = "") -> Row:
    """The first ('added') event of a new entry, dated by its rule."""
    citation = entry["fr_citations"].split(schema.CITATION_SEPARATOR)[0].strip()
    date = rule.get("publication_date", "")
    parts = split_citation(citation)
    year = date[:4] or (str(year_of_volume(parts[0])) if parts else "")
    return {"event_id": f"{entry['entity_id']}-1", "entity_id": entry["entity_id"], "action": "added",
            "date": date, "year": year, "fr_citation": citation, "rule_id": rule.get("rule_id", ""),
            "derivation": derivation, "note": note}
