"""Importers: the shared source files -> the project's inputs, in the project's schema.

`import_shared(src, dest)` reads version 2 of the shared source files (`../shared/data/v2`, described
in its `SOURCES.md`): `entities.csv`, `entry_citations.csv`, `fr_rules.csv`, `removal_rules.csv`,
`removals.csv`, `list_versions/versions.csv` and the seven version files beside it, `companies.csv`
and `responses.csv`. Version 2 has no moments file: `moments.csv` is read from version 1, the folder
above (`src / "moments.csv"` is used instead when a source folder has one). The `diff_*.csv` files of
`list_versions/` are the package's own checks, not inputs, and are not read.

Facts carry over unchanged, with their sources; what is normalised or derived (ids, events, company
links, status) says how in the row:

- every citation of an entry's eCFR cell (entities.csv `fr_citations`) is one event: the first its
  listing, later ones revisions (derivation 'inferred': the action comes from the citation's place),
  dated where the cell dates it, with the rule recorded for that date and page, else 'rule not
  recorded'. The Consolidated Screening List citations that the cell lacks (entry_citations.csv) are
  kept on the entry as evidence, not made events;
- a named removal (removals.csv) of an entry no longer on the list keeps the entry, with status
  removed, its text and citations from the newest eCFR version of the list that holds it, and its
  removal event ('stated' or 'inferred' as removals.csv's confidence says). Its id is minted once,
  after the highest id in use, and recorded in MINTED_IDS so that every import gives it again;
- a removal of parts of an entry that stays listed (the three Indian research centres of EL-1377) is
  the revision of that entry that names them (events.parts_removed), not a removed entry;
- a removal whose names no source gives stays a count on its rule (removal_rules.csv -> rules).
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from tracker import schema
from tracker.citations import Citation, parse_citations, split_citation, year_of_volume
from tracker.inputs.files import write_rows

ENTITY_SOURCE = (
    "eCFR Supp. No. 4 to Part 744: citations, licence requirement and review policy from the eCFR XML of "
    "2026-07-23 (CledwynJones/exportcontrolecfr@a6da8dc1:ecfr_data/title-15_part-744.xml); name, aliases "
    "and address from the text as downloaded July 2026, parsed by github.com/phagehunter/nsfreg@02787e87, "
    "unless the notes say otherwise")

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
    # Version 2's profiles, from their sector text:
    "nso-group": "Surveillance",  # "Cyber-surveillance software (Pegasus spyware)"
    "positive-technologies": "Cybersecurity",  # "Cybersecurity (software, vulnerability research)"
    "kaspersky": "Cybersecurity",  # "Cybersecurity / antivirus software"
    "wingtech": "Semiconductors",  # "Semiconductors (Nexperia) and electronics ODM/assembly"
    "fujian-jinhua": "Semiconductors",  # "Semiconductors (DRAM memory manufacturing)"
    "hygon": "Semiconductors",  # "Semiconductors (x86 server CPUs, DCU accelerators)"
    "phytium": "Semiconductors",  # "Semiconductors (Arm-based server and desktop CPUs)"
    "smee": "Semiconductors",  # "Semiconductor equipment (lithography scanners)"
    "naura": "Semiconductors",  # "Semiconductor equipment (etch, deposition, cleaning)"
    "baai": "Artificial intelligence",  # "AI research (non-profit; WuDao models, open-source releases)"
    "intellexa": "Surveillance",  # "Commercial spyware (Predator)"
    "cloudwalk": "Artificial intelligence",  # "Artificial intelligence (facial recognition)"
    "intellifusion": "Artificial intelligence",  # "Artificial intelligence (vision AI, AI chips)"
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

# Ids given to entries no longer on the list, by (destination, name as removals.csv gives them). Each
# was minted once, after the highest id then in use (EL-3411), in the order removals.csv names them,
# and is recorded here so that every import gives the same id; an id is never given to another entry.
# A removed entry not recorded here gets the next id after the highest in use, and the report says
# to record it.
MINTED_IDS = {
    ("China", "Ministry of Public Security's Institute of Forensic Science of China"): "EL-3412",
    ("Canada", "Sandvine Incorporated (Sandvine)"): "EL-3413",
    ("United Arab Emirates", "Jazirah Aviation Club"): "EL-3414",
    ("China", "Hefei Bitland Information Technology Co. Ltd."): "EL-3415",
}

# The kind of source of each version of the list, by the start of its id (list_versions/versions.csv).
VERSION_KINDS = {"ecfr_": "ecfr", "bis_csv_": "bis_csv", "csl_": "screening_list"}
# entities.csv takes its citations, licence cells and names from the full eCFR text of 2026-07-23
# (SOURCES.md, entities.csv).
ENTRIES_VERSION = "ecfr_2026-07-23"
# How the shared files say that a rule's only sources are weak ('Weak provenance: <why>.').
_WEAK_SOURCE = re.compile(r"Weak provenance: ([^.]+)")
# What the removals research says of an entry no version holds: "Added 2024-02-27 (2024-03674, 89 FR 14403)".
_ADDED_NOTE = re.compile(r"Added (\d{4}-\d{2}-\d{2}) \((\d{4}-\d{5}), (\d{1,3} FR \d{1,6})\)")
_ANNOUNCED = re.compile(r"press release (\d{4}-\d{2}-\d{2})")


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


def moments_file(src: Path) -> Path:
    """The moments of a source folder: its own moments.csv, else version 1's, one folder up."""
    own = Path(src) / "moments.csv"
    return own if own.exists() else Path(src).parent / "moments.csv"


