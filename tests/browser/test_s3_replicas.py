"""Two real app replicas (streamlit run) reading one store published to a local S3 server, of the
test factory's data (tests/factory.py)."""

from __future__ import annotations

import sys
import uuid
from pathlib import Path

import pytest
from browser_helpers import screenshot, start_server, stop_server, wait_for_app

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import factory as made  # noqa: E402 - tests/ is not a package

pytestmark = pytest.mark.browser


def test_two_replicas_serve_the_store_published_to_the_bucket(page, tmp_path, monkeypatch):
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    env = {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_DEFAULT_REGION": "us-east-1",
           "TRACKER_S3_ENDPOINT": f"http://{host}:{port}",
           "TRACKER_STORE_URL": f"s3://replicas-{uuid.uuid4().hex[:10]}/store"}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    from tracker.config import data_paths
    from tracker.store import build, remote

    remote.filesystem().mkdir(env["TRACKER_STORE_URL"].removeprefix("s3://").split("/")[0])
    publisher = data_paths(tmp_path / "publisher")
    made.write_inputs(publisher.root)
    monkeypatch.setenv("TRACKER_PUBLISH", "1")
    build.refresh_store(publisher)

    replicas = []
    try:
        for number in (1, 2):
            folder = tmp_path / f"replica-{number}"
            folder.mkdir()
            replicas.append(start_server(folder, {**env, "TRACKER_PUBLISH": "0"}))
        for number, (_, url, _) in enumerate(replicas, start=1):
            page.goto(url + f"/company?company={made.LUMEN}")
            wait_for_app(page)
            text = page.locator('[data-testid="stMain"]').inner_text()
            assert made.LUMEN_NAME in text
            assert f"First listed {made.LUMEN_DAY}; {len(made.LUMEN_ENTRIES)} entries" in text
            screenshot(page, f"s3-replica-{number}")
            assert not (tmp_path / f"replica-{number}" / "store").exists()
    finally:
        for process, _, _ in replicas:
            stop_server(process)
        server.stop()
