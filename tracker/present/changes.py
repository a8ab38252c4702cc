"""The Changes page's words and tables: what each kind of difference is called, which two versions
are compared by default, and the rows shown (and downloaded) for a diff. Pure functions."""

from __future__ import annotations

from typing import Any

import pandas as pd

from tracker import schema
from tracker.present.page_state import ENTRY, page_href
from tracker.present.text import with_citation_url

# The kinds of difference, as the schema declares them.
ADDED, REMOVED, CHANGED, FORMAT_ONLY = (schema.DIFF_ADDED, schema.DIFF_REMOVED, schema.DIFF_CHANGED,
                                        schema.DIFF_FORMAT_ONLY)
DIFF_KINDS, DIFF_KIND_LABELS = schema.DIFF_KINDS, schema.DIFF_KIND_LABELS
EMPTY = "(empty)"  # a field the version gives for other entries but leaves empty here
# The entries a page reads with their text: all of a diff of up to SHOWN_WHOLE entries (every diff of
# the shipped data), else the first SHOWN_ROWS by number; the counts and the CSV have all.
SHOWN_ROWS, SHOWN_WHOLE = 200, 5_000


def _shape(version: Any) -> tuple:
    return version.source_kind, version.fields_lacking, version.fields_partial


def default_pair(found: list[Any]) -> tuple[str, str] | None:
    """The names of the two newest versions of one kind of source giving the same fields (a parse
    lacking some is not paired with the full text), older first, from versions as
    tracker.store.history.versions gives them (oldest first); None when no two are alike."""
    shapes = [_shape(v) for v in found]
    newest = next((v for v in reversed(found) if shapes.count(_shape(v)) > 1), None)
    if newest is None:
        return None
    same = [v for v in found if _shape(v) == _shape(newest)]
    return same[-2].name, same[-1].name


def entry_rows(entries: pd.DataFrame, kind: str) -> pd.DataFrame:
    """The entries of one kind of difference as a table shows them: a link to the entry's page,
    its citations (the newer version's, the older's for a removed entry) with a Federal Register link."""
    rows = entries[entries["kind"] == kind]
    citations = rows["old_citations"] if kind == REMOVED else rows["new_citations"]
    shown = pd.DataFrame({
        "entity_id": rows["entity_id"], "name": rows["name"], "destination": rows["destination"],
        "status": rows["status"],
        "page": rows["entity_id"].map(lambda i: page_href(ENTRY, id=i)),
        "fields": rows["changed_fields" if kind == CHANGED else "format_fields"].map(
            lambda fields: ", ".join(schema.VERSION_FIELD_LABELS[f] for f in fields)),
        "fr_citations": citations.str.replace(r", \d{1,2}/\d{1,2}/\d{2}", "", regex=True),
        "removed_fr_citation": rows["removed_fr_citation"],
        "match": rows["new_match"].where(rows["new_match"].notna(), rows["old_match"]),
    })
    return with_citation_url(shown.reset_index(drop=True), "fr_citations")


def field_rows(fields: pd.DataFrame, format_only: bool) -> pd.DataFrame:
    """What changed, field by field (old -> new), for changed entries or format-only ones."""
    rows = fields[fields["format_only"] == format_only]
    return pd.DataFrame({
        "entity_id": rows["entity_id"], "name": rows["name"], "destination": rows["destination"],
        "page": rows["entity_id"].map(lambda i: page_href(ENTRY, id=i)),
        "field": rows["field"].map(schema.VERSION_FIELD_LABELS.get),
        "old": rows["old"].fillna(EMPTY), "new": rows["new"].fillna(EMPTY)}).reset_index(drop=True)


def export_rows(entries: pd.DataFrame, fields: pd.DataFrame) -> pd.DataFrame:
    """The whole diff as one CSV: one row per added or removed entry, and one per field that changed
    (in substance or in writing only), with the values the page shows."""
    whole = entries[entries["kind"].isin((ADDED, REMOVED))]
    listed = pd.DataFrame({"kind": whole["kind"].map(DIFF_KIND_LABELS), "entity_id": whole["entity_id"],
                           "name": whole["name"], "destination": whole["destination"], "field": "",
                           "old": "", "new": "",
                           "fr_citations": whole["new_citations"].where(whole["kind"] == ADDED,
                                                                        whole["old_citations"])})
    kinds = fields["format_only"].map({True: DIFF_KIND_LABELS[FORMAT_ONLY], False: DIFF_KIND_LABELS[CHANGED]})
    by_field = pd.DataFrame({"kind": kinds, "entity_id": fields["entity_id"], "name": fields["name"],
                             "destination": fields["destination"],
                             "field": fields["field"].map(schema.VERSION_FIELD_LABELS.get),
                             "old": fields["old"], "new": fields["new"], "fr_citations": ""})
    return pd.concat([listed, by_field], ignore_index=True)