SOURCE_FILES = ("entities.csv", "entry_citations.csv", "fr_rules.csv", "removal_rules.csv", "removals.csv",
                "companies.csv", "responses.csv", "list_versions/versions.csv")


def missing_files(src: Path) -> list[str]:
    """The source files `import_shared` needs that `src` (and, for moments, the folder above) lacks."""
    missing = [name for name in SOURCE_FILES if not (Path(src) / name).exists()]
    return missing + ([] if moments_file(src).exists() else ["moments.csv (nor ../moments.csv)"])


def import_shared(src: Path, dest: Path) -> ImportReport:
    """Read the shared source files (version 2) in `src` and write the inputs to `dest`."""
    src = Path(src)
    report = ImportReport()
    label = src.name  # "v2": the evidence column names the files as v2/entities.csv ...
    company_rows = read_csv(src / "companies.csv")
    companies = _companies(company_rows)
    rules = _rules(read_csv(src / "fr_rules.csv"), read_csv(src / "removal_rules.csv"), report)
    entities = _entities(read_csv(src / "entities.csv"), read_csv(src / "entry_citations.csv"))
    versions, version_rows = _versions(src / "list_versions", report)
    _link_companies(entities, companies, company_rows)
    events = _events(entities, rules, report, label)
    _removals(read_csv(src / "removals.csv"), entities, events, rules, versions, version_rows, report,
              label)
    responses = _responses(read_csv(src / "responses.csv"), companies, report)
    moments = _moments(read_csv(moments_file(src)))
    report.notes.append(f"moments.csv read from {moments_file(src)} (version 2 has no moments file)")
    _count_history(entities, events, report)
    entities.sort(key=lambda e: e["entity_id"])
    events.sort(key=lambda e: (e["entity_id"], int(e["event_id"].rpartition("-")[2])))
    dest.mkdir(parents=True, exist_ok=True)
    for table, rows in ((schema.COMPANIES, companies), (schema.RULES, rules),
                        (schema.ENTITIES, entities), (schema.EVENTS, events),
                        (schema.RESPONSES, responses), (schema.MOMENTS, moments),
                        (schema.LIST_VERSIONS, versions), (schema.VERSION_ROWS, version_rows)):
        write_rows(dest / table.filename, table, rows)
        report.counts[table.name] = len(rows)
    _import_screening_list(src, dest, report)
    return report


# --- Companies ---

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
    """'Moore Threads (EL entry: Moore Thread ... (Beijing) ...)' -> name, and the names in the
    brackets that close it as aliases ('; ' separates several). Brackets inside the name stay:
    'Shanghai Micro Electronics Equipment (Group) Co., Ltd. (SMEE)'."""
    groups: list[str] = []
    rest = name.strip()
    while rest.endswith(")"):
        depth, start = 0, None
        for index in range(len(rest) - 1, -1, -1):
            depth += {")": 1, "(": -1}.get(rest[index], 0)
            if depth == 0:
                start = index
                break
        if not start:  # unbalanced, or the whole name is in brackets
            break
        groups.insert(0, rest[start + 1:-1])
        rest = rest[:start].rstrip()
    bare = re.sub(r"\s+", " ", rest).strip()
    aliases = [re.sub(r"^EL entry:\s*", "", part).strip() for group in groups for part in group.split(";")]
    return bare, [a for a in aliases if a and a != bare]


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


# --- Rules, and the counts of the rules that removed entries ---

