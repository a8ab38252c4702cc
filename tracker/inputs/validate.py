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
from array import array
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from tracker import schema
from tracker.schema import Column, Table

csv.field_size_limit(16 * 1024 * 1024)

ERROR = "error"
WARNING = "warning"

_INVISIBLE = {"Cc", "Cf", "Zl", "Zp", "Cs"}


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


class ParsedTable:
    """Rows of one input as text, with the line each row starts on.

    A file read on the quick path (see `_read_valid`) keeps its cells column by column
    (a large one as Arrow arrays, a chunk at a time) instead of a dict per row: a million
    dicts would take gigabytes. `rows` and `lines` are then built on first use.
    """

    def __init__(self, table: Table, header: list[str], rows: list[dict[str, str]] | None = None,
                 lines: list[int] | None = None, complete: bool = True):
        self.table = table
        self.header = header
        # False when reading stopped early (a broken quote): rows after it are unknown, so
        # references into this table cannot be judged.
        self.complete = complete
        self._rows = [] if rows is None else rows
        self._lines = [] if lines is None else lines
        self._columns: dict[str, list] | None = None  # column name -> chunks (tuples or Arrow arrays)
        self._line_array: array | None = None

    def __repr__(self) -> str:
        return f"ParsedTable({self.table.name!r}, {len(self)} rows, complete={self.complete})"

    def __len__(self) -> int:
        return len(self._line_array) if self._columns is not None else len(self._rows)

    @property
    def rows(self) -> list[dict[str, str]]:
        """Each row as {column name: text}, for the declared columns the file has."""
        if self._columns is not None and self._rows is None:
            names = list(self._columns)
            self._rows = [dict(zip(names, cells, strict=True))
                          for cells in zip(*(self.values(n) for n in names), strict=True)]
        return self._rows

    @property
    def lines(self) -> list[int]:
        """The line of the file each row starts on."""
        if self._columns is not None and self._lines is None:
            self._lines = self._line_array.tolist()
        return self._lines

    def values(self, name: str) -> list[str]:
        """Every row's text in one column ('' where the file has no such column)."""
        if self._columns is None:
            return [row.get(name, "") for row in self._rows]
        if name not in self._columns:
            return [""] * len(self)
        out: list[str] = []
        for chunk in self._columns[name]:
            out.extend(chunk if isinstance(chunk, tuple) else chunk.to_pylist())
        return out

    def _in_arrow(self) -> bool:
        return self._columns is not None and any(
            not isinstance(chunk, tuple) for chunks in self._columns.values() for chunk in chunks)

    def arrow_column(self, name: str):
        """One column's text as an Arrow chunked array ('' where the file has no such column)."""
        import pyarrow as pa

        if self._columns is None or name not in self._columns:
            return pa.chunked_array([pa.array(self.values(name), pa.string())])
        return pa.chunked_array([pa.array(c, pa.string()) if isinstance(c, tuple) else c
                                 for c in self._columns[name]], pa.string())

    def arrow(self):
        """The table's text cells as an Arrow table, one string column per declared column present."""
        import pyarrow as pa

        names = self._columns or [c.name for c in self.table.columns if c.name in self.header]
        return pa.table({n: self.arrow_column(n) for n in names})

    def _set_columns(self, columns: dict[str, list], lines: array) -> None:
        self._columns, self._line_array = columns, lines
        self._rows = self._lines = None


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
            parsed, problems = parse_table(table, replacements[table.name])
        elif path.exists():
            parsed, problems = _parse_path(table, path)
        elif table.optional:  # a folder without it has no rows of it
            continue
        else:
            result.problems.append(Problem(table.filename, 1, 1, "file is missing; expected "
                                           f"a CSV with columns {', '.join(table.column_names)}"))
            continue
        result.problems.extend(problems)
        if parsed is not None:
            result.tables[table.name] = parsed
        _give_back_freed_memory()
    result.problems.extend(check_references(result.tables))
    result.problems.extend(check_statuses(result.tables))
    return result


