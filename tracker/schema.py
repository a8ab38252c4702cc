"""The one declaration of every input file: columns, types, rules and vocabularies.

It drives the validator (`tracker.inputs.validate`), the store's column types and derived
columns (`tracker.store.layout`), the column table in `data/inputs/README.md`
(`tracker.inputs.docs`), the editor's column settings (`tracker.ui.editor`) and the labels
the pages and charts show.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

LIST_SEPARATOR = " | "
CITATION_SEPARATOR = "; "


@dataclass(frozen=True)
class Check:
    """One test a non-empty cell must pass, and how a cell that fails it is described."""

    passes: Callable[[str], object]  # truthy when the cell is fine
    problem: str  # the start of the message; {value} stands for the cell as shown


@dataclass(frozen=True, eq=False)  # eq=False: a type is its one declaration, compared by identity
class ColumnType:
    """A kind of cell, declared once: what it must be, what a bad one is told, how the store holds
    it and what the editor's cell accepts. No field has a default, so none can be forgotten."""

    name: str  # as the docs name it
    checks: tuple[Check, ...]  # run in order on a non-empty cell; the first that fails is the problem
    expected: str  # what a good cell looks like; ends every message about a bad one
    sql_type: str  # DuckDB type of the column in the store
    # The regex st.data_editor tests an edited cell with (JavaScript's RegExp.test: a match anywhere
    # in the cell will do; the validator has the last word); None: any text.
    editor_pattern: str | None

    def __str__(self) -> str:
        return self.name


# ASCII digits only: \d also matches other scripts' digits, which the build cannot read as numbers.
_WHOLE_NUMBER = re.compile(r"-?[0-9]+")
_INT_LIMIT = 2**63  # the store's integers are 64-bit; a larger value would fail the build or wrap
CITATION_PATTERN = r"\d{1,3} FR \d{1,6}"  # one citation as the inputs write it: '90 FR 4619'
_CITATION = re.compile(CITATION_PATTERN)
_PARTIAL_DATE = re.compile(r"\d{4}-\d{2}(-\d{2})?")
_WEB_ADDRESS = re.compile(r"https?://[^\s<>\"]+")


def _fits_64_bits(value: str) -> bool:
    # The length first: int() of thousands of digits is slow, and refused past 4,300.
    return len(value.lstrip("-").lstrip("0")) <= 19 and -_INT_LIMIT < int(value) < _INT_LIMIT


def _is_date(value: str) -> bool:
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return len(value) == 10


def _is_date_or_month(value: str) -> bool:
    return bool(_PARTIAL_DATE.fullmatch(value)) and _is_date(value if len(value) == 10 else value + "-01")


def _is_citations(value: str) -> bool:
    return all(_CITATION.fullmatch(part) for part in value.split(CITATION_SEPARATOR))


def _has_no_empty_item(value: str) -> bool:
    if LIST_SEPARATOR not in value:  # most cells: one item, no list made
        return bool(value.strip())
    return all(part.strip() for part in value.split(LIST_SEPARATOR))


TEXT = ColumnType("text", checks=(), expected="text", sql_type="VARCHAR", editor_pattern=None)
INT = ColumnType(
    "integer",
    checks=(Check(_WHOLE_NUMBER.fullmatch, "'{value}' is not a whole number"),
            Check(_fits_64_bits, "'{value}' is too large to be a whole number here")),
    expected="a whole number, e.g. 2019", sql_type="BIGINT", editor_pattern=r"-?\d+")
DATE = ColumnType(
    "date", checks=(Check(_is_date, "'{value}' is not a date"),),
    expected="a date as YYYY-MM-DD, e.g. 2025-01-16", sql_type="DATE", editor_pattern=r"\d{4}-\d{2}-\d{2}")
PARTIAL_DATE = ColumnType(  # kept as text: a month alone is not a DATE (the store derives a day)
    "partial date", checks=(Check(_is_date_or_month, "'{value}' is not a date or a month"),),
    expected="a date as YYYY-MM-DD or a month as YYYY-MM", sql_type="VARCHAR",
    editor_pattern=r"\d{4}-\d{2}(-\d{2})?")
URL = ColumnType(
    "url", checks=(Check(_WEB_ADDRESS.fullmatch, "'{value}' is not a web address"),),
    expected="a web address starting with https:// or http://", sql_type="VARCHAR",
    editor_pattern=r"https?://\S+")
CITATION = ColumnType(
    "FR citation", checks=(Check(_CITATION.fullmatch, "'{value}' is not a Federal Register citation"),),
    expected="a citation such as '90 FR 4619'", sql_type="VARCHAR", editor_pattern=None)
CITATIONS = ColumnType(
    "FR citations", checks=(Check(_is_citations, "'{value}' is not a list of Federal Register citations"),),
    expected="citations such as '90 FR 4617; 90 FR 4621'", sql_type="VARCHAR", editor_pattern=None)
LIST = ColumnType(
    "list", checks=(Check(_has_no_empty_item, "the list has an empty item"),),
    expected=f"values separated by '{LIST_SEPARATOR}'", sql_type="VARCHAR", editor_pattern=None)
COLUMN_TYPES: tuple[ColumnType, ...] = (TEXT, INT, DATE, PARTIAL_DATE, URL, CITATION, CITATIONS, LIST)
# A citation cell as the list prints it: each citation with the date beside it, if any.
_DATED = rf"{CITATION_PATTERN}(, \d{{1,2}}/\d{{1,2}}/\d{{2}})?"
DATED_CITATIONS_PATTERN = rf"{_DATED}(; {_DATED})*"