def _rules(rows: list[dict[str, str]], removal_rows: list[dict[str, str]],
           report: ImportReport) -> list[dict[str, str]]:
    out = [_rule(row) for row in rows]
    for removal in removal_rows:
        rule = _rule_of_removal(removal, out)
        if rule is None:
            rule = _announced_rule(removal)
            out.append(rule)
            report.notes.append(f"removal_rules.csv: '{removal['title']}' matches no rule of fr_rules.csv; "
                                f"recorded as rule {rule['rule_id']} (no publication date)")
        _add_removal_counts(rule, removal)
    return out


def _rule(row: dict[str, str]) -> dict[str, str]:
    citation = row["fr_citation"]
    rule_id = row["document_number"] or (
        f"{row['publication_date']}-{citation.replace(' ', '')}" if citation
        else f"{row['publication_date']}-untitled")
    counts = ";".join(f"{country(c.split(':')[0])}:{c.split(':')[1]}"
                      for c in row["country_counts"].split(";") if c.strip())
    url = row["url"]
    if not url and row["document_number"]:
        url = f"https://www.federalregister.gov/d/{row['document_number']}"
    return {
        "rule_id": rule_id,
        "publication_date": row["publication_date"],
        "document_number": row["document_number"],
        "fr_citation": citation,
        "title": row["title"],
        "scope": row["rule_scope"],
        # The source writes the Hong Kong rule's kind as 'moved'; the schema's word is 'move'.
        "actions": ";".join("move" if a == "moved" else a for a in row["actions"].split(";") if a),
        "entities_added": row["entities_added"],
        "entries_added": row["entries_added"],
        "entries_revised": row["entries_revised"],
        "entries_corrected": row["entries_corrected"],
        "entities_removed": row["entities_removed"],
        "country_counts": counts,
        "summary": row["summary"],
        "url": url,
        "counts_source": row["counts_source"],
        "sources": schema.LIST_SEPARATOR.join(_items(row["sources"])),
        "notes": row["notes"],
        "source_caveat": _source_caveat(row["notes"]),
    }


def _source_caveat(notes: str) -> str:
    weak = _WEAK_SOURCE.search(notes)
    return weak.group(1).strip() if weak else ""


def _items(text: str) -> list[str]:
    return list(dict.fromkeys(s.strip() for s in text.split(";") if s.strip()))


def _rule_of_removal(removal: dict[str, str], rules: list[dict[str, str]]) -> dict[str, str] | None:
    """The rule a row of removal_rules.csv counts for: same document number, else same first page,
    else the only rule of that day."""
    for column, value in (("document_number", removal["rule_document_number"]),
                          ("fr_citation", removal["rule_fr_citation"])):
        found = [r for r in rules if value and r[column] == value]
        if len(found) == 1:
            return found[0]
    same_day = [r for r in rules if removal["publication_date"] and
                r["publication_date"] == removal["publication_date"]]
    return same_day[0] if len(same_day) == 1 else None


def _announced_rule(removal: dict[str, str]) -> dict[str, str]:
    """A row for a removal whose rule was not found: dated by nothing, named by its announcement."""
    announced = _ANNOUNCED.search(removal["title"])
    rule_id = f"{announced.group(1)}-BIS-press-release" if announced else f"removal-{_fold(removal['title'])}"
    return {
        "rule_id": rule_id, "publication_date": "", "document_number": "", "fr_citation": "",
        "title": removal["title"], "scope": "entity_list_change", "actions": "remove",
        "entities_added": "", "entries_added": "", "entries_revised": "", "entries_corrected": "",
        "entities_removed": "", "country_counts": "", "summary": "", "url": "",
        "counts_source": "removals research (removal_rules.csv)", "sources": "",
        "notes": "From the removals research (removal_rules.csv): the Federal Register rule was not found, "
                 "so the row has no publication date" + (f"; BIS announced the removal on "
                                                         f"{announced.group(1)}" if announced else ""),
    }


def _add_removal_counts(rule: dict[str, str], removal: dict[str, str]) -> None:
    stated = removal["stated_removed"]
    rule.update({
        "effective_date": removal["effective_date"],
        "stated_removed": stated,
        "stated_removed_destinations": removal["stated_destinations"],
        "names_removed": schema.LIST_SEPARATOR.join(_items(removal["names_found"])),
        "names_sourced": removal["names_sourced"],
        "names_stated": removal["names_stated"],
        "names_inferred": removal["names_inferred"],
        "removal_notes": removal["notes"],
    })
    rule["source_caveat"] = rule.get("source_caveat") or _source_caveat(removal["notes"])
    sources = _items(rule["sources"].replace(schema.LIST_SEPARATOR, ";")) + _items(removal["source"])
    rule["sources"] = schema.LIST_SEPARATOR.join(dict.fromkeys(sources))
    # The number only where the count is a plain number: '3 (one each)' may be entries, not entities.
    # A number the Federal Register summary gives (counts_source) stays.
    if re.fullmatch(r"\d+", stated):
        if not rule["entities_removed"]:
            rule["notes"] = _joined(rule["notes"],
                                    "entities_removed from the removals research's stated count")
        rule["entities_removed"] = stated
    elif rule["entities_removed"] and rule["counts_source"].startswith("removals research"):
        rule["notes"] = _joined(rule["notes"], f"entities_removed left empty: the removals research states "
                                               f"'{stated}', not a plain number (see stated_removed)")
        rule["entities_removed"] = ""


