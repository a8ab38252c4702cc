"""The explorer's dates apply when Enter is pressed in the field (issue 13, rough edges): before, a
typed date applied only when the field lost focus, and the count stayed stale meanwhile."""

from __future__ import annotations

from browser_helpers import screenshot, wait_for_app


def entries_matching(page) -> str:
    return page.locator("text=entries match").first.inner_text()


def test_a_typed_date_applies_on_enter_while_the_field_keeps_focus(page, app_url) -> None:
    page.goto(app_url + "/explorer")
    wait_for_app(page)
    before = entries_matching(page)
    field = page.get_by_label("From", exact=True)
    field.fill("2024-01-01")
    field.press("Enter")
    page.wait_for_url("**/explorer?from=2024-01-01", timeout=30_000)
    wait_for_app(page)
    after = entries_matching(page)
    assert after != before
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == "From"
    assert "press Enter" in page.locator('[data-testid="stMain"]').inner_text()
    to_field = page.get_by_label("To", exact=True)
    to_field.fill("2024-99-01")
    to_field.press("Enter")
    page.wait_for_selector("text=expected a date", timeout=30_000)
    assert entries_matching(page) == after  # the unusable date is ignored, with a notice
    screenshot(page, "explorer-typed-dates")
