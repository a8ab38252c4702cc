"""Hostile text in a real browser: no dialog, no element made of the data, no request it asks for.

A read-only server (a fresh `streamlit run`) serves the data of tests/hostile_data.py, whose
names, notes, titles and sources hold `<script>`, `<img onerror>`, `<a href>`, `javascript:`
links, Markdown image beacons and spreadsheet formulas. Before any page script runs, a
MutationObserver records every element added that could come from that text; the test also
listens for dialogs and for requests to example.invalid (the beacons' host).
"""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path
from urllib.parse import quote, urlparse

import pytest
from browser_helpers import screenshot, start_server, stop_server, wait_for_app

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from hostile_data import (  # noqa: E402 - tests/ is not a package
    BEACON,
    COMPANY,
    COMPANY_ENTRIES,
    COMPANY_NAME,
    FORMULAS,
    IMG,
    LAST_STEP,
    NEWEST_RULE,
    PAYLOAD,
    SCRIPT,
    hostile_store,
)

from tracker.present.export import FORMULA_STARTS  # noqa: E402

pytestmark = pytest.mark.browser

WATCH = """
window.__hostile = [];
const record = (what, el) => window.__hostile.push(what + ': ' + (el.outerHTML || '').slice(0, 200));
const inspect = (node) => {
  if (!(node instanceof Element)) return;
  for (const el of [node, ...node.querySelectorAll('*')]) {
    const tag = el.tagName.toLowerCase();
    const src = el.getAttribute('src') || '';
    const href = el.getAttribute('href') || el.getAttribute('xlink:href') || '';
    if (tag === 'script' && el.textContent.includes('alert(1)')) record('script', el);
    if ([...el.attributes].some(a => a.name.startsWith('on'))) record('event handler', el);
    if (tag === 'img' && (src === 'x' || src.includes('example.invalid'))) record('img', el);
    if (/^\\s*javascript:/i.test(href)) record('javascript link', el);
    // A web address in the text may be shown as itself, linked; a tag in the data must not become a
    // link whose words hide where it goes.
    if (tag === 'a' && href.includes('example.invalid/phish') && el.textContent.trim() === 'phish')
      record('link made of a tag in the data', el);
  }
};
new MutationObserver(changes => changes.forEach(change => {
  change.addedNodes.forEach(inspect);
  if (change.type === 'attributes') inspect(change.target);
})).observe(document, {childList: true, subtree: true, attributes: true,
                       attributeFilter: ['src', 'href', 'onerror', 'onload', 'onclick']});
"""

VIEWS = {
    "overview": ("/", [PAYLOAD]),
    "company": (f"/company?company={COMPANY}", [COMPANY_NAME, PAYLOAD, *FORMULAS]),
    "responses": (f"/responses?company={COMPANY}", [COMPANY_NAME, PAYLOAD]),
    "rules": (f"/rules?rule={NEWEST_RULE}", [PAYLOAD]),
    "story": (f"/story?step={LAST_STEP}", [PAYLOAD]),
    "explorer": (f"/explorer?company={COMPANY}", []),
    "a link with a beacon in its filters": (f"/explorer?dest={quote(BEACON)}&company={quote(IMG)}", [BEACON]),
    "a link with a beacon as the company": (f"/company?company={quote(BEACON + SCRIPT)}", [BEACON + SCRIPT]),
}


@pytest.fixture(scope="module")
def hostile_app(tmp_path_factory):
    paths = hostile_store(tmp_path_factory.mktemp("hostile-browser"))
    process, url, _ = start_server(paths.root, {"TRACKER_READ_ONLY": "1"})
    yield url
    stop_server(process)


@pytest.fixture()
def watched(browser):
    """A page that records dialogs, requests to the beacons' host, and suspicious elements added."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    context.add_init_script(WATCH)
    page = context.new_page()
    seen = {"dialogs": [], "requests": []}

    def on_dialog(dialog):
        seen["dialogs"].append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    context.on("request", lambda request: seen["requests"].append(request.url)
               if (urlparse(request.url).hostname or "").endswith("example.invalid") else None)
    yield page, seen
    context.close()


def hover_chart_points(page, limit: int = 25) -> None:
    """Show hover labels (which hold names and titles) by moving over the charts' points."""
    for point in page.locator("g.scatterlayer .point, g.barlayer .point").all()[:limit]:
        try:
            point.hover(timeout=1_000, force=True)
        except Exception:  # noqa: BLE001 - a point under another one cannot be hovered; others can
            continue


def assert_nothing_happened(page, seen) -> None:
    assert seen["dialogs"] == [], "a dialog opened"
    assert seen["requests"] == [], "the page asked example.invalid for something"
    assert page.evaluate("window.__hostile") == []
    assert page.locator('[data-testid="stException"]').count() == 0


@pytest.mark.parametrize("view", list(VIEWS))
def test_hostile_text_opens_no_dialog_adds_no_element_and_loads_nothing(hostile_app, watched, view):
    page, seen = watched
    path, must_read = VIEWS[view]
    page.goto(hostile_app + path)
    wait_for_app(page)
    hover_chart_points(page)
    page.wait_for_timeout(500)

    assert_nothing_happened(page, seen)
    main = page.locator('[data-testid="stMain"]').inner_text()
    for literal in must_read:
        assert literal in main, f"{literal!r} is not shown as text"
    assert page.locator("svg a").count() == 0, "a tag in the data became a link in a chart"
    if view == "company":
        screenshot(page, "hostile-company")


def test_the_explorer_download_neutralises_formula_cells(hostile_app, watched):
    page, seen = watched
    page.goto(f"{hostile_app}/explorer?company={COMPANY}")
    wait_for_app(page)
    with page.expect_download() as download:
        page.get_by_role("button", name="Download these").click()
    content = Path(download.value.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(content, newline="")))

    assert len(rows) == COMPANY_ENTRIES
    cells = [value for row in rows for value in row.values()]
    assert not [c for c in cells if c.startswith(FORMULA_STARTS)]
    names = {row["name"] for row in rows}
    for formula in FORMULAS:
        assert any(name.startswith("'" + formula) for name in names), formula
    assert_nothing_happened(page, seen)


def test_a_read_only_server_has_no_editor_page(hostile_app, watched):
    page, _ = watched
    page.goto(hostile_app + "/editor")
    wait_for_app(page)
    assert "Editor" not in page.locator('[data-testid="stSidebarNav"]').inner_text()
    assert page.locator('input[type="password"]').count() == 0
    main = page.locator('[data-testid="stMain"]').inner_text()
    assert "Newest rule recorded" in main  # the overview instead
