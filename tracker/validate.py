"""Check the CSV inputs against the declared schema.

Every problem names its file, line and column (both 1-based, as a spreadsheet
counts them) and says what was expected. All problems are collected, never
just the first; nothing here raises on bad input.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from tracker import schema
from tracker.schema import Column, Table

csv.field_size_limit(16 * 1024 * 1024)

ERROR = "error"
WARNING = "warning"

# ASCII digits only: \d also matches other scripts' digits, which the build cannot read as numbers.
_INT = re.compile(r"-?[0-9]+")
_INT_LIMIT = 2**63  # the store's integers are 64-bit; a larger value would fail the build or wrap
_CITATION = re.compile(r"\d{1,3} FR \d{1,6}")
_PARTIAL_DATE = re.compile(r"\d{4}-\d{2}(-\d{2})?")
_INVISIBLE = {"Cc", "Cf", "Zl", "Zp", "Cs"}
_URL = re.compile(r"https?://[^\s<>\"]+")


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or doubtful) in an input file."""

    file: str
    line: int
    column: int
    message: str
    severity: str = ERROR
    column_name: str = ""

    def __str__(self) -> str:
        where = f" ({self.column_name})" if self.column_name else ""
        return f"{self.file}:{self.line}:{self.column}:{where} {self.severity}: {self.message}"


@dataclass
class ParsedTable:
    """Rows of one input as text, with the line each row starts on."""

    table: Table
    header: list[str]
    rows: list[dict[str, str]] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    # False when reading stopped early (a broken quote): rows after it are unknown, so
    # references into this table cannot be judged.
    complete: bool = True


@dataclass
class ValidationResult:
    """Problems found and the tables that could be read."""

    problems: list[Problem] = field(default_factory=list)
    tables: dict[str, ParsedTable] = field(default_factory=dict)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == WARNING]

    @property
    def ok(self) -> bool:
        return not self.errors


def validate_dir(inputs_dir: Path, replacements: dict[str, bytes] | None = None) -> ValidationResult:
    """Validate every declared input in `inputs_dir`, and the references between them.

    `replacements` maps a table name to content that stands in for its file, so an
    edit can be checked against the other inputs before anything is written.
    """
    replacements = replacements or {}
    result = ValidationResult()
    for table in schema.TABLES:
        path = Path(inputs_dir) / table.filename
        if table.name in replacements:
            data = replacements[table.name]
        elif path.exists():
            data = path.read_bytes()
        else:
            result.problems.append(Problem(table.filename, 1, 1, "file is missing; expected "
                                           f"a CSV with columns {', '.join(table.column_names)}"))
            continue
        parsed, problems = parse_table(table, data)
        result.problems.extend(problems)
        if parsed is not None:
            result.tables[table.name] = parsed
    result.problems.extend(check_references(result.tables))
    return result


def parse_table(table: Table, data: bytes) -> tuple[ParsedTable | None, list[Problem]]:
    """Decode, parse and check one file; returns the rows (None if unreadable) and problems."""
    name = table.filename
    if not data.strip():
        return None, [Problem(name, 1, 1, "file is empty; expected a header row: "
                              + ",".join(table.column_names))]
    text, problem = _decode(name, data)
    if problem:
        return None, [problem]
    records, problems = _read_records(name, text)
    if not records:
        return None, problems + [Problem(name, 1, 1, "no header row found")]
    header_line, header = records[0]
    header = [h.strip() for h in header]
    parsed = ParsedTable(table, header, complete=not problems)
    header_problems = _check_header(table, header)
    problems.extend(header_problems)
    if any(p.severity == ERROR for p in header_problems):
        return None, problems
    problems.extend(_check_rows(table, parsed, records[1:]))
    return parsed, problems


def _decode(name: str, data: bytes) -> tuple[str, Problem | None]:
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        # Name the record and the field (not the byte offset) holding the first unreadable byte.
        text = data.decode("utf-8-sig", errors="surrogateescape")
        line, column = _locate(text, len(data[: exc.start].decode("utf-8-sig")))
        return "", Problem(name, line, column, f"not UTF-8 (byte 0x{data[exc.start]:02X} "
                           "cannot be read); save the file as 'CSV UTF-8'")


