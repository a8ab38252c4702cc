"""Saving edits: refused while invalid, previous version kept, audited, store rebuilt; never half done."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import textwrap
import time

import duckdb
import factory as made
import pytest
from editor_fixtures import assert_clear_error, read_csv, run_cli, tree_hashes

from tracker.config import PROJECT_DIR, DataPaths
from tracker.editing import saves
from tracker.inputs import files
from tracker.inputs.validate import validate_dir
from tracker.store import build

NOTE = {"company_id": made.LUMEN, "date": "2025-02", "category": "public_statement", "status": "observed",
        "title": "Test note", "note": "Written by a test.", "source_name": "Test",
        "source_url": "https://example.org/note"}


@pytest.fixture
def paths(tmp_path):
    """The test factory's data folder (tests/factory.py) with a built store."""
    paths = made.write_inputs(tmp_path / "data")
    build.build_store(paths)
    return paths


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def responses_bytes(paths) -> bytes:
    return (paths.inputs / "responses.csv").read_bytes()


def with_note(paths, **changes) -> bytes:
    """responses.csv with one more note appended, as an editor's spreadsheet would save it."""
    header, rows = read_csv(paths.inputs / "responses.csv")
    row = {**NOTE, "response_id": "r-9001", **changes}
    line = ",".join(row.get(column, "") for column in header)
    return responses_bytes(paths) + line.encode() + b"\n"


def store_rows(paths, table: str) -> int:
    parquet = build.current_build(paths) / f"{table}.parquet"
    with duckdb.connect() as con:
        return con.execute("SELECT count(*) FROM read_parquet(?)", [str(parquet)]).fetchone()[0]


def audit(paths) -> list[dict]:
    path = paths.backups / "audit.log"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_an_edit_that_breaks_a_rule_is_refused_and_nothing_is_written(paths):
    before = tree_hashes(paths.root)

    with pytest.raises(saves.SaveRefused) as refused:
        saves.save_input(paths, "responses", with_note(paths, category="lobbying"), "ann")

    problem = refused.value.result.errors[0]
    assert (problem.file, problem.column_name) == ("responses.csv", "category")
    assert "'lobbying' is not allowed" in problem.message
    assert tree_hashes(paths.root) == before


def test_a_valid_edit_keeps_the_previous_version_audits_and_rebuilds(paths):
    old, new = responses_bytes(paths), with_note(paths)
    rows_before = store_rows(paths, "responses")

    result = saves.save_input(paths, "responses", new, "ann")

    assert result.saved and result.published
    assert responses_bytes(paths) == new
    assert result.diff.counts == {"added": 1, "removed": 0, "changed": 0, "cells": 0}
    assert list(result.diff.added) == ["r-9001"]
    assert result.files[0].backup_file.read_bytes() == old
    [line] = audit(paths)
    assert (line["file"], line["editor"], line["action"]) == ("responses.csv", "ann", "edit")
    assert (line["added"], line["removed"], line["changed"]) == (1, 0, 0)
    assert line["backup_file"] == f"responses/{result.files[0].backup_file.name}"
    assert not build.is_stale(paths)
    assert store_rows(paths, "responses") == rows_before + 1


def test_checking_an_edit_gives_its_problems_and_diff_without_writing(paths):
    before = tree_hashes(paths.root)

    bad = saves.check_edit(paths, "responses", with_note(paths, date="2025-13"))
    good = saves.check_edit(paths, "responses", with_note(paths))

    assert not bad.ok and bad.result.errors[0].column_name == "date"
    assert good.ok and list(good.diff.added) == ["r-9001"]
    patch = saves.patch_for(paths, "responses", with_note(paths))
    assert patch.startswith("--- a/data/inputs/responses.csv\n") and f"\n+r-9001,{made.LUMEN}," in patch
    assert tree_hashes(paths.root) == before


def test_a_file_broken_by_hand_can_be_replaced_and_is_kept_in_history(paths):
    good = responses_bytes(paths)
    broken = good + f'r-9002,{made.LUMEN},"2025-01\n'.encode()
    (paths.inputs / "responses.csv").write_bytes(broken)

    result = saves.save_input(paths, "responses", good, "ann")

    assert responses_bytes(paths) == good
    assert result.files[0].backup_file.read_bytes() == broken
    assert "previous file cannot be read" in result.diff.message


