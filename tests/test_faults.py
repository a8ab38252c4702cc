"""Faults: a process killed (SIGKILL) at random moments of a build or a save, and a full disk.

The kills are real: a child process builds or saves, and the test kills it at moments
spread over the whole operation (the time the operation takes is measured first). After
every kill the data folder must be usable as it is: `store/current` a complete build, the
inputs valid, and a save either whole, absent, or undone by `recover()`, with its history.
The data is the test factory's (tests/factory.py).
FAULT_KILLS sets the number of kills of each kind (default 8); FAULT_SEED the random seed.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import factory as made
import pytest
from page_helpers import run_page

from tracker.config import PROJECT_DIR, DataPaths
from tracker.editing import saves
from tracker.inputs import files
from tracker.inputs.validate import validate_dir
from tracker.store import build

KILLS = int(os.environ.get("FAULT_KILLS", "8"))
SEED = int(os.environ.get("FAULT_SEED", str(random.SystemRandom().randrange(10**6))))
RULE = {"rule_id": "2099-00001", "publication_date": "2099-01-02", "document_number": "2099-00001",
        "fr_citation": "164 FR 100", "title": "Test rule", "scope": "entity_list_change",
        "sources": "https://example.org/rule"}
ENTRY = {"destination": "China", "name": "Fault Test Co., Ltd.", "address": "Beijing, China.",
         "source": "test"}


def hashes(folder: Path, pattern: str = "*.csv") -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.glob(pattern)) if p.is_file() and p.name != saves.LOCK}


def assert_current_is_a_complete_build(paths: DataPaths) -> Path:
    """`store/current` names a build whose manifest, files and row counts all agree."""
    current = build.current_build(paths)
    assert current is not None and current.parent == (paths.store / "builds").resolve()
    manifest = build.read_manifest(paths)
    assert manifest is not None and build.build_is_intact(current, manifest)
    with duckdb.connect() as con:
        for table, rows in manifest.rows.items():
            parquet = str(current / f"{table}.parquet")
            assert con.execute("SELECT count(*) FROM read_parquet(?)", [parquet]).fetchone()[0] == rows
    return current


def start(script: str, *args: str) -> subprocess.Popen:
    """A child running `script`, once it has imported everything and printed 'ready'."""
    child = subprocess.Popen([sys.executable, "-c", textwrap.dedent(script), *args], cwd=PROJECT_DIR,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "ready", child.stderr.read()
    return child


def duration(script: str, *args: str) -> tuple[float, dict[str, float]]:
    """How long the operation takes after 'ready', run to its end once, and when it printed marks."""
    child = start(script, *args)
    began = time.monotonic()
    out, err = child.communicate(timeout=300)
    assert child.returncode == 0, err
    marks = dict(line.split() for line in out.splitlines() if line.strip())
    return time.monotonic() - began, {name: float(at) for name, at in marks.items()}


def kill_moments(total: float, start: float = 0.0) -> list[float]:
    """KILLS moments from `start` to a little past `total`, one in each slice of that time."""
    rng = random.Random(SEED)
    return [start + (i + rng.random()) / KILLS * (total * 1.1 - start) for i in range(KILLS)]


def kill_after(child: subprocess.Popen, delay: float) -> bool:
    """SIGKILL the child `delay` seconds from now; False when it had finished before."""
    time.sleep(delay)
    finished = child.poll() is not None
    if not finished:
        os.kill(child.pid, signal.SIGKILL)
    child.communicate(timeout=60)
    return not finished


# --- killed while building the store ---

BUILD = """
    import sys
    from tracker.store import build
    from tracker.config import data_paths
    paths = data_paths(sys.argv[1])
    print("ready", flush=True)
    build.build_store(paths)
