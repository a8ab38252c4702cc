"""An input broken by hand (an unbalanced quote, a row with too many or too few fields, not UTF-8, an
empty file) opens in the editor as a list of its problems by file, line and column, with the ways
forward (upload a corrected file, restore a kept version); never an exception, never shifted columns.

The library half (tracker.inputs.files.open_for_editing) is tested on small files written here; the
page half through app.py with AppTest, signed in through the form, against a data folder of its own.
"""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest
from editor_fixtures import small_data
from streamlit.testing.v1 import AppTest

from tracker import schema
from tracker.config import PROJECT_DIR, DataPaths
from tracker.editing import saves
from tracker.inputs import files
from tracker.inputs.validate import ERROR
from tracker.store import build

PASSWORD = "broken-inputs-test-password"
ENTITIES = schema.ENTITIES
HEADER = ENTITIES.column_names
WIDTH = len(HEADER)
# One more entry, its cells in the header's order (name is the third column).
ROW = {"entity_id": "EL-9999", "destination": "China", "name": "Broken Row Ltd.", "aliases": "",
       "local_name": "", "address": "Beijing", "entry_type": "entity",
       "license_requirement": "For all items subject to the EAR.", "license_review_policy": "",
       "fr_citations": "90 FR 4619", "company_id": "", "company_link": "", "source": "a test",
       "status": "", "screening_list_citations": "", "notes": ""}
NAME_COLUMN = HEADER.index("name") + 1


