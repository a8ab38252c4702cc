"""The schema is the vocabulary: each column type carries its check, message, store type and editor
pattern, and the validator, the store and the editor read them there; the labels and the licence
scope rule are declared once, in the schema, and the store derives its columns from them."""

from __future__ import annotations

import csv
import dataclasses
import re

import duckdb
import factory
import pyarrow as pa
import pytest

from tracker import schema
from tracker.config import DataPaths
from tracker.filters import Filters
from tracker.inputs.files import write_rows
from tracker.inputs.validate import check_cell
from tracker.present import charts
from tracker.store import build, connection, layout, queries
from tracker.ui.editor import editor_columns

# A type of the test's own: if the validator, the store or the editor had their own tables of
# types, they would not know it.
EVEN = schema.ColumnType(
    "even number",
    (schema.Check(str.isdigit, "'{value}' is not digits"),
     schema.Check(lambda v: int(v) % 2 == 0, "'{value}' is odd")),
    "an even number, e.g. 2", "SMALLINT", r"[02468]$")
EVENS = schema.Table("evens", "Even numbers.", key="n",
                     columns=(schema.Column("n", EVEN, "An even number.", "2", required=True),))


def test_no_part_of_a_column_type_can_be_left_out():
    """Every field is a required argument, so a new type states each (None for 'any text' is a choice)."""
    fields = dataclasses.fields(schema.ColumnType)
    assert {f.name for f in fields} == {"name", "checks", "expected", "sql_type", "editor_pattern"}
    assert all(f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING for f in fields)


@pytest.mark.parametrize("kind", schema.COLUMN_TYPES, ids=str)
def test_every_type_has_a_check_a_message_a_store_type_and_an_editor_format(kind):
    assert kind.name and kind.expected
    if kind is not schema.TEXT:  # any text is text
        assert kind.checks
    for check in kind.checks:
        assert callable(check.passes) and check.problem
    duckdb.connect().execute(f"SELECT CAST(NULL AS {kind.sql_type})")  # a type DuckDB knows
    assert kind.editor_pattern is None or re.compile(kind.editor_pattern)


def test_every_column_has_a_declared_type_and_its_example_is_valid_in_the_validator_and_the_editor():
    names = [kind.name for kind in schema.COLUMN_TYPES]
    assert len(set(names)) == len(names)
    for table in schema.TABLES:
        for column in table.columns:
            assert column.type in schema.COLUMN_TYPES, f"{table.name}.{column.name}"
            assert check_cell(column, column.example) is None, f"{table.name}.{column.name}"
            pattern = None if column.allowed else column.pattern or column.type.editor_pattern
            # The editor tests a cell as JavaScript's RegExp.test does: anywhere in the text.
            assert pattern is None or re.search(pattern, column.example), f"{table.name}.{column.name}"


def test_the_validator_takes_each_check_and_message_from_the_type():
    column = EVENS.column("n")
    assert check_cell(column, "4") is None
    assert check_cell(column, "x4") == "'x4' is not digits; expected an even number, e.g. 2"
    assert check_cell(column, "3") == "'3' is odd; expected an even number, e.g. 2"
    assert check_cell(column, "") == "'n' is required; expected an even number, e.g. 2"


def test_the_validator_words_a_bad_cell_of_every_type_as_its_type_declares():
    bad = {schema.INT: "2019.5", schema.DATE: "16/01/2025", schema.PARTIAL_DATE: "2025",
           schema.URL: "www.x.org", schema.CITATION: "90FR4619", schema.CITATIONS: "90 FR 4617, 90 FR 4621",
           schema.LIST: "a |  | b"}
    assert set(bad) == set(schema.COLUMN_TYPES) - {schema.TEXT}
    for kind, value in bad.items():
        column = schema.Column("c", kind, "A cell.", "")
        problem = kind.checks[0].problem.format(value=value)
        assert check_cell(column, value) == f"{problem}; expected {kind.expected}"


def test_the_store_gives_each_input_column_its_types_sql_type():
    con = duckdb.connect()
    layout.register_input(con, EVENS, pa.table({"n": ["2", ""]}))
    assert con.execute("SELECT typeof(n) FROM input_evens LIMIT 1").fetchone() == ("SMALLINT",)
    assert con.execute("SELECT n FROM input_evens").fetchall() == [(2,), (None,)]
    for table in schema.TABLES:
        text = pa.table({c.name: pa.array([], pa.string()) for c in table.columns})
        layout.register_input(con, table, text)
        described = dict(con.execute(f"SELECT column_name, column_type FROM (DESCRIBE input_{table.name})")
                         .fetchall())
        assert described == {c.name: c.type.sql_type for c in table.columns}


def test_the_editor_takes_each_types_pattern_from_the_schema():
    assert editor_columns(EVENS)["n"]["type_config"]["validate"] == r"[02468]$"
    for table in schema.TABLES:
        config = editor_columns(table)
        for column in table.columns:
            if not column.allowed:
                assert config[column.name]["type_config"]["validate"] == (
                    column.pattern or column.type.editor_pattern), f"{table.name}.{column.name}"