"""


def test_a_build_killed_at_any_moment_leaves_current_on_a_complete_build(tmp_path) -> None:
    paths = made.write_inputs(tmp_path)
    build.build_store(paths)
    before = hashes(paths.inputs)
    total, _ = duration(BUILD, str(paths.root))

    killed = 0
    for moment in kill_moments(total):
        killed += kill_after(start(BUILD, str(paths.root)), moment)
        assert_current_is_a_complete_build(paths)
        assert hashes(paths.inputs) == before
        assert not build.is_stale(paths)

    assert killed >= KILLS // 2, f"most kills must land while building (seed {SEED}, {total:.1f} s)"
    # What the killed builds left (staging folders, a half-made link) does not stop the next build,
    # and a later build clears the staging folders once they are old.
    for staging in (paths.store / "builds").glob(".staging-*"):
        os.utime(staging, (time.time() - 2 * build.STALE_STAGING_S,) * 2)
    info = build.build_store(paths)
    assert assert_current_is_a_complete_build(paths) == info.path
    left = sorted(p.name for p in (paths.store / "builds").iterdir())
    assert len(left) <= build.KEEP_BUILDS and not [n for n in left if n.startswith(".")], left


# --- killed while saving an edit ---

SAVE = f"""
    import sys, time
    from tracker.editing import saves
    from tracker.config import data_paths
    paths = data_paths(sys.argv[1])
    commit = saves._commit

    def timed_commit(*args, **kwargs):  # prints when the writes start and end: where to aim kills
        print("commit", time.monotonic() - began, flush=True)
        commit(*args, **kwargs)
        print("committed", time.monotonic() - began, flush=True)

    saves._commit = timed_commit
    print("ready", flush=True)
    began = time.monotonic()
    saves.record_rule(paths, {RULE!r}, [{ENTRY!r}], "killed editor")
