"""The Changes page in headless Chromium against a real server of the shipped data: the chart is
drawn, the tables are there, and the CSV download holds what the page counts."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest
from browser_helpers import screenshot, wait_for_app

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/shots/changes")


def test_changes_page_draws_its_chart_tables_and_csv(page, app_url):
    page.goto(app_url + "/changes?from=2023-11-21&to=2026-07-23")
    wait_for_app(page)
    main = page.locator('[data-testid="stMain"]')
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.locator('[data-testid="stAlertContentError"]').count() == 0
    chart = page.locator('[data-testid="stPlotlyChart"]').first
    chart.wait_for(state="visible", timeout=30_000)
    assert chart.locator("g.trace.bars path").count() > 0, "the chart has drawn bars"
    assert page.locator('[data-testid="stDataFrame"]').count() >= 4
    text = main.inner_text()
    assert "Removed (2)" in text and "Added (746)" in text
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download CSV").click()
    rows = list(csv.DictReader(io.StringIO(Path(download_info.value.path()).read_text(encoding="utf-8-sig"))))
    assert sum(r["kind"] == "Added" for r in rows) == 746
    assert {r["name"] for r in rows if r["kind"] == "Removed"} == {
        "Jazirah Aviation Club", "Hefei Bitland Information Technology Co. Ltd."}
    SHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(screenshot(page, "changes-1400"), SHOTS / "changes-1400.png")
    page.set_viewport_size({"width": 390, "height": 900})
    page.goto(app_url + "/changes")
    wait_for_app(page)
    assert page.locator('[data-testid="stException"]').count() == 0
    shutil.copy(screenshot(page, "changes-390"), SHOTS / "changes-390.png")