# Licence requirement texts and the scope the schema's rule gives them, worked out by hand.
REQUIREMENTS = {
    "": schema.LICENSE_NOT_STATED,
    "For all items subject to the EAR. (See § 744.11 of the EAR)": schema.LICENSE_ALL_ITEMS,
    "FOR ALL ITEMS SUBJECT TO THE EAR.": schema.LICENSE_ALL_ITEMS,
    "Policy of denial for all items subject to the ear, with exceptions": schema.LICENSE_ALL_ITEMS,
    "For all items subject to the EAR except food and medicine": schema.LICENSE_ALL_ITEMS,
    "For all items  subject to the EAR": schema.LICENSE_SPECIFIC_ITEMS,  # two spaces: not the phrase
    "For all items listed on the CCL": schema.LICENSE_SPECIFIC_ITEMS,
    "All items subject to the EAR's 0Y521": schema.LICENSE_ALL_ITEMS,
    "See § 744.21(b) of the EAR": schema.LICENSE_SPECIFIC_ITEMS,
}


def test_the_stores_licence_scope_and_sector_follow_the_schema(data_copy: DataPaths):
    path = data_copy.inputs / "entities.csv"
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        header, rows = reader.fieldnames, list(reader)
    texts = list(REQUIREMENTS)
    for row, text in zip(rows, texts, strict=False):
        row["license_requirement"] = text
    unprofiled = rows[0]["entity_id"]
    rows[0]["company_id"] = ""
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, header)
        writer.writeheader()
        writer.writerows(rows)

    store = connection.Store(build.build_store(data_copy).path)
    try:
        db = store.cursor()
        found = dict(db.execute(
            "SELECT coalesce(license_requirement, ''), license_scope FROM entities WHERE entity_id IN "
            f"({', '.join('?' * len(texts))})", [r["entity_id"] for r in rows[:len(texts)]]).fetchall())
        scopes = {s for (s,) in db.execute("SELECT DISTINCT license_scope FROM entities").fetchall()}
        sector = db.execute("SELECT sector FROM entities WHERE entity_id = ?", [unprofiled]).fetchone()
        db.close()
    finally:
        store.close()
    assert found == REQUIREMENTS
    assert scopes == set(schema.LICENSE_SCOPES)
    assert sector == (schema.NO_PROFILE,)


def test_every_value_of_a_vocabulary_has_its_label():
    assert list(schema.RESPONSE_CATEGORY_LABELS) == list(schema.RESPONSE_CATEGORIES)
    assert list(schema.RESPONSE_STATUS_LABELS) == list(schema.RESPONSE_STATUSES)
    assert list(schema.RESPONSE_STATUS_MEANINGS) == list(schema.RESPONSE_STATUSES)
    assert list(schema.RULE_SCOPE_LABELS) == list(schema.RULE_SCOPES)
    assert set(charts.STATUS_COLOURS) == set(charts.STATUS_SYMBOLS) == set(schema.RESPONSE_STATUSES)
    status = schema.RESPONSES.column("status").description
    for value, meaning in schema.RESPONSE_STATUS_MEANINGS.items():
        assert f"{value}: {meaning}" in status
        assert f"{schema.RESPONSE_STATUS_LABELS[value]}: {meaning}." in schema.RESPONSE_STATUS_LEGEND


# --- The licence review policy families (issue 12.6) ---

POLICY_CELLS = {  # a cell as the list writes it -> the family worked out by hand from its first words
    "Presumption of denial": "presumption of denial",
    "Presumption of denial except case-by-case for items not in ECCN 3B001": "presumption of denial",
    "Policy of Denial for all items subject to the EAR apart from food and medicine": "policy of denial",
    "Case-by-case for all items listed on the CCL. Presumption of approval for EAR99 items": "case-by-case",
    "Presumption of approval for EAR99; case-by-case for items on the CCL": "presumption of approval",
    "See § 744.2(d) of the EAR": "by reference to the EAR",
    "Approval subject to conditions": "other",
    "": "not stated",
}


def test_the_store_groups_each_review_policy_into_its_family(tmp_path) -> None:
    paths = factory.write_inputs(tmp_path)
    rows = factory.entities()
    cells = list(POLICY_CELLS)
    for index, row in enumerate(rows):  # the cells above, then none stated
        row["license_review_policy"] = cells[index] if index < len(cells) else ""
    write_rows(paths.inputs / "entities.csv", schema.ENTITIES, rows)
    store = connection.Store(build.build_store(paths).path)
    try:
        db = store.cursor()
        found = dict(db.execute("SELECT license_review_policy, policy_family FROM entities").fetchall())
        # The explorer's filter (policy=) finds exactly the entries of the families chosen.
        chosen = queries.entries(db, Filters(policy_families=("presumption of denial", "other")))
        expected = {r["entity_id"] for r, cell in zip(rows, cells, strict=False)
                    if POLICY_CELLS[cell] in ("presumption of denial", "other")}
        assert set(chosen["entity_id"]) == expected and len(expected) == 3
    finally:
        store.close()
    assert {cell: found[cell or None] for cell in cells} == POLICY_CELLS
    assert set(POLICY_CELLS.values()) == set(schema.POLICY_FAMILIES)
