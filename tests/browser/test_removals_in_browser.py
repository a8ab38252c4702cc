"""Removals where they belong, seen in a real browser on the shipped data (issue 12.5): below the
overview's axis with their notes, and found by the explorer's action=removed."""

from __future__ import annotations

from browser_helpers import screenshot, wait_for_app


def test_the_overview_draws_removals_below_the_axis_and_lists_those_given_in_words(page, app_url) -> None:
    page.goto(app_url + "/?granularity=year")
    wait_for_app(page)
    chart = page.locator('[data-testid="stPlotlyChart"]').first
    chart.locator(".legendtext", has_text="Removed (named)").wait_for(timeout=30_000)
    assert chart.locator(".legendtext", has_text="Removed (names not sourced)").count() == 1
    page.get_by_text("Removals the chart cannot see").click()
    page.get_by_text("At least 11 removals since 2018").wait_for(timeout=30_000)
    assert page.get_by_text("Sandvine").count() >= 1
    screenshot(page, "overview-removals")


def test_the_explorer_finds_the_removed_entries(page, app_url) -> None:
    page.goto(app_url + "/explorer?action=removed")
    wait_for_app(page)
    page.get_by_text("4 entries").first.wait_for(timeout=30_000)
    main = page.locator('[data-testid="stMain"]').inner_text()
    assert "Matching entries by year of their removed events" in main
    screenshot(page, "explorer-removed")
