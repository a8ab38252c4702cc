"""Where the data lives: `TRACKER_DATA_DIR` (default `data/` beside the code)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent


def shared_data_dir() -> Path:
    """The shared source files (version 1; version 2 in its `v2` folder): `TRACKER_SHARED_DATA`,
    else `../shared/data` beside the project."""
    return Path(os.environ.get("TRACKER_SHARED_DATA") or PROJECT_DIR.parent / "shared" / "data")


@dataclass(frozen=True)
class DataPaths:
    """The folders of one data directory."""

    root: Path

    @property
    def inputs(self) -> Path:
        return self.root / "inputs"

    @property
    def store(self) -> Path:
        return self.root / "store"

    @property
    def backups(self) -> Path:
        """Previous versions of the inputs kept by every save, and the audit log. ("History" is the
        list's history; a data folder from before that name was taken keeps its `history/`.)"""
        legacy = self.root / "history"
        if legacy.is_dir() and not (self.root / "backups").exists():
            return legacy
        return self.root / "backups"


def data_paths(root: str | Path | None = None) -> DataPaths:
    """Paths of the data directory given, else of `TRACKER_DATA_DIR`, else of `data/`."""
    chosen = root or os.environ.get("TRACKER_DATA_DIR") or PROJECT_DIR / "data"
    return DataPaths(Path(chosen).resolve())
