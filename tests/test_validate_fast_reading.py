"""The validator's pyarrow reading of large files (`validate._read_arrow`, `tracker.inputs.plain_csv`)
against its thorough, row-by-row reading.

Each test makes a file past `validate.ARROW_MIN_BYTES` from the test factory's entries (their ids
renumbered), writes something tricky into it, and reads it both ways. Whatever the fast reading
accepts, the thorough reading accepts with the same cells on the same lines; what it gives up on,
`parse_table` still answers exactly as the thorough reading does. The plain forms an editor's
spreadsheet writes (CRLF, CR, a BOM, line breaks in quoted values, blank lines) must take the fast
reading, or the tests fail: it must not silently always give up.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

import factory as made
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracker import schema
from tracker.inputs import plain_csv, validate
from tracker.inputs.validate import ERROR

TABLE = schema.ENTITIES
HEADER = TABLE.column_names
SPACES = [chr(c) for c in range(0x110000) if chr(c).isspace()]  # what str.strip() removes


def entity_rows(count: int) -> list[list[str]]:
    """`count` valid entries: the factory's, repeated with new ids, as cells in the header's order."""
    base = made.entities()
    rows = []
    for number in range(1, count + 1):
        row = dict(base[number % len(base)], entity_id=f"EL-{number:06d}")
        rows.append([row.get(name, "") for name in HEADER])
    return rows


ROWS = validate.ARROW_MIN_BYTES // 250  # about 1.2 MB of entries


def records(rows: list[list[str]]) -> list[str]:
    """Each row as one CSV record (quoted where needed), without its line end."""
    out = []
    for row in rows:
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\r\n").writerow(row)  # quotes values holding either
        out.append(buffer.getvalue()[:-2])
    return out


def text_of(lines: list[str], newline: str = "\n") -> bytes:
    return (newline.join(lines) + newline).encode("utf-8")


@pytest.fixture(scope="module")
def plain() -> list[str]:
    """The header and the entries' records of a plain large file."""
    return records([HEADER, *entity_rows(ROWS)])


def read_both(data: bytes, tmp_path: Path | None = None):
    """(fast reading or None, thorough reading); the fast one from a file too when `tmp_path` is given."""
    assert len(data) >= validate.ARROW_MIN_BYTES
    fast = validate._read_arrow(TABLE, data)
    if tmp_path is not None:
        path = tmp_path / TABLE.filename
        path.write_bytes(data)
        from_file = validate._read_arrow(TABLE, path)
        assert (fast is None) == (from_file is None)
        if fast is not None:
            assert_same_reading(from_file, fast)
    return fast, validate._parse(TABLE, data, quick=False)


def assert_same_reading(fast, thorough) -> None:
    """The same problems, header, cells and lines."""
    fast_table, fast_problems = fast
    thorough_table, thorough_problems = thorough
    assert fast_problems == thorough_problems
    assert not [p for p in thorough_problems if p.severity == ERROR]
    assert fast_table.header == thorough_table.header and fast_table.complete
    assert len(fast_table) == len(thorough_table)
    assert fast_table.lines == thorough_table.lines
    assert fast_table.rows == thorough_table.rows
    assert fast_table.arrow().to_pylist() == thorough_table.arrow().to_pylist()


def assert_agrees(data: bytes, tmp_path: Path | None = None, fast_taken: bool | None = None):
    """The fast reading, where it answers, is the thorough one; `parse_table` always is."""
    fast, thorough = read_both(data, tmp_path)
    if fast is not None:
        assert_same_reading(fast, thorough)
    if fast_taken is not None:
        assert (fast is not None) is fast_taken, thorough[1][:3]
    public_table, public_problems = validate.parse_table(TABLE, data)
    assert public_problems == thorough[1]
    if thorough[0] is not None and not [p for p in thorough[1] if p.severity == ERROR]:
        assert public_table.rows == thorough[0].rows and public_table.lines == thorough[0].lines
    return fast, thorough


def with_cells(lines: list[str], changes: dict[int, Callable[[list[str]], list[str]]]) -> list[str]:
    """The records with some rows' cells changed (line index -> function of the cells)."""
    out = list(lines)
    for index, change in changes.items():
        out[index] = records([change(next(csv.reader([lines[index]])))])[0]
    return out


def cell(name: str, value: str) -> Callable[[list[str]], list[str]]:
    def change(cells: list[str]) -> list[str]:
        cells = list(cells)
        cells[HEADER.index(name)] = value
        return cells
    return change


# --- what a spreadsheet writes: the fast reading takes it, and reads what the thorough one reads ---


