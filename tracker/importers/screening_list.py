"""Consolidated Screening List exports: match their Entity List rows to the entries and
import what is new or changed (a dry run unless applied; nothing is ever deleted)."""


import csv
import io
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from tracker import schema
from tracker.citations import Citation, parse_citations, split_citation, year_of_volume
from tracker.config import DataPaths
from tracker.editing import saves
from tracker.importers.federal_register import SourceError, change_lines, save_lines
from tracker.importers.shared import country
from tracker.store import build, connection, history

csv.field_size_limit(16 * 1024 * 1024)

Row = dict[str, str]


# --- The Consolidated Screening List ---

EL_SOURCE = "Entity List (EL) - Bureau of Industry and Security"
CSL_REQUIRED = ("source", "name", "alt_names", "addresses", "federal_register_notice", "start_date",
                "license_requirement", "license_policy")
# Country codes closing a CSL address -> the Entity List's destination headings.
COUNTRY_CODES = {
    "AE": "United Arab Emirates", "AF": "Afghanistan", "AM": "Armenia", "AR": "Argentina",
    "AT": "Austria", "AU": "Australia", "AZ": "Azerbaijan", "BE": "Belgium", "BG": "Bulgaria",
    "BH": "Bahrain", "BO": "Bolivia", "BR": "Brazil", "BY": "Belarus", "BZ": "Belize", "CA": "Canada",
    "CH": "Switzerland", "CL": "Chile", "CN": "China", "CR": "Costa Rica", "CU": "Cuba", "CY": "Cyprus",
    "DE": "Germany", "DK": "Denmark", "EC": "Ecuador", "EE": "Estonia", "EG": "Egypt", "ES": "Spain",
    "FI": "Finland", "FR": "France", "GB": "United Kingdom", "GE": "Georgia", "GR": "Greece",
    "HK": "Hong Kong", "HU": "Hungary", "ID": "Indonesia", "IE": "Ireland", "IL": "Israel", "IN": "India",
    "IQ": "Iraq", "IR": "Iran", "IT": "Italy", "JM": "Jamaica", "JO": "Jordan", "JP": "Japan",
    "KE": "Kenya", "KG": "Kyrgyzstan", "KP": "North Korea", "KR": "South Korea", "KW": "Kuwait",
    "KZ": "Kazakhstan", "LA": "Laos", "LB": "Lebanon", "LK": "Sri Lanka", "LT": "Lithuania",
    "LU": "Luxembourg", "LV": "Latvia", "MA": "Morocco", "MG": "Madagascar", "MK": "North Macedonia",
    "MM": "Burma", "MO": "Macau", "MT": "Malta", "MX": "Mexico", "MY": "Malaysia", "NI": "Nicaragua",
    "NL": "Netherlands", "NO": "Norway", "NZ": "New Zealand", "OM": "Oman", "PA": "Panama", "PE": "Peru",
    "PH": "Philippines", "PK": "Pakistan", "PL": "Poland", "PT": "Portugal", "PY": "Paraguay",
    "QA": "Qatar", "RO": "Romania", "RU": "Russia", "SA": "Saudi Arabia", "SE": "Sweden",
    "SG": "Singapore", "SK": "Slovakia", "SN": "Senegal", "SS": "South Sudan", "SY": "Syria",
    "TH": "Thailand", "TJ": "Tajikistan", "TR": "Turkey", "TW": "Taiwan", "UA": "Ukraine",
    "UG": "Uganda", "US": "United States", "UZ": "Uzbekistan", "VE": "Venezuela", "VN": "Vietnam",
    "YE": "Yemen", "ZA": "South Africa",
}
# Destinations an address's country code cannot tell apart from another.
SAME_PLACE = {"Crimea Region of Ukraine": "Ukraine", "Hong Kong": "China", "Macau": "China"}
# More than this share of the active entries gone means the file is most likely not the whole list.
GONE_LIMIT = 0.5


