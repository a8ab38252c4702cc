"""Reading and writing the CSV inputs, always atomically, and opening one for editing."""

from __future__ import annotations

import csv
import io
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from tracker.inputs import validate
from tracker.inputs.validate import Problem
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


@dataclass(frozen=True)
class OpenedInput:
    """An input opened for editing: its rows as text, or why it cannot be read as a table.

    `rows` hold every declared column, in the declared order, and `lines` the CSV line each
    row starts on; both are empty whenever `problems` is not.
    """

    table: Table
    data: bytes | None  # the bytes read; None when there is no file
    rows: list[dict[str, str]] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def readable(self) -> bool:
        """Whether the file could be read as a table of the declared columns."""
        return not self.problems

    @property
    def columns(self) -> list[str]:
        """The declared columns, in the order every row has them."""
        return self.table.column_names


def open_for_editing(inputs_dir: Path, table: Table) -> OpenedInput:
    """The input `table` in `inputs_dir` as rows to edit, or the problems that keep it from being one.

    Never raises on a bad file: a missing or unreadable file is a problem too.
    """
    path = Path(inputs_dir) / table.filename
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return OpenedInput(table, None, problems=[Problem(
            table.filename, 1, 1, "file is missing; expected a CSV with columns "
            + ", ".join(table.column_names))])
    except OSError as error:
        return OpenedInput(table, None, problems=[Problem(
            table.filename, 1, 1, f"file cannot be read ({error.strerror or error})")])
    return read_for_editing(table, data)


def read_for_editing(table: Table, data: bytes) -> OpenedInput:
    """`open_for_editing` of a file's bytes.

    A file opens when it is UTF-8 CSV with a header the table can hold (every required column,
    none twice, none unknown) and every row as wide as the header; a row of another width or
    an unknown column would otherwise put values under the wrong names or drop them. Mistakes
    in cells (a bad date, a duplicate id) do not keep it closed: they are fixed in the table,
    and the check before publishing names them. Read by the validator's own reader, so every
    problem is located as `python -m tracker validate` locates it.
    """
    name = table.filename
    if validate.BLANK.fullmatch(data):
        return OpenedInput(table, data, problems=[Problem(
            name, 1, 1, "file is empty; expected a header row: " + ",".join(table.column_names))])
    text, problem = validate.decode(name, data)
    if problem:
        return OpenedInput(table, data, problems=[problem])
    records, problems = validate.read_records(name, text)  # stops at a quote never closed
    if not records:
        return OpenedInput(table, data, problems=problems or [Problem(name, 1, 1, "no header row found")])
    header = [cell.strip() for cell in records[0][1]]
    header_problems = [p for p in validate.check_header(table, header) if p.severity == validate.ERROR]
    # The validator only warns of an unknown column (the build ignores it); the table editor
    # would drop it on saving, so here it keeps the file closed.
    header_problems += [Problem(name, 1, index, f"unknown column '{validate.shortened(column)}': the "
                                "table editor cannot keep it, so remove or rename it; known columns: "
                                + ", ".join(table.column_names))
                        for index, column in enumerate(header, start=1) if column not in table.column_names]
    width_problems = [p for line, record in records[1:]
                      if (p := validate.field_count_problem(name, line, record, len(header)))]
    problems = sorted(header_problems + width_problems + problems, key=lambda p: (p.line, p.column))
    if problems:
        return OpenedInput(table, data, problems=problems)
    positions = {column: header.index(column) for column in table.column_names if column in header}
    rows = [{column: record[positions[column]].strip() if column in positions else ""
             for column in table.column_names} for _, record in records[1:]]
    return OpenedInput(table, data, rows, [line for line, _ in records[1:]])
