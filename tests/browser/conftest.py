"""A real `streamlit run` server on 127.0.0.1 and a real headless Chromium driving it.

The server fixture polls /_stcore/health; `wait_for_app` waits until the script has
finished running and no skeleton placeholder is left, as Streamlit's own e2e tests do.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = PROJECT / "test-artifacts" / "screenshots"
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-dev-shm-usage"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_healthy(url: str, process: subprocess.Popen, timeout_s: float = 90) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited with code {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.read().strip() == b"ok":
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise TimeoutError(f"streamlit did not answer {url}/_stcore/health within {timeout_s}s")


def start_server(data_dir: Path, extra_env: dict[str, str] | None = None):
    """Start `streamlit run app.py` on a free loopback port; returns (process, base url, log path)."""
    port = _free_port()
    log = data_dir / f"streamlit-{port}.log"
    env = {**os.environ, "TRACKER_DATA_DIR": str(data_dir), **(extra_env or {})}
    command = [sys.executable, "-m", "streamlit", "run", str(PROJECT / "app.py"),
               "--server.address", "127.0.0.1", "--server.port", str(port),
               "--server.headless", "true", "--browser.gatherUsageStats", "false"]
    handle = open(log, "wb")  # noqa: SIM115 - closed by stop_server
    process = subprocess.Popen(command, cwd=PROJECT, env=env, stdout=handle, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, process)
    except Exception:
        stop_server(process)
        print(log.read_text(errors="replace"))
        raise
    return process, url, log


def stop_server(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory) -> Path:
    """A copy of the shipped inputs, so browser tests never touch the repository's data."""
    root = tmp_path_factory.mktemp("browser-data")
    shutil.copytree(PROJECT / "data" / "inputs", root / "inputs")
    return root


@pytest.fixture(scope="session")
def app_url(data_dir):
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


def wait_for_app(page, timeout_ms: int = 60_000) -> None:
    """Wait until the script run is over and nothing is still a skeleton placeholder."""
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]',
                           timeout=timeout_ms)
    page.wait_for_function("document.querySelectorAll('[data-testid=stSkeleton]').length === 0",
                           timeout=timeout_ms)
    page.wait_for_timeout(300)  # let Plotly finish drawing after the script settles
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]',
                           timeout=timeout_ms)


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot under test-artifacts/screenshots."""
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
