"""What a screen of many names found: the lines read from a paste or a CSV, a verdict and its
matches per name (each with the entry's details and the reason in words), and the CSV kept as
evidence of the check.

The screened names live only in memory: nothing here writes, logs or stores them.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

import pandas as pd

from tracker import schema
from tracker.present.page_state import ENTRY, page_href
from tracker.screening import match
from tracker.screening.match import ScreeningIndex, reason

# Where the screening list comes from (../shared/data/v2/SOURCES.md, csl_all_2026-07-31.csv): ITA's
# bulk file as a third-party repository projected it, which the page names as a weak source.
SCREENING_LIST_SOURCE = (
    "the ITA Consolidated Screening List bulk file (generated 2026-07-31T13:15Z) as projected in a "
    "third-party repository, [seelpeed-debug/export-controls-agent-mcp@5847b09]"
    "(https://github.com/seelpeed-debug/export-controls-agent-mcp/blob/5847b092f2a44117b2e18d06a8c6aa3e16106250/"
    "src/data/screening-list.json): **a weak source (a mirror, not ITA's own download)**, without addresses, "
    "dates of birth or ID numbers; the lists themselves: "
    "[trade.gov/consolidated-screening-list](https://www.trade.gov/consolidated-screening-list)")
MAX_NAMES = 5_000
MAX_NAME_LENGTH = 300
MAX_BYTES = 2_000_000  # a paste or upload larger than this is refused before it is read
EL = "EL"
ALL = "all"


class InputProblem(ValueError):
    """The names given cannot be screened as they are (too many, too long, no name column)."""


@dataclass(frozen=True)
class Query:
    """One name to screen, as the user gave it: its line, name, optional country and reference."""

    line: int
    text: str
    name: str
    country: str = ""
    reference: str = ""


@dataclass(frozen=True)
class Match:
    """One listed entry a name matched, with what the pages and the CSV show of it."""

    list: str
    entity_id: str
    name: str
    matched_name: str
    matched_kind: str
    destination: str
    listed_date: str
    license_requirement: str
    license_policy: str
    score: float
    verdict: str
    reason: str
    link: str


@dataclass(frozen=True)
class Result:
    """The screen of one name: its verdict (the best match's), matches best first, and a note
    naming another list it is on when that list was not asked."""

    query: Query
    verdict: str
    matches: tuple[Match, ...] = field(default=())
    note: str = ""


# --- Reading what the user gave ---

def _clean(text: str) -> str:
    return " ".join(text.replace("\x00", "").split())


def _check_name(name: str, line: int) -> None:
    if len(name) > MAX_NAME_LENGTH:
        raise InputProblem(f"Line {line}: a name can be at most {MAX_NAME_LENGTH} characters long.")


def _check_count(n: int) -> None:
    if n > MAX_NAMES:
        raise InputProblem(f"{n:,} names given: at most {MAX_NAMES:,} can be screened at once.")


def split_country(line: str, countries: Iterable[str]) -> tuple[str, str]:
    """(name, country) of 'name, country' when the text after the last comma is a known country
    (or a two-letter code); else (line, ''): 'Huawei Technologies Co., Ltd.' keeps its comma."""
    known = {c.casefold() for c in countries}
    head, sep, tail = line.rpartition(",")
    tail = tail.strip()
    if sep and head.strip() and (tail.casefold() in known or (len(tail) == 2 and tail.isalpha()
                                                                and tail.isupper())):
        return head.strip(), tail
    return line, ""


def read_paste(text: str, countries: Iterable[str]) -> list[Query]:
    """The names of a paste: one a line, optionally 'name, country'; empty lines skipped."""
    if len(text.encode("utf-8")) > MAX_BYTES:
        raise InputProblem(f"The text is larger than {MAX_BYTES // 1_000_000} MB.")
    countries = list(countries)
    out = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = _clean(raw)
        if not line:
            continue
        name, country = split_country(line, countries)
        _check_name(name, number)
        out.append(Query(number, line, name, country))
    _check_count(len(out))
    return out


NAME_COLUMNS = ("name", "company", "entity", "party", "counterparty")
COUNTRY_COLUMNS = ("country", "destination")


def read_upload(data: bytes) -> list[Query]:
    """The names of an uploaded CSV: a name column (by its header, else the first column), an
    optional country column, and the user's own reference: the first other column."""
    if len(data) > MAX_BYTES:
        raise InputProblem(f"The file is larger than {MAX_BYTES // 1_000_000} MB.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InputProblem("The file is not UTF-8 text.") from error
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise InputProblem("The file has no header row.")
    header = [_clean(h).casefold() for h in rows[0]]
    name_at = next((header.index(c) for c in NAME_COLUMNS if c in header), 0)
    country_at = next((header.index(c) for c in COUNTRY_COLUMNS if c in header), None)
    others = [i for i in range(len(header)) if i not in (name_at, country_at)]
    reference_at = others[0] if others else None
    out = []
    for number, row in enumerate(rows[1:], start=2):
        name = _cell(row, name_at)
        if not name:
            continue
        _check_name(name, number)
        out.append(Query(number, ",".join(row), name, _cell(row, country_at), _cell(row, reference_at)))
    _check_count(len(out))
    return out


def _cell(row: list[str], at: int | None) -> str:
    return _clean(row[at]) if at is not None and at < len(row) else ""


def reference_header(data: bytes) -> str:
    """The header of the CSV's reference column (see read_upload), or ''."""
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig", errors="replace"))))
    header = [_clean(h) for h in rows[0]] if rows else []
    folded = [h.casefold() for h in header]
    name_at = next((folded.index(c) for c in NAME_COLUMNS if c in folded), 0)
    country_at = next((folded.index(c) for c in COUNTRY_COLUMNS if c in folded), None)
    others = [h for i, h in enumerate(header) if i not in (name_at, country_at)]
    return others[0] if others else ""


# --- Screening ---

# (entries, names) of the matched ref_nos and name_nos: tracker.store.screening.matched
Details = Callable[[list[int], list[int]], tuple[pd.DataFrame, pd.DataFrame]]


def list_label(code: str) -> str:
    """'the SDN list (Specially Designated Nationals, Treasury)'."""
    return f"the {code} list ({schema.SCREENING_LISTS.get(code, code)})"


def screen(index: ScreeningIndex, queries: list[Query], details: Details, lists: str | Iterable[str] = EL,
           progress: Callable[[int, int], None] | None = None, chunk: int = 250) -> list[Result]:
    """Screen every query (in order), against the Entity List (lists='EL'), every list ('all') or the
    lists named (list codes)."""
    out: list[Result] = []
    for start in range(0, len(queries), chunk):
        part = queries[start:start + chunk]
        screened = [index.screen(q.name) for q in part]
        wanted = [c for s in screened for c in s.candidates if c.verdict != "none"]
        entries, names = details(sorted({c.ref_no for c in wanted}), sorted({c.name_no for c in wanted}))
        entries = entries.set_index("ref_no").to_dict("index")
        names = names.set_index("name_no").to_dict("index")
        out += [_result(q, s, entries, names, lists) for q, s in zip(part, screened, strict=True)]
        if progress:
            progress(min(start + chunk, len(queries)), len(queries))
    return out


def _text(value: object) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return value.date().isoformat() if isinstance(value, pd.Timestamp) else str(value)


def _match(query: Query, screened: match.Screened, c: match.Candidate, entries: dict[int, dict],
           names: dict[int, dict]) -> Match:
    entry, listed = entries[c.ref_no], names[c.name_no]
    why = reason(screened.normalised, query.name, listed["kind"], listed["text"], c.score, c.contained)
    destination = _text(entry["destination"])
    if query.country and destination:
        same = query.country.casefold() in {d.strip().casefold() for d in destination.split(",")}
        why += ", same destination" if same else f", other destination ({destination})"
    link = page_href(ENTRY, id=entry["ref_id"]) if c.list == EL else _text(entry["list_url"])
    return Match(c.list, entry["ref_id"], _text(entry["name"]), listed["text"], listed["kind"], destination,
                 _text(entry["listed_date"]), _text(entry["license_requirement"]),
                 _text(entry["license_policy"]), c.score, c.verdict, why, link)


def asked_lists(lists: str | Iterable[str]) -> set[str] | None:
    """The list codes a screen asks for: None for every list ('all'), {'EL'} for 'EL'."""
    if lists == ALL:
        return None
    return {lists} if isinstance(lists, str) else set(lists)


def _result(query: Query, screened: match.Screened, entries: dict[int, dict], names: dict[int, dict],
            lists: str | Iterable[str]) -> Result:
    asked = asked_lists(lists)
    found = [c for c in screened.candidates if c.verdict != "none"]
    matches = tuple(_match(query, screened, c, entries, names) for c in found
                    if asked is None or c.list in asked)
    verdict = matches[0].verdict if matches else "none"
    note = ""
    other = next((c for c in found if asked is not None and c.list not in asked), None)
    if other is not None:
        text = names[other.name_no]["text"]
        where = f"on {list_label(other.list)} as '{text}' ({other.verdict} match, score {other.score:g})"
        missing = "not on the Entity List; " if asked == {EL} else "not on the lists screened; "
        note = (missing if not matches else "also ") + where
    return Result(query, verdict, matches, note)


# --- The CSV kept as evidence ---

def reference_column(header: str | None) -> str:
    """The results' column of the user's own reference: 'reference', with the upload's header in
    brackets, so a header never takes the name of another column ('name', 'list', 'verdict')."""
    header = (header or "").strip()
    return "reference" if header in ("", "reference") else f"reference ({header})"


def results_frame(results: list[Result], version: dict, data_as_of: str, screened_at: datetime,
                  lists: str, reference_name: str = "reference") -> pd.DataFrame:
    """One row per match (one per name with none), each input line kept, with the user's reference,
    the list version, the data-as-of date, the thresholds and the time of the screen."""
    thresholds = "; ".join(f"{k}: {v}" for k, v in match.THRESHOLDS.items())
    screened_against = ("Entity List (this dashboard's entries)" if lists == EL else
                        "Entity List (this dashboard's entries) and every other list of the Consolidated "
                        "Screening List")
    reference = reference_column(reference_name)
    rows = []
    for r in results:
        base = {"line": r.query.line, "input": r.query.text, reference: r.query.reference,
                "name": r.query.name, "country": r.query.country, "verdict": r.verdict, "note": r.note}
        for rank, m in enumerate(r.matches or [None], start=1):
            row = dict(base)
            if m is not None:
                row.update({"match": rank, "list": m.list, "entity_id": m.entity_id, "listed_name": m.name,
                            "matched_name": m.matched_name, "match_verdict": m.verdict, "score": m.score,
                            "reason": m.reason, "destination": m.destination, "listed_date": m.listed_date,
                            "license_requirement": m.license_requirement,
                            "license_review_policy": m.license_policy, "link": m.link})
            rows.append(row)
    columns = ["line", "input", reference, "name", "country", "verdict", "match", "list",
               "entity_id", "listed_name", "matched_name", "match_verdict", "score", "reason", "destination",
               "listed_date", "license_requirement", "license_review_policy", "link", "note"]
    frame = pd.DataFrame(rows, columns=columns)
    frame["match"] = frame["match"].astype("Int64")  # 1, 2, ... (empty for a name without one), not 1.0
    frame["screened_against"] = screened_against
    frame["list_version"] = version.get("version_id") or ""
    frame["data_as_of"] = data_as_of or ""
    frame["thresholds"] = thresholds
    frame["screened_at"] = screened_at.isoformat(timespec="seconds")
    return frame
