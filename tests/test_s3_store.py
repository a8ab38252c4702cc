"""A store shared through an S3-compatible bucket: a local S3 server (moto) on 127.0.0.1,
one publishing process, and two reading processes, on the test factory's data (tests/factory.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import factory as made
import pytest

PROJECT = Path(__file__).resolve().parents[1]

READER = """
import json
import sys
from tracker.store import build
from tracker.store import connection
from tracker.store import entry
from tracker.store import queries
from tracker.store import related
from tracker.config import data_paths
status = build.refresh_store(data_paths())
db = connection.open_store(status.build_dir, status.manifest).cursor()
page = entry.entry_page(db, sys.argv[2])  # read from the bucket's files directly (store.sorted_files)
print(json.dumps({"build": str(status.build_dir), "entries": queries.headline(db, 2025)["entries"],
                  "company": len(queries.company(db, sys.argv[1]).entries),
                  "entry": [page.entry["name"], len(page.events), page.events["action"].tolist()],
                  "related": sorted(related.related_entries(db, sys.argv[2]).entries["entity_id"])}))
"""


@pytest.fixture()
def s3(monkeypatch):
    from moto.server import ThreadedMotoServer

    bucket = f"tracker-test-{uuid.uuid4().hex[:12]}"  # moto keeps buckets for the whole process
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    env = {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_DEFAULT_REGION": "us-east-1",
           "TRACKER_S3_ENDPOINT": f"http://{host}:{port}", "TRACKER_STORE_URL": f"s3://{bucket}/store"}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    from tracker.store import remote

    remote.filesystem().mkdir(bucket)
    yield env
    server.stop()


def run_reader(env: dict, data_dir: Path) -> dict:
    replica_env = {**os.environ, **env, "TRACKER_DATA_DIR": str(data_dir), "TRACKER_PUBLISH": "0"}
    result = subprocess.run([sys.executable, "-c", READER, made.LUMEN, made.ATLAS_ENTRY], cwd=PROJECT,
                            capture_output=True, text=True, env=replica_env, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_publisher_builds_and_publishes_and_two_replicas_read_the_same_store(s3, tmp_path, monkeypatch):
    from tracker.config import data_paths
    from tracker.editing import saves
    from tracker.store import build, remote

    publisher = data_paths(tmp_path / "publisher")
    made.write_inputs(publisher.root)
    monkeypatch.setenv("TRACKER_PUBLISH", "1")
    status = build.refresh_store(publisher)
    location, manifest = remote.current_build(s3["TRACKER_STORE_URL"])
    assert manifest.build_id == status.manifest.build_id
    assert location.endswith(manifest.build_id)

    # Replicas have no inputs and no local store: everything comes from the bucket.
    first = run_reader(s3, tmp_path / "replica-1")
    second = run_reader(s3, tmp_path / "replica-2")
    assert first == second
    assert first["build"] == location
    assert (first["entries"], first["company"]) == (made.ENTRIES, len(made.LUMEN_ENTRIES))
    assert first["entry"] == [made.LUMEN_NAME, 1, ["added"]]
    assert set(made.LUMEN_ENTRIES) - {made.ATLAS_ENTRY} <= set(first["related"])
    assert not (tmp_path / "replica-1" / "store").exists()

    # An editor's save on the publisher reaches the replicas as a new build.
    rows = saves.read_rows(publisher, "entities")
    rows[0] = {**rows[0], "destination": "Atlantis"}
    from tracker.inputs.files import rows_to_csv
    from tracker.schema import ENTITIES

    saves.save_input(publisher, "entities", rows_to_csv(ENTITIES, rows), "test")
    build.refresh_store(publisher)
    after = run_reader(s3, tmp_path / "replica-1")
    assert after["build"] != first["build"]
    new_location, new_manifest = remote.current_build(s3["TRACKER_STORE_URL"])
    assert after["build"] == new_location
    assert (after["entries"], after["company"]) == (made.ENTRIES, len(made.LUMEN_ENTRIES))


def test_a_replica_with_nothing_published_has_no_store(s3, tmp_path):
    from tracker.config import data_paths
    from tracker.store import build

    status = build.refresh_store(data_paths(tmp_path))
    assert status.build_dir is None and status.manifest is None


def test_a_replica_does_not_query_a_build_laid_out_by_another_version(s3, tmp_path, monkeypatch):
    # Replicas upgraded before the publisher: the bucket's build lacks what this code asks for.
    from tracker.config import data_paths
    from tracker.store import build, remote

    publisher = data_paths(tmp_path / "publisher")
    made.write_inputs(publisher.root)
    monkeypatch.setenv("TRACKER_PUBLISH", "1")
    build.refresh_store(publisher)
    location, manifest = remote.current_build(s3["TRACKER_STORE_URL"])
    fs = remote.filesystem()
    manifest_key = remote._path(location) + "/manifest.json"
    fs.pipe_file(manifest_key, json.dumps({**manifest.to_json(), "store_format": "older"}).encode())

    monkeypatch.setenv("TRACKER_PUBLISH", "0")
    status = build.refresh_store(data_paths(tmp_path / "replica"))
    assert status.build_dir is None and status.build_error == build.OTHER_LAYOUT

    fs.pipe_file(manifest_key, json.dumps(manifest.to_json()).encode())  # this version's layout again: read
    status = build.refresh_store(data_paths(tmp_path / "replica"))
    assert status.build_dir == location and status.build_error is None


def test_store_url_must_be_s3(monkeypatch):
    from tracker.store import remote

    monkeypatch.setenv("TRACKER_STORE_URL", "/some/folder")
    with pytest.raises(ValueError, match="must start with s3://"):
        remote.store_url()