# --- Entries ---

def _entities(rows: list[dict[str, str]], citation_rows: list[dict[str, str]]) -> list[dict]:
    screening = defaultdict(list)
    for row in citation_rows:
        if row["citation_source"].startswith("csl"):
            screening[row["entity_id"]].append(row["fr_citation"])
    out = []
    for row in rows:
        citations = _cell_citations(row["fr_citations"])
        out.append({
            "entity_id": row["entity_id"],
            "destination": country(row["country"]),
            "name": row["name"],
            "aliases": row["aliases"],
            "local_name": "",
            "address": row["address"],
            "entry_type": row["entry_type"],
            "status": schema.LISTED,
            "license_requirement": row["license_requirement"],
            "license_review_policy": row["license_review_policy"],
            "fr_citations": schema.CITATION_SEPARATOR.join(c.text for c in citations),
            "screening_list_citations": schema.CITATION_SEPARATOR.join(
                dict.fromkeys(screening[row["entity_id"]])),
            "company_id": "",
            "company_link": "",
            "source": ENTITY_SOURCE,
            "notes": row["qa_flag"],
            # Kept aside for event derivation; not columns of the input.
            "_citations": citations,
            "_cell": "entities.csv fr_citations",
        })
    return out


def _cell_citations(cell: str) -> list[Citation]:
    """The citations of a citation cell ('85 FR 34505, 6/5/20; 85 FR 44161'), in the cell's order,
    each with its date where the cell gives one (a date whose year is not the volume's is dropped)."""
    found: dict[str, Citation] = {}
    for part in cell.split(schema.CITATION_SEPARATOR):
        for citation in parse_citations(part):
            if citation.text not in found or (found[citation.text].date is None and citation.date):
                found[citation.text] = citation
    return list(found.values())


# --- Events ---

def _events(entities: list[dict], rules: list[dict[str, str]], report: ImportReport,
            label: str) -> list[dict]:
    dated_pages = {}
    for entity in entities:
        for c in entity["_citations"]:
            if c.date:
                dated_pages.setdefault((c.volume, c.page), (c.date, entity["entity_id"]))
    by_date = _rules_by_date(rules)
    events = []
    undated = 0
    for entity in entities:
        citations = entity["_citations"]
        for number, c in enumerate(citations, start=1):
            event = _citation_event(entity, number, c, len(citations), by_date, label, entity["_cell"])
            if c.date is None:
                undated += 1
                if (c.volume, c.page) in dated_pages:
                    other_date, other = dated_pages[(c.volume, c.page)]
                    event["note"] = _joined(event["note"], f"{other} cites the same page dated "
                                            f"{other_date.isoformat()}, but a page can carry both additions "
                                            "and revisions, so the date is not copied")
            events.append(event)
    if undated:
        report.notes.append(f"{undated} citations carry no date in the source; their events have a year only")
    return events


def _rules_by_date(rules: list[dict[str, str]]) -> dict[str, list[dict[str, str]]]:
    by_date = defaultdict(list)
    for rule in rules:
        if rule["scope"] == "entity_list_change" and rule["publication_date"]:
            by_date[rule["publication_date"]].append(rule)
    return by_date


def _citation_event(entity: dict, number: int, c: Citation, of: int, by_date: dict, label: str,
                    cell: str) -> dict[str, str]:
    """The event of one citation of an entry's cell: its first is the listing, a later one a revision."""
    iso = c.date.isoformat() if c.date else ""
    rule_id = _rule_for(c.page, by_date.get(iso, [])) if iso else ""
    note = "" if c.date else "the source gives no date for this citation; year from the FR volume"
    return {
        "event_id": f"{entity['entity_id']}-{number}",
        "entity_id": entity["entity_id"],
        "action": "added" if number == 1 else "revised",
        "date": iso,
        "year": str(c.year),
        "fr_citation": c.text,
        "rule_id": rule_id,
        "derivation": "inferred",
        "evidence": f"{label}/{cell}, citation {number} of {of}"
                    + (" (the first: the listing)" if number == 1 else " (a later one: a revision)"),
        "parts_removed": "",
        "note": note if rule_id else _joined(note, schema.RULE_NOT_RECORDED),
    }


