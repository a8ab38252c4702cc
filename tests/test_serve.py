"""The container's entry command (scripts/serve.sh) run without Docker: it builds, serves, answers health."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_entry_command_builds_the_store_and_answers_the_health_check(tmp_path):
    shutil.copytree(PROJECT / "data" / "inputs", tmp_path / "inputs")
    port = free_port()
    env = {**os.environ, "PORT": str(port), "HOST": "127.0.0.1", "TRACKER_DATA_DIR": str(tmp_path)}
    process = subprocess.Popen(["sh", str(PROJECT / "scripts" / "serve.sh")], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        answer = None
        for _ in range(200):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as reply:
                    answer = reply.read().strip()
                    break
            except OSError:
                time.sleep(0.3)
        assert answer == b"ok"
        assert (tmp_path / "store" / "current" / "manifest.json").exists()
    finally:
        process.terminate()
        process.wait(timeout=15)


def test_dockerfile_runs_as_non_root_checks_health_and_reads_port():
    text = (PROJECT / "Dockerfile").read_text()
    assert "USER tracker" in text and "HEALTHCHECK" in text and "/_stcore/health" in text
    assert "RUN python -m tracker build" in text
    assert 'CMD ["sh", "scripts/serve.sh"]' in text
    assert "${PORT:-8501}" in (PROJECT / "scripts" / "serve.sh").read_text()
