"""The performance benchmark: `python -m tracker bench [--scale N ...] [--json FILE]`.

For each scale (the shipped inputs, or N synthetic entries from `tracker.generate`) it
measures, each step in a child process of its own so that time and memory belong to it:

- the build (`python -m tracker build`): wall time, peak memory, store size on disk;
- every question the pages ask (`QUESTIONS`): median and p95 over repeated runs on a warm
  connection, and on a fresh connection (cold);
- every page run end to end with AppTest: the first run (empty caches) and the median of
  warm reruns;
- the peak memory (RSS) of the process serving those;
- the same questions answered the obvious way (pandas reading the CSV inputs on every
  request: the baseline) and DuckDB's time for a bare scan of the columns each question
  reads in the store (the floor).

Generated data goes to a temporary folder (or --work) and is deleted afterwards. Every
loop is bounded by --repeat and --budget, and every child by a timeout.
"""

from __future__ import annotations

import argparse
import difflib
import json
import math
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from tracker import schema
from tracker.bench.screening import table as screening_table
from tracker.config import PROJECT_DIR, data_paths
from tracker.store.manifest import Manifest

DEFAULT_SCALES = ("shipped", "100000", "1000000")
SHIPPED_INPUTS = PROJECT_DIR / "data" / "inputs"
TABLE_ROWS = 500  # the explorer shows the first 500 rows
TIMEOUT_S = {"generate": 1800, "build": 1800, "measure": 3600}


# --- What is measured ---

@dataclass(frozen=True)
class Context:
    """The values a reader would pick at this scale: the biggest company, destination, a search."""

    this_year: int
    company: str  # the profile with the most entries: the company page's worst case
    destination: str
    search: str
    typo: str
    typical_company: str  # the profile with the median number of entries
    versions: tuple[str, str] | None = None  # the two newest versions of the list alike (ids)
    entry: str = ""  # the entry with the most actions: the entry page's worst case
    typical_entry: str = ""  # the entry in the middle of the list
    related_entry: str = ""  # the biggest company's most cited entry: related entries and networks

    @property
    def date_range(self) -> tuple[date, date]:
        return date(self.this_year - 5, 1, 1), date(self.this_year - 1, 12, 31)


@dataclass(frozen=True)
class Question:
    """One thing a page asks the store, answered three ways."""

    name: str
    page: str
    ours: Callable[[Any, Context], Any]  # (cursor, context) -> a comparable answer
    baseline: Callable[[Path, Context], Any]  # (inputs folder, context) -> the same answer
    floor: tuple[tuple[str, tuple[str, ...]], ...]  # store tables and the columns the question reads
    compare: bool = True  # False when the baseline's method is not meant to give the same answer


def _filters(**values):
    from tracker.filters import Filters

    return Filters(**values)


def _explorer_filters(ctx: Context):
    start, end = ctx.date_range
    return _filters(date_from=start, date_to=end, destinations=(ctx.destination,))


def _explorer(db, filters) -> int:
    """What the explorer page asks on every change of its filters: count, first rows, per year."""
    from tracker.store import queries

    total = queries.count_entries(db, filters)
    queries.entries(db, filters, TABLE_ROWS)
    queries.listings_over_time(db, filters, "year", "none")
    return total


def _ours_headline(db, ctx):
    from tracker.store import queries

    return queries.headline(db, ctx.this_year)


def _ours_listings(granularity):
    def ask(db, ctx):
        from tracker.store import queries

        frame = queries.listings_over_time(db, _filters(), granularity, "destination")
        return len(frame), int(frame["entries"].sum())
    return ask


def _ours_top(db, ctx):
    from tracker.store import queries

    return [tuple(row) for row in queries.top_destinations(db, _filters(), 10).itertuples(index=False)]


def _ours_company(which: str):
    def ask(db, ctx):
        from tracker.store import queries

        data = queries.company(db, getattr(ctx, which))
        return len(data.entries), len(data.events), len(data.responses)
    return ask


def _ours_related(which: str):
    def ask(db, ctx):
        from tracker.store import queries

        related = queries.related_companies(db, getattr(ctx, which))
        return len(related), int(related["related_total"].iloc[0]) if len(related) else 0
    return ask


def _ours_rules(db, ctx):
    from tracker.store import queries

    rules = queries.rules(db)
    queries.listing_dates_reconciliation(db)
    return len(rules)


def _ours_version_diff(db, ctx):
    from tracker.store import history

    if ctx.versions is None:
        return {}
    from tracker.present import changes

    # As the Changes page asks it: every difference counted, the first entries read with their text.
    return history.version_diff(db, *ctx.versions, shown=changes.SHOWN_ROWS, whole=changes.SHOWN_WHOLE).counts


def _ours_matrix(db, ctx):
    from tracker.store import queries

    return len(queries.response_matrix(db, ()))


def _ours_entry(which: str):
    def ask(db, ctx):
        from tracker.store import entry

        data = entry.entry_page(db, getattr(ctx, which))
        return len(data.events), len(data.versions), (data.entry or {}).get("company_id") or ""
    return ask


# --- The baseline: pandas reading the CSV inputs on every request ---

