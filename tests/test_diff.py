"""The diff of two versions of an input: by key, cell by cell, in order when the key fails; text and patch."""

from __future__ import annotations

import shutil
import subprocess

import factory as made
import pytest
from editor_fixtures import assert_clear_error, run_cli

from tracker import schema
from tracker.inputs.diff import CsvError, diff_csv_bytes, diff_tables, excerpt_pair, render_patch, render_text

RULES = schema.RULES
HEADER = "rule_id,publication_date,scope,sources\n"


def rule(rule_id: str, date: str = "2025-01-16", scope: str = "entity_list_change") -> dict[str, str]:
    return {"rule_id": rule_id, "publication_date": date, "scope": scope, "sources": "https://x.example"}


def test_rows_are_matched_by_key_into_added_removed_and_changed():
    old = [rule("a"), rule("b"), rule("c")]
    new = [rule("a"), rule("c", date="2025-02-01"), rule("d")]

    diff = diff_tables(RULES, old, new)

    assert list(diff.added) == ["d"]
    assert list(diff.removed) == ["b"]
    assert [(c.key, c.column, c.old, c.new) for c in diff.changed] == [
        ("c", "publication_date", "2025-01-16", "2025-02-01")]
    assert diff.counts == {"added": 1, "removed": 1, "changed": 1, "cells": 1}
    assert diff.key == "rule_id" and not diff.message


def test_every_changed_cell_of_a_row_is_listed_and_the_row_counted_once():
    diff = diff_tables(RULES, [rule("a")], [rule("a", date="2025-03-03", scope="related_rule")])

    assert {(c.column, c.new) for c in diff.changed} == {("publication_date", "2025-03-03"),
                                                         ("scope", "related_rule")}
    assert diff.counts["changed"] == 1 and diff.counts["cells"] == 2


def test_reordered_rows_are_not_a_change():
    diff = diff_tables(RULES, [rule("a"), rule("b")], [rule("b"), rule("a")])

    assert diff.is_empty


def test_a_repeated_key_falls_back_to_row_order_and_says_why():
    old = [rule("a"), rule("b")]
    new = [rule("a"), rule("a", date="2025-05-05")]

    diff = diff_tables(RULES, old, new)

    assert diff.key is None
    assert "'a' appears more than once in the new version" in diff.message
    # Row 2 was 'b' and is now a second 'a': compared in order, that is one changed row.
    assert {(c.key, c.column) for c in diff.changed} == {("row 2", "rule_id"), ("row 2", "publication_date")}
    assert not diff.added and not diff.removed


def test_a_missing_key_column_falls_back_to_row_order():
    old = [{"publication_date": "2025-01-16"}]
    new = [{"publication_date": "2025-01-16"}, {"publication_date": "2025-01-17"}]

    diff = diff_tables(RULES, old, new)

    assert diff.key is None and "no key column 'rule_id'" in diff.message
    assert list(diff.added) == ["row 2"]


def test_an_empty_key_falls_back_to_row_order():
    diff = diff_tables(RULES, [rule("a")], [rule("a"), rule("")])

    assert diff.key is None and "has no rule_id" in diff.message
    assert list(diff.added) == ["row 2"]


def test_columns_added_and_removed_are_listed_not_reported_per_cell():
    old = b"rule_id,notes\na,x\n"
    new = b"rule_id,title\na,T\n"

    diff = diff_csv_bytes(RULES, old, new)

    assert diff.columns_added == ["title"] and diff.columns_removed == ["notes"]
    assert not diff.changed


def test_surrounding_spaces_are_not_a_change_as_the_validator_strips_them():
    diff = diff_csv_bytes(RULES, HEADER.encode() + b"a,2025-01-16,entity_list_change,https://x\n",
                          HEADER.encode() + b"a, 2025-01-16 ,entity_list_change,https://x\n")

    assert diff.is_empty


def test_an_unbalanced_quote_is_reported_with_its_line():
    broken = HEADER.encode() + b"a,2025-01-16,entity_list_change,https://x\n" + b'b,"2025,x,y\n'

    with pytest.raises(CsvError) as caught:
        diff_csv_bytes(RULES, HEADER.encode(), broken)

    assert caught.value.problem.line == 3
    assert "(new)" in caught.value.problem.file


def test_bytes_that_are_not_utf8_are_reported_with_line_and_column():
    with pytest.raises(CsvError) as caught:
        diff_csv_bytes(RULES, HEADER.encode() + b"a,2025-01-16,x,caf\xe9\n", HEADER.encode())

    assert (caught.value.problem.line, caught.value.problem.column) == (2, 4)
    assert "not UTF-8" in caught.value.problem.message