def test_a_plain_large_file_takes_the_fast_reading(plain, tmp_path):
    fast, thorough = assert_agrees(text_of(plain), tmp_path, fast_taken=True)
    assert len(fast[0]) == ROWS and fast[0].lines[:2] == [2, 3] and fast[0]._in_arrow()
    assert isinstance(fast[0].arrow_column("name"), pa.ChunkedArray)


def test_the_whole_folder_reads_a_large_file_the_fast_way(plain, tmp_path):
    made.write_inputs(tmp_path)
    path = tmp_path / "inputs" / TABLE.filename
    data = text_of(plain)
    path.write_bytes(data)
    assert validate._read_arrow(TABLE, path) is not None
    result = validate.validate_dir(tmp_path / "inputs")
    thorough = validate._parse(TABLE, data, quick=False)
    assert result.tables["entities"].rows == thorough[0].rows
    # Company ids of the renumbered entries are the factory's, and their references hold.
    assert [p for p in result.problems if p.file == TABLE.filename] == []


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_crlf_and_cr_line_ends(plain, newline, tmp_path):
    assert_agrees(text_of(plain, newline), tmp_path, fast_taken=True)


def test_a_byte_order_mark_before_the_header(plain):
    assert_agrees(b"\xef\xbb\xbf" + text_of(plain), fast_taken=True)


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_line_breaks_inside_quoted_values_move_the_lines_after_them(plain, newline, tmp_path):
    lines = with_cells(plain, {5: cell("address", f"1 Road{newline}Kabul{newline}"),
                               900: cell("name", "Two\r\nkinds\nof\rbreak"),
                               len(plain) - 1: cell("notes", f"last{newline}")})
    fast, _ = assert_agrees(text_of(lines, newline), tmp_path, fast_taken=True)
    assert fast[0].lines[3:6] == [5, 6, 9]


def test_blank_lines_and_rows_of_blank_cells_are_skipped_as_blank_lines(plain):
    lines = list(plain)
    lines[10:10] = ["", "", ","]  # a short row of blank cells: pyarrow sees two fields, so it gives up
    assert_agrees(text_of(lines))
    lines = list(plain)
    lines[10:10] = ["", ""]
    width = len(HEADER)
    lines[300:300] = ["," * (width - 1), " ,\t," + "," * (width - 3), '"",' * (width - 1) + '" "']
    lines = ["", "", *lines, "", ""]  # the header on line 3
    fast, _ = assert_agrees(text_of(lines, "\r\n"), fast_taken=True)
    assert fast[0].lines[:2] == [4, 5] and len(fast[0]) == ROWS


def test_whitespace_only_lines(plain):
    lines = list(plain)
    lines[20:20] = [" ", "\t", "\u3000"]
    assert_agrees(text_of(lines))