def _csv(inputs: Path, name: str, columns: list[str] | None = None):
    import pandas as pd

    return pd.read_csv(inputs / f"{name}.csv", usecols=columns, dtype=str, keep_default_na=False)


def _listed(inputs: Path, columns: list[str]):
    """The entries on today's list (status empty or listed), with some of their columns."""
    from tracker import schema

    entities = _csv(inputs, "entities", [*columns, "status"])
    return entities[entities["status"].isin(["", schema.LISTED])][columns]


def _base_headline(inputs, ctx):
    entities = _listed(inputs, ["entity_id", "destination"])
    events = _csv(inputs, "events", ["entity_id", "action", "year"])
    added = events[(events["action"] == "added") & events["entity_id"].isin(entities["entity_id"])]
    return {"entries": len(entities), "destinations": entities["destination"].nunique(),
            "companies": len(_csv(inputs, "companies", ["company_id"])),
            "rules": int((_csv(inputs, "rules", ["scope"])["scope"] == "entity_list_change").sum()),
            "added_this_year": int((added["year"] == str(ctx.this_year)).sum()),
            "added_last_year": int((added["year"] == str(ctx.this_year - 1)).sum())}


def _base_listings(granularity):
    def ask(inputs, ctx):
        import pandas as pd

        events = _csv(inputs, "events", ["entity_id", "action", "date"])
        entities = _listed(inputs, ["entity_id", "destination"])
        added = events[(events["action"] == "added") & (events["date"] != "")].merge(entities, on="entity_id")
        period = pd.to_datetime(added["date"]).dt.to_period("M" if granularity == "month" else "Y")
        counts = added.groupby([period.dt.start_time, added["destination"]]).size()
        return len(counts), int(counts.sum())
    return ask


def _base_top(inputs, ctx):
    counts = _listed(inputs, ["destination"])["destination"].value_counts()
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:10]


def _search_text(entities, companies):
    profile = companies.rename(columns={"name": "c_name", "aliases": "c_aliases", "local_name": "c_local"})
    joined = entities.merge(profile, on="company_id", how="left").fillna("")
    return (joined["name"] + " " + joined["aliases"] + " " + joined["local_name"] + " " + joined["c_name"]
            + " " + joined["c_aliases"] + " " + joined["c_local"]).str.lower()


def _base_explorer(filters_of: Callable[[Context], Any]):
    def ask(inputs, ctx):
        from tracker.filters import search_tokens

        filters = filters_of(ctx)
        entities = _csv(inputs, "entities")
        companies = _csv(inputs, "companies", ["company_id", "name", "aliases", "local_name", "sector"])
        events = _csv(inputs, "events", ["entity_id", "action", "date"])
        keep = entities["status"].isin(["", "listed"])  # today's list: the filters ask for no removals
        if filters.destinations:
            keep &= entities["destination"].isin(filters.destinations)
        tokens = search_tokens(filters.query)
        if tokens:
            text = _search_text(entities, companies.drop(columns="sector"))
            found = keep.copy()
            for token in tokens:
                found &= text.str.contains(token, regex=False)
            if not found.any():  # near spellings, from the words of every name
                words = sorted(set(re.split(r"[\W_]+", " ".join(text))) - {""})
                for token in tokens:
                    near = difflib.get_close_matches(token, words, n=20, cutoff=0.88) + [token]
                    keep &= text.str.contains("|".join(map(re.escape, near)))
            else:
                keep = found
        dated = events[events["date"] != ""]
        if filters.date_from:
            in_range = dated[(dated["date"] >= filters.date_from.isoformat())
                             & (dated["date"] <= filters.date_to.isoformat())]
            keep &= entities["entity_id"].isin(in_range["entity_id"])
        else:
            in_range = dated
        matched = entities[keep]
        listed = events[events["action"] == "added"].groupby("entity_id")["date"].min()
        rows = matched.assign(listed_date=matched["entity_id"].map(listed)).merge(
            companies[["company_id", "name", "sector"]].rename(columns={"name": "company_name"}),
            on="company_id", how="left")
        rows.sort_values(["listed_date", "entity_id"], ascending=[False, True]).head(TABLE_ROWS)
        added = in_range[(in_range["action"] == "added") & in_range["entity_id"].isin(matched["entity_id"])]
        added.groupby(added["date"].str[:4]).size()
        return len(matched)
    return ask


def _base_company(which: str):
    return lambda inputs, ctx: _base_company_of(inputs, getattr(ctx, which))


def _base_company_of(inputs, company):
    companies = _csv(inputs, "companies")
    entities = _csv(inputs, "entities")
    events = _csv(inputs, "events")
    rules = _csv(inputs, "rules", ["rule_id", "title", "url"])
    responses = _csv(inputs, "responses")
    companies[companies["company_id"] == company]
    mine = entities[entities["company_id"] == company].sort_values(["entity_id"])
    timeline = events[events["entity_id"].isin(mine["entity_id"])].merge(rules, on="rule_id", how="left")
    notes = responses[responses["company_id"] == company].sort_values(["date", "response_id"])
    return len(mine), len(timeline.sort_values(["date", "event_id"])), len(notes)


def _base_related(which: str):
    return lambda inputs, ctx: _base_related_of(inputs, getattr(ctx, which))


