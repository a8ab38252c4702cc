"""Behind a reverse proxy at a path (`server.baseUrlPath`, docs/DEPLOY.md), the API and the feed are
served under that path too, and the feed's links carry it (real `streamlit run` on the factory's data)."""

from __future__ import annotations

import os
import subprocess
import sys

import factory as made
import feedparser
import httpx
import pytest
from api_helpers import stop_server
from browser_helpers import PROJECT, _free_port, _wait_healthy


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    paths = made.write_inputs(tmp_path_factory.mktemp("api-base-path"))
    port = _free_port()
    env = {**os.environ, "TRACKER_DATA_DIR": str(paths.root), "STREAMLIT_SERVER_BASE_URL_PATH": "tracker"}
    with open(paths.root / "streamlit.log", "wb") as log:
        process = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(PROJECT / "app.py"),
                                    "--server.address", "127.0.0.1", "--server.port", str(port),
                                    "--server.headless", "true"], cwd=PROJECT, env=env, stdout=log,
                                   stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}/tracker"
        try:
            _wait_healthy(url, process)
            yield url
        finally:
            stop_server(process)


def test_the_api_is_served_under_the_base_path(base):
    with httpx.Client(timeout=120) as client:
        answer = client.get(f"{base}/api/v1/entries", params={"limit": 1}).json()
        feed = feedparser.parse(client.get(f"{base}/feeds/changes.atom").content)
        unknown = client.get(f"{base}/api/v1/nothing")

    assert answer["total"] > 1 and answer["next"].startswith(f"{base}/api/v1/entries?")
    assert feed.entries and all(e.link.startswith(f"{base}/") for e in feed.entries)
    assert unknown.status_code == 404 and unknown.json()["status"] == 404
