"""The entry page in a real browser on the SHIPPED data: a link to an entry as a fresh server's first
request, a click through from the explorer's table to an entry, its CSV and JSON downloads, and
screenshots of four entries at desktop and phone widths (also copied to /tmp/shots/entry/)."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
from browser_helpers import PROJECT, SCREENSHOTS, screenshot, wait_for_app
from test_deep_links_in_browser import untouched_server

pytestmark = pytest.mark.browser

SMIC = "EL-0882"
# Entries looked at: SMIC (two actions), a Zhipu entry (its Knowledge Atlas alias), a removed entry,
# and Meteor Plant JSC (Russia), the example of a row that could not be opened.
LOOKED_AT = {"EL-0882": "smic", "EL-0307": "zhipu-knowledge-atlas", "EL-3412": "removed-institute",
             "EL-2477": "meteor-plant"}
SHOTS = Path("/tmp/shots/entry")


def main_text(page) -> str:
    return page.locator('[data-testid="stMain"]').inner_text()


def no_error(page) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.locator('[data-testid="stAlertContentError"]').count() == 0


@pytest.fixture()
def fresh_shipped_server(tmp_path):
    """A new `streamlit run app.py` on a copy of the shipped inputs (no store yet) that has served nothing."""
    shutil.copytree(PROJECT / "data" / "inputs", tmp_path / "data" / "inputs")
    log = tmp_path / "streamlit.log"
    with untouched_server(tmp_path / "data", log) as url:
        yield url, log


def test_an_entry_link_as_the_first_request_opens_that_entry(page, fresh_shipped_server):
    url, log = fresh_shipped_server
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(f"{url}/entry?id={SMIC}")
    wait_for_app(page, timeout_ms=180_000)

    assert requests[0] == f"{url}/entry?id={SMIC}", "the link is the server's first request"
    main = page.locator('[data-testid="stMain"]')
    assert main.locator("h1").first.inner_text() == "Entry"
    heading = main.locator("h2").first.inner_text()
    assert "Semiconductor Manufacturing International Corporation (SMIC)" in heading
    text = main_text(page)
    assert "2020-12-22 · added" in text and "2024-12-05 · revised" in text
    assert main.get_by_role("link", name="85 FR 83420").first.get_attribute("href") == \
        "https://www.federalregister.gov/citation/85-FR-83420"
    no_error(page)
    assert f"id={SMIC}" in page.url
    assert "Traceback" not in log.read_text(errors="replace")


def test_the_explorer_row_opens_the_entry_page(page, app_url):
    page.goto(f"{app_url}/explorer?q=Meteor%20Plant")
    wait_for_app(page)
    grid = page.locator('[data-testid="stDataFrame"]').last
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    # The first column is the entry's id, a link; its first row sits under the header row (35 px).
    # The grid is a canvas: the pointer rests on the cell first, as a reader's does, then clicks.
    cell = (box["x"] + 40, box["y"] + 35 + 17)
    page.mouse.move(*cell)
    page.wait_for_timeout(300)
    with page.context.expect_page() as opened:  # a link column opens its page in a new tab
        page.mouse.click(*cell)
    entry_page = opened.value
    wait_for_app(entry_page)
    assert "/entry?id=EL-" in entry_page.url
    assert "Meteor Plant JSC" in entry_page.locator('[data-testid="stMain"] h2').first.inner_text()
    no_error(entry_page)
    entry_page.close()


def test_the_link_of_a_rows_citations_opens_its_entry(page, app_url):
    # What an explorer or company row's "All citations" cell opens: the entry's page, the citations
    # after '#' (shown in the cell) change nothing; there each citation links to the Federal Register.
    page.goto(f"{app_url}/entry?id=EL-2477#87 FR 20299; 87 FR 34136; 88 FR 12158")
    wait_for_app(page)
    no_error(page)
    main = page.locator('[data-testid="stMain"]')
    assert "Meteor Plant JSC" in main.locator("h2").first.inner_text()
    for citation in ("87 FR 20299", "87 FR 34136", "88 FR 12158"):
        href = main.get_by_role("link", name=citation).first.get_attribute("href")
        assert href == "https://www.federalregister.gov/citation/" + citation.replace(" ", "-")


def test_the_entry_downloads_hold_the_entry_and_each_action(page, app_url):
    page.goto(f"{app_url}/entry?id={SMIC}")
    wait_for_app(page)
    with page.expect_download() as csv_download:
        page.get_by_role("button", name="Download this entry as CSV").click()
    assert csv_download.value.suggested_filename == "entity-list-entry_el-0882.csv"
    rows = list(csv.DictReader(io.StringIO(Path(csv_download.value.path()).read_text(encoding="utf-8-sig"))))
    assert [(r["entity_id"], r["event_action"], r["event_date"]) for r in rows] == [
        (SMIC, "added", "2020-12-22"), (SMIC, "revised", "2024-12-05")]
    with page.expect_download() as json_download:
        page.get_by_role("button", name="Download this entry as JSON").click()
    record = json.loads(Path(json_download.value.path()).read_text(encoding="utf-8"))
    assert record["entity_id"] == SMIC and [a["fr_citation"] for a in record["actions"]] == [
        "85 FR 83420", "89 FR 96836"]


@pytest.mark.parametrize("width", [1400, 390])
def test_screenshots_of_the_entries_looked_at(browser, app_url, width):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    SHOTS.mkdir(parents=True, exist_ok=True)
    try:
        for entity_id, name in LOOKED_AT.items():
            page.goto(f"{app_url}/entry?id={entity_id}")
            wait_for_app(page)
            no_error(page)
            assert entity_id in main_text(page)
            shot = screenshot(page, f"entry-{name}-{width}")
            shutil.copy(shot, SHOTS / shot.name)
    finally:
        context.close()
    assert (SCREENSHOTS / f"entry-meteor-plant-{width}.png").exists()
