"""Helpers for browser tests: start a real `streamlit run` server on 127.0.0.1, wait for a page.

The server is polled on /_stcore/health; `wait_for_app` waits until the script has
finished running and no skeleton placeholder is left, as Streamlit's own e2e tests do.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

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
    """Save a screenshot of the whole page under test-artifacts/screenshots.

    Streamlit scrolls inside its own container, so the viewport is stretched to the
    content's height for the picture and then put back.
    """
    path = SCREENSHOTS / f"{name}.png"
    size = page.viewport_size
    height = page.evaluate("""() => {
        const block = document.querySelector('[data-testid=stMainBlockContainer]');
        return block ? block.getBoundingClientRect().height + 120 : document.body.scrollHeight; }""")
    page.set_viewport_size({"width": size["width"], "height": int(min(max(height, size["height"]), 8000))})
    page.wait_for_timeout(500)
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size(size)
    return path


AXE_JS = PROJECT / ".test-tools" / "node_modules" / "axe-core" / "axe.min.js"  # scripts/test.sh installs it
AXE_RULE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


def axe_violations(page, impacts: tuple[str, ...] = ("serious", "critical")) -> list[dict]:
    """Inject axe-core into the page, run it on the whole document, return violations of these impacts."""
    page.add_script_tag(path=str(AXE_JS))
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_RULE_TAGS)
    return [v for v in result["violations"] if v["impact"] in impacts]


def describe_violations(violations: list[dict]) -> str:
    """One block per violation: rule id, impact, help, then each element's selector, html and reason."""
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']} "
                     f"[{len(violation['nodes'])} element(s)]")
        for node in violation["nodes"]:
            lines.append(f"    {' > '.join(map(str, node['target']))}")
            lines.append("        " + " ".join(node["html"].split())[:200])
            if node.get("failureSummary"):
                lines.append("        " + node["failureSummary"].replace("\n", " | ")[:300])
    return "\n".join(lines)
