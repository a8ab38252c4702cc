"""A real server whose input is broken, or whose store is damaged while it runs: a clear message
in the page, the last good (or a rebuilt) store behind it, never a traceback. The data is the
test factory's (tests/factory.py)."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import pytest
from browser_helpers import screenshot, start_server, stop_server, wait_for_app

from tracker.config import DataPaths
from tracker.store import build

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import factory as made  # noqa: E402 - tests/ is not a package

pytestmark = pytest.mark.browser
ENTRY = made.LUMEN_ENTRIES[0]
BAD_EVENT = f"{ENTRY}-9,{ENTRY},revised,2025-02-30,2025,{made.LUMEN_CITATION},,editor,\n"


@pytest.fixture()
def built(tmp_path) -> DataPaths:
    """A data folder whose store was built from the factory's inputs."""
    paths = made.write_inputs(tmp_path)
    build.build_store(paths)
    return paths


def entries_where(paths: DataPaths, **match: str) -> int:
    with open(paths.inputs / "entities.csv", encoding="utf-8") as handle:
        return sum(1 for row in csv.DictReader(handle) if all(row[k] == v for k, v in match.items()))


def alerts(page, kind: str) -> list[str]:
    return page.locator(f'[data-testid="stAlertContent{kind}"]').all_inner_texts()


def test_a_broken_input_shows_one_warning_and_the_last_good_data(built, page):
    good = build.read_manifest(built)
    with open(built.inputs / "events.csv", "a", encoding="utf-8") as handle:
        handle.write(BAD_EVENT)
    process, url, _ = start_server(built.root)
    try:
        page.goto(url + "/")
        wait_for_app(page)
        [warning] = alerts(page, "Warning")
        assert "1 problem(s)" in warning and "last good data" in warning
        assert page.locator('[data-testid="stException"]').count() == 0
        main = page.locator('[data-testid="stMain"]').inner_text()
        assert f"Newest rule recorded: {good.data_as_of}" in main
        assert entries_where(built) == made.ENTRIES
        assert page.locator('[data-testid="stMetricValue"]').first.inner_text() == f"{made.ENTRIES:,}"
        screenshot(page, "broken-input-warning")
    finally:
        stop_server(process)
    assert build.read_manifest(built) == good


def test_a_store_file_cut_short_under_the_running_server_is_rebuilt(built, page):
    process, url, _ = start_server(built.root)
    try:
        page.goto(url + "/explorer")
        wait_for_app(page)
        damaged = build.current_build(built)
        entities = damaged / "entities.parquet"
        entities.write_bytes(entities.read_bytes()[:1000])

        page.goto(url + f"/explorer?dest={made.IRAN}")  # a question the server has not answered yet
        wait_for_app(page)

        assert page.locator('[data-testid="stException"]').count() == 0
        assert any("rebuilt" in w for w in alerts(page, "Warning"))
        iran = entries_where(built, destination=made.IRAN)
        assert iran == made.DESTINATION_COUNTS[made.IRAN]
        assert f"{iran:,} entries" in page.locator('[data-testid="stMain"]').inner_text()
        assert build.current_build(built) != damaged
    finally:
        stop_server(process)
