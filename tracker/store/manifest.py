"""The manifest of a published build: what it was built from, when, and what it holds."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

MANIFEST_FILE = "manifest.json"


@dataclass(frozen=True)
class Manifest:
    """One build's manifest.json, typed."""

    build_id: str
    built_at: str  # ISO 8601, UTC, to the second
    data_as_of: str | None  # newest Federal Register change recorded (YYYY-MM-DD)
    store_format: str | None = None  # tracker.store.layout.store_format() of the code that built it
    inputs: dict[str, str] = field(default_factory=dict)  # input file -> SHA-256
    rows: dict[str, int] = field(default_factory=dict)  # store table -> rows
    files: dict[str, int | None] = field(default_factory=dict)  # Parquet file -> size in bytes
    step_seconds: dict[str, float] = field(default_factory=dict)  # build step -> seconds it took

    @classmethod
    def from_json(cls, data: dict) -> Manifest:
        """A manifest from its JSON form; builds from before sizes were recorded list their rows only."""
        rows = {k: int(v) for k, v in (data.get("rows") or {}).items()}
        files = data.get("files") or {f"{name}.parquet": None for name in rows}
        return cls(build_id=str(data["build_id"]), built_at=str(data["built_at"]),
                   data_as_of=data.get("data_as_of"), store_format=data.get("store_format"),
                   inputs=dict(data.get("inputs") or {}), rows=rows, files=dict(files),
                   step_seconds=dict(data.get("step_seconds") or {}))

    def to_json(self) -> dict:
        return asdict(self)

    @property
    def tables(self) -> list[str]:
        """Every table of the build (the name of each Parquet file)."""
        return [Path(name).stem for name in self.files]

    @property
    def built_at_minute(self) -> str:
        """When it was built, as 'YYYY-MM-DD HH:MM' (UTC)."""
        return self.built_at[:16].replace("T", " ")


def read_manifest_file(path: Path) -> Manifest | None:
    """The manifest stored at `path`, or None when it is missing or cannot be read."""
    try:
        return Manifest.from_json(json.loads(path.read_text()))
    except (OSError, ValueError, KeyError, TypeError):
        return None
