"""Who can edit: one shared password compared in constant time, a limit on wrong tries per
session, the Editor in the menu only where a password is set, no editor page at all in a
read-only deployment."""

from __future__ import annotations

import shutil

import pytest
import streamlit
from streamlit.testing.v1 import AppTest

from tracker.config import PROJECT_DIR
from tracker.editing import auth

PASSWORD = "correct horse battery staple"


# --- the comparison ---


@pytest.mark.parametrize("given, expected, matches", [
    (PASSWORD, PASSWORD, True),
    ("", PASSWORD, False),
    (PASSWORD[:-1], PASSWORD, False),  # a prefix
    (PASSWORD + " ", PASSWORD, False),  # longer
    (PASSWORD.upper(), PASSWORD, False),
    ("pässwörd-密码", "pässwörd-密码", True),  # non-ASCII, which compare_digest refuses as str
    ("passwörd-密码", "pässwörd-密码", False),
    ("\x00", "", False),
])
def test_the_password_must_match_exactly(given, expected, matches) -> None:
    assert auth.password_matches(given, expected) is matches


def test_the_comparison_is_the_constant_time_one_whatever_the_lengths(monkeypatch) -> None:
    calls = []
    real = auth.hmac.compare_digest

    def spy(a, b):
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(auth.hmac, "compare_digest", spy)
    assert not auth.password_matches("x", PASSWORD)  # lengths differ: still no early return
    assert auth.password_matches(PASSWORD, PASSWORD)
    assert calls == [(b"x", PASSWORD.encode()), (PASSWORD.encode(), PASSWORD.encode())]


def test_the_password_comes_from_secrets_then_the_environment_and_empty_means_none(monkeypatch) -> None:
    monkeypatch.setenv(auth.PASSWORD_ENV, "from-env")
    assert auth.configured_password({auth.PASSWORD_SECRET: "from-secrets"}) == "from-secrets"
    assert auth.configured_password({}) == "from-env"
    monkeypatch.setenv(auth.PASSWORD_ENV, "")
    assert auth.configured_password({auth.PASSWORD_SECRET: ""}) is None  # editing stays off


@pytest.mark.parametrize("value, read_only", [
    ("1", True), ("true", True), ("YES", True), (" 1 ", True), ("0", False), ("", False), ("no", False),
])
def test_the_read_only_switch(monkeypatch, value, read_only) -> None:
    monkeypatch.setenv(auth.READ_ONLY_ENV, value)
    assert auth.read_only() is read_only


# --- the gate in the app ---


@pytest.fixture()
def data_dir(tmp_path, monkeypatch):
    shutil.copytree(PROJECT_DIR / "data" / "inputs", tmp_path / "inputs")
    monkeypatch.setenv("TRACKER_DATA_DIR", str(tmp_path))
    monkeypatch.setenv(auth.PASSWORD_ENV, PASSWORD)
    for name in (auth.READ_ONLY_ENV, "TRACKER_STORE_URL", "TRACKER_EPHEMERAL_DISK"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def editor_page() -> AppTest:
    return AppTest.from_file(str(PROJECT_DIR / "app_pages" / "editor.py"), default_timeout=120).run()


@pytest.fixture()
def menu(monkeypatch) -> dict[str, str]:
    """Title -> visibility of every page app.py gives st.navigation, as of its latest run.

    AppTest does not expose the navigation menu, so st.navigation is watched at the boundary.
    """
    pages: dict[str, str] = {}
    real = streamlit.navigation

    def watched(given, **options):
        pages.clear()
        pages.update({page.title: page.visibility for page in given})
        return real(given, **options)

    monkeypatch.setattr(streamlit, "navigation", watched)
    return pages


def app_run() -> AppTest:
    return AppTest.from_file(str(PROJECT_DIR / "app.py"), default_timeout=120).run()


def try_password(app: AppTest, password: str) -> AppTest:
    app.text_input(key="editor_password_input").set_value(password)
    return app.button[0].click().run()


def test_wrong_tries_are_limited_per_session_and_then_no_form_is_offered(data_dir) -> None:
    app = editor_page()
    for tries_left in range(auth.MAX_ATTEMPTS - 1, 0, -1):
        try_password(app, "guess")
        assert any(f"({tries_left} tries left)" in e.value for e in app.error)
        assert not app.tabs
    try_password(app, "guess")
    assert any("Too many wrong passwords" in e.value for e in app.error)
    assert not app.text_input and not app.button, "not even the right password can be tried now"
    app.run()  # a rerun of the same session stays locked
    assert not app.text_input and not app.tabs

    fresh = editor_page()  # a new session starts again: the limit slows guessing, it does not stop it
    assert fresh.text_input(key="editor_password_input")


def test_the_right_password_after_some_wrong_ones_signs_in_and_is_not_kept(data_dir) -> None:
    app = editor_page()
    for _ in range(auth.MAX_ATTEMPTS - 1):
        try_password(app, "guess")
    try_password(app, PASSWORD)
    assert app.tabs and not app.exception
    # The form is gone once signed in, and its password field's value with it.
    assert "editor_password_input" not in app.session_state
    assert app.session_state["editor_signed_in"] is True


def test_a_read_only_deployment_has_no_editor_page(data_dir, monkeypatch, menu) -> None:
    monkeypatch.setenv(auth.READ_ONLY_ENV, "1")
    app = app_run()
    assert not app.exception
    assert "Editor" not in menu and "Overview" in menu
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        app.switch_page(str(PROJECT_DIR / "app_pages" / "editor.py"))
    # The page itself, run directly, still refuses: no form, no tabs.
    page = editor_page()
    assert any("read-only" in i.value for i in page.info)
    assert not page.text_input and not page.tabs


def test_an_editing_deployment_lists_the_editor_page(data_dir, menu) -> None:
    app = app_run()
    assert menu["Editor"] == "visible"
    app.switch_page(str(PROJECT_DIR / "app_pages" / "editor.py")).run()
    assert [t.value for t in app.title] == ["Editor"]
    assert app.text_input(key="editor_password_input")


def test_a_password_in_the_secrets_alone_puts_the_editor_in_the_menu(data_dir, monkeypatch, menu) -> None:
    monkeypatch.delenv(auth.PASSWORD_ENV)
    app = AppTest.from_file(str(PROJECT_DIR / "app.py"), default_timeout=120)
    app.secrets[auth.PASSWORD_SECRET] = PASSWORD
    app.run()
    assert menu["Editor"] == "visible"


def test_without_a_password_the_editor_is_out_of_the_menu_but_its_address_says_how_to_enable_it(
        data_dir, monkeypatch, menu) -> None:
    monkeypatch.delenv(auth.PASSWORD_ENV)
    app = app_run()
    assert not app.exception
    assert menu["Editor"] == "hidden"
    # The entry page is opened by links, never from the menu.
    opened_by_links = ("Editor", "Entry")
    assert all(visibility == "visible" for title, visibility in menu.items() if title not in opened_by_links)
    app.switch_page(str(PROJECT_DIR / "app_pages" / "editor.py")).run()  # /editor is still a page
    assert not app.exception
    [info] = app.info
    assert "no editor password is configured" in info.value
    assert auth.PASSWORD_SECRET in info.value and auth.PASSWORD_ENV in info.value
    assert not app.text_input and not app.tabs
