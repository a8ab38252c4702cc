"""A small, valid data set made by code, for the library and page tests.

Thirty entries under four destinations, seven company profiles (a parent and its child among
them), eight rules (two on one day, one stating counts that today's list no longer matches, one
related rule), their events (one undated, three revisions, one correction), fifteen response
notes across categories and statuses, and five policy moments. Names are made up: no test that
reads this can break when an editor corrects the shipped CSVs in data/inputs/.

The facts the tests assert are the named constants below, worked out by hand from the rows in
this file (never through the validator, the build or the store). A test that needs a count the
constants do not give counts the rows of `rows()` with plain Python.

`write_inputs(root)` writes `root/inputs/*.csv` through the schema's column order
(`tracker.inputs.files.write_rows`) and returns the folder's DataPaths.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from tracker import schema
from tracker.config import DataPaths
from tracker.inputs.files import write_rows

SOURCE = "test factory (tests/factory.py): made-up entries, not the Entity List"
SITE = "https://example.org/factory"

# --- Destinations: how many entries each holds ---
CHINA, RUSSIA, IRAN, PAKISTAN = "China", "Russia", "Iran", "Pakistan"
DESTINATION_COUNTS = {CHINA: 15, RUSSIA: 8, IRAN: 4, PAKISTAN: 3}
ENTRIES = 30
DESTINATIONS = 4

# --- Companies ---
LUMEN = "lumen-ai"  # seven entries, all added on LUMEN_DAY by LUMEN_RULE; seven responses
LUMEN_NAME = "Beijing Lumen Huazhi Technology Co., Ltd."
LUMEN_LOCAL_NAME = "流明智能"
LUMEN_SEARCH_CHINESE = "流明"  # part of the profile's local name, so it finds every Lumen entry
LUMEN_ALIAS = "Lumen AI"
LUMEN_ENTRIES = ("EL-0001", "EL-0002", "EL-0003", "EL-0004", "EL-0005", "EL-0006", "EL-0007")
LUMEN_DAY = "2025-01-16"
LUMEN_CITATION = "90 FR 5003"  # the page of the rule the seven entries are printed on
LUMEN_RESPONSES = 7
LUMEN_STATEMENT = "Publicly opposes its addition to the Entity List"  # its one public statement
LUMEN_PROPOSED = ("Deepen partnerships with domestic chipmakers",
                  "Invest in chip design and research staff")  # its notes of status 'proposed'
ATLAS_ENTRY = "EL-0001"  # its alias is "Beijing Star Atlas Technology Co., Ltd.": found as "atlas star" too
TYPO = "lumne"  # no word is spelt so; the near-spelling search finds the Lumen entries

KESTREL = "kestrel-vision"  # one entry, added on LUMEN_DAY by another rule: related to Lumen by the day
KESTREL_NAME = "Kestrel Vision Technology Co., Ltd."
HANHAI = "hanhai-telecom"  # the parent: three entries added by HANHAI_RULE, one revised later
HANHAI_NAME = "Hanhai Technologies Co., Ltd."
HANHAI_CITY = "Shenzhen"
HANHAI_ENTRIES = ("EL-0009", "EL-0010", "EL-0011")
HANHAI_CLOUD = "hanhai-cloud"  # the child (parent_id hanhai-telecom): two entries named "Hanhai Cloud ..."
HANHAI_CLOUD_ENTRIES = ("EL-0012", "EL-0013")
XINXIN = "xinxin-semi"  # the one Semiconductors entry, added by DAY_2022_RULE with the Volga entries
VOLGA = "volga-drones"  # Russia: three entries
QUIET = "quiet-labs"  # a profile with no entries and no responses
COMPANIES = 7
# Who each company is related to, closest first, as the company page words it.
RELATED = {
    LUMEN: [(KESTREL, f"listed the same day ({LUMEN_DAY})")],
    KESTREL: [(LUMEN, f"listed the same day ({LUMEN_DAY})")],
    HANHAI: [(HANHAI_CLOUD, "same parent company")],
    HANHAI_CLOUD: [(HANHAI, "same parent company")],
    XINXIN: [(VOLGA, "listed by the same rule (2022-30303)")],
    VOLGA: [(XINXIN, "listed by the same rule (2022-30303)")],
    QUIET: [],
}

# --- Entries without a profile, and odd ones ---
UNDATED_ENTRY = "EL-0015"  # added, no date (year 2012 from the FR volume): off the time axis
UNDATED_LISTINGS = 1
NO_PROFILE_ENTRIES = 13
REVISED_ENTRIES = ("EL-0009", "EL-0014", "EL-0019")
CORRECTED_ENTRY = "EL-0021"
SPECIFIC_ITEMS_ENTRIES = ("EL-0014", "EL-0019", "EL-0020")
NOT_STATED_ENTRIES = ("EL-0029", "EL-0030")
ADDRESS_ONLY_ENTRY = "EL-0030"
ADDED_IN = {2025: 11, 2024: 1}  # entries first listed in a year (headline "Added in 2025")

# --- Rules ---
HANHAI_RULE = "2019-10101"
HANHAI_CLOUD_RULE = "2020-20202"
DAY_2022_RULE = "2022-30303"  # states 5 added; 4 of them are on today's list
REVISION_RULE = "2024-28001"  # states a revision only: no count of additions
LUMEN_RULE = "2025-01001"
LUMEN_RULE_CITATION = "90 FR 5001"
KESTREL_RULE = "2025-01005"
RELATED_RULE = "2025-02002"  # scope related_rule: not counted as a rule that changed the list
NEWEST_RULE = "2025-40404"  # the newest rule that changed the list (the footer's "newest rule")
NEWEST_RULE_DAY = "2025-09-10"
RULES = 8
LIST_CHANGING_RULES = 7
DATA_AS_OF = NEWEST_RULE_DAY
# Rule dates with stated additions, and how many agree with today's entries first listed that day.
RECONCILED_DATES, RULE_DATES_WITH_COUNTS = 4, 5

# --- Responses and moments ---
RESPONSES = 15
STATUS_COUNTS = {"observed": 7, "announced": 4, "proposed": 4}
HANHAI_STATEMENTS = 1  # hanhai-telecom's notes of category public_statement
MOMENTS = 5
TWO_CITATION_MOMENT, TWO_CITATIONS = "m-04", "90 FR 5001; 90 FR 5029"
LAST_MOMENT = "m-05"

ALL_ITEMS = "For all items subject to the EAR. (See § 744.11 of the EAR)"
SPECIFIC_ITEMS = "For items subject to the EAR classified under ECCN 3B001 or 3B090."
DENIAL = "Presumption of denial."


def _company(company_id, name, sector, city, country="China", local_name="", aliases="", founded="",
             parent_id="", website=""):
    return {"company_id": company_id, "name": name, "local_name": local_name, "aliases": aliases,
            "country": country, "city": city, "sector": sector,
            "sector_detail": f"{sector} (made up for the tests)", "founded": founded, "website": website,
            "parent_id": parent_id, "description": f"{name}: a made-up company of the test data set.",
            "sources": f"{SITE}/company/{company_id} | {SITE}/company/{company_id}/more"}


def companies() -> list[dict[str, str]]:
    return [
        _company(LUMEN, LUMEN_NAME, "Artificial intelligence", "Beijing", local_name=LUMEN_LOCAL_NAME,
                 aliases=LUMEN_ALIAS, founded="2019"),
        _company(KESTREL, KESTREL_NAME, "Surveillance", "Hangzhou", founded="2011"),
        _company(HANHAI, HANHAI_NAME, "Telecommunications", HANHAI_CITY, local_name="瀚海技术有限公司",
                 aliases="Hanhai", founded="1990", website="https://example.org/hanhai"),
        _company(HANHAI_CLOUD, "Hanhai Cloud Computing Technology Co., Ltd.", "Computing", "Guiyang",
                 aliases="Hanhai Cloud", founded="2017", parent_id=HANHAI),
        _company(XINXIN, "Xinxin Semiconductor Manufacturing Co., Ltd.", "Semiconductors", "Shanghai",
                 local_name="芯新半导体制造有限公司", aliases="XSMC", founded="2000"),
        _company(VOLGA, "Volga Unmanned Systems LLC", "Drones", "Kazan", country="Russia", founded="2012"),
        _company(QUIET, "Quiet Labs Co., Ltd.", "Computing", "Suzhou", founded="2021"),
    ]


def _entity(number, destination, name, citations, company_id="", aliases="", local_name="",
            license_requirement=ALL_ITEMS, entry_type="entity", address=None):
    linked = f"name matches profile '{company_id}'" if company_id else ""
    return {"entity_id": f"EL-{number:04d}", "destination": destination, "name": name, "aliases": aliases,
            "local_name": local_name, "address": address or f"{number} Example Road, {destination}.",
            "entry_type": entry_type, "license_requirement": license_requirement,
            "license_review_policy": DENIAL if license_requirement else "", "fr_citations": citations,
            "company_id": company_id, "company_link": linked, "source": SOURCE}


def entities() -> list[dict[str, str]]:
    lumen = [
        (1, LUMEN_NAME, f"{LUMEN_ALIAS} | Beijing Star Atlas Technology Co., Ltd.",
         "北京流明华智科技有限公司"),
        (2, "Beijing Lumen Future Technology Co., Ltd.", "", ""),
        (3, "Beijing Lumen Linghang Technology Co., Ltd.", "", ""),
        (4, "Beijing Lumen Shuzhi Technology Co., Ltd.", "", ""),
        (5, "Chengdu Lumen Lingxi Technology Co., Ltd.", "", ""),
        (6, "Hangzhou Lumen Huanyu Technology Co., Ltd.", "", ""),
        (7, "Shanghai Lumen Zhiyuan Technology Co., Ltd.", "", ""),
    ]
    rows = [_entity(n, CHINA, name, LUMEN_CITATION, LUMEN, aliases, local)
            for n, name, aliases, local in lumen]
    rows += [
        _entity(8, CHINA, KESTREL_NAME, "90 FR 5031", KESTREL),
        _entity(9, CHINA, HANHAI_NAME, "84 FR 20003; 85 FR 30005", HANHAI, "Hanhai", "瀚海技术有限公司"),
        _entity(10, CHINA, "Hanhai Device Co., Ltd.", "84 FR 20003", HANHAI),
        _entity(11, CHINA, "Hanhai Terminal Co., Ltd.", "84 FR 20004", HANHAI),
        _entity(12, CHINA, "Hanhai Cloud Computing Technology Co., Ltd.", "85 FR 30004", HANHAI_CLOUD),
        _entity(13, CHINA, "Hanhai Cloud Beijing Co., Ltd.", "85 FR 30004", HANHAI_CLOUD),
        _entity(14, CHINA, "Xinxin Semiconductor Manufacturing Co., Ltd.", "87 FR 40003; 89 FR 50002",
                XINXIN, "XSMC", "芯新半导体制造有限公司", SPECIFIC_ITEMS),
        _entity(15, CHINA, "Bright Harbor Trading Co., Ltd.", "77 FR 10001"),
        _entity(16, RUSSIA, "Volga Unmanned Systems LLC", "87 FR 40004", VOLGA, "Volga UAS"),
        _entity(17, RUSSIA, "Volga Aero OOO", "87 FR 40004", VOLGA),
        _entity(18, RUSSIA, "Volga Engineering JSC", "87 FR 40005", VOLGA),
        _entity(19, RUSSIA, "Northern Instruments JSC", "79 FR 15001; 89 FR 45001",
                license_requirement=SPECIFIC_ITEMS),
        _entity(20, RUSSIA, "Polar Optics LLC", "79 FR 15001", license_requirement=SPECIFIC_ITEMS),
        _entity(21, RUSSIA, "Baltic Components OOO", "87 FR 21001; 88 FR 30001"),
        _entity(22, RUSSIA, "Ural Radio Plant JSC", "88 FR 12001"),
        _entity(23, RUSSIA, "Siberian Microwave LLC", "89 FR 36001"),
        _entity(24, IRAN, "Persian Gulf Avionics Co.", "76 FR 71001"),
        _entity(25, IRAN, "Zagros Electronics Co.", "84 FR 49001"),
        _entity(26, IRAN, "Caspian Drone Parts Co.", "90 FR 60003"),
        _entity(27, IRAN, "Alborz Navigation Co.", "90 FR 60003"),
        _entity(28, PAKISTAN, "Indus Precision Engineering", "79 FR 56001"),
        _entity(29, PAKISTAN, "Karakoram Technical Services", "90 FR 60004", license_requirement=""),
        _entity(30, PAKISTAN, "Flat 3, 12 Example Road, Karachi", "83 FR 65001", license_requirement="",
                entry_type="address_only", address="Flat 3, 12 Example Road, Karachi, Pakistan."),
    ]
    return rows


def _event(entity, sequence, action, day, citation, rule_id="", year=None, note=""):
    derivation = "inferred"  # from the entry's citation cell, as the importer derives them
    return {"event_id": f"{entity}-{sequence}", "entity_id": entity, "action": action, "date": day,
            "year": str(year or day[:4]), "fr_citation": citation, "rule_id": rule_id,
            "derivation": derivation, "note": note}


def events() -> list[dict[str, str]]:
    rows = [_event(e, 1, "added", LUMEN_DAY, LUMEN_CITATION, LUMEN_RULE) for e in LUMEN_ENTRIES]
    rows += [
        _event("EL-0008", 1, "added", LUMEN_DAY, "90 FR 5031", KESTREL_RULE),
        _event("EL-0009", 1, "added", "2019-05-21", "84 FR 20003", HANHAI_RULE),
        _event("EL-0009", 2, "revised", "2020-08-20", "85 FR 30005", HANHAI_CLOUD_RULE),
        _event("EL-0010", 1, "added", "2019-05-21", "84 FR 20003", HANHAI_RULE),
        _event("EL-0011", 1, "added", "2019-05-21", "84 FR 20004", HANHAI_RULE),
        _event("EL-0012", 1, "added", "2020-08-20", "85 FR 30004", HANHAI_CLOUD_RULE),
        _event("EL-0013", 1, "added", "2020-08-20", "85 FR 30004", HANHAI_CLOUD_RULE),
        _event("EL-0014", 1, "added", "2022-10-07", "87 FR 40003", DAY_2022_RULE),
        _event("EL-0014", 2, "revised", "2024-12-02", "89 FR 50002", REVISION_RULE),
        _event(UNDATED_ENTRY, 1, "added", "", "77 FR 10001", year=2012,
               note="the source gives no date for this citation; year from the FR volume"),
        _event("EL-0016", 1, "added", "2022-10-07", "87 FR 40004", DAY_2022_RULE),
        _event("EL-0017", 1, "added", "2022-10-07", "87 FR 40004", DAY_2022_RULE),
        _event("EL-0018", 1, "added", "2022-10-07", "87 FR 40005", DAY_2022_RULE),
        _event("EL-0019", 1, "added", "2014-03-21", "79 FR 15001"),
        _event("EL-0019", 2, "revised", "2024-11-05", "89 FR 45001"),
        _event("EL-0020", 1, "added", "2014-03-21", "79 FR 15001"),
        _event("EL-0021", 1, "added", "2022-04-11", "87 FR 21001"),
        _event(CORRECTED_ENTRY, 2, "corrected", "2023-05-01", "88 FR 30001"),
        _event("EL-0022", 1, "added", "2023-02-24", "88 FR 12001"),
        _event("EL-0023", 1, "added", "2024-05-01", "89 FR 36001"),
        _event("EL-0024", 1, "added", "2011-11-21", "76 FR 71001"),
        _event("EL-0025", 1, "added", "2019-09-20", "84 FR 49001"),
        _event("EL-0026", 1, "added", NEWEST_RULE_DAY, "90 FR 60003", NEWEST_RULE),
        _event("EL-0027", 1, "added", NEWEST_RULE_DAY, "90 FR 60003", NEWEST_RULE),
        _event("EL-0028", 1, "added", "2014-09-18", "79 FR 56001"),
        _event("EL-0029", 1, "added", NEWEST_RULE_DAY, "90 FR 60004", NEWEST_RULE),
        _event("EL-0030", 1, "added", "2018-12-19", "83 FR 65001"),
    ]
    return rows


def _rule(rule_id, day, citation, title, actions, scope="entity_list_change", **counts):
    return {"rule_id": rule_id, "publication_date": day, "document_number": rule_id, "fr_citation": citation,
            "title": title, "scope": scope, "actions": actions,
            "summary": f"In this made-up rule, the test factory {title.lower()}.",
            "url": f"{SITE}/rule/{rule_id}", "counts_source": "FR summary" if counts else "",
            "sources": f"{SITE}/rules", "notes": "recorded by the test factory",
            **{k: str(v) for k, v in counts.items()}}


def rules() -> list[dict[str, str]]:
    return [
        _rule(HANHAI_RULE, "2019-05-21", "84 FR 20001", "Adds Hanhai Technologies and two affiliates", "add",
              entities_added=3, entries_added=3, country_counts="China:3"),
        _rule(HANHAI_CLOUD_RULE, "2020-08-20", "85 FR 30001", "Adds two Hanhai Cloud affiliates and revises "
              "an entry", "add;revise", entries_added=2, entries_revised=1, country_counts="China:2"),
        _rule(DAY_2022_RULE, "2022-10-07", "87 FR 40001", "Adds five entries under China and Russia", "add",
              entries_added=5, country_counts="China:1;Russia:4"),
        _rule(REVISION_RULE, "2024-12-02", "89 FR 50001", "Revises one entry", "revise", entries_revised=1),
        _rule(LUMEN_RULE, LUMEN_DAY, LUMEN_RULE_CITATION, "Adds Lumen Huazhi and six affiliates", "add",
              entities_added=7, entries_added=7, country_counts="China:7"),
        _rule(KESTREL_RULE, LUMEN_DAY, "90 FR 5029", "Adds Kestrel Vision", "add", entities_added=1),
        _rule(RELATED_RULE, "2025-03-03", "90 FR 7001", "Revises a licence exception", "",
              scope="related_rule"),
        _rule(NEWEST_RULE, NEWEST_RULE_DAY, "90 FR 60001", "Adds three entries under Iran and Pakistan",
              "add", entries_added=3, country_counts="Iran:2;Pakistan:1"),
    ]


def _response(number, company_id, day, category, status, title, measure=""):
    return {"response_id": f"r-{number:04d}", "company_id": company_id, "date": day, "category": category,
            "status": status, "measure": measure, "title": title,
            "note": f"{title}: a made-up note of the test data set, with *Markdown*.",
            "source_name": f"Example News {number}", "source_url": f"{SITE}/response/{number}"}


def responses() -> list[dict[str, str]]:
    return [
        _response(1, LUMEN, LUMEN_DAY, "public_statement", "observed", LUMEN_STATEMENT),
        _response(2, LUMEN, "2025-01-20", "domestic_partnerships", "proposed", LUMEN_PROPOSED[0]),
        _response(3, LUMEN, "2025-01-20", "rnd_talent", "proposed", LUMEN_PROPOSED[1]),
        _response(4, LUMEN, "2025-02", "diversify_revenue", "announced",
                  "Plans revenue from cloud contracts"),
        _response(5, LUMEN, "2025-03-05", "international_expansion", "observed", "Opens an office abroad"),
        _response(6, LUMEN, "2025-04-10", "alternative_supply_chain", "observed",
                  "Trains its models on domestic accelerators"),
        _response(7, LUMEN, "2025-06-01", "restructuring", "announced",
                  "Moves research into a new subsidiary"),
        _response(8, HANHAI, "2019-05-22", "public_statement", "observed", "Calls the listing political"),
        _response(9, HANHAI, "2019-08-09", "alternative_supply_chain", "observed",
                  "Launches its own operating system"),
        _response(10, HANHAI, "2020-03-01", "legal_challenge", "observed", "Sues over a procurement ban",
                  measure="Procurement ban"),
        _response(11, HANHAI, "2021-01-15", "policy_advocacy", "proposed", "Lobby for licence approvals"),
        _response(12, HANHAI_CLOUD, "2020-09-01", "public_statement", "announced", "Says service continues"),
        _response(13, XINXIN, "2022-10-10", "public_statement", "observed", "Says production is unaffected"),
        _response(14, XINXIN, "2023-01", "domestic_partnerships", "announced",
                  "Plans a domestic tool alliance"),
        _response(15, VOLGA, "2022-11-01", "other", "proposed", "Analysts expect a change of suppliers"),
    ]


def moments() -> list[dict[str, str]]:
    def moment(number, day, title, kind, citations=""):
        return {"moment_id": f"m-{number:02d}", "date": day, "title": title, "kind": kind,
                "fr_citations": citations, "note": f"{title}: a made-up moment of the test data set.",
                "source_name": f"Example Source {number}", "source_url": f"{SITE}/moment/{number}"}

    return [
        moment(1, "2018-08-13", "Export control law signed", "law"),
        moment(2, "2019-05-21", "Hanhai and two affiliates added", "entity_list_rule", "84 FR 20001"),
        moment(3, "2022-10-07", "Five entries added", "entity_list_rule", "87 FR 40001"),
        moment(4, LUMEN_DAY, "Lumen Huazhi and Kestrel Vision added", "entity_list_rule", TWO_CITATIONS),
        moment(5, NEWEST_RULE_DAY, "Three entries added", "entity_list_rule", "90 FR 60001"),
    ]


# Two made-up eCFR versions of the list and a screening-list one (tests/test_changes.py): from the
# older to the newer, VERSION_REMOVED is removed, VERSION_ADDED added, VERSION_CHANGED's address
# changed, VERSION_WRITTEN's aliases written otherwise only; VERSION_SPLIT's two rows are reordered;
# one row of the older is matched to no entry. The screening list has no address.
OLD_VERSION, NEW_VERSION, CSL_VERSION = "ecfr_2024-01-01", "ecfr_2024-06-01", "csl_2024-06-02"
VERSION_SAME, VERSION_REMOVED, VERSION_CHANGED = "EL-0009", "EL-0010", "EL-0011"
VERSION_WRITTEN, VERSION_SPLIT, VERSION_ADDED = "EL-0012", "EL-0013", "EL-0014"


def _list_version(version_id: str, kind: str = "ecfr", lacking: str = "") -> dict[str, str]:
    return {"version_id": version_id, "date": version_id.split("_")[-1], "source_kind": kind, "variant": "",
            "source": f"made-up {kind} version", "source_path": f"{SITE}/versions/{version_id}.csv",
            "date_meaning": "made up for the tests", "notes": "", "fields_lacking": lacking,
            "fields_partial": ""}


def list_versions() -> list[dict[str, str]]:
    return [_list_version(OLD_VERSION), _list_version(NEW_VERSION),
            _list_version(CSL_VERSION, "screening_list", lacking="address")]


def _version_row(version_id: str, number: int, ids: str, name: str, **fields: str) -> dict[str, str]:
    return {"row_id": f"{version_id}:{number:05d}", "version_id": version_id, "row": str(number),
            "entity_ids": ids, "match": "exact" if ids else "none", "destination": CHINA, "name": name,
            "aliases": "", "address": "Beijing, China.", "fr_citations": "84 FR 20003, 5/21/19",
            "license_requirement": "For all items subject to the EAR.",
            "license_review_policy": "Presumption of denial", "entity_text": "", **fields}


def version_rows() -> list[dict[str, str]]:
    old, new = OLD_VERSION, NEW_VERSION
    return [
        _version_row(old, 1, VERSION_SAME, "Hanhai One"),
        _version_row(old, 2, VERSION_REMOVED, "Hanhai Two"),
        _version_row(old, 3, VERSION_CHANGED, "Hanhai Three", address="Shenzhen, China."),
        _version_row(old, 4, VERSION_WRITTEN, "Cloud One", aliases="B-Cloud | A Cloud"),
        _version_row(old, 5, VERSION_SPLIT, "Cloud Two part a"),
        _version_row(old, 6, VERSION_SPLIT, "Cloud Two part b"),
        _version_row(old, 7, "", "Nobody Matched"),
        _version_row(new, 1, VERSION_SAME, "Hanhai One"),
        _version_row(new, 2, VERSION_CHANGED, "Hanhai Three"),
        _version_row(new, 3, VERSION_WRITTEN, "Cloud One", aliases="a cloud | B\u2013Cloud"),
        _version_row(new, 4, VERSION_SPLIT, "Cloud Two part b"),
        _version_row(new, 5, VERSION_SPLIT, "Cloud Two part a"),
        _version_row(new, 6, VERSION_ADDED, "New Entry"),
        _version_row(CSL_VERSION, 1, VERSION_SAME, "Hanhai One", address=""),
    ]


def rows() -> dict[str, list[dict[str, str]]]:
    """Every table's rows, by table name."""
    return {"companies": companies(), "entities": entities(), "events": events(), "rules": rules(),
            "responses": responses(), "moments": moments(),
            "list_versions": list_versions(), "version_rows": version_rows(),
            "screening_list": screening_list()}


