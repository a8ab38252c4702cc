"""`python -m tracker validate DIR`: every mistake an editor can make is reported with its
file, line and column, the command exits 1, and nothing crashes.

Each test writes the test factory's inputs (tests/factory.py), breaks them in one way, and
runs the command as a real process. Expected lines and columns come from what the test
wrote: a row appended to a file starts on the line after the file's last line; a column is
the header's position.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import factory as made
import pytest

from tracker import schema
from tracker.config import PROJECT_DIR, DataPaths

# --- helpers: run the command, read and write CSV as an editor would ---


def run_validate(folder: Path) -> subprocess.CompletedProcess[str]:
    """Run the validator on a folder as a separate process, from the project folder."""
    env = {k: v for k, v in os.environ.items() if k != "TRACKER_DATA_DIR"}
    env["PYTHONIOENCODING"] = "utf-8"
    return subprocess.run([sys.executable, "-m", "tracker", "validate", str(folder)], cwd=PROJECT_DIR,
                          capture_output=True, encoding="utf-8", env=env, timeout=120, check=False)


def error_lines(result: subprocess.CompletedProcess[str]) -> list[str]:
    return [line for line in result.stderr.splitlines() if " error: " in line]


def assert_fails_at(result: subprocess.CompletedProcess[str], location: str, words: str,
                    errors: int = 1) -> None:
    """Exit 1, an error at `location` (file:line:column) whose message has `words`, `errors` in all."""
    output = result.stdout + result.stderr
    assert "Traceback" not in output, output
    assert result.returncode == 1, output
    at = [line for line in error_lines(result) if line.startswith(location + ":")]
    assert at, f"no error reported at {location}:\n{result.stderr}"
    assert any(words in line for line in at), f"expected '{words}' at {location}:\n{result.stderr}"
    assert len(error_lines(result)) == errors, result.stderr


def assert_valid(result: subprocess.CompletedProcess[str]) -> None:
    output = result.stdout + result.stderr
    assert "Traceback" not in output, output
    assert result.returncode == 0, output
    assert error_lines(result) == [], output
    assert f"all {len(schema.TABLES)} inputs are valid" in result.stdout


def header_of(path: Path) -> list[str]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return next(csv.reader(handle))


def column_of(path: Path, name: str) -> int:
    """1-based position of a column in the file's header."""
    return header_of(path).index(name) + 1


