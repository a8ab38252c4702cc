"""Importers of official formats: Federal Register rule documents (API JSON) and the
Consolidated Screening List (CSV export of trade.gov).

Each import first reports what it would do; with `apply` it writes through
`tracker.editing`, so the write is validated, keeps the previous versions and is
audited. Nothing here ever deletes a row.
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from tracker import schema
from tracker.config import DataPaths
from tracker.editing import saves
from tracker.inputs.diff import excerpt_pair
from tracker.inputs.validate import check_cell

csv.field_size_limit(16 * 1024 * 1024)

Row = dict[str, str]


class SourceError(ValueError):
    """A source file cannot be used; the message names the file and, where it can, the line and column."""


# --- Federal Register rule documents ---

FR_REQUIRED = ("document_number", "publication_date", "title")
COUNT_COLUMNS = ("entities_added", "entries_added", "entries_revised", "entries_corrected",
                 "entities_removed", "country_counts")
# The rules.csv column each JSON field fills, for messages that name the field the editor sees.
FIELD_OF_COLUMN = {"rule_id": "document_number", "document_number": "document_number",
                   "publication_date": "publication_date", "fr_citation": "citation", "title": "title",
                   "summary": "abstract", "url": "html_url", "sources": "html_url"}
# Columns an imported document corrects on an existing row; the others are only filled when empty.
FR_AUTHORITATIVE = ("publication_date", "document_number", "fr_citation", "title", "summary", "url")
_ACTION_WORDS = (("add", r"\badd(s|ed|ing|ition|itions)?\b"),
                 ("revise", r"\brevis(e|es|ed|ing|ion|ions)\b"),
                 ("remove", r"\bremov(e|es|ed|ing|al|als)\b"),
                 ("correct", r"\bcorrect(s|ed|ing|ion|ions)?\b"))


def rule_from_fr_json(data: dict) -> Row:
    """A rules.csv row from one Federal Register API document; SourceError names a missing or bad field."""
    if not isinstance(data, dict):
        raise SourceError(f"expected a JSON object for a document, found {type(data).__name__}")
    missing = [f for f in FR_REQUIRED if not _text(data.get(f))]
    if missing:
        raise SourceError(f"missing required field(s): {', '.join(missing)}")
    number, title, url = _text(data["document_number"]), _text(data["title"]), _text(data.get("html_url"))
    actions = [name for name, pattern in _ACTION_WORDS if re.search(pattern, title, re.I)]
    counts = {c: _text(data.get(c)) for c in COUNT_COLUMNS}
    notes = ["imported from the Federal Register API document"]
    if actions:
        notes.append("actions inferred from the title")
    row = {
        "rule_id": number,
        "publication_date": _text(data["publication_date"]),
        "document_number": number,
        "fr_citation": _text(data.get("citation")),
        "title": title,
        "scope": "entity_list_change",
        "actions": ";".join(actions),
        **counts,
        "summary": _text(data.get("abstract")),
        "url": url,
        "counts_source": _text(data.get("counts_source")) or ("given in the imported document"
                                                              if any(counts.values()) else ""),
        "sources": url or f"https://www.federalregister.gov/d/{number}",
        "notes": "; ".join(notes),
    }
    problems = [f"field '{FIELD_OF_COLUMN.get(c, c)}': {message}" for c, value in row.items()
                if (message := check_cell(schema.RULES.column(c), value))]
    if problems:
        raise SourceError("; ".join(problems))
    return row


def _text(value: object) -> str:
    if value is None:
        return ""
    return " ".join(str(value).split())


def fr_warnings(data: dict) -> list[str]:
    """Doubts about a document that do not stop the import (not a final rule, not from BIS)."""
    out = []
    kind = _text(data.get("type"))
    if kind and kind.lower() != "rule":
        out.append(f"document {data.get('document_number')} is a '{kind}', not a final rule")
    agencies = data.get("agencies")
    if isinstance(agencies, list) and agencies:
        names = " ".join(_text(a.get("name")) + " " + _text(a.get("raw_name"))
                         for a in agencies if isinstance(a, dict))
        if "industry and security" not in names.lower():
            out.append(f"document {data.get('document_number')} is not from the Bureau of "
                       "Industry and Security")
    return out


def read_fr_json(path: Path) -> list[dict]:
    """The documents in a file: one document, a list of them, or an API search result ({"results": [...]})."""
    try:
        data = json.loads(Path(path).read_bytes().decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise SourceError(f"{path}: not UTF-8 (byte {exc.start + 1} cannot be read)") from None
    except json.JSONDecodeError as exc:
        raise SourceError(f"{path}:{exc.lineno}:{exc.colno}: not valid JSON ({exc.msg})") from None
    if isinstance(data, dict) and isinstance(data.get("results"), list):
        data = data["results"]
    documents = data if isinstance(data, list) else [data]
    if not documents:
        raise SourceError(f"{path}: holds no document")
    return documents


@dataclass(frozen=True)
class RuleOutcome:
    """What an import does with one document: add a rule, update one, or find it already there."""

    rule_id: str
    status: str  # "new", "updated" or "unchanged"
    changes: tuple[tuple[str, str, str], ...] = ()  # (column, old, new)


@dataclass
class RuleImport:
    """The report of `import_rule`; `saved` is set when it wrote."""

    file: Path
    outcomes: list[RuleOutcome]
    warnings: list[str] = field(default_factory=list)
    saved: saves.SaveResult | None = None

    def lines(self) -> list[str]:
        """The report, one sentence a line."""
        out = [f"warning: {w}" for w in self.warnings]
        for o in self.outcomes:
            out.append({"new": f"new rule {o.rule_id}: appended to rules.csv",
                        "updated": f"rule {o.rule_id} already in rules.csv; {len(o.changes)} cells updated",
                        "unchanged": f"rule {o.rule_id} already in rules.csv; nothing to change"}[o.status])
            out += change_lines(o.changes)
        return out + save_lines(self.saved, any(o.status != "unchanged" for o in self.outcomes))


def import_rule(paths: DataPaths, file: Path, apply: bool, editor: str | None = None) -> RuleImport:
    """Add the rule(s) of a Federal Register API JSON file to rules.csv, or update the matching rows."""
    file = Path(file)
    documents = read_fr_json(file)
    imported = []
    for number, document in enumerate(documents, start=1):
        where = f"document {number}: " if len(documents) > 1 else ""
        try:
            imported.append(rule_from_fr_json(document))
        except SourceError as error:
            raise SourceError(f"{file}: {where}{error}") from None
    report = RuleImport(file, [], [w for d in documents for w in fr_warnings(d)])
    rules = saves.read_rows(paths, "rules")
    report.outcomes = [_place_rule(rules, row) for row in imported]
    statuses = {o.status for o in report.outcomes}
    if apply and statuses != {"unchanged"}:
        # Appending keeps every other line as it was; an update rewrites the file.
        rewrite = "updated" in statuses
        rows = rules if rewrite else [r for r, o in zip(imported, report.outcomes, strict=True)
                                      if o.status == "new"]
        report.saved = saves.save_inputs(
            paths, {"rules": saves.with_rows(paths, "rules", rows, replace=rewrite)}, editor,
            action="import-rule", details={"source_file": file.name})
    return report


def _place_rule(rules: list[Row], row: Row) -> RuleOutcome:
    """Append the row to `rules`, or merge it into the rule it matches; says which."""
    match = next((r for r in rules if r["rule_id"] == row["rule_id"]
                  or (row["document_number"] and r.get("document_number") == row["document_number"])), None)
    if match is None and row["fr_citation"]:
        match = next((r for r in rules if r.get("fr_citation") == row["fr_citation"]
                      and r.get("publication_date") == row["publication_date"]), None)
    if match is None:
        rules.append(row)
        return RuleOutcome(row["rule_id"], "new")
    changes = []
    for column in schema.RULES.column_names:
        old, new = match.get(column, ""), _merged_rule_cell(column, match, row)
        if new != old:
            changes.append((column, old, new))
            match[column] = new
    return RuleOutcome(match["rule_id"], "updated" if changes else "unchanged", tuple(changes))


def _merged_rule_cell(column: str, existing: Row, imported: Row) -> str:
    old, new = existing.get(column, ""), imported.get(column, "")
    if column == "sources":
        items = [s for s in old.split(schema.LIST_SEPARATOR) if s.strip()]
        return schema.LIST_SEPARATOR.join(items + ([new] if new and new not in items else []))
    if column in ("rule_id", "scope", "notes"):
        return old  # an id others refer to, and an editor's judgement, stay as they are
    if column in FR_AUTHORITATIVE:
        return new or old
    return old or new


def change_lines(changes: tuple[tuple[str, str, str], ...]) -> list[str]:
    return [f"  {column}: {old!r} -> {new!r}"
            for column, *pair in changes for old, new in [excerpt_pair(*pair)]]


def save_lines(saved: saves.SaveResult | None, would_write: bool) -> list[str]:
    if saved is not None:
        return saved.lines()
    if would_write:
        return ["dry run: nothing was written; run again with --apply to write these changes"]
    return ["nothing to write"]
