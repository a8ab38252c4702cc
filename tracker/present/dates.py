"""The one line on every page that says what the data's dates are: the version of the list the
entries are read from, the newest rule recorded (flagged when its only source is weak), and when
the store was built, each labelled."""

from __future__ import annotations

from tracker import schema
from tracker.present.text import citation_links, day, link, md_escape


def version_label(version: dict) -> str:
    """'eCFR text of 2026-07-23': a version of the list by its kind of source and its date."""
    kind = schema.VERSION_SOURCE_KIND_LABELS.get(version["source_kind"], version["source_kind"])
    variant = version.get("variant")
    variant = f" ({variant})" if isinstance(variant, str) and variant else ""
    return f"{kind} of {day(version['date'])}{variant}"


def newest_rule_text(rule: dict | None) -> str:
    if rule is None:
        return "Newest rule recorded: none"
    cited = citation_links(rule.get("fr_citation")) or link(rule.get("document_number") or rule["rule_id"],
                                                             rule.get("url"))
    dated = day(rule.get("publication_date")) or "undated"
    text = f"Newest rule recorded: {dated}, {cited}"
    caveat = rule.get("source_caveat")
    if isinstance(caveat, str) and caveat:
        text += f" (**weak source**: {md_escape(caveat)})"
    return text


def dates_line(dates, built_at: str) -> str:
    """The dates line (Markdown) for `queries.DataDates` and a build time in UTC."""
    version = dates.entries_version
    entries = (f"Entries listed as of the {version_label(version)}" if version
               else "Entries: list version not recorded")
    return f"{entries} · {newest_rule_text(dates.newest_rule)} · Store built {md_escape(built_at)} UTC"
