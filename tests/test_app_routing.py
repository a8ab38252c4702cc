"""app.py: every page is reached through its navigation, a read-only deployment has no editor
page, and the footer is drawn on every page, also on one that stops early (tests/factory.py data)."""

from __future__ import annotations

import factory as made
import pytest
from page_helpers import footer, open_page, page_file, page_titles, ran_page, run_page

from tracker.present.page_state import PAGES
from tracker.store import build

# Each page: its title in the menu and the title it writes at its top.
TITLES = {
    "overview": ("Overview", "The US Entity List at a glance"),
    "explorer": ("Explorer", "Explore the entries"),
    "company": ("Company", "Company"),
    "rules": ("Rules", "Federal Register rules"),
    "responses": ("Responses", "Strategic responses"),
    "story": ("Story", "The story, moment by moment"),
    "editor": ("Editor", "Editor"),
    "about": ("About", "About this tracker"),
    "entry": ("Entry", "Entry"),
    "changes": ("Changes", "Changes"),
    "screen": ("Screening", "Screening"),
}


@pytest.fixture(scope="module", autouse=True)
def page_data(made_app):
    return made_app


def test_every_declared_page_has_a_title_here():
    assert set(TITLES) == set(PAGES)


@pytest.mark.parametrize("name", list(TITLES))
def test_each_page_is_reached_through_app_py_with_its_title(name, monkeypatch):
    monkeypatch.delenv("TRACKER_READ_ONLY", raising=False)
    app = run_page(name)
    assert not app.exception
    menu, title = TITLES[name]
    assert [t.value for t in app.title] == [title]
    assert page_titles(app)[name] == menu
    registered = {info["script_path"].rsplit("/", 1)[-1]: info["url_pathname"]
                  for info in app._registered_pages.values()}
    assert registered[f"{name}.py"] == PAGES[name].path, "served at the path its state declares"


def test_a_read_only_deployment_has_no_editor_page(monkeypatch):
    monkeypatch.setenv("TRACKER_READ_ONLY", "1")
    monkeypatch.setenv("TRACKER_EDITOR_PASSWORD", "pw")  # even with a password set

    app = open_page("editor")

    assert not app.exception
    assert "editor" not in page_titles(app) and "overview" in page_titles(app)
    assert ran_page(app) == "overview", "asking for the editor shows the default page"
    assert [t.value for t in app.title] == [TITLES["overview"][1]]
    assert not app.text_input, "no password box anywhere"
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        app.switch_page(page_file("editor"))


def test_the_editor_page_is_there_when_the_deployment_is_not_read_only(monkeypatch):
    monkeypatch.delenv("TRACKER_READ_ONLY", raising=False)
    monkeypatch.setenv("TRACKER_EDITOR_PASSWORD", "pw")
    app = run_page("editor")
    assert page_titles(app)["editor"] == "Editor"
    app.switch_page(page_file("overview")).run()
    assert ran_page(app) == "overview"
    app.switch_page(page_file("editor")).run()
    assert ran_page(app) == "editor"


def expected_footer(made_app) -> str:
    built_at = build.read_manifest(made_app).built_at.replace("T", " ")
    return (f"Store built {built_at} · newest rule {made.NEWEST_RULE_DAY} · "
            "sources and method on the About page.")


@pytest.mark.parametrize("name", list(TITLES))
def test_every_page_ends_with_the_footer(made_app, name, monkeypatch):
    monkeypatch.delenv("TRACKER_READ_ONLY", raising=False)
    app = run_page(name)
    assert footer(app) == expected_footer(made_app)
    assert app.main.caption[-1].value.replace("\\", "") == footer(app), "below everything the page drew"


@pytest.mark.parametrize("name, params, stopped_by", [
    ("explorer", {"q": "nothing-is-called-this"}, "No entries match"),
    ("company", {}, None),
])
def test_a_page_that_stops_early_keeps_its_footer(made_app, name, params, stopped_by):
    app = run_page(name, **params)
    assert not app.exception
    if stopped_by:
        assert any(stopped_by in i.value for i in app.info)
        assert not app.dataframe, "the page stopped before its table"
    else:
        assert "Companies followed" in [h.value for h in app.header]
        assert not app.get("plotly_chart"), "the page stopped before any profile"
    assert footer(app) == expected_footer(made_app)
