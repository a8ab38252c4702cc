"""Synthetic data folders in the project's input schema, for benchmarks at any scale.

`generate(out, scale, seed)` writes `out/inputs/*.csv` with `scale` entries and, in
proportion, their events, rules, company profiles, responses and policy moments. The
distributions are learned from the shipped inputs (`data/inputs`): destination shares,
listings per year, how many aliases an entry has, license requirement texts. Listings
come in bursts on rule dates, as real additions do.

Nothing here can pass for real data: every row says it is synthetic in its source column
("synthetic (tracker generate, seed 1)"), every link points to `example.invalid`, and the
project's own `data/` folder is refused as a destination.
"""

from __future__ import annotations

import csv
import random
import shutil
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from tracker import schema
from tracker.config import PROJECT_DIR

SHIPPED_INPUTS = PROJECT_DIR / "data" / "inputs"
MARKER = "SYNTHETIC.md"  # written beside inputs/, so a generated folder can be regenerated in place
MAX_SCALE = 9_999_999  # entity ids are EL- and at most seven digits
FIRST_DAY = date(1997, 1, 2)
LAST_DAY = date(2026, 6, 30)
FAKE_SITE = "https://example.invalid/synthetic"
ON_RULE_DAY = 0.95  # share of listings published on a rule's day


def source_label(seed: int) -> str:
    """The text every generated row carries in its source column."""
    return f"synthetic (tracker generate, seed {seed})"


# --- What the shipped inputs look like ---

@dataclass(frozen=True)
class Profile:
    """Distributions learned from a folder of real inputs."""

    destinations: list[str]
    destination_weights: np.ndarray
    years: list[int]
    year_weights: np.ndarray
    alias_count_weights: np.ndarray  # index k: share of entries with k aliases
    license_texts: list[str]
    license_weights: np.ndarray
    category_status: list[tuple[str, str]]
    category_status_weights: np.ndarray
    rules_per_entry: float  # rules recorded for each entry on the list
    attributed_share: float  # share of listings whose rule is known (rule_id)
    linked_share: float  # share of entries linked to a company profile


