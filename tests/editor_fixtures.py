"""Helpers for the editor, diff and importer tests: data folders built from the real inputs."""

from __future__ import annotations

import csv
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

from tracker.config import PROJECT_DIR, DataPaths

FIXTURES = Path(__file__).parent / "fixtures"
REAL_INPUTS = PROJECT_DIR / "data" / "inputs"
# Entries that tests/fixtures/csl_sample.csv lists (EL-0963 aside) or leaves out (EL-0589).
SMALL_ENTITY_IDS = ("EL-0306", "EL-0307", "EL-0308", "EL-0589", "EL-1013", "EL-1850")


def copy_of_inputs(tmp_path: Path) -> DataPaths:
    """A data folder holding a copy of the real inputs, with no store yet."""
    root = tmp_path / "data"
    shutil.copytree(REAL_INPUTS, root / "inputs")
    return DataPaths(root)


def small_data(tmp_path: Path, entity_ids: tuple[str, ...] = SMALL_ENTITY_IDS,
               drop_rules: tuple[str, ...] = ()) -> DataPaths:
    """A data folder with the real inputs cut down to some entries (and their events), still valid.

    `drop_rules` leaves rules out; events that pointed at them lose their rule_id.
    """
    paths = copy_of_inputs(tmp_path)
    keep = set(entity_ids)
    _filter(paths.inputs / "entities.csv", lambda row: row["entity_id"] in keep)
    _filter(paths.inputs / "events.csv", lambda row: row["entity_id"] in keep)
    _filter(paths.inputs / "rules.csv", lambda row: row["rule_id"] not in drop_rules)
    _rewrite(paths.inputs / "events.csv",
             lambda row: {**row, "rule_id": "" if row["rule_id"] in drop_rules else row["rule_id"]})
    # Rows of the list's versions keep only the ids of the entries kept.
    _rewrite(paths.inputs / "version_rows.csv",
             lambda row: {**row, "entity_ids": " | ".join(
                 i for i in row["entity_ids"].split(" | ") if i in keep)})
    return paths


def _filter(path: Path, keep) -> None:
    header, rows = read_csv(path)
    write_csv(path, header, [r for r in rows if keep(r)])


def _rewrite(path: Path, change) -> None:
    header, rows = read_csv(path)
    write_csv(path, header, [change(r) for r in rows])


def read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    """Header and rows of a CSV file."""
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def write_csv(path: Path, header: list[str], rows: list[dict[str, str]]) -> None:
    """Write rows as CSV the way the project writes its inputs (LF line ends)."""
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def tree_hashes(folder: Path) -> dict[str, str]:
    """SHA-256 of every file under a folder (the save lock file aside, an empty file a save opens)."""
    if not folder.exists():
        return {}
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name != ".save.lock"}


def run_cli(paths: DataPaths, *args: str) -> subprocess.CompletedProcess:
    """Run `python -m tracker ARGS` against a data folder."""
    env = {**os.environ, "TRACKER_DATA_DIR": str(paths.root)}
    return subprocess.run([sys.executable, "-m", "tracker", *map(str, args)], cwd=PROJECT_DIR, env=env,
                          capture_output=True, text=True, timeout=120)


def assert_clear_error(result: subprocess.CompletedProcess, *words: str) -> None:
    """Exit 1 with one line on stderr that contains every word, and no traceback."""
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    for word in words:
        assert word in lines[0], lines[0]
