"""The container without Docker: its entry command (scripts/serve.sh) and the image the Dockerfile
describes, assembled from its COPY lines, build the store, serve, and pass the image's HEALTHCHECK.

The data is the test factory's (tests/factory.py); the shipped inputs are checked by
tests/test_shipped_data_smoke.py.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import factory as made

PROJECT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_health(port: int, process: subprocess.Popen) -> bytes | None:
    for _ in range(200):
        if process.poll() is not None:
            return None
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as reply:
                return reply.read().strip()
        except OSError:
            time.sleep(0.3)
    return None


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()


def test_entry_command_builds_the_store_and_answers_the_health_check(tmp_path):
    made.write_inputs(tmp_path)
    port = free_port()
    env = {**os.environ, "PORT": str(port), "HOST": "127.0.0.1", "TRACKER_DATA_DIR": str(tmp_path)}
    process = subprocess.Popen(["sh", str(PROJECT / "scripts" / "serve.sh")], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert wait_for_health(port, process) == b"ok"
        assert (tmp_path / "store" / "current" / "manifest.json").exists()
    finally:
        stop(process)


# --- the Dockerfile, read as Docker reads it ---


def instructions(path: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) in order, continuation lines joined, comments left out."""
    steps, pending = [], ""
    for line in path.read_text().splitlines():
        if not pending and (not line.strip() or line.lstrip().startswith("#")):
            continue
        pending += line.rstrip()
        if pending.endswith("\\"):
            pending = pending[:-1] + " "
            continue
        keyword, _, arguments = pending.strip().partition(" ")
        steps.append((keyword.upper(), arguments.strip()))
        pending = ""
    return steps


def env_of(steps: list[tuple[str, str]]) -> dict[str, str]:
    """The image's ENV (key=value pairs)."""
    values = {}
    for keyword, arguments in steps:
        if keyword == "ENV":
            values.update(pair.split("=", 1) for pair in shlex.split(arguments))
    return values


def assemble(steps: list[tuple[str, str]], image: Path) -> None:
    """Copy what each COPY line names from the project into `image` (the WORKDIR)."""
    for keyword, arguments in steps:
        if keyword != "COPY":
            continue
        *sources, destination = [w for w in shlex.split(arguments) if not w.startswith("--")]
        for source in sources:
            origin = PROJECT / source
            assert origin.exists(), f"the Dockerfile copies {source}, which is not in the project"
            target = image / destination
            if (destination.endswith("/") or destination == ".") and origin.is_file():  # into that folder
                target = target / origin.name
            target.parent.mkdir(parents=True, exist_ok=True)
            if origin.is_dir():
                shutil.copytree(origin, target, dirs_exist_ok=True,
                                ignore=shutil.ignore_patterns("__pycache__"))
            else:
                shutil.copy2(origin, target)


def test_the_dockerfile_builds_as_a_user_that_owns_the_app_not_root():
    steps = instructions(PROJECT / "Dockerfile")
    keywords = [k for k, _ in steps]
    [user] = [a for k, a in steps if k == "USER"]
    created = [a for k, a in steps if k == "RUN" and a.startswith("useradd")]
    assert user not in ("root", "0") and created and created[0].split()[-1] == user
    copies_owned = {shlex.split(a)[0] for k, a in steps if k == "COPY" and "requirements.txt" not in a}
    assert copies_owned == {f"--chown={user}:{user}"}, "the app's files belong to the user that runs it"
    build_step = steps.index(("RUN", "python -m tracker build"))
    assert keywords.index("USER") < build_step < keywords.index("CMD"), "the store is built as that user"
    assert keywords[-1] == "CMD"


PAGES_RUN = """
from pathlib import Path
from streamlit.testing.v1 import AppTest
for name in ("overview", "explorer", "company", "rules", "responses", "story", "about"):
    app = AppTest.from_file(str(Path("app.py").resolve()), default_timeout=120)
    app.switch_page(f"app_pages/{name}.py").run()
    assert not app.exception, (name, [e.value for e in app.exception])
    assert not app.error, (name, [e.value for e in app.error])
    print(name)
"""


def test_the_image_the_dockerfile_assembles_builds_serves_and_passes_its_healthcheck(tmp_path):
    steps = instructions(PROJECT / "Dockerfile")
    image = tmp_path / "app"
    assemble(steps, image)
    # The image's own inputs are the shipped ones; these are the factory's, quicker to build.
    shutil.rmtree(image / "data" / "inputs")
    made.write_inputs(image / "data")
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")}, **env_of(steps)}
    assert env["PORT"] == "8501"
    env["PORT"] = str(free_port())  # as `docker run -e PORT=...` would
    env["HOST"] = "127.0.0.1"
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"

    for keyword, arguments in steps:
        if keyword == "RUN" and arguments.startswith("python "):
            done = subprocess.run(arguments, shell=True, cwd=image, env=env, capture_output=True, text=True,
                                  timeout=300)
            assert done.returncode == 0, done.stderr
    assert (image / "data" / "store" / "current" / "manifest.json").exists(), "the store is in the image"

    # The image's files make the whole app: every page runs through its app.py, on its own store.
    pages = subprocess.run([sys.executable, "-c", PAGES_RUN], cwd=image, env=env, capture_output=True,
                           text=True, timeout=300)
    assert pages.returncode == 0, pages.stdout + pages.stderr
    assert pages.stdout.split() == ["overview", "explorer", "company", "rules", "responses", "story", "about"]

    [healthcheck] = [a for k, a in steps if k == "HEALTHCHECK"]
    check = healthcheck.split(" CMD ", 1)[1]

    def healthy() -> bool:
        return subprocess.run(check, shell=True, cwd=image, env=env, capture_output=True,
                              timeout=30).returncode == 0

    assert not healthy(), "the health check fails while nothing serves"
    [command] = [a for k, a in steps if k == "CMD"]
    process = subprocess.Popen(json.loads(command), cwd=image, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert wait_for_health(int(env["PORT"]), process) == b"ok"
        assert healthy()
        # The image serves the HTTP API beside the dashboard (st.App in app.py), from its own store.
        entries = f"http://127.0.0.1:{env['PORT']}/api/v1/entries?limit=1"
        with urllib.request.urlopen(entries, timeout=60) as reply:
            answer = json.loads(reply.read())
        manifest = json.loads((image / "data" / "store" / "current" / "manifest.json").read_text())
        assert answer["build_id"] == manifest["build_id"] and answer["total"] > 0
    finally:
        stop(process)
    assert not healthy()