def test_text_rendering_has_a_line_per_change():
    diff = diff_tables(RULES, [rule("a"), rule("b")], [rule("a", date="2025-02-02"), rule("c")])

    text = render_text(diff)

    assert text.splitlines()[0] == ("rules.csv: 1 added, 1 removed, 1 changed (1 cells), "
                                    "matched by rule_id")
    assert "+ c: rule_id=c" in text
    assert "- b: rule_id=b" in text
    assert "~ a publication_date: '2025-01-16' -> '2025-02-02'" in text


def test_long_changed_values_are_shown_around_their_first_difference():
    old = "x" * 200 + "tail-old"
    new = "x" * 200 + "tail-new"

    shown_old, shown_new = excerpt_pair(old, new, width=40)

    assert shown_old.endswith("tail-old") and shown_new.endswith("tail-new")
    assert shown_old.startswith("…")


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
@pytest.mark.parametrize("old,new", [
    (b"rule_id,notes\na,x\nb,y\n", b"rule_id,notes\na,x\nb,changed\nc,z\n"),
    (b"rule_id,notes\na,x", b"rule_id,notes\na,x\nb,y"),  # no newline at the end of either
    (b"rule_id,notes\r\na,x\r\n", b"rule_id,notes\r\na,\xe2\x80\xa8x\r\n"),  # CRLF, U+2028 in a cell
])
def test_the_patch_turns_the_old_file_into_the_new_with_git_apply(tmp_path, old, new):
    target = tmp_path / "data" / "inputs" / "rules.csv"
    target.parent.mkdir(parents=True)
    target.write_bytes(old)
    patch = tmp_path / "edit.patch"
    patch.write_text(render_patch(old, new, "data/inputs/rules.csv"), encoding="utf-8")

    subprocess.run(["git", "apply", "--whitespace=nowarn", str(patch)], cwd=tmp_path, check=True,
                   capture_output=True)

    assert target.read_bytes() == new


def made_inputs(tmp_path):
    """A data folder holding the test factory's inputs (tests/factory.py)."""
    return made.write_inputs(tmp_path / "data")


def test_an_input_diffed_with_itself_is_empty(tmp_path):
    data = (made_inputs(tmp_path).inputs / "entities.csv").read_bytes()

    assert diff_csv_bytes(schema.ENTITIES, data, data).is_empty


# --- python -m tracker diff ---

def test_cli_diff_prints_the_changes_of_a_real_input(tmp_path):
    paths = made_inputs(tmp_path)
    old = paths.inputs / "companies.csv"
    new = tmp_path / "companies.csv"
    new.write_text(old.read_text(encoding="utf-8").replace(made.HANHAI_CITY, f"{made.HANHAI_CITY} City", 1),
                   encoding="utf-8")

    result = run_cli(paths, "diff", old, new)

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("companies.csv: 0 added, 0 removed, 1 changed (1 cells)")
    assert f"~ {made.HANHAI} city: '{made.HANHAI_CITY}' -> '{made.HANHAI_CITY} City'" in result.stdout


def test_cli_diff_patch_option_prints_a_unified_diff(tmp_path):
    paths = made_inputs(tmp_path)
    old = paths.inputs / "moments.csv"
    new = tmp_path / "moments.csv"
    new.write_bytes(old.read_bytes().replace(b"m-01,", b"m-1,", 1))

    result = run_cli(paths, "diff", old, new, "--patch")

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("--- a/data/inputs/moments.csv\n+++ b/data/inputs/moments.csv\n")


def test_cli_diff_takes_the_table_from_a_history_folder(tmp_path):
    paths = made_inputs(tmp_path)
    version = tmp_path / "backups" / "rules" / "20250101T000000000000Z.csv"
    version.parent.mkdir(parents=True)
    version.write_bytes((paths.inputs / "rules.csv").read_bytes())
    other = tmp_path / "edited.csv"
    other.write_bytes(version.read_bytes())

    result = run_cli(paths, "diff", version, other)

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("rules.csv: 0 added")


def test_cli_diff_of_an_unknown_table_is_a_one_line_error(tmp_path):
    paths = made_inputs(tmp_path)
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_text("x\n1\n")
    b.write_text("x\n2\n")

    assert_clear_error(run_cli(paths, "diff", a, b), "b.csv", "--table")


def test_cli_diff_of_an_unreadable_file_names_file_line_and_column(tmp_path):
    paths = made_inputs(tmp_path)
    bad = tmp_path / "rules.csv"
    bad.write_bytes(HEADER.encode() + b"a,2025-01-16,x,caf\xe9\n")

    assert_clear_error(run_cli(paths, "diff", paths.inputs / "rules.csv", bad),
                       f"{bad}:2:", "not UTF-8")


def test_cli_diff_of_a_missing_file_is_a_one_line_error(tmp_path):
    paths = made_inputs(tmp_path)

    assert_clear_error(run_cli(paths, "diff", paths.inputs / "rules.csv", tmp_path / "nope.csv"),
                       "nope.csv", "no such file")