@dataclass(frozen=True)
class CslEntry:
    """One Entity List row of a screening list file."""

    line: int
    name: str
    aliases: tuple[str, ...]
    addresses: tuple[str, ...]  # with the closing country code written out
    destination: str | None
    citations: tuple[Citation, ...]
    start_date: str
    license_requirement: str
    license_policy: str


@dataclass(frozen=True)
class CslFinding:
    """What the import makes of one entry of the file, or of one entry the file no longer lists."""

    status: str  # new, changed, filled, unchanged, gone, relisted, ambiguous, unusable
    name: str
    destination: str
    entity_id: str = ""
    line: int | None = None  # line of the file; None for entries that are gone
    changes: tuple[tuple[str, str, str], ...] = ()  # (column, old, new)
    note: str = ""


CSL_STATUSES = ("new", "changed", "filled", "relisted", "unchanged", "gone", "ambiguous", "unusable")


@dataclass
class CslImport:
    """The report of `import_csl`; `saved` is set when it wrote."""

    file: Path
    rows_read: int
    entity_list_rows: int
    findings: list[CslFinding] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    saved: saves.SaveResult | None = None
    version: Row | None = None  # the list version the export is recorded as
    version_lines: list[str] = field(default_factory=list)  # its rows and its diff against the newest

    def count(self, status: str) -> int:
        """How many findings have this status."""
        return sum(f.status == status for f in self.findings)

    @property
    def writes(self) -> bool:
        """Whether applying would change the inputs (a version of the list is always recorded)."""
        return self.version is not None or any(f.status in ("new", "changed", "filled", "relisted", "gone")
                                               for f in self.findings)

    def lines(self) -> list[str]:
        """The report, one sentence a line, counts first."""
        counts = ", ".join(f"{self.count(s)} {s}" for s in CSL_STATUSES if self.count(s))
        out = [f"{self.file.name}: {self.rows_read} rows, {self.entity_list_rows} from the Entity List: "
               f"{counts or 'nothing to report'}"]
        out += [f"warning: {w}" for w in self.warnings]
        out += self.version_lines
        for f in self.findings:
            if f.status == "unchanged":
                continue
            where = f" (line {f.line})" if f.line else ""
            who = f"{f.entity_id} " if f.entity_id else ""
            out.append(f"{f.status}: {who}{f.name} [{f.destination or 'destination unknown'}]{where}"
                       + (f" - {f.note}" if f.note else ""))
            out += change_lines(f.changes)
        return out + save_lines(self.saved, self.writes)


def read_csl(path: Path) -> tuple[int, list[CslEntry]]:
    """Rows read, and the Entity List rows, of a CSL CSV export; SourceError names file, line and column."""
    path = Path(path)
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line, column = before.count(b"\n") + 1, exc.start - before.rfind(b"\n")
        raise SourceError(f"{path}:{line}:{column}: not UTF-8; save the file as 'CSV UTF-8'") from None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = [h.strip() for h in next(reader, [])]
        missing = [c for c in CSL_REQUIRED if c not in header]
        if missing:
            raise SourceError(f"{path}:1:{len(header) + 1}: missing column(s) {', '.join(missing)}; "
                              "expected the Consolidated Screening List CSV header (_id,source,...)")
        entries, rows, start = [], 0, reader.line_num + 1
        for record in reader:
            if any(cell.strip() for cell in record):
                rows += 1
                if len(record) != len(header):
                    raise SourceError(f"{path}:{start}:{min(len(record), len(header)) + 1}: row has "
                                      f"{len(record)} fields; expected {len(header)} as in the header")
                row = {h: cell.strip() for h, cell in zip(header, record, strict=True)}
                if row["source"] == EL_SOURCE:
                    entries.append(_csl_entry(start, row))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise SourceError(f"{path}:{start}:1: cannot read this record ({exc})") from None
    return rows, entries