def test_a_file_of_blank_rows_only_has_no_rows(plain):
    lines = [plain[0]] + ["," * (len(HEADER) - 1)] * (validate.ARROW_MIN_BYTES // len(HEADER) + 10)
    fast, _ = assert_agrees(text_of(lines), fast_taken=True)
    assert len(fast[0]) == 0 and fast[0].rows == []


def test_every_character_str_strip_removes_is_stripped_from_both_ends(plain):
    changes = {1 + i: cell("name", f"{space}Name {i}{space}{space}") for i, space in enumerate(SPACES)}
    # Not white space to str.strip(): kept.
    changes[101] = cell("name", "\u200bzero width\ufeff")
    changes[102] = cell("local_name", "\x1c\x1d\x1e\x1f")  # only white space: empty after stripping
    fast, _ = assert_agrees(text_of(with_cells(plain, changes)), fast_taken=True)
    names = fast[0].values("name")
    assert names[1] == "Name 1" and names[100] == "\u200bzero width\ufeff"
    assert fast[0].values("local_name")[101] == ""


def test_padded_header_cells_and_an_unknown_column(plain):
    lines = [" entity_id ," + plain[0].partition(",")[2] + ",extra"]
    lines += [line + ",x" for line in plain[1:]]
    fast, thorough = assert_agrees(text_of(lines), fast_taken=True)
    assert [p.severity for p in thorough[1]] == ["warning"]


def test_escaped_quotes_in_quoted_values(plain):
    lines = with_cells(plain, {7: cell("name", 'He said "hi"'), 8: cell("notes", '"'),
                               9: cell("aliases", '""')})
    assert_agrees(text_of(lines), fast_taken=True)


def test_other_scripts_digits_pass_the_python_check_the_fast_reading_leaves_to_it(plain):
    lines = with_cells(plain, {3: cell("entity_id", "EL-١٢٣٤٥"), 4: cell("fr_citations", "٩٠ FR 1")})
    fast, thorough = assert_agrees(text_of(lines), fast_taken=True)
    assert fast[0].values("entity_id")[2] == "EL-١٢٣٤٥"


def test_the_last_record_without_a_line_end(plain):
    assert_agrees(text_of(plain)[:-1], fast_taken=True)


# --- what the two CSV readers would read differently, or is wrong: the thorough reading speaks ---


VALID = "EL-900001,China,Name,,,,entity,listed,,,90 FR 1,,,,made up,"  # a record with nothing wrong
BROKEN = [
    (",Name,", ',"Name" x,'),  # text after a closing quote
    (",Name,", ',"Name"",'),  # that quote escapes one, and the value runs on
    (",Name,", ',Na"me,'),  # a quote inside an unquoted value
    (",Name,", ', "Name",'),  # a quote after a space
    (",Name,", ',"Name,'),  # a quote never closed
    ("made up,", "made up"),  # one field short
    ("made up,", "made up,,"),  # one field too many
    (",Name,", ",Name\x00,"),  # a NUL
    (",Name,", ",,"),  # a required cell empty
    (",Name,,", ",Name,a |  | b,"),  # a list with an empty item
    ("listed", "gone"),  # not in the vocabulary
    ("EL-900001", "EL-9x"),  # not in the id's form
    ("90 FR 1", "90 FR"),  # not a citation
    ("EL-900001", "EL-000002"),  # a second row with an id
]


@pytest.mark.parametrize("where", ["middle", "end"])
def test_a_valid_record_put_in_keeps_the_fast_reading(plain, where):
    lines = list(plain)
    lines.insert(len(lines) // 2 if where == "middle" else len(lines), VALID)
    assert_agrees(text_of(lines), fast_taken=True)


@pytest.mark.parametrize(("old", "new"), BROKEN)
@pytest.mark.parametrize("where", ["middle", "end"])
def test_a_doubtful_or_wrong_record_is_answered_by_the_thorough_reading(plain, old, new, where):
    lines = list(plain)
    record = VALID.replace(old, new, 1)
    assert record != VALID
    lines.insert(len(lines) // 2 if where == "middle" else len(lines), record)
    assert_agrees(text_of(lines))


def test_an_exact_duplicate_row(plain):
    lines = list(plain)
    lines.insert(700, lines[699])
    fast, thorough = assert_agrees(text_of(lines), fast_taken=False)
    assert "exact duplicate" in thorough[1][0].message


def test_bytes_that_are_not_utf8(plain):
    for bad in (b"\xff", b"\xed\xa0\x80", b"\xc0\x80", b"\xf4\x90\x80\x80"):
        data = text_of(plain)
        at = data.index(b"Example Road", len(data) // 2)
        assert_agrees(data[:at] + bad + data[at:], fast_taken=False)


def test_a_byte_order_mark_starting_the_first_row(plain):
    data = text_of(plain)
    cut = data.index(b"\n") + 1
    assert_agrees(data[:cut] + b"\xef\xbb\xbf" + data[cut:], fast_taken=False)


# --- any mix of the above, at random rows ---

PIECES = ["", " ", "\t", "\u3000", "\x1c", "\x85", "\u200b", '"', '""', ",", "\n", "\r\n", "\r", "x", "|",
          " | ", "EL-", "١"]


@st.composite
def edits(draw):
    """A few changes to a few records: a cell rewritten from odd pieces, or a raw line put in."""
    count = draw(st.integers(1, 4))
    out = []
    for _ in range(count):
        index = draw(st.integers(1, ROWS))
        if draw(st.booleans()):
            name = draw(st.sampled_from(["name", "aliases", "address", "entity_id", "status", "notes"]))
            value = "".join(draw(st.lists(st.sampled_from(PIECES), max_size=5)))
            out.append(("cell", index, name, value))
        else:
            raw = "".join(draw(st.lists(st.sampled_from([*PIECES, "a", ",,,,,,,,,,,,,,,"]), max_size=6)))
            out.append(("raw", index, "", raw))
    return out, draw(st.sampled_from(["\n", "\r\n", "\r"]))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(change=edits())
def test_random_edits_read_the_same_either_way(plain, change):
    changes, newline = change
    lines = with_cells(plain, {index: cell(name, value) for kind, index, name, value in changes
                               if kind == "cell"})
    for kind, index, _, value in sorted(changes, key=lambda c: -c[1]):
        if kind == "raw":
            lines.insert(index, value)
    assert_agrees(text_of(lines, newline))


# --- the pieces the fast reading is made of ---


def test_the_scan_finds_the_line_each_record_starts_on():
    body = b'a,b\n\n"x\ny",z\r\n\r\n"q""",r\rlast,one'
    lines = plain_csv.record_lines(iter([body[:5], body[5:9], body[9:]]), 10)
    assert lines.tolist() == [10, 12, 15, 16]
    a_byte_at_a_time = [body[i:i + 1] for i in range(len(body))]
    assert plain_csv.record_lines(iter(a_byte_at_a_time), 10).tolist() == [10, 12, 15, 16]


@pytest.mark.parametrize("body", [b'a,"b"c\n', b'a,b"c\n', b'a,"b\n', b'a,b\x00\n', b'a, "b"\n'])
def test_the_scan_gives_up_where_the_readers_differ(body):
    assert plain_csv.record_lines(iter([body]), 2) is None


ODD = ["", "0", "-0", "+5", "1e3", "٣", "２０１９", "9223372036854775807", "9223372036854775808",
       "999999999999999999", "-999999999999999999", "90 FR 4619", "٩٠ FR ٤٦١٩", "90 FR 4617; ",
       "90 FR 4617; 91 FR 1", "90 FR 4617;91 FR 1", "a |  | b", " | ", "a | b", "a |\u3000| b", "|", "a||b",
       "a | \x1c | b", "EL-1234", "EL-١٢٣٤", "EL-12", "x:1", "ecfr_2023-11-21:00001", "\n", "a\nb"]


@pytest.mark.parametrize("column", [c for t in schema.TABLES for c in t.columns
                                    if c.pattern or c.type.checks], ids=lambda c: c.name)
@settings(max_examples=60, deadline=None)
@given(extra=st.lists(st.one_of(st.sampled_from(ODD), st.text(max_size=12)), max_size=20))
def test_what_arrow_says_must_pass_does_pass_the_python_checks(column, extra):
    values = sorted({v.strip() for v in ODD + extra} - {""})
    sure = validate._sure_to_pass(column, pa.array(values, pa.string())).to_pylist()
    for value, passes in zip(values, sure, strict=True):
        if passes:
            assert validate.check_cell(column, value) is None, (column.name, value)


def test_arrow_is_sure_of_the_common_values():
    sure = validate._sure_to_pass
    assert sure(TABLE.column("entity_id"), pa.array(["EL-0001", "EL-١٢٣٤"])).to_pylist() == [True, False]
    assert sure(TABLE.column("aliases"), pa.array(["A | B", "A |  | B"])).to_pylist() == [True, False]
    assert sure(schema.EVENTS.column("year"), pa.array(["2019", "٢٠١٩"])).to_pylist() == [True, False]


def python_unknown_items(cells: list[str], known: set[str]) -> list[tuple[int, str]]:
    """The thorough reading's rule for a list column's references (validate._unknown on Python rows)."""
    return [(i, item) for i, v in enumerate(cells) if v
            for item in (p.strip() for p in v.split(schema.LIST_SEPARATOR)) if item not in known]


KNOWN_IDS = ["EL-0001", "EL-0002", "EL-0003"]
LIST_CELLS = ["", "EL-0001", "EL-0001 | EL-0002", " EL-0001 |EL-0002", "EL-0001 |  | EL-0003", "EL-0009",
              "EL-0001 | ", " | ", "\u3000EL-0002\x1c | EL-0003\xa0", "EL-0001 | EL-0001 | el-0002",
              "EL-0001 || EL-0002", "EL-0001 | | EL-0002", " ", "EL-0002\u2028"]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.sampled_from(LIST_CELLS),
                          st.lists(st.one_of(st.sampled_from(KNOWN_IDS + ["EL-0009", " "]),
                                             st.text(alphabet=["E", "L", "-", "1", " ", "|", *SPACES[:8]],
                                                     max_size=6)),
                                   max_size=4).map(" | ".join)),
                max_size=12),
       st.integers(min_value=1, max_value=5), st.booleans())
def test_list_references_checked_in_arrow_are_the_python_rules(cells, chunk_rows, empty_known) -> None:
    chunks = [pa.array(cells[i:i + chunk_rows], pa.string()) for i in range(0, len(cells), chunk_rows)]
    values = pa.chunked_array(chunks, pa.string())
    ids = KNOWN_IDS + [""] * empty_known  # a target column may hold an empty cell
    expected = python_unknown_items(cells, set(ids))
    assert validate._unknown_items(values, pa.array(ids, pa.string())) == expected


def test_the_list_cells_above_hold_unknown_items() -> None:
    assert len(python_unknown_items(LIST_CELLS, set(KNOWN_IDS))) == 10
