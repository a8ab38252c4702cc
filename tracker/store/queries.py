"""The store: one DuckDB connection per process over the published Parquet build,
and every SQL statement of the project.

Each page run or thread takes its own `cursor()` of the connection. Every value
that comes from a user is a bound parameter; the only SQL text chosen at run
time are fixed fragments picked from the dictionaries below.

Built for a million entries as much as for the few thousand of the real list (see
BENCHMARKS.md): the entries are stored newest first and numbered in that order
(entity_no), so a page of rows reads one row group; tables derived with the store
(DERIVED_TABLES) answer the counts, a company's page and the search without
scanning every entry; small tables are held in memory.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd

from tracker import schema
from tracker.filters import Filters, search_tokens
from tracker.store.connection import _frame
from tracker.store.layout import ENTRY_COLUMNS
from tracker.store.search import HITS_TABLE, hits_of_search, with_hits

# --- Filters -> WHERE clauses ---

# Filters on what an entry is. The events and the counts tables carry the same columns as the
# entries, so each condition names the table it is put on (`t`: e, ev or a counts table).
ENTRY_FILTERS = (("destinations", "destination"), ("sectors", "sector"), ("license_scopes", "license_scope"),
                 ("policy_families", "policy_family"))


def shows_removed(filters: Filters) -> bool:
    """Whether the filters ask for removed entries (action 'removed'); else only today's list counts."""
    return schema.REMOVED in filters.actions


def _entity_conditions(filters: Filters, t: str = "e",
                       listed_only: bool | None = None) -> tuple[list[str], list]:
    """Conditions on what an entry is (destination, sector, licence, company, on today's list unless
    the filters ask for removed entries or `listed_only` says otherwise), on table `t`."""
    conditions, params = [], []
    if listed_only is None:
        listed_only = not shows_removed(filters)
    if listed_only:
        conditions.append(f"{t}.status = ?")
        params.append(schema.LISTED)
    for field, column in ENTRY_FILTERS:
        if getattr(filters, field):
            conditions.append(f"list_contains(?, {t}.{column})")
            params.append(list(getattr(filters, field)))
    if filters.company:
        conditions.append(f"{t}.company_id = ?")
        params.append(filters.company)
    return conditions, params


def _event_conditions(filters: Filters) -> tuple[list[str], list]:
    """Conditions on the events table `ev` (date range, action)."""
    conditions, params = [], []
    if filters.date_from:
        conditions.append("ev.date >= ?")
        params.append(filters.date_from)
    if filters.date_to:
        conditions.append("ev.date <= ?")
        params.append(filters.date_to)
    if filters.actions:
        conditions.append("list_contains(?, ev.action)")
        params.append(list(filters.actions))
    return conditions, params


def _where(conditions: list[str]) -> str:
    return " AND ".join(conditions) if conditions else "TRUE"


def _needs_entries(filters: Filters) -> bool:
    """Whether a question must look at entries one by one (a company or a search), not at counts."""
    return bool(filters.company or filters.query.strip())


def _matching(db, filters: Filters, events: bool = True,
              listed_only: bool | None = None) -> tuple[str, list, object]:
    """SQL for (entity_no, rank) of the entries that pass the filters (rank 0 without a search),
    its parameters, and the search hits it reads (None without a search).

    An entry passes when it is what the filters ask for and, with a date range or actions, has
    a matching event. The events carry what their entry is, so with events to match the
    entries are found in the events alone (sorted by date: a range reads only its part).
    `events=False` leaves out the date range and actions. Only entries on today's list pass, unless
    the filters ask for removed ones (or `listed_only` says otherwise).
    """
    if listed_only is None:
        listed_only = not shows_removed(filters)
    tokens = search_tokens(filters.query)
    if filters.query.strip() and not tokens:  # only punctuation: matches no word
        return "SELECT 0 AS entity_no, 0.0 AS rank WHERE FALSE", [], None
    event_conditions, params = _event_conditions(filters) if events else ([], [])
    if event_conditions:
        conditions, entry_params = _entity_conditions(filters, "ev", listed_only)
        base = f"SELECT DISTINCT ev.entity_no FROM events ev WHERE {_where(event_conditions + conditions)}"
        params = params + entry_params
    else:
        conditions, params = _entity_conditions(filters, "e", listed_only)
        base = f"SELECT e.entity_no FROM entities e WHERE {_where(conditions)}" \
            if conditions or not tokens else None
    if not tokens:
        return f"SELECT entity_no, 0.0 AS rank FROM ({base})", params, None
    hits = hits_of_search(db, tokens)
    if base is None:
        return f"SELECT entity_no, rank FROM {HITS_TABLE}", [], hits
    return (f"SELECT b.entity_no, h.rank FROM ({base}) b JOIN {HITS_TABLE} h USING (entity_no)",
            params, hits)


