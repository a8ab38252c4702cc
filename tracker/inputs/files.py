"""Reading and writing the CSV inputs, always atomically."""

from __future__ import annotations

import csv
import io
import os
import tempfile
from pathlib import Path

from tracker.schema import Table


def rows_to_csv(table: Table, rows: list[dict[str, str]]) -> bytes:
    """CSV text (UTF-8, LF line ends, header first) of rows in the table's column order."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=table.column_names, extrasaction="ignore",
                            lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: row.get(k, "") or "" for k in table.column_names})
    return buffer.getvalue().encode("utf-8")


def write_rows(path: Path, table: Table, rows: list[dict[str, str]]) -> None:
    """Write rows as the table's CSV file, replacing it atomically."""
    write_atomic(path, rows_to_csv(table, rows))


def write_atomic(path: Path, data: bytes) -> None:
    """Write bytes to a temporary file beside `path`, flush it to disk, then rename it over `path`."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
