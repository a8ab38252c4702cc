"""Where the data lives: `TRACKER_DATA_DIR` (default `data/` beside the code)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent


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
