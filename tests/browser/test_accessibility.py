"""WCAG 2.1 AA in a real browser: axe-core (injected by Playwright) finds no serious or critical
violation on any page, in the light and in the dark theme.

axe-core is the npm package pinned in scripts/test.sh, installed into .test-tools/.
"""

from __future__ import annotations

import pytest
from browser_helpers import AXE_JS, axe_violations, describe_violations, wait_for_app

pytestmark = pytest.mark.browser

PAGES = {
    "overview": "/",
    "explorer": "/explorer",
    "company": "/company?company=zhipu-ai",
    "rules": "/rules",
    "responses": "/responses",
    "story": "/story",
    "about": "/about",
    "editor": "/editor",
    "entry": "/entry?id=EL-0882",
}
THEMES = ("light", "dark")


@pytest.fixture(scope="module", autouse=True)
def axe_is_installed():
    if not AXE_JS.exists():
        pytest.fail(f"{AXE_JS} is missing: scripts/test.sh installs the npm package axe-core")


def open_in_theme(browser, app_url: str, path: str, theme: str):
    """A new page in a browser whose reader prefers this colour scheme (Streamlit follows it)."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, color_scheme=theme)
    opened = context.new_page()
    opened.goto(app_url + path)
    wait_for_app(opened)
    # Charts are checked too, so wait until every Plotly chart has drawn its SVG.
    opened.wait_for_function("""() => [...document.querySelectorAll('[data-testid=stPlotlyChart]')]
        .every(chart => chart.querySelector('svg.main-svg'))""", timeout=30_000)
    return context, opened


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("name", list(PAGES))
def test_page_has_no_serious_accessibility_violation_nor_skipped_heading_level(browser, app_url, name, theme):
    context, opened = open_in_theme(browser, app_url, PAGES[name], theme)
    try:
        background = opened.evaluate(
            "getComputedStyle(document.querySelector('[data-testid=stApp]')).backgroundColor")
        assert (background != "rgb(255, 255, 255)") == (theme == "dark"), f"{theme} theme in effect"
        # heading-order is only "moderate" to axe, but a skipped level is what the pages must not do.
        violations = [v for v in axe_violations(opened, ("minor", "moderate", "serious", "critical"))
                      if v["impact"] in ("serious", "critical") or v["id"] == "heading-order"]
        assert not violations, (f"{name} page, {theme} theme: {len(violations)} accessibility "
                                f"violation(s)\n" + describe_violations(violations))
        assert_charts_keep_their_takeaway(opened)
    finally:
        context.close()


def assert_charts_keep_their_takeaway(page) -> None:
    """Each chart is a figure named by its takeaway, and the takeaway is also written out as text."""
    main_text = page.locator('[data-testid="stMain"]').inner_text()
    for chart in page.locator('[data-testid="stPlotlyChart"]').all():
        assert chart.get_attribute("role") == "figure"
        takeaway = (chart.get_attribute("aria-label") or "").strip()
        assert takeaway, "a chart has an accessible name"
        assert takeaway in main_text, f"the takeaway {takeaway!r} is written beside its chart"
