"""One entry of the list as the entry page says it: its status line, its timeline of actions, and
its CSV and JSON downloads. Pure functions of the store's answers (tracker.store.entry)."""

from __future__ import annotations

import json
from datetime import date, datetime

import pandas as pd

from tracker import schema
from tracker.citations import federal_register_url
from tracker.present.export import csv_bytes
from tracker.present.page_state import ENTRY, RULES, page_href
from tracker.present.text import day, link, md_escape

# The entry's own fields, in the order the page and its downloads give them.
ENTRY_FIELDS = ("entity_id", "name", "aliases", "local_name", "destination", "address", "entry_type",
                "status", "listed_date", "removed_date", "removed_rule_id", "removed_fr_citation",
                "license_requirement", "license_scope", "license_review_policy", "policy_family",
                "fr_citations", "screening_list_citations", "company_id", "company_name", "company_link",
                "source", "notes")
TIMELINE_COLUMNS = ("date", "action", "fr_citation", "citation_url", "rule_id", "rule_title", "rule_page",
                    "rule_url", "derivation", "evidence", "parts_removed", "note")


def entry_href(entity_id: object) -> str | None:
    """The relative link to an entry's page ('entry?id=EL-0882'); None without an id."""
    return page_href(ENTRY, id=entity_id) if isinstance(entity_id, str) and entity_id else None


def citations_href(entity_id: object, citations: object) -> str | None:
    """A link to an entry's page that carries its citations after '#', so that a table's link column
    can show every citation (display_text r"#(.+)") and open the page where each links to the
    Federal Register. None without an id."""
    href = entry_href(entity_id)
    if href is None:
        return None
    text = citations if isinstance(citations, str) and citations else "no citation recorded"
    return f"{href}#{text}"


def with_entry_links(frame: pd.DataFrame, citations: str | None = "fr_citations") -> pd.DataFrame:
    """Add `entry_page` (a link to each row's entry) and, with a citations column, `citations_page`
    (the same link showing every citation of the row)."""
    ids = frame["entity_id"] if "entity_id" in frame else pd.Series([], dtype=object)
    out = frame.assign(entry_page=ids.map(entry_href))
    if citations and citations in frame:
        out = out.assign(citations_page=[citations_href(i, c) for i, c in zip(ids, frame[citations],
                                                                                   strict=True)])
    return out


def _text(value: object) -> str:
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


# The kind of version the entries' text comes from: an entry is "listed as of" the newest of these.
LIST_TEXT_KIND = "ecfr"


def _newest_version(versions: pd.DataFrame) -> pd.Series | None:
    """The newest eCFR version holding the entry (the kind its text comes from), else the newest."""
    if versions.empty:
        return None
    own = versions[versions["source_kind"] == LIST_TEXT_KIND]
    return (own if len(own) else versions).iloc[-1]


def status_line(entry: dict, events: pd.DataFrame, versions: pd.DataFrame, removal_rule: dict | None) -> str:
    """Markdown of the entry's status: listed as of the newest version of the list it is in, or removed
    on a date under a rule (linked), with how the removal was derived and from which source."""
    if entry.get("status") != schema.REMOVED:
        newest = _newest_version(versions)
        if newest is None:
            return "**Listed** (on the list as its source gives it; in no recorded version of the list)."
        line = (f"**Listed as of {day(newest['version_date'])}**: the newest version of the list's own text "
                f"it appears in ({md_escape(newest['source'])}; what its date means is in the table of "
                "versions below)")
        later = versions[versions["version_date"] > newest["version_date"]]
        if len(later):
            line += "; also in " + "; ".join(f"{md_escape(v.source)} of {day(v.version_date)}"
                                             for v in later.itertuples())
        return line + "."
    removals = events[events["action"] == schema.REMOVED] if not events.empty else events
    removal = removals.iloc[-1] if len(removals) else None
    when = day(entry.get("removed_date"))
    year = _text(removal["year"]) if removal is not None else ""
    line = (f"**Removed on {when}**" if when else "**Removed, on a date no source gives**"
            + (f" (in {year})" if year else ""))
    if removal_rule:
        title = removal_rule.get("title") or "rule"
        cited = removal_rule.get("fr_citation") or entry.get("removed_fr_citation") or ""
        named = f" ({md_escape(title)}; " if cited else " ("  # without a citation: named by its title
        line += (f" under {link(cited or title, removal_rule.get('url'))}{named}"
                 f"[its page on this dashboard]({page_href(RULES, rule=removal_rule['rule_id'])}))")
    elif entry.get("removed_fr_citation"):
        cited = entry["removed_fr_citation"]
        line += f" under {link(cited, federal_register_url(cited))} ({schema.RULE_NOT_RECORDED})"
    else:
        line += f" ({schema.RULE_NOT_RECORDED})"
    if removal is not None:
        derivation = _text(removal["derivation"]) or "not recorded"
        line += f".  \nHow this is known: **{md_escape(derivation)}**"
        meaning = schema.EVENT_DERIVATION_MEANINGS.get(derivation)
        if meaning:
            line += f" ({md_escape(meaning)})"
        if _text(removal["evidence"]):
            line += f", from {md_escape(removal['evidence'])}"
    return line + "."