ACTIONS = ("added", "revised", "removed", "corrected")
RESPONSE_CATEGORIES = (
    "domestic_partnerships",
    "rnd_talent",
    "diversify_revenue",
    "international_expansion",
    "policy_advocacy",
    "alternative_supply_chain",
    "public_statement",
    "legal_challenge",
    "restructuring",
    "other",
)
# How each category is named on the pages, in the charts and in the editor.
RESPONSE_CATEGORY_LABELS = {
    "domestic_partnerships": "Domestic partnerships",
    "rnd_talent": "R&D and talent",
    "diversify_revenue": "Diversify revenue",
    "international_expansion": "International expansion",
    "policy_advocacy": "Policy advocacy",
    "alternative_supply_chain": "Alternative supply chain",
    "public_statement": "Public statement",
    "legal_challenge": "Legal challenge",
    "restructuring": "Restructuring",
    "other": "Other",
}
RESPONSE_STATUSES = ("observed", "announced", "proposed")
RESPONSE_STATUS_LABELS = {status: status.capitalize() for status in RESPONSE_STATUSES}
# What each status says about a note; the status column's description and the pages' legend.
RESPONSE_STATUS_MEANINGS = {
    "observed": "the company did it",
    "announced": "the company said it will",
    "proposed": "an analyst recommended it",
}
RESPONSE_STATUS_LEGEND = " ".join(f"{RESPONSE_STATUS_LABELS[s]}: {RESPONSE_STATUS_MEANINGS[s]}."
                                  for s in RESPONSE_STATUSES)
RULE_SCOPES = ("entity_list_change", "related_rule")
RULE_ACTIONS = ("add", "revise", "remove", "correct", "move")
RULE_SCOPE_LABELS = {"entity_list_change": "Changes to the list", "related_rule": "Related rules"}
MOMENT_KINDS = ("entity_list_rule", "rule", "law", "suspension", "other")

# The licence scope of an entry (the store's `license_scope`), derived from its licence requirement:
# none given -> not stated; one matching LICENSE_ALL_ITEMS_PATTERN in any case -> all items; any
# other -> specific items. tracker.store.layout writes this rule as the SQL that derives the column.
LICENSE_ALL_ITEMS = "all items"
LICENSE_SPECIFIC_ITEMS = "specific items"
LICENSE_NOT_STATED = "not stated"
LICENSE_SCOPES = (LICENSE_ALL_ITEMS, LICENSE_SPECIFIC_ITEMS, LICENSE_NOT_STATED)
# A regular expression for DuckDB's regexp_matches (RE2, 'i': case-insensitive), found anywhere in the text.
LICENSE_ALL_ITEMS_PATTERN = "all items subject to the EAR"
# The licence review policy of an entry grouped into a few families (the store's `policy_family`),
# by the policy its cell states first: "Presumption of denial except case-by-case for ..." is a
# presumption of denial. Each family: (name, DuckDB regular expression at the start of the cell,
# case-insensitive). A cell matching none is "other"; an empty one "not stated".
LICENSE_POLICY_FAMILIES = (
    ("presumption of denial", r"^\s*presumption of denial"),
    ("policy of denial", r"^\s*policy of denial"),
    ("case-by-case", r"^\s*case-by-case"),
    ("presumption of approval", r"^\s*presumption of approval"),
    ("by reference to the EAR", r"^\s*see §"),
)
POLICY_OTHER = "other"
POLICY_NOT_STATED = "not stated"
POLICY_FAMILIES = (*(name for name, _ in LICENSE_POLICY_FAMILIES), POLICY_OTHER, POLICY_NOT_STATED)
# The sector of an entry that no company profile covers.
NO_PROFILE = "No profile"
ENTRY_TYPES = ("entity", "address_only")
# Whether an entry is on the list today. Nothing is deleted: an entry taken off the list stays, removed,
# with its history; the date and rule of its removal are those of its 'removed' event.
LISTED = "listed"
REMOVED = "removed"
ENTRY_STATUSES = (LISTED, REMOVED)
# How an event was obtained, and what each way means (the derivation column's description).
EVENT_DERIVATION_MEANINGS = {
    "stated": "a source says this happened to this entry (the rule, or a report of it, names it)",
    "inferred": "read from indirect evidence: the action from the citation's place in the entry's "
                "citation cell (the first is the listing, a later one a revision), or a removal from "
                "the entry's absence from later versions of the list",
    "editor": "entered by an editor",
    "screening list import": "from a Consolidated Screening List export (python -m tracker import-csl)",
}
EVENT_DERIVATIONS = tuple(EVENT_DERIVATION_MEANINGS)
# The note of an event whose rule is not known (rule_id empty).
RULE_NOT_RECORDED = "rule not recorded"
# A diff of two versions of the list (the Changes page): what happened to each entry, and what a field is
# when a version's source does not give it or gives it only in part.
DIFF_ADDED, DIFF_REMOVED, DIFF_CHANGED, DIFF_FORMAT_ONLY = "added", "removed", "changed", "format_only"
DIFF_KINDS = (DIFF_ADDED, DIFF_REMOVED, DIFF_CHANGED, DIFF_FORMAT_ONLY)
DIFF_KIND_LABELS = {DIFF_ADDED: "Added", DIFF_REMOVED: "Removed", DIFF_CHANGED: "Changed",
                    DIFF_FORMAT_ONLY: "Format only"}
DIFF_NOT_IN_SOURCE = "not in this source"
DIFF_IN_PART = "given only in part or in another shape"
SECTORS = (
    "Artificial intelligence",
    "Semiconductors",
    "Telecommunications",
    "Computing",
    "Surveillance",
    "Drones",
    "Consumer electronics",
    "Cybersecurity",
)
# How strong the source of a response note is (responses.source_kind).
SOURCE_KIND_MEANINGS = {
    "primary": "the company's, a court's or a government's own text",
    "reputable_press": "an established outlet's own report, or its licensed wire copy on its own site",
    "mirror": "a copy of a company, exchange or press text on a third-party site",
    "aggregator": "a site that collects other outlets' reports",
    "analysis": "an analyst's commentary or proposal",
    "reference": "a reference work (encyclopaedia, company register)",
}
SOURCE_KINDS = tuple(SOURCE_KIND_MEANINGS)
# How a page names each strength of source, and which are weak (said so beside the note): a copy, a
# collection of others' reports or commentary is not the reported fact's own source.
SOURCE_KIND_LABELS = {"primary": "primary source", "reputable_press": "reputable press", "mirror": "mirror",
                      "aggregator": "aggregator", "analysis": "analysis", "reference": "reference work"}