# --- The Consolidated Screening List: a few made-up rows of other lists ---

SCREENING_VERSION = "csl_all_2025-12-01"
SDN_ONLY_NAME = "Kestrel Shipping Holding LLC (made up)"  # on the SDN list only


def screening_list() -> list[dict[str, str]]:
    """Made-up rows of other lists: one SDN row with an entity number, DPL and MEU rows without,
    one of them an alias of an entry's name (Hanhai), ids as the importer derives them."""
    from tracker.importers.shared import screening_row_id

    def row(code, name, number="", alt="", countries="CN", url=f"{SITE}/csl"):
        made = {"list": code, "list_name": f"{code} list (made up)", "entity_number": number,
                "type": "Entity" if number else "", "name": name, "alt_names": alt, "countries": countries,
                "programs": "", "federal_register_notice": "", "license_requirement": "",
                "license_policy": "", "source_list_url": url}
        return {**made, "row_id": screening_row_id(made), "version_id": SCREENING_VERSION,
                "version_date": SCREENING_VERSION.removeprefix("csl_all_")}

    return [
        row("SDN", SDN_ONLY_NAME, "90001", alt="Kestrel Shipping", countries="AE"),
        row("DPL", "Hanhai Technologies Company Limited", countries="CN"),
        row("MEU", "Orion Precision Instruments Plant JSC (made up)", countries="RU"),
    ]


