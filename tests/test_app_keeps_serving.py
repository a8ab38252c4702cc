"""The running app with broken inputs or a damaged store: a clear message, never a traceback.

A data folder is built from good inputs, then broken the way it happens in practice: an
editor saves a bad CSV (the app keeps serving the last good store and says so), or a store
file is deleted or cut short under the running app (it is rebuilt and the reader is told).
The data is the test factory's (tests/factory.py); every page is run through app.py.
"""

from __future__ import annotations

import csv
from pathlib import Path

import factory as made
import pytest
from page_helpers import footer, run_page, text_of

from tracker.config import DataPaths
from tracker.store import build

PAGES = ("overview", "explorer", "company", "rules", "responses", "story", "editor", "about")


@pytest.fixture()
def good_store(tmp_path, monkeypatch) -> DataPaths:
    """A data folder of our own, the app pointed at it, its store built from the factory's inputs."""
    made.write_inputs(tmp_path)
    monkeypatch.setenv("TRACKER_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("TRACKER_STORE_URL", raising=False)
    paths = DataPaths(tmp_path)
    build.build_store(paths)
    return paths


def entity_count(paths: DataPaths) -> int:
    with open(paths.inputs / "entities.csv", encoding="utf-8") as handle:
        return sum(1 for _ in csv.DictReader(handle))


def break_events(paths: DataPaths) -> None:
    """An editor's bad save: an event dated 30 February, appended to events.csv."""
    with open(paths.inputs / "events.csv", "a", encoding="utf-8") as handle:
        entry = made.LUMEN_ENTRIES[0]
        handle.write(f"{entry}-9,{entry},revised,2025-02-30,2025,{made.LUMEN_CITATION},,editor,,,\n")


@pytest.mark.parametrize("page", PAGES)
def test_a_broken_input_shows_a_warning_and_every_page_serves_the_last_good_store(good_store, page):
    good = build.read_manifest(good_store)
    entries = entity_count(good_store)
    break_events(good_store)

    app = run_page(page)

    assert not app.exception, app.exception
    assert not app.error
    [warning] = [w.value for w in app.warning]  # said once, not once per question the page asks
    assert "1 problem(s)" in warning and "last good data" in warning
    assert f"Newest rule recorded: {good.data_as_of}" in text_of(app)
    assert footer(app) and f"newest rule {made.NEWEST_RULE_DAY}" in footer(app)
    assert build.read_manifest(good_store) == good  # nothing was rebuilt from the bad input
    if page == "overview":
        metrics = {m.label: m.value for m in app.metric}
        assert metrics["Entries on the list"] == f"{entries:,}" == f"{made.ENTRIES:,}"


def test_a_broken_input_with_no_earlier_store_stops_with_the_problems(tmp_path, monkeypatch):
    made.write_inputs(tmp_path)
    monkeypatch.setenv("TRACKER_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("TRACKER_STORE_URL", raising=False)
    break_events(DataPaths(tmp_path))

    app = run_page("overview")

    assert not app.exception
    assert any("no earlier build" in e.value for e in app.error)
    problems = app.dataframe[0].value
    assert list(problems[["file", "column name"]].itertuples(index=False, name=None)) == [
        ("events.csv", "date")]


def truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 3])


@pytest.mark.parametrize("damage", ["deleted", "truncated"])
def test_a_store_file_damaged_under_the_running_app_is_rebuilt_with_a_message(good_store, damage):
    entries = entity_count(good_store)
    first = run_page("explorer")  # the app is running: store open, answers cached
    assert not first.exception and f"{entries:,} entries" in text_of(first)
    damaged = build.current_build(good_store)
    target = damaged / "entities.parquet"
    target.unlink() if damage == "deleted" else truncate(target)

    # A question the app has not answered before goes to the damaged file.
    app = run_page("explorer", dest=made.IRAN)

    assert not app.exception, app.exception
    assert any("rebuilt" in w.value for w in app.warning), [w.value for w in app.warning]
    rebuilt = build.current_build(good_store)
    assert rebuilt != damaged and (rebuilt / "entities.parquet").exists()
    with open(good_store.inputs / "entities.csv", encoding="utf-8") as handle:
        iran = sum(1 for row in csv.DictReader(handle) if row["destination"] == made.IRAN)
    assert iran == made.DESTINATION_COUNTS[made.IRAN]
    assert f"{iran:,} entries" in text_of(app)


@pytest.mark.parametrize("damage", ["deleted", "truncated"])
@pytest.mark.parametrize("table", ["entry_lookup", "entry_events"])
def test_an_entry_file_damaged_under_the_running_app_is_rebuilt_with_a_message(good_store, damage, table):
    """The entry page reads these files itself (tracker.store.sorted_files), its footers kept from the
    first question: a damaged one is told and rebuilt as a damaged DuckDB read is."""
    first = run_page("entry", id=made.LUMEN_ENTRIES[0])
    assert not first.exception and made.LUMEN_NAME in text_of(first)
    damaged = build.current_build(good_store)
    target = damaged / f"{table}.parquet"
    target.unlink() if damage == "deleted" else truncate(target)

    app = run_page("entry", id=made.LUMEN_ENTRIES[1])

    assert not app.exception, app.exception
    assert any("rebuilt" in w.value for w in app.warning), [w.value for w in app.warning]
    assert build.current_build(good_store) != damaged
    assert made.LUMEN_NAME in text_of(app) and made.LUMEN_ENTRIES[1] in text_of(app)


def test_a_download_asked_after_the_store_was_damaged_is_answered_from_the_rebuilt_store(good_store):
    """A download is answered when clicked (questions.later), maybe long after its page ran."""
    from tracker.filters import Filters
    from tracker.ui import questions

    download = questions.later(questions.entries, Filters(), None)
    damaged = build.current_build(good_store)
    (damaged / "entities.parquet").unlink()

    rows = download()

    assert build.current_build(good_store) != damaged
    assert len(rows) == made.ENTRIES


def test_a_damaged_store_is_found_by_the_periodic_check_and_rebuilt(good_store):
    damaged = build.current_build(good_store)
    truncate(damaged / "events.parquet")
    assert build.is_stale(good_store)

    status = build.refresh_store(good_store)

    assert status.build_dir != damaged and not build.is_stale(good_store)
    assert status.manifest.rows == {name: len(rows) for name, rows in made.rows().items()}


def test_a_cut_short_manifest_counts_as_no_store_and_is_rebuilt(good_store):
    damaged = build.current_build(good_store)
    truncate(damaged / "manifest.json")
    assert build.read_manifest(good_store) is None and build.is_stale(good_store)

    app = run_page("overview")

    assert not app.exception and not app.error
    assert build.current_build(good_store) != damaged


def test_a_damaged_store_with_broken_inputs_falls_back_to_the_last_intact_build(good_store):
    intact = build.current_build(good_store)
    (good_store.inputs / "moments.csv").write_bytes((good_store.inputs / "moments.csv").read_bytes())
    build.build_store(good_store)  # a second, newer build, which is then damaged
    damaged = build.current_build(good_store)
    (damaged / "rules.parquet").unlink()
    break_events(good_store)

    app = run_page("rules")

    assert not app.exception and not app.error
    assert any("last good data" in w.value for w in app.warning)
    assert build.current_build(good_store) == intact
