"""Text that tries to be HTML, a Markdown link or image, or a spreadsheet formula is shown as text.

The test factory's data (tests/factory.py) holds `<script>`, `<img onerror>`, `<a href>`,
`javascript:` links, Markdown image beacons and formulas (`=HYPERLINK(...)`, `+1`, `-1`,
`@SUM(A1)`) in company, entry, response, rule and moment text (tests/hostile_data.py). Every
page is run through app.py with AppTest and each piece of text it writes is checked: Markdown
must carry the payload escaped (so the reader sees the characters, and no tag, link or image is
made of them), charts must carry it HTML-escaped, and every CSV the pages offer must start no
text cell with a formula character.
"""

from __future__ import annotations

import csv
import io
import json
import re

import pandas as pd
import pytest
from hostile_data import (
    BEACON,
    BREAKOUT_URL,
    COMPANY,
    COMPANY_ENTRIES,
    COMPANY_NAME,
    ENTITY_TEXT,
    FORMULA_RULE,
    FORMULAS,
    HOSTILE,
    IMG,
    JS_LINK,
    LAST_STEP,
    NEWEST_RULE,
    PAYLOAD,
    SCRIPT,
    hostile_inputs,
    hostile_store,
)
from page_helpers import run_page, table_with
from streamlit.testing.v1 import AppTest

from tracker.config import DataPaths
from tracker.filters import Filters
from tracker.inputs.validate import validate_dir
from tracker.present import export
from tracker.present.export import FORMULA_STARTS
from tracker.present.text import with_citation_url
from tracker.store import build, connection, queries

# Where each page shows the hostile text, and which of it must be there to read.
PAGE_VIEWS = {
    "company": ({"company": COMPANY}, [COMPANY_NAME, PAYLOAD, *HOSTILE]),
    "responses": ({"company": COMPANY}, [COMPANY_NAME, PAYLOAD, *HOSTILE]),
    "overview": ({}, [PAYLOAD, f"{FORMULAS[0]} {SCRIPT}"]),
    "rules": ({"rule": NEWEST_RULE}, [PAYLOAD]),
    "story": ({"step": str(LAST_STEP)}, [PAYLOAD]),
    "explorer": ({"company": COMPANY}, []),
    "about": ({}, []),
    "entry": ({"id": "EL-0001"}, [COMPANY_NAME]),  # an entry of the hostile company
}
# Unescaped Markdown that would make an element: a tag, an image, or a link.
RAW_TAG = re.compile(r"(?<!\\)<[A-Za-z/!?]")
RAW_IMAGE = re.compile(r"(?<!\\)!\[")
LINK_TARGET = re.compile(r"(?<!\\)\]\(([^)]*)\)")
# Links the pages make themselves: web addresses, and relative links to their own pages (and to the
# API's routes and feed, which the About page links).
ALLOWED_TARGET = re.compile(r"https?://[^\s<>()\"']+"
                            r"|/?(company|rules|explorer|responses|story|entry|changes|screen|api/v1/[\w.]+"
                            r"|feeds/[\w.]+)?(\?[\w=&%.+-]*)?")


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> DataPaths:
    return hostile_store(tmp_path_factory.mktemp("hostile"))


@pytest.fixture()
def app_data(hostile, monkeypatch) -> DataPaths:
    monkeypatch.setenv("TRACKER_DATA_DIR", str(hostile.root))
    monkeypatch.delenv("TRACKER_STORE_URL", raising=False)
    return hostile


def markdown_bodies(app: AppTest) -> list[str]:
    """The Markdown source of everything the page wrote as text: body, headings, alerts, labels."""
    elements = [*app.markdown, *app.caption, *app.title, *app.header, *app.subheader, *app.warning,
                *app.info, *app.error, *app.success, *app.toast]
    return [e.value for e in elements] + [e.label for e in app.expander]


def visible(markdown: str) -> str:
    """What a reader sees of escaped Markdown: backslash escapes removed."""
    return re.sub(r"\\(.)", r"\1", markdown, flags=re.S)