def _give_back_freed_memory() -> None:
    """Return the heap freed by a file's reading to the system (glibc keeps it otherwise): a million
    entries' cells, read as Python strings and kept as Arrow, leave about 200 MB behind."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc
        pass


def parse_table(table: Table, data: bytes) -> tuple[ParsedTable | None, list[Problem]]:
    """Decode, parse and check one file; returns the rows (None if unreadable) and problems."""
    return _parse(table, data, quick=True)


def _parse(table: Table, data: bytes, quick: bool) -> tuple[ParsedTable | None, list[Problem]]:
    name = table.filename
    if BLANK.fullmatch(data):  # not data.strip(), which would copy a large file
        return None, [Problem(name, 1, 1, "file is empty; expected a header row: "
                              + ",".join(table.column_names))]
    if quick and len(data) >= ARROW_MIN_BYTES and (read := _read_arrow(table, data)) is not None:
        return read
    if quick and (read := _read_valid(table, io.BytesIO(data))) is not None:
        return read
    # Something is wrong somewhere: the thorough reading finds and words every problem.
    text, problem = decode(name, data)
    if problem:
        return None, [problem]
    records, problems = read_records(name, text)
    if not records:
        return None, problems + [Problem(name, 1, 1, "no header row found")]
    header_line, header = records[0]
    header = [h.strip() for h in header]
    parsed = ParsedTable(table, header, complete=not problems)
    header_problems = check_header(table, header)
    problems.extend(header_problems)
    if any(p.severity == ERROR for p in header_problems):
        return None, problems
    problems.extend(_check_rows(table, parsed, records[1:]))
    return parsed, problems


BLANK = re.compile(rb"[ \t\n\r\x0b\x0c]*")  # what bytes.strip() removes
QUICK_CHUNK = 16_384  # rows read, checked and stored at a time on the quick path
_MEMO_LIMIT = 16_384  # distinct values per column remembered as checked (names repeat rarely)


ARROW_MIN_BYTES = 1 << 20  # a file this large is first read by pyarrow (see `_read_arrow`)


def _parse_path(table: Table, path: Path) -> tuple[ParsedTable | None, list[Problem]]:
    """`parse_table` of a file, streamed on the quick paths instead of read whole into memory."""
    with open(path, "rb") as handle:
        blank = all(not block.strip() for block in iter(lambda: handle.read(1 << 20), b""))
        if not blank:
            if path.stat().st_size >= ARROW_MIN_BYTES and (read := _read_arrow(table, path)) is not None:
                return read
            handle.seek(0)
            quick = _read_valid(table, handle)
            if quick is not None:
                return quick
    return _parse(table, path.read_bytes(), quick=False)


def _read_arrow(table: Table, source: bytes | Path) -> tuple[ParsedTable, list[Problem]] | None:
    """Read a large file without problems at C speed (`plain_csv`); None as soon as anything is doubtful.

    Like `_read_valid` it only ever answers "all fine": the cells are pyarrow's, proved to be those the
    csv module reads, and go through the same checks (each distinct value of a checked column once);
    a required cell left empty, a repeated key or row, any failed check gives up, and the slower
    readings find and word the problem.
    """
    from tracker.inputs import plain_csv  # pyarrow and numpy: not loaded for small files

    header = plain_csv.read_header(source)
    if header is None:
        return None
    names = [cell.strip() for cell in header.cells]
    header_problems = check_header(table, names)
    if any(p.severity == ERROR for p in header_problems):
        return None
    body = plain_csv.read_body(source, header)
    if body is None:
        return None
    declared = {c.name: body.columns[names.index(c.name)] for c in table.columns if c.name in names}
    if not (all(_arrow_column_passes(table.column(n), cells) for n, cells in declared.items())
            and _arrow_rows_distinct(table, names, body.columns, declared)):
        return None
    parsed = ParsedTable(table, names)
    parsed._set_columns({n: list(cells.chunks) for n, cells in declared.items()},
                        array("q", body.lines.tobytes()))
    return parsed, header_problems


def _arrow_column_passes(column: Column, cells) -> bool:
    """Whether every cell of an Arrow column passes `check_cell`, and a unique column repeats none.

    Each distinct value is judged once; those that a regular expression run by Arrow shows must
    pass (`_sure_to_pass`) are not turned into Python strings at all.
    """
    import pyarrow.compute as pc

    checked = column.type.checks or column.allowed or column.pattern
    if not (checked or column.unique):
        return not (column.required and _has_empty(cells))
    distinct = pc.unique(cells)
    if column.required and _has_empty(distinct):
        return False
    if checked:
        doubtful = pc.filter(distinct, pc.invert(_sure_to_pass(column, distinct)))
        if not _all_pass(column, set(doubtful.to_pylist())):
            return False
    if column.unique:  # empty cells may repeat
        filled = len(cells) - (pc.sum(pc.equal(cells, "")).as_py() or 0)
        return len(distinct) - _has_empty(distinct) == filled
    return True


def _sure_to_pass(column: Column, distinct):
    """True for the values that pass every check of the column (its type's, its vocabulary, its
    pattern), by Arrow's RE2 expressions that match only such values; False for the empty value
    and the values left to `_all_pass`."""
    import pyarrow as pa
    import pyarrow.compute as pc

    sure = pc.not_equal(distinct, "")
    if column.type.checks:
        expression = _type_sure_to_pass(column.type)
        sure = pc.and_(sure, pc.match_substring_regex(distinct, f"^(?:{expression})$")
                       if expression else pa.repeat(False, len(distinct)))
    if column.allowed:
        sure = pc.and_(sure, pc.is_in(distinct, value_set=pa.array(column.allowed, pa.string())))
    if column.pattern:
        expression = _re2_subset(column.pattern)
        sure = pc.and_(sure, pc.match_substring_regex(distinct, f"^(?:{expression})$")
                       if expression else pa.repeat(False, len(distinct)))
    return sure


# By type name: an RE2 expression matched only by cells that pass every check of the type. Its digits
# are ASCII (a subset of Python's \\d), and 18 of them always fit in 64 bits. Cells it does not match
# are checked in Python. Citations follow the schema's CITATION_PATTERN and a list's item is written
# in `_type_sure_to_pass`.
_TYPE_SURE_TO_PASS = {schema.INT.name: "-?[0-9]{1,18}"}


def _type_sure_to_pass(column_type) -> str | None:
    if column_type is schema.CITATION or column_type is schema.CITATIONS:  # the schema's pattern in RE2
        one = _re2_subset(schema.CITATION_PATTERN)
        if one is None or column_type is schema.CITATION:
            return one
        return f"{one}(?:{_re2_literal(schema.CITATION_SEPARATOR)}{one})*"
    if column_type is not schema.LIST:
        return _TYPE_SURE_TO_PASS.get(column_type.name)
    from tracker.inputs.plain_csv import WHITESPACE  # RE2's \\s is narrower than str.isspace()

    # Items with no '|' split at exactly their ' | ', and each keeps a character str.strip() keeps.
    kept = "[^|" + "".join(f"\\x{{{ord(c):X}}}" for c in WHITESPACE) + "]"
    item = f"[^|]*{kept}[^|]*"
    return f"{item}(?:{_re2_literal(schema.LIST_SEPARATOR)}{item})*"


def _re2_literal(text: str) -> str:
    return re.escape(text).replace("\\ ", " ")


# A pattern written only with these means the same to RE2 as to Python's re, but for \\d, which
# becomes [0-9] (Python's also takes other scripts' digits): what RE2 matches, re matches too.
_PORTABLE_PATTERN = re.compile(r"(?:\\d|\\[|.()\[\]{}*+?^\-]|[A-Za-z0-9 _\-:;,/|.()\[\]{}*+?^])*")
_ODD_BRACE = re.compile(r"\{(?![0-9]+(?:,[0-9]+)?\})")  # RE2 reads '{,3}' as text, Python not


def _re2_subset(pattern: str) -> str | None:
    """The pattern as RE2 takes it, matching no more than Python's re does; None if unsure."""
    if "(?" in pattern or _ODD_BRACE.search(pattern) or not _PORTABLE_PATTERN.fullmatch(pattern):
        return None
    return pattern.replace("\\d", "[0-9]")