def _read_records(name: str, text: str) -> tuple[list[tuple[int, list[str]]], list[Problem]]:
    """Split text into CSV records, each with the line it starts on; blank lines are skipped."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    records: list[tuple[int, list[str]]] = []
    start = 1
    try:
        for row in reader:
            if row and any(cell.strip() for cell in row):
                records.append((start, row))
            start = reader.line_num + 1
    except csv.Error as exc:
        line, column = _locate(text, len(text))
        if line != start:
            column = 1
        return records, [Problem(name, start, column, f"cannot read this record ({exc}); check for "
                                 "an unbalanced double quote")]
    return records, []


def _locate(text: str, stop: int) -> tuple[int, int]:
    """Start line of the record and 1-based column of the field holding position `stop` of CSV
    text, or of the first quoted field before it that is never closed or runs on after its quote."""
    line = record_line = column = 1
    i, field_start = 0, True
    while i < stop:
        char = text[i]
        if field_start and char == '"':
            end = i + 1
            while True:
                end = text.find('"', end)
                if end < 0 or end >= stop:
                    return record_line, column
                if text.startswith('""', end):
                    end += 2
                    continue
                break
            quoted = text[i:end]
            line += quoted.count("\n") + quoted.count("\r") - quoted.count("\r\n")
            i = end + 1
            if i < len(text) and text[i] not in ",\r\n":
                return record_line, column
            field_start = False
            continue
        field_start = False
        if char == ",":
            column += 1
            field_start = True
        elif char in "\r\n":
            if text.startswith("\r\n", i):
                i += 1
            line += 1
            record_line, column, field_start = line, 1, True
        i += 1
    return record_line, column


def _check_header(table: Table, header: list[str]) -> list[Problem]:
    name = table.filename
    problems = []
    seen: dict[str, int] = {}
    for index, column in enumerate(header, start=1):
        if column in seen:
            problems.append(Problem(name, 1, index, f"column '{_short(column)}' appears twice "
                                    f"(also column {seen[column]})"))
        seen.setdefault(column, index)
        if column not in table.column_names:
            problems.append(Problem(name, 1, index, f"unknown column '{_short(column)}' is ignored; "
                                    f"known columns: {', '.join(table.column_names)}", WARNING))
    for column in table.columns:
        if column.required and column.name not in seen:
            problems.append(Problem(name, 1, len(header) + 1,
                                    f"missing required column '{column.name}' ({column.description})"))
    return problems


def _check_rows(table: Table, parsed: ParsedTable,
                records: list[tuple[int, list[str]]]) -> list[Problem]:
    name = table.filename
    problems: list[Problem] = []
    positions = {c: parsed.header.index(c.name) for c in table.columns if c.name in parsed.header}
    first_line_of_key: dict[str, dict[str, int]] = {c.name: {} for c in table.columns if c.unique}
    first_line_of_row: dict[tuple[str, ...], int] = {}
    width = len(parsed.header)
    for line, record in records:
        if len(record) != width:
            problems.append(Problem(name, line, min(len(record), width) + 1,
                                    f"row has {len(record)} fields; expected {width} "
                                    "(as many as the header)"))
            continue
        cells = tuple(cell.strip() for cell in record)
        if cells in first_line_of_row:
            problems.append(Problem(name, line, 1, "exact duplicate of the row on line "
                                    f"{first_line_of_row[cells]}"))
            continue
        first_line_of_row[cells] = line
        row = {column.name: cells[index] for column, index in positions.items()}
        for column, index in positions.items():
            message = check_cell(column, row[column.name])
            if message:
                problems.append(Problem(name, line, index + 1, message, column_name=column.name))
            elif column.unique and row[column.name]:
                seen = first_line_of_key[column.name]
                if row[column.name] in seen:
                    problems.append(Problem(
                        name, line, index + 1, f"duplicate {column.name} '{row[column.name]}' "
                        f"(first on line {seen[row[column.name]]}); expected a unique value",
                        column_name=column.name))
                else:
                    seen[row[column.name]] = line
        parsed.rows.append(row)
        parsed.lines.append(line)
    return problems


def check_cell(column: Column, value: str) -> str | None:
    """What is wrong with one cell, as a sentence, or None when it is fine."""
    if not value:
        return f"'{column.name}' is required; expected {_expected(column)}" if column.required else None
    message = _check_type(column.type, value)
    if message:
        return f"{message}; expected {_expected(column)}"
    if column.allowed and value not in column.allowed:
        return f"'{_short(value)}' is not allowed; expected one of: {', '.join(column.allowed)}"
    if column.pattern and not re.fullmatch(column.pattern, value):
        return f"'{_short(value)}' is not in the expected form, e.g. '{column.example}'"
    return None


def _check_type(kind: str, value: str) -> str | None:
    if kind == schema.INT and not _INT.fullmatch(value):
        return f"'{_short(value)}' is not a whole number"
    if kind == schema.INT and (len(value.lstrip("-").lstrip("0")) > 19
                               or not -_INT_LIMIT < int(value) < _INT_LIMIT):
        return f"'{_short(value)}' is too large to be a whole number here"
    if kind == schema.DATE and not _is_date(value):
        return f"'{_short(value)}' is not a date"
    if kind == schema.PARTIAL_DATE and not (_PARTIAL_DATE.fullmatch(value)
                                            and _is_date(value if len(value) == 10 else value + "-01")):
        return f"'{_short(value)}' is not a date or a month"
    if kind == schema.URL and not _URL.fullmatch(value):
        return f"'{_short(value)}' is not a web address"
    if kind == schema.CITATION and not _CITATION.fullmatch(value):
        return f"'{_short(value)}' is not a Federal Register citation"
    if kind == schema.CITATIONS and not all(
            _CITATION.fullmatch(part) for part in value.split(schema.CITATION_SEPARATOR)):
        return f"'{_short(value)}' is not a list of Federal Register citations"
    if kind == schema.LIST and any(not part.strip() for part in value.split(schema.LIST_SEPARATOR)):
        return "the list has an empty item"
    return None


def _expected(column: Column) -> str:
    forms = {
        schema.TEXT: "text",
        schema.INT: "a whole number, e.g. 2019",
        schema.DATE: "a date as YYYY-MM-DD, e.g. 2025-01-16",
        schema.PARTIAL_DATE: "a date as YYYY-MM-DD or a month as YYYY-MM",
        schema.URL: "a web address starting with https:// or http://",
        schema.CITATION: "a citation such as '90 FR 4619'",
        schema.CITATIONS: "citations such as '90 FR 4617; 90 FR 4621'",
        schema.LIST: "values separated by ' | '",
    }
    if column.allowed:
        return "one of: " + ", ".join(column.allowed)
    return forms[column.type]


def _is_date(value: str) -> bool:
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return len(value) == 10


def _short(value: str, limit: int = 60) -> str:
    # Control, format and line-separator characters are shown escaped (\x1b, \ufeff): a message is
    # one line of a terminal or a table, and an invisible character would make it misleading.
    value = value.replace("\n", " ")
    value = value if len(value) <= limit else value[: limit - 1] + "…"
    return "".join(repr(c)[1:-1] if unicodedata.category(c) in _INVISIBLE else c for c in value)


def check_references(tables: dict[str, ParsedTable]) -> list[Problem]:
    """Every value of a referencing column must exist in the column it references."""
    problems = []
    for parsed in tables.values():
        table = parsed.table
        for column in table.columns:
            if not column.references or column.name not in parsed.header:
                continue
            target_table, target_column = column.references.split(".")
            target = tables.get(target_table)
            if target is None or not target.complete:
                continue
            known = {row.get(target_column, "") for row in target.rows}
            index = parsed.header.index(column.name) + 1
            for row, line in zip(parsed.rows, parsed.lines, strict=True):
                value = row.get(column.name, "")
                if value and value not in known:
                    problems.append(Problem(
                        table.filename, line, index,
                        f"'{_short(value)}' is not a known {target_column} in "
                        f"{target_table}.csv", column_name=column.name))
    return problems