def first_row(path: Path, **changes: str) -> dict[str, str]:
    """The file's first data row as a dict, with some cells changed."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        row = next(csv.DictReader(handle))
    row.update(changes)
    return row


def csv_text(values: list[str], newline: str = "\n") -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator=newline).writerow(values)
    return buffer.getvalue()


def next_line(path: Path) -> int:
    """The line a record appended to the file will start on."""
    data = path.read_bytes()
    assert data.endswith(b"\n")
    return data.count(b"\n") + 1


def append(path: Path, row: dict[str, str] | list[str], encoding: str = "utf-8") -> int:
    """Append one record (a dict in the header's order, or raw values); return its start line."""
    line = next_line(path)
    values = [row.get(name, "") for name in header_of(path)] if isinstance(row, dict) else row
    with open(path, "ab") as handle:
        handle.write(csv_text(values).encode(encoding))
    return line


def append_text(path: Path, text: str) -> int:
    """Append raw text (one or more physical lines); return the line it starts on."""
    line = next_line(path)
    with open(path, "ab") as handle:
        handle.write(text.encode("utf-8"))
    return line


def rewrite(path: Path, transform: Callable[[list[str], list[dict[str, str]]], tuple[list, list]]) -> None:
    """Rewrite a whole file: transform(header, rows) -> (new header, new rows as lists)."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        rows = list(reader)
        header = list(reader.fieldnames or [])
    new_header, new_rows = transform(header, rows)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(new_header)
    writer.writerows(new_rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


# --- one mistake at a time: each case breaks the copy and says where the error must be ---


def missing_required_column(inputs: Path) -> tuple[str, str]:
    def drop_sector(header, rows):
        kept = [h for h in header if h != "sector"]
        return kept, [[row[h] for h in kept] for row in rows]

    path = inputs / "companies.csv"
    rewrite(path, drop_sector)
    # Reported on the header, in the first free column (where it would be added).
    return f"companies.csv:1:{len(header_of(path)) + 1}", "missing required column 'sector'"


def empty_required_cell(inputs: Path) -> tuple[str, str]:
    path = inputs / "entities.csv"
    line = append(path, first_row(path, entity_id="EL-9001", name=""))
    return f"entities.csv:{line}:{column_of(path, 'name')}", "'name' is required"


def text_in_rules_entities_added(inputs: Path) -> tuple[str, str]:
    path = inputs / "rules.csv"
    line = append(path, first_row(path, rule_id="test-rule", entities_added="eleven"))
    return f"rules.csv:{line}:{column_of(path, 'entities_added')}", "'eleven' is not a whole number"


def text_in_companies_founded(inputs: Path) -> tuple[str, str]:
    path = inputs / "companies.csv"
    line = append(path, first_row(path, company_id="test-co", founded="founded in 2019"))
    return f"companies.csv:{line}:{column_of(path, 'founded')}", "is not a whole number"


def impossible_date(inputs: Path) -> tuple[str, str]:
    path = inputs / "events.csv"
    line = append(path, first_row(path, event_id="EL-0001-9", date="2025-02-30"))
    return f"events.csv:{line}:{column_of(path, 'date')}", "'2025-02-30' is not a date"


def day_first_date(inputs: Path) -> tuple[str, str]:
    path = inputs / "events.csv"
    line = append(path, first_row(path, event_id="EL-0001-9", date="16/01/2025"))
    return f"events.csv:{line}:{column_of(path, 'date')}", "'16/01/2025' is not a date"


def bad_date_in_rules(inputs: Path) -> tuple[str, str]:
    path = inputs / "rules.csv"
    line = append(path, first_row(path, rule_id="test-rule", publication_date="2025-13-01"))
    return f"rules.csv:{line}:{column_of(path, 'publication_date')}", "is not a date"


def action_not_allowed(inputs: Path) -> tuple[str, str]:
    path = inputs / "events.csv"
    line = append(path, first_row(path, event_id="EL-0001-9", action="deleted"))
    return f"events.csv:{line}:{column_of(path, 'action')}", "'deleted' is not allowed"


def duplicate_id(inputs: Path) -> tuple[str, str]:
    path = inputs / "events.csv"
    original = first_row(path)
    line = append(path, first_row(path, note="a different row with the same id"))
    return (f"events.csv:{line}:{column_of(path, 'event_id')}",
            f"duplicate event_id '{original['event_id']}' (first on line 2)")


def exact_duplicate_row(inputs: Path) -> tuple[str, str]:
    path = inputs / "moments.csv"
    line = append(path, first_row(path))
    return f"moments.csv:{line}:1", "exact duplicate of the row on line 2"


def event_of_unknown_entity(inputs: Path) -> tuple[str, str]:
    path = inputs / "events.csv"
    line = append(path, first_row(path, event_id="EL-9999-1", entity_id="EL-9999"))
    return f"events.csv:{line}:{column_of(path, 'entity_id')}", "'EL-9999' is not a known entity_id"


def entity_of_unknown_company(inputs: Path) -> tuple[str, str]:
    path = inputs / "entities.csv"
    line = append(path, first_row(path, entity_id="EL-9001", company_id="no-such-company"))
    return (f"entities.csv:{line}:{column_of(path, 'company_id')}",
            "'no-such-company' is not a known company_id in companies.csv")


def response_of_unknown_company(inputs: Path) -> tuple[str, str]:
    path = inputs / "responses.csv"
    line = append(path, first_row(path, response_id="r-9999", company_id="acme-corp"))
    return f"responses.csv:{line}:{column_of(path, 'company_id')}", "'acme-corp' is not a known company_id"


def latin1_bytes(inputs: Path) -> tuple[str, str]:
    # Saved by a spreadsheet as plain "CSV": é becomes the single byte 0xE9.
    path = inputs / "companies.csv"
    row = {"company_id": "test-co", "name": "Test Co", "local_name": "Société Générale Test",
           "country": "France", "sector": "Computing", "sources": "https://example.com"}
    column = column_of(path, "local_name")  # read before the file holds bytes that are not UTF-8
    line = append(path, row, encoding="latin-1")
    return f"companies.csv:{line}:{column}", "not UTF-8 (byte 0xE9"


def empty_file(inputs: Path) -> tuple[str, str]:
    (inputs / "moments.csv").write_bytes(b"")
    return "moments.csv:1:1", "file is empty"


def missing_file(inputs: Path) -> tuple[str, str]:
    (inputs / "responses.csv").unlink()
    return "responses.csv:1:1", "file is missing"


def too_few_fields(inputs: Path) -> tuple[str, str]:
    path = inputs / "events.csv"
    values = list(first_row(path, event_id="EL-0001-9").values())[:-1]
    line = append(path, values)
    # The first column the row lacks.
    return f"events.csv:{line}:{len(values) + 1}", f"row has {len(values)} fields; expected {len(values) + 1}"


def too_many_fields(inputs: Path) -> tuple[str, str]:
    path = inputs / "events.csv"
    values = [*first_row(path, event_id="EL-0001-9").values(), "extra"]
    line = append(path, values)
    # The first column beyond the header.
    return f"events.csv:{line}:{len(values)}", f"row has {len(values)} fields; expected {len(values) - 1}"


def quote_never_closed(inputs: Path) -> tuple[str, str]:
    path = inputs / "responses.csv"
    line = append_text(path, f'r-9999,{made.LUMEN},"2025-01-15,public_statement,observed,,A title,'
                             "A note,A source,\n")
    return f"responses.csv:{line}:{column_of(path, 'date')}", "unbalanced double quote"


def text_after_closing_quote(inputs: Path) -> tuple[str, str]:
    path = inputs / "events.csv"
    line = append_text(path, 'EL-0001-9,EL-0001,"added"ly,2011-11-21,2011,76 FR 71869,,later citation,\n')
    return f"events.csv:{line}:{column_of(path, 'action')}", "unbalanced double quote"


CASES = [
    missing_required_column, empty_required_cell, text_in_rules_entities_added,
    text_in_companies_founded, impossible_date, day_first_date, bad_date_in_rules,
    action_not_allowed, duplicate_id, exact_duplicate_row, event_of_unknown_entity,
    entity_of_unknown_company, response_of_unknown_company, latin1_bytes, empty_file, missing_file,
    too_few_fields, too_many_fields, quote_never_closed, text_after_closing_quote,
]


@pytest.mark.parametrize("break_inputs", CASES, ids=[case.__name__ for case in CASES])
def test_each_mistake_is_reported_with_file_line_and_column(made_data: DataPaths, break_inputs) -> None:
    location, words = break_inputs(made_data.inputs)
    assert_fails_at(run_validate(made_data.inputs), location, words)


def test_the_factorys_inputs_are_valid_without_warnings(made_data: DataPaths) -> None:
    # Given as a data folder: the command finds inputs/ inside it. (The shipped inputs are checked
    # in tests/test_shipped_data_smoke.py.)
    result = run_validate(made_data.root)
    assert_valid(result)
    assert " warning: " not in result.stderr


# --- several mistakes, warnings ---


def test_every_error_is_listed_not_just_the_first(made_data: DataPaths) -> None:
    inputs = made_data.inputs
    events_at, _ = action_not_allowed(inputs)
    companies_at, _ = text_in_companies_founded(inputs)
    second_event = append(inputs / "events.csv", first_row(inputs / "events.csv", event_id="EL-0001-8",
                                                           year="soon"))
    result = run_validate(inputs)
    assert_fails_at(result, events_at, "'deleted' is not allowed", errors=3)
    assert_fails_at(result, companies_at, "is not a whole number", errors=3)
    year_column = column_of(inputs / "events.csv", "year")
    assert_fails_at(result, f"events.csv:{second_event}:{year_column}", "'soon' is not a whole number",
                    errors=3)


def test_a_broken_quote_does_not_make_later_rows_unknown_elsewhere(made_data: DataPaths) -> None:
    # A quote opened in entities.csv line 11 runs to the end of the file: the entries after it
    # cannot be read, but their events must not all be reported as unknown entities.
    path = made_data.inputs / "entities.csv"
    lines = path.read_bytes().split(b"\n")
    tenth = made.entities()[9]
    start = f"{tenth['entity_id']},{tenth['destination']},".encode()
    assert lines[10].startswith(start)
    lines[10] = lines[10].replace(start, start.replace(b",", b',"', 1), 1)
    path.write_bytes(b"\n".join(lines))
    result = run_validate(made_data.inputs)
    assert_fails_at(result, f"entities.csv:11:{column_of(path, 'destination')}", "unbalanced double quote")


def test_unknown_extra_column_is_a_warning_only(made_data: DataPaths) -> None:
    path = made_data.inputs / "moments.csv"
    rewrite(path, lambda header, rows: ([*header, "comment"],
                                       [[*(row[h] for h in header), "checked"] for row in rows]))
    result = run_validate(made_data.inputs)
    assert_valid(result)
    column = len(header_of(path))
    warnings = [line for line in result.stderr.splitlines() if line.startswith(f"moments.csv:1:{column}:")]
    assert len(warnings) == 1 and " warning: " in warnings[0] and "unknown column 'comment'" in warnings[0]


# --- what editors' tools produce must be accepted ---


def test_utf8_byte_order_mark_is_accepted(made_data: DataPaths) -> None:
    for path in made_data.inputs.glob("*.csv"):
        path.write_bytes(codecs.BOM_UTF8 + path.read_bytes())
    assert_valid(run_validate(made_data.inputs))


def test_crlf_line_ends_are_accepted(made_data: DataPaths) -> None:
    for path in made_data.inputs.glob("*.csv"):
        path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    assert_valid(run_validate(made_data.inputs))


def test_bom_and_crlf_do_not_shift_lines_or_columns(made_data: DataPaths) -> None:
    path = made_data.inputs / "companies.csv"
    line = append(path, first_row(path, company_id="test-co", founded="MMXIX"))
    path.write_bytes(codecs.BOM_UTF8 + path.read_bytes().replace(b"\n", b"\r\n"))
    assert_fails_at(run_validate(made_data.inputs), f"companies.csv:{line}:{column_of(path, 'founded')}",
                    "'MMXIX' is not a whole number")


def multi_line_company(company_id: str, **changes: str) -> dict[str, str]:
    row = {"company_id": company_id, "name": "Test Holdings, Inc.", "aliases": "Test, Ltd. | TH",
           "country": "China", "sector": "Computing",
           "description": 'First line, with a comma\nsecond line, "quoted"\nthird line',
           "sources": "https://example.com/a | https://example.com/b"}
    row.update(changes)
    return row


def test_quoted_commas_and_newlines_are_accepted(made_data: DataPaths) -> None:
    append(made_data.inputs / "companies.csv", multi_line_company("test-holdings"))
    assert_valid(run_validate(made_data.inputs))


def test_errors_name_the_line_a_record_starts_on(made_data: DataPaths) -> None:
    path = made_data.inputs / "companies.csv"
    first = append(path, multi_line_company("test-one"))
    # The description above spans three lines, so the next record starts three lines later.
    second = append(path, multi_line_company("test-two", sources=""))
    assert second == first + 3
    # An error in a cell after a multi-line cell is still reported on its record's first line.
    sources = column_of(path, "sources")
    assert_fails_at(run_validate(made_data.inputs), f"companies.csv:{second}:{sources}",
                    "'sources' is required")


def test_chinese_text_is_accepted(made_data: DataPaths) -> None:
    companies = made_data.inputs / "companies.csv"
    append(companies, first_row(companies, company_id="test-zh", local_name="智谱AI（测试）",
                                name="北京智谱华章科技有限公司", description="中文描述，含逗号"))
    entities = made_data.inputs / "entities.csv"
    append(entities, first_row(entities, entity_id="EL-9001", local_name="北京智谱华章科技有限公司",
                               company_id="test-zh"))
    assert_valid(run_validate(made_data.inputs))


def test_columns_are_counted_in_fields_not_characters(made_data: DataPaths) -> None:
    path = made_data.inputs / "companies.csv"
    row = first_row(path, company_id="test-zh", local_name="华为技术有限公司", founded="一九八七")
    line = append(path, row)
    assert_fails_at(run_validate(made_data.inputs), f"companies.csv:{line}:{column_of(path, 'founded')}",
                    "'一九八七' is not a whole number")