def _read(folder: Path, name: str) -> list[dict[str, str]]:
    with open(folder / f"{name}.csv", encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _weights(counts: Counter) -> tuple[list, np.ndarray]:
    keys = sorted(counts)
    values = np.array([counts[k] for k in keys], dtype=float)
    return keys, values / values.sum()


def learn(inputs: Path = SHIPPED_INPUTS) -> Profile:
    """Destination shares, listings per year, alias counts and more, from real inputs."""
    entities = _read(inputs, "entities")
    events = _read(inputs, "events")
    responses = _read(inputs, "responses")
    destinations, destination_weights = _weights(Counter(e["destination"] for e in entities))
    per_year = Counter(int(ev["date"][:4]) for ev in events if ev["action"] == "added" and ev["date"])
    # Every year from 1997 to 2026 gets some listings; 2026 (half a year) as many as half of 2025.
    for year in range(FIRST_DAY.year, LAST_DAY.year + 1):
        per_year[year] = max(per_year[year], 3)
    per_year[LAST_DAY.year] = max(per_year[LAST_DAY.year], per_year[LAST_DAY.year - 1] // 2)
    years, year_weights = _weights(per_year)
    alias_counts = Counter(len(e["aliases"].split(schema.LIST_SEPARATOR)) if e["aliases"] else 0
                           for e in entities)
    alias_count_weights = np.zeros(max(alias_counts) + 1)
    for k, n in alias_counts.items():
        alias_count_weights[k] = n
    licenses, license_weights = _weights(Counter(e["license_requirement"] for e in entities
                                                 if e["license_requirement"]))
    category_status, category_status_weights = _weights(Counter((r["category"], r["status"])
                                                                for r in responses))
    added = [ev for ev in events if ev["action"] == "added"]
    return Profile(destinations, destination_weights, years, year_weights,
                   alias_count_weights / alias_count_weights.sum(), licenses, license_weights,
                   category_status, category_status_weights,
                   rules_per_entry=len(_read(inputs, "rules")) / len(entities),
                   attributed_share=sum(bool(ev["rule_id"]) for ev in added) / len(added),
                   linked_share=sum(bool(e["company_id"]) for e in entities) / len(entities))


# --- Names ---

CHINESE_CITIES = [("Beijing", "北京"), ("Shanghai", "上海"), ("Shenzhen", "深圳"), ("Guangzhou", "广州"),
                  ("Hangzhou", "杭州"), ("Chengdu", "成都"), ("Wuhan", "武汉"), ("Nanjing", "南京"),
                  ("Xi'an", "西安"), ("Hefei", "合肥"), ("Tianjin", "天津"), ("Suzhou", "苏州"),
                  ("Changsha", "长沙"), ("Harbin", "哈尔滨"), ("Xiamen", "厦门"), ("Chongqing", "重庆")]
CHINESE_CORES = [("Huaxin", "华芯"), ("Zhongke", "中科"), ("Haiguang", "海光"), ("Xinwei", "芯微"),
                 ("Tianyu", "天宇"), ("Jinghua", "京华"), ("Hongxin", "宏信"), ("Ruixin", "锐芯"),
                 ("Changjiang", "长江"), ("Guoxin", "国芯"), ("Zhixin", "智芯"), ("Lianchuang", "联创"),
                 ("Taiji", "太极"), ("Xinghe", "星河"), ("Yuntian", "云天"), ("Longxin", "龙信"),
                 ("Huake", "华科"), ("Dongfang", "东方"), ("Shenghong", "盛宏"), ("Kaiyuan", "开元"),
                 ("Zhongxing", "中兴"), ("Hengtong", "恒通"), ("Jiayuan", "嘉源"), ("Boyuan", "博源"),
                 ("Ziguang", "紫光"), ("Tongfang", "同方"), ("Huanan", "华南"), ("Xinhua", "新华"),
                 ("Anxin", "安信"), ("Weida", "伟达"), ("Chuangxin", "创新"), ("Jingwei", "经纬")]
CHINESE_TRADES = [("Technology", "科技"), ("Electronics", "电子"), ("Microelectronics", "微电子"),
                  ("Semiconductor", "半导体"), ("Information Technology", "信息技术"),
                  ("Communication Technology", "通信技术"), ("Intelligent Technology", "智能科技"),
                  ("Precision Instruments", "精密仪器"), ("Aerospace Technology", "航天科技"),
                  ("Software", "软件"), ("Optoelectronics", "光电"), ("Computing", "计算")]
RUSSIAN_FORMS = ["OOO", "AO", "JSC", "LLC", "PJSC", "Limited Liability Company", "Joint Stock Company"]
RUSSIAN_STEMS = ["Techno", "Radio", "Elektro", "Mikro", "Avia", "Prom", "Spets", "Neva", "Ural", "Sibir",
                 "Volga", "Kvant", "Orion", "Almaz", "Granit", "Kristall", "Vektor", "Impuls", "Signal",
                 "Sever", "Baltik", "Energo", "Opto", "Avto", "Radar", "Kontakt", "Polyus", "Zenit"]
RUSSIAN_ENDINGS = ["pribor", "tekh", "sistema", "komplekt", "mash", "servis", "invest", "snab", "resurs",
                   "tronika", "lab", "proekt", "stroi", "com", "soft", "optika"]
WORDS = ["Global", "Advanced", "Prime", "United", "Pacific", "Eastern", "Royal", "Star", "Falcon",
         "Golden", "Delta", "Orient", "Crescent", "Summit", "Zenith", "Atlas", "Phoenix", "Silver", "Blue",
         "Nova", "Vertex", "Apex", "Horizon", "Meridian", "Sapphire", "Emerald", "Titan", "Aurora",
         "Sahara", "Caspian", "Alpine", "Harbor", "Pioneer", "Liberty", "Sterling", "Quantum"]
TRADES = ["Tech", "Trade", "Electronics", "Systems", "Industries", "Logistics", "Components", "Aviation",
          "Engineering", "Solutions", "Supplies", "Dynamics", "Marine", "Energy", "Machinery", "Trading",
          "Instruments", "Technologies", "Freight", "Import Export"]
SUFFIXES = {"United Arab Emirates": ["FZE", "LLC", "FZCO", "General Trading LLC", "DMCC"],
            "Pakistan": ["(Pvt) Ltd.", "(Private) Limited"], "Turkey": ["Ltd. Sti.", "A.S."],
            "Germany": ["GmbH"], "United Kingdom": ["Ltd", "Limited"], "Iran": ["Co.", "Company"],
            "Singapore": ["Pte. Ltd."], "Malaysia": ["Sdn. Bhd."], "Hong Kong": ["Limited"]}
DEFAULT_SUFFIXES = ["Ltd.", "Limited", "Company", "Corporation", "Inc.", "Co."]
FIRST_NAMES = ["Ali", "Mohammad", "Hassan", "Reza", "Ahmad", "Omar", "Yusuf", "Ivan", "Sergey", "Dmitry",
               "Alexei", "Olga", "Elena", "Maria", "Wei", "Li", "Jun", "Kamal", "Tariq", "Farid", "Nikolai",
               "Anna", "Mehmet", "Emre", "Rashid", "Karim", "Viktor", "Andrei", "Pavel", "Yuri"]
LAST_NAMES = ["Ahmadi", "Karimi", "Hosseini", "Rahimi", "Khan", "Malik", "Ivanov", "Petrov", "Smirnov",
              "Kuznetsov", "Popov", "Volkov", "Zhang", "Wang", "Chen", "Yilmaz", "Demir", "Haddad",
              "Nasser", "Sokolov", "Morozov", "Novikov", "Qureshi", "Siddiqui", "Farouk", "Aziz"]
AFFILIATES = ["Cloud", "Software", "Terminal", "Device", "Investment", "Trading", "Research Institute",
              "Semiconductor", "Digital", "Technical Service", "Energy", "Intelligent Systems"]
STREETS = ["Industrial", "Science", "Technology", "Central", "Harbor", "Garden", "University", "Park",
           "Innovation", "Airport", "Lake", "River", "Market", "Station", "Hill", "Pioneer"]
ROAD_TYPES = ["Road", "Street", "Avenue", "Boulevard", "Lane"]
REVIEW_POLICIES = ["Presumption of denial.", "Case-by-case review.",
                   "Policy of denial for all items subject to the EAR.",
                   "Case-by-case review for items necessary to detect, identify and treat infectious "
                   "disease; presumption of denial for all other items."]
SECTOR_DETAILS = {"Artificial intelligence": "Artificial intelligence (models and services)",
                  "Semiconductors": "Semiconductors (design and fabrication)",
                  "Telecommunications": "Telecommunications equipment",
                  "Computing": "High-performance computing and servers",
                  "Surveillance": "Video surveillance and biometrics",
                  "Drones": "Unmanned aerial vehicles",
                  "Consumer electronics": "Consumer electronics and components",
                  "Cybersecurity": "Security software and services"}
RULE_TITLES = ["Additions to the Entity List", "Additions and Revisions to the Entity List",
               "Additions of Entities to the Entity List",
               "Addition of Certain Entities to the Entity List; Revision of Existing Entries",
               "Additions to and Removals From the Entity List"]
RELATED_TITLES = ["Revisions to License Exceptions",
                  "Export Administration Regulations: Technical Amendments",
                  "Foreign Direct Product Rule Revisions", "Advanced Computing Items; Interim Final Rule"]
LATER_ACTIONS = ("revised", "revised", "revised", "corrected", "removed")
RESPONSE_TITLES = {
    "domestic_partnerships": "Partners with domestic suppliers",
    "rnd_talent": "Expands research and hiring",
    "diversify_revenue": "Moves into new lines of business",
    "international_expansion": "Opens offices in markets with less US influence",
    "policy_advocacy": "Lobbies against the listing",
    "alternative_supply_chain": "Builds an alternative supply chain",
    "public_statement": "Publicly opposes its addition",
    "legal_challenge": "Challenges the listing in court",
    "restructuring": "Restructures its business",
    "other": "Other response",
}


def _chinese_name(r: random.Random) -> tuple[str, str, str, str]:
    """English name, Chinese name, short name and city of a Chinese company."""
    city, core, trade = (CHINESE_CITIES[r.randrange(len(CHINESE_CITIES))],
                         CHINESE_CORES[r.randrange(len(CHINESE_CORES))],
                         CHINESE_TRADES[r.randrange(len(CHINESE_TRADES))])
    core2 = CHINESE_CORES[r.randrange(len(CHINESE_CORES))]
    english = f"{city[0]} {core[0]}{core2[0].lower()} {trade[0]} Co., Ltd."
    chinese = f"{city[1]}{core[1]}{core2[1]}{trade[1]}有限公司"
    return english, chinese, f"{core[0]}{core2[0].lower()}", city[0]


def _russian_name(r: random.Random) -> tuple[str, str]:
    stem = RUSSIAN_STEMS[r.randrange(len(RUSSIAN_STEMS))] + RUSSIAN_ENDINGS[r.randrange(len(RUSSIAN_ENDINGS))]
    form = RUSSIAN_FORMS[r.randrange(len(RUSSIAN_FORMS))]
    extra = ["", "", " Plus", " Group", " Trade", " NPO"][r.randrange(6)]
    return f"{form} {stem}{extra}", stem


def _other_name(r: random.Random, destination: str) -> tuple[str, str]:
    if r.random() < 0.08:
        first, last = FIRST_NAMES[r.randrange(len(FIRST_NAMES))], LAST_NAMES[r.randrange(len(LAST_NAMES))]
        return f"{first} {last}", last
    word, trade = WORDS[r.randrange(len(WORDS))], TRADES[r.randrange(len(TRADES))]
    suffixes = SUFFIXES.get(destination, DEFAULT_SUFFIXES)
    return f"{word} {trade} {suffixes[r.randrange(len(suffixes))]}", f"{word} {trade}"


def _initials(name: str) -> str:
    letters = "".join(w[0] for w in name.replace(",", " ").split() if w[:1].isalpha() and w[0].isupper())
    return letters if len(letters) >= 2 else name.split()[0]


def _aliases(r: random.Random, name: str, short: str, destination: str, k: int) -> str:
    """`k` other names: short forms, initials, former names; the long lists real entries have."""
    out: list[str] = []
    for i in range(k):
        kind = i if i < 2 else 2 + r.randrange(3)
        if kind == 0:
            alias = short
        elif kind == 1:
            alias = _initials(name)
        elif kind == 2 and destination == "China":
            alias = _chinese_name(r)[0]
        elif kind == 2 and destination == "Russia":
            alias = _russian_name(r)[0]
        elif kind == 2:
            alias = _other_name(r, destination)[0]
        elif kind == 3:
            alias = f"{short} {AFFILIATES[r.randrange(len(AFFILIATES))]}"
        else:
            alias = f"{short} ({WORDS[r.randrange(len(WORDS))]} branch)"
        if alias not in out and alias != name:
            out.append(alias)
    return schema.LIST_SEPARATOR.join(out)


def _address(r: random.Random, destination: str, city: str | None) -> str:
    parts = []
    for _ in range(1 + (r.random() < 0.25) + (r.random() < 0.08)):
        street = f"{STREETS[r.randrange(len(STREETS))]} {ROAD_TYPES[r.randrange(len(ROAD_TYPES))]}"
        place = city or f"{WORDS[r.randrange(len(WORDS))]} City"
        if destination == "China":
            parts.append(f"Room {r.randrange(100, 2999)}, Building {r.randrange(1, 40)}, "
                         f"No. {r.randrange(1, 999)} {street}, {place}, China")
        else:
            parts.append(f"{r.randrange(1, 999)} {street}, Office {r.randrange(1, 80)}, {place}, "
                         f"{destination}")
    return "; and ".join(parts) + "."


# --- Dates and citations ---

def _citation(day: date, page: int) -> str:
    # FR volume 1 is 1936.
    return f"{day.year - 1935} FR {page}"


def _page_of(day: date, r: random.Random) -> int:
    return int(day.timetuple().tm_yday / 366 * 80000) + int(r.randrange(1, 200))


def _random_weekday(r: random.Random, year: int) -> date:
    """A working day of `year` between FIRST_DAY and LAST_DAY (the Federal Register appears on weekdays)."""
    start, end = max(date(year, 1, 1), FIRST_DAY), min(date(year, 12, 31), LAST_DAY)
    day = start + timedelta(days=r.randrange((end - start).days + 1))
    if day.weekday() >= 5:
        back = day - timedelta(days=day.weekday() - 4)
        day = back if back >= start else day + timedelta(days=7 - day.weekday())
    return day


# --- The generator ---

def counts_for(scale: int, profile: Profile) -> dict[str, int]:
    """How many rows of each input a scale of `scale` entries gets (events vary, 1 to 3 per entry).

    Rules in the shipped proportion (one for about 40 entries), a company profile for 200 entries
    (the shipped list has 19 for 3,409), about one response note per profile.
    """
    companies = max(10, scale // 200)
    return {"entities": scale, "rules": max(40, round(scale * profile.rules_per_entry)),
            "companies": companies, "responses": max(30, companies),
            "moments": min(60, 20 + scale // 50_000)}


def check_destination(out: Path) -> None:
    """Refuse to write anywhere real data could be: the project's data folder or a folder of real inputs."""
    out = Path(out).resolve()
    project_data = (PROJECT_DIR / "data").resolve()
    inputs = out / "inputs"
    if out == project_data or inputs == SHIPPED_INPUTS.resolve() or project_data in out.parents \
            or out in project_data.parents:
        raise ValueError(f"{out}: refusing to write synthetic data into or around the project's "
                         "data folder; choose a folder elsewhere")
    if inputs.is_dir() and any(inputs.glob("*.csv")) and not (out / MARKER).exists():
        raise ValueError(f"{inputs} already holds CSV inputs that were not generated; choose an empty "
                         "folder")


def generate(out: Path, scale: int, seed: int = 1, inputs: Path = SHIPPED_INPUTS) -> dict[str, int]:
    """Write `out/inputs/*.csv` with `scale` synthetic entries; returns the rows written per input."""
    if not 1 <= scale <= MAX_SCALE:
        raise ValueError(f"scale must be between 1 and {MAX_SCALE:,}")
    out = Path(out)
    check_destination(out)
    profile = learn(inputs)
    # numpy draws whole columns at once; Python's generator the many small choices per row.
    draw = _Draw(np.random.default_rng(seed), random.Random(seed))
    label = source_label(seed)
    counts = counts_for(scale, profile)
    companies = _companies(draw, counts["companies"], label)
    rules = _rules(draw, profile, counts["rules"], label)
    entities, events = _entities_and_events(draw, profile, scale, rules, companies, label)
    _fill_rule_counts(draw, rules, events, entities)
    responses = _responses(draw, profile, counts["responses"], companies, label)
    moments = _moments(counts["moments"], rules, label)

    folder = out / "inputs"
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    (out / MARKER).write_text(
        f"# Synthetic data\n\nWritten by `python -m tracker generate --scale {scale} --seed {seed}`.\n"
        "Every row is invented and says so in its source column; it is not the Entity List.\n",
        encoding="utf-8")
    tables = {"companies": companies, "rules": rules, "entities": entities, "events": events,
              "responses": responses, "moments": moments}
    versions, version_rows = _versions(draw, pd.DataFrame(entities), label)
    tables.update({"list_versions": versions, "version_rows": version_rows})
    tables.update({t.name: [] for t in schema.TABLES if t.optional and t.name not in tables})
    written = {}
    for name, rows in tables.items():
        table = schema.TABLES_BY_NAME[name]
        frame = rows if isinstance(rows, pd.DataFrame) else pd.DataFrame(rows, columns=table.column_names)
        if table.sort_by:
            frame = frame.sort_values(list(table.sort_by), kind="stable")
        frame.to_csv(folder / table.filename, index=False, lineterminator="\n", encoding="utf-8")
        written[name] = len(frame)
    return written


@dataclass(frozen=True)
class _Draw:
    np: np.random.Generator
    r: random.Random


def _companies(draw: _Draw, n: int, label: str) -> list[dict]:
    r = draw.r
    rows = []
    for i in range(1, n + 1):
        company_id = f"syn-{i:07d}"
        country = "China" if r.random() < 0.7 else ("Russia" if r.random() < 0.5 else "Iran")
        if country == "China":
            name, local, short, city = _chinese_name(r)
        else:
            name, short = _russian_name(r) if country == "Russia" else _other_name(r, country)
            local, city = "", f"{r.choice(WORDS)} City"
        sector = r.choice(schema.SECTORS)
        parent = f"syn-{r.randrange(1, i):07d}" if i > 1 and r.random() < 0.15 else ""
        rows.append({
            "company_id": company_id, "name": name, "local_name": local,
            "aliases": short if short != name else "", "country": country, "city": city,
            "sector": sector, "sector_detail": SECTOR_DETAILS[sector],
            "founded": str(r.randrange(1950, 2024)),
            "website": f"{FAKE_SITE}/companies/{company_id}", "parent_id": parent,
            "description": f"Invented profile of a {sector.lower()} company in {city}, {country}; {label}.",
            "sources": f"{FAKE_SITE}/sources/{company_id}",
            "_short": short,
        })
    return rows


def _rules(draw: _Draw, profile: Profile, n: int, label: str) -> list[dict]:
    r = draw.r
    years = draw.np.choice(profile.years, size=n, p=profile.year_weights)
    days = sorted(_random_weekday(r, int(y)) for y in years)
    per_year: Counter = Counter()
    rows = []
    for day in days:
        per_year[day.year] += 1
        number = f"{day.year}-{per_year[day.year]:05d}"
        change = r.random() < 0.9
        rows.append({
            "rule_id": number, "publication_date": day.isoformat(), "document_number": number,
            "fr_citation": _citation(day, _page_of(day, r)),
            "title": r.choice(RULE_TITLES) if change else r.choice(RELATED_TITLES),
            "scope": "entity_list_change" if change else "related_rule",
            "actions": "add;revise" if change else "",
            "summary": f"Invented rule for benchmarks; {label}.",
            "url": f"{FAKE_SITE}/rules/{number}", "counts_source": label,
            "sources": f"{FAKE_SITE}/rules/{number}", "notes": label,
            # Burst size: a few rules list hundreds of entries, most a handful.
            "_weight": r.lognormvariate(0.0, 1.3) if change else 0.0,
            "_day": day,
        })
    return rows


def _entities_and_events(draw: _Draw, profile: Profile, n: int, rules: list[dict], companies: list[dict],
                         label: str) -> tuple[list[dict], list[dict]]:
    rng, r = draw.np, draw.r
    destinations = rng.choice(len(profile.destinations), size=n, p=profile.destination_weights)
    alias_counts = rng.choice(len(profile.alias_count_weights), size=n, p=profile.alias_count_weights)
    licenses = rng.choice(len(profile.license_texts), size=n, p=profile.license_weights)
    n_events = rng.choice([1, 2, 3], size=n, p=[0.80, 0.14, 0.06])
    # As many entries belong to a profiled company as in the shipped list; a few own many (Zipf-like).
    linked = rng.random(n) < profile.linked_share
    ranks = np.arange(1, len(companies) + 1, dtype=float) ** -0.6
    owner = rng.choice(len(companies), size=n, p=ranks / ranks.sum())
    weights = np.array([rule["_weight"] for rule in rules])
    change_rules = np.flatnonzero(weights > 0)
    rule_order = np.array([rules[i]["_day"].toordinal() for i in change_rules])
    rule_pages = [int(rule["fr_citation"].split(" FR ")[1]) for rule in rules]
    # Listings come on the days rules are published: the bursts of the real list. As there, only
    # some are tied to their rule (rule_id); a few fall on other days.
    on_rule = rng.random(n) < ON_RULE_DAY
    tied = rng.random(n) < profile.attributed_share / ON_RULE_DAY
    picked_rule = rng.choice(change_rules, size=n, p=weights[change_rules] / weights[change_rules].sum())
    years = rng.choice(profile.years, size=n, p=profile.year_weights)
    undated = rng.random(n) < 0.001
    last = LAST_DAY.toordinal()

    entity_rows, event_rows = [], []
    for i in range(n):
        entity_id = f"EL-{i + 1:07d}"
        destination = profile.destinations[destinations[i]]
        company = companies[owner[i]] if linked[i] else None
        local, city = "", None
        if company is not None:
            name = f"{company['_short']} {r.choice(AFFILIATES)} Co., Ltd."
            short, city = company["_short"], company["city"]
        elif destination == "China":
            name, chinese, short, city = _chinese_name(r)
            if r.random() < 0.5:
                local = chinese
        elif destination == "Russia":
            name, short = _russian_name(r)
        else:
            name, short = _other_name(r, destination)
        # The first event is the listing; later ones revise (rarely correct or remove) the entry.
        if on_rule[i]:
            index = int(picked_rule[i])
            day, rule_id = rules[index]["_day"], rules[index]["rule_id"] if tied[i] else ""
            page = rule_pages[index] + r.randrange(60)
        else:
            day = _random_weekday(r, int(years[i]))
            page, rule_id = _page_of(day, r), ""
        citations = []
        for k in range(int(n_events[i])):
            if k:
                ordinal = min(day.toordinal() + r.randrange(30, 3000), last)
                later = int(np.searchsorted(rule_order, ordinal))
                if later < len(rule_order) and r.random() < 0.5:
                    index = int(change_rules[later])
                    day, page, rule_id = rules[index]["_day"], rule_pages[index] + r.randrange(60), \
                        rules[index]["rule_id"]
                else:
                    day = date.fromordinal(ordinal)
                    page, rule_id = _page_of(day, r), ""
            action = "added" if k == 0 else r.choice(LATER_ACTIONS)
            citation = _citation(day, page)
            citations.append(citation)
            dated = not (undated[i] and k == 0)
            event_rows.append({
                "event_id": f"{entity_id}-{k + 1}", "entity_id": entity_id, "action": action,
                "date": day.isoformat() if dated else "", "year": str(day.year), "fr_citation": citation,
                "rule_id": rule_id if dated else "",
                "derivation": "inferred", "evidence": label,
                "note": label if dated else f"the source gives no date for this citation; {label}",
            })
        entity_rows.append({
            "entity_id": entity_id, "destination": destination, "name": name,
            "aliases": _aliases(r, name, short, destination, int(alias_counts[i])),
            "local_name": local, "address": _address(r, destination, city),
            "entry_type": "address_only" if r.random() < 0.005 else "entity",
            # Off the list when its latest event removed it (the events are in date order).
            "status": schema.REMOVED if action == "removed" else schema.LISTED,
            "license_requirement": profile.license_texts[licenses[i]],
            "license_review_policy": r.choice(REVIEW_POLICIES) if r.random() < 0.6 else "",
            "fr_citations": schema.CITATION_SEPARATOR.join(dict.fromkeys(citations)),
            "company_id": company["company_id"] if company else "",
            "company_link": f"name contains '{company['_short']}'" if company else "",
            "source": label,
        })
    return entity_rows, event_rows


def _fill_rule_counts(draw: _Draw, rules: list[dict], events: list[dict], entities: list[dict]) -> None:
    """A rule states what it added, by destination: today's entries citing it, plus some removed since."""
    destination = {e["entity_id"]: e["destination"] for e in entities}
    added: dict[str, Counter] = {}
    revised: Counter = Counter()
    for event in events:
        if not event["rule_id"]:
            continue
        if event["action"] == "added":
            added.setdefault(event["rule_id"], Counter())[destination[event["entity_id"]]] += 1
        else:
            revised[event["rule_id"]] += 1
    r = draw.r
    for rule in rules:
        if rule["scope"] != "entity_list_change":
            continue
        per_destination = added.get(rule["rule_id"], Counter())
        listed = sum(per_destination.values())
        stated = listed + sum(r.random() < 0.05 for _ in range(min(listed, 1000)))
        rule.update({
            "entries_added": str(stated), "entities_added": str(stated),
            "entries_revised": str(revised[rule["rule_id"]]), "entries_corrected": "0",
            "entities_removed": str(int(r.random() < 0.3)),
            "country_counts": ";".join(f"{d}:{c}" for d, c in sorted(per_destination.items())),
        })


def _responses(draw: _Draw, profile: Profile, n: int, companies: list[dict], label: str) -> list[dict]:
    r = draw.r
    # Notes cluster on a few companies, as analysts' attention does.
    ranks = np.arange(1, len(companies) + 1, dtype=float) ** -0.8
    owners = draw.np.choice(len(companies), size=n, p=ranks / ranks.sum())
    kinds = draw.np.choice(len(profile.category_status), size=n, p=profile.category_status_weights)
    rows = []
    for i in range(n):
        category, status = profile.category_status[kinds[i]]
        day = _random_weekday(r, r.randrange(2018, 2027))
        rows.append({
            "response_id": f"syn-r-{i + 1:07d}", "company_id": companies[owners[i]]["company_id"],
            "date": day.isoformat()[:7] if r.random() < 0.15 else day.isoformat(),
            "category": category, "status": status,
            "measure": "FCC Covered List" if r.random() < 0.05 else "",
            "title": RESPONSE_TITLES[category],
            "note": f"Invented note for benchmarks: a **{category.replace('_', ' ')}** move ({status}); "
                    f"{label}.",
            "source_name": label, "source_url": f"{FAKE_SITE}/responses/{i + 1}",
        })
    return rows


def _moments(n: int, rules: list[dict], label: str) -> list[dict]:
    # The rules that listed most are the moments a presenter would mark.
    changes = [rule for rule in rules if rule["scope"] == "entity_list_change"]
    biggest = sorted(changes, key=lambda rule: (-int(rule["entries_added"]), rule["rule_id"]))[:n]
    return [{
        "moment_id": f"syn-m-{i:03d}", "date": rule["publication_date"],
        "title": f"{rule['entries_added']} entries added", "kind": "entity_list_rule",
        "fr_citations": rule["fr_citation"], "note": f"Invented moment; {label}.",
        "source_name": label, "source_url": f"{FAKE_SITE}/moments/{i}",
    } for i, rule in enumerate(biggest, start=1)]


# Two versions of the list, of every generated entry, for the Changes page's diff: the newer one
# without VERSION_SHARES["removed"] of the older one's entries, with "added" entries the older one
# lacks, "changed" addresses and "format_only" ones written otherwise (upper case, no final period).
VERSION_DAYS = ("2026-03-31", "2026-06-30")
VERSION_SHARES = {"added": 0.005, "removed": 0.005, "changed": 0.005, "format_only": 0.01}
VERSION_FIELDS = ("destination", "name", "aliases", "address", "fr_citations", "license_requirement",
                  "license_review_policy")


def _versions(draw: _Draw, entities: pd.DataFrame, label: str) -> tuple[list[dict], pd.DataFrame]:
    n = len(entities)
    kind = draw.np.choice(["same", *VERSION_SHARES], size=n,
                          p=[1 - sum(VERSION_SHARES.values()), *VERSION_SHARES.values()])
    rows = entities[["entity_id", *VERSION_FIELDS]].rename(columns={"entity_id": "entity_ids"})
    old = rows[kind != "added"]
    new = rows[kind != "removed"].copy()
    changed, writing = kind[kind != "removed"] == "changed", kind[kind != "removed"] == "format_only"
    new.loc[changed, "address"] = "Building 9, " + new.loc[changed, "address"]
    new.loc[writing, "address"] = new.loc[writing, "address"].str.upper().str.rstrip(".")
    versions, frames = [], []
    for day, frame in zip(VERSION_DAYS, (old, new), strict=True):
        version_id = f"ecfr_{day}"
        versions.append({"version_id": version_id, "date": day, "source_kind": "ecfr", "variant": "",
                         "source": label, "source_path": FAKE_SITE + f"/{version_id}",
                         "date_meaning": label, "notes": label, "fields_lacking": "", "fields_partial": ""})
        numbers = np.arange(1, len(frame) + 1)
        frames.append(frame.assign(
            row_id=[f"{version_id}:{i:07d}" for i in numbers], version_id=version_id, row=numbers,
            match="exact", entity_text=""))
    columns = schema.VERSION_ROWS.column_names
    return versions, pd.concat(frames, ignore_index=True)[columns]
