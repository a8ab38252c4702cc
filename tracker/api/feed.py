"""The Atom 1.0 feed of changes: one item per Federal Register rule that changed the list and one per
recorded version of the whole list, newest first. Pure: frames in, XML bytes out.

Item ids are tag: URIs made of the rule's or version's own id, so they stay the same across rebuilds;
the feed's `updated` is its newest item's day, not the build time, so an unchanged list is an
unchanged feed.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pandas as pd

from tracker.citations import federal_register_url, source_url
from tracker.present import page_state
from tracker.present.text import day

ATOM = "http://www.w3.org/2005/Atom"
TAG = "tag:entity-list-tracker,2026:"
# Characters XML 1.0 cannot hold at all: dropped from text taken from the data.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def atom(base_url: str, rules: pd.DataFrame, versions: list[dict]) -> bytes:
    """The feed for this server (links are absolute, under `base_url`): the rules that changed the list,
    and the versions of the list oldest first, each with its `name` as the Changes page names it."""
    # A rule with no publication date recorded cannot be placed in time (Atom needs one): left out.
    dated = [r for r in rules.to_dict("records") if day(r.get("publication_date"))]
    items = sorted([*(_rule_item(base_url, r) for r in dated), *_version_items(base_url, versions)],
                   key=lambda item: (item["day"], item["id"]), reverse=True)
    root = ET.Element("feed", xmlns=ATOM)
    _text(root, "id", f"{TAG}feed:changes")
    _text(root, "title", "Entity List Tracker: changes to the US Entity List")
    _text(root, "subtitle", "Federal Register rules that changed the Entity List, and each recorded "
                            "version of the whole list, with links to the sources.")
    _text(root, "updated", _timestamp(items[0]["day"] if items else "1990-01-01"))
    ET.SubElement(root, "link", rel="self", type="application/atom+xml",
                  href=f"{base_url}/feeds/changes.atom")
    ET.SubElement(root, "link", rel="alternate", type="text/html", href=f"{base_url}/")
    author = ET.SubElement(root, "author")
    _text(author, "name", "Entity List Tracker")
    for item in items:
        entry = ET.SubElement(root, "entry")
        _text(entry, "id", item["id"])
        _text(entry, "title", item["title"])
        _text(entry, "updated", _timestamp(item["day"]))
        _text(entry, "published", _timestamp(item["day"]))
        for rel, href, title in item["links"]:
            ET.SubElement(entry, "link", rel=rel, type="text/html", href=href, title=title)
        _text(entry, "summary", item["summary"])
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="utf-8")


def _rule_item(base_url: str, rule: dict) -> dict:
    cited = _clean(rule.get("fr_citation"))
    recorded = _clean(rule.get("url"))  # where the rule was read (federalregister.gov, govinfo.gov, ...)
    document = (federal_register_url(cited) if cited else None) or recorded
    dashboard = f"{base_url}/{page_state.page_href(page_state.RULES, rule=rule['rule_id'])}"
    links = [("alternate", dashboard, "This rule on the Entity List Tracker")]
    if document.startswith(("https://", "http://")):
        links.append(("related", document, "The Federal Register document"))
    if recorded.startswith(("https://", "http://")) and recorded != document:
        links.append(("via", recorded, "Where this rule was recorded from"))
    added = rule.get("stated_added")
    counts = f" It says it added {int(added)} entries." if added is not None and not pd.isna(added) else ""
    caveat = _clean(rule.get("source_caveat"))
    if caveat:  # the rule's only sources are weak: said where the rule is shown, as the pages do
        counts += f" Weak source: {caveat}."
    title = _clean(rule.get("title")) or "(no title recorded)"
    actions = _clean(rule.get("actions")) or "not recorded"
    return {"id": f"{TAG}rule:{rule['rule_id']}", "day": day(rule.get("publication_date")),
            "title": f"{cited or 'Federal Register rule'}: {title}",
            "summary": f"A Federal Register rule that changed the Entity List, published "
                       f"{day(rule.get('publication_date'))} (actions: {actions}).{counts}",
            "links": links}


def _version_items(base_url: str, versions: list[dict]) -> list[dict]:
    items, previous = [], None
    for version in versions:
        name = version["name"]
        values = {"from": previous, "to": name} if previous else {"to": name}
        dashboard = f"{base_url}/{page_state.page_href(page_state.CHANGES, **values)}"
        links = [("alternate", dashboard, "What changed in this version, on the Entity List Tracker")]
        source = source_url(_clean(version.get("source_path")) or "") if version.get("source_path") else None
        if source:
            links.append(("via", source, "Where this version was read from"))
        since = f" since the version of {previous}" if previous else ""
        items.append({"id": f"{TAG}list-version:{version['version_id']}", "day": day(version["date"]),
                      "title": f"The whole Entity List as of {name}: {int(version['rows']):,} rows",
                      "summary": f"A version of the whole list, read from: {_clean(version.get('source'))}. "
                                 f"The Changes page shows what it changed{since}.",
                      "links": links})
        previous = name
    return items


def _clean(value: object) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return _NOT_XML.sub("", str(value)).strip()


def _text(parent: ET.Element, tag: str, text: str) -> None:
    ET.SubElement(parent, tag).text = _clean(text)


def _timestamp(value: str) -> str:
    return f"{value[:10]}T00:00:00Z"