def test_saving_the_file_unchanged_writes_nothing(paths):
    before = tree_hashes(paths.root)

    result = saves.save_input(paths, "responses", responses_bytes(paths), "ann")

    assert not result.saved
    assert tree_hashes(paths.root) == before


def test_a_failed_rebuild_leaves_inputs_and_history_saved_and_the_store_stale(paths, monkeypatch):
    old = responses_bytes(paths)
    new = with_note(paths)
    published = build.current_build(paths)

    def broken_build(_paths):
        raise RuntimeError("disk full while writing Parquet")

    monkeypatch.setattr(build, "build_store", broken_build)
    result = saves.save_input(paths, "responses", new, "ann")

    assert result.saved and not result.published
    assert "disk full" in result.build_error
    assert_saved_but_unpublished(paths, old, new, published)

    monkeypatch.undo()
    build.ensure_store(paths)
    assert not build.is_stale(paths)
    assert build.current_build(paths) != published


class Killed(BaseException):
    """Stands for the process dying: not an Exception, so nothing on the way catches it."""


def test_a_process_dying_between_the_write_and_the_rebuild_leaves_everything_consistent(paths, monkeypatch):
    old = responses_bytes(paths)
    new = with_note(paths)
    published = build.current_build(paths)

    def dying_build(_paths):
        raise Killed

    monkeypatch.setattr(build, "build_store", dying_build)
    with pytest.raises(Killed):
        saves.save_input(paths, "responses", new, "ann")

    assert_saved_but_unpublished(paths, old, new, published)
    monkeypatch.undo()
    manifest = build.ensure_store(paths)
    assert manifest.inputs["responses.csv"] == sha(new)
    assert store_rows(paths, "responses") == len(read_csv(paths.inputs / "responses.csv")[1])


def assert_saved_but_unpublished(paths, old: bytes, new: bytes, published) -> None:
    """New input on disk, previous version in history, one audit line; the store still the old one."""
    assert responses_bytes(paths) == new
    [copy] = (paths.backups / "responses").glob("*.csv")
    assert copy.read_bytes() == old
    [line] = audit(paths)
    assert line["backup_file"] == f"responses/{copy.name}"
    assert not (paths.backups / ".pending.json").exists()
    assert validate_dir(paths.inputs).ok
    assert build.current_build(paths) == published
    assert build.read_manifest(paths).inputs["responses.csv"] == sha(old)
    assert build.is_stale(paths)


RULE = {"rule_id": "2099-00001", "publication_date": "2099-01-02", "document_number": "2099-00001",
        "fr_citation": "164 FR 100", "title": "Test rule", "scope": "entity_list_change",
        "sources": "https://example.org/rule"}
ENTRY = {"destination": "China", "name": "Test Entry Co., Ltd.", "address": "Beijing, China.",
         "source": "test"}


def test_recording_a_rule_writes_rule_entries_and_added_events_together(paths):
    entity_ids = [r["entity_id"] for r in read_csv(paths.inputs / "entities.csv")[1]]
    expected_id = f"EL-{max(int(i[3:]) for i in entity_ids) + 1:04d}"

    result = saves.record_rule(paths, RULE, [ENTRY], "ann")

    assert [f.table for f in result.files] == ["rules", "entities", "events"]
    entity = next(r for r in read_csv(paths.inputs / "entities.csv")[1] if r["name"] == ENTRY["name"])
    assert entity["entity_id"] == expected_id and entity["fr_citations"] == "164 FR 100"
    event = next(r for r in read_csv(paths.inputs / "events.csv")[1] if r["entity_id"] == expected_id)
    assert (event["event_id"], event["action"], event["date"], event["year"], event["rule_id"],
            event["derivation"]) == (f"{expected_id}-1", "added", "2099-01-02", "2099", "2099-00001",
                                     "editor")
    assert len({line["batch"] for line in audit(paths)}) == 1 and len(audit(paths)) == 3
    assert result.published