def write_inputs(root: Path) -> DataPaths:
    """Write the data set as `root/inputs/*.csv`; returns the data folder (no store is built)."""
    paths = DataPaths(Path(root))
    tables = rows()
    for table in schema.TABLES:
        write_rows(paths.inputs / table.filename, table, tables[table.name])
    return paths


# --- Sources the importers read, made from the rows above ---


def fr_document(rule_id: str) -> dict:
    """A Federal Register API document (JSON) saying what the factory's rule row says (the row's
    sources aside: the document's page is not among them)."""
    rule = next(r for r in rules() if r["rule_id"] == rule_id)
    return {"document_number": rule["document_number"], "publication_date": rule["publication_date"],
            "citation": rule["fr_citation"], "title": rule["title"], "type": "Rule",
            "abstract": rule["summary"], "html_url": rule["url"],
            "agencies": [{"raw_name": "Bureau of Industry and Security"}]}


NEW_RULE = "2025-50505"  # a rule the factory's rules.csv does not hold
NEW_RULE_DOCUMENT = {"document_number": NEW_RULE, "publication_date": "2025-10-01", "citation": "90 FR 70001",
                     "title": "Addition of Entities to and Revision of Entry on the Entity List",
                     "type": "Rule",
                     "abstract": "In this made-up rule, the test factory adds two entries and revises one.",
                     "html_url": f"{SITE}/rule/{NEW_RULE}",
                     "agencies": [{"raw_name": "Bureau of Industry and Security"}]}

