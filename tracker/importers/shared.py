"""Importers: the shared source files -> the project's inputs, in the project's schema.

`import_shared(src, dest)` reads `entities.csv`, `fr_rules.csv`, `companies.csv`,
`responses.csv` and `moments.csv` as described in the shared `SOURCES.md` and
writes the six input files. Facts carry over unchanged; what is normalised or
derived (dates, ids, events, company links) says how in the row.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from tracker import schema
from tracker.citations import parse_citations, split_citation
from tracker.inputs.files import write_rows

ENTITY_SOURCE = ("eCFR Supp. No. 4 to Part 744 (text as downloaded July 2026), parsed by "
                 "github.com/phagehunter/nsfreg@02787e87 (license requirement cut at 200 characters)")

# One spelling per country: the Entity List's own destination headings.
COUNTRY_SPELLINGS = {
    "China, People's Republic of": "China",
    "People's Republic of China": "China",
    "PRC": "China",
    "UAE": "United Arab Emirates",
    "Korea, South": "South Korea",
    "Republic of Korea": "South Korea",
    "Russian Federation": "Russia",
    "Myanmar": "Burma",
    "Türkiye": "Turkey",
    "UK": "United Kingdom",
}

# Broad sector of each profile, for grouping charts; the source's own words stay in sector_detail.
PROFILE_SECTORS = {
    "zhipu-ai": "Artificial intelligence",
    "huawei": "Telecommunications",
    "smic": "Semiconductors",
    "sophgo": "Semiconductors",
    "inspur": "Computing",
    "iflytek": "Artificial intelligence",
    "sensetime": "Artificial intelligence",
    "megvii": "Artificial intelligence",
    "hikvision": "Surveillance",
    "dahua": "Surveillance",
    "dji": "Drones",
    "ymtc": "Semiconductors",
    "biren": "Semiconductors",
    "moore-threads": "Semiconductors",
    "sugon": "Computing",
    "cambricon": "Semiconductors",
    "loongson": "Semiconductors",
    "zte": "Telecommunications",
    "xiaomi": "Consumer electronics",
}

# Names under which a profile's affiliates are listed (matched as whole words in
# entry names and aliases), beyond the entries the profile source already names.
AFFILIATE_NAME_TERMS = {
    "huawei": ("Huawei",),
    "smic": ("SMIC", "Semiconductor Manufacturing International"),
    "inspur": ("Inspur",),
    "cambricon": ("Cambricon",),
    "biren": ("Biren",),
    "moore-threads": ("Moore Thread",),
    "ymtc": ("Yangtze Memory",),
    "zhipu-ai": ("Zhipu",),
    "sophgo": ("Sophgo",),
}

# Responses that answer another US measure, told by words their notes use.
OTHER_MEASURES = (
    (r"\b1260H\b|Communist Chinese Military Compan|\bCMC\b", "DoD Chinese military companies list"),
    (r"\bNS-CMIC\b|Treasury", "Treasury NS-CMIC list"),
    (r"FCC|Covered List", "FCC Covered List"),
    (r"\bNDAA\b|section 889|s\.\s?889|1709", "NDAA procurement ban"),
    (r"denial order", "BIS denial order (2018)"),
    (r"October 2022 (chip|export)|Oct(ober)?[- ]2022 rules|chip rules", "October 2022 chip rules"),
)
_NOT_ENTITY_LIST = re.compile(r"not (an|the) Entity List|rather than the Entity List", re.I)


@dataclass
class ImportReport:
    """What the importer wrote, and every row it could not place."""

    counts: dict[str, int] = field(default_factory=dict)
    unplaced: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [f"wrote {n} rows to {name}.csv" for name, n in self.counts.items()]
        out += [f"note: {n}" for n in self.notes]
        out += [f"could not place: {u}" for u in self.unplaced]
        return out


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(handle)]


def country(name: str) -> str:
    """The one spelling of a country used throughout the inputs."""
    return COUNTRY_SPELLINGS.get(name.strip(), name.strip())


def import_shared(src: Path, dest: Path) -> ImportReport:
    """Read the shared source files in `src` and write the inputs to `dest`."""
    report = ImportReport()
    companies = _companies(read_csv(src / "companies.csv"))
    rules = _rules(read_csv(src / "fr_rules.csv"))
    entities = _entities(read_csv(src / "entities.csv"))
    _link_companies(entities, companies, read_csv(src / "companies.csv"))
    events = _events(entities, rules, report)
    responses = _responses(read_csv(src / "responses.csv"), companies, report)
    moments = _moments(read_csv(src / "moments.csv"))
    dest.mkdir(parents=True, exist_ok=True)
    for table, rows in ((schema.COMPANIES, companies), (schema.RULES, rules),
                        (schema.ENTITIES, entities), (schema.EVENTS, events),
                        (schema.RESPONSES, responses), (schema.MOMENTS, moments)):
        write_rows(dest / table.filename, table, rows)
        report.counts[table.name] = len(rows)
    return report


def _companies(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    out = []
    for row in rows:
        name, aliases = _split_profile_name(row["name"])
        website = row["website"]
        if website and not website.startswith(("http://", "https://")):
            website = "https://" + website
        out.append({
            "company_id": row["company_id"],
            "name": name,
            "local_name": row["name_zh"],
            "aliases": schema.LIST_SEPARATOR.join(aliases),
            "country": country(row["country"]),
            "city": row["hq_city"],
            "sector": PROFILE_SECTORS[row["company_id"]],
            "sector_detail": row["sector"],
            "founded": row["founded"],
            "website": website,
            "parent_id": "",
            "description": row["description"],
            "sources": schema.LIST_SEPARATOR.join(u.strip() for u in row["source_urls"].split(";")
                                                  if u.strip()),
        })
    return out


def _split_profile_name(name: str) -> tuple[str, list[str]]:
    """'Moore Threads (EL entry: Moore Thread ... (Beijing) ...)' -> name, bracketed names as aliases."""
    bare, groups, depth, current = "", [], 0, ""
    for char in name:
        if char == "(":
            depth += 1
            if depth == 1:
                current = ""
                continue
        elif char == ")" and depth:
            depth -= 1
            if depth == 0:
                groups.append(current)
                continue
        if depth:
            current += char
        else:
            bare += char
    bare = re.sub(r"\s+", " ", bare).strip()
    aliases = [re.sub(r"^EL entry:\s*", "", g).strip() for g in groups]
    return bare, [a for a in aliases if a and a != bare]


def _rules(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    out = []
    for row in rows:
        citation = row["fr_citation"]
        rule_id = row["document_number"] or (
            f"{row['publication_date']}-{citation.replace(' ', '')}" if citation
            else f"{row['publication_date']}-untitled")
        counts = ";".join(f"{country(c.split(':')[0])}:{c.split(':')[1]}"
                          for c in row["country_counts"].split(";") if c.strip())
        url = row["url"]
        if not url and row["document_number"]:
            url = f"https://www.federalregister.gov/d/{row['document_number']}"
        out.append({
            "rule_id": rule_id,
            "publication_date": row["publication_date"],
            "document_number": row["document_number"],
            "fr_citation": citation,
            "title": row["title"],
            "scope": row["rule_scope"],
            "actions": row["actions"],
            "entities_added": row["entities_added"],
            "entries_added": row["entries_added"],
            "entries_revised": row["entries_revised"],
            "entries_corrected": row["entries_corrected"],
            "entities_removed": row["entities_removed"],
            "country_counts": counts,
            "summary": row["summary"],
            "url": url,
            "counts_source": row["counts_source"],
            "sources": schema.LIST_SEPARATOR.join(s.strip() for s in row["sources"].split(";")
                                                  if s.strip()),
            "notes": row["notes"],
        })
    return out


def _entities(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    out = []
    for row in rows:
        citations = parse_citations(row["fr_citations"])
        out.append({
            "entity_id": row["entity_id"],
            "destination": country(row["country"]),
            "name": row["name"],
            "aliases": row["aliases"],
            "local_name": "",
            "address": row["address"],
            "entry_type": row["entry_type"],
            "license_requirement": row["license_requirement"],
            "license_review_policy": row["license_review_policy"],
            "fr_citations": schema.CITATION_SEPARATOR.join(c.text for c in citations),
            "company_id": "",
            "company_link": "",
            "source": ENTITY_SOURCE,
            # Kept aside for event derivation; not a column of the input.
            "_citations": citations,
        })
    return out


def _link_companies(entities: list[dict], companies: list[dict[str, str]],
                    source_rows: list[dict[str, str]]) -> None:
    by_id = {e["entity_id"]: e for e in entities}
    for row in source_rows:
        for entity_id in filter(None, (i.strip() for i in row["el_entity_ids"].split(";"))):
            if entity_id in by_id:
                by_id[entity_id]["company_id"] = row["company_id"]
                by_id[entity_id]["company_link"] = "named in the profile source (companies.csv el_entity_ids)"
    for company_id, terms in AFFILIATE_NAME_TERMS.items():
        for term in terms:
            pattern = re.compile(rf"\b{re.escape(term)}\b", re.I)
            for entity in entities:
                if entity["company_id"]:
                    continue
                if pattern.search(entity["name"]):
                    entity["company_link"] = f"name contains '{term}'"
                elif pattern.search(entity["aliases"]):
                    entity["company_link"] = f"an alias contains '{term}'"
                else:
                    continue
                entity["company_id"] = company_id


def _events(entities: list[dict], rules: list[dict[str, str]], report: ImportReport) -> list[dict]:
    dated_pages = {}
    for entity in entities:
        for c in entity["_citations"]:
            if c.date:
                dated_pages.setdefault((c.volume, c.page), (c.date, entity["entity_id"]))
    rules_by_date = defaultdict(list)
    for rule in rules:
        if rule["scope"] == "entity_list_change":
            rules_by_date[rule["publication_date"]].append(rule)
    events = []
    undated = 0
    for entity in entities:
        citations = entity.pop("_citations")
        for number, c in enumerate(citations, start=1):
            when, note = c.date, ""
            if when is None:
                undated += 1
                note = "the source gives no date for this citation; year from the FR volume"
                if (c.volume, c.page) in dated_pages:
                    other_date, other = dated_pages[(c.volume, c.page)]
                    note += (f"; {other} cites the same page dated {other_date.isoformat()}, but a "
                             "page can carry both additions and revisions, so the date is not copied")
            iso = when.isoformat() if when else ""
            events.append({
                "event_id": f"{entity['entity_id']}-{number}",
                "entity_id": entity["entity_id"],
                "action": "added" if number == 1 else "revised",
                "date": iso,
                "year": str(c.year),
                "fr_citation": c.text,
                "rule_id": _rule_for(c.page, rules_by_date.get(iso, [])),
                "derivation": "first citation" if number == 1 else "later citation",
                "note": note,
            })
    if undated:
        report.notes.append(f"{undated} citations carry no date in the source; "
                            "their events have a year only")
    return events


def _rule_for(page: int, candidates: list[dict[str, str]]) -> str:
    """The rule of a same-day citation: the only rule that day, else the last one starting at or before it."""
    if len(candidates) == 1:
        return candidates[0]["rule_id"]
    starts = [(split_citation(r["fr_citation"]), r["rule_id"]) for r in candidates]
    if not candidates or any(s is None for s, _ in starts):
        return ""
    before = [(s[1], rule_id) for s, rule_id in starts if s[1] <= page]
    return max(before)[1] if before else ""


def _responses(rows: list[dict[str, str]], companies: list[dict[str, str]],
               report: ImportReport) -> list[dict[str, str]]:
    names = {}
    for company in companies:
        for name in [company["name"], *company["aliases"].split(schema.LIST_SEPARATOR)]:
            if name:
                names[_fold(name)] = company["company_id"]
    out = []
    for row in rows:
        company_id = names.get(_fold(row["company"])) or _company_named_in(row["company"], companies)
        if company_id is not None:
            names[_fold(row["company"])] = company_id
        else:
            report.unplaced.append(f"responses.csv {row['response_id']}: no profile named "
                                   f"'{row['company']}'")
            continue
        out.append({
            "response_id": row["response_id"],
            "company_id": company_id,
            "date": row["date"],
            "category": row["category"],
            "status": row["status"],
            "measure": _measure(row["title"] + " " + row["note"]),
            "title": row["title"],
            "note": row["note"],
            "source_name": row["source_name"],
            "source_url": row["source_url"],
        })
    other = sum(1 for r in out if r["measure"])
    report.notes.append(f"{other} responses answer a US measure other than the Entity List "
                        "(column 'measure')")
    return out


def _company_named_in(name: str, companies: list[dict[str, str]]) -> str | None:
    """The one profile whose name contains `name` as whole words (adding it as an alias), else None."""
    folded = f" {_fold(name)} "
    matches = [c for c in companies if folded in f" {_fold(c['name'])} "]
    if len(matches) != 1:
        return None
    company = matches[0]
    aliases = [a for a in company["aliases"].split(schema.LIST_SEPARATOR) if a]
    company["aliases"] = schema.LIST_SEPARATOR.join([*aliases, name.strip()])
    return company["company_id"]


def _measure(text: str) -> str:
    for pattern, measure in OTHER_MEASURES:
        if re.search(pattern, text, re.I):
            return measure
    return "another US measure" if _NOT_ENTITY_LIST.search(text) else ""


def _fold(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", name.lower()).strip()


def _moments(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    return [{
        "moment_id": row["moment_id"],
        "date": row["date"],
        "title": row["title"],
        "kind": row["kind"],
        "fr_citations": schema.CITATION_SEPARATOR.join(
            c.strip() for c in row["fr_citation"].split(";") if c.strip()),
        "note": row["note"],
        "source_name": row["source_name"],
        "source_url": row["source_url"],
    } for row in rows]