def _has_empty(cells) -> bool:
    import pyarrow.compute as pc

    return bool(pc.any(pc.equal(cells, "")).as_py())


def _groups(cells) -> int:
    """How many distinct rows an Arrow table has."""
    return cells.group_by(cells.column_names).aggregate([]).num_rows


def _arrow_rows_distinct(table: Table, names: list[str], columns: list, declared: dict) -> bool:
    """Whether no two rows are equal, and no two share the values of a `unique_together`."""
    import pyarrow as pa

    rows = len(columns[0])
    for together in table.unique_together:
        present = [n for n in together if n in declared]  # a column the file lacks is empty on every row
        if not present and rows > 1:
            return False
        if present and _groups(pa.table({n: declared[n] for n in present})) != rows:
            return False
    # A unique column filled on every row (an id) already tells every row apart.
    if any(table.column(n).unique and not _has_empty(cells) for n, cells in declared.items()):
        return True
    return _groups(pa.table({f"c{i}": cells for i, cells in enumerate(columns)})) == rows


def _read_valid(table: Table, stream) -> tuple[ParsedTable, list[Problem]] | None:
    """Read a file whose rows have no problem, quickly; None as soon as anything is doubtful.

    Every cell still goes through `check_cell` (each distinct value of a column once), so
    what passes here is exactly what the thorough reading passes. It only ever answers
    "all fine": at the first problem, or a suspicion (two rows or two keys with the same
    hash), it gives up and `parse_table` reads the file the thorough way, which words every
    problem where it is. Reading a chunk of records at a time and keeping cells by column
    (as Arrow arrays past the first chunk) make a million rows take seconds and hundreds,
    not thousands, of megabytes.
    """
    try:
        reader = csv.reader(io.TextIOWrapper(stream, encoding="utf-8-sig", newline=""), strict=True)
        header = None
        for record in reader:
            if record and any(cell.strip() for cell in record):
                header = [h.strip() for h in record]
                break
        if header is None:
            return None
        header_problems = check_header(table, header)
        if any(p.severity == ERROR for p in header_problems):
            return None
        width = len(header)
        positions = [(c, header.index(c.name)) for c in table.columns if c.name in header]
        checked: dict[str, set[str]] = {c.name: set() for c, _ in positions}
        columns: dict[str, list] = {c.name: [] for c, _ in positions}
        keys = {c.name: array("q") for c, _ in positions if c.unique}
        # A column of unique_together that the file lacks counts as empty.
        together = [[header.index(n) if n in header else None for n in names]
                    for names in table.unique_together]
        keys.update({f"together-{i}": array("q") for i in range(len(together))})
        row_hashes, lines = array("q"), array("q")
        consumed = reader.line_num
        while records := list(islice(reader, QUICK_CHUNK)):
            starts = _record_lines(records, consumed + 1, reader.line_num - consumed)
            consumed = reader.line_num
            if starts is None:
                return None
            if not all(map(width.__eq__, map(len, records))):
                # Blank lines give records of any width; any other width is a problem.
                kept = [i for i, record in enumerate(records) if any(c.strip() for c in record)]
                records, starts = [records[i] for i in kept], [starts[i] for i in kept]
                if not all(len(record) == width for record in records):
                    return None
            if not records:
                continue
            by_column = [tuple(map(str.strip, values)) for values in zip(*records, strict=True)]
            # Rows of blank cells are skipped, like blank lines; there are none when a column has no
            # empty cell (the ids), so the rows are rarely put together again.
            if all("" in values for values in by_column):
                rows = list(zip(*by_column, strict=True))
                kept = [i for i, row in enumerate(rows) if any(row)]
                if len(kept) < len(rows):
                    starts = [starts[i] for i in kept]
                    by_column = list(zip(*[rows[i] for i in kept], strict=True))
                    if not kept:
                        continue
            row_hashes.extend(_row_hashes(by_column))
            for i, indexes in enumerate(together):
                empty = ("",) * len(by_column[0])
                keys[f"together-{i}"].extend(map(hash, zip(
                    *(empty if j is None else by_column[j] for j in indexes), strict=True)))
            lines.extend(starts)
            as_arrow = len(lines) >= QUICK_CHUNK  # a small file never loads pyarrow
            for column, index in positions:
                values = by_column[index]
                seen = checked[column.name]
                fresh = set(values).difference(seen)
                if not _all_pass(column, fresh):
                    return None
                # Remember values that repeat (destinations, dates); names, mostly new each time,
                # would only keep scattered strings alive.
                if len(fresh) * 4 < len(values):
                    seen |= fresh
                    if len(seen) > _MEMO_LIMIT:
                        seen.clear()
                if column.unique:
                    keys[column.name].extend(map(hash, filter(None, values)))
                if as_arrow:
                    values = _arrow(values)
                columns[column.name].append(values)
    except (csv.Error, UnicodeDecodeError):
        return None
    # Equal hashes may be equal rows or equal keys: the thorough reading tells which.
    if any(_repeats(hashes) for hashes in (row_hashes, *keys.values())):
        return None
    if len(lines) >= QUICK_CHUNK:  # a large file: its first chunk goes to Arrow too
        columns = {name: [_arrow(c) if isinstance(c, tuple) else c for c in chunks]
                   for name, chunks in columns.items()}
    parsed = ParsedTable(table, header)
    parsed._set_columns(columns, lines)
    return parsed, header_problems