# --- Questions the pages ask ---

GROUP_COLUMNS = {"destination": "ev.destination", "sector": "ev.sector", "none": "'All entries'"}
PERIOD_UNITS = {"month": "month", "quarter": "quarter", "year": "year"}


def _listing_source(db, filters: Filters,
                    listed_only: bool = True) -> tuple[str, str, list[str], list, object]:
    """Where to count listings for entry filters: the counts table, or the events for a company or
    a search. Returns (table as ev, count expression, conditions, parameters, search hits)."""
    conditions, params = _entity_conditions(filters, "ev", listed_only)
    if not _needs_entries(filters):
        return "listing_counts ev", "CAST(coalesce(sum(ev.n), 0) AS BIGINT)", conditions, params, None
    hits = None
    if filters.query.strip():
        matching, matching_params, hits = _matching(db, Filters(query=filters.query), events=False,
                                                    listed_only=listed_only)
        conditions.append(f"ev.entity_no IN (SELECT entity_no FROM ({matching}))")
        params = params + matching_params
    return "events ev", "count(*)", conditions, params, hits


def listings_over_time(db, filters: Filters, granularity: str, group_by: str) -> pd.DataFrame:
    """Entries first listed per period and group (period, group, entries), among today's entries
    (and removed ones when the filters ask for removals).

    Counts 'added' events unless the filters name other actions; undated events are left out.
    """
    group = GROUP_COLUMNS[group_by]
    unit = PERIOD_UNITS[granularity]
    event_conditions, event_params = _event_conditions(filters)
    if not filters.actions:
        event_conditions.append("ev.action = 'added'")
    source, count, conditions, params, hits = _listing_source(db, replace_dates(filters),
                                                              listed_only=not shows_removed(filters))
    sql = f"""
        SELECT CAST(date_trunc('{unit}', ev.date) AS DATE) AS period, {group} AS "group",
               {count} AS entries
        FROM {source}
        WHERE ev.date IS NOT NULL AND {_where(event_conditions + conditions)}
        GROUP BY ALL ORDER BY period, "group" """
    with with_hits(db, hits):
        return _frame(db, sql, event_params + params)


def undated_listings(db, filters: Filters) -> int:
    """How many matching 'added' events of today's entries have no date (and so are not on the time axis)."""
    source, count, conditions, params, hits = _listing_source(db, replace_dates(filters))
    sql = f"""SELECT {count} FROM {source} WHERE ev.date IS NULL AND ev.action = 'added'
              AND {_where(conditions)}"""
    with with_hits(db, hits):
        return db.execute(sql, params).fetchall()[0][0]


REMOVAL_NAMED, REMOVAL_COUNT_ONLY = "named", "names not sourced"


def removals_over_time(db, filters: Filters, granularity: str) -> pd.DataFrame:
    """Removals per period (period, kind, removals, weak): entries removed by name (their dated
    removal events, kind 'named'), and removals a rule counts without names (its plain count less
    the names a source gives, kind 'names not sourced'). A count has no entries to filter, so with
    any filter only named removals are given. `weak`: a removal's rule has only weak sources."""
    unit = PERIOD_UNITS[granularity]
    conditions, params = _entity_conditions(replace_dates(filters), "ev", listed_only=False)
    named = f"""
        SELECT CAST(date_trunc('{unit}', ev.date) AS DATE) AS period, ? AS kind,
               count(*) AS removals, bool_or(r.source_caveat IS NOT NULL) AS weak
        FROM events ev LEFT JOIN rules r USING (rule_id)
        WHERE ev.action = 'removed' AND ev.date IS NOT NULL AND {_where(conditions)}
        GROUP BY ALL"""
    counted = f"""
        SELECT CAST(date_trunc('{unit}', r.publication_date) AS DATE) AS period, ? AS kind,
               CAST(sum(r.entities_removed - coalesce(r.names_sourced, 0)) AS BIGINT) AS removals,
               bool_or(r.source_caveat IS NOT NULL) AS weak
        FROM rules r
        WHERE r.publication_date IS NOT NULL AND r.entities_removed > coalesce(r.names_sourced, 0)
        GROUP BY ALL"""
    sql, params = named, [REMOVAL_NAMED, *params]
    if replace_dates(filters) == Filters():
        sql, params = f"{named} UNION ALL {counted}", params + [REMOVAL_COUNT_ONLY]
    return _frame(db, f"SELECT * FROM ({sql}) ORDER BY period, kind", params)


