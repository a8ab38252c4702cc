"""Smoke suite of the SHIPPED data (data/inputs/, the real Entity List): the one test file that
reads the committed CSVs and states facts of them.

Every other library and page test reads the test factory's data (tests/factory.py), so an
editor's correction of the shipped CSVs cannot break them. A correction that changes a fact
below (a count, an entry of Zhipu AI) is expected to change this file with it: the facts are
the constants at the top.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from collections import Counter

import pytest
from page_helpers import run_page, table_with, text_of

from tracker import schema
from tracker.config import PROJECT_DIR
from tracker.filters import Filters
from tracker.inputs.diff import diff_csv_bytes
from tracker.store import queries

ENTRIES = 3411  # on today's list (v2: the eCFR text of 2026-07-23)
REMOVED = 4  # removed entries kept, ids minted once (EL-3412..EL-3415)
DESTINATIONS = 91
TOP_DESTINATIONS = [("China", 1106), ("Russia", 1083)]
ZHIPU = "zhipu-ai"
ZHIPU_NAME = "Beijing Zhipu Huazhang Technology Co., Ltd."
ZHIPU_ENTRIES = ["EL-0306", "EL-0307", "EL-0308", "EL-0309", "EL-0589", "EL-0963", "EL-1013"]
ZHIPU_DAY, ZHIPU_CITATION, ZHIPU_RULE = "2025-01-16", "90 FR 4619", "2025-00704"
ZHIPU_RESPONSES = 21
RECONCILED = "On 40 of 55 rule dates"
TWO_RULE_MOMENT = ("m-15", "90 FR 4617; 90 FR 4621")


def test_the_shipped_inputs_validate_without_warnings(shipped_inputs) -> None:
    env = {k: v for k, v in os.environ.items() if k != "TRACKER_DATA_DIR"}
    result = subprocess.run([sys.executable, "-m", "tracker", "validate", str(shipped_inputs.parent)],
                            cwd=PROJECT_DIR, capture_output=True, encoding="utf-8", env=env, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"all {len(schema.TABLES)} inputs are valid" in result.stdout
    assert " error: " not in result.stderr and " warning: " not in result.stderr


def test_the_shipped_list_counts(db, shipped_inputs) -> None:
    figures = queries.headline(db, 2025)
    assert (figures["entries"], figures["destinations"]) == (ENTRIES, DESTINATIONS)
    top = queries.top_destinations(db, Filters(), 2)
    assert list(top.itertuples(index=False, name=None)) == TOP_DESTINATIONS
    with open(shipped_inputs / "entities.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    destinations = Counter(row["destination"] for row in rows if row["status"] != "removed")
    assert (sum(destinations.values()), len(destinations)) == (ENTRIES, DESTINATIONS)
    assert sum(row["status"] == "removed" for row in rows) == REMOVED


def test_zhipu_ai_and_its_six_affiliates_were_listed_on_16_january_2025(db) -> None:
    data = queries.company(db, ZHIPU)
    assert data.profile["name"] == ZHIPU_NAME
    assert list(data.entries["entity_id"]) == ZHIPU_ENTRIES
    assert set(data.entries["fr_citations"]) == {ZHIPU_CITATION}
    assert {(row.action, str(row.date)[:10], row.fr_citation) for row in data.events.itertuples()} == {
        ("added", ZHIPU_DAY, ZHIPU_CITATION)}
    assert len(data.responses) == ZHIPU_RESPONSES
    rule = queries.rules(db).set_index("rule_id").loc[ZHIPU_RULE]
    assert rule.entries_citing >= len(ZHIPU_ENTRIES)
    # Zhipu AI and Sophgo were both added that day, by different rules.
    related = queries.related_companies(db, ZHIPU)
    assert list(zip(related["company_id"], related["relation"], strict=True)) == [
        ("sophgo", f"listed the same day ({ZHIPU_DAY})")]
    for query in ("zhipu", "Zhipu AI", "智谱"):
        assert set(queries.entries(db, Filters(query=query))["entity_id"]) == set(ZHIPU_ENTRIES), query
    moments = queries.moments(db).set_index("moment_id")
    assert moments.loc[TWO_RULE_MOMENT[0], "fr_citations"] == TWO_RULE_MOMENT[1]


def test_the_shipped_entities_diffed_with_themselves_are_empty(shipped_inputs) -> None:
    data = (shipped_inputs / "entities.csv").read_bytes()
    assert diff_csv_bytes(schema.ENTITIES, data, data).is_empty


def test_the_zhipu_company_page_renders_through_app_py(shipped_app) -> None:
    app = run_page("company", company=ZHIPU)
    assert not app.exception and not app.error
    assert app.header[0].value.replace("\\", "") == ZHIPU_NAME
    assert f"First listed {ZHIPU_DAY}; {len(ZHIPU_ENTRIES)} entries" in text_of(app)
    assert list(table_with(app, "entity_id", "fr_citations")["entity_id"]) == ZHIPU_ENTRIES
    assert dict(app.query_params) == {"company": ZHIPU}


def test_the_rules_page_reconciles_the_shipped_rules(shipped_app) -> None:
    app = run_page("rules", rule=ZHIPU_RULE)
    assert not app.exception and not app.error
    assert RECONCILED in text_of(app)
    assert any("cite this rule" in m.value for m in app.markdown)


# --- Dates that explain themselves, and removals where they belong (issue 12.5, 12.7) ---

NEWEST_RULE_DAY, NEWEST_RULE_CITATION = "2026-08-24", "91 FR 54657"  # its only sources are weak
ENTRIES_VERSION = "eCFR text of 2026-07-23"


@pytest.mark.parametrize("page", ["overview", "explorer", "rules", "about"])
def test_every_page_names_the_entries_version_and_flags_the_weak_newest_rule(shipped_app, page) -> None:
    app = run_page(page)
    [line] = [c.value.replace("\\", "") for c in app.caption if c.value.startswith("Entries listed as of")]
    assert f"Entries listed as of the {ENTRIES_VERSION}" in line
    assert f"Newest rule recorded: {NEWEST_RULE_DAY}, [{NEWEST_RULE_CITATION}](" in line
    assert "**weak source**: third-party test fixtures" in line and "Store built " in line


def test_the_overview_and_the_about_page_count_the_same_rules(shipped_app, db) -> None:
    dates = queries.data_dates(db)
    with open(PROJECT_DIR / "data/inputs/rules.csv", encoding="utf-8") as handle:
        scopes = Counter(row["scope"] for row in csv.DictReader(handle))
    changing = scopes["entity_list_change"]
    assert (dates.rules_changing_list, dates.rules_related) == (changing, sum(scopes.values()) - changing)
    overview = run_page("overview")
    assert {m.label: m.value for m in overview.metric}["Rules that changed the list"] == \
        str(dates.rules_changing_list)
    about = text_of(run_page("about"))
    assert f"{dates.rules_changing_list} rules that changed the list (and {dates.rules_related} related" \
        in " ".join(about.split())


def test_the_overview_draws_removals_below_the_axis_with_their_notes(shipped_app) -> None:
    app = run_page("overview", granularity="year")
    figure = json.loads(app.get("plotly_chart")[0].proto.spec)
    below = {trace["name"]: trace for trace in figure["data"] if trace["name"].startswith("Removed")}
    assert set(below) == {"Removed (named)", "Removed (names not sourced)"}
    named = below["Removed (named)"]
    named = dict(zip([x[:4] for x in named["x"]], named["customdata"], strict=True))
    # IFS, Jazirah, Hefei Bitland (Sandvine's removal has no date)
    assert named == {year: "1 removed, named" for year in ("2023", "2024", "2025")}
    counted = below["Removed (names not sourced)"]
    assert "1 removed, names not sourced (weak source)" in counted["customdata"]  # the 2026-08-24 rule
    text = text_of(app)
    assert "At least 11 removals since 2018 are not in the bars" in text
    assert "removed, as stated: *>=2 (title plural; number not read)*" in text
    assert "**undated** · " in text and "Sandvine" in text


def test_the_rules_page_shows_stated_removals_beside_named_ones_and_a_weak_source(shipped_app) -> None:
    app = run_page("rules", rule="2026-17230")
    assert not app.exception and not app.error
    assert "**Removed, as stated:** 1 · **named by a source:** none (the count stays a count)" in text_of(app)
    assert any("Weak source: third-party test fixtures" in w.value.replace("\\", "") for w in app.warning)
    table = table_with(app, "stated_removed", "names_removed", "source_caveat")
    ifs = table[table["rule_id"] == "2023-25557"].iloc[0]
    assert "Institute of Forensic Science" in ifs["names_removed"]


def test_the_explorer_finds_removed_entries_and_titles_its_chart_by_their_removals(shipped_app) -> None:
    app = run_page("explorer", action="removed")
    assert not app.exception and not app.error
    table = table_with(app, "entity_id", "name")
    assert set(table["entity_id"]) == {"EL-3412", "EL-3413", "EL-3414", "EL-3415"}
    figure = json.loads(app.get("plotly_chart")[0].proto.spec)
    assert figure["layout"]["title"]["text"] == "Matching entries by year of their removed events"
