"""The store: one DuckDB connection per process over the published Parquet build,
and every SQL statement of the project.

Each page run or thread takes its own `cursor()` of the connection. Every value
that comes from a user is a bound parameter; the only SQL text chosen at run
time are fixed fragments picked from the dictionaries below.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from pathlib import Path

import duckdb
import pandas as pd

from tracker.filters import Filters, search_tokens

# --- Building the store: input_<name> (validated inputs) -> <name>.parquet, in this order. ---

STORE_TABLES: dict[str, str] = {
    "companies": "SELECT * FROM input_companies ORDER BY company_id",
    "entities": r"""
        WITH first AS (
            SELECT entity_id,
                   min(date) FILTER (WHERE action = 'added') AS listed_date,
                   min(year) FILTER (WHERE action = 'added') AS listed_year,
                   count(*) AS n_events
            FROM input_events GROUP BY entity_id)
        SELECT e.*, f.listed_date, f.listed_year, coalesce(f.n_events, 0) AS n_events,
               coalesce(c.sector, 'No profile') AS sector,
               c.name AS company_name,
               CASE WHEN e.license_requirement IS NULL THEN 'not stated'
                    WHEN regexp_matches(e.license_requirement, 'all items subject to the EAR', 'i')
                    THEN 'all items' ELSE 'specific items' END AS license_scope,
               list_filter(list_distinct(regexp_split_to_array(lower(concat_ws(' ',
                   e.name, e.aliases, e.local_name, c.name, c.aliases, c.local_name)),
                   '[^\p{L}\p{N}]+')), lambda w: w <> '') AS search_words
        FROM input_entities e
        LEFT JOIN first f USING (entity_id)
        LEFT JOIN input_companies c USING (company_id)
        ORDER BY e.destination, e.entity_id""",
    "events": """
        SELECT ev.*, e.destination, e.name AS entity_name, e.company_id, e.sector, e.license_scope
        FROM input_events ev JOIN entities e USING (entity_id)
        ORDER BY ev.date NULLS LAST, ev.event_id""",
    "rules": """
        SELECT r.*,
               coalesce(r.entries_added, r.entities_added) AS stated_added,
               (SELECT count(DISTINCT ev.entity_id) FROM events ev
                WHERE ev.rule_id = r.rule_id) AS entries_citing,
               (SELECT count(*) FROM events ev
                WHERE ev.action = 'added' AND ev.date = r.publication_date) AS listed_that_day
        FROM input_rules r ORDER BY r.publication_date DESC, r.rule_id""",
    "responses": """
        SELECT r.*, c.name AS company_name,
               CAST(CASE WHEN length(r.date) = 7 THEN r.date || '-01' ELSE r.date END AS DATE) AS day,
               length(r.date) = 7 AS month_only
        FROM input_responses r JOIN input_companies c USING (company_id)
        ORDER BY day, r.response_id""",
    "moments": "SELECT * FROM input_moments ORDER BY date, moment_id",
}

DATA_AS_OF = """
    SELECT greatest((SELECT max(date) FROM events), (SELECT max(publication_date) FROM rules))"""


# --- The connection ---

class Store:
    """One DuckDB connection over one published build; take a `cursor()` per run or thread.

    The build is a local folder, or an s3:// location (tracker.remote) whose tables the
    manifest names; DuckDB then reads the Parquet files through s3fs.
    """

    def __init__(self, build_dir: Path | str, tables: list[str] | None = None):
        self.connection = duckdb.connect(config={"threads": 2})
        if str(build_dir).startswith("s3://"):
            from tracker import remote

            self.build_dir = str(build_dir)
            self.connection.register_filesystem(remote.filesystem())
            files = [f"{self.build_dir}/{name}.parquet" for name in tables or []]
        else:
            self.build_dir = Path(build_dir)
            files = [str(p) for p in sorted(self.build_dir.glob("*.parquet"))]
        for file in files:
            self.connection.read_parquet(file).create_view(Path(file).stem)

    def cursor(self) -> duckdb.DuckDBPyConnection:
        return self.connection.cursor()

    def close(self) -> None:
        self.connection.close()


_open: dict[Path | str, Store] = {}
_lock = threading.Lock()
KEEP_OPEN = 3  # as many builds as ingest keeps on disk, so a reader mid-query is never cut off


def open_store(build_dir: Path | str, manifest: dict | None = None) -> Store:
    """The process's store for a build, opened once; a new build gets a new connection.

    Connections to the previous few builds stay open for sessions still reading them.
    A remote build needs its manifest, which names its tables.
    """
    remote_build = str(build_dir).startswith("s3://")
    build_dir = str(build_dir) if remote_build else Path(build_dir).resolve()
    with _lock:
        if build_dir not in _open:
            _open[build_dir] = Store(build_dir, list((manifest or {}).get("rows", {})) or None)
            for old in list(_open)[:-KEEP_OPEN]:
                _open.pop(old).close()
        return _open[build_dir]


def _frame(db: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> pd.DataFrame:
    """Result as a DataFrame; missing text is None (not NaN), so callers can test it plainly."""
    frame = db.execute(sql, params or []).df()
    for column in frame.columns:
        if pd.api.types.is_string_dtype(frame[column]) or frame[column].dtype == object:
            frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
    return frame


# --- Filters -> WHERE clauses ---

def _entity_conditions(filters: Filters) -> tuple[list[str], list]:
    """Conditions on the entities table `e` (destination, sector, licence, company, search)."""
    conditions, params = [], []
    if filters.destinations:
        conditions.append("list_contains(?, e.destination)")
        params.append(list(filters.destinations))
    if filters.sectors:
        conditions.append("list_contains(?, e.sector)")
        params.append(list(filters.sectors))
    if filters.license_scopes:
        conditions.append("list_contains(?, e.license_scope)")
        params.append(list(filters.license_scopes))
    if filters.company:
        conditions.append("e.company_id = ?")
        params.append(filters.company)
    tokens = search_tokens(filters.query)
    if tokens:
        conditions.append(SEARCH_CONDITION)
        params.extend([tokens] * SEARCH_PARAMS)
    elif filters.query.strip():
        conditions.append("FALSE")  # only punctuation: no name holds it as a word
    return conditions, params


# Every search word must be part of one of the entry's words (prefixes and Chinese
# characters match too). Only when no entry at all matches that way are near
# spellings accepted (from four letters on), so a typo still finds its entry
# while a correct name is not diluted by look-alikes.
_EXACT = """list_bool_and(list_transform(?::VARCHAR[], lambda t:
    list_bool_or(list_transform({words}, lambda w: contains(w, t)))))"""
_NEAR = """list_bool_and(list_transform(?::VARCHAR[], lambda t:
    list_bool_or(list_transform({words}, lambda w: contains(w, t)
        OR (length(t) >= 4 AND jaro_winkler_similarity(w, t) >= 0.88)))))"""
SEARCH_CONDITION = f"""({_EXACT.format(words="e.search_words")} OR ({_NEAR.format(words="e.search_words")}
    AND NOT EXISTS (SELECT 1 FROM entities e2 WHERE {_EXACT.format(words="e2.search_words")})))"""
SEARCH_PARAMS = 3  # the tokens are bound once for each ? above
# Closeness of an entry to the search: whole words first, then parts of words, then near spellings.
SEARCH_RANK = """list_sum(list_transform(?::VARCHAR[], lambda t: list_max(list_transform(e.search_words,
    lambda w: CASE WHEN w = t THEN 2.0 WHEN contains(w, t) THEN 1.0
                   ELSE jaro_winkler_similarity(w, t) END))))"""


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


def _matching_entities(filters: Filters) -> tuple[str, list]:
    """SQL for the entity ids that pass the filters: entry conditions and at least one matching event."""
    entity_conditions, params = _entity_conditions(filters)
    event_conditions, event_params = _event_conditions(filters)
    sql = f"SELECT e.entity_id FROM entities e WHERE {_where(entity_conditions)}"
    if event_conditions:
        sql += (" AND EXISTS (SELECT 1 FROM events ev WHERE ev.entity_id = e.entity_id AND "
                f"{_where(event_conditions)})")
        params = params + event_params
    return sql, params


# --- Questions the pages ask ---

GROUP_COLUMNS = {"destination": "ev.destination", "sector": "ev.sector", "none": "'All entries'"}
PERIOD_UNITS = {"month": "month", "quarter": "quarter", "year": "year"}


def listings_over_time(db, filters: Filters, granularity: str, group_by: str) -> pd.DataFrame:
    """Entries first listed per period and group (period, group, entries), among today's entries.

    Counts 'added' events unless the filters name other actions; undated events are left out.
    """
    group = GROUP_COLUMNS[group_by]
    unit = PERIOD_UNITS[granularity]
    entity_sql, params = _matching_entities(Filters(
        destinations=filters.destinations, sectors=filters.sectors,
        license_scopes=filters.license_scopes, company=filters.company, query=filters.query))
    event_conditions, event_params = _event_conditions(filters)
    if not filters.actions:
        event_conditions.append("ev.action = 'added'")
    sql = f"""
        SELECT CAST(date_trunc('{unit}', ev.date) AS DATE) AS period, {group} AS "group",
               count(*) AS entries
        FROM events ev
        WHERE ev.date IS NOT NULL AND {_where(event_conditions)}
          AND ev.entity_id IN ({entity_sql})
        GROUP BY ALL ORDER BY period, "group" """
    return _frame(db, sql, event_params + params)


def undated_listings(db, filters: Filters) -> int:
    """How many matching 'added' events have no date (and so are not on the time axis)."""
    entity_sql, params = _matching_entities(replace_dates(filters))
    sql = f"""SELECT count(*) FROM events ev WHERE ev.date IS NULL AND ev.action = 'added'
              AND ev.entity_id IN ({entity_sql})"""
    return db.execute(sql, params).fetchone()[0]


def replace_dates(filters: Filters) -> Filters:
    """The filters without their date range and actions."""
    return replace(filters, date_from=None, date_to=None, actions=())


def top_destinations(db, filters: Filters, limit: int = 10) -> pd.DataFrame:
    """Destinations with the most matching entries (destination, entries)."""
    entity_sql, params = _matching_entities(filters)
    sql = f"""
        SELECT destination, count(*) AS entries FROM entities
        WHERE entity_id IN ({entity_sql})
        GROUP BY destination ORDER BY entries DESC, destination LIMIT ?"""
    return _frame(db, sql, params + [limit])


def headline(db, this_year: int) -> dict:
    """Headline figures: entries, destinations, profiles, rules, entries added this year and last."""
    row = db.execute("""
        SELECT (SELECT count(*) FROM entities),
               (SELECT count(DISTINCT destination) FROM entities),
               (SELECT count(*) FROM companies),
               (SELECT count(*) FROM rules WHERE scope = 'entity_list_change'),
               (SELECT count(*) FROM events WHERE action = 'added' AND year = ?),
               (SELECT count(*) FROM events WHERE action = 'added' AND year = ?)""",
                     [this_year, this_year - 1]).fetchone()
    keys = ("entries", "destinations", "companies", "rules", "added_this_year", "added_last_year")
    return dict(zip(keys, row, strict=True))


ENTRY_COLUMNS = """e.entity_id, e.name, e.destination, e.listed_date, e.fr_citations,
    e.company_id, e.company_name, e.sector, e.license_requirement, e.license_scope,
    e.aliases, e.address, e.entry_type, e.company_link, e.source"""


def entries(db, filters: Filters, limit: int | None = None) -> pd.DataFrame:
    """The entries that pass the filters, best search matches first, else newest first."""
    entity_sql, params = _matching_entities(filters)
    order = "e.listed_date DESC NULLS LAST, e.entity_id"
    tokens = search_tokens(filters.query)
    order_params: list = []
    if tokens:
        order = SEARCH_RANK + " DESC, " + order
        order_params = [tokens]
    sql = f"""SELECT {ENTRY_COLUMNS} FROM entities e WHERE e.entity_id IN ({entity_sql})
              ORDER BY {order}"""
    if limit is not None:
        sql += " LIMIT ?"
        order_params = order_params + [limit]
    return _frame(db, sql, params + order_params)


def count_entries(db, filters: Filters) -> int:
    """How many entries pass the filters."""
    entity_sql, params = _matching_entities(filters)
    return db.execute(f"SELECT count(*) FROM ({entity_sql})", params).fetchone()[0]


@dataclass
class CompanyData:
    """Everything the company page shows about one profile."""

    profile: dict | None
    entries: pd.DataFrame
    events: pd.DataFrame
    responses: pd.DataFrame


def company(db, company_id: str) -> CompanyData:
    """Profile, entries, listing events and responses of one company (profile None if unknown)."""
    profiles = _frame(db, "SELECT * FROM companies WHERE company_id = ?", [company_id])
    profile = profiles.iloc[0].to_dict() if len(profiles) else None
    found = _frame(db, f"""SELECT {ENTRY_COLUMNS} FROM entities e WHERE e.company_id = ?
                            ORDER BY e.listed_date, e.entity_id""", [company_id])
    events = _frame(db, """
        SELECT ev.event_id, ev.entity_id, ev.entity_name, ev.destination, ev.action, ev.date,
               ev.year, ev.fr_citation, ev.rule_id, r.title AS rule_title, r.url AS rule_url,
               ev.derivation, ev.note
        FROM events ev LEFT JOIN rules r USING (rule_id)
        WHERE ev.company_id = ? ORDER BY ev.date NULLS LAST, ev.event_id""", [company_id])
    said = _frame(db, """SELECT * FROM responses WHERE company_id = ? ORDER BY day, response_id""",
                  [company_id])
    return CompanyData(profile, found, events, said)


def related_companies(db, company_id: str) -> pd.DataFrame:
    """Profiled companies listed by the same rule or on the same day, or sharing a parent."""
    return _frame(db, """
        WITH mine AS (SELECT DISTINCT rule_id, date FROM events WHERE company_id = ? AND action = 'added')
        SELECT c.company_id, c.name,
               CASE WHEN bool_or(ev.rule_id IN (SELECT rule_id FROM mine))
                    THEN 'listed by the same rule (' || string_agg(DISTINCT ev.rule_id, ', ') || ')'
                    ELSE 'listed the same day (' || string_agg(DISTINCT CAST(ev.date AS VARCHAR), ', ')
                         || ')' END AS relation
        FROM events ev JOIN companies c USING (company_id)
        WHERE ev.action = 'added' AND c.company_id <> ?
          AND (ev.rule_id IN (SELECT rule_id FROM mine) OR ev.date IN (SELECT date FROM mine))
        GROUP BY c.company_id, c.name
        UNION ALL
        SELECT c.company_id, c.name, 'same parent company' AS relation
        FROM companies c, companies me
        WHERE me.company_id = ? AND c.company_id <> me.company_id
          AND (c.parent_id = me.parent_id OR c.parent_id = me.company_id OR c.company_id = me.parent_id)
        ORDER BY name""", [company_id, company_id, company_id])


def companies(db) -> pd.DataFrame:
    """Every profile for pickers: id, name, local name, aliases, sector, entries."""
    return _frame(db, """
        SELECT c.company_id, c.name, c.local_name, c.aliases, c.sector,
               (SELECT count(*) FROM entities e WHERE e.company_id = c.company_id) AS entries
        FROM companies c ORDER BY c.name""")


def destinations(db) -> pd.DataFrame:
    """Destinations with their number of entries, largest first."""
    return _frame(db, """SELECT destination, count(*) AS entries FROM entities
                         GROUP BY destination ORDER BY entries DESC, destination""")


def sectors(db) -> list[str]:
    """Sectors present in the entries."""
    return [r[0] for r in db.execute("SELECT DISTINCT sector FROM entities ORDER BY sector").fetchall()]


def rules(db) -> pd.DataFrame:
    """Every rule, newest first, with the stated counts beside today's entries that cite it."""
    return _frame(db, "SELECT * FROM rules ORDER BY publication_date DESC, rule_id")


