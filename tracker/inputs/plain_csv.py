"""Read a large CSV file at C speed into Arrow columns, when it is written plainly.

Python's csv module (excel dialect, strict), which the validator's thorough reading uses, and
pyarrow's CSV reader split most files the same way, but not all: after a closing quote pyarrow
takes any character, Python only a comma, a line break or another quote. `read_plain` therefore
first proves from the raw bytes that the file holds none of the forms where the two could differ
(a quote that neither starts a field nor closes one, a quote never closed, a NUL byte), and only
then lets pyarrow read it. It answers None whenever it cannot prove that; the caller then reads
the file the Python way. What it returns is what the thorough reading gives: the header record as
written, every cell stripped as `str.strip()` strips, records of blank cells left out, and the
line each remaining record starts on.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

# Exactly what str.strip() removes: the characters for which str.isspace() is true.
WHITESPACE = "".join(chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace())

SCAN_BLOCK = 1 << 20  # bytes judged at a time (larger blocks were slower: fresh memory each time)
_ARROW_BLOCK = 4 << 20  # pyarrow's block, and so each column's chunk (larger ones read no faster)
_HEADER_LINES = 1000  # lines searched for the header before giving up
_QUOTE, _COMMA, _LF, _CR, _NUL = b'"'[0], b","[0], b"\n"[0], b"\r"[0], 0
_LINE_END = re.compile(rb"\r\n|\r|\n")  # what Python's newline="" reading splits lines at
# The bytes a quote may follow when it opens a field, or be followed by when it closes one; NUL
# stands for the start and the end of the body (a real NUL makes the scan give up).
_BESIDE_QUOTE = np.zeros(256, dtype=bool)
_BESIDE_QUOTE[[_COMMA, _LF, _CR, _QUOTE, _NUL]] = True


@dataclass(frozen=True)
class Header:
    """The header record of a file, and where the records after it start."""

    cells: list[str]  # as written (not stripped)
    body_offset: int  # byte where the first record after the header starts
    body_line: int  # the line it starts on


@dataclass(frozen=True)
class Body:
    """The records after the header: each column's cells stripped, blank records left out."""

    columns: list[pa.ChunkedArray]  # one per header cell, in the header's order
    lines: np.ndarray  # int64: the line each record starts on


def read_header(source: bytes | Path) -> Header | None:
    """The first record with a non-blank cell, found as the csv module finds it; None if it is not
    within the first lines, or anything before it is doubtful."""
    prefix = _prefix(source, 1 << 20)
    skipped = len(codecs.BOM_UTF8) if prefix.startswith(codecs.BOM_UTF8) else 0  # as utf-8-sig does
    ends = (m.end() for m in _LINE_END.finditer(prefix, skipped))
    for line, end in enumerate(ends, start=1):
        if end >= len(prefix) or line > _HEADER_LINES:  # "\r" ending the prefix may be half of "\r\n"
            return None
        try:
            reader = csv.reader(io.StringIO(prefix[skipped:end].decode("utf-8"), newline=""), strict=True)
            header = next((r for r in reader if r and any(cell.strip() for cell in r)), None)
        except UnicodeDecodeError:
            return None
        except csv.Error:  # a quoted value not closed yet, or a broken one
            continue
        if header is None:
            continue
        if reader.line_num != line or prefix.startswith(codecs.BOM_UTF8, end):
            return None  # pyarrow would drop a BOM there; for Python it is a character of the first cell
        return Header(header, end, line + 1)
    return None


def read_body(source: bytes | Path, header: Header) -> Body | None:
    """The records after the header, read by pyarrow once the bytes prove both readers agree."""
    width = len(header.cells)
    if width < 2:  # a one-column file's blank records are too easy to read two ways
        return None
    with _body_stream(source, header.body_offset) as stream:
        lines = record_lines(_blocks(stream), header.body_line)
    if lines is None:
        return None
    chunks: list[list[pa.Array]] = [[] for _ in range(width)]
    try:
        with _body_stream(source, header.body_offset) as stream:
            for batch in pa_csv.open_csv(stream, read_options=_read_options(width), parse_options=_PARSE,
                                         convert_options=_convert_options(width), memory_pool=_POOL):
                for cells, column in zip(batch.columns, chunks, strict=True):
                    if (stripped := _stripped(cells)) is None:
                        return None
                    column.append(stripped)
    except pa.ArrowInvalid:  # a record of another width, or bytes that are not UTF-8
        return None
    if sum(map(len, chunks[0])) != len(lines):
        return None
    return _without_blank_records([pa.chunked_array(c, pa.string()) for c in chunks], lines)


_PARSE = pa_csv.ParseOptions(delimiter=",", quote_char='"', double_quote=True, escape_char=False,
                             newlines_in_values=True, ignore_empty_lines=True)


def _read_options(width: int) -> pa_csv.ReadOptions:
    # One thread: on two busy cores the streaming reader's threads made it twice as slow.
    return pa_csv.ReadOptions(column_names=[f"c{i}" for i in range(width)], use_threads=False,
                              block_size=_ARROW_BLOCK)


def _convert_options(width: int) -> pa_csv.ConvertOptions:
    """Every cell as text, as written: nothing is read as null, a number or a date."""
    return pa_csv.ConvertOptions(column_types={f"c{i}": pa.string() for i in range(width)},
                                 check_utf8=True, null_values=[], strings_can_be_null=False,
                                 quoted_strings_can_be_null=False)


