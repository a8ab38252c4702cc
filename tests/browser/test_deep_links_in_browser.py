"""A deep link as a fresh server's FIRST request opens the page it names, not the overview.

Streamlit decides between st.navigation and its legacy multipage mode on the first script
run; a link to /company?company=... opened before "/" ever ran once showed the wrong page
(app.py's docstring). Here a new `streamlit run` on the test factory's data (no store built
yet) gets no HTTP request at all before the browser opens the link: the fixture waits for the
port to accept connections instead of asking /_stcore/health.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from browser_helpers import PROJECT, screenshot, stop_server, wait_for_app

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import factory as made  # noqa: E402 - tests/ is not a package

pytestmark = pytest.mark.browser

LINK = f"/company?company={made.LUMEN}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, log: Path, timeout_s: float = 90) -> None:
    """Until the server accepts a connection; no HTTP request is sent."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited with code {process.returncode}:\n{log.read_text()}")
        with socket.socket() as sock:
            sock.settimeout(1)
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise TimeoutError(f"streamlit did not listen on port {port} within {timeout_s}s:\n{log.read_text()}")


@pytest.fixture()
def fresh_server(tmp_path):
    """A new `streamlit run app.py` on the factory's inputs (no store yet) that has served nothing."""
    paths = made.write_inputs(tmp_path / "data")
    log = tmp_path / "streamlit.log"
    with untouched_server(paths.root, log) as url:
        yield url, paths, log


@contextlib.contextmanager
def untouched_server(data_root: Path, log: Path):
    """A new `streamlit run app.py` over a data folder, its output in `log`: its address, stopped after."""
    port = free_port()
    env = {**os.environ, "TRACKER_DATA_DIR": str(data_root)}
    env.pop("TRACKER_STORE_URL", None)
    command = [sys.executable, "-m", "streamlit", "run", str(PROJECT / "app.py"),
               "--server.address", "127.0.0.1", "--server.port", str(port),
               "--server.headless", "true", "--browser.gatherUsageStats", "false"]
    with open(log, "wb") as handle:
        process = subprocess.Popen(command, cwd=PROJECT, env=env, stdout=handle, stderr=subprocess.STDOUT)
    try:
        wait_for_port(port, process, log)
        yield f"http://127.0.0.1:{port}"
    finally:
        stop_server(process)


def test_a_company_link_as_the_first_request_opens_that_company(page, fresh_server):
    url, paths, log = fresh_server
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    assert not (paths.store / "current").exists(), "the server has done nothing yet"

    page.goto(url + LINK)
    wait_for_app(page)

    assert requests[0] == url + LINK, "the link is the server's first request"
    main = page.locator('[data-testid="stMain"]')
    assert main.locator("h1").first.inner_text() == "Company"
    assert main.locator("h2").first.inner_text() == made.LUMEN_NAME
    text = main.inner_text()
    assert f"First listed {made.LUMEN_DAY}; {len(made.LUMEN_ENTRIES)} entries" in text
    assert "The US Entity List at a glance" not in text, "not the overview"
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.locator('[data-testid="stAlertContentError"]').count() == 0
    navigation = page.locator('[data-testid="stSidebarNav"]').inner_text()
    assert "Overview" in navigation and "app" not in navigation.split(), "st.navigation is in effect"
    assert f"company={made.LUMEN}" in page.url
    assert "Traceback" not in log.read_text(errors="replace")
    screenshot(page, "deep-link-first-request")
