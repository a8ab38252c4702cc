"""Federal Register citations: parsing the list's citation text, and links."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from urllib.parse import quote

_CITATION = re.compile(r"(\d{1,3})\s*FR\s*(\d{1,6})")
_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{2,4})")

# The Federal Register's volume number counts years from 1936 (volume 1).
FIRST_VOLUME_YEAR = 1935


@dataclass(frozen=True)
class Citation:
    """One Federal Register citation, with the date written after it, if any."""

    volume: int
    page: int
    date: date | None

    @property
    def text(self) -> str:
        return f"{self.volume} FR {self.page}"

    @property
    def year(self) -> int:
        return self.volume + FIRST_VOLUME_YEAR


def year_of_volume(volume: int) -> int:
    """Calendar year of a Federal Register volume."""
    return volume + FIRST_VOLUME_YEAR


def parse_citations(text: str) -> list[Citation]:
    """Every citation in an Entity List citation cell, oldest first, without repeats.

    The date of a citation is the first m/d/yy written between it and the next
    citation; a date whose year disagrees with the volume is dropped.
    """
    matches = list(_CITATION.finditer(text))
    found: dict[tuple[int, int], Citation] = {}
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        volume, page = int(match.group(1)), int(match.group(2))
        when = _first_date(text[match.end():end])
        if when and when.year != year_of_volume(volume):
            when = None
        key = (volume, page)
        if key not in found or (found[key].date is None and when):
            found[key] = Citation(volume, page, when)
    return sorted(found.values(), key=lambda c: (c.volume, c.page))


def _first_date(text: str) -> date | None:
    match = _DATE.search(text)
    if not match:
        return None
    month, day, year = (int(g) for g in match.groups())
    if year < 100:
        year += 1900 if year >= 50 else 2000
    try:
        return date(year, month, day)
    except ValueError:
        return None


def split_citation(text: str) -> tuple[int, int] | None:
    """(volume, page) of a citation such as '90 FR 4619', or None."""
    match = _CITATION.fullmatch(text.strip())
    return (int(match.group(1)), int(match.group(2))) if match else None


def federal_register_url(citation: str) -> str | None:
    """A link that opens the Federal Register at a citation such as '90 FR 4619'."""
    parts = split_citation(citation)
    if parts is None:
        return None
    volume, page = parts
    return f"https://www.federalregister.gov/citation/{volume}-FR-{page}"


def source_url(reference: str) -> str | None:
    """A web address for a source reference: URLs as they are, 'github:owner/repo@commit:path' expanded."""
    reference = reference.strip()
    if reference.startswith(("https://", "http://")):
        return reference
    match = re.fullmatch(r"github:([\w.-]+/[\w.-]+)@([0-9a-f]+):(.+)", reference)
    if match:
        repo, commit, path = match.groups()
        return f"https://github.com/{repo}/blob/{commit}/{quote(path)}"
    return None
