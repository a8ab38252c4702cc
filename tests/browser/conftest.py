"""Fixtures for browser tests: a copy of the data, a real server, a real headless Chromium."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
from browser_helpers import CHROMIUM, CHROMIUM_FLAGS, PROJECT, SCREENSHOTS, start_server, stop_server


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory) -> Path:
    """A copy of the shipped inputs, so browser tests never touch the repository's data."""
    root = tmp_path_factory.mktemp("browser-data")
    shutil.copytree(PROJECT / "data" / "inputs", root / "inputs")
    return root


@pytest.fixture(scope="session")
def app_url(data_dir):
    yield from _serving(data_dir)


def _serving(data_dir: Path):
    """A `streamlit run` over a data folder for the session: its address, stopped after."""
    process, url, _ = start_server(data_dir)
    yield url
    stop_server(process)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: scripts/test.sh installs Debian's chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


@pytest.fixture()
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    opened = context.new_page()
    yield opened
    context.close()


@pytest.fixture(scope="session", autouse=True)
def screenshot_folder():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    print(f"\nscreenshots: {SCREENSHOTS}")
    return SCREENSHOTS


@pytest.fixture(scope="session")
def made_data_dir(tmp_path_factory) -> Path:
    """The test factory's inputs (tests/factory.py), for browser tests that check facts of the data."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    import factory

    root = tmp_path_factory.mktemp("browser-made-data")
    factory.write_inputs(root)
    return root


@pytest.fixture(scope="session")
def made_app_url(made_data_dir):
    yield from _serving(made_data_dir)
