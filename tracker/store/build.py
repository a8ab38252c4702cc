"""Validate the inputs, then build the Parquet store atomically.

Layout of the store folder:

    store/builds/<build id>/*.parquet + manifest.json   one folder per build, never changed
    store/current -> builds/<build id>                   a symlink, swapped in one rename

A failed or interrupted build never touches `current`, so readers keep the
last good store; old builds are pruned, keeping a few for readers still on them.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa

from tracker import schema
from tracker.config import DataPaths
from tracker.inputs.validate import ParsedTable, ValidationResult, validate_dir
from tracker.store import layout
from tracker.store.manifest import MANIFEST_FILE, Manifest, read_manifest_file

KEEP_BUILDS = 3
BUILD_MEMORY = "512MB"  # DuckDB's share while building; more spills to the build's own folder
STALE_STAGING_S = 3600


class BuildError(Exception):
    """The inputs did not validate; `result` holds every problem."""

    def __init__(self, result: ValidationResult):
        super().__init__(f"{len(result.errors)} errors in the inputs")
        self.result = result


@dataclass(frozen=True)
class BuildInfo:
    """What a finished build wrote."""

    path: Path
    manifest: Manifest


def input_hashes(inputs_dir: Path) -> dict[str, str]:
    """SHA-256 of every declared input file that exists."""
    return {table.filename: file_sha256(inputs_dir / table.filename)
            for table in schema.TABLES if (inputs_dir / table.filename).exists()}


# Every app process asks whether the inputs changed every few seconds; a million entries are
# 500 MB of CSV (0.4 s to hash). A file whose identity, size, mtime and ctime are as when it was
# hashed is not read again. As git does, a hash is kept only for a file last changed more than
# RACY_NS before it was read, so a write landing within one clock tick of the read is not missed.
_hashed: dict[Path, tuple[tuple[int, ...], str]] = {}
RACY_NS = 2_000_000_000


def file_sha256(path: Path) -> str:
    """SHA-256 of a file, read again only when its stat says it may have changed."""
    before = path.stat()
    signature = (before.st_dev, before.st_ino, before.st_size, before.st_mtime_ns, before.st_ctime_ns)
    known = _hashed.get(path)
    if known and known[0] == signature:
        return known[1]
    with open(path, "rb") as handle:  # in blocks: an input can be hundreds of megabytes
        digest = hashlib.file_digest(handle, "sha256").hexdigest()
    settled = time.time_ns() - max(before.st_mtime_ns, before.st_ctime_ns) > RACY_NS
    _hashed[path] = (signature if settled else (), digest)
    return digest


def current_build(paths: DataPaths) -> Path | None:
    """Folder of the published build, or None when there is none."""
    link = paths.store / "current"
    if not link.exists():
        return None
    return link.resolve()


def read_manifest(paths: DataPaths) -> Manifest | None:
    """Manifest of the published build, or None (also when it cannot be read)."""
    build = current_build(paths)
    return None if build is None else read_manifest_file(build / MANIFEST_FILE)


def build_is_intact(build_dir: Path | None, manifest: Manifest | None = None) -> bool:
    """Whether a build folder still holds its manifest and every Parquet file it lists, at its size.

    A file deleted or cut short under a running app makes the build damaged, so it is rebuilt.
    """
    manifest = manifest or (read_manifest_file(build_dir / MANIFEST_FILE) if build_dir else None)
    if manifest is None:
        return False
    for name, size in manifest.files.items():
        path = build_dir / name
        if not path.is_file() or size not in (None, path.stat().st_size):
            return False
    return True


def is_stale(paths: DataPaths) -> bool:
    """True when there is no store, it is damaged, it was laid out by other code, or the inputs
    changed since it was built."""
    manifest = read_manifest(paths)
    return (manifest is None or manifest.store_format != layout.store_format()
            or manifest.inputs != input_hashes(paths.inputs)
            or not build_is_intact(current_build(paths), manifest))


VALIDATE_STEP = "read and validate inputs"  # the first step of a build, before any table is written


def build_store(paths: DataPaths) -> BuildInfo:
    """Validate the inputs and publish a new store; raises BuildError, leaving the old store as it was."""
    started = time.perf_counter()
    hashes = input_hashes(paths.inputs)
    result = validate_dir(paths.inputs)
    if not result.ok:
        raise BuildError(result)
    validated_s = time.perf_counter() - started
    builds = paths.store / "builds"
    builds.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=builds))
    try:
        manifest = _write_tables(result.tables, staging, hashes, {VALIDATE_STEP: round(validated_s, 3)})
        final = builds / manifest.build_id
        os.rename(staging, final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _publish(paths, final)
    _prune(paths, keep=final)
    return BuildInfo(final, manifest)


def ensure_store(paths: DataPaths) -> Manifest:
    """Build the store if it is missing or stale; return its manifest.

    Raises BuildError when the inputs are invalid and there is no store to fall back on, and
    RuntimeError when valid inputs could not be built (the last good store is kept).
    """
    status = refresh_store(paths)
    if status.build_error:
        raise RuntimeError(f"the store could not be rebuilt ({status.build_error})")
    if status.manifest is None:
        raise BuildError(ValidationResult(problems=list(status.problems)))
    return status.manifest


@contextlib.contextmanager
def _build_lock(paths: DataPaths):
    with open(paths.store / ".build.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _write_tables(tables: dict[str, ParsedTable], folder: Path, hashes: dict[str, str],
                  step_seconds: dict[str, float]) -> Manifest:
    """Write every store table to `folder`; consumes `tables`, letting go of each input once the
    last table that reads it is written (a million entries' text is hundreds of megabytes).
    Each table's seconds are added to `step_seconds` (the benchmark reports each step's share)."""
    # Each table goes straight from its query to Parquet and is read back from there by the
    # next; DuckDB spills big sorts to disk rather than holding a million entries in memory.
    spill = folder / ".spill"
    con = duckdb.connect(config={"threads": 2, "memory_limit": BUILD_MEMORY, "temp_directory": str(spill),
                                 "preserve_insertion_order": True})
    layout.register_functions(con)
    try:
        for table in schema.TABLES:  # an optional input a folder leaves out has no rows
            if table.optional and table.name not in tables:
                tables[table.name] = ParsedTable(table, table.column_names)
        for name, parsed in tables.items():
            _register_typed(con, name, parsed)
        steps = {**layout.STORE_TABLES, **layout.DERIVED_TABLES}
        last_use = {name: max((i for i, sql in enumerate(steps.values()) if f"input_{name}" in sql),
                              default=-1) for name in tables}
        rows, files = {}, {}
        for step, (name, sql) in enumerate(steps.items()):
            step_started = time.perf_counter()
            path = folder / f"{name}.parquet"
            con.sql(sql).write_parquet(
                str(path), compression=layout.COMPRESSION.get(name, layout.COMPRESSION_DEFAULT),
                row_group_size=layout.ROW_GROUP_ROWS.get(name, layout.ROW_GROUP_DEFAULT))
            con.read_parquet(str(path)).create_view(name)
            if name in layout.STORE_TABLES:
                rows[name] = con.table(name).shape[0]
            files[path.name] = None
            released = [n for n, last in last_use.items() if last == step]
            for done in released:
                layout.release_input(con, done)
                tables.pop(done, None)
            if released:
                pa.default_memory_pool().release_unused()  # give the input's memory back now, not later
            step_seconds[name] = round(time.perf_counter() - step_started, 3)
        data_as_of = con.execute(layout.DATA_AS_OF).fetchone()[0]
    finally:
        con.close()
        shutil.rmtree(spill, ignore_errors=True)
    built_at = datetime.now(UTC)
    digest = hashlib.sha256(json.dumps(hashes, sort_keys=True).encode()).hexdigest()[:10]
    manifest = Manifest(
        build_id=f"{built_at:%Y%m%dT%H%M%S%fZ}-{digest}",
        built_at=built_at.isoformat(timespec="seconds"),
        data_as_of=data_as_of.isoformat() if data_as_of else None,
        store_format=layout.store_format(),
        inputs=hashes,
        rows=rows,
        files={name: (folder / name).stat().st_size for name in files},
        step_seconds=step_seconds,
    )
    (folder / MANIFEST_FILE).write_text(json.dumps(manifest.to_json(), indent=2))
    for file in folder.iterdir():
        with open(file, "rb") as handle:
            os.fsync(handle.fileno())
    return manifest


def _register_typed(con: duckdb.DuckDBPyConnection, name: str, parsed: ParsedTable) -> None:
    """Make the table's validated text cells readable as `input_<name>`, typed as the schema says
    (empty -> null): a view over the text, so nothing is copied."""
    layout.register_input(con, parsed.table, parsed.arrow())


def _publish(paths: DataPaths, build_dir: Path) -> None:
    link = paths.store / "current"
    temporary = paths.store / f".current-{os.getpid()}"
    temporary.unlink(missing_ok=True)
    os.symlink(Path("builds") / build_dir.name, temporary)
    os.replace(temporary, link)
    dir_fd = os.open(paths.store, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def _prune(paths: DataPaths, keep: Path) -> None:
    builds = sorted((p for p in (paths.store / "builds").iterdir()
                     if p.is_dir() and not p.name.startswith(".")), key=lambda p: p.name)
    for old in builds[:-KEEP_BUILDS]:
        if old != keep:
            shutil.rmtree(old, ignore_errors=True)
    # Staging folders of builds killed half way; an hour old, so no running build owns them.
    for staging in (paths.store / "builds").glob(".staging-*"):
        with contextlib.suppress(OSError):
            if time.time() - staging.stat().st_mtime > STALE_STAGING_S:
                shutil.rmtree(staging, ignore_errors=True)


@dataclass(frozen=True)
class StoreStatus:
    """The store a reader should use, and why it may be older than the inputs."""

    build_dir: Path | str | None  # a local folder, or an s3:// location
    manifest: Manifest | None
    problems: tuple = ()  # validation problems of inputs that could not be built
    build_error: str | None = None  # why valid inputs could not be built (e.g. a full disk)


OTHER_LAYOUT = ("the published data was built by another version of the tracker; it is shown again once the "
                "publishing server (TRACKER_PUBLISH=1) runs this version, which rebuilds and republishes it")


def refresh_store(paths: DataPaths) -> StoreStatus:
    """Rebuild when the inputs changed (once, under a lock); bad inputs keep the last good store.

    With a shared store (TRACKER_STORE_URL), a replica reads the published build, and the one
    publishing process (TRACKER_PUBLISH=1) builds locally and publishes what it built.
    """
    from tracker.store import remote

    url = remote.store_url()
    if url and not remote.publishes():
        published = remote.current_build(url)
        if published and published[1].store_format != layout.store_format():
            return StoreStatus(None, None, build_error=OTHER_LAYOUT)  # a replica cannot rebuild it
        return StoreStatus(*published) if published else StoreStatus(None, None)
    status = _refresh_local(paths)
    if url and status.build_dir is not None:
        published = remote.current_build(url)
        if published is None or published[1].build_id != status.manifest.build_id:
            remote.publish(status.build_dir, url)
    return status  # the publisher reads its own local copy of what it published


def _refresh_local(paths: DataPaths) -> StoreStatus:
    problems: tuple = ()
    build_error = None
    if is_stale(paths):
        paths.store.mkdir(parents=True, exist_ok=True)
        with _build_lock(paths):
            if is_stale(paths):
                try:
                    build_store(paths)
                except BuildError as error:
                    problems = tuple(error.result.errors)
                except Exception as error:  # e.g. a full disk: readers keep the last good store
                    build_error = f"{type(error).__name__}: {error}"
                _fall_back_if_damaged(paths)
    current = current_build(paths)
    manifest = read_manifest(paths)
    if not build_is_intact(current, manifest):  # damaged, and nothing intact to fall back on
        current = manifest = None
    return StoreStatus(current, manifest, problems, build_error)


def _fall_back_if_damaged(paths: DataPaths) -> None:
    """When the published build is damaged and could not be rebuilt, publish the newest intact one."""
    if build_is_intact(current_build(paths)):
        return
    builds = paths.store / "builds"
    candidates = sorted((p for p in builds.iterdir() if not p.name.startswith(".")),
                        reverse=True) if builds.is_dir() else []
    for candidate in candidates:
        if build_is_intact(candidate):
            _publish(paths, candidate)
            return