def csv_line(cells: list[str]) -> bytes:
    """One CSV record of these cells, quoted only where needed, as the project writes them."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(cells)
    return buffer.getvalue().encode("utf-8")


def after_header(good: bytes, line: bytes) -> bytes:
    """The file with `line` put in as its first data row (line 2: the header has no line breaks)."""
    header, rest = good.split(b"\n", 1)
    return header + b"\n" + line + rest


# Each breakage: the broken file made from the good one, and where its first problem is (line, column).
def unbalanced_quote(good: bytes) -> tuple[bytes, int, int]:
    cells = [ROW[c] for c in HEADER]
    # A spreadsheet's stray opening quote: the field runs on into the next records.
    line = ",".join(f'"{v}' if c == "name" else v for c, v in zip(HEADER, cells, strict=True))
    return after_header(good, line.encode() + b"\n"), 2, NAME_COLUMN


def one_field_too_many(good: bytes) -> tuple[bytes, int, int]:
    return after_header(good, csv_line([ROW[c] for c in HEADER] + ["one too many"])), 2, WIDTH + 1


def one_field_too_few(good: bytes) -> tuple[bytes, int, int]:
    return after_header(good, csv_line([ROW[c] for c in HEADER][:-1])), 2, WIDTH


def not_utf8(good: bytes) -> tuple[bytes, int, int]:
    line = csv_line([ROW[c] for c in HEADER]).replace(b"Broken Row", "Café Row".encode("latin-1"))
    return after_header(good, line), 2, NAME_COLUMN


def empty_file(good: bytes) -> tuple[bytes, int, int]:
    return b"", 1, 1


BREAKAGES = [unbalanced_quote, one_field_too_many, one_field_too_few, not_utf8, empty_file]
IDS = [b.__name__ for b in BREAKAGES]


# --- the library: opening an input for editing ---


def write(folder: Path, table: schema.Table, data: bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / table.filename).write_bytes(data)
    return folder


def test_a_readable_file_opens_in_the_declared_column_order_with_the_line_of_each_row(tmp_path):
    # The file's columns in another order, one cell running over two lines, and a blank line.
    order = list(reversed(HEADER))
    first = {**ROW, "entity_id": "EL-0001", "address": "Line one\nLine two"}
    second = {**ROW, "entity_id": "EL-0002", "name": "  Padded Name  "}
    data = (csv_line(order) + csv_line([first[c] for c in order]) + b"\n"
            + csv_line([second[c] for c in order]))
    opened = files.open_for_editing(write(tmp_path, ENTITIES, data), ENTITIES)

    assert opened.readable and opened.problems == []
    assert opened.columns == HEADER
    assert [list(row) for row in opened.rows] == [HEADER, HEADER]
    assert opened.rows[0] == first
    assert opened.rows[1]["name"] == "Padded Name"  # cells stripped, as the validator reads them
    assert opened.lines == [2, 5]  # the first row takes lines 2-3; line 4 is blank
    assert opened.data == data


def test_cell_mistakes_still_open_so_they_can_be_fixed_in_the_table(tmp_path):
    # A bad date, an unknown destination and an exact duplicate row are the validator's to report
    # once the table is edited; none of them makes the file unreadable as a table.
    bad = {**ROW, "fr_citations": "not a citation"}
    data = csv_line(HEADER) + csv_line([bad[c] for c in HEADER]) * 2
    opened = files.open_for_editing(write(tmp_path, ENTITIES, data), ENTITIES)
    assert opened.readable
    assert [r["fr_citations"] for r in opened.rows] == ["not a citation"] * 2
    assert opened.lines == [2, 3]


def test_a_missing_optional_column_opens_empty_and_a_header_only_file_has_no_rows(tmp_path):
    without = [c for c in HEADER if c != "aliases"]
    data = csv_line(without) + csv_line([ROW[c] for c in without])
    opened = files.open_for_editing(write(tmp_path / "a", ENTITIES, data), ENTITIES)
    assert opened.readable and opened.rows == [{**ROW, "aliases": ""}]

    header_only = files.open_for_editing(write(tmp_path / "b", ENTITIES, csv_line(HEADER)), ENTITIES)
    assert header_only.readable and header_only.rows == [] and header_only.lines == []


@pytest.mark.parametrize("breakage", BREAKAGES, ids=IDS)
def test_a_file_that_is_not_a_table_of_its_columns_gives_its_problems_not_rows(tmp_path, breakage):
    good = csv_line(HEADER) + csv_line([{**ROW, "entity_id": "EL-0001"}[c] for c in HEADER])
    broken, line, column = breakage(good)
    opened = files.open_for_editing(write(tmp_path, ENTITIES, broken), ENTITIES)

    assert not opened.readable
    assert opened.rows == [] and opened.lines == []
    first = opened.problems[0]
    assert (first.file, first.line, first.column) == ("entities.csv", line, column)
    assert all(p.severity == ERROR for p in opened.problems)
    assert opened.data == broken


def test_every_row_of_the_wrong_width_is_a_problem_not_a_shifted_row(tmp_path):
    cells = [ROW[c] for c in HEADER]
    data = (csv_line(HEADER) + csv_line(cells + ["extra"]) + csv_line({**ROW, "entity_id": "EL-2"}.values())
            + csv_line(cells[:-2]))
    opened = files.open_for_editing(write(tmp_path, ENTITIES, data), ENTITIES)
    assert [(p.line, p.column) for p in opened.problems] == [(2, WIDTH + 1), (4, WIDTH - 1)]
    assert f"{WIDTH + 1} fields" in opened.problems[0].message
    assert f"{WIDTH - 2} fields" in opened.problems[1].message


@pytest.mark.parametrize("header, column, words", [
    ([*HEADER, "remarks"], WIDTH + 1, "unknown column 'remarks'"),
    ([c for c in HEADER if c != "name"], WIDTH, "missing required column 'name'"),
    (["entity_id", *HEADER], 2, "appears twice"),
], ids=["unknown column", "missing required column", "repeated column"])
def test_a_header_the_table_cannot_hold_is_a_problem(tmp_path, header, column, words):
    values = {**ROW, "remarks": "kept"}
    data = csv_line(header) + csv_line([values[c] for c in header])
    opened = files.open_for_editing(write(tmp_path, ENTITIES, data), ENTITIES)
    assert not opened.readable
    assert [(p.line, p.column) for p in opened.problems if words in p.message] == [(1, column)]


def test_a_missing_file_is_a_problem_not_an_exception(tmp_path):
    opened = files.open_for_editing(tmp_path, ENTITIES)
    assert not opened.readable and opened.data is None
    assert [(p.file, p.line, p.column) for p in opened.problems] == [("entities.csv", 1, 1)]
    assert "missing" in opened.problems[0].message


# --- the page, through app.py ---


@pytest.fixture
def published(tmp_path, monkeypatch) -> DataPaths:
    """A small data folder with a built store and one kept version of entities.csv (from a save)."""
    paths = small_data(tmp_path)
    build.build_store(paths)
    with open(paths.inputs / "entities.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    rows[0]["name"] += " (renamed)"
    saves.save_input(paths, "entities", files.rows_to_csv(ENTITIES, rows), "setup")
    monkeypatch.setenv("TRACKER_DATA_DIR", str(paths.root))
    monkeypatch.setenv("TRACKER_EDITOR_PASSWORD", PASSWORD)
    for name in ("TRACKER_READ_ONLY", "TRACKER_EPHEMERAL_DISK", "TRACKER_STORE_URL"):
        monkeypatch.delenv(name, raising=False)
    return paths


def break_entities(paths: DataPaths, breakage) -> tuple[bytes, int, int]:
    good = (paths.inputs / "entities.csv").read_bytes()
    broken, line, column = breakage(good)
    (paths.inputs / "entities.csv").write_bytes(broken)
    return good, line, column


def signed_in_editor() -> AppTest:
    """The editor page, opened through app.py's navigation and signed in through its form."""
    app = AppTest.from_file(str(PROJECT_DIR / "app.py"), default_timeout=120).run()
    app.switch_page(str(PROJECT_DIR / "app_pages" / "editor.py")).run()
    app.text_input(key="editor_name").set_value("Broken Input Test")
    app.text_input(key="editor_password_input").set_value(PASSWORD)
    app.button(key="FormSubmitter:editor_sign_in-Sign in").click().run()
    assert not app.exception
    return app