WEAK_SOURCE_KINDS = ("mirror", "aggregator", "analysis")
# A note whose source is not yet judged (source_kind empty), as the responses page's filter names it.
SOURCE_NOT_JUDGED = "not_judged"
SOURCE_FILTER_CHOICES = (*SOURCE_KINDS, SOURCE_NOT_JUDGED)
# Which kind of source a version of the list was read from (list_versions.source_kind).
VERSION_SOURCE_KIND_MEANINGS = {
    "ecfr": "the eCFR text of Supplement No. 4 to Part 744 (table, XML, or a parse of it)",
    "bis_csv": "BIS's consolidated Entity List CSV",
    "screening_list": "the Entity List rows of the ITA Consolidated Screening List",
}
VERSION_SOURCE_KINDS = tuple(VERSION_SOURCE_KIND_MEANINGS)
VERSION_SOURCE_KIND_LABELS = {"ecfr": "eCFR text", "bis_csv": "BIS CSV",
                              "screening_list": "Consolidated Screening List"}
ENTRIES_VERSION_ROLE = "entries"  # list_versions.used_for of the version the entries are read from
# How a row of a version of the list was matched to an entry (version_rows.match).
MATCH_KIND_MEANINGS = {
    "exact": "its normalised name is the entry's",
    "prefix": "the entry's name is a word-boundary prefix of the row's text",
    "alias": "its name is one of the entry's aliases",
    "fuzzy": "its name is the entry's but for spelling (similarity 0.90 or more, the best by far)",
    "contains": "the entry's name is inside the row's first line",
    "part_of": "BIS writes the row as a sub-unit of one entry (several rows share the entry)",
    "self": "the version is the entries' own source",
    "restored": "an entry the version's parse missed, put back",
    "removed_entry": "an entry no longer on the list, matched by destination and name to the id given "
                     "to it when it was kept as a removed entry",
    "none": "not matched to any entry",
}
MATCH_KINDS = tuple(MATCH_KIND_MEANINGS)


def _meanings(meanings: dict[str, str]) -> str:
    return "; ".join(f"{value}: {meaning}" for value, meaning in meanings.items()) + "."


@dataclass(frozen=True)
class Column:
    """One column of an input file and the rules its cells must follow."""

    name: str
    type: ColumnType
    description: str
    example: str
    required: bool = False
    allowed: tuple[str, ...] = ()
    unique: bool = False
    references: str | None = None  # "table.column" this value must exist in
    pattern: str | None = None  # regular expression the whole cell must match


@dataclass(frozen=True)
class Table:
    """One input file: `data/inputs/<name>.csv`."""

    name: str
    description: str
    columns: tuple[Column, ...]
    key: str
    sort_by: tuple[str, ...] = field(default=())
    # Columns whose values together may occur on one row only (empty counts as a value).
    unique_together: tuple[tuple[str, ...], ...] = field(default=())
    # A data folder may leave the file out: it then reads as a table with no rows.
    optional: bool = False

    @property
    def filename(self) -> str:
        return f"{self.name}.csv"

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


COMPANIES = Table(
    name="companies",
    description="Profiles of the companies the dashboard follows; one company may own many entries.",
    key="company_id",
    columns=(
        Column("company_id", TEXT, "Stable id, lower-case words joined by hyphens.", "zhipu-ai",
               required=True, unique=True, pattern=r"[a-z0-9]+(-[a-z0-9]+)*"),
        Column("name", TEXT, "Company name in English.", "Beijing Zhipu Huazhang Technology Co., Ltd.",
               required=True),
        Column("local_name", TEXT, "Name in the local language and script.", "智谱AI"),
        Column("aliases", LIST, "Other names: brands, short names, former names.", "Zhipu AI"),
        Column("country", TEXT, "Country of the headquarters.", "China", required=True),
        Column("city", TEXT, "City of the headquarters.", "Beijing"),
        Column("sector", TEXT, "Broad sector, used to group charts.", "Artificial intelligence",
               required=True, allowed=SECTORS),
        Column("sector_detail", TEXT, "Sector as the sources describe it.",
               "Artificial intelligence (large language models)"),
        Column("founded", INT, "Year founded.", "2019"),
        Column("website", URL, "Company website.", "https://www.huawei.com"),
        Column("parent_id", TEXT, "company_id of the parent company, if profiled.", "huawei",
               references="companies.company_id"),
        Column("description", TEXT, "Short profile, paraphrased from the sources.",
               "Beijing-based AI company founded in 2019 ..."),
        Column("sources", LIST, "URLs of the pages the profile was taken from.",
               "https://www.thewirechina.com/2025/02/16/what-is-zhipu-ai/", required=True),
    ),
)

