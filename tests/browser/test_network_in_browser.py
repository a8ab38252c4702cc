"""The Huawei company page's network in a real browser, at a desktop's 1400 px and a phone's 390 px:
drawn, with labels whose drawn boxes never overlap, and a screenshot of each to look at."""

from __future__ import annotations

import pytest
from browser_helpers import SCREENSHOTS, wait_for_app

pytestmark = pytest.mark.browser

LABEL_BOXES = """() => {
    const charts = [...document.querySelectorAll('.js-plotly-plot')];
    const chart = charts[charts.length - 1];  // the network is the page's last chart
    return [...chart.querySelectorAll('.scatterlayer g.textpoint text')].map(t => {
        const b = t.getBoundingClientRect();
        return {text: t.textContent, left: b.left, right: b.right, top: b.top, bottom: b.bottom};
    });
}"""


PLOT_SIZE = """() => {
    const charts = [...document.querySelectorAll('.js-plotly-plot')];
    const b = charts[charts.length - 1].querySelector('.nsewdrag').getBoundingClientRect();
    return [b.width, b.height];
}"""


def settled_boxes(page) -> list[dict]:
    """The labels' boxes once two readings 300 ms apart agree (Plotly redraws as the chart is sized)."""
    boxes = page.evaluate(LABEL_BOXES)
    for _ in range(20):
        page.wait_for_timeout(300)
        again = page.evaluate(LABEL_BOXES)
        if again == boxes:
            return boxes
        boxes = again
    return boxes


def overlapping(boxes: list[dict]) -> list[tuple[str, str]]:
    return [(a["text"], b["text"]) for i, a in enumerate(boxes) for b in boxes[i + 1:]
            if a["left"] < b["right"] and b["left"] < a["right"] and a["top"] < b["bottom"]
            and b["top"] < a["bottom"]]


@pytest.mark.parametrize("width", [1400, 390])
def test_huawei_network_draws_with_no_overlapping_labels(browser, app_url, width):
    context = browser.new_context(viewport={"width": width, "height": 1000})
    page = context.new_page()
    try:
        page.goto(f"{app_url}/company?company=huawei")
        wait_for_app(page, timeout_ms=120_000)
        page.get_by_text("Network of related entries").first.scroll_into_view_if_needed()
        page.wait_for_function(
            "document.querySelectorAll('.js-plotly-plot .scatterlayer g.textpoint text').length > 5",
            timeout=60_000)
        page.wait_for_timeout(800)
        chart = page.locator(".js-plotly-plot").last
        chart.scroll_into_view_if_needed()
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        chart.screenshot(path=str(SCREENSHOTS / f"network-huawei-{width}.png"))
        boxes = settled_boxes(page)
        print(width, page.evaluate(PLOT_SIZE))
        assert len(boxes) >= 8, boxes
        crossing = {text for pair in overlapping(boxes) for text in pair}
        assert not crossing, [b for b in boxes if b["text"] in crossing]
        assert not page.locator('[data-testid="stException"]').count()
    finally:
        context.close()