def timeline(events: pd.DataFrame) -> pd.DataFrame:
    """The entry's actions as the page's table: each citation and its rule linked (the Federal Register
    and the rule's page on this dashboard), 'rule not recorded' said where no rule is."""
    if events.empty:
        return pd.DataFrame(columns=list(TIMELINE_COLUMNS))
    rules = events["rule_id"]
    out = events.assign(
        citation_url=events["fr_citation"].map(lambda c: federal_register_url(c) if _text(c) else None),
        rule_page=rules.map(lambda r: page_href(RULES, rule=r) if isinstance(r, str) and r else None),
        rule_title=[_text(t) or ("(no title recorded)" if _text(r) else schema.RULE_NOT_RECORDED)
                    for t, r in zip(events["rule_title"], rules, strict=True)],
        parts_removed=events["parts_removed"].map(lambda p: _text(p).replace(schema.LIST_SEPARATOR, "; ")),
    )
    return out[list(TIMELINE_COLUMNS)]


def action_lines(events: pd.DataFrame) -> list[str]:
    """One Markdown line per action: date, action, citation linked, the rule's title and page."""
    lines = []
    for row in timeline(events).itertuples():
        when = day(row.date) or "undated"
        cited = link(row.fr_citation, row.citation_url) if _text(row.fr_citation) else "no citation"
        if _text(row.rule_page):  # a missing link reads NaN (pandas 3), which is truthy
            rule = f"{md_escape(row.rule_title)} ([rule page]({row.rule_page}))"
        else:
            rule = f"*{schema.RULE_NOT_RECORDED}*"
        parts = f" · parts removed: {md_escape(row.parts_removed)}" if _text(row.parts_removed) else ""
        lines.append(f"- **{when} · {md_escape(row.action)}** · {cited} · {rule} · "
                     f"{md_escape(row.derivation)}{parts}")
    return lines


def _plain(value: object) -> object:
    """A value as JSON writes it: dates as YYYY-MM-DD, missing as null."""
    if isinstance(value, datetime | pd.Timestamp):
        return None if pd.isna(value) else value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return None
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def _records(frame: pd.DataFrame) -> list[dict]:
    return [{k: _plain(v) for k, v in row.items()} for row in frame.to_dict("records")]


def entry_record(entry: dict, events: pd.DataFrame, versions: pd.DataFrame, company: dict | None) -> dict:
    """Everything the page shows about the entry, as one JSON-ready record."""
    record = {f: _plain(entry.get(f)) for f in ENTRY_FIELDS}
    record["page"] = entry_href(entry["entity_id"])
    record["actions"] = _records(timeline(events).drop(columns=["rule_page"]))
    record["list_versions"] = _records(versions)
    record["company"] = {k: _plain(v) for k, v in company.items()} if company else None
    return record


def entry_json(record: dict) -> bytes:
    return json.dumps(record, ensure_ascii=False, indent=2).encode("utf-8")


def entry_csv(entry: dict, events: pd.DataFrame) -> bytes:
    """The entry as CSV: one row per action, each with the entry's fields (formulas neutralised)."""
    fields = {f: _plain(entry.get(f)) for f in ENTRY_FIELDS}
    actions = timeline(events).drop(columns=["rule_page"])
    if actions.empty:
        return csv_bytes(pd.DataFrame([fields]))
    actions = actions.rename(columns={c: f"event_{c}" for c in actions.columns})
    actions["event_date"] = actions["event_date"].map(day)
    repeated = pd.DataFrame([fields] * len(actions))
    return csv_bytes(pd.concat([repeated, actions.reset_index(drop=True)], axis=1))