def _csl_entry(line: int, row: Row) -> CslEntry:
    addresses = tuple(_spelled_out(a) for a in row["addresses"].split(";") if a.strip())
    return CslEntry(line, row["name"], tuple(a.strip() for a in row["alt_names"].split(";") if a.strip()),
                    addresses, _destination(row["addresses"]),
                    tuple(parse_citations(row["federal_register_notice"])), row["start_date"],
                    row["license_requirement"], row["license_policy"])


def _spelled_out(address: str) -> str:
    head, _, last = address.strip().rpartition(",")
    if head and last.strip() in COUNTRY_CODES:
        return f"{head}, {COUNTRY_CODES[last.strip()]}"
    return address.strip()


def _destination(addresses: str) -> str | None:
    first = addresses.split(";")[0]
    last = first.rpartition(",")[2].strip().rstrip(".")
    if last in COUNTRY_CODES:
        return COUNTRY_CODES[last]
    return country(last) if country(last) in COUNTRY_CODES.values() else None


def _fold(text: str) -> str:
    return re.sub(r"[^\w]+", " ", text.lower()).strip()


_COUNTRY_ENDINGS = sorted({_fold(n) for n in COUNTRY_CODES.values()} | {c.lower() for c in COUNTRY_CODES},
                          key=len, reverse=True)


def _address_keys(addresses: list[str] | tuple[str, ...]) -> set[str]:
    """Addresses compared without punctuation, a leading 'and' or the closing country."""
    keys = set()
    for address in addresses:
        key = re.sub(r"^and ", "", _fold(address))
        for ending in _COUNTRY_ENDINGS:
            if key.endswith(" " + ending):
                key = key[: -len(ending) - 1]
                break
        if key:
            keys.add(key)
    return keys


def _split_address(text: str) -> list[str]:
    return [a for a in re.split(r";\s*(?:and\s+)?", text) if a.strip()]


def _place(destination: str) -> str:
    return SAME_PLACE.get(destination, destination)


def import_csl(paths: DataPaths, csv_path: Path, apply: bool, editor: str | None = None,
               partial: bool = False) -> CslImport:
    """Compare a CSL export with the entities input (new, changed, gone); with apply, record it as events.

    `partial` says the file is not the whole list, so nothing is reported gone.
    """
    csv_path = Path(csv_path)
    rows_read, entries = read_csl(csv_path)
    report = CslImport(csv_path, rows_read, len(entries))
    entities = saves.read_rows(paths, "entities")
    events = saves.read_rows(paths, "events")
    plan = _CslPlan(entities, events, saves.read_rows(paths, "rules"), csv_path.name)
    report.findings = plan.compare(entries, partial)
    active = sum(1 for e in entities[: plan.existing] if not plan.is_removed(e))
    gone = report.count("gone")
    if gone and gone > GONE_LIMIT * active:
        report.warnings.append(f"{gone} of {active} active entries are not in the file; if it is not the "
                               "whole Entity List, run with --partial")
        if apply:
            raise SourceError(f"{csv_path}: {gone} of {active} active entries would be marked removed; "
                              "nothing was written. If the file is only part of the list, use --partial")
    if not entries:
        report.warnings.append(f"no row has source '{EL_SOURCE}'")
    replacements = plan.replacements(paths)
    if entries:
        versions = saves.read_rows(paths, "list_versions")
        version, rows = _version(versions, entries, report.findings, csv_path.name, plan.today)
        same = _same_as(paths, versions, rows)
        if same:
            report.version_lines = [f"version: the export reads as version {same} does; no version recorded"]
        else:
            report.version = version
            replacements["list_versions"] = saves.with_rows(paths, "list_versions", [version])
            replacements["version_rows"] = saves.with_rows(paths, "version_rows", rows)
            report.version_lines = _version_lines(paths, replacements, versions, version, rows)
    if apply and report.writes:
        report.saved = saves.save_inputs(paths, replacements, editor, action="import-csl",
                                           details={"source_file": csv_path.name})
    return report