def removals_in_words(db) -> pd.DataFrame:
    """Rules whose removals are not a plain dated count (stated in words such as '>=2', or with no
    date): the overview gives them as notes, not bars. Named removals with no date are among them."""
    return _frame(db, """
        SELECT rule_id, publication_date, title, fr_citation, url, stated_removed,
               stated_removed_destinations, names_removed, source_caveat
        FROM rules
        WHERE stated_removed IS NOT NULL AND (entities_removed IS NULL OR publication_date IS NULL)
        ORDER BY publication_date NULLS LAST, rule_id""")


def replace_dates(filters: Filters) -> Filters:
    """The filters without their date range and actions."""
    return replace(filters, date_from=None, date_to=None, actions=())


def top_destinations(db, filters: Filters, limit: int | None = 10) -> pd.DataFrame:
    """Destinations with the most matching entries (destination, entries); all of them for limit None."""
    hits = None
    if _needs_entries(filters) or filters != replace_dates(filters):
        matching, params, hits = _matching(db, filters)
        source, count = f"entities e WHERE e.entity_no IN (SELECT entity_no FROM ({matching}))", "count(*)"
    else:
        conditions, params = _entity_conditions(filters, "e")
        source, count = f"entity_counts e WHERE {_where(conditions)}", "CAST(sum(e.n) AS BIGINT)"
    sql = f"""
        SELECT e.destination, {count} AS entries FROM {source}
        GROUP BY e.destination ORDER BY entries DESC, e.destination LIMIT ?"""
    with with_hits(db, hits):
        return _frame(db, sql, params + [limit])


def headline(db, this_year: int) -> dict:
    """Headline figures of today's list: entries, destinations, profiles, rules, entries (on the list
    today) added this year and last."""
    row = db.execute("""
        SELECT (SELECT CAST(coalesce(sum(n), 0) AS BIGINT) FROM entity_counts WHERE status = $listed),
               (SELECT count(DISTINCT destination) FROM entity_counts WHERE status = $listed),
               (SELECT count(*) FROM companies),
               (SELECT count(*) FROM rules WHERE scope = 'entity_list_change'),
               (SELECT CAST(coalesce(sum(n), 0) AS BIGINT) FROM listing_counts
                WHERE action = 'added' AND year = $this_year AND status = $listed),
               (SELECT CAST(coalesce(sum(n), 0) AS BIGINT) FROM listing_counts
                WHERE action = 'added' AND year = $last_year AND status = $listed)""",
                     {"listed": schema.LISTED, "this_year": this_year, "last_year": this_year - 1}).fetchone()
    keys = ("entries", "destinations", "companies", "rules", "added_this_year", "added_last_year")
    return dict(zip(keys, row, strict=True))


# entity_no numbers the entries newest first: listed_date DESC NULLS LAST, entity_id.
ENTRY_ORDER = "e.entity_no"


def entries(db, filters: Filters, limit: int | None = None, offset: int = 0) -> pd.DataFrame:
    """The entries that pass the filters, best search matches first, else newest first: `limit` of
    them (all when None) from `offset` (the API's pages)."""
    matching, params, hits = _matching(db, filters)
    # The rows to show are picked from entity numbers alone, then only they are read whole.
    picked = f"SELECT entity_no, rank FROM ({matching}) ORDER BY rank DESC, entity_no"
    if limit is not None:
        picked += " LIMIT ?"
        params = params + [limit]
    if offset:
        picked += " OFFSET ?"
        params = params + [offset]
    sql = f"""SELECT {ENTRY_COLUMNS} FROM entities e JOIN ({picked}) p USING (entity_no)
              ORDER BY p.rank DESC, {ENTRY_ORDER}"""
    with with_hits(db, hits):
        return _frame(db, sql, params)