def _joined(*parts: str) -> str:
    return "; ".join(p for p in parts if p)


def _rule_for(page: int, candidates: list[dict[str, str]]) -> str:
    """The rule of a same-day citation: the only rule that day, else the last one starting at or before it."""
    if len(candidates) == 1:
        return candidates[0]["rule_id"]
    starts = [(split_citation(r["fr_citation"]), r["rule_id"]) for r in candidates]
    if not candidates or any(s is None for s, _ in starts):
        return ""
    before = [(s[1], rule_id) for s, rule_id in starts if s[1] <= page]
    return max(before)[1] if before else ""


# --- Versions of the list ---

# The compared fields (schema.VERSION_FIELDS) each version's source lacks, or gives only in part or in
# another shape, as SOURCES.md (v2) describes the sources: a comparison leaves them out.
# - ecfr_2026-07-09, the nsfreg parse: no review policy; citations mostly the first one only; the
#   licence requirement truncated to 200 characters.
# - the BIS CSV (bis_csv_2023-12-07): no destination field (countries of the addresses instead);
#   citations are rule first pages as BIS gives them.
# - the screening list (csl_): the same, and no address text in its projection.
FIELDS_LACKING_BY_VERSION = {"ecfr_2026-07-09": ("license_review_policy",)}
FIELDS_PARTIAL_BY_VERSION = {"ecfr_2026-07-09": ("fr_citations", "license_requirement")}
FIELDS_LACKING_BY_KIND = {"screening_list": ("address",)}
FIELDS_PARTIAL_BY_KIND = {"bis_csv": ("destination", "fr_citations"),
                          "screening_list": ("destination", "fr_citations")}


def version_fields(version_id: str, kind: str) -> dict[str, str]:
    """The fields_lacking and fields_partial cells of a version (see FIELDS_LACKING_BY_VERSION)."""
    lacking = FIELDS_LACKING_BY_VERSION.get(version_id, FIELDS_LACKING_BY_KIND.get(kind, ()))
    partial = FIELDS_PARTIAL_BY_VERSION.get(version_id, FIELDS_PARTIAL_BY_KIND.get(kind, ()))
    return {"fields_lacking": schema.LIST_SEPARATOR.join(lacking),
            "fields_partial": schema.LIST_SEPARATOR.join(partial)}


def _versions(folder: Path, report: ImportReport) -> tuple[list[dict[str, str]], list[dict]]:
    versions, rows = [], []
    for version in read_csv(folder / "versions.csv"):
        version_id = version["version_id"]
        kind = next(k for prefix, k in VERSION_KINDS.items() if version_id.startswith(prefix))
        versions.append({
            "version_id": version_id, "date": version["version_date"], "source_kind": kind, "variant": "",
            "source": version["source"], "source_path": version["source_path"],
            "date_meaning": version["date_meaning"], "notes": version["notes"],
            "used_for": schema.ENTRIES_VERSION_ROLE if version_id == ENTRIES_VERSION else "",
            **version_fields(version_id, kind),
        })
        source_rows = read_csv(folder / f"{version_id}.csv")
        if str(len(source_rows)) != version["rows"]:
            report.notes.append(f"list_versions/{version_id}.csv has {len(source_rows)} rows; versions.csv "
                                f"says {version['rows']}")
        for number, row in enumerate(source_rows, start=1):
            ids = [i.strip() for i in row["entity_id_2026"].split(";") if i.strip()]
            rows.append({
                "row_id": f"{version_id}:{number:05d}", "version_id": version_id, "row": str(number),
                "entity_ids": schema.LIST_SEPARATOR.join(ids), "match": row["match"],
                "destination": row["destination"], "name": row["name"], "aliases": row["aliases"],
                "address": row["address"], "fr_citations": row["fr_citations"],
                "license_requirement": row["license_requirement"],
                "license_review_policy": row["license_review_policy"], "entity_text": row["entity_text"],
            })
    report.notes.append("versions of the list: " + ", ".join(
        f"{v['version_id']} {sum(r['version_id'] == v['version_id'] for r in rows)} rows" for v in versions))
    return versions, rows


# --- Removals ---