def problems_shown(app: AppTest):
    tables = [d.value for d in app.dataframe if {"file", "line", "column", "problem"} <= set(d.value.columns)]
    assert len(tables) == 1, "one table of problems"
    return tables[0]


def entities_editor(app: AppTest):
    return [d for d in app.data_editor if d.key == "edit_entities_editor"]


@pytest.mark.parametrize("breakage", BREAKAGES, ids=IDS)
def test_a_hand_broken_input_opens_as_its_problems_with_the_ways_forward(published, breakage):
    _, line, column = break_entities(published, breakage)
    app = signed_in_editor()

    assert not app.exception
    problems = problems_shown(app)
    first = problems.iloc[0]
    assert (first["file"], int(first["line"]), int(first["column"])) == ("entities.csv", line, column)
    assert not entities_editor(app), "the broken file is not shown as a (shifted) table"
    [error] = app.error
    assert "entities.csv" in error.value and "cannot be opened" in error.value
    # The ways forward: upload a corrected file, or restore a kept version, right here.
    assert [u.label for u in app.file_uploader] == ["A corrected entities.csv"]
    assert app.button(key="edit_entities_restore_button").label == "Restore this version"
    versions = saves.list_versions(published, "entities")
    assert app.selectbox(key="edit_entities_restore_version").options[0].startswith(
        versions[0].replaced_at.strftime("%Y-%m-%d %H:%M"))
    headings = [h.value for h in app.header] + [h.value for h in app.subheader]
    assert "Upload a corrected file" in headings and "Restore a previous version" in headings


def test_restoring_the_kept_version_from_the_problems_view_opens_the_table_again(published):
    break_entities(published, one_field_too_many)
    [kept] = saves.list_versions(published, "entities")
    app = signed_in_editor()
    app.button(key="edit_entities_restore_button").click().run()

    assert not app.exception
    assert (published.inputs / "entities.csv").read_bytes() == kept.path.read_bytes()
    assert any("store rebuilt" in s.value for s in app.success)
    [editor] = entities_editor(app)
    with open(kept.path, encoding="utf-8", newline="") as handle:
        ids = [row["entity_id"] for row in csv.DictReader(handle)]
    assert list(editor.value["entity_id"]) == ids
    assert not [d for d in app.dataframe if "problem" in d.value.columns]


def test_uploading_a_corrected_file_from_the_problems_view_shows_its_diff_and_publishes(published):
    good, _, _ = break_entities(published, unbalanced_quote)
    app = signed_in_editor()
    app.file_uploader[0].set_value(("entities.csv", good, "text/csv")).run()
    assert not app.exception
    app.checkbox(key="edit_entities_upload_confirm").check().run()
    app.button(key="edit_entities_upload_publish").click().run()

    assert not app.exception
    assert (published.inputs / "entities.csv").read_bytes() == good
    assert any("store rebuilt" in s.value for s in app.success)


def test_the_public_pages_keep_serving_the_last_good_store_meanwhile(published):
    manifest = build.read_manifest(published)
    break_entities(published, one_field_too_many)
    app = AppTest.from_file(str(PROJECT_DIR / "app.py"), default_timeout=120).run()
    assert not app.exception
    assert any("problem(s)" in w.value and "last good data" in w.value for w in app.warning)
    assert build.read_manifest(published) == manifest


def test_with_no_store_at_all_the_editor_still_opens_to_repair_the_inputs(published):
    # The inputs broke before anything was ever built: every other page can only say so, and the
    # editor is where they are repaired.
    shutil.rmtree(published.store)
    _, line, column = break_entities(published, one_field_too_many)
    app = signed_in_editor()

    assert not app.exception
    assert any("no earlier build" in e.value for e in app.error)  # said under the title
    assert any(("entities.csv", line, column) == (p["file"], int(p["line"]), int(p["column"]))
               for _, p in problems_shown(app).iterrows())
    assert [u.label for u in app.file_uploader] == ["A corrected entities.csv"]


def test_a_public_page_with_no_store_says_why_instead_of_failing(published):
    shutil.rmtree(published.store)
    break_entities(published, one_field_too_many)
    app = AppTest.from_file(str(PROJECT_DIR / "app.py"), default_timeout=120).run()
    app.switch_page(str(PROJECT_DIR / "app_pages" / "explorer.py")).run()
    assert not app.exception
    assert any("no earlier build" in e.value for e in app.error)