def _stripped(cells: pa.StringArray) -> pa.StringArray | None:
    """The cells as `str.strip()` leaves them (the same array when none changes); None when one is
    longer than the csv module reads."""
    size, limit = _text_bytes(cells), csv.field_size_limit() - 1
    if size >= limit and pc.max(pc.binary_length(cells)).as_py() >= limit:
        return None
    stripped = pc.utf8_trim(cells, characters=WHITESPACE, memory_pool=_POOL)
    return cells if _text_bytes(stripped) == size else stripped


def _text_bytes(cells: pa.StringArray) -> int:
    return pc.sum(pc.binary_length(cells)).as_py() or 0


def _memory_pool() -> pa.MemoryPool:
    """jemalloc where pyarrow has it: it gives freed memory back to the system, where glibc's malloc,
    after the reader's many short-lived buffers, holds twice what the cells take."""
    try:
        return pa.jemalloc_memory_pool()
    except NotImplementedError:
        return pa.system_memory_pool()


_POOL = _memory_pool()


def record_lines(blocks: Iterator[bytes], first_line: int) -> np.ndarray | None:
    """The line each non-empty record of a CSV body starts on, or None unless Python's csv module
    and pyarrow would split it into the same records with the same cells.

    Both agree when every quote either opens a field (it follows a comma, a line break, the start or
    the quote closing the part before: '""' inside a quoted value) or closes one (a comma, a line
    break, the end or the quote of such a pair follows it), the quotes are balanced, and there is no
    NUL. Whether a quote opens or closes is the parity of the quotes before it; a line break is inside
    a quoted value (part of a cell, not the end of a record) when an odd number of quotes precede it.
    """
    quotes = 0  # quotes in the blocks judged so far
    inside, next_empty = [], []  # per line end: inside a quoted value; the line after it is empty
    first_empty = True  # the body's first record is empty (or there is none)
    for start, raw in _windows(blocks):
        if raw.find(b"\0", 1, len(raw) - 1) >= 0:
            return None
        window = np.frombuffer(raw, dtype=np.uint8)
        body = window[1:-1]
        if start == 0:
            first_empty = body[0] in (_LF, _CR)
        returns = raw.find(b"\r", 1, len(raw) - 1) >= 0
        special = (body == _QUOTE) | (body == _LF)  # one pass over the positions of both
        if returns:
            special |= body == _CR
        at = np.flatnonzero(special) + 1  # positions in the window
        kinds = window[at]
        ends = at[kinds != _QUOTE]
        at = at[kinds == _QUOTE]
        if returns:  # "\r\n" ends a line at its "\n"
            ends = ends[(window[ends] == _LF) | (window[ends + 1] != _LF)]
        opens = ((np.arange(len(at)) + quotes) & 1) == 0
        if not (_BESIDE_QUOTE[window[at[opens] - 1]].all() and _BESIDE_QUOTE[window[at[~opens] + 1]].all()):
            return None
        inside.append(((np.searchsorted(at, ends) + quotes) & 1).astype(bool))
        after = window[ends + 1]
        next_empty.append((after == _LF) | (after == _CR) | (after == _NUL))  # NUL: the body's end
        quotes += len(at)
    if quotes % 2:
        return None
    if not inside:
        return np.zeros(0, dtype=np.int64)
    record_ends = np.flatnonzero(~np.concatenate(inside))
    lines = first_line + np.concatenate([[0], record_ends + 1])  # after line end k: line first + k + 1
    empty = np.concatenate([[first_empty], np.concatenate(next_empty)[record_ends]])
    return lines[~empty].astype(np.int64)


def _windows(blocks: Iterator[bytes]) -> Iterator[tuple[int, bytes]]:
    """(position, bytes) of the body a block at a time, each with the byte before it and the byte
    after it around it (NUL before the start and after the end)."""
    before, pending, start = b"\0", b"", 0
    for block in blocks:
        if not block:
            continue
        if pending:
            yield start, before + pending + block[:1]
            before, start = pending[-1:], start + len(pending)
        pending = block
    if pending:
        yield start, before + pending + b"\0"


def _blocks(stream) -> Iterator[bytes]:
    while block := stream.read(SCAN_BLOCK):
        yield block


def _body_stream(source: bytes | Path, offset: int):
    """A pyarrow stream of the file from byte `offset` (the file is not read into memory)."""
    stream = pa.BufferReader(pa.py_buffer(source)) if isinstance(source, bytes) else pa.OSFile(str(source))
    stream.seek(offset)
    return stream


def _without_blank_records(columns: list[pa.ChunkedArray], lines: np.ndarray) -> Body:
    """Records whose every cell is blank are skipped, like blank lines (all cells are stripped)."""
    blank = None
    for cells in columns:
        empty = pc.equal(cells, "", memory_pool=_POOL)
        if not pc.any(empty).as_py():  # a column without an empty cell (an id): no blank record
            return Body(columns, lines)
        blank = empty if blank is None else pc.and_(blank, empty, memory_pool=_POOL)
    blank_rows = blank.to_numpy(zero_copy_only=False)
    keep = pc.invert(blank, memory_pool=_POOL)
    return Body([pc.filter(cells, keep, memory_pool=_POOL) for cells in columns], lines[~blank_rows])


def _prefix(source: bytes | Path, size: int) -> bytes:
    if isinstance(source, bytes):
        return source[:size]
    with open(source, "rb") as handle:
        return handle.read(size)
