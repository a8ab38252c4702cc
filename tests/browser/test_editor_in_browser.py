"""End-to-end: an editor signs in, adds a response note through the form, and readers see it."""

from __future__ import annotations

import shutil

import pytest
from browser_helpers import PROJECT, screenshot, start_server, stop_server, wait_for_app

pytestmark = pytest.mark.browser
PASSWORD = "editor-test-password"


@pytest.fixture()
def editor_app(tmp_path):
    shutil.copytree(PROJECT / "data" / "inputs", tmp_path / "inputs")
    process, url, _ = start_server(tmp_path, {"TRACKER_EDITOR_PASSWORD": PASSWORD})
    yield url, tmp_path
    stop_server(process)


def fill(page, label: str, text: str) -> None:
    page.get_by_label(label, exact=True).fill(text)


def test_editor_adds_a_response_note_and_the_company_page_shows_it(page, editor_app):
    url, data_dir = editor_app
    page.goto(url + "/editor")  # the new server's very first request is a deep link
    wait_for_app(page)
    navigation = page.locator('[data-testid="stSidebarNav"]').inner_text()
    assert "Overview" in navigation and "Editor" in navigation, "with a password the Editor is in the menu"
    fill(page, "Your name (for the audit log)", "Browser Editor")
    fill(page, "Editor password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    wait_for_app(page)
    assert "Signed in as Browser Editor" in page.locator('[data-testid="stMain"]').inner_text()
    screenshot(page, "page-editor-signed-in")

    page.get_by_role("tab", name="Add a response note").click()
    form = page.locator('[data-testid="stForm"]').filter(has_text="Add the note")
    form.locator('[data-testid="stSelectbox"]').first.click()
    page.get_by_role("option", name="Beijing Zhipu Huazhang Technology Co., Ltd.").click()
    fill(page, "Date (YYYY-MM-DD, or YYYY-MM when only the month is known)", "2026-02-21")
    fill(page, "Title (one line)", "Browser test note for Zhipu")
    page.get_by_label("Note (shown as text)").fill("Written through the form in a real browser.")
    fill(page, "Source: who published it", "Example publisher")
    fill(page, "Source: web address", "https://example.org/zhipu-note")
    page.get_by_role("button", name="Add the note").click()
    wait_for_app(page)
    assert page.locator('[data-testid="stAlertContentSuccess"]').count() > 0
    assert "Browser test note for Zhipu" in (data_dir / "inputs" / "responses.csv").read_text()

    page.goto(url + "/company?company=zhipu-ai")
    wait_for_app(page)
    assert "Browser test note for Zhipu" in page.locator('[data-testid="stMain"]').inner_text()
