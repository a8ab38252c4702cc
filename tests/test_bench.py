"""The synthetic data generator and the benchmark, at a small scale (no timing is asserted).

Generated folders must pass the project's own validator, say on every row that they are
synthetic, never land in the project's data folder, and be the same for the same seed. The
benchmark must run end to end from the command line and write its JSON in the agreed shape.
"""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from collections import Counter
from datetime import date
from pathlib import Path

import factory as made
import pandas as pd
import pytest

from tracker import schema
from tracker.bench import benchmark
from tracker.bench.generate import check_destination, generate, source_label
from tracker.config import PROJECT_DIR
from tracker.filters import Filters
from tracker.inputs.validate import validate_dir
from tracker.store import connection, queries

SCALE = 2000
NOT_COMPARED = {q.name for q in benchmark.QUESTIONS if not q.compare}


def rows(folder: Path, name: str) -> list[dict[str, str]]:
    with open(folder / "inputs" / f"{name}.csv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("generated")
    generate(folder, SCALE, seed=7)
    return folder


def test_generated_data_passes_the_projects_own_validator(generated):
    result = validate_dir(generated / "inputs")
    assert result.ok, [str(p) for p in result.errors[:5]]
    assert len(rows(generated, "entities")) == SCALE
    events = Counter(e["entity_id"] for e in rows(generated, "events"))
    assert set(events.values()) <= {1, 2, 3} and len(events) == SCALE


def test_every_generated_row_says_it_is_synthetic(generated):
    label = source_label(7)
    marked = {"entities": "source", "events": "note", "rules": "counts_source", "companies": "description",
              "responses": "source_name", "moments": "source_name"}
    for name, column in marked.items():
        table = rows(generated, name)
        assert table and all(label in row[column] for row in table), name
    links = [row[c] for t in schema.TABLES for row in rows(generated, t.name) for c in t.column_names
             if schema.TABLES_BY_NAME[t.name].column(c).type == schema.URL and row[c]]
    assert links and all(link.startswith("https://example.invalid/") for link in links)


def test_generated_data_looks_like_the_shipped_list(generated):
    shipped = Counter(e["destination"] for e in rows(PROJECT_DIR / "data", "entities"))
    ours = Counter(e["destination"] for e in rows(generated, "entities"))
    assert [d for d, _ in ours.most_common(2)] == [d for d, _ in shipped.most_common(2)]
    years = {int(e["year"]) for e in rows(generated, "events")}
    assert min(years) >= 1997 and max(years) <= 2026
    dates = Counter(e["date"] for e in rows(generated, "events") if e["action"] == "added" and e["date"])
    assert dates.most_common(1)[0][1] >= 20, "listings come in bursts on rule dates"
    entities = rows(generated, "entities")
    assert any(e["local_name"] for e in entities if e["destination"] == "China")
    assert max(len(e["aliases"].split(schema.LIST_SEPARATOR)) for e in entities) >= 8


def test_generate_gives_the_same_files_for_the_same_seed(generated, tmp_path):
    generate(tmp_path / "again", SCALE, seed=7)
    generate(tmp_path / "other", SCALE, seed=8)
    for table in schema.TABLES:
        same = (tmp_path / "again" / "inputs" / table.filename).read_bytes()
        assert same == (generated / "inputs" / table.filename).read_bytes(), table.name
    assert (tmp_path / "other" / "inputs" / "entities.csv").read_bytes() != \
        (generated / "inputs" / "entities.csv").read_bytes()


def test_generate_refuses_the_projects_data_folder_and_folders_of_real_inputs(tmp_path):
    with pytest.raises(ValueError, match="data folder"):
        check_destination(PROJECT_DIR / "data")
    real = tmp_path / "real"
    (real / "inputs").mkdir(parents=True)
    (real / "inputs" / "entities.csv").write_text("entity_id\n")
    with pytest.raises(ValueError, match="not generated"):
        generate(real, 10)
    assert (real / "inputs" / "entities.csv").read_text() == "entity_id\n"


def test_the_benchmark_runs_end_to_end_and_writes_its_json(tmp_path):
    out, work = tmp_path / "bench.json", tmp_path / "work"
    done = subprocess.run([sys.executable, "-m", "tracker", "bench", "--scale", str(SCALE), "--repeat", "2",
                           "--budget", "1", "--json", str(out), "--work", str(work)],
                          cwd=PROJECT_DIR, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "| question |" in done.stdout and "baseline/ours" in done.stdout
    results = json.loads(out.read_text())
    scale = results["scales"][str(SCALE)]
    for key in ("build_s", "store_mb", "peak_rss_mb"):
        assert isinstance(scale[key], int | float) and scale[key] > 0, key
    assert set(scale["queries"]) == {q.name for q in benchmark.QUESTIONS}
    # near spellings: the baseline does not attempt them; relations: the baseline derives fewer kinds
    # (no stems, no legal forms removed) and draws no caps
    assert NOT_COMPARED == {"explorer_typo", "entry_related", "entry_network_2_hops", "company_network",
                            "company_network_2_hops"}
    for name, query in scale["queries"].items():
        for key in ("median_ms", "p95_ms", "baseline_median_ms", "floor_median_ms"):
            assert isinstance(query[key], int | float) and query[key] >= 0, (name, key)
        # Every question the baseline answers the same way must agree; the others say they were not compared.
        assert query["agrees"] is (None if name in NOT_COMPARED else True), (name, query["agrees"])
    assert set(scale["pages"]) == {"overview", "explorer", "company", "rules", "responses", "about", "entry"}
    for name, page in scale["pages"].items():
        assert page["median_ms"] > 0 and not page.get("exceptions"), name
    screening = scale["screening"]  # the generated data has no screening list: the Entity List only
    assert screening["names"] == 1000 and set(screening["runs"]) == {"EL"}
    run = screening["runs"]["EL"]
    assert 0 < run["entries"] <= SCALE  # today's list: the removed entries are left out
    assert run["names_per_s"] > 0 and sum(run["verdicts"].values()) == 1000
    assert run["baseline"]["sampled"] >= 1 and run["baseline"]["extrapolated_s"] > 0
    assert "Screening 1,000 names" in done.stdout
    assert not list(work.iterdir()), "the generated data is deleted after the run"


def test_the_validators_quick_reading_of_a_large_file_agrees_with_its_thorough_reading(tmp_path):
    """Past a chunk of rows the validator keeps cells as Arrow and hashes rows in bulk; what it
    reads, and every problem it finds, must be what the row-by-row reading gives."""
    from tracker.inputs import validate

    generate(tmp_path, validate.QUICK_CHUNK + 3000, seed=3)
    table = schema.ENTITIES
    data = (tmp_path / "inputs" / table.filename).read_bytes()
    quick, quick_problems = validate._parse_path(table, tmp_path / "inputs" / table.filename)
    thorough, thorough_problems = validate._parse(table, data, quick=False)
    assert quick_problems == thorough_problems == []
    assert quick._columns is not None, "the quick reading was used"
    assert quick.lines == thorough.lines and quick.rows == thorough.rows

    lines = data.split(b"\n")
    broken = lines[:]
    broken[validate.QUICK_CHUNK + 10] = lines[validate.QUICK_CHUNK + 9]  # an exact duplicate row
    broken.insert(validate.QUICK_CHUNK + 500, b" , ,")  # a row of blank cells, skipped
    broken[validate.QUICK_CHUNK + 900] = broken[validate.QUICK_CHUNK + 900].replace(b"EL-", b"XX-", 1)
    broken = b"\n".join(broken)
    assert validate.parse_table(table, broken)[1] == validate._parse(table, broken, quick=False)[1]
    assert len(validate.parse_table(table, broken)[1]) >= 2


def reference_frame(db, sql: str, params: list | None = None) -> pd.DataFrame:
    """A result as DuckDB's own `.df()` gives it, text made object-with-None (the store's contract)."""
    frame = db.execute(sql, params or []).df()
    for column in frame.columns:
        if pd.api.types.is_string_dtype(frame[column]) or frame[column].dtype == object:
            frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
    return frame


def every_question(db, company: str, rule: str, search: str) -> None:
    """Every store function the pages call, with filters of every kind."""
    this_year = date.today().year
    filter_sets = [Filters(), Filters(destinations=("China", "Russia")), Filters(sectors=("Semiconductors",)),
                   Filters(license_scopes=("all items",)), Filters(company=company),
                   Filters(date_from=date(2015, 1, 1), date_to=date(2024, 12, 31)),
                   Filters(actions=("revised", "removed")), Filters(query=search),
                   Filters(query=search[:2] + search[3:]), Filters(query="!!"),
                   Filters(query=search, destinations=("China",), date_from=date(2010, 1, 1))]
    for filters in filter_sets:
        queries.listings_over_time(db, filters, "quarter", "destination")
        queries.listings_over_time(db, filters, "year", "none")
        queries.top_destinations(db, filters, 10)
        queries.entries(db, filters, 50)
        queries.entries(db, filters)
        queries.count_entries(db, filters)
        queries.undated_listings(db, filters)
    queries.headline(db, this_year)
    queries.company(db, company)
    queries.related_companies(db, company)
    queries.companies(db)
    queries.destinations(db)
    queries.rules(db)
    queries.rule_entries(db, rule)
    queries.listing_dates_reconciliation(db)
    queries.responses(db, ("observed",), company, None)
    queries.responses(db)
    queries.response_matrix(db, ("observed", "announced"))
    queries.moments(db)
    queries.newest_rules(db, 6)


@pytest.mark.parametrize("data", ["made", "generated"])
def test_store_frames_are_the_ones_duckdb_gives(data, generated, tmp_path, monkeypatch):
    """The store builds its frames from Arrow for speed; each must equal DuckDB's own `.df()`,
    column types (nullable integers, dates, text as object with None) included."""
    from tracker.config import data_paths
    from tracker.store import build

    if data == "made":
        made.write_inputs(tmp_path)
    else:
        shutil.copytree(generated / "inputs", tmp_path / "inputs")
    opened = connection.Store(build.build_store(data_paths(tmp_path)).path)
    db = opened.cursor()
    real, compared = connection._frame, []

    def checked(cursor, sql, params=None):
        ours, expected = real(cursor, sql, params), reference_frame(cursor, sql, params)
        pd.testing.assert_frame_equal(ours, expected, check_dtype=True)
        for column in ours.columns:
            assert list(ours[column].map(type)) == list(expected[column].map(type)), column
        compared.append(sql)
        return ours

    monkeypatch.setattr(queries, "_frame", checked)
    profiles = queries.companies(db).sort_values("entries", ascending=False)
    rule = queries.rules(db).sort_values("entries_citing", ascending=False).iloc[0]["rule_id"]
    every_question(db, profiles.iloc[0]["company_id"], rule, "lumen" if data == "made" else "zhongke")
    assert len(compared) > 50
    db.close()
    opened.close()