def _base_related_of(inputs, company):
    import pandas as pd

    companies = _csv(inputs, "companies", ["company_id", "name", "parent_id"])
    entities = _csv(inputs, "entities", ["entity_id", "company_id"])
    events = _csv(inputs, "events", ["entity_id", "action", "rule_id", "date"])
    added = events[events["action"] == "added"].merge(entities, on="entity_id")
    own = added[added["company_id"] == company]
    others = added[(added["company_id"] != company) & (added["company_id"] != "")]
    shared_rules = others[others["rule_id"].isin(set(own["rule_id"]) - {""})].groupby("company_id")["rule_id"]
    shared_days = others[others["date"].isin(set(own["date"]) - {""})].groupby("company_id")["date"]
    me = companies[companies["company_id"] == company]["parent_id"].tolist() or [""]
    parent = companies["company_id"].where(
        (companies["company_id"] != company) & (((companies["parent_id"] == me[0]) & (me[0] != ""))
                                                | (companies["parent_id"] == company)
                                                | (companies["company_id"] == me[0])))
    related = pd.concat({"rules": shared_rules.nunique(), "days": shared_days.nunique(),
                         "parent": pd.Series(True, index=parent.dropna())}, axis=1)
    related = related.join(companies.set_index("company_id")["name"])
    related = related.fillna({"rules": 0, "days": 0, "parent": False})
    shown = related.sort_values(["parent", "rules", "days", "name"], ascending=[False, False, False, True])
    return len(shown.head(30)), len(related)


def _base_rules(inputs, ctx):
    import pandas as pd

    rules = _csv(inputs, "rules")
    events = _csv(inputs, "events", ["entity_id", "rule_id", "action", "date"])
    citing = events[events["rule_id"] != ""].groupby("rule_id")["entity_id"].nunique()
    listed = events[events["action"] == "added"].groupby("date").size()
    rules["entries_citing"] = rules["rule_id"].map(citing).fillna(0)
    rules["listed_that_day"] = rules["publication_date"].map(listed).fillna(0)
    rules = rules.sort_values(["publication_date", "rule_id"], ascending=[False, True])
    stated = pd.to_numeric(rules["entries_added"].replace("", None)).fillna(
        pd.to_numeric(rules["entities_added"].replace("", None)))
    by_day = stated.groupby(rules["publication_date"]).sum(min_count=1).dropna()
    by_day.to_frame("stated").join(listed.rename("listed"), how="left").fillna(0)
    return len(rules)


def _base_entry(which: str):
    return lambda inputs, ctx: _base_entry_of(inputs, getattr(ctx, which))


def _base_entry_actions(inputs, entity_id, rule_columns: list[str]):
    """An entry's row and its events joined to their rules, date order, from the CSV files."""
    entities = _csv(inputs, "entities")
    events = _csv(inputs, "events")
    rules = _csv(inputs, "rules", ["rule_id", *rule_columns])
    mine = entities[entities["entity_id"] == entity_id]
    actions = events[events["entity_id"] == entity_id].merge(rules, on="rule_id", how="left",
                                                            suffixes=("", "_rule"))
    return mine, actions.sort_values(["date", "event_id"])


def _base_entry_of(inputs, entity_id):
    mine, actions = _base_entry_actions(inputs, entity_id, ["title", "url", "fr_citation"])
    rows = _csv(inputs, "version_rows", ["row_id", "version_id", "row", "entity_ids", "match", "name"])
    versions = _csv(inputs, "list_versions", ["version_id", "date", "source_kind", "source", "date_meaning"])
    companies = _csv(inputs, "companies", ["company_id", "name", "local_name", "sector", "sources"])
    ids = rows["entity_ids"].str.split(schema.LIST_SEPARATOR, regex=False)
    held = rows[ids.map(lambda listed: entity_id in listed).astype(bool)].merge(versions, on="version_id")
    company_id = mine["company_id"].iloc[0] if len(mine) else ""
    companies[companies["company_id"] == company_id]
    return len(actions), len(held.sort_values(["date", "version_id"])), company_id


def _base_matrix(inputs, ctx):
    responses = _csv(inputs, "responses", ["company_id", "date", "category", "status"])
    companies = _csv(inputs, "companies", ["company_id", "name"])
    notes = responses.merge(companies, on="company_id")
    notes["day"] = notes["date"].where(notes["date"].str.len() == 10, notes["date"] + "-01")
    matrix = notes.groupby(["company_id", "name", "category"]).agg(
        notes=("day", "size"), first_day=("day", "min"), last_day=("day", "max"))
    return len(matrix.reset_index().sort_values(["name", "category"]))


def _api_query(ctx: Context) -> dict[str, list[str]]:
    """The explorer_filter view as an API query string: a destination and five years, a page of 100."""
    start, end = ctx.date_range
    return {"dest": [ctx.destination], "from": [start.isoformat()], "to": [end.isoformat()], "limit": ["100"]}