def _removals(rows: list[dict[str, str]], entities: list[dict], events: list[dict], rules: list[dict],
              versions: list[dict[str, str]], version_rows: list[dict], report: ImportReport,
              label: str) -> None:
    """Each named removal: a removed entry (kept, with its removal event), or a revision naming the
    parts taken out of an entry that stays listed."""
    listed = {e["entity_id"]: e for e in entities}
    kinds = {v["version_id"]: v for v in versions}
    by_version = defaultdict(list)
    for row in version_rows:
        by_version[row["version_id"]].append(row)
    parts: dict[tuple[str, str], list[tuple[int, dict[str, str]]]] = defaultdict(list)
    by_date = _rules_by_date(rules)
    used = [e["entity_id"] for e in entities] + list(MINTED_IDS.values())
    for line, removal in enumerate(rows, start=2):
        destination, name = country(removal["destination"]), removal["entity_name"]
        held = [v["version_id"] for v in versions
                if f"{v['version_id']}:yes" in removal["snapshot_presence"].split()]
        own = [(version_id, row) for version_id in held for row in by_version[version_id]
               if not row["entity_ids"] and _same_place(row["destination"], destination)
               and _fold(row["name"]) == _fold(name)]
        inside = [(version_id, row) for version_id in held for row in by_version[version_id]
                  if row["entity_ids"] and _fold(_bare(name)) in _fold(" ".join(
                      (row["name"], row["aliases"], row["entity_text"])))]
        owners = set(listed) & {i for _, row in inside
                                for i in row["entity_ids"].split(schema.LIST_SEPARATOR)}
        if not own and len(owners) == 1:
            parts[(owners.pop(), removal["rule_document_number"] or removal["publication_date"])].append(
                (line, removal))
            continue
        entity_id = MINTED_IDS.get((destination, name))
        if entity_id is None:
            entity_id = _next_id(used)
            report.notes.append(f"minted {entity_id} for the removed entry '{name}' ({destination}): record "
                                "it in MINTED_IDS (tracker/importers/shared.py)")
        used.append(entity_id)
        for _, row in own:
            row["entity_ids"], row["match"] = entity_id, "removed_entry"
        text = _newest_text(own, kinds)
        entity = _removed_entity(entity_id, destination, name, removal, text, own, kinds, label)
        entities.append(entity)
        _add_removed_entry_events(entity, removal, rules, by_date, events, label, line)
        report.notes.append(f"{entity_id} '{name}' ({destination}): removed, kept as an entry "
                            + (f"(text from {text[0]})" if text else "(no version of the list holds it)"))
    for (entity_id, _), named in parts.items():
        _name_removed_parts(listed[entity_id], named, events, rules, label, report)


def _same_place(a: str, b: str) -> bool:
    return country(a) == country(b)


def _bare(name: str) -> str:
    """A name without the acronyms in brackets ('Bhabha Atomic Research Center (BARC)' -> 'Bhabha ...')."""
    return re.sub(r"\s*\([^)]*\)", "", name).strip()


def _next_id(used: list[str]) -> str:
    numbers = [int(m.group(1)) for i in used if (m := re.fullmatch(r"EL-(\d+)", i))]
    return f"EL-{max(numbers, default=0) + 1:04d}"


def _newest_text(own: list[tuple[str, dict]], kinds: dict[str, dict]) -> tuple[str, dict] | None:
    """The row of the newest eCFR version that holds the entry (the list's own text and citation cells;
    the BIS and screening list files give rule first pages and no address), else of the newest other."""
    ordered = sorted(own, key=lambda item: (kinds[item[0]]["source_kind"] == "ecfr", kinds[item[0]]["date"]))
    return ordered[-1] if ordered else None


def _removed_entity(entity_id: str, destination: str, name: str, removal: dict[str, str],
                    text: tuple[str, dict] | None, own: list, kinds: dict, label: str) -> dict:
    last_seen = max((kinds[v]["date"] for v, _ in own), default="")
    entity = {
        "entity_id": entity_id, "destination": destination, "name": name, "aliases": "", "local_name": "",
        "address": "", "entry_type": "entity", "status": schema.REMOVED, "license_requirement": "",
        "license_review_policy": "", "fr_citations": "", "screening_list_citations": "", "company_id": "",
        "company_link": "", "_citations": [], "_cell": "",
    }
    if text is None:
        entity["source"] = (f"{label}/removals.csv (name and destination): no version of the list holds the "
                            "entry, so its text, citations and licence columns are not recorded")
        entity["notes"] = removal["snapshot_check"]
        return entity
    version_id, row = text
    version = kinds[version_id]
    citations = _cell_citations(row["fr_citations"])
    entity.update({
        "name": row["name"], "aliases": row["aliases"], "address": row["address"],
        "license_requirement": row["license_requirement"],
        "license_review_policy": row["license_review_policy"],
        "fr_citations": schema.CITATION_SEPARATOR.join(c.text for c in citations),
        "source": f"{version['source']} ({version['source_path']}), version {version_id}, row {row['row']}: "
                  "the newest version of the list's text that holds the entry"
                  + (f"; last seen in a version of {last_seen}" if last_seen > version["date"] else ""),
        "notes": removal["snapshot_check"],
        "_citations": citations,
        "_cell": f"list_versions/{version_id}.csv fr_citations",
    })
    return entity