ENTITIES = Table(
    name="entities",
    description=("Every entry of the Entity List (Supplement No. 4 to Part 744 of the EAR) as published, "
                 "and every entry taken off it since that a source names (kept, with status removed: "
                 "nothing is deleted, and an id is never given to another entry)."),
    key="entity_id",
    sort_by=("entity_id",),
    columns=(
        Column("entity_id", TEXT, "Stable id of the entry; an entry no longer on the list keeps the id "
                                  "it was given, after the highest id then in use.", "EL-0306",
               required=True, unique=True, pattern=r"EL-\d{4,7}"),
        Column("destination", TEXT, "Destination heading the entry is listed under.", "China",
               required=True),
        Column("name", TEXT, "Name of the entry as listed.",
               "Beijing Zhipu Huazhang Technology Co., Ltd.", required=True),
        Column("aliases", LIST, "Other names given in the entry (a.k.a.).",
               "Zhipu AI | Beijing Knowledge Atlas Technology Co., Ltd."),
        Column("local_name", TEXT, "Name in the local script, where known.", "华为技术有限公司"),
        Column("address", TEXT, "Address(es) as listed.", "Golaye Park, Shari Naw, Kabul, Afghanistan."),
        Column("entry_type", TEXT, "Whether the entry names a party or only an address.", "entity",
               required=True, allowed=ENTRY_TYPES),
        Column("status", TEXT,
               f"{LISTED}: on the list today; {REMOVED}: taken off it, kept with its history. The date "
               f"and rule of a removal are those of the entry's '{REMOVED}' event in events.csv (the "
               "store derives removed_date, removed_rule_id and removed_fr_citation from it), so a "
               f"{REMOVED} entry must have one; a {LISTED} entry whose latest event is a removal is "
               f"warned about. Empty reads as {LISTED}. A removal of parts of an entry that stays listed "
               "is a revision of it (events.parts_removed), not a removal.",
               LISTED, allowed=ENTRY_STATUSES),
        Column("license_requirement", TEXT, "License requirement column of the entry.",
               "For all items subject to the EAR. (See § 744.11 of the EAR)"),
        Column("license_review_policy", TEXT, "License review policy column of the entry.",
               "Presumption of denial."),
        Column("fr_citations", CITATIONS, "Federal Register citations of the entry's citation cell, in "
                                          "the cell's order (oldest first); for a removed entry, the cell "
                                          "of the newest version of the list that holds it. Empty only "
                                          "for a removed entry that no version of the list holds.",
               "90 FR 4619"),
        Column("screening_list_citations", CITATIONS,
               "Citations the Consolidated Screening List gives for the entry that its citation cell "
               "lacks: kept as evidence, not counted as actions (no event is made of them).",
               "89 FR 51653"),
        Column("company_id", TEXT, "Profile this entry belongs to.", "zhipu-ai",
               references="companies.company_id"),
        Column("company_link", TEXT, "How the entry was linked to its profile.",
               "alias matches profile alias 'Zhipu AI'"),
        Column("source", TEXT, "Where the entry's text was taken from.",
               "eCFR Supp. No. 4 to Part 744 (July 2026), parsed by phagehunter/nsfreg", required=True),
        Column("notes", TEXT, "What a reader should know about the entry's text (a repaired name, a "
                              "citation kept from an older source, cells swapped in the source).",
               "date dropped: the text pairs it with 11/13/19, but volume 83 is 2018"),
    ),
)

EVENTS = Table(
    name="events",
    description=("What happened to an entry and when: one event per citation of its citation cell (the "
                 "first its listing, later ones revisions), and its removal, if it was removed."),
    key="event_id",
    sort_by=("entity_id", "event_id"),
    columns=(
        Column("event_id", TEXT, "Stable id: entity id and sequence number.", "EL-0306-1",
               required=True, unique=True),
        Column("entity_id", TEXT, "Entry the event belongs to.", "EL-0306", required=True,
               references="entities.entity_id"),
        Column("action", TEXT, "What happened.", "added", required=True, allowed=ACTIONS),
        Column("date", DATE, "Federal Register publication date; empty when no source gives it.",
               "2025-01-16"),
        Column("year", INT, "Year of the event (from the date, else from the FR volume, else as the "
                            "note says).", "2025", required=True),
        Column("fr_citation", CITATION, "Federal Register page of the action: the page the entry appears "
                                        "on, or for a removal the rule's first page; empty when no "
                                        "source gives it.", "90 FR 4619"),
        Column("rule_id", TEXT, "Rule that made the change, where one is recorded for that date and "
                                f"citation; empty otherwise, and the note says '{RULE_NOT_RECORDED}'.",
               "2025-00704", references="rules.rule_id"),
        Column("derivation", TEXT, "How the event was obtained. " + _meanings(EVENT_DERIVATION_MEANINGS),
               "inferred", required=True, allowed=EVENT_DERIVATIONS),
        Column("evidence", TEXT, "What the event was read from: the source file and column (for the "
                                 "shared source files, their version folder and file name).",
               "v2/entities.csv fr_citations, citation 1 of 1 (the first: the listing)"),
        Column("parts_removed", LIST, "Names taken out of an entry that stays listed (sub-entities, "
                                      "aliases), as the source names them: the revision that removed them.",
               "Bhabha Atomic Research Center (BARC) | Indian Rare Earths"),
        Column("note", TEXT, "Anything a reader should know about this event.",
               "the source gives no date for this citation; year from the FR volume"),
    ),
)