def _all_pass(column: Column, values: set[str]) -> bool:
    """Whether `check_cell` finds nothing wrong with any of `values`: the same tests, each run over
    all the values at once (a text column without a vocabulary or form has none but the required one)."""
    if "" in values:
        if column.required:
            return False
        values = values - {""}
    for check in column.type.checks:
        if not all(map(check.passes, values)):
            return False
    if column.allowed and not values <= set(column.allowed):
        return False
    return not column.pattern or all(map(_compiled(column.pattern).fullmatch, values))


_patterns: dict[str, re.Pattern] = {}


def _compiled(pattern: str) -> re.Pattern:
    if pattern not in _patterns:
        _patterns[pattern] = re.compile(pattern)
    return _patterns[pattern]


def _arrow(values: tuple[str, ...]):
    """Text cells as an Arrow array, allocated by the system allocator: pyarrow's default one
    keeps the memory of the many growing buffers, a third more for a million rows."""
    import pyarrow as pa

    return pa.array(values, pa.string(), memory_pool=pa.system_memory_pool())


def _row_hashes(by_column: list[tuple[str, ...]]) -> array:
    """A hash of each row's cells (equal rows, equal hashes), from the columns."""
    if len(by_column[0]) < QUICK_CHUNK:
        return array("q", map(hash, zip(*by_column, strict=True)))
    import numpy as np  # a full chunk: combine the cells' hashes column by column, not row by row

    combined = np.zeros(len(by_column[0]), dtype=np.uint64)
    for values in by_column:
        cells = np.fromiter(map(hash, values), dtype=np.int64, count=len(values)).view(np.uint64)
        combined = combined * np.uint64(1_000_003) ^ cells
    return array("q", combined.view(np.int64).tobytes())


