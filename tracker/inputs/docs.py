"""The inputs' documentation, written from the schema so it cannot drift from the validator."""

from __future__ import annotations

from tracker import schema

HEADER = """# Inputs

The CSV files in this folder are the source of truth of the dashboard. Edit them by hand, in a
spreadsheet (save as *CSV UTF-8*), or in the app's Editor page; then run
`python -m tracker validate` and `python -m tracker build`.

Every file is UTF-8 with one header row. Column order does not matter; unknown columns are
reported as warnings and ignored. Lists inside a cell are separated by `{list_sep}`; several Federal
Register citations by `{cite_sep}`. This page is generated from `tracker/schema.py`
(`python -m tracker docs`); do not edit it by hand.

Where the facts come from: each entity row names its source; rules, companies, responses and
moments carry their source URLs in their own columns.
"""


def inputs_readme() -> str:
    """Markdown documenting every input file, column by column."""
    parts = [HEADER.format(list_sep=f"` {schema.LIST_SEPARATOR.strip()} `",
                           cite_sep=f"`{schema.CITATION_SEPARATOR.strip()} `")]
    parts.append("\n## Column types\n\nAn empty cell holds no value (a required column may not have an "
                 "empty cell); any other cell must be what its column's type says:\n")
    parts.append("| type | what a cell must be |")
    parts.append("|---|---|")
    for kind in schema.COLUMN_TYPES:
        parts.append(f"| {kind.name} | {_cell(kind.expected)} |")
    for table in schema.TABLES:
        about = [f"One row per `{table.key}`."]
        about += [f"One row per {', '.join(f'`{n}`' for n in names)} together."
                  for names in table.unique_together]
        if table.optional:
            about.append("Optional: a data folder without this file has no rows of it.")
        parts.append(f"\n## `{table.filename}`\n\n{table.description} {' '.join(about)}\n")
        parts.append("| column | type | required | allowed values / rule | example | meaning |")
        parts.append("|---|---|---|---|---|---|")
        for column in table.columns:
            rules = []
            if column.allowed:
                rules.append(", ".join(f"`{v}`" for v in column.allowed))
            if column.unique:
                rules.append("unique")
            if column.references:
                each = "each item " if column.type is schema.LIST else ""
                rules.append(f"{each}must exist in `{column.references}`")
            if column.pattern and not column.allowed:
                rules.append(f"matches `{column.pattern}`")
            parts.append(f"| `{column.name}` | {column.type.name} | {'yes' if column.required else ''} | "
                         f"{_cell('; '.join(rules))} | {_cell(column.example)} | "
                         f"{column.description} |")
    return "\n".join(parts) + "\n"


def _cell(text: str) -> str:
    """Text for a cell of a Markdown table, its pipes escaped."""
    return text.replace("|", "\\|")
