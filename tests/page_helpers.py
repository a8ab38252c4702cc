"""Running a page with AppTest, shared by the page tests.

A page is reached as a visitor reaches it: app.py runs (page settings, the footer, navigation)
and st.navigation runs the page asked for, with the query parameters of the link.
"""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from tracker.config import PROJECT_DIR

APP = PROJECT_DIR / "app.py"


def page_file(name: str) -> str:
    """A page's script as app.py's st.navigation names it (relative to app.py)."""
    return f"app_pages/{name}.py"


def open_page(name: str, timeout: float = 120, **params: str) -> AppTest:
    """Run app.py once, asking for app_pages/<name>.py with these query parameters.

    Whatever st.navigation then runs is what the app shows: `ran_page` says which page that was.
    """
    app = AppTest.from_file(str(APP), default_timeout=timeout)
    # Before the first run AppTest finds the page by its file name, which is the url_path app.py
    # gives it; a name st.navigation does not register falls back to the default page.
    app.switch_page(page_file(name))
    for key, value in params.items():
        app.query_params[key] = value
    return app.run()


def ran_page(app: AppTest) -> str | None:
    """The page (its file name without .py) the app's last run showed; None when no page ran."""
    # AppTest has no public word for this: the registry st.navigation filled, and the page it ran.
    info = app._registered_pages.get(app._finished_page_script_hash, {})
    script = info.get("script_path")
    return Path(script).stem if script else None


def page_titles(app: AppTest) -> dict[str, str]:
    """The pages app.py's navigation registered in the last run: file name -> title in the menu."""
    return {Path(info["script_path"]).stem: info["page_name"]
            for info in app._registered_pages.values() if info.get("script_path")}


def run_page(name: str, timeout: float = 120, **params: str) -> AppTest:
    """Run app_pages/<name>.py through app.py with these query parameters (the data is
    TRACKER_DATA_DIR's); fails when app.py shows another page instead."""
    app = open_page(name, timeout, **params)
    assert ran_page(app) == name, f"app.py showed {ran_page(app)!r}, not {name!r}"
    return app


def text_of(app: AppTest) -> str:
    """The page's Markdown, captions and headings as one text, Markdown escapes removed."""
    parts = [m.value for m in app.markdown] + [c.value for c in app.caption]
    parts += [h.value for h in app.header] + [h.value for h in app.subheader]
    return "\n".join(parts).replace("\\", "")


def notices(app: AppTest) -> list[str]:
    """The notices about the link (a value that could not be used), as the reader sees them."""
    return [c.value.replace("\\", "") for c in app.caption if c.value.startswith("⚠️")]


def footer(app: AppTest) -> str | None:
    """The freshness line app.py draws below every page ("Store built ... · newest rule ..."), if any."""
    lines = [c.value for c in app.caption if c.value.startswith("Store built ")]
    assert len(lines) <= 1, lines
    return lines[0].replace("\\", "") if lines else None


def table_with(app: AppTest, *columns: str):
    """The first table (st.dataframe) of the page that has all these columns, as a DataFrame."""
    for table in app.dataframe:
        if set(columns) <= set(table.value.columns):
            return table.value
    raise AssertionError(f"no table with columns {columns}: {[list(t.value.columns) for t in app.dataframe]}")