def test_a_failed_write_of_the_second_file_puts_the_first_back(paths, monkeypatch):
    before = tree_hashes(paths.inputs)
    real_write = files.write_atomic

    def failing_write(path, data):
        if path.name == "entities.csv":
            raise OSError("no space left on device")
        real_write(path, data)

    monkeypatch.setattr(files, "write_atomic", failing_write)
    with pytest.raises(OSError):
        saves.record_rule(paths, RULE, [ENTRY], "ann")

    assert tree_hashes(paths.inputs) == before
    assert not (paths.backups / ".pending.json").exists()
    assert audit(paths)[-1]["action"] == "rollback"
    assert not build.is_stale(paths)


def test_a_save_killed_half_way_is_undone_by_the_next_save(paths):
    before = tree_hashes(paths.inputs)
    script = textwrap.dedent(f"""
        import os
        from tracker.editing import saves
        from tracker.inputs import files
        from tracker.config import data_paths
        real_write = files.write_atomic
        def dying_write(path, data):
            if path.name == "entities.csv":
                os._exit(9)
            real_write(path, data)
        files.write_atomic = dying_write
        saves.record_rule(data_paths({str(paths.root)!r}), {RULE!r}, [{ENTRY!r}], "ann")
    """)
    killed = subprocess.run([sys.executable, "-c", script], cwd=PROJECT_DIR, capture_output=True, timeout=120)
    assert killed.returncode == 9, killed.stderr

    # Referenced tables are written first, so even the half-written inputs are valid ...
    assert tree_hashes(paths.inputs)["rules.csv"] != before["rules.csv"]
    assert validate_dir(paths.inputs).ok
    assert (paths.backups / ".pending.json").exists()
    # ... and the next save puts the previous versions back before doing its own work.
    saves.save_input(paths, "responses", responses_bytes(paths), "bob")

    assert tree_hashes(paths.inputs) == before
    assert not (paths.backups / ".pending.json").exists()
    assert audit(paths)[-1]["action"] == "rollback" and audit(paths)[-1]["files"] == ["rules.csv"]


def test_the_temporary_file_of_a_write_killed_before_its_rename_is_removed_by_a_later_save(paths):
    script = textwrap.dedent(f"""
        import os
        from tracker.editing import saves
        from tracker.inputs import files
        from tracker.config import data_paths
        real_replace = os.replace
        def dying_replace(source, target):
            if str(target).endswith("responses.csv"):
                os._exit(9)  # the new bytes are in the temporary file, not yet renamed
            real_replace(source, target)
        files.os.replace = dying_replace
        saves.add_response(data_paths({str(paths.root)!r}), {NOTE!r}, "ann")
    """)
    killed = subprocess.run([sys.executable, "-c", script], cwd=PROJECT_DIR, capture_output=True, timeout=120)
    assert killed.returncode == 9, killed.stderr
    leftovers = list(paths.inputs.glob(".responses.csv.*.tmp"))
    assert len(leftovers) == 1 and validate_dir(paths.inputs).ok

    saves.save_input(paths, "responses", responses_bytes(paths), "bob")  # too young to be sure: kept
    assert leftovers[0].exists()
    os.utime(leftovers[0], (time.time() - 2 * saves.LEFTOVER_AGE_S,) * 2)
    saves.save_input(paths, "responses", responses_bytes(paths), "bob")
    assert not list(paths.inputs.glob(".*.tmp"))


def test_an_edit_of_a_file_changed_since_it_was_opened_is_refused(paths):
    opened = saves.file_hash(responses_bytes(paths))
    saves.add_response(paths, NOTE, "bob")
    before = tree_hashes(paths.root)

    with pytest.raises(saves.EditConflict):
        saves.save_input(paths, "responses", with_note(paths), "ann", expected_hash=opened)

    assert tree_hashes(paths.root) == before


def test_versions_are_listed_newest_first_with_who_replaced_them(paths):
    saves.add_response(paths, NOTE, "ann")
    saves.add_response(paths, {**NOTE, "title": "Second"}, "bob")

    versions = saves.list_versions(paths, "responses")

    assert [v.replaced_by for v in versions] == ["bob", "ann"]
    assert versions[0].version > versions[1].version


