"""A data folder whose text tries to be HTML, Markdown links and images, and spreadsheet formulas.

Shared by the AppTest and browser tests of hostile text. The data is the test factory's
(tests/factory.py) with the payloads written into one company, its entries and responses, two
rules and the last moment. Every value still passes the validator (the payloads are text in
text columns), so the app builds and shows them.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import factory as made

from tracker import schema
from tracker.config import DataPaths
from tracker.store import build

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
JS_LINK = "[x](javascript:alert(1))"
BEACON = "![beacon](https://example.invalid/b.png)"
LINK_TAG = '<a href="https://example.invalid/phish">phish</a>'
HTML_AND_MARKDOWN = [SCRIPT, IMG, JS_LINK, BEACON, LINK_TAG]
FORMULAS = ['=HYPERLINK("http://x","y")', "+1", "-1", "@SUM(A1)"]
HOSTILE = HTML_AND_MARKDOWN + FORMULAS
PAYLOAD = " ".join(HTML_AND_MARKDOWN)  # one cell that tries everything at once
ENTITY_TEXT = FORMULAS + HTML_AND_MARKDOWN  # the seven entries' names start with these, formulas first

COMPANY = made.LUMEN
COMPANY_ENTRIES = len(made.LUMEN_ENTRIES)  # as many as ENTITY_TEXT's first seven: each name starts with one
COMPANY_NAME = f"Lumen {PAYLOAD}"
NEWEST_RULE = made.NEWEST_RULE  # the newest rule that changed the list: on the overview too
FORMULA_RULE = made.LUMEN_RULE  # among the overview's newest rules; today's entries cite it (a download)
LAST_MOMENT = made.LAST_MOMENT
LAST_STEP = made.MOMENTS  # the story's step showing LAST_MOMENT
# A web address the validator accepts, but that would break out of a Markdown link.
BREAKOUT_URL = "https://example.invalid/a)![b](https://example.invalid/b.png"


def _rewrite(path: Path, change) -> None:
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        header, rows = list(reader.fieldnames or []), list(reader)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(change(row) for row in rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def hostile_inputs(root: Path) -> DataPaths:
    """`root/inputs`: the factory's inputs with hostile text in names, notes, titles and sources."""
    paths = made.write_inputs(root)
    counter = {"entity": 0, "response": 0}

    def company(row):
        if row["company_id"] == COMPANY:
            row.update(name=COMPANY_NAME, description=f"{FORMULAS[0]} {PAYLOAD}",
                       local_name=FORMULAS[1], aliases=f"{FORMULAS[3]} | {FORMULAS[2]} | {SCRIPT}")
        return row

    def entity(row):
        if row["company_id"] == COMPANY:
            i = counter["entity"]
            counter["entity"] += 1
            row.update(name=f"{ENTITY_TEXT[i % len(ENTITY_TEXT)]} entity {i}",
                       aliases=f"{ENTITY_TEXT[(i + 7) % len(ENTITY_TEXT)]} | alias {i}")
        return row

    def response(row):
        if row["company_id"] == COMPANY:
            i = counter["response"]
            counter["response"] += 1
            row.update(title=f"{HOSTILE[i % len(HOSTILE)]} title {i}", note=f"{PAYLOAD} note {i}",
                       source_name=f"{HOSTILE[(i + 3) % len(HOSTILE)]} source {i}")
            if i == 0:
                row["source_url"] = "https://example.invalid/b.png"
            elif i == 1:
                row["source_url"] = BREAKOUT_URL
        return row

    def rule(row):
        if row["rule_id"] == NEWEST_RULE:
            row["title"] = PAYLOAD
        elif row["rule_id"] == FORMULA_RULE:
            row["title"] = f"{FORMULAS[0]} {SCRIPT}"
        return row

    def moment(row):
        if row["moment_id"] == LAST_MOMENT:
            row.update(title=PAYLOAD, note=f"{FORMULAS[2]} {PAYLOAD}")
        return row

    for table, change in ((schema.COMPANIES, company), (schema.ENTITIES, entity),
                          (schema.RESPONSES, response), (schema.RULES, rule), (schema.MOMENTS, moment)):
        _rewrite(paths.inputs / table.filename, change)
    return paths


def hostile_store(root: Path) -> DataPaths:
    """The hostile inputs with their store built."""
    paths = hostile_inputs(root)
    build.build_store(paths)
    return paths
