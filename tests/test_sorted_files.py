"""The entry page's reads straight from sorted Parquet files (tracker.store.sorted_files) give what
DuckDB gives for the same question, for every key, on row groups a key spans and keys no file holds."""

from __future__ import annotations

import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tracker.store import entry, related
from tracker.store.connection import _frame
from tracker.store.sorted_files import SortedFile


@pytest.fixture
def small_groups(tmp_path) -> SortedFile:
    keys = ["a", "b", "b", "b", "b", "c", "e", "e", "g"]  # 'b' spans two row groups, 'e' sits on a border
    table = pa.table({"key": keys, "n": list(range(len(keys)))})
    path = tmp_path / "sorted.parquet"
    pq.write_table(table, path, row_group_size=3)
    return SortedFile.open(str(path), "key")


def test_a_key_spanning_row_groups_gets_all_its_rows_in_order(small_groups) -> None:
    assert small_groups.metadata.num_row_groups == 3
    assert small_groups.rows("b")["n"].to_pylist() == [1, 2, 3, 4]
    assert small_groups.rows("e")["n"].to_pylist() == [6, 7]
    assert small_groups.rows("a")["n"].to_pylist() == [0]
    assert small_groups.rows("g")["n"].to_pylist() == [8]


@pytest.mark.parametrize("missing", ["", "0", "bb", "d", "f", "z"])
def test_a_key_no_row_holds_gets_an_empty_table_of_the_files_columns(small_groups, missing) -> None:
    found = small_groups.rows(missing)
    assert found.num_rows == 0 and found.column_names == ["key", "n"]


def test_only_the_asked_columns_are_read(small_groups) -> None:
    assert small_groups.rows("c", ["key"]).column_names == ["key"]


def test_every_entry_reads_as_duckdb_answers_it(db) -> None:
    ids = [row[0] for row in db.execute("SELECT entity_id FROM entities ORDER BY entity_id").fetchall()]
    assert len(ids) > 3000
    for entity_id in ids:
        found = db.execute("SELECT * EXCLUDE (search_words) FROM entities WHERE entity_id = ?", [entity_id])
        expected = dict(zip([d[0] for d in found.description], found.fetchone(), strict=True))
        assert entry.entry(db, entity_id) == expected, entity_id
        assert related._entity_no(db, entity_id) == db.execute(
            "SELECT entity_no FROM entities WHERE entity_id = ?", [entity_id]).fetchone()[0]
    assert entry.entry(db, "EL-99999999") is None
    assert related._entity_no(db, "EL-99999999") is None


@pytest.mark.parametrize("table", ["entry_events", "entry_versions"])
def test_every_entrys_actions_and_versions_read_as_duckdb_answers_them(db, table) -> None:
    ids = [row[0] for row in db.execute(f"SELECT DISTINCT entity_id FROM {table} ORDER BY 1").fetchall()]
    asked = entry.entry_events if table == "entry_events" else entry.entry_versions
    for entity_id in ids[::7] + ["EL-99999999"]:
        expected = _frame(db, f"SELECT * EXCLUDE (entity_id) FROM {table} WHERE entity_id = ?", [entity_id])
        found = asked(db, entity_id)
        assert found.dtypes.to_dict() == expected.dtypes.to_dict()
        assert found.equals(expected), entity_id


def test_the_apis_entry_answer_is_what_its_sql_gave(db) -> None:
    """The API's entry and events, read from the sorted files, are the rows, columns, order and JSON the
    SQL it replaced gave (tracker.api.routes.records writes them)."""
    from tracker.api.routes import records
    from tracker.store import api_queries
    from tracker.store.layout import ENTRY_COLUMNS

    ids = [row[0] for row in db.execute("SELECT entity_id FROM entities ORDER BY n_events DESC, entity_id"
                                        ).fetchall()]
    for entity_id in ids[:50] + ids[50::11] + ["EL-99999999"]:
        old_entry = _frame(db, f"SELECT {ENTRY_COLUMNS} FROM entities e WHERE e.entity_id = ?", [entity_id])
        old_events = _frame(db, f"""SELECT {api_queries.EVENT_COLUMNS}, r.title AS rule_title,
                                           r.url AS rule_url
                                    FROM events ev LEFT JOIN rules r USING (rule_id)
                                    WHERE ev.entity_id = ? ORDER BY ev.date NULLS LAST, ev.event_id""",
                            [entity_id])
        for old, new in ((old_entry, api_queries.entry(db, entity_id)),
                         (old_events, api_queries.entry_events(db, entity_id))):
            assert [list(row.items()) for row in records(new)] == [list(row.items()) for row in records(old)]
            assert json.dumps(records(new), allow_nan=False) == json.dumps(records(old), allow_nan=False)