def count_entries(db, filters: Filters) -> int:
    """How many entries pass the filters."""
    if not _needs_entries(filters) and filters == replace_dates(filters):
        conditions, params = _entity_conditions(filters, "e")
        return db.execute(f"SELECT CAST(coalesce(sum(e.n), 0) AS BIGINT) FROM entity_counts e "
                          f"WHERE {_where(conditions)}", params).fetchone()[0]
    matching, params, hits = _matching(db, filters)
    with with_hits(db, hits):
        return db.execute(f"SELECT count(*) FROM ({matching})", params).fetchall()[0][0]


@dataclass
class CompanyData:
    """Everything the company page shows about one profile."""

    profile: dict | None
    entries: pd.DataFrame
    events: pd.DataFrame
    responses: pd.DataFrame


def company(db, company_id: str) -> CompanyData:
    """Profile, entries, listing events and responses of one company (profile None if unknown).

    No ORDER BY: each table is stored in the order the page shows (see DERIVED_TABLES and
    STORE_TABLES), and DuckDB returns a filtered scan in stored order (preserve_insertion_order).
    """
    db.complete()
    found = db.execute("SELECT * FROM companies WHERE company_id = ?", [company_id])
    row = found.fetchone()
    profile = dict(zip([d[0] for d in found.description], row, strict=True)) if row else None
    entries = _frame(db, f"SELECT {ENTRY_COLUMNS} FROM company_entries e WHERE e.company_id = ?",
                     [company_id])  # by listed_date, entity_id
    events = _frame(db, """
        SELECT event_id, entity_id, entity_name, destination, action, date, year, fr_citation,
               rule_id, rule_title, rule_url, derivation, note
        FROM company_events WHERE company_id = ?""", [company_id])  # by date (undated last), event_id
    said = _frame(db, "SELECT * FROM responses WHERE company_id = ?", [company_id])  # by day, response_id
    return CompanyData(profile, entries, events, said)


def related_companies(db, company_id: str) -> pd.DataFrame:
    """The profiles most closely related to one (at most RELATED_SHOWN): a shared parent, then
    listed by the same rules, then on the same days; `related_total` counts all of them."""
    return _frame(db, """
        SELECT other_id AS company_id, name, relation, related_total
        FROM company_relations WHERE company_id = ?""", [company_id])  # stored by rank


def companies(db) -> pd.DataFrame:
    """Every profile for pickers: id, name, local name, aliases, sector, entries."""
    return _frame(db, """
        SELECT c.company_id, c.name, c.local_name, c.aliases, c.sector,
               coalesce(n.entries, 0) AS entries
        FROM companies c LEFT JOIN company_counts n USING (company_id) ORDER BY c.name""")


def destinations(db) -> pd.DataFrame:
    """Destinations with their number of entries on today's list, largest first."""
    return _frame(db, """SELECT destination, CAST(sum(n) AS BIGINT) AS entries FROM entity_counts
                         WHERE status = ? GROUP BY destination ORDER BY entries DESC, destination""",
                  [schema.LISTED])


def sectors(db) -> list[str]:
    """Sectors present in the entries on today's list."""
    return [r[0] for r in db.execute("SELECT DISTINCT sector FROM entity_counts WHERE status = ? "
                                     "ORDER BY sector", [schema.LISTED]).fetchall()]


def rules(db) -> pd.DataFrame:
    """Every rule, newest first, with the stated counts beside today's entries that cite it."""
    # The table is stored in this order and DuckDB returns a plain scan in stored order
    # (preserve_insertion_order); sorting 25,000 wide rows again took a third of the time.
    return _frame(db, "SELECT * FROM rules")


def rule_entries(db, rule_id: str) -> pd.DataFrame:
    """The entries with an event attributed to the rule: today's, and removed ones (their `status`
    says which; a removal rule's entries are the ones it removed)."""
    return _frame(db, f"""
        SELECT ev.action, ev.date, ev.fr_citation, {ENTRY_COLUMNS}
        FROM events ev JOIN entities e USING (entity_id)
        WHERE ev.rule_id = ? ORDER BY e.destination, e.name""", [rule_id])