def _ours_api_entries(db, ctx):
    """GET /api/v1/entries as its route answers it, less the HTTP: the query string read as the explorer
    reads it, a page of entries and the count, written as JSON."""
    import json

    from tracker.api.routes import entries_answer
    from tracker.api.settings import Limits

    answer = entries_answer(db, _api_query(ctx), Limits(), "http://bench/api/v1/entries", "http://bench")
    json.dumps(answer, ensure_ascii=False, allow_nan=False)
    return answer["total"]


def _ours_api_entry(db, ctx):
    """GET /api/v1/entries/{id} for the entry with the most actions as its route answers it, less the
    HTTP, written as JSON."""
    from tracker.api.routes import entry_answer

    answer = entry_answer(db, ctx.entry, "http://bench")
    json.dumps(answer, ensure_ascii=False, allow_nan=False)
    return len(answer["events"]), answer["entry"]["company_id"] or ""


def _base_api_entry(inputs, ctx):
    """The entry's row and its events with their rules' titles and links, from the CSV files."""
    mine, actions = _base_entry_actions(inputs, ctx.entry, ["title", "url"])
    return len(actions), mine["company_id"].iloc[0] if len(mine) else ""


def _base_version_diff(inputs, ctx):
    """The two versions' rows joined on their entry over the text fields, each normalised as the store
    normalises it (lower case, every mark that is not a letter or digit dropped)."""
    if ctx.versions is None:
        return {}
    columns = ["version_id", "entity_ids", *BENCH_VERSION_FIELDS]
    rows = _csv(inputs, "version_rows", columns)
    rows = rows[rows["entity_ids"] != ""]
    old, new = (rows[rows["version_id"] == v].drop(columns="version_id") for v in ctx.versions)
    joined = old.merge(new, on="entity_ids", how="outer", suffixes=("_a", "_b"), indicator=True)
    both = joined[joined["_merge"] == "both"]
    substance, writing = None, None
    for column in BENCH_VERSION_FIELDS:
        a, b = both[f"{column}_a"], both[f"{column}_b"]
        plain_a = a.str.lower().str.replace(r"[^\w|]+|_", "", regex=True)
        plain_b = b.str.lower().str.replace(r"[^\w|]+|_", "", regex=True)
        differs, written = plain_a != plain_b, (a != b) & (plain_a == plain_b)
        substance = differs if substance is None else substance | differs
        writing = written if writing is None else writing | written
    return {"added": int((joined["_merge"] == "right_only").sum()),
            "removed": int((joined["_merge"] == "left_only").sum()),
            "changed": int(substance.sum()), "format_only": int((writing & ~substance).sum())}


BENCH_VERSION_FIELDS = list(schema.VERSION_FIELDS)
# --- Relations between entries (tracker.store.related): the entry page's related entries, and the
# networks of the entry and company pages; the biggest is the biggest company's, two hops ---

def _ours_related_entries(db, ctx):
    from tracker.store import related

    found = related.related_entries(db, ctx.related_entry)
    return len(found.entries), len(found.groups)


def _ours_network(hops: int, which: str):
    def ask(db, ctx):
        from tracker.store import related

        centre = {f"{which}_id": ctx.company if which == "company" else ctx.related_entry}
        net = related.network(db, **centre, hops=hops)
        return len(net.nodes), len(net.edges)
    return ask


def _base_groups(inputs: Path):
    """Relations the obvious way, from the CSV inputs on every request: entry -> the keys it shares
    (profile, rule and day, lower-case name or alias, lower-case address), and key -> entries.
    Fewer kinds than the store (no stems, no legal forms removed): a lower bound on the work."""
    import pandas as pd

    entities = _csv(inputs, "entities", ["entity_id", "name", "aliases", "company_id", "address"])
    events = _csv(inputs, "events", ["entity_id", "action", "date", "rule_id"])
    added = events[(events["action"] == "added") & (events["date"] != "")]
    names = entities.assign(written=(entities["name"] + schema.LIST_SEPARATOR + entities["aliases"])
                            .str.split(schema.LIST_SEPARATOR, regex=False)).explode("written")
    written = names["written"].str.strip()
    keys = pd.concat([
        _keys(entities["entity_id"], "profile " + entities["company_id"], entities["company_id"] != ""),
        _keys(added["entity_id"], "listing " + added["rule_id"] + " " + added["date"], added["date"] != ""),
        _keys(names["entity_id"], "name " + written.str.lower(), written != ""),
        _keys(entities["entity_id"], "address " + entities["address"].str.lower(), entities["address"] != ""),
    ])
    sizes = keys.groupby("key")["entity_id"].transform("size")
    return keys[sizes >= 2]


def _keys(entity_ids, keys, keep):
    import pandas as pd

    return pd.DataFrame({"entity_id": entity_ids, "key": keys})[keep]


def _base_related_entries(inputs, ctx):
    keys = _base_groups(inputs)
    mine = keys[keys["entity_id"] == ctx.related_entry]["key"]
    others = keys[keys["key"].isin(mine) & (keys["entity_id"] != ctx.related_entry)]
    return others["entity_id"].nunique(), mine.nunique()