# The header of a Consolidated Screening List CSV export (as tests/fixtures/csl_sample.csv has it).
CSL_HEADER = ["_id", "source", "entity_number", "type", "programs", "name", "title", "addresses",
              "federal_register_notice", "start_date", "end_date", "standard_order", "license_requirement",
              "license_policy", "call_sign", "vessel_type", "gross_tonnage", "gross_registered_tonnage",
              "vessel_flag", "vessel_owner", "remarks", "source_list_url", "alt_names", "citizenships",
              "nationalities", "places_of_birth", "dates_of_birth", "source_information_url", "ids"]
CSL_EL_SOURCE = "Entity List (EL) - Bureau of Industry and Security"
COUNTRY_CODES = {CHINA: "CN", RUSSIA: "RU", IRAN: "IR", PAKISTAN: "PK"}
# What csl_export() writes against the factory's inputs: every entry but CSL_GONE, CSL_CHANGED with
# another address, one entry that is not in the inputs (CSL_NEW_NAME), and one row of another list.
CSL_GONE = "EL-0024"
CSL_CHANGED = "EL-0003"
CSL_CHANGED_ADDRESS = "3 Example Road, Building 2, CN"  # the inputs say "3 Example Road, China."
CSL_NEW_NAME = "Shenzhen Lumen Xingchen Technology Co., Ltd."
CSL_NEW_ID = "EL-0031"  # the id the import gives it
CSL_ROWS, CSL_EL_ROWS = ENTRIES + 1, ENTRIES  # rows read; rows of the Entity List
CSL_UNCHANGED = ENTRIES - 2


