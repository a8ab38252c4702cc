"""Text from the data made safe to show: Markdown escaped, links only to web addresses, dates
and file names in one form. Pure functions; the pages write what they return."""

from __future__ import annotations

import re

import pandas as pd

from tracker.citations import federal_register_url

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$:])")
_WEB_ADDRESS = re.compile(r"https?://[^\s<>()\"']+")
# This app's own pages, as page_state.page_href writes them: 'entry?id=EL-0882', 'changes?from=...'.
_OWN_PAGE = re.compile(r"[a-z]+(\?[a-z]+=[A-Za-z0-9._%+-]*(&[a-z]+=[A-Za-z0-9._%+-]*)*)?")


def md_escape(text: object) -> str:
    """Text from the data, escaped so Markdown shows it literally (no links, images or HTML)."""
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return ""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", str(text)).replace("\n", "  \n")


def link(label: object, url: object) -> str:
    """A Markdown link with an escaped label, only for http(s) addresses and this app's own pages;
    else the escaped label."""
    if isinstance(url, str) and (_WEB_ADDRESS.fullmatch(url) or _OWN_PAGE.fullmatch(url)):
        return f"[{md_escape(label)}]({url})"
    return md_escape(label)


def citation_links(citations: object) -> str:
    """'90 FR 4617; 90 FR 4621' as Markdown links to the Federal Register."""
    if not isinstance(citations, str) or not citations:
        return ""
    return "; ".join(link(c.strip(), federal_register_url(c.strip())) for c in citations.split(";"))


def with_citation_url(frame: pd.DataFrame, column: str = "fr_citations") -> pd.DataFrame:
    """Add `citation_url`: a Federal Register link for the first citation of each row."""
    first = frame[column].fillna("").str.split(";").str[0].str.strip()
    return frame.assign(citation_url=first.map(federal_register_url))


def day(value: object) -> str:
    """A date, datetime or timestamp as YYYY-MM-DD ('' when missing)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return str(value)[:10]


def file_stem(*parts: object) -> str:
    """A file name from the parts of a view, e.g. entity-list_listings_quarter_china."""
    text = "_".join(str(p) for p in parts if p not in (None, "", ()))
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-").lower()[:120] or "entity-list"