def rule_entries(db, rule_id: str) -> pd.DataFrame:
    """Today's entries with an event attributed to the rule."""
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
            SELECT date, count(*) AS listed_today FROM events
            WHERE action = 'added' AND date IS NOT NULL GROUP BY date)
        SELECT s.date, s.stated_added, coalesce(t.listed_today, 0) AS listed_today,
               s.stated_added = coalesce(t.listed_today, 0) AS matches
        FROM stated s LEFT JOIN today t USING (date) ORDER BY s.date DESC""")


def responses(db, statuses: tuple[str, ...] = (), company_id: str | None = None,
              category: str | None = None) -> pd.DataFrame:
    """Response notes, oldest first, optionally for one company, category and set of statuses."""
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
    return _frame(db, f"SELECT * FROM responses WHERE {_where(conditions)} ORDER BY day, response_id",
                  params)


def response_matrix(db, statuses: tuple[str, ...] = ()) -> pd.DataFrame:
    """Companies against response categories: (company_id, company_name, category, notes)."""
    conditions, params = ([], []) if not statuses else (["list_contains(?, status)"], [list(statuses)])
    return _frame(db, f"""
        SELECT company_id, company_name, category, count(*) AS notes,
               min(day) AS first_day, max(day) AS last_day
        FROM responses WHERE {_where(conditions)}
        GROUP BY ALL ORDER BY company_name, category""", params)


def moments(db) -> pd.DataFrame:
    """Policy moments for annotating the time axis."""
    return _frame(db, "SELECT * FROM moments ORDER BY date, moment_id")


def newest_rules(db, limit: int = 5) -> pd.DataFrame:
    """The most recent rules that changed the list."""
    return _frame(db, """SELECT * FROM rules WHERE scope = 'entity_list_change'
                         ORDER BY publication_date DESC, rule_id LIMIT ?""", [limit])


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