def test_restoring_a_version_makes_it_current_and_keeps_the_replaced_one(paths):
    original = responses_bytes(paths)
    saves.add_response(paths, NOTE, "ann")
    edited = responses_bytes(paths)
    [version] = saves.list_versions(paths, "responses")

    result = saves.restore_version(paths, "responses", version.version, "bob")

    assert responses_bytes(paths) == original
    assert result.files[0].backup_file.read_bytes() == edited
    assert audit(paths)[-1]["action"] == "restore" and audit(paths)[-1]["restored_from"] == version.version
    assert not build.is_stale(paths)


def test_restoring_an_unknown_version_says_how_to_list_them(paths):
    with pytest.raises(ValueError, match="backups responses"):
        saves.restore_version(paths, "responses", "../../etc/passwd", "bob")


def test_appending_keeps_the_existing_bytes(paths):
    old = responses_bytes(paths)

    result = saves.add_response(paths, NOTE, "ann")

    assert responses_bytes(paths).startswith(old)
    [added] = result.diff.added.values()
    ids = [r["response_id"] for r in read_csv(paths.inputs / "responses.csv")[1]][:-1]
    assert added["response_id"] == f"r-{max(int(i[2:]) for i in ids) + 1:04d}"


def test_an_unknown_input_is_named_with_the_known_ones(paths):
    with pytest.raises(ValueError, match="unknown input 'entitys'; expected one of: companies"):
        saves.save_input(paths, "entitys", b"", "ann")


@pytest.mark.parametrize("env,expected", [
    ({"TRACKER_EPHEMERAL_DISK": "1"}, False),
    ({"TRACKER_EPHEMERAL_DISK": "0", "HOSTNAME": "streamlit"}, True),
    ({"HOSTNAME": "streamlit"}, False),
])
def test_persistent_storage_follows_the_variable_then_the_host(monkeypatch, env, expected):
    monkeypatch.delenv("TRACKER_EPHEMERAL_DISK", raising=False)
    monkeypatch.delenv("HOSTNAME", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)

    assert saves.persistent_storage() is expected


def test_persistent_storage_is_unknown_without_any_sign(monkeypatch, tmp_path):
    monkeypatch.delenv("TRACKER_EPHEMERAL_DISK", raising=False)
    monkeypatch.setenv("HOSTNAME", "my-server")
    monkeypatch.setattr(saves, "_COMMUNITY_CLOUD_MOUNT", tmp_path / "absent")

    assert saves.persistent_storage() is None


# --- python -m tracker backups / restore ---

def test_cli_backups_lists_versions_and_restore_brings_one_back(paths):
    original = responses_bytes(paths)
    saves.add_response(paths, NOTE, "ann")
    [version] = saves.list_versions(paths, "responses")

    listed = run_cli(paths, "backups", "responses")
    restored = run_cli(paths, "restore", "responses", version.version, "--editor", "bob")

    assert listed.returncode == 0 and f"responses  {version.version}" in listed.stdout
    assert "by ann" in listed.stdout
    assert restored.returncode == 0, restored.stderr
    assert responses_bytes(paths) == original
    assert audit(paths)[-1]["editor"] == "bob"


def test_cli_restore_of_an_unknown_version_is_a_one_line_error(paths):
    before = tree_hashes(paths.root)

    assert_clear_error(run_cli(paths, "restore", "responses", "20990101T000000000000Z"),
                       "no version '20990101T000000000000Z'")
    assert tree_hashes(paths.root) == before


def test_cli_restore_of_a_version_that_no_longer_validates_is_refused(paths):
    saves.record_rule(paths, RULE, [ENTRY], "ann")
    [entities_before_rule] = saves.list_versions(paths, "entities")
    before = tree_hashes(paths.inputs)

    # The old entities lack the new entry that events.csv now refers to.
    result = run_cli(paths, "restore", "entities", entities_before_rule.version)

    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "events.csv" in result.stderr and "refused: nothing was written" in result.stderr
    assert tree_hashes(paths.inputs) == before


def test_backups_live_in_backups_and_a_folder_from_before_keeps_its_history(tmp_path):
    # "History" now means the list's history; an existing deployment's kept versions stay found.
    fresh = DataPaths(tmp_path / "fresh")
    assert fresh.backups == tmp_path / "fresh" / "backups"
    (tmp_path / "old" / "history").mkdir(parents=True)
    assert DataPaths(tmp_path / "old").backups == tmp_path / "old" / "history"