RULES = Table(
    name="rules",
    description=(
        "Federal Register rules that changed the Entity List, with the counts the rule itself states "
        "(the only record of entries removed since whose names no source gives: such a removal stays "
        "a count on its rule, never a made-up entry)."
    ),
    key="rule_id",
    sort_by=("publication_date", "rule_id"),
    columns=(
        Column("rule_id", TEXT, "FR document number, or date and citation where there is none (or, for "
                                "a removal announced without a rule found, the announcement's date).",
               "2025-00704", required=True, unique=True),
        Column("publication_date", DATE, "Federal Register publication date; empty only where the rule "
                                         "was not found (the row records an announced action; see notes).",
               "2025-01-16"),
        Column("effective_date", DATE, "Effective date, where a source gives it.", "2025-01-16"),
        Column("document_number", TEXT, "FR document number.", "2025-00704",
               pattern=r"\d{4}-\d{5}"),
        Column("fr_citation", CITATION, "First page of the rule.", "90 FR 4617"),
        Column("title", TEXT, "Title of the rule.", "Additions to the Entity List"),
        Column("scope", TEXT, "Whether the rule changed the list or is a related rule.",
               "entity_list_change", required=True, allowed=RULE_SCOPES),
        Column("actions", TEXT, "Kinds of change, ';'-separated: " + ", ".join(RULE_ACTIONS)
               + " (move: entries moved to another destination heading).", "add;revise",
               pattern=rf"({'|'.join(RULE_ACTIONS)})(;({'|'.join(RULE_ACTIONS)}))*"),
        Column("entities_added", INT, "Entities added, as the rule states.", "11"),
        Column("entries_added", INT, "Entries added (one entity may have entries under several "
                                    "destinations).", "11"),
        Column("entries_revised", INT, "Entries revised.", "1"),
        Column("entries_corrected", INT, "Entries corrected.", "0"),
        Column("entities_removed", INT, "Entities removed, where the count is a plain number (see "
                                        "stated_removed for the count as stated).", "0"),
        Column("stated_removed", TEXT, "What the rule (or a report of it) says it removed, as stated: "
                                       "text, never forced to a number ('>=2 (title plural)', '1 entity "
                                       "(2 entries)').", "3 sub-entities within 1 entry"),
        Column("stated_removed_destinations", TEXT, "Destinations of the removals, as stated.",
               "United Arab Emirates (1); Ecuador (1)"),
        Column("names_removed", LIST, "Names of the removed entities that a source gives ('(inferred)' "
                                      "where the name is matched, not stated).",
               "Jazirah Aviation Club (inferred)"),
        Column("names_sourced", INT, "How many removed names a source gives.", "1"),
        Column("names_stated", INT, "Of those, how many a source states.", "1"),
        Column("names_inferred", INT, "Of those, how many are matched from versions of the list.", "0"),
        Column("country_counts", TEXT, "Added entries by destination, 'Name:count;...'.",
               "China:11", pattern=r"[^:;]+:\d+(;[^:;]+:\d+)*"),
        Column("summary", TEXT, "The rule's summary (abstract).", "In this rule, BIS amends ..."),
        Column("url", URL, "The rule on the Federal Register or an official copy.",
               "https://www.federalregister.gov/documents/2025/01/16/2025-00704/..."),
        Column("counts_source", TEXT, "Where the counts come from.", "FR summary"),
        Column("sources", LIST, "Pages the row was recorded from.", "https://www.bis.doc.gov/...",
               required=True),
        Column("notes", TEXT, "Caveats about this row.", "publication date inferred from entries"),
        Column("removal_notes", TEXT, "Caveats about the removal counts.",
               "'removed four entries under the UAE and Israel' (entries, not necessarily 4 entities)"),
        Column("source_caveat", TEXT, "Why the rule's only sources are weak, where they are (the pages "
                                      "then say so beside the rule); empty when a source is sound.",
               "third-party test fixtures, abstract partly elided in one"),
    ),
)

RESPONSES = Table(
    name="responses",
    description="Strategic-response notes: what a listed company did, said or was advised to do.",
    key="response_id",
    sort_by=("company_id", "date", "response_id"),
    columns=(
        Column("response_id", TEXT, "Stable id.", "r-0001", required=True, unique=True),
        Column("company_id", TEXT, "Company the note is about.", "zhipu-ai", required=True,
               references="companies.company_id"),
        Column("date", PARTIAL_DATE, "When the company acted (YYYY-MM-DD, or YYYY-MM when the "
                                     "source gives only the month).", "2025-01-15", required=True),
        Column("category", TEXT, "Kind of move.", "public_statement", required=True,
               allowed=RESPONSE_CATEGORIES),
        Column("status", TEXT, "; ".join(f"{s}: {RESPONSE_STATUS_MEANINGS[s]}" for s in RESPONSE_STATUSES)
               + ".", "observed", required=True, allowed=RESPONSE_STATUSES),
        Column("measure", TEXT, "The US measure it answers, when it is not the Entity List.",
               "FCC Covered List"),
        Column("title", TEXT, "One-line summary.", "Publicly opposes its addition", required=True),
        Column("note", TEXT, "The note, in Markdown (shown as text, never as HTML).",
               "In a WeChat statement ...", required=True),
        Column("source_name", TEXT, "Who published the source.", "TechCentral (Bloomberg report)",
               required=True),
        Column("source_url", URL, "Link to the source; empty only when none exists.",
               "https://techcentral.co.za/..."),
        Column("source_kind", TEXT, "How strong the source is; empty when not yet judged. "
               + _meanings(SOURCE_KIND_MEANINGS), "reputable_press", allowed=SOURCE_KINDS),
        Column("source_note", TEXT, "Why a source is doubtful, where it is.",
               "staging copy of a Bloomberg article"),
    ),
)

MOMENTS = Table(
    name="moments",
    description="Policy moments annotated on the time axis of the charts.",
    key="moment_id",
    sort_by=("date", "moment_id"),
    columns=(
        Column("moment_id", TEXT, "Stable id.", "m-15", required=True, unique=True),
        Column("date", DATE, "Date of the moment (FR publication date unless the note says "
                             "otherwise).", "2025-01-16", required=True),
        Column("title", TEXT, "Short label for the chart.", "Zhipu AI and Sophgo added",
               required=True),
        Column("kind", TEXT, "Kind of moment.", "entity_list_rule", required=True,
               allowed=MOMENT_KINDS),
        Column("fr_citations", CITATIONS, "First page of each rule, '; '-separated.",
               "90 FR 4617; 90 FR 4621"),
        Column("note", TEXT, "What happened, paraphrased.", "BIS added ..."),
        Column("source_name", TEXT, "Who published the source.", "FR Tracker", required=True),
        Column("source_url", URL, "Link to the source.", "https://frtracker.app/fr/2025-00704",
               required=True),
    ),
)