def _repeats(hashes: array) -> bool:
    """Whether any hash occurs twice."""
    if len(hashes) < QUICK_CHUNK:
        return len(set(hashes)) != len(hashes)
    import numpy as np  # a million Python ints in a set would take a hundred megabytes

    ordered = np.sort(np.frombuffer(hashes, dtype=np.int64))
    return bool((ordered[1:] == ordered[:-1]).any())


def _record_lines(records: list[list[str]], first: int, consumed: int) -> list[int] | None:
    """The line each record starts on, from the lines they took; None when that does not add up."""
    if consumed == len(records):
        return list(range(first, first + consumed))
    starts, line = [], first
    for record in records:
        starts.append(line)
        line += 1 + sum(f.count("\n") + f.count("\r") - f.count("\r\n") for f in record)
    return starts if line == first + consumed else None


def decode(name: str, data: bytes) -> tuple[str, Problem | None]:
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        # Name the record and the field (not the byte offset) holding the first unreadable byte.
        text = data.decode("utf-8-sig", errors="surrogateescape")
        line, column = _locate(text, len(data[: exc.start].decode("utf-8-sig")))
        return "", Problem(name, line, column, f"not UTF-8 (byte 0x{data[exc.start]:02X} "
                           "cannot be read); save the file as 'CSV UTF-8'")


def read_records(name: str, text: str) -> tuple[list[tuple[int, list[str]]], list[Problem]]:
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


def check_header(table: Table, header: list[str]) -> list[Problem]:
    name = table.filename
    problems = []
    seen: dict[str, int] = {}
    for index, column in enumerate(header, start=1):
        if column in seen:
            problems.append(Problem(name, 1, index, f"column '{shortened(column)}' appears twice "
                                    f"(also column {seen[column]})"))
        seen.setdefault(column, index)
        if column not in table.column_names:
            problems.append(Problem(name, 1, index, f"unknown column '{shortened(column)}' is ignored; "
                                    f"known columns: {', '.join(table.column_names)}", WARNING))
    for column in table.columns:
        if column.required and column.name not in seen:
            problems.append(Problem(name, 1, len(header) + 1,
                                    f"missing required column '{column.name}' ({column.description})"))
    return problems


def field_count_problem(name: str, line: int, record: list[str], width: int) -> Problem | None:
    """A record with more or fewer fields than the header, at the first field too many or missing.

    Such a record is never read into columns: its values would land under the wrong names.
    """
    if len(record) == width:
        return None
    hint = ("; a value holding a comma needs double quotes around it" if len(record) > width
            else "; an empty value still needs its comma")
    return Problem(name, line, min(len(record), width) + 1,
                   f"row has {len(record)} fields; expected {width} (as many as the header){hint}")


