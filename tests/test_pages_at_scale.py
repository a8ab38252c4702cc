"""Pages on a generated data set bigger than the shipped one: long lists are cut to what a
reader can take in, and say how much there is."""

from __future__ import annotations

import csv
import json
import os
from collections import Counter
from pathlib import Path

import pytest
from page_helpers import run_page

from tracker.bench.generate import generate
from tracker.store import layout

NOTES_SHOWN = 200  # app_pages/responses.py
MATRIX_COMPANIES = 40


@pytest.fixture(scope="module", autouse=True)
def generated(tmp_path_factory):
    root = tmp_path_factory.mktemp("scaled")
    generate(root, 50_000, seed=5)
    previous = os.environ.get("TRACKER_DATA_DIR")
    os.environ["TRACKER_DATA_DIR"] = str(root)
    yield root / "inputs"
    if previous is None:
        os.environ.pop("TRACKER_DATA_DIR", None)
    else:
        os.environ["TRACKER_DATA_DIR"] = previous


def rows(inputs: Path, name: str) -> list[dict[str, str]]:
    with open(inputs / f"{name}.csv", encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_responses_page_writes_the_first_notes_and_says_how_many_there_are(generated):
    total = len(rows(generated, "responses"))
    assert total > NOTES_SHOWN
    app = run_page("responses", timeout=180)
    assert not app.exception and not app.error
    assert f"{total} notes" in [s.value for s in app.header]
    assert any(f"first {NOTES_SHOWN} of {total:,} notes" in c.value for c in app.caption)
    assert sum("Source:" in m.value for m in app.markdown) == NOTES_SHOWN


def test_company_page_lists_the_closest_related_companies_and_the_total(generated):
    owners = Counter(e["company_id"] for e in rows(generated, "entities") if e["company_id"])
    biggest = min(owners, key=lambda c: (-owners[c], c))
    app = run_page("company", timeout=180, company=biggest)
    assert not app.exception and not app.error
    heading = next(s.value for s in app.header if s.value.startswith("Related companies ("))
    total = int(heading.removeprefix("Related companies (").rstrip(")").replace(",", ""))
    assert total > layout.RELATED_SHOWN
    shown = f"The {layout.RELATED_SHOWN} most closely related of {total:,}"
    assert any(shown in c.value for c in app.caption)
    links = [m.value for m in app.markdown if m.value.startswith("- [") and "company?company=" in m.value]
    assert len(links) == layout.RELATED_SHOWN


def test_response_matrix_draws_the_busiest_companies_and_says_how_many_there_are(generated):
    notes = Counter(r["company_id"] for r in rows(generated, "responses"))
    assert len(notes) > MATRIX_COMPANIES
    app = run_page("responses", timeout=180)
    assert not app.exception and not app.error
    figure = json.loads(app.get("plotly_chart")[0].proto.spec)
    names = {c["company_id"]: c["name"] for c in rows(generated, "companies")}
    drawn = set(figure["data"][0]["y"])
    assert len(drawn) == MATRIX_COMPANIES
    # No company left out has more notes than one drawn.
    fewest_drawn = min(n for c, n in notes.items() if names[c] in drawn)
    assert all(n <= fewest_drawn for c, n in notes.items() if names[c] not in drawn)
    assert any(f"The {MATRIX_COMPANIES} companies with the most notes, of {len(notes):,}" in c.value
               for c in app.caption)


def test_entry_page_shows_every_action_of_the_entry_with_the_most(generated):
    events = Counter(e["entity_id"] for e in rows(generated, "events"))
    busiest = min(events, key=lambda e: (-events[e], e))
    app = run_page("entry", timeout=180, id=busiest)
    assert not app.exception and not app.error
    assert f"Federal Register actions ({events[busiest]})" in [s.value for s in app.header]
    timeline = next(t.value for t in app.dataframe if "rule_page" in t.value.columns)
    assert len(timeline) == events[busiest]