# --- The export as a version of the list ---

CSL_KIND = "screening_list"
# A CSL export gives countries of addresses, not the list's destination headings, and rule first
# pages, not the list's dated citation cells (see tracker.importers.shared.FIELDS_PARTIAL_BY_KIND);
# unlike the projection in the shared data it has the address text.
CSL_FIELDS_PARTIAL = ("destination", "fr_citations")
DIFF_SHOWN = 20  # added and removed entries named in the report; the rest counted


def _version(versions: list[Row], entries: list[CslEntry], findings: list[CslFinding], file_name: str,
             today: str) -> tuple[Row, list[Row]]:
    """The list version the export is recorded as, and its rows matched to entries as the import
    matched them. A second screening-list version on one day is named apart by its variant."""
    same_day = sum(v["source_kind"] == CSL_KIND and v["date"] == today for v in versions)
    version_id = f"csl_{today}" + (f".{same_day + 1}" if same_day else "")
    version = {"version_id": version_id, "date": today, "source_kind": CSL_KIND,
               "variant": f"import {same_day + 1}" if same_day else "",
               "source": "ITA Consolidated Screening List export, Entity List rows",
               "source_path": file_name, "date_meaning": "the day the export was imported (the file "
                                                         "carries no date of its own)",
               "notes": f"recorded by import-csl from {file_name}; rows matched to entries by name or "
                        "alias and destination, as the import matched them",
               "fields_lacking": "", "fields_partial": schema.LIST_SEPARATOR.join(CSL_FIELDS_PARTIAL)}
    rows = []
    for number, (entry, finding) in enumerate(zip(entries, findings, strict=False), start=1):
        matched = finding.status not in ("ambiguous", "unusable") and finding.entity_id
        match = ("exact" if _fold(entry.name) == _fold(finding.name) or finding.status == "new" else "alias"
                 ) if matched else "none"
        rows.append({"row_id": f"{version_id}:{number:05d}", "version_id": version_id, "row": str(number),
                     "entity_ids": finding.entity_id if matched else "", "match": match,
                     "destination": entry.destination or "", "name": entry.name,
                     "aliases": schema.LIST_SEPARATOR.join(entry.aliases),
                     "address": "; ".join(entry.addresses),
                     "fr_citations": schema.CITATION_SEPARATOR.join(c.text for c in entry.citations),
                     "license_requirement": entry.license_requirement,
                     "license_review_policy": entry.license_policy, "entity_text": ""})
    return version, rows


def _same_as(paths: DataPaths, versions: list[Row], rows: list[Row]) -> str | None:
    """The id of the newest screening-list version whose rows read as these do (an export imported
    twice), else None."""
    mine = [v for v in versions if v["source_kind"] == CSL_KIND]
    if not mine:
        return None
    newest = max(mine, key=lambda v: (v["date"], v["version_id"]))["version_id"]

    def content(row: Row) -> tuple:
        return tuple(row.get(c, "") for c in schema.VERSION_ROWS.column_names
                     if c not in ("row_id", "version_id"))

    held = [content(r) for r in saves.read_rows(paths, "version_rows") if r["version_id"] == newest]
    return newest if held == [content(r) for r in rows] else None