def _check_rows(table: Table, parsed: ParsedTable,
                records: list[tuple[int, list[str]]]) -> list[Problem]:
    name = table.filename
    problems: list[Problem] = []
    positions = {c: parsed.header.index(c.name) for c in table.columns if c.name in parsed.header}
    first_line_of_key: dict[str, dict[str, int]] = {c.name: {} for c in table.columns if c.unique}
    first_line_of_row: dict[tuple[str, ...], int] = {}
    together = table.unique_together  # a column the file lacks counts as empty
    first_line_together: list[dict[tuple[str, ...], int]] = [{} for _ in together]
    width = len(parsed.header)
    for line, record in records:
        if (wrong_width := field_count_problem(name, line, record, width)) is not None:
            problems.append(wrong_width)
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
        for names, seen_together in zip(together, first_line_together, strict=True):
            values = tuple(row.get(n, "") for n in names)
            if values in seen_together:
                problems.append(Problem(
                    name, line, positions.get(table.column(names[0]), 0) + 1,
                    f"a second row with {_together(names, values)} (first on line {seen_together[values]}); "
                    f"expected one row per {', '.join(names)}: tell them apart by "
                    f"{names[-1]}", column_name=names[0]))
            else:
                seen_together[values] = line
        parsed.rows.append(row)
        parsed.lines.append(line)
    return problems


def _together(names: tuple[str, ...], values: tuple[str, ...]) -> str:
    return ", ".join(f"{n} '{shortened(v)}'" if v else f"{n} empty"
                     for n, v in zip(names, values, strict=True))


def check_cell(column: Column, value: str) -> str | None:
    """What is wrong with one cell, as a sentence, or None when it is fine."""
    if not value:
        return f"'{column.name}' is required; expected {_expected(column)}" if column.required else None
    for check in column.type.checks:  # each type's tests and messages are declared in the schema
        if not check.passes(value):
            return f"{check.problem.format(value=shortened(value))}; expected {_expected(column)}"
    if column.allowed and value not in column.allowed:
        return f"'{shortened(value)}' is not allowed; expected one of: {', '.join(column.allowed)}"
    if column.pattern and not re.fullmatch(column.pattern, value):
        return f"'{shortened(value)}' is not in the expected form, e.g. '{column.example}'"
    return None


def _expected(column: Column) -> str:
    if column.allowed:
        return "one of: " + ", ".join(column.allowed)
    return column.type.expected


def shortened(value: str, limit: int = 60) -> str:
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
            index = parsed.header.index(column.name) + 1
            for row, value in _unknown(parsed, column.name, target, target_column):
                problems.append(Problem(
                    table.filename, parsed.lines[row], index,
                    f"'{shortened(value)}' is not a known {target_column} in "
                    f"{target_table}.csv", column_name=column.name))
    return problems


def _unknown(parsed: ParsedTable, name: str, target: ParsedTable, target_name: str) -> list[tuple[int, str]]:
    """(row, value) of the non-empty values of a column that the target column does not hold, in order
    (each item of a list column is a value)."""
    listed = parsed.table.column(name).type is schema.LIST
    if not (parsed._in_arrow() or target._in_arrow()):
        known = set(target.values(target_name))
        if listed:
            return [(i, item) for i, v in enumerate(parsed.values(name)) if v
                    for item in (p.strip() for p in v.split(schema.LIST_SEPARATOR)) if item not in known]
        return [(i, v) for i, v in enumerate(parsed.values(name)) if v and v not in known]
    import pyarrow.compute as pc

    values = parsed.arrow_column(name)
    known = target.arrow_column(target_name).combine_chunks()
    if listed:
        return _unknown_items(values, known)
    missing = pc.and_(pc.not_equal(values, ""), pc.invert(pc.is_in(values, value_set=known)))
    found, offset = [], 0
    for chunk in missing.chunks:
        found += [(offset + i, values[offset + i].as_py()) for i in pc.indices_nonzero(chunk).to_pylist()]
        offset += len(chunk)
    return found


