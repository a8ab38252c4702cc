"""Leaving a page through the sidebar and coming back keeps its controls working.

Found by the load test: Streamlit forgets a page's widget values while another page runs;
coming back to a page whose link holds no parameters (its defaults) left its required
controls empty, and the overview failed on a missing granularity.
"""

from __future__ import annotations

import shutil

import pytest
from streamlit.testing.v1 import AppTest

from tracker.config import PROJECT_DIR, DataPaths
from tracker.store import build

PAGES = ["overview", "explorer", "company", "rules", "responses", "story", "about"]


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("page-state")
    shutil.copytree(PROJECT_DIR / "data" / "inputs", root / "inputs")
    build.build_store(DataPaths(root))
    return root


@pytest.fixture()
def app(data_dir, monkeypatch) -> AppTest:
    monkeypatch.setenv("TRACKER_DATA_DIR", str(data_dir))
    for name in ("TRACKER_READ_ONLY", "TRACKER_STORE_URL"):
        monkeypatch.delenv(name, raising=False)
    return AppTest.from_file(str(PROJECT_DIR / "app.py"), default_timeout=120).run()


def go(app: AppTest, page: str) -> AppTest:
    return app.switch_page(str(PROJECT_DIR / "app_pages" / f"{page}.py")).run()


@pytest.mark.parametrize("page", PAGES)
def test_a_page_left_and_opened_again_works_with_its_defaults(app, page) -> None:
    go(app, page)
    assert not app.exception
    other = "explorer" if page != "explorer" else "overview"
    go(app, other)
    go(app, page)
    assert not app.exception, app.exception
    assert not app.error


def test_the_overview_controls_are_set_when_coming_back(app) -> None:
    go(app, "explorer")
    go(app, "overview")
    assert app.segmented_control(key="granularity").value == "quarter"
    assert app.segmented_control(key="group").value == "destination"
