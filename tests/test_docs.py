"""The inputs' README is the schema's own description."""

from pathlib import Path

from tracker import schema
from tracker.inputs.docs import inputs_readme

README = Path(__file__).resolve().parents[1] / "data" / "inputs" / "README.md"


def test_committed_inputs_readme_matches_the_schema():
    assert README.read_text(encoding="utf-8") == inputs_readme(), "run: python -m tracker docs"


def test_every_column_of_every_input_is_documented():
    text = inputs_readme()
    for table in schema.TABLES:
        assert f"## `{table.filename}`" in text
        for column in table.columns:
            assert f"| `{column.name}` |" in text
