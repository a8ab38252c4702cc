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
    def history(self) -> Path:
        return self.root / "history"


def data_paths(root: str | Path | None = None) -> DataPaths:
    """Paths of the data directory given, else of `TRACKER_DATA_DIR`, else of `data/`."""
    chosen = root or os.environ.get("TRACKER_DATA_DIR") or PROJECT_DIR / "data"
    return DataPaths(Path(chosen).resolve())