def _base_network(hops: int, which: str):
    def ask(inputs, ctx):
        keys = _base_groups(inputs)
        frontier = ({ctx.related_entry} if which == "entity" else
                    set(keys[keys["key"] == f"profile {ctx.company}"]["entity_id"]))
        drawn, groups, edges = set(frontier), set(), 0
        for _ in range(hops):
            reached = keys[keys["entity_id"].isin(frontier) & ~keys["key"].isin(groups)]
            new_groups = set(reached["key"])
            members = keys[keys["key"].isin(new_groups)]
            edges += len(members)
            groups |= new_groups
            frontier = set(members["entity_id"]) - drawn
            drawn |= frontier
        return len(drawn) + len(groups), edges
    return ask


# The relations are read into arrays once per store (tracker.store.related); the floor is a scan of those.
RELATIONS_READ = (("relation_members", ("entity_no", "group_no")),
                  ("relation_groups", ("group_id", "kind", "members", "evidence", "entity_nos")))
ENTRY_READ = ("entity_id", "destination", "listed_date")
COMPANY_READ = (("companies", ("company_id",)), ("entities", ("company_id",)), ("events", ("company_id",)),
                ("responses", ("company_id",)))
RELATED_READ = (("companies", ("company_id", "parent_id")),
                ("events", ("company_id", "rule_id", "date", "action")))
# The entry page reads its entry, actions and versions from files sorted by id (tracker.store.sorted_files).
ENTRY_PAGE_READ = (("entry_lookup", ("entity_id",)), ("entry_events", ("entity_id",)),
                   ("entry_versions", ("entity_id",)))
API_ENTRY_READ = (("entry_lookup", ("entity_id",)), ("entry_events", ("entity_id",)))
QUESTIONS: tuple[Question, ...] = (
    Question("headline", "overview", _ours_headline, _base_headline,
             (("entities", ("destination",)), ("companies", ("company_id",)), ("rules", ("scope",)),
              ("events", ("action", "year")))),
    Question("listings_by_month", "overview", _ours_listings("month"), _base_listings("month"),
             (("events", ("entity_id", "action", "date", "destination")),)),
    Question("listings_by_year", "overview", _ours_listings("year"), _base_listings("year"),
             (("events", ("entity_id", "action", "date", "destination")),)),
    Question("top_destinations", "overview", _ours_top, _base_top,
             (("entities", ("entity_id", "destination")),)),
    Question("explorer_default", "explorer", lambda db, ctx: _explorer(db, _filters()),
             _base_explorer(lambda ctx: _filters()),
             (("entities", ENTRY_READ), ("events", ("entity_id", "action", "date")))),
    Question("explorer_filter", "explorer", lambda db, ctx: _explorer(db, _explorer_filters(ctx)),
             _base_explorer(_explorer_filters),
             (("entities", ENTRY_READ), ("events", ("entity_id", "action", "date")))),
    Question("explorer_search", "explorer", lambda db, ctx: _explorer(db, _filters(query=ctx.search)),
             _base_explorer(lambda ctx: _filters(query=ctx.search)),
             (("entities", (*ENTRY_READ, "name", "aliases", "local_name", "company_id")),
              ("companies", ("company_id", "name", "aliases", "local_name")),
              ("events", ("entity_id", "action", "date")))),
    Question("explorer_typo", "explorer", lambda db, ctx: _explorer(db, _filters(query=ctx.typo)),
             _base_explorer(lambda ctx: _filters(query=ctx.typo)),
             (("entities", (*ENTRY_READ, "name", "aliases", "local_name", "company_id")),
              ("companies", ("company_id", "name", "aliases", "local_name")),
              ("events", ("entity_id", "action", "date"))), compare=False),
    Question("company", "company", _ours_company("company"), _base_company("company"), COMPANY_READ),
    Question("company_related", "company", _ours_related("company"), _base_related("company"), RELATED_READ),
    Question("company_typical", "company", _ours_company("typical_company"), _base_company("typical_company"),
             COMPANY_READ),
    Question("company_typical_related", "company", _ours_related("typical_company"),
             _base_related("typical_company"), RELATED_READ),
    Question("rules", "rules", _ours_rules, _base_rules,
             # every column: the page's table and its CSV download hold the whole rule
             (("rules", (*schema.RULES.column_names, "stated_added", "entries_citing", "listed_that_day")),
              ("events", ("rule_id", "entity_id", "action", "date")))),
    Question("entry", "entry", _ours_entry("entry"), _base_entry("entry"), ENTRY_PAGE_READ),
    Question("entry_typical", "entry", _ours_entry("typical_entry"), _base_entry("typical_entry"),
             ENTRY_PAGE_READ),
    Question("response_matrix", "responses", _ours_matrix, _base_matrix,
             (("responses", ("company_id", "company_name", "category", "status", "day")),)),
    # The API's /api/v1/entries for the explorer_filter view; the baseline is the explorer's pandas one.
    Question("api_entries", "api", _ours_api_entries, _base_explorer(_explorer_filters),
             (("entities", ENTRY_READ), ("events", ("entity_id", "action", "date")))),
    Question("api_entry", "api", _ours_api_entry, _base_api_entry, API_ENTRY_READ),
    Question("version_diff", "changes", _ours_version_diff, _base_version_diff,
             (("version_hashes", ("version_id", "entity_no", "r_all", "h_all")),)),
    # The store caps a network (per group and in all) where the baseline does not: not the same answer.
    Question("entry_related", "entry", _ours_related_entries, _base_related_entries, RELATIONS_READ,
             compare=False),
    Question("entry_network_2_hops", "entry", _ours_network(2, "entity"), _base_network(2, "entity"),
             RELATIONS_READ, compare=False),
    Question("company_network", "company", _ours_network(1, "company"), _base_network(1, "company"),
             RELATIONS_READ, compare=False),
    Question("company_network_2_hops", "company", _ours_network(2, "company"), _base_network(2, "company"),
             RELATIONS_READ, compare=False),
)
PAGES = ("overview", "explorer", "company", "rules", "responses", "about", "entry")