# The fields of a version row that comparing two versions looks at (tracker.store.layout says how each
# is normalised); a version names those its source lacks or gives in part (list_versions).
VERSION_FIELDS = ("destination", "name", "aliases", "address", "fr_citations", "license_requirement",
                  "license_review_policy")
VERSION_FIELD_LABELS = {"destination": "Destination", "name": "Name", "aliases": "Aliases",
                        "address": "Address", "fr_citations": "Citations",
                        "license_requirement": "Licence requirement",
                        "license_review_policy": "Licence review policy"}
_VERSION_FIELDS_PATTERN = (f"({'|'.join(VERSION_FIELDS)})"
                           f"( \\| ({'|'.join(VERSION_FIELDS)}))*")


LIST_VERSIONS = Table(
    name="list_versions",
    description=("Versions of the whole list: the list as it stood on a date, as one source gives it "
                 "(its rows are in version_rows.csv). One version per date, source kind and variant: a "
                 "second version of the same kind on the same date must be named apart by its variant."),
    key="version_id",
    sort_by=("date", "version_id"),
    unique_together=(("date", "source_kind", "variant"),),
    optional=True,
    columns=(
        Column("version_id", TEXT, "Stable id: source kind and date.", "ecfr_2023-11-21",
               required=True, unique=True, pattern=r"[a-z0-9][a-z0-9_.-]*"),
        Column("date", DATE, "The day the version shows the list as it stood (see date_meaning).",
               "2023-11-21", required=True),
        Column("source_kind", TEXT, "Kind of source. " + _meanings(VERSION_SOURCE_KIND_MEANINGS),
               "ecfr", required=True, allowed=VERSION_SOURCE_KINDS),
        Column("variant", TEXT, "Tells two versions of one kind on one date apart; empty when there is "
                                "one.", "nsfreg parse"),
        Column("source", TEXT, "What the source is.", "eCFR Supp. 4 to Part 744, XML", required=True),
        Column("source_path", TEXT, "Where the source file is: repository@commit:path, or a web address.",
               "Kelvin-xing/Tech_Innovation_war_project@a526d1a:Policy_data/Commerce_list/entitylist0712.xml",
               required=True),
        Column("date_meaning", TEXT, "What the date is: a download, a commit, the newest citation in "
                                     "the text.", "latest FR citation in the text (88 FR 80957, 11/21/23)",
               required=True),
        Column("notes", TEXT, "How the version's rows were read, and caveats.",
               "one <TR> per entry; full citation cell kept"),
        Column("used_for", TEXT, f"'{ENTRIES_VERSION_ROLE}' for the version the entries' text (names, "
                                 "addresses, citations, licence cells) is taken from; one version at most.",
               ENTRIES_VERSION_ROLE, unique=True, allowed=(ENTRIES_VERSION_ROLE,)),
        Column("fields_lacking", LIST, "Compared fields of version_rows this source does not give at all "
                                       f"('{LIST_SEPARATOR}'-separated; one of: "
                                       f"{', '.join(VERSION_FIELDS)}): "
                                       "a comparison shows them as not in this source.",
               "license_review_policy", pattern=_VERSION_FIELDS_PATTERN),
        Column("fields_partial", LIST, "Compared fields this source gives only in part or in another shape "
                                       "(the first citation only, countries of addresses for a destination, "
                                       "rule first pages for citations): not compared either.",
               "fr_citations | license_requirement", pattern=_VERSION_FIELDS_PATTERN),
    ),
)

VERSION_ROWS = Table(
    name="version_rows",
    description=("The rows of every version of the list, in one set of columns, each matched to the "
                 "entry it is (where it can be), so that any two versions can be compared."),
    key="row_id",
    sort_by=("version_id", "row"),
    optional=True,
    columns=(
        Column("row_id", TEXT, "Stable id: version id and row number.", "ecfr_2023-11-21:00001",
               required=True, unique=True, pattern=r"[a-z0-9][a-z0-9_.-]*:\d+"),
        Column("version_id", TEXT, "Version the row belongs to.", "ecfr_2023-11-21", required=True,
               references="list_versions.version_id"),
        Column("row", INT, "Position of the row in the version, from 1, in the source's order.", "1",
               required=True),
        Column("entity_ids", LIST, "Entries the row was matched to; several where the source merges "
                                   "entries listed under several destinations; empty when none.",
               "EL-0001", references="entities.entity_id"),
        Column("match", TEXT, "How the row was matched. " + _meanings(MATCH_KIND_MEANINGS), "exact",
               required=True, allowed=MATCH_KINDS),
        Column("destination", TEXT, "Destination, as the version gives it (for the CSV and screening list "
                                    "versions: the countries of the addresses).", "Afghanistan"),
        Column("name", TEXT, "Name, as split from the entry's text by rule (heuristic for the older "
                             "versions: check before display).", "Abdul Satar Ghoura", required=True),
        Column("aliases", LIST, "Aliases, as split from the entry's text.", "Farid | Engineer Idris"),
        Column("address", TEXT, "Address(es), as split from the entry's text.", "Kabul, Afghanistan."),
        Column("fr_citations", TEXT, "The row's citations, each with the date the version prints beside "
                                     "it ('; '-separated).", "76 FR 71869, 11/21/11",
               pattern=DATED_CITATIONS_PATTERN),
        Column("license_requirement", TEXT, "License requirement, as the version gives it.",
               "For all items subject to the EAR. (See § 744.11 of the EAR)"),
        Column("license_review_policy", TEXT, "License review policy, as the version gives it.",
               "Presumption of denial"),
        Column("entity_text", TEXT, "The entry's cell as the source gives it, lines joined with ' / ' "
                                    "(eCFR XML versions), to compare where the split is doubtful.",
               "Abdul Satar Ghoura, 501, 5th Floor, Amanullah Sancharaki Market, Kabul, Afghanistan."),
    ),
)