def _version_lines(paths: DataPaths, replacements: dict[str, bytes], versions: list[Row], version: Row,
                   rows: list[Row]) -> list[str]:
    """The new version, and its diff against the newest version before it, from a store built of the
    inputs as they would be (in a folder of its own: the inputs and the store are not touched)."""
    matched = sum(bool(r["entity_ids"]) for r in rows)
    out = [f"version {version['version_id']}: {len(rows)} rows, {matched} matched to entries, "
           f"{len(rows) - matched} matched to none (neither added nor removed)"]
    if not versions:
        return out + ["no earlier version of the list to compare it with"]
    newest = max(versions, key=lambda v: (v["date"], v["version_id"]))
    with tempfile.TemporaryDirectory(prefix="import-csl-") as folder:
        trial = DataPaths(Path(folder))
        shutil.copytree(paths.inputs, trial.inputs)
        for name, data in replacements.items():
            (trial.inputs / schema.TABLES_BY_NAME[name].filename).write_bytes(data)
        try:
            built = build.build_store(trial)
        except build.BuildError as failed:
            return out + [f"warning: the diff could not be made: {failed}"]
        store = connection.Store(built.path)
        try:
            diff = history.version_diff(store.cursor(), newest["version_id"], version["version_id"])
        finally:
            store.close()
    counts = diff.counts
    out.append(f"against {newest['version_id']}: {counts['added']} added, {counts['removed']} removed, "
               f"{counts['changed']} changed, {counts['format_only']} changed in writing only")
    out += [f"  {why}: {schema.VERSION_FIELD_LABELS[f]} not compared" for f, why in diff.not_compared.items()]
    for kind in ("added", "removed"):
        shown = diff.entries[diff.entries["kind"] == kind]
        out += [f"  {kind}: {e.entity_id} {e.name} [{e.destination}]"
                for e in shown.head(DIFF_SHOWN).itertuples()]
        if len(shown) > DIFF_SHOWN:
            out.append(f"  ... and {len(shown) - DIFF_SHOWN} more {kind}")
    return out