def _unknown_items(values, known) -> list[tuple[int, str]]:
    """`_unknown` of a list column in Arrow: each non-empty cell split at the list separator, each item
    stripped as str.strip() strips (the characters str.isspace() names); a million cells' items are
    then never made into Python strings and sets (the version rows' entry ids: 300 MB and 1.5 s)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from tracker.inputs.plain_csv import WHITESPACE

    items, rows, filled, offset = [], [], [], 0
    for chunk in values.chunks:
        parts = pc.split_pattern(chunk, schema.LIST_SEPARATOR)
        items.append(pc.utf8_trim(pc.list_flatten(parts), characters=WHITESPACE))
        parent = pc.list_parent_indices(parts)
        rows.append(pc.add(parent, offset))
        filled.append(pc.take(pc.not_equal(chunk, ""), parent))
        offset += len(chunk)
    if not items:
        return []
    items, rows = pa.chunked_array(items, pa.string()), pa.chunked_array(rows)
    # One call over every chunk: is_in builds its hash set of the known values once per call.
    missing = pc.and_(pa.chunked_array(filled), pc.invert(pc.is_in(items, value_set=known)))
    return [(rows[i].as_py(), items[i].as_py()) for i in pc.indices_nonzero(missing).to_pylist()]


def check_statuses(tables: dict[str, ParsedTable]) -> list[Problem]:
    """An entry marked removed must have a 'removed' event (its date and rule are the event's); an
    entry not marked removed whose latest event is a removal is warned about (the editor saves one
    file at a time, so the event can come first)."""
    entities, events = tables.get("entities"), tables.get("events")
    if (entities is None or events is None or not entities.complete or not events.complete
            or "status" not in entities.header):
        return []
    removed = set(_take(events, "entity_id", _rows_in(events, "action", {schema.REMOVED})))
    marked = _rows_in(entities, "status", {schema.REMOVED})
    marked_ids = _take(entities, "entity_id", marked)
    column = entities.header.index("status") + 1
    problems = []
    for row, entity_id in zip(marked, marked_ids, strict=True):
        if entity_id not in removed:
            problems.append(Problem(
                entities.table.filename, entities.lines[row], column,
                f"status is '{schema.REMOVED}' but events.csv has no '{schema.REMOVED}' event for "
                f"{entity_id}; add the removal (its date and rule) to events.csv first",
                column_name="status"))
    unmarked = removed - set(marked_ids)
    latest = _latest_actions(events, unmarked)
    suspects = {entity_id for entity_id in unmarked if latest.get(entity_id) == schema.REMOVED}
    rows = _rows_in(entities, "entity_id", suspects)
    for row, entity_id in zip(rows, _take(entities, "entity_id", rows), strict=True):
        problems.append(Problem(
            entities.table.filename, entities.lines[row], column,
            f"the latest event of {entity_id} in events.csv is a removal, but its status is not "
            f"'{schema.REMOVED}'", WARNING, column_name="status"))
    return problems


def _rows_in(parsed: ParsedTable, column: str, values: set[str]) -> list[int]:
    """Numbers of the rows whose `column` holds one of `values`, in order."""
    if not values or column not in parsed.header:
        return []
    if parsed._in_arrow():  # a large table: not a million Python strings
        import pyarrow as pa
        import pyarrow.compute as pc

        mask = pc.is_in(parsed.arrow_column(column), value_set=pa.array(sorted(values), pa.string()))
        return pc.indices_nonzero(mask.combine_chunks()).to_pylist()
    return [i for i, v in enumerate(parsed.values(column)) if v in values]


def _take(parsed: ParsedTable, column: str, rows: list[int]) -> list[str]:
    """One column's values at some rows."""
    if not rows:
        return []
    if parsed._in_arrow():
        import pyarrow as pa
        import pyarrow.compute as pc

        return pc.take(parsed.arrow_column(column), pa.array(rows, pa.int64())).to_pylist()
    values = parsed.values(column)
    return [values[i] for i in rows]


def _latest_actions(events: ParsedTable, entity_ids: set[str]) -> dict[str, str]:
    """The action of the latest event (by date, else year, then sequence number) of each entry named."""
    rows = _rows_in(events, "entity_id", entity_ids)
    latest: dict[str, tuple[tuple, str]] = {}
    columns = [_take(events, c, rows) for c in ("entity_id", "action", "date", "year", "event_id")]
    for entity_id, action, day, year, event_id in zip(*columns, strict=True):
        number = event_id.rpartition("-")[2]
        key = (day or year, int(number) if number.isdigit() else 0)
        if entity_id not in latest or key >= latest[entity_id][0]:
            latest[entity_id] = (key, action)
    return {entity_id: action for entity_id, (_, action) in latest.items()}