# Order matters: a table is validated after the tables it references.
TABLES: tuple[Table, ...] = (COMPANIES, RULES, ENTITIES, EVENTS, RESPONSES, MOMENTS, LIST_VERSIONS,
                             VERSION_ROWS)
TABLES_BY_NAME: dict[str, Table] = {t.name: t for t in TABLES}


# --- The Consolidated Screening List (every US export and sanctions list) ---
# The lists it holds, by the code of its `list` column, and how each is named on the pages.
SCREENING_LISTS = {
    "EL": "Entity List (BIS)",
    "SDN": "Specially Designated Nationals (Treasury)",
    "DPL": "Denied Persons List (BIS)",
    "DTC": "ITAR Debarred (State)",
    "SSI": "Sectoral Sanctions Identifications (Treasury)",
    "UVL": "Unverified List (BIS)",
    "ISN": "Nonproliferation Sanctions (State)",
    "PLC": "Palestinian Legislative Council List (Treasury)",
    "MEU": "Military End User List (BIS)",
    "CMIC": "Chinese Military-Industrial Complex Companies (Treasury)",
    "NS-MBS List": "Non-SDN Menu-Based Sanctions (Treasury)",
    "CAP": "Capta List (Treasury)",
}
SCREENING_LIST_CODES = tuple(SCREENING_LISTS)

SCREENING_LIST = Table(
    name="screening_list",
    description=("Every row of the Consolidated Screening List (ITA) of one date: all of its US export "
                 "and sanctions lists, for screening a name against every list at once. Its Entity List "
                 "rows are the same list as entities.csv in another projection; the dashboard's entries "
                 "stay the Entity List's source."),
    key="row_id",
    sort_by=("list", "row_id"),
    optional=True,
    columns=(
        Column("row_id", TEXT, "Stable id: the list's code and its own entity number where it gives "
                               "one ('SDN-50757'); for rows without one (DPL, DTC, EL, ISN, MEU, UVL) the "
                               "code and the first 10 hex digits of the SHA-1 of the row's list, name, "
                               "alternate names, countries and FR notice, derived once at import "
                               "('DPL-3f9a0c21be').",
               "SDN-50757", required=True, unique=True, pattern=r"[A-Z][A-Z-]*-[0-9a-f]+"),
        Column("version_id", TEXT, "The export the row comes from: 'csl_all_' and its date.",
               "csl_all_2026-07-31", required=True, pattern=r"csl_all_\d{4}-\d{2}-\d{2}"),
        Column("version_date", DATE, "The date of the export (its file name).", "2026-07-31", required=True),
        Column("list", TEXT, "Code of the list the row is on.", "SDN", required=True,
               allowed=SCREENING_LIST_CODES),
        Column("list_name", TEXT, "The list as the export names it.",
               "Specially Designated Nationals (SDN) - Treasury Department", required=True),
        Column("entity_number", INT, "The list's own entity number, where it gives one.", "50757"),
        Column("type", TEXT, "Entity, Individual, Vessel or Aircraft, where given.", "Entity"),
        Column("name", TEXT, "Name as listed.", "OBORON HOLDING LLC", required=True),
        Column("alt_names", LIST, "Alternate names as listed.", "OOO OBORON KHOLDING"),
        Column("countries", TEXT, "The address countries as listed, space-separated: ISO codes, a few "
                                  "as names ('TURKIYE').", "CN KY"),
        Column("programs", TEXT, "Sanctions programmes, as listed.", "RUSSIA-EO14024"),
        Column("federal_register_notice", TEXT, "Federal Register notice, as listed.", "86 FR 12529"),
        Column("license_requirement", TEXT, "License requirement, as listed (export lists).",
               "For All Items Subject to the EAR."),
        Column("license_policy", TEXT, "License review policy, as listed (export lists).",
               "Presumption of denial."),
        Column("source_list_url", URL, "The list's own page.",
               "https://sanctionslist.ofac.treas.gov/Home/SdnList", required=True),
    ),
)
TABLES = (*TABLES, SCREENING_LIST)
TABLES_BY_NAME = {t.name: t for t in TABLES}
# --- Relations between entries (tracker.store.relations), derived at build time ---
# Kinds of relation, as the pages name them; each group of related entries is of one kind.
RELATION_KINDS: dict[str, str] = {
    "profile": "same company profile",
    "parent": "a profile and its parent profile",
    "name": "same name or alias",
    "stem": "names begin with the same word",
    "address": "same address",
    "listing": "listed by the same rule on the same day",
}
# Words dropped before names are compared: legal forms (in Latin script, and transliterated Russian).
RELATION_LEGAL_FORMS = (
    "co", "ltd", "limited", "llc", "inc", "incorporated", "corp", "corporation", "company", "gmbh", "ag",
    "kg", "sa", "sas", "sarl", "srl", "spa", "bv", "nv", "plc", "llp", "lp", "pte", "pvt", "private", "pty",
    "jsc", "ojsc", "cjsc", "pjsc", "ao", "oao", "zao", "pao", "ooo", "tov", "fze", "fzco", "fzc", "fzllc",
    "fz", "dmcc", "sdn", "bhd", "tic", "sti", "ab", "oy", "kft", "doo", "sro", "joint", "stock",
    "liability", "aktsionernoe", "obshchestvo", "obschestvo", "otvetstvennostyu", "ogranichennoy",
    "zakrytoe", "otkrytoe", "publichnoe", "tovarishchestvo", "limitada", "ltda", "cia", "sociedad", "fsue")
# The same in Chinese script, removed from a name before it is split into words.
RELATION_LEGAL_FORMS_CJK = ("股份有限公司", "有限责任公司", "有限公司", "集团", "公司")
# Words that make a name an organisation's (with the legal forms): only such names, and the names
# of entries linked to a company profile, give a stem, so that two people sharing a first name are
# never linked by it.
RELATION_ORGANISATION_WORDS = (
    "group", "institute", "university", "academy", "factory", "plant", "bureau", "center", "centre",
    "laboratory", "ministry", "concern", "enterprise", "works", "bank", "department", "technology",
    "technologies", "trading", "industries", "industrial", "systems", "electronics", "engineering")