def _add_removed_entry_events(entity: dict, removal: dict[str, str], rules: list[dict], by_date: dict,
                    events: list[dict], label: str, line: int) -> None:
    """A removed entry's events: its listing and revisions from its citations, else what the removals
    research says of its listing, then its removal."""
    citations = entity.pop("_citations")
    cell = entity.pop("_cell")
    mine = [_citation_event(entity, n, c, len(citations), by_date, label, cell)
            for n, c in enumerate(citations, start=1)]
    added = _ADDED_NOTE.search(removal["notes"]) if not citations else None
    if added:
        when, document, first_page = added.groups()
        rule = next((r for r in rules if r["document_number"] == document), None)
        mine.append({
            "event_id": f"{entity['entity_id']}-1", "entity_id": entity["entity_id"], "action": "added",
            "date": when, "year": when[:4], "fr_citation": "", "rule_id": rule["rule_id"] if rule else "",
            "derivation": "stated", "evidence": f"{label}/removals.csv notes, line {line}",
            "parts_removed": "",
            "note": _joined(f"the removals research records the listing as '{added.group(0)}'; "
                            f"{first_page} is the rule's first page, the entry's own page is not recorded",
                            "" if rule else schema.RULE_NOT_RECORDED),
        })
    rule = _removal_rule(removal, rules)
    when = removal["publication_date"]
    announced = _ANNOUNCED.search(rule["title"]) if rule and not when else None
    year = when[:4] or (str(year_of_volume(split_citation(removal["rule_fr_citation"])[0]))
                        if split_citation(removal["rule_fr_citation"]) else "") or (
                            announced.group(1)[:4] if announced else "")
    note = [removal["snapshot_check"]]
    if removal["effective_date"] and removal["effective_date"] != when:
        note.append(f"effective {removal['effective_date']}")
    if announced:
        note.append(f"the Federal Register rule was not found: no date; the year is that of BIS's "
                    f"announcement ({announced.group(1)})")
    note.append(f"sources: {removal['source']}")
    mine.append({
        "event_id": f"{entity['entity_id']}-{len(mine) + 1}", "entity_id": entity["entity_id"],
        "action": "removed", "date": when, "year": year, "fr_citation": removal["rule_fr_citation"]
        if split_citation(removal["rule_fr_citation"]) else "",
        "rule_id": rule["rule_id"] if rule else "", "derivation": removal["confidence"],
        "evidence": f"{label}/removals.csv line {line} (confidence {removal['confidence']})",
        "parts_removed": "",
        "note": _joined(*note, "" if rule else schema.RULE_NOT_RECORDED),
    })
    events.extend(mine)


def _removal_rule(removal: dict[str, str], rules: list[dict]) -> dict | None:
    """The rule a named removal cites (document number, else first page), else the one whose
    removal counts name it."""
    for column, value in (("document_number", removal["rule_document_number"]),
                          ("fr_citation", removal["rule_fr_citation"])):
        found = [r for r in rules if value and r[column] == value]
        if len(found) == 1:
            return found[0]
    named = [r for r in rules if _fold(_bare(removal["entity_name"])) in
             {_fold(_bare(n)) for n in r.get("names_removed", "").split(schema.LIST_SEPARATOR) if n}]
    return named[0] if len(named) == 1 else None