def listing_dates_reconciliation(db) -> pd.DataFrame:
    """Per rule date: entries the rules say were added, against today's entries first listed that day."""
    return _frame(db, """
        WITH stated AS (
            SELECT publication_date AS date, sum(stated_added) AS stated_added
            FROM rules WHERE stated_added IS NOT NULL GROUP BY publication_date),
        today AS (
            SELECT date, CAST(sum(n) AS BIGINT) AS listed_today FROM listing_counts
            WHERE action = 'added' AND date IS NOT NULL AND status = ? GROUP BY date)
        SELECT s.date, s.stated_added, coalesce(t.listed_today, 0) AS listed_today,
               s.stated_added = coalesce(t.listed_today, 0) AS matches
        FROM stated s LEFT JOIN today t USING (date) ORDER BY s.date DESC""", [schema.LISTED])


def responses(db, statuses: tuple[str, ...] = (), company_id: str | None = None,
              category: str | None = None, sources: tuple[str, ...] = ()) -> pd.DataFrame:
    """Response notes, oldest first, optionally for one company, category, set of statuses and set of
    source strengths (schema.SOURCE_FILTER_CHOICES: a source_kind, or not judged)."""
    conditions, params = [], []
    if statuses:
        conditions.append("list_contains(?, status)")
        params.append(list(statuses))
    if company_id:
        conditions.append("company_id = ?")
        params.append(company_id)
    if category:
        conditions.append("category = ?")
        params.append(category)
    if sources:
        conditions.append("list_contains(?, coalesce(source_kind, ?))")
        params += [list(sources), schema.SOURCE_NOT_JUDGED]
    return _frame(db, f"SELECT * FROM responses WHERE {_where(conditions)} ORDER BY day, response_id",
                  params)


def response_matrix(db, statuses: tuple[str, ...] = ()) -> pd.DataFrame:
    """Companies against response categories: (company_id, company_name, category, notes, first and
    last day), counting the notes of the given statuses (all when none are given)."""
    chosen = sorted(set(statuses or schema.RESPONSE_STATUSES) & set(schema.RESPONSE_STATUSES))
    return _frame(db, """
        SELECT company_id, company_name, category, notes, first_day, last_day
        FROM response_matrix WHERE choice = ?""", [",".join(chosen)])  # stored by name, category


def moments(db) -> pd.DataFrame:
    """Policy moments for annotating the time axis."""
    return _frame(db, "SELECT * FROM moments ORDER BY date, moment_id")


def newest_rules(db, limit: int = 5) -> pd.DataFrame:
    """The most recent rules that changed the list."""
    return _frame(db, """SELECT * FROM rules WHERE scope = 'entity_list_change'
                         ORDER BY publication_date DESC, rule_id LIMIT ?""", [limit])


@dataclass(frozen=True)
class DataDates:
    """What the data's dates are: the version of the list the entries are read from, the newest rule
    recorded (with why its source is weak, when it is), and how many rules are counted."""

    entries_version: dict | None  # the list_versions row used for the entries
    newest_rule: dict | None  # the rules row of the newest rule that changed the list
    rules_changing_list: int  # rules of scope entity_list_change: the count every page gives
    rules_related: int  # other rules recorded (related rules), named apart


def data_dates(db) -> DataDates:
    version = _frame(db, "SELECT * FROM list_versions WHERE used_for = ? ORDER BY date DESC LIMIT 1",
                     [schema.ENTRIES_VERSION_ROLE])
    newest = newest_rules(db, 1)
    changing, related = db.execute("""
        SELECT count(*) FILTER (WHERE scope = 'entity_list_change'),
               count(*) FILTER (WHERE scope IS DISTINCT FROM 'entity_list_change') FROM rules""").fetchone()
    return DataDates(version.iloc[0].to_dict() if len(version) else None,
                     newest.iloc[0].to_dict() if len(newest) else None, changing, related)


# --- The benchmark's floor (tracker.bench) ---

def scan_columns(db, table: str, columns: tuple[str, ...]) -> None:
    """Read every value of some columns of a store table, and do next to nothing with them.

    The benchmark's floor: no answer can cost less than reading the columns it depends on.
    strlen and hash need each value but no work worth counting (min/max could be answered
    from the Parquet statistics without reading anything).
    """
    types = dict(db.execute("SELECT column_name, data_type FROM information_schema.columns "
                            "WHERE table_name = ?", [table]).fetchall())
    if not types or any(c not in types for c in columns):
        raise ValueError(f"the store has no table {table!r} with columns {columns}")
    reads = [f'bit_or(strlen("{c}"))' if types[c] == "VARCHAR" else f'bit_or(hash("{c}"))' for c in columns]
    db.execute(f'SELECT {", ".join(reads)} FROM "{table}"').fetchall()