def csl_row(entity: dict[str, str], **changes: str) -> dict[str, str]:
    """An entry as a screening list export writes it: the address's country as its ISO code,
    aliases and citations separated by semicolons, the date of its first citation."""
    address = entity["address"].rstrip(".")
    head, _, country = address.rpartition(", ")
    listed = next((e["date"] for e in events() if e["entity_id"] == entity["entity_id"]
                   and e["action"] == "added"), "")
    row = {"_id": f"factory-{entity['entity_id']}", "source": CSL_EL_SOURCE, "name": entity["name"],
           "addresses": f"{head}, {COUNTRY_CODES.get(country, country)}",
           "federal_register_notice": entity["fr_citations"], "start_date": listed,
           "license_requirement": entity["license_requirement"],
           "license_policy": entity["license_review_policy"],
           "alt_names": "; ".join(a for a in entity["aliases"].split(schema.LIST_SEPARATOR) if a)}
    return {**row, **changes}


def csl_export(path: Path, rows: list[dict[str, str]] | None = None) -> Path:
    """Write a screening list export: `rows` (csl_row's), by default the one described above."""
    if rows is None:
        rows = [csl_row(e, **({"addresses": CSL_CHANGED_ADDRESS} if e["entity_id"] == CSL_CHANGED else {}))
                for e in entities() if e["entity_id"] != CSL_GONE]
        rows.append({"_id": "factory-new", "source": CSL_EL_SOURCE, "name": CSL_NEW_NAME,
                     "addresses": "8 Example Road, Shenzhen, CN", "federal_register_notice": LUMEN_CITATION,
                     "start_date": LUMEN_DAY, "license_requirement": ALL_ITEMS, "license_policy": DENIAL})
        rows.append({"_id": "factory-sdn", "type": "Entity",
                     "source": "Specially Designated Nationals (SDN) - Treasury Department",
                     "name": "Fixture Trading Company (made up)",
                     "addresses": "1 Example Street, Example City, RU"})
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSL_HEADER, lineterminator="\n", restval="")
    writer.writeheader()
    writer.writerows(rows)
    Path(path).write_text(buffer.getvalue(), encoding="utf-8")
    return Path(path)