class _CslPlan:
    """The comparison of one file with the inputs, and the rows it would write."""

    def __init__(self, entities: list[Row], events: list[Row], rules: list[Row], file_name: str):
        self.entities, self.events, self.rules = entities, events, rules
        self.file_name = file_name
        self.today = datetime.now(UTC).date().isoformat()
        self.existing = len(entities)  # new entries are appended to `entities` after these
        self.new_events: list[Row] = []
        self.updated = False
        self.claimed: set[int] = set()  # entries a row of the file has matched
        self.index: dict[str, list[int]] = {}
        for i in range(len(entities)):
            self._index(i)
        self.last: dict[str, tuple[int, str]] = {}
        for event in events:
            number = event["event_id"].rpartition("-")[2]
            order = int(number) if number.isdigit() else 0
            if order >= self.last.get(event["entity_id"], (-1, ""))[0]:
                self.last[event["entity_id"]] = (order, event["action"])

    def _index(self, i: int) -> None:
        entity = self.entities[i]
        for name in [entity["name"], *entity["aliases"].split(schema.LIST_SEPARATOR)]:
            if _fold(name):
                self.index.setdefault(_fold(name), []).append(i)

    def is_removed(self, entity: Row) -> bool:
        """Whether an entry is off the list: its status says so (or, in inputs without statuses,
        its latest event is a removal)."""
        return (entity.get("status") == schema.REMOVED
                or (not entity.get("status") and self.last_action(entity["entity_id"]) == schema.REMOVED))

    def last_action(self, entity_id: str) -> str:
        """Action of the entry's latest event ('' when it has none)."""
        return self.last.get(entity_id, (0, ""))[1]

    def compare(self, entries: list[CslEntry], partial: bool) -> list[CslFinding]:
        """A finding for every entry of the file and, unless partial, every active entry it lacks."""
        findings = [self._one(entry) for entry in entries]
        if not partial:
            for i, entity in enumerate(self.entities[: self.existing]):
                if i not in self.claimed and not self.is_removed(entity):
                    findings.append(self._gone(entity))
        return findings

    def _candidates(self, entry: CslEntry) -> list[int]:
        names = {_fold(n) for n in (entry.name, *entry.aliases)} - {""}
        found = sorted({i for n in names for i in self.index.get(n, ())})
        if entry.destination:
            found = [i for i in found if _place(self.entities[i]["destination"]) == _place(entry.destination)]
        cited = {c.text for c in entry.citations}
        by_citation = [i for i in found if cited & set(self._citations(self.entities[i]))]
        return by_citation if len(found) > 1 and by_citation else found

    def _one(self, entry: CslEntry) -> CslFinding:
        found = self._candidates(entry)
        unclaimed = [i for i in found if i not in self.claimed]
        destination = entry.destination or ""
        if len(found) > 1 and len(unclaimed) != 1:
            ids = ", ".join(self.entities[i]["entity_id"] for i in found)
            return CslFinding("ambiguous", entry.name, destination, line=entry.line,
                              note=f"matches {ids}; left for an editor")
        if found and not unclaimed:
            return CslFinding("ambiguous", entry.name, destination, self.entities[found[0]]["entity_id"],
                              entry.line, note="another row of the file matches the same entry")
        if not found:
            return self._new(entry)
        self.claimed.add(unclaimed[0])
        return self._matched(self.entities[unclaimed[0]], entry)

    def _new(self, entry: CslEntry) -> CslFinding:
        if not entry.destination or not entry.citations:
            missing = "a country in the address" if not entry.destination else "a Federal Register citation"
            return CslFinding("unusable", entry.name, entry.destination or "", line=entry.line,
                              note=f"the row has no {missing}, so it cannot be added")
        entity = {"entity_id": saves.next_entity_id([e["entity_id"] for e in self.entities]),
                  "destination": entry.destination, "name": entry.name,
                  "aliases": schema.LIST_SEPARATOR.join(entry.aliases),
                  "address": "; ".join(entry.addresses), "entry_type": "entity", "status": schema.LISTED,
                  "license_requirement": entry.license_requirement,
                  "license_review_policy": entry.license_policy,
                  "fr_citations": schema.CITATION_SEPARATOR.join(c.text for c in entry.citations),
                  "source": f"Consolidated Screening List export {self.file_name}, imported {self.today}"}
        self.entities.append(entity)
        self.claimed.add(len(self.entities) - 1)
        self._index(len(self.entities) - 1)
        first = entry.citations[0]
        date = entry.start_date if _year_of(entry.start_date) == first.year else ""
        self._add_event(entity["entity_id"], "added", first, date,
                        "date from the screening list's start_date" if date else
                        "the screening list gives no date of this citation; year from the FR volume")
        return CslFinding("new", entry.name, entry.destination, entity["entity_id"], entry.line)

    def _matched(self, entity: Row, entry: CslEntry) -> CslFinding:
        changed, filled = self._changes(entity, entry)
        status = "changed" if changed else "filled" if filled else "unchanged"
        relisted = self.is_removed(entity)
        for column, _, new in changed + filled:
            entity[column] = new
        if changed or filled:
            entity["source"] += f"; updated from the Consolidated Screening List export {self.file_name}"
            self.updated = True
        citations = self._citations(entity)
        newest = parse_citations(citations[-1])[0] if citations else None
        if relisted and newest:
            status = "relisted"
            entity["status"] = schema.LISTED
            self.updated = True
            self._add_event(entity["entity_id"], "added", newest, "",
                            f"listed again in the Consolidated Screening List export {self.file_name} "
                            f"(imported {self.today})")
        elif changed and newest:
            columns = ", ".join(c for c, _, _ in changed)
            self._add_event(entity["entity_id"], "revised", newest, "",
                            f"{columns} changed in the Consolidated Screening List export "
                            f"{self.file_name} (imported {self.today}); the citation is the entry's newest, "
                            "the file does not say which rule made the change")
        return CslFinding(status, entity["name"], entity["destination"], entity["entity_id"], entry.line,
                          tuple(changed + filled))

    def _changes(self, entity: Row, entry: CslEntry) -> tuple[list, list]:
        """(changed, filled): cells whose value differs, and empty cells the file fills in."""
        changed, filled = [], []

        def note(column: str, new: str, same: bool) -> None:
            old = entity[column]
            if new and not same:
                (changed if old and not old.endswith("...") else filled).append((column, old, new))

        aliases = schema.LIST_SEPARATOR.join(entry.aliases)
        note("aliases", aliases, {_fold(a) for a in entry.aliases}
             == {_fold(a) for a in entity["aliases"].split(schema.LIST_SEPARATOR) if a.strip()})
        note("address", "; ".join(entry.addresses),
             _address_keys(entry.addresses) == _address_keys(_split_address(entity["address"])))
        for column, value in (("license_requirement", entry.license_requirement),
                              ("license_review_policy", entry.license_policy)):
            # The inputs cut long requirements at 200 characters and mark the cut with '...'.
            note(column, value, _fold(value).startswith(_fold(entity[column].removesuffix("...")))
                 if entity[column].endswith("...") else _fold(value) == _fold(entity[column]))
        known = self._citations(entity)
        extra = [c.text for c in entry.citations if c.text not in known]
        if extra:
            merged = sorted({*known, *extra}, key=lambda t: split_citation(t) or (0, 0))
            changed.append(("fr_citations", entity["fr_citations"],
                            schema.CITATION_SEPARATOR.join(merged)))
        return changed, filled

    def _gone(self, entity: Row) -> CslFinding:
        entity["status"] = schema.REMOVED
        self.updated = True
        self._add_event(entity["entity_id"], "removed", None, "",
                        f"not in the Consolidated Screening List export {self.file_name} (imported "
                        f"{self.today}); the file does not give the removing rule, so the removal has no "
                        f"date or citation, and the year is the import's; {schema.RULE_NOT_RECORDED}",
                        year=self.today[:4])
        return CslFinding("gone", entity["name"], entity["destination"], entity["entity_id"],
                          note=f"stays in the inputs, status {schema.REMOVED}, with a 'removed' event")

    @staticmethod
    def _citations(entity: Row) -> list[str]:
        return [c.strip() for c in entity["fr_citations"].split(schema.CITATION_SEPARATOR) if c.strip()]

    def _add_event(self, entity_id: str, action: str, citation: Citation | None, date: str, note: str,
                   year: str | None = None) -> None:
        number = saves.next_event_number(self.events + self.new_events, entity_id)
        rule_id = self._rule_of(citation, date) if citation else ""
        if not rule_id and schema.RULE_NOT_RECORDED not in note:
            note = f"{note}; {schema.RULE_NOT_RECORDED}"
        self.new_events.append({
            "event_id": f"{entity_id}-{number}", "entity_id": entity_id, "action": action, "date": date,
            "year": year or date[:4] or str(year_of_volume(citation.volume)),
            "fr_citation": citation.text if citation else "", "rule_id": rule_id,
            "derivation": "screening list import",
            "evidence": f"Consolidated Screening List export {self.file_name}", "note": note})

    def _rule_of(self, citation: Citation, date: str) -> str:
        """The rule printed that day whose pages start last at or before the citation's page, if any."""
        starts = [(split_citation(r.get("fr_citation", "")), r["rule_id"]) for r in self.rules
                  if date and r["publication_date"] == date and r["scope"] == "entity_list_change"]
        before = [(start[1], rule_id) for start, rule_id in starts
                  if start and start[0] == citation.volume and start[1] <= citation.page]
        return max(before)[1] if before else ""

    def replacements(self, paths: DataPaths) -> dict[str, bytes]:
        """The new bytes of entities.csv and events.csv; rows are only ever added or updated."""
        out = {}
        if self.updated:
            out["entities"] = saves.with_rows(paths, "entities", self.entities, replace=True)
        elif len(self.entities) > self.existing:
            out["entities"] = saves.with_rows(paths, "entities", self.entities[self.existing:])
        if self.new_events:
            out["events"] = saves.with_rows(paths, "events", self.new_events)
        return out


def _year_of(date: str) -> int | None:
    return int(date[:4]) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", date) else None