# --- Timing ---

def ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


def timed(run: Callable[[], Any], repeat: int, budget_s: float) -> list[float]:
    """Milliseconds of up to `repeat` runs, stopping early once `budget_s` is spent (at least one run)."""
    times: list[float] = []
    started = time.perf_counter()
    for _ in range(max(1, repeat)):
        start = time.perf_counter()
        run()
        times.append(ms(time.perf_counter() - start))
        if time.perf_counter() - started > budget_s:
            break
    return times


def summary(times: list[float]) -> dict[str, float | int | None]:
    """Median and p95 (nearest rank) of a list of milliseconds."""
    if not times:
        return {"median_ms": None, "p95_ms": None, "runs": 0}
    ordered = sorted(times)
    p95 = ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]
    return {"median_ms": round(statistics.median(ordered), 2), "p95_ms": p95, "runs": len(ordered)}


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB (Linux reports KB)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


# --- One scale, measured in a child process (python -m tracker.bench.benchmark measure DIR OUT) ---

def context(db, manifest: Manifest) -> Context:
    """The biggest company and destination of the store, and a search for the company's short name."""
    from tracker.store import queries

    companies = queries.companies(db).sort_values(["entries", "company_id"], ascending=[False, True])
    top = companies.iloc[0]
    listed = companies[companies["entries"] > 0]
    typical = (listed if len(listed) else companies).iloc[len(listed) // 2]
    words = [w for w in re.split(r"[\W_]+", (top["aliases"] or top["name"]).lower()) if len(w) >= 4]
    search = words[0] if words else top["company_id"]
    typo = search[:2] + search[3:] if len(search) >= 5 else search + "x"
    destination = queries.destinations(db).iloc[0]["destination"]
    from tracker.present.changes import default_pair
    from tracker.store import entry, history

    found = history.versions(db)
    pair = default_pair(found)
    ids = {v.name: v.version_id for v in found}
    busiest, middle = entry.benchmark_entries(db)
    related = db.execute("SELECT e.entity_id FROM relation_groups g JOIN entities e "
                         "ON e.entity_no = g.entity_nos[1] WHERE g.group_id = ?",
                         [f"profile:{top['company_id']}"]).fetchone()
    return Context(int(manifest.data_as_of[:4]), top["company_id"], destination, search, typo,
                   typical["company_id"], (ids[pair[0]], ids[pair[1]]) if pair else None,
                   entry=busiest, typical_entry=middle, related_entry=related[0] if related else "")


def measure(data_dir: Path, repeat: int, budget_s: float, pages: bool = True) -> dict:
    """Queries warm and cold, pages, peak memory, then the floor and the pandas baseline, for one store."""
    from tracker.store import build, connection, queries

    paths = data_paths(data_dir)
    build_dir = build.current_build(paths)
    manifest = build.read_manifest(paths)
    opened = connection.Store(build_dir)
    db = opened.cursor()
    ctx = context(db, manifest)
    log(f"  context: company {ctx.company} (typical {ctx.typical_company}), destination {ctx.destination}, "
        f"search '{ctx.search}', typo '{ctx.typo}'")
    picked = {**ctx.__dict__, "date_range": [d.isoformat() for d in ctx.date_range]}
    result: dict[str, Any] = {"context": picked, "queries": {}, "pages": {}}
    answers = {}
    for question in QUESTIONS:
        answers[question.name] = question.ours(db, ctx)  # first run: warms the connection's caches
        warm = summary(timed(lambda q=question: q.ours(db, ctx), repeat, budget_s))
        result["queries"][question.name] = {"page": question.page, **warm}
        log(f"  {question.name}: {warm['median_ms']} ms warm")
    cold_runs = min(repeat, 5)
    opens = []
    for question in QUESTIONS:
        times = []
        for _ in range(cold_runs):
            start = time.perf_counter()
            fresh = connection.Store(build_dir)
            opens.append(ms(time.perf_counter() - start))
            cursor = fresh.cursor()
            times += timed(lambda q=question, c=cursor: q.ours(c, ctx), 1, budget_s)
            cursor.close()
            fresh.close()
        cold = summary(times)
        result["queries"][question.name].update(cold_median_ms=cold["median_ms"], cold_p95_ms=cold["p95_ms"])
    result["open_ms"] = summary(opens)["median_ms"]
    db.close()
    opened.close()
    if pages:
        from tracker.ui.page_timings import measure_pages  # the one part of the benchmark that runs Streamlit

        result["pages"] = measure_pages(data_dir, ctx, repeat, budget_s)
    result["peak_rss_mb"] = peak_rss_mb()

    floor_db = connection.Store(build_dir)
    cursor = floor_db.cursor()
    for question in QUESTIONS:
        def scan(q=question):
            for table, columns in q.floor:
                queries.scan_columns(cursor, table, columns)
        scan()
        floor = summary(timed(scan, repeat, budget_s))
        result["queries"][question.name]["floor_median_ms"] = floor["median_ms"]
    cursor.close()
    floor_db.close()
    inputs = paths.inputs
    for question in QUESTIONS:
        got: list[Any] = []
        times = timed(lambda q=question, g=got: g.append(q.baseline(inputs, ctx)), min(repeat, 5), budget_s)
        entry = result["queries"][question.name]
        entry["baseline_median_ms"] = summary(times)["median_ms"]
        entry["baseline_runs"] = len(times)
        entry["agrees"] = _same(answers[question.name], got[0]) if question.compare else None
        log(f"  {question.name}: baseline {entry['baseline_median_ms']} ms, "
            f"floor {entry['floor_median_ms']} ms")
    result["peak_rss_with_baseline_mb"] = peak_rss_mb()
    return result


def _same(ours: Any, theirs: Any) -> bool:
    def plain(value):
        if isinstance(value, dict):
            return {k: int(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [plain(v) for v in value]
        return int(value) if not isinstance(value, str) else value
    return plain(ours) == plain(theirs)


# --- The whole benchmark, run from the command line ---

def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@dataclass
class ChildResult:
    seconds: float
    peak_rss_mb: float
    returncode: int
    output: str = field(repr=False, default="")


def run_child(args: list[str], timeout_s: float, env: dict | None = None) -> ChildResult:
    """Run `python <args>` from the project folder; wall time and the child's own peak memory."""
    with tempfile.TemporaryFile() as output:
        start = time.perf_counter()
        child = subprocess.Popen([sys.executable, *args], cwd=PROJECT_DIR, stdout=output,
                                 stderr=subprocess.STDOUT, env={**os.environ, **(env or {})})
        deadline = start + timeout_s
        while True:
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                child.kill()
                pid, status, usage = os.wait4(child.pid, 0)
                status = -9
                break
            time.sleep(0.02)
        seconds = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status) if status != -9 else -9
        output.seek(0)
        text = output.read().decode("utf-8", "replace")
    return ChildResult(round(seconds, 2), round(usage.ru_maxrss / 1024, 1), child.returncode, text)


def store_size_mb(data_dir: Path) -> float:
    from tracker.store.build import current_build

    build = current_build(data_paths(data_dir))
    return round(sum(f.stat().st_size for f in build.iterdir() if f.is_file()) / 1e6, 2)


def bench_scale(scale: str, work: Path, repeat: int, budget_s: float, seed: int, pages: bool) -> dict:
    """Prepare, build and measure one scale; returns its entry of the JSON."""
    folder = work / f"scale-{scale}"
    shutil.rmtree(folder, ignore_errors=True)
    entry: dict[str, Any] = {"label": scale}
    try:
        if scale == "shipped":
            shutil.copytree(SHIPPED_INPUTS, folder / "inputs")
        else:
            log(f"scale {int(scale):,}: generating (seed {seed})")
            made = run_child(["-m", "tracker", "generate", "--scale", scale, "--out", str(folder),
                              "--seed", str(seed)], TIMEOUT_S["generate"])
            if made.returncode:
                raise RuntimeError(f"generate failed ({made.returncode}): {made.output[-2000:]}")
            entry["generate_s"] = made.seconds
        entry["inputs_mb"] = round(sum(f.stat().st_size for f in (folder / "inputs").glob("*.csv")) / 1e6, 2)
        log(f"scale {scale}: building the store")
        built = run_child(["-m", "tracker", "build", "--data-dir", str(folder)], TIMEOUT_S["build"])
        if built.returncode:
            raise RuntimeError(f"build failed ({built.returncode}): {built.output[-2000:]}")
        entry.update(build_s=built.seconds, build_peak_rss_mb=built.peak_rss_mb,
                     store_mb=store_size_mb(folder))
        log(f"scale {scale}: built in {built.seconds} s; measuring")
        entry["load_before"] = [round(x, 2) for x in os.getloadavg()]
        out = folder / "measure.json"
        measured = run_child(["-m", "tracker.bench.benchmark", "measure", str(folder), str(out),
                              "--repeat", str(repeat), "--budget", str(budget_s),
                              *([] if pages else ["--no-pages"])], TIMEOUT_S["measure"])
        sys.stderr.write(measured.output)
        if measured.returncode:
            raise RuntimeError(f"measuring failed ({measured.returncode}): {measured.output[-2000:]}")
        entry.update(json.loads(out.read_text()))
        screened = folder / "screening.json"
        ran = run_child(["-m", "tracker.bench.benchmark", "screen", str(folder), str(screened)],
                        TIMEOUT_S["measure"])
        sys.stderr.write(ran.output)
        if ran.returncode:
            raise RuntimeError(f"screening failed ({ran.returncode}): {ran.output[-2000:]}")
        entry["screening"] = json.loads(screened.read_text())
        # Other processes on the machine slow every figure: the load average says how busy it was.
        entry["load_after"] = [round(x, 2) for x in os.getloadavg()]
        built_manifest = json.loads((folder / "store" / "current" / "manifest.json").read_text())
        entry["entries"] = built_manifest["rows"]["entities"]
        entry["build_steps_s"] = built_manifest.get("step_seconds", {})
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return entry


def ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 2) if a and b else None


def table(results: dict) -> str:
    """The printed table: one block per scale."""
    lines = []
    for key, scale in results["scales"].items():
        if "error" in scale:
            lines.append(f"\n{scale['label']}: FAILED: {scale['error']}")
            continue
        lines.append(f"\n## {int(key):,} entries ({scale['label']}): build {scale['build_s']} s "
                     f"(peak {scale['build_peak_rss_mb']:,.0f} MB), store {scale['store_mb']} MB, "
                     f"inputs {scale['inputs_mb']} MB, peak RSS serving {scale['peak_rss_mb']:,.0f} MB; "
                     f"load average {scale['load_before'][0]} before, {scale['load_after'][0]} after")
        lines.append(build_shares(scale.get("build_steps_s") or {}))
        lines.append("")
        lines.append("| question | page | median ms | p95 ms | cold median ms | baseline ms | floor ms "
                     "| baseline/ours | ours/floor |")
        lines.append("|---|---|---:|---:|---:|---:|---:|---:|---:|")
        for name, q in scale["queries"].items():
            cells = [name, q["page"], q["median_ms"], q["p95_ms"], q.get("cold_median_ms"),
                     q.get("baseline_median_ms"), q.get("floor_median_ms"),
                     _x(ratio(q.get("baseline_median_ms"), q["median_ms"])),
                     _x(ratio(q["median_ms"], q.get("floor_median_ms")))]
            if q.get("agrees") is False:
                cells[0] += " (baseline answer differs)"
            lines.append("| " + " | ".join("" if c is None else str(c) for c in cells) + " |")
        if scale.get("pages"):
            lines.append("")
            lines.append("| page (AppTest) | warm median ms | first run ms |")
            lines.append("|---|---:|---:|")
            for page, p in scale["pages"].items():
                lines.append(f"| {page}{' (exception)' if p.get('exceptions') else ''} | {p['median_ms']} "
                             f"| {p['first_run_ms']} |")
        lines += screening_table(scale)
    return "\n".join(lines)


def build_shares(steps: dict[str, float]) -> str:
    """'Build steps: entities 41% (12.3 s), ...': each step's share of the build, largest first."""
    total = sum(steps.values())
    if not total:
        return ""
    ranked = sorted(steps.items(), key=lambda step: -step[1])
    return "\nBuild steps: " + ", ".join(f"{name} {100 * s / total:.0f}% ({s:.1f} s)" for name, s in ranked)


def _x(value: float | None) -> str | None:
    return None if value is None else f"{value}×"


def run(scales: list[str], repeat: int, budget_s: float, work: Path | None, seed: int, pages: bool) -> dict:
    """Benchmark every scale in turn; a failed scale is recorded and the next one still runs."""
    own = work is None
    work = Path(tempfile.mkdtemp(prefix="tracker-bench-")) if own else Path(work)
    work.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {"machine": machine(), "repeat": repeat, "budget_s": budget_s, "seed": seed,
                               "scales": {}}
    try:
        for scale in scales:
            try:
                entry = bench_scale(scale, work, repeat, budget_s, seed, pages)
                results["scales"][str(entry["entries"])] = entry
            except (RuntimeError, OSError, ValueError) as error:
                log(f"scale {scale}: {error}")
                results["scales"][scale] = {"label": scale, "error": str(error)[-2000:]}
    finally:
        if own:
            shutil.rmtree(work, ignore_errors=True)
    return results


def machine() -> dict:
    import platform
    from importlib.metadata import version

    memory_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {"cores": os.cpu_count(), "memory_gb": round(memory_gb, 1), "python": platform.python_version(),
            "duckdb": version("duckdb"), "pandas": version("pandas"), "streamlit": version("streamlit"),
            "platform": platform.platform()}


def check_scales(scales: list[str]) -> list[str]:
    """'shipped' or whole numbers of entries; raises ValueError naming the first bad one."""
    for scale in scales:
        if scale != "shipped" and not (scale.isdigit() and int(scale) > 0):
            raise ValueError(f"scale '{scale}': expected 'shipped' or a number of entries, e.g. 100000")
    return scales


def _worker(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m tracker.bench.benchmark")
    parser.add_argument("step", choices=["measure", "screen"])
    parser.add_argument("data_dir")
    parser.add_argument("out")
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--budget", type=float, default=10.0)
    parser.add_argument("--no-pages", action="store_true")
    args = parser.parse_args(argv)
    if args.step == "screen":
        from tracker.bench.screening import measure_screening

        Path(args.out).write_text(json.dumps(measure_screening(Path(args.data_dir)), indent=2))
        return 0
    result = measure(Path(args.data_dir), args.repeat, args.budget, pages=not args.no_pages)
    Path(args.out).write_text(json.dumps(result, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(_worker(sys.argv[1:]))
