"""Shared fixtures of the data layer: the shipped inputs, a private copy of them, a built store.

Page tests (AppTest, browser) add their own fixtures; nothing here knows about Streamlit.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import factory
import pytest

from tracker.config import PROJECT_DIR, DataPaths, data_paths
from tracker.store import build, connection


@pytest.fixture(scope="session")
def shipped_inputs() -> Path:
    """The committed CSV inputs, `data/inputs/` (read-only: copy before changing anything)."""
    return PROJECT_DIR / "data" / "inputs"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The shared source files the inputs are imported from (read-only)."""
    return PROJECT_DIR.parent / "shared" / "data"


@pytest.fixture
def data_copy(tmp_path: Path, shipped_inputs: Path) -> DataPaths:
    """A data folder of the test's own: `<tmp>/inputs` copied from the shipped inputs, no store yet."""
    shutil.copytree(shipped_inputs, tmp_path / "inputs")
    return data_paths(tmp_path)


@pytest.fixture(scope="session")
def built_store(tmp_path_factory: pytest.TempPathFactory, shipped_inputs: Path) -> Iterator[connection.Store]:
    """A store built once per session from a copy of the shipped inputs.

    Opened as its own `Store`, not through `connection.open_store`: that keeps one store per
    process and closes the oldest of the few it keeps open, so tests opening builds would close ours.
    """
    root = tmp_path_factory.mktemp("built_store")
    shutil.copytree(shipped_inputs, root / "inputs")
    yield from _store_of(data_paths(root))


@pytest.fixture
def db(built_store: connection.Store):
    """A cursor of the session's built store, for one test."""
    yield from _cursor_of(built_store)


def _store_of(paths: DataPaths) -> Iterator[connection.Store]:
    """Build a data folder's store and open it as its own Store (see built_store), closed after."""
    opened = connection.Store(build.build_store(paths).path)
    yield opened
    opened.close()


def _cursor_of(store: connection.Store):
    cursor = store.cursor()
    yield cursor
    cursor.close()


# --- The test factory's data (tests/factory.py): what the library and page tests read ---


@pytest.fixture
def made_data(tmp_path: Path) -> DataPaths:
    """A data folder of the test's own: `<tmp>/inputs` written by tests/factory.py, no store yet."""
    return factory.write_inputs(tmp_path)


@pytest.fixture(scope="session")
def made_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[connection.Store]:
    """A store built once per session from the factory's inputs (opened as its own Store, as above)."""
    yield from _store_of(factory.write_inputs(tmp_path_factory.mktemp("made_store")))


@pytest.fixture
def made_db(made_store: connection.Store):
    """A cursor of the session's store of the factory's data, for one test."""
    yield from _cursor_of(made_store)


@pytest.fixture(scope="module")
def made_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DataPaths]:
    """The factory's data with its store built, and the app (TRACKER_DATA_DIR) reading it, for one module."""
    paths = factory.write_inputs(tmp_path_factory.mktemp("made_app"))
    build.build_store(paths)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TRACKER_DATA_DIR", str(paths.root))
        patch.delenv("TRACKER_STORE_URL", raising=False)
        yield paths


@pytest.fixture(scope="module")
def shipped_app(tmp_path_factory, shipped_inputs):
    """A copy of the shipped inputs with its store built, the app (AppTest) reading it, per module."""
    root = tmp_path_factory.mktemp("shipped_app")
    shutil.copytree(shipped_inputs, root / "inputs")
    build.build_store(data_paths(root))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TRACKER_DATA_DIR", str(root))
        patch.delenv("TRACKER_STORE_URL", raising=False)
        yield root
