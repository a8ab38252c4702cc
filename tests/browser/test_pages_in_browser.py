"""End-to-end: a person's paths through the dashboard in headless Chromium, against a real server
of the test factory's data (tests/factory.py)."""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from browser_helpers import screenshot, wait_for_app

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import factory as made  # noqa: E402 - tests/ is not a package

pytestmark = pytest.mark.browser

PAGES = {
    "overview": "/",
    "explorer": "/explorer",
    "company": f"/company?company={made.LUMEN}",
    "rules": f"/rules?rule={made.LUMEN_RULE}",
    "responses": "/responses",
    "story": "/story?step=3",
    "about": "/about",
    "editor": "/editor",
}
PAGES_WITH_CHARTS = ("overview", "explorer", "company", "rules", "responses", "story")


def inputs(name: str) -> list[dict[str, str]]:
    return made.rows()[name]


def assert_no_error(page) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.locator('[data-testid="stAlertContentError"]').count() == 0


def assert_chart_drawn(page) -> None:
    chart = page.locator('[data-testid="stPlotlyChart"]').first
    chart.wait_for(state="visible", timeout=30_000)
    marks = chart.locator("g.point, g.trace.bars path, g.scatterlayer .point")
    assert marks.count() > 0, "the chart has drawn marks, not an empty frame"


@pytest.mark.parametrize("name", list(PAGES))
def test_every_page_loads_without_error_and_draws_its_chart(page, made_app_url, name):
    page.goto(made_app_url + PAGES[name])
    wait_for_app(page)
    assert_no_error(page)
    assert "Newest rule recorded" in page.locator('[data-testid="stMain"]').inner_text()
    navigation = page.locator('[data-testid="stSidebarNav"]').inner_text()
    assert "Overview" in navigation and "app" not in navigation.split(), "st.navigation is in effect"
    if name in PAGES_WITH_CHARTS:
        assert_chart_drawn(page)
    screenshot(page, f"page-{name}")


def test_deep_link_to_a_company_reopens_that_company(page, made_app_url):
    page.goto(made_app_url + f"/company?company={made.KESTREL}")
    wait_for_app(page)
    main = page.locator('[data-testid="stMain"]')
    assert made.KESTREL_NAME in main.locator("h2").first.inner_text()
    assert f"company={made.KESTREL}" in page.url
    assert_chart_drawn(page)


def test_deep_link_to_a_filtered_explorer_view_reopens_it(page, made_app_url):
    page.goto(made_app_url + "/explorer?dest=China&q=hanhai%20cloud")
    wait_for_app(page)
    expected = [e for e in inputs("entities") if e["destination"] == "China"
                and "hanhai" in (e["name"] + e["aliases"]).lower()
                and "cloud" in (e["name"] + e["aliases"]).lower()]
    assert len(expected) == len(made.HANHAI_CLOUD_ENTRIES)
    main = page.locator('[data-testid="stMain"]').inner_text()
    assert f"{len(expected)} entries" in main
    assert page.locator('[data-testid="stTextInputRootElement"] input').first.input_value() == "hanhai cloud"
    screenshot(page, "explorer-deep-link")


def test_csv_download_holds_exactly_the_filtered_rows(page, made_app_url):
    page.goto(made_app_url + "/explorer?dest=Iran&action=added")
    wait_for_app(page)
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download these").click()
    content = Path(download_info.value.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(content)))
    expected = {e["entity_id"] for e in inputs("entities") if e["destination"] == "Iran"}
    assert {r["entity_id"] for r in rows} == expected
    assert len(rows) == len(expected)


def test_rules_download_follows_the_scope_shown(page, made_app_url):
    # The rules CSV is written once per store build and scope (tracker.ui.download_csv's view).
    def downloaded() -> list[dict[str, str]]:
        with page.expect_download() as download_info:
            page.get_by_role("button", name="Download CSV").first.click()
        content = Path(download_info.value.path()).read_text(encoding="utf-8-sig")
        return list(csv.DictReader(io.StringIO(content)))

    page.goto(made_app_url + "/rules")
    wait_for_app(page)
    rules = inputs("rules")
    assert sorted(r["rule_id"] for r in downloaded()) == sorted(r["rule_id"] for r in rules)
    page.locator('[data-testid="stButtonGroup"] button', has_text="Related rules").first.click()
    wait_for_app(page)
    changes = [r["rule_id"] for r in rules if r["scope"] == "entity_list_change"]
    assert 0 < len(changes) < len(rules)
    assert sorted(r["rule_id"] for r in downloaded()) == sorted(changes)


