"""A published store in an S3-compatible bucket, shared by several app replicas.

Layout under TRACKER_STORE_URL (e.g. s3://bucket/entity-list):

    builds/<build id>/*.parquet + manifest.json   written first, never changed
    current                                       the id of the published build, written last

Writing `current` is a single object PUT, so a reader sees the old build or the new one, never
a mixture. One process publishes (TRACKER_PUBLISH=1: the editors' instance, or CI); replicas
only read. DuckDB reads the Parquet files through fsspec (s3fs): nothing is downloaded at run time.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from tracker.store.manifest import MANIFEST_FILE, Manifest

STORE_URL_ENV = "TRACKER_STORE_URL"
ENDPOINT_ENV = "TRACKER_S3_ENDPOINT"  # for S3-compatible servers (MinIO, Ceph, a local test server)
PUBLISH_ENV = "TRACKER_PUBLISH"


def store_url() -> str | None:
    """The bucket location of the shared store, or None when the store is a local folder."""
    url = os.environ.get(STORE_URL_ENV, "").strip().rstrip("/")
    if not url:
        return None
    if not url.startswith("s3://"):
        raise ValueError(f"{STORE_URL_ENV} must start with s3:// (got '{url}'); leave it unset for a "
                         "local store")
    return url


def publishes() -> bool:
    """Whether this process publishes builds to the shared store (only one should)."""
    return os.environ.get(PUBLISH_ENV, "").strip().lower() in ("1", "true", "yes")


def filesystem():
    """An s3fs filesystem; credentials come from the usual AWS variables or instance role."""
    import s3fs

    endpoint = os.environ.get(ENDPOINT_ENV)
    return s3fs.S3FileSystem(client_kwargs={"endpoint_url": endpoint} if endpoint else None)


def _path(url: str) -> str:
    return url.removeprefix("s3://")


def current_build(url: str, fs=None) -> tuple[str, Manifest] | None:
    """(build location, manifest) of the published build, or None when nothing is published."""
    fs = fs or filesystem()
    root = _path(url)
    if not fs.exists(f"{root}/current"):
        return None
    build_id = fs.cat_file(f"{root}/current").decode("utf-8").strip()
    manifest = Manifest.from_json(json.loads(fs.cat_file(f"{root}/builds/{build_id}/{MANIFEST_FILE}")))
    return f"{url}/builds/{build_id}", manifest


def publish(build_dir: Path, url: str, fs=None) -> str:
    """Upload a finished local build, then point `current` at it; returns its location."""
    fs = fs or filesystem()
    root = _path(url)
    build_id = build_dir.name
    files = sorted(p for p in build_dir.iterdir() if p.is_file())
    # The manifest goes last among the build's files: a build folder with a manifest is complete.
    files.sort(key=lambda p: p.name == MANIFEST_FILE)
    for file in files:
        fs.put_file(str(file), f"{root}/builds/{build_id}/{file.name}")
    fs.pipe_file(f"{root}/current", build_id.encode("utf-8"))
    return f"{url}/builds/{build_id}"