def assert_markdown_is_text(body: str) -> None:
    assert not RAW_TAG.search(body), f"a tag from the data would be HTML: {body[:300]!r}"
    assert not RAW_IMAGE.search(body), f"an image from the data would load: {body[:300]!r}"
    for target in LINK_TARGET.findall(body):
        assert ALLOWED_TARGET.fullmatch(target), f"link to {target!r} in: {body[:300]!r}"


def chart_strings(app: AppTest) -> list[str]:
    """Every string in the page's Plotly figures (titles, labels, hover text, custom data)."""
    found: list[str] = []

    def walk(value) -> None:
        if isinstance(value, str):
            found.append(value)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    for chart in app.get("plotly_chart"):
        walk(json.loads(chart.proto.spec))
    return found


@pytest.mark.parametrize("page", list(PAGE_VIEWS))
def test_every_page_shows_hostile_text_as_text(app_data, page) -> None:
    params, must_read = PAGE_VIEWS[page]
    app = run_page(page, **params)

    assert not app.exception, app.exception
    bodies = markdown_bodies(app)
    for body in bodies:
        assert_markdown_is_text(body)
    for element in app.markdown:
        if element.proto.allow_html:  # only the app's own styles may be HTML
            assert "alert(1)" not in element.value and "example.invalid" not in element.value
    text = "\n".join(visible(b) for b in bodies)
    for literal in must_read:
        assert literal in text, f"{literal!r} is not shown on the {page} page"
    for string in chart_strings(app):
        assert not RAW_TAG.search(string.replace("<br>", "").replace("<extra></extra>", "")
                                  .replace("<b>", "").replace("</b>", "")), string[:200]


def test_the_company_header_and_chart_title_read_the_name_as_written(app_data) -> None:
    app = run_page("company", company=COMPANY)
    assert visible(app.header[0].value) == COMPANY_NAME
    escaped = COMPANY_NAME.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    assert any(s.startswith(escaped) for s in chart_strings(app)), "the timeline's title names the company"


def test_a_source_address_that_would_break_out_of_its_link_is_shown_unlinked(app_data) -> None:
    app = run_page("company", company=COMPANY)
    bodies = [b for b in markdown_bodies(app) if "title 1" in visible(b)]
    assert bodies and all("example.invalid/a)" not in b for b in bodies)
    assert all(BREAKOUT_URL not in b for b in markdown_bodies(app))


def test_entries_table_holds_the_names_unchanged(app_data) -> None:
    app = run_page("explorer", company=COMPANY)
    names = set(table_with(app, "entity_id", "name")["name"])
    assert names == {f"{h} entity {i}" for i, h in enumerate(ENTITY_TEXT[:COMPANY_ENTRIES])}


@pytest.mark.parametrize("params", [
    {"dest": f"China,{BEACON}", "q": "x"},
    {"company": f"{JS_LINK}{IMG}"},
    {"from": BEACON, "action": SCRIPT},
])
def test_hostile_text_in_a_shared_link_is_quoted_as_text(app_data, params) -> None:
    app = run_page("explorer", **params)
    assert not app.exception
    notices = [c.value for c in app.caption if c.value.startswith("⚠️")] + [t.value for t in app.toast]
    assert notices
    for body in notices:
        assert_markdown_is_text(body)


def test_an_unknown_company_in_a_shared_link_is_quoted_as_text(app_data) -> None:
    app = run_page("company", company=BEACON)
    assert not app.exception and not app.warning
    [caption] = [c.value for c in app.caption if c.value.startswith("⚠️")]
    [toast] = [t.value for t in app.toast]
    for notice in (caption, toast):
        assert_markdown_is_text(notice)
        assert f"Ignored unknown company '{BEACON}'." in visible(notice)


# --- CSV downloads ---


def assert_no_formula_cells(frame: pd.DataFrame) -> set[str]:
    """Parse the page's CSV of `frame` back; no text cell may start a formula. Returns its text cells."""
    text_columns = [c for c in frame.columns
                    if frame[c].dtype == object or pd.api.types.is_string_dtype(frame[c])]
    content = export.csv_bytes(frame).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(content, newline="")))
    assert len(rows) == len(frame)
    cells = {row[c] for row in rows for c in text_columns}
    starting = [c for c in cells if c.startswith(FORMULA_STARTS)]
    assert not starting, starting[:5]
    return cells