def _name_removed_parts(entity: dict, named: list[tuple[int, dict[str, str]]], events: list[dict],
                        rules: list[dict], label: str, report: ImportReport) -> None:
    """The revision of an entry that stays listed by which parts of it were removed: its event of that
    day names the parts (a new event only if it has none that day)."""
    first = named[0][1]
    rule = _removal_rule(first, rules)
    lines = ", ".join(str(line) for line, _ in named)
    confidences = {r["confidence"] for _, r in named}
    names = schema.LIST_SEPARATOR.join(r["entity_name"] for _, r in named)
    own = [e for e in events if e["entity_id"] == entity["entity_id"]]
    same_day = [e for e in own if e["date"] == first["publication_date"]]
    if same_day:
        event = same_day[-1]
    else:
        event = {"event_id": f"{entity['entity_id']}-{len(own) + 1}",
                 "entity_id": entity["entity_id"], "action": "revised", "date": first["publication_date"],
                 "year": first["publication_date"][:4], "fr_citation": "", "rule_id": "", "evidence": "",
                 "note": ""}
        events.append(event)
    if rule and not event["rule_id"]:
        event["rule_id"] = rule["rule_id"]
        event["note"] = event["note"].replace(schema.RULE_NOT_RECORDED, "").strip("; ")
    event.update({
        "action": "revised", "parts_removed": names,
        "derivation": "stated" if confidences == {"stated"} else "inferred",
        "evidence": _joined(event["evidence"], f"{label}/removals.csv lines {lines} (confidence "
                                               f"{', '.join(sorted(confidences))})"),
        "note": _joined(event["note"], f"removes {len(named)} parts from the entry, which stays listed: "
                                       f"'{first['quote']}'", f"sources: {first['source']}"),
    })
    report.notes.append(f"{entity['entity_id']} stays listed: its revision of {event['date']} names the "
                        f"{len(named)} parts removed ({names})")


def _count_history(entities: list[dict], events: list[dict], report: ImportReport) -> None:
    statuses = Counter(e["status"] for e in entities)
    report.notes.append("entries: " + ", ".join(f"{n} {s}" for s, n in sorted(statuses.items())))
    actions = Counter((e["action"], e["derivation"]) for e in events)
    report.notes.append("events: " + ", ".join(f"{n} {a} ({d})" for (a, d), n in sorted(actions.items())))
    for entity in entities:
        entity.pop("_citations", None)
        entity.pop("_cell", None)


# --- Responses and moments ---

def _responses(rows: list[dict[str, str]], companies: list[dict[str, str]],
               report: ImportReport) -> list[dict[str, str]]:
    names = {}
    for company in companies:
        for name in [company["name"], *company["aliases"].split(schema.LIST_SEPARATOR)]:
            if name:
                names[_fold(name)] = company["company_id"]
    ids = {_fold(c["company_id"]): c["company_id"] for c in companies}  # 'BAAI' is only in an id
    out = []
    for row in rows:
        company_id = (names.get(_fold(row["company"])) or _company_named_in(row["company"], companies)
                      or ids.get(_fold(row["company"])))
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
            "source_kind": row["source_kind"],
            "source_note": row["source_note"],
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


# --- The Consolidated Screening List (every list) ---

SCREENING_LIST_FILE = re.compile(r"csl_all_(\d{4}-\d{2}-\d{2})\.csv")
# The fields whose text makes the id of a row that has no entity number (DPL, DTC, EL, ISN, MEU,
# UVL): the row's own, so the same row gets the same id at every import, and no two rows of the
# 2026-07-31 export share them (checked: tests/test_screening.py).
SCREENING_ID_FIELDS = ("list", "name", "alt_names", "countries", "federal_register_notice")


def screening_list_file(src: Path) -> Path | None:
    """The newest Consolidated Screening List export of a source folder (csl_all_<date>.csv), if any."""
    found = sorted(p for p in Path(src).glob("csl_all_*.csv") if SCREENING_LIST_FILE.fullmatch(p.name))
    return found[-1] if found else None


def screening_row_id(row: dict[str, str]) -> str:
    """The stable id of a screening-list row: its list's code and entity number, else a digest of
    its own fields (SCREENING_ID_FIELDS)."""
    code = row["list"].split(" ")[0]  # "NS-MBS List" -> "NS-MBS"
    if row.get("entity_number"):
        return f"{code}-{row['entity_number']}"
    text = "\x1f".join(row.get(f, "") for f in SCREENING_ID_FIELDS)
    return f"{code}-{hashlib.sha1(text.encode()).hexdigest()[:10]}"


def _import_screening_list(src: Path, dest: Path, report: ImportReport) -> None:
    path = screening_list_file(src)
    if path is None:
        report.notes.append("no csl_all_<date>.csv in the source folder: no screening list written")
        return
    day = SCREENING_LIST_FILE.fullmatch(path.name).group(1)
    rows = []
    for row in read_csv(path):
        rows.append({**row, "row_id": screening_row_id(row), "version_id": f"csl_all_{day}",
                     "version_date": day,
                     "alt_names": schema.LIST_SEPARATOR.join(
                         a.strip() for a in row["alt_names"].split("|") if a.strip())})
    ids = Counter(r["row_id"] for r in rows)
    for row_id, n in ids.items():
        if n > 1:
            report.unplaced.append(f"{path.name}: {n} rows share the id {row_id}")
    write_rows(dest / schema.SCREENING_LIST.filename, schema.SCREENING_LIST, rows)
    report.counts[schema.SCREENING_LIST.name] = len(rows)
