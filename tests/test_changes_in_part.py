"""The Changes page when a diff is larger than it reads with text: the counts and the CSV have every
difference, the tables the first entries by number (through app.py, on the factory's data)."""

from __future__ import annotations

import io

import factory
import pandas as pd
from page_helpers import run_page, text_of

from tracker.present import changes


def test_a_diff_shown_in_part_says_so_and_its_csv_has_all(made_app, monkeypatch) -> None:
    monkeypatch.setattr(changes, "SHOWN_ROWS", 1)
    monkeypatch.setattr(changes, "SHOWN_WHOLE", 0)
    app = run_page("changes", **{"from": "2024-01-01", "to": "2024-06-01"})
    assert not app.exception and not app.error
    assert [m.value for m in app.metric][:4] == ["1", "1", "1", "1"]
    text = text_of(app)
    assert "The tables below show the first 1 of the 4 entries that differ, by entry number" in text
    assert text.count("1 more; the CSV has all.") == 1  # one of added/removed is shown, the other not
    assert "Added (1)" in text and "Removed (1)" in text  # counted whole, not from the rows shown
    assert len(app.get("download_button")) == 1


def test_the_whole_csv_of_a_diff_shown_in_part(made_db) -> None:
    from tracker.present.export import csv_bytes
    from tracker.store import history

    part = history.version_diff(made_db, factory.OLD_VERSION, factory.NEW_VERSION, shown=1)
    whole = history.version_diff(made_db, factory.OLD_VERSION, factory.NEW_VERSION)
    assert not part.complete and whole.complete
    rows = pd.read_csv(io.BytesIO(csv_bytes(changes.export_rows(whole.entries, whole.fields))), dtype=str)
    assert sorted(rows["kind"]) == ["Added", "Changed", "Format only", "Removed"]
    assert len(whole.entries) == sum(part.counts.values())