# Words never taken as a name's stem (a stem is the first word left): common words of company
# names, and places. Destination names are places too (read from the entries).
RELATION_COMMON_WORDS = (
    "the", "and", "of", "for", "de", "al", "el", "la", "all", "new", "global", "general", "central", "first",
    "technology", "technologies", "tech", "science", "sciences", "scientific", "electronics", "electronic",
    "electric", "electrical", "international", "trading", "trade", "group", "holding", "holdings",
    "industrial", "industries", "industry", "engineering", "research", "institute", "academy",
    "university", "national", "state", "federal", "united", "public", "open", "closed", "concern", "chinese",
    "russian", "iranian", "semiconductor", "semiconductors", "system", "systems", "software", "service",
    "services", "import", "export", "logistics", "machinery", "equipment", "development", "investment",
    "aviation", "aerospace", "information", "communication", "communications", "network", "networks",
    "digital", "intelligent", "intelligence", "microelectronics", "materials", "energy", "power",
    "shipping", "supply", "solutions", "products", "manufacturing", "instruments", "precision", "optical",
    "optics", "defense", "defence", "military", "ministry", "bureau", "office", "center", "centre",
    "laboratory", "design", "enterprise", "enterprises", "address", "sky", "star", "asia", "pacific",
    "east", "west", "north", "south", "northern", "southern", "eastern", "western", "gulf", "middle",
    "scientific", "nauchno", "proizvodstvennoe", "predpriyatie", "obedinenie", "kompaniya", "firma",
    "production", "association", "plant", "factory", "works", "construction", "commercial", "trust",
    "marine", "computer", "computing", "automation", "control", "devices", "device", "components",
    "parts", "machine", "tools", "chemical", "chemicals", "metal", "metals", "medical", "transport",
    "technical", "techno", "applied", "advanced", "integrated", "special", "physics", "radio",
    "shipbuilding", "unitary", "building", "zavod", "ship", "instrument", "nuclear", "budgetary",
    "experimental", "kontsern", "space", "mechanical", "aircraft", "konstruktorskoe", "owned",
    "supercomputing", "quantum", "named", "southwest", "southeast", "northwest", "high", "branch",
    "spetsialnoe", "oriental", "aeronautics", "aeronautical", "issledovatelskiy", "issledovatelskii",
    "test", "smart", "head", "innovation", "navigation", "gate", "steel", "department", "union",
    "institut", "allied", "complex", "micro", "management", "autonomous", "helicopter", "frontier",
    "foreign", "microwave", "elektronik", "korporatsiya", "cloud", "second", "airborne", "avia", "engine",
    "house", "electro", "tsentralnoe", "tsentralny", "tsentr", "circuit", "signal", "security", "small",
    "solid", "svyaz", "shipyard", "opto", "waterway", "microelectronic", "tekhnicheski", "byuro", "after",
    "institution", "economic", "technological", "issledovatelski", "repair", "making", "flight",
    "astronautics", "naval", "subsidiary", "alliance", "petroleum", "oil", "gas")
RELATION_PLACE_WORDS = (
    "beijing", "shanghai", "shenzhen", "chengdu", "suzhou", "nanjing", "xian", "xi", "an", "xinjiang",
    "hefei", "guangzhou", "tianjin", "hangzhou", "jiangsu", "wuhan", "hong", "kong", "harbin", "shaanxi",
    "chongqing", "dalian", "qingdao", "xiamen", "ningbo", "wuxi", "changsha", "zhengzhou", "jinan",
    "shenyang", "kunming", "guangdong", "zhejiang", "fujian", "shandong", "sichuan", "hubei", "hunan",
    "henan", "hebei", "anhui", "jiangxi", "liaoning", "jilin", "heilongjiang", "guangxi", "yunnan",
    "guizhou", "gansu", "shanxi", "hainan", "tibet", "qinghai", "ningxia", "mongolia", "dongguan",
    "zhuhai", "foshan", "changzhou", "guiyang", "taiyuan", "nanchang", "fuzhou", "urumqi", "kashgar",
    "moscow", "petersburg", "st", "saint", "novosibirsk", "yekaterinburg", "kazan", "samara", "omsk",
    "tomsk", "perm", "ufa", "tula", "voronezh", "zelenograd", "minsk", "tehran", "isfahan", "karachi",
    "lahore", "islamabad", "rawalpindi", "dubai", "sharjah", "abu", "dhabi", "istanbul", "ankara",
    "singapore", "taipei", "delhi", "mumbai", "bangalore", "yerevan", "tashkent", "almaty", "bishkek",
    "damascus", "beirut", "kabul", "pyongyang", "yangon", "london", "paris", "berlin", "hamburg",
    "myanmar", "ural", "urals", "ryazan", "bryansk", "kaluga", "taganrog", "baoding", "feodosia", "feodosiya",
    "sevastopol", "yalta", "kerch", "krym", "crimean", "volgograd", "izhevsk", "mytishchi", "khabarovsk",
    "penza", "yaroslavl", "ulyanovsk", "arzamas", "luoyang", "zibo", "guilin", "huizhou", "taizhou",
    "quanzhou", "wuhu", "aksu", "hetian", "changji", "qianhai", "jiangnan", "yangtze", "moskovski", "ulan",
    "kuibyshev", "nile")
# Addresses compared must name a place precisely: a number and at least this many words.
RELATION_ADDRESS_MIN_WORDS = 4
RELATION_MIN_KEY_CHARS = 4  # a shared name or stem shorter than this ("ZTE" aside) links too much