def test_changing_a_control_puts_the_view_in_the_link(page, made_app_url):
    page.goto(made_app_url + "/")
    wait_for_app(page)
    page.locator('[data-testid="stButtonGroup"] button', has_text="year").first.click()
    wait_for_app(page)
    page.wait_for_function("window.location.search.includes('granularity=year')", timeout=15_000)
    shared_link = page.url
    assert parse_qs(urlparse(shared_link).query) == {"granularity": ["year"]}
    fresh = page.context.new_page()
    fresh.goto(shared_link)
    wait_for_app(fresh)
    assert "by year first listed" in fresh.locator('[data-testid="stMain"]').inner_text()
    fresh.close()


def test_phone_sized_viewport_renders_the_overview(browser, made_app_url):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                                  device_scale_factor=2)
    phone = context.new_page()
    phone.goto(made_app_url + "/")
    wait_for_app(phone)
    assert_no_error(phone)
    assert_chart_drawn(phone)
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390 + 1, "nothing overflows the phone's width"
    screenshot(phone, "phone-overview")
    context.close()


def test_clicking_a_dot_of_the_response_matrix_opens_its_notes(page, made_app_url):
    page.goto(made_app_url + "/responses")
    wait_for_app(page)
    point = page.locator('[data-testid="stPlotlyChart"] g.scatterlayer path.point').first
    point.click(force=True)
    page.wait_for_function("window.location.search.includes('company=')", timeout=20_000)
    wait_for_app(page)
    params = parse_qs(urlparse(page.url).query)
    company, category = params["company"][0], params["category"][0]
    expected = [r for r in inputs("responses") if r["company_id"] == company and r["category"] == category]
    assert f"{len(expected)} notes" in page.locator('[data-testid="stMain"]').inner_text()


def test_dark_theme_draws_the_chart(browser, made_app_url):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, color_scheme="dark")
    dark = context.new_page()
    dark.goto(made_app_url + "/")
    wait_for_app(dark)
    assert_no_error(dark)
    assert_chart_drawn(dark)
    background = dark.evaluate(
        "getComputedStyle(document.querySelector('[data-testid=stApp]')).backgroundColor")
    assert background != "rgb(255, 255, 255)", "the dark theme follows the reader's setting"
    screenshot(dark, "dark-overview")
    context.close()


def test_presenter_mode_hides_sidebar_and_toolbar_and_keeps_the_filters(browser, made_app_url):
    context = browser.new_context(viewport={"width": 1600, "height": 900})
    room = context.new_page()
    room.goto(made_app_url + "/?granularity=year&dest=China,Russia&present=1")
    wait_for_app(room)
    assert_no_error(room)
    assert room.locator('[data-testid="stSidebar"]').is_hidden()
    assert room.locator('[data-testid="stHeader"]').is_hidden()
    assert "by year first listed" in room.locator('[data-testid="stMain"]').inner_text()
    assert_chart_drawn(room)
    params = parse_qs(urlparse(room.url).query)
    assert params == {"granularity": ["year"], "dest": ["China,Russia"], "present": ["1"]}
    screenshot(room, "presenter-overview")
    room.goto(made_app_url + "/editor?present=1")
    wait_for_app(room)
    assert "not available in presenter mode" in room.locator('[data-testid="stMain"]').inner_text()
    assert room.locator("input[type=password]").count() == 0
    context.close()


def test_share_control_gives_a_link_to_this_exact_view(page, made_app_url):
    page.goto(made_app_url + "/explorer?dest=Iran")
    wait_for_app(page)
    page.get_by_role("button", name="Share this view").click()
    link = page.locator('[data-testid="stPopoverBody"] code').first.inner_text().strip()
    assert link == made_app_url + "/explorer?dest=Iran"