"""


def audit_lines(paths: DataPaths) -> list[dict]:
    log = paths.backups / saves.AUDIT_LOG
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


def test_a_save_killed_at_any_moment_leaves_inputs_whole_and_recover_restores(tmp_path) -> None:
    pristine = made.write_inputs(tmp_path / "pristine")
    build.build_store(pristine)
    before = hashes(pristine.inputs)
    reference = DataPaths(tmp_path / "reference")
    shutil.copytree(pristine.root, reference.root, symlinks=True)
    total, marks = duration(SAVE, str(reference.root))
    after = hashes(reference.inputs)
    assert after != before and set(after) == set(before)
    # Half the kills land around the writes (a few milliseconds of the save), half anywhere.
    writes = kill_moments(marks["committed"] + 0.01, start=max(marks["commit"] - 0.01, 0))
    moments = writes[::2] + kill_moments(total)[1::2]

    outcomes, removed = [], 0
    for number, moment in enumerate(moments):
        paths = DataPaths(tmp_path / f"kill-{number}")
        shutil.copytree(pristine.root, paths.root, symlinks=True)
        kill_after(start(SAVE, str(paths.root)), moment)

        # Whatever the moment, the inputs on disk are valid: referenced tables are written first.
        assert validate_dir(paths.inputs).ok
        interrupted = (paths.backups / saves.JOURNAL).exists()
        if interrupted:
            saves.recover(paths)
            assert hashes(paths.inputs) == before, "recover() puts every file back"
            outcomes.append("undone")
        else:
            assert hashes(paths.inputs) in (before, after), "a save is whole or absent"
            outcomes.append("saved" if hashes(paths.inputs) == after else "not started")
        # History: every copy the audit log names exists and is a previous version, byte for byte.
        for line in audit_lines(paths):
            if line.get("backup_file"):
                copy = paths.backups / line["backup_file"]
                assert hashlib.sha256(copy.read_bytes()).hexdigest() == before[copy.parent.name + ".csv"]
        # A kill during a write leaves its temporary file; the next save (or recover) removes it
        # once it is old enough to belong to no running write.
        leftovers = [p for folder in (paths.inputs, paths.backups) for p in folder.glob(".*.tmp")]
        removed += len(leftovers)
        for leftover in leftovers:
            os.utime(leftover, (time.time() - 2 * saves.LEFTOVER_AGE_S,) * 2)
        saves.recover(paths)
        assert not [p for folder in (paths.inputs, paths.backups) for p in folder.glob(".*.tmp")]
        assert_current_is_a_complete_build(paths)
        manifest = build.ensure_store(paths)  # a save killed before its rebuild is rebuilt now
        assert manifest.inputs == hashes(paths.inputs)
    print(f"seed {SEED}: {outcomes}; temporary files left by kills and removed: {removed}")


# --- a full disk ---


def no_space(*_args, **_kwargs):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


@pytest.fixture()
def saved(tmp_path) -> DataPaths:
    paths = made.write_inputs(tmp_path / "data")
    build.build_store(paths)
    return paths


def snapshot(paths: DataPaths) -> dict:
    return {"inputs": hashes(paths.inputs, "*"), "history": hashes(paths.backups, "**/*"),
            "current": build.current_build(paths)}


@pytest.mark.parametrize("failing", ["history copy", "journal", "second input", "audit line"])
def test_a_full_disk_during_a_save_reports_and_keeps_the_old_files(saved, monkeypatch, failing) -> None:
    before = snapshot(saved)
    real_write = files.write_atomic
    real_audit = saves._audit

    def write(path, data):
        target = {"history copy": "backups", "journal": saves.JOURNAL, "second input": "entities.csv"}
        if failing in target and (path.name == target[failing] or path.parent.parent.name == target[failing]):
            no_space()
        real_write(path, data)

    def audit(paths, **entry):
        if failing == "audit line" and entry.get("action") != "rollback":
            no_space()
        real_audit(paths, **entry)

    monkeypatch.setattr(files, "write_atomic", write)
    monkeypatch.setattr(saves, "_audit", audit)

    with pytest.raises(OSError) as raised:
        saves.record_rule(saved, RULE, [ENTRY], "ann")

    assert raised.value.errno == errno.ENOSPC
    after = snapshot(saved)
    assert after["inputs"] == before["inputs"], "every input is as it was"
    assert after["current"] == before["current"] and not build.is_stale(saved)
    assert not (saved.backups / saves.JOURNAL).exists()
    assert not [p for p in saved.inputs.iterdir() if p.name.endswith(".tmp")]


def test_a_full_disk_during_the_rebuild_keeps_the_save_and_serves_the_old_store(saved, monkeypatch) -> None:
    published = build.current_build(saved)

    def write_tables(tables, folder, *_):
        (folder / "entities.parquet").write_bytes(b"PAR1 half written")
        no_space()

    monkeypatch.setattr(build, "_write_tables", write_tables)
    result = saves.record_rule(saved, RULE, [ENTRY], "ann")

    assert result.saved and not result.published
    assert "No space left on device" in result.build_error
    assert any("not rebuilt" in line for line in result.lines())
    assert build.current_build(saved) == published
    assert not [p for p in (saved.store / "builds").iterdir() if p.name.startswith(".staging")]
    status = build.refresh_store(saved)  # the app's check: the old store, and why
    assert status.build_dir == published and "No space left on device" in status.build_error


def test_a_full_disk_on_publish_in_the_editor_page_says_so_and_keeps_the_files(saved, monkeypatch) -> None:
    monkeypatch.setenv("TRACKER_DATA_DIR", str(saved.root))
    monkeypatch.setenv("TRACKER_EDITOR_PASSWORD", "pw")
    for name in ("TRACKER_READ_ONLY", "TRACKER_EPHEMERAL_DISK", "TRACKER_STORE_URL"):
        monkeypatch.delenv(name, raising=False)
    before = hashes(saved.inputs)
    app = run_page("editor")
    app.text_input(key="editor_password_input").set_value("pw")
    app.button[0].click().run()
    app.selectbox(key="editor_table").set_value("moments").run()
    app.session_state["edit_moments_editor"] = {
        "edited_rows": {0: {"title": "A changed title"}}, "added_rows": [], "deleted_rows": []}
    app.run()
    app.checkbox(key="edit_moments_confirm").check().run()
    monkeypatch.setattr(files, "write_atomic", no_space)

    app.button(key="edit_moments_publish").click().run()

    assert not app.exception, app.exception
    assert any("No space left on device" in e.value and "Not saved" in e.value for e in app.error)
    assert hashes(saved.inputs) == before


def test_a_full_disk_during_a_restore_from_the_command_line_is_one_line_not_a_traceback(saved) -> None:
    saves.add_response(saved, {"company_id": made.LUMEN, "date": "2025-02", "category": "other",
                                 "status": "observed", "title": "t", "note": "n", "source_name": "s",
                                 "source_url": "https://example.org/n"}, "ann")
    [version] = saves.list_versions(saved, "responses")
    before = hashes(saved.inputs)
    script = f"""
        import errno, os, sys
        from tracker.inputs import files
        from tracker.__main__ import main

        def no_space(path, data):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        files.write_atomic = no_space
        sys.exit(main(["restore", "responses", {version.version!r}]))
    """
    env = {**os.environ, "TRACKER_DATA_DIR": str(saved.root)}
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(script)], cwd=PROJECT_DIR, env=env,
                          capture_output=True, text=True, timeout=120)

    assert done.returncode == 1 and "Traceback" not in done.stderr
    [line] = done.stderr.strip().splitlines()
    assert "not saved" in line and "No space left on device" in line
    assert hashes(saved.inputs) == before