def test_every_csv_download_neutralises_formula_cells(hostile) -> None:
    db = connection.Store(build.current_build(hostile)).cursor()
    downloads = {
        "explorer entries": with_citation_url(queries.entries(db, Filters(company=COMPANY))),
        "company entries": with_citation_url(queries.company(db, COMPANY).entries),
        "rules": queries.rules(db),
        "rule entries": queries.rule_entries(db, FORMULA_RULE),
        "responses": queries.responses(db, company_id=COMPANY),
    }
    shown = set()
    for name, frame in downloads.items():
        assert not frame.empty, name
        shown |= assert_no_formula_cells(frame)
    # The formulas are still there to read, as text: a leading apostrophe is all that was added.
    for formula in FORMULAS:
        assert any(cell.startswith("'" + formula) for cell in shown), formula


@pytest.mark.parametrize("value", [*FORMULAS, "\t=1", "\r=1", "\n=1", "|cmd", "%0A"])
def test_a_cell_that_starts_a_formula_gets_an_apostrophe(value) -> None:
    content = export.csv_bytes(pd.DataFrame({"name": [value, "plain"]})).decode("utf-8-sig")
    cells = [row["name"] for row in csv.DictReader(io.StringIO(content, newline=""))]
    assert cells == ["'" + value, "plain"]


@pytest.mark.parametrize("value", ["Acme\r=HYPERLINK(\"http://x\",\"y\")", "Acme\n@SUM(A1)",
                                   "Acme\r\n+1", "a,\"b\"\r-1"])
def test_a_line_break_inside_a_cell_cannot_start_a_row_with_a_formula(value) -> None:
    content = export.csv_bytes(pd.DataFrame({"name": [value], "id": ["e1"]})).decode("utf-8-sig")
    # Read as a spreadsheet does: any of \r, \n, \r\n ends a row unless it is inside quotes.
    rows = list(csv.reader(io.StringIO(content, newline="")))
    assert rows == [["name", "id"], [value, "e1"]]


def test_numbers_are_left_numbers() -> None:
    frame = pd.DataFrame({"count": [-1, 2], "share": [-0.5, 1.5]})
    assert export.csv_bytes(frame).decode("utf-8-sig").splitlines()[1:] == ["-1,-0.5", "2,1.5"]


# --- the validator keeps scripts out of the address columns ---


@pytest.mark.parametrize("address", [
    "javascript:alert(1)", "JAVASCRIPT:alert(1)", " javascript:alert(1)", "data:text/html,<script>",
    "vbscript:msgbox(1)", "file:///etc/passwd", "//example.invalid/b.png",
    'https://x"onmouseover="alert(1)', "https://x/<script>", "https://x y",
])
def test_the_validator_refuses_addresses_that_are_not_web_addresses(tmp_path, address) -> None:
    paths = hostile_inputs(tmp_path)
    path = paths.inputs / "responses.csv"
    text = path.read_text(encoding="utf-8")
    header = text.splitlines()[0].split(",")
    line = text.count("\n") + 1
    row = {"response_id": "r-9999", "company_id": COMPANY, "date": "2025-02", "category": "other",
           "status": "observed", "title": "t", "note": "n", "source_name": "s", "source_url": address}
    buffer = io.StringIO()
    csv.DictWriter(buffer, fieldnames=header, lineterminator="\n").writerow(row)
    path.write_text(text + buffer.getvalue(), encoding="utf-8")

    [problem] = validate_dir(paths.inputs).errors

    assert (problem.file, problem.line, problem.column_name) == ("responses.csv", line, "source_url")
    assert "not a web address" in problem.message


def test_links_go_only_to_web_addresses_and_this_apps_own_pages() -> None:
    from tracker.present.text import link

    assert link("SMIC", "entry?id=EL-0882") == "[SMIC](entry?id=EL-0882)"
    assert link("x", "https://www.federalregister.gov/d/2025-00704").startswith("[x](https://")
    for address in ("javascript:alert(1)", "entry?id=EL-1)](javascript:alert(1)", "//evil.example/x",
                    "data:text/html,<b>x</b>", "entry?id=<script>"):
        assert "](" not in link("x", address), address
