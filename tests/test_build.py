"""`python -m tracker build` and the store's life cycle: atomic publish, a manifest that
describes the inputs, failed builds that change nothing, staleness, pruning. On the test
factory's data (tests/factory.py)."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import subprocess
import sys
import threading
from datetime import datetime
from pathlib import Path

import duckdb
import factory as made
import pytest

from tracker import schema
from tracker.config import PROJECT_DIR, DataPaths
from tracker.store import build, connection, layout, queries
from tracker.store.manifest import MANIFEST_FILE, Manifest


def run_build(paths: DataPaths) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "TRACKER_DATA_DIR"}
    env["PYTHONIOENCODING"] = "utf-8"
    return subprocess.run([sys.executable, "-m", "tracker", "build", "--data-dir", str(paths.root)],
                          cwd=PROJECT_DIR, capture_output=True, encoding="utf-8", env=env, timeout=120,
                          check=False)


def read_rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def tree_state(folder: Path) -> dict[str, str]:
    """Every entry under a folder: file -> sha256 of its bytes, link -> its target, folder -> 'dir'."""
    state = {}
    for path in sorted(folder.rglob("*")):
        key = str(path.relative_to(folder))
        if path.is_symlink():
            state[key] = "link -> " + os.readlink(path)
        elif path.is_dir():
            state[key] = "dir"
        else:
            state[key] = hashlib.sha256(path.read_bytes()).hexdigest()
    return state


def builds_of(paths: DataPaths) -> list[str]:
    return sorted(p.name for p in (paths.store / "builds").iterdir() if not p.name.startswith("."))


def append_event(paths: DataPaths, **cells: str) -> int:
    """Append an event (the first one, changed) to events.csv; return the line it starts on."""
    path = paths.inputs / "events.csv"
    row = {**read_rows(path)[0], **cells}
    data = path.read_bytes()
    line = data.count(b"\n") + 1
    values = [row[name] for name in schema.EVENTS.column_names]
    with open(path, "a", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerow(values)
    return line


def test_build_publishes_one_parquet_per_table_and_a_manifest(made_data: DataPaths) -> None:
    result = run_build(made_data)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stdout + result.stderr

    link = made_data.store / "current"
    assert link.is_symlink()
    target = Path(os.readlink(link))
    assert target.parent == Path("builds")  # relative, so the data folder can move
    build_dir = link.resolve()
    assert build_dir == (made_data.store / "builds" / target.name).resolve()
    # One file per input, plus the tables derived from them for fast questions (layout.DERIVED_TABLES).
    assert sorted(p.name for p in build_dir.iterdir()) == sorted(
        [f"{t.name}.parquet" for t in schema.TABLES] + [f"{name}.parquet" for name in layout.DERIVED_TABLES]
        + ["manifest.json"])

    manifest = json.loads((build_dir / "manifest.json").read_text())
    assert manifest["build_id"] == target.name
    assert datetime.fromisoformat(manifest["built_at"]).tzinfo is not None

    inputs = {t.name: read_rows(made_data.inputs / t.filename) for t in schema.TABLES}
    assert manifest["rows"] == {name: len(rows) for name, rows in inputs.items()}
    assert manifest["rows"]["entities"] == made.ENTRIES and manifest["rows"]["rules"] == made.RULES
    with duckdb.connect() as con:
        for name, count in manifest["rows"].items():
            parquet = str(build_dir / f"{name}.parquet")
            assert con.execute("SELECT count(*) FROM read_parquet(?)", [parquet]).fetchone()[0] == count

    # Data as of: the newest dated event or rule.
    newest = max([e["date"] for e in inputs["events"] if e["date"]]
                 + [r["publication_date"] for r in inputs["rules"]])
    assert manifest["data_as_of"] == newest == made.DATA_AS_OF


def test_manifest_input_hashes_are_sha256_of_the_files(made_data: DataPaths) -> None:
    info = build.build_store(made_data)
    manifest = json.loads((info.path / "manifest.json").read_text())
    assert manifest["inputs"] == {
        t.filename: hashlib.sha256((made_data.inputs / t.filename).read_bytes()).hexdigest()
        for t in schema.TABLES}
    assert build.read_manifest(made_data) == Manifest.from_json(manifest)


def test_failed_build_leaves_store_untouched(made_data: DataPaths) -> None:
    assert run_build(made_data).returncode == 0
    before = tree_state(made_data.store)
    line = append_event(made_data, event_id="EL-0001-9", date="2025-02-30")

    result = run_build(made_data)

    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    column = schema.EVENTS.column_names.index("date") + 1
    assert f"events.csv:{line}:{column}:" in result.stderr
    assert "store is unchanged" in result.stderr
    assert tree_state(made_data.store) == before


def test_failed_first_build_creates_no_store(made_data: DataPaths) -> None:
    line = append_event(made_data, event_id="EL-0001-9", action="deleted")
    with pytest.raises(build.BuildError) as raised:
        build.build_store(made_data)
    assert [(p.file, p.line, p.column_name) for p in raised.value.result.errors] == [
        ("events.csv", line, "action")]
    assert not made_data.store.exists()
    assert build.current_build(made_data) is None


def test_a_store_laid_out_by_other_code_is_rebuilt_before_it_is_queried(made_data: DataPaths) -> None:
    # A store built before the code changed its tables (a deployment keeping its data folder
    # across an upgrade) must not be queried for tables it does not have.
    build.ensure_store(made_data)
    old = build.current_build(made_data)
    manifest_path = old / MANIFEST_FILE
    manifest = json.loads(manifest_path.read_text())
    assert manifest["store_format"] == layout.store_format()
    del manifest["store_format"]  # as written before the layout was recorded
    manifest_path.write_text(json.dumps(manifest))
    (old / "company_counts.parquet").unlink()  # a table that code did not build
    manifest["files"].pop("company_counts.parquet")
    manifest_path.write_text(json.dumps(manifest))
    assert build.build_is_intact(old, Manifest.from_json(manifest)) and build.is_stale(made_data)

    build.ensure_store(made_data)
    rebuilt = build.current_build(made_data)
    assert rebuilt != old and not build.is_stale(made_data)
    opened = connection.Store(rebuilt)
    try:
        linked = made.ENTRIES - made.NO_PROFILE_ENTRIES  # company_counts is read again, from the new build
        assert queries.companies(opened.cursor())["entries"].sum() == linked
    finally:
        opened.close()


def test_store_turns_stale_after_an_edit_and_is_rebuilt_once(made_data: DataPaths) -> None:
    assert build.is_stale(made_data)  # no store yet
    build.ensure_store(made_data)
    assert not build.is_stale(made_data)
    first = builds_of(made_data)
    assert len(first) == 1

    append_event(made_data, event_id="EL-0001-9", action="revised", note="edited by a test")
    assert build.is_stale(made_data)

    # Many readers at once: one rebuild.
    manifests = []
    threads = [threading.Thread(target=lambda: manifests.append(build.ensure_store(made_data)))
               for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(builds_of(made_data)) == 2
    assert not build.is_stale(made_data)
    assert {m.build_id for m in manifests} == {build.read_manifest(made_data).build_id}
    events = read_rows(made_data.inputs / "events.csv")
    assert build.read_manifest(made_data).rows["events"] == len(events)

    build.ensure_store(made_data)  # nothing changed since: no build
    assert len(builds_of(made_data)) == 2


def test_bad_edit_keeps_serving_the_last_good_store(made_data: DataPaths) -> None:
    good = build.ensure_store(made_data)
    append_event(made_data, event_id="EL-0001-9", date="16/01/2025")
    assert build.is_stale(made_data)
    assert build.ensure_store(made_data) == good
    assert builds_of(made_data) == [good.build_id]


def test_old_builds_are_pruned_to_three(made_data: DataPaths) -> None:
    built = [build.build_store(made_data).path.name for _ in range(build.KEEP_BUILDS + 2)]
    assert build.KEEP_BUILDS == 3
    assert builds_of(made_data) == sorted(built)[-3:]
    assert build.current_build(made_data).name == built[-1]
    assert not [p for p in made_data.store.rglob(".staging-*")]


def counting_reads(monkeypatch) -> list[str]:
    """Record every file `build.file_sha256` reads (through hashlib.file_digest)."""
    reads, real = [], hashlib.file_digest

    def digest(handle, name):
        reads.append(handle.name)
        return real(handle, name)
    monkeypatch.setattr(hashlib, "file_digest", digest)
    return reads


def test_unchanged_inputs_are_not_read_again_to_check_the_store(made_data: DataPaths, monkeypatch) -> None:
    monkeypatch.setattr(build, "RACY_NS", 0)  # the copies were just written: trust them at once
    first = build.input_hashes(made_data.inputs)
    reads = counting_reads(monkeypatch)
    assert build.input_hashes(made_data.inputs) == first
    assert reads == []


def test_an_input_changed_in_place_is_seen_even_with_its_size_and_mtime_kept(made_data: DataPaths,
                                                                            monkeypatch) -> None:
    monkeypatch.setattr(build, "RACY_NS", 0)
    path = made_data.inputs / "moments.csv"
    first = build.input_hashes(made_data.inputs)
    before = path.stat()
    data = path.read_bytes()
    with open(path, "r+b") as handle:  # same length, other bytes, the old modification time put back
        handle.write(data[:10].swapcase())
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size and path.stat().st_mtime_ns == before.st_mtime_ns
    assert build.input_hashes(made_data.inputs)["moments.csv"] != first["moments.csv"]


def test_a_file_changed_just_before_it_was_hashed_is_read_again(made_data: DataPaths, monkeypatch) -> None:
    build.input_hashes(made_data.inputs)  # the copies are seconds old: within RACY_NS
    reads = counting_reads(monkeypatch)
    build.input_hashes(made_data.inputs)
    assert len(reads) == len(schema.TABLES)


def test_the_manifest_times_each_build_step_for_the_benchmarks_shares(made_data: DataPaths) -> None:
    from tracker.bench.benchmark import build_shares

    manifest = build.build_store(made_data).manifest
    steps = manifest.step_seconds
    assert list(steps) == [build.VALIDATE_STEP, *layout.STORE_TABLES, *layout.DERIVED_TABLES]
    assert all(seconds >= 0 for seconds in steps.values()) and sum(steps.values()) > 0
    assert Manifest.from_json(json.loads(json.dumps(manifest.to_json()))).step_seconds == steps
    shares = build_shares(steps)
    assert shares.startswith("\nBuild steps: ") and shares.count("%") == len(steps)
