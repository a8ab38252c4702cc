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

import contextlib
import hashlib
import itertools
import json
import threading
import uuid
from collections import OrderedDict
from dataclasses import dataclass, replace
from pathlib import Path

import duckdb
import pandas as pd

from tracker import schema
from tracker.filters import Filters, search_tokens

# --- Building the store: input_<name> (validated inputs) -> <name>.parquet, in this order. ---

# Entries newest first: the explorer's first page (and any filtered one) is then read from the
# first row groups, the rest skipped on their date statistics. entity_no numbers them in that
# order; the search index and the events refer to an entry by it.
STORE_TABLES: dict[str, str] = {
    "companies": "SELECT * FROM input_companies ORDER BY company_id",
    "entities": r"""
        WITH first AS (
            SELECT entity_id,
                   min(date) FILTER (WHERE action = 'added') AS listed_date,
                   min(year) FILTER (WHERE action = 'added') AS listed_year,
                   count(*) AS n_events
            FROM input_events GROUP BY entity_id),
        numbered AS (  -- numbered on the ids and dates alone: sorting whole rows twice is slow
            SELECT e.entity_id, f.listed_date, f.listed_year, coalesce(f.n_events, 0) AS n_events,
                   CAST(row_number() OVER (ORDER BY f.listed_date DESC NULLS LAST, e.entity_id) - 1
                        AS INTEGER) AS entity_no
            FROM input_entities e LEFT JOIN first f USING (entity_id))
        SELECT e.*, n.listed_date, n.listed_year, n.n_events,
               coalesce(c.sector, 'No profile') AS sector,
               c.name AS company_name,
               CASE WHEN e.license_requirement IS NULL THEN 'not stated'
                    WHEN regexp_matches(e.license_requirement, 'all items subject to the EAR', 'i')
                    THEN 'all items' ELSE 'specific items' END AS license_scope,
               list_filter(list_distinct(regexp_split_to_array(lower(concat_ws(' ',
                   e.name, e.aliases, e.local_name, c.name, c.aliases, c.local_name)),
                   '[^\p{L}\p{N}]+')), lambda w: w <> '') AS search_words,
               n.entity_no
        FROM input_entities e JOIN numbered n USING (entity_id)
        LEFT JOIN input_companies c USING (company_id)
        ORDER BY n.entity_no""",
    "events": """
        SELECT ev.*, e.destination, e.name AS entity_name, e.company_id, e.sector, e.license_scope,
               e.entity_no
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

SQL_TYPES = {schema.INT: "BIGINT", schema.DATE: "DATE"}  # every other column is text


def register_input(con: duckdb.DuckDBPyConnection, table: schema.Table, text) -> None:
    """Make a validated input's text cells (an Arrow table) readable as `input_<name>`, with the
    schema's types: a view, so nothing is copied. Empty text and absent columns are null."""
    con.register(f"text_{table.name}", text)
    columns = []
    for column in table.columns:
        value = f'nullif("{column.name}", \'\')' if column.name in text.column_names else "NULL"
        columns.append(f'CAST({value} AS {SQL_TYPES.get(column.type, "VARCHAR")}) AS "{column.name}"')
    con.execute(f"CREATE VIEW input_{table.name} AS SELECT {', '.join(columns)} FROM text_{table.name}")


def release_input(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """Forget an input registered by `register_input`, so its text can be freed."""
    con.execute(f"DROP VIEW input_{name}")
    con.unregister(f"text_{name}")


ENTRY_COLUMNS = """e.entity_id, e.name, e.destination, e.listed_date, e.fr_citations,
    e.company_id, e.company_name, e.sector, e.license_requirement, e.license_scope,
    e.aliases, e.address, e.entry_type, e.company_link, e.source"""

RELATED_SHOWN = 30  # related companies kept per profile, the most closely related first
# Every choice of statuses the responses page offers, as the key of its matrix: 'announced,observed'.
STATUS_CHOICES = [",".join(sorted(choice)) for n in range(1, len(schema.RESPONSE_STATUSES) + 1)
                  for choice in itertools.combinations(schema.RESPONSE_STATUSES, n)]

# Tables derived from the ones above, built with them, so that no question has to scan every
# entry or event: counts by what the filters choose, each company's entries and events in one
# place, and an index of the words of every name.
DERIVED_TABLES: dict[str, str] = {
    "listing_counts": """
        SELECT date, year, action, destination, sector, license_scope, count(*) AS n
        FROM events GROUP BY ALL ORDER BY ALL""",
    "entity_counts": """
        SELECT destination, sector, license_scope, count(*) AS n FROM entities GROUP BY ALL ORDER BY ALL""",
    "company_entries": f"""
        SELECT {ENTRY_COLUMNS} FROM entities e WHERE e.company_id IS NOT NULL
        ORDER BY e.company_id, e.listed_date, e.entity_id""",
    "company_events": """
        SELECT ev.*, r.title AS rule_title, r.url AS rule_url
        FROM events ev LEFT JOIN rules r USING (rule_id)
        WHERE ev.company_id IS NOT NULL ORDER BY ev.company_id, ev.date NULLS LAST, ev.event_id""",
    # For each profile, the RELATED_SHOWN profiles most closely related to it (a shared parent
    # first, then the most rules, then the most days shared by their listings), with how many
    # are related in all: a big company can be related to thousands.
    "company_relations": f"""
        WITH added AS (SELECT DISTINCT company_id, rule_id, date FROM company_events WHERE action = 'added'),
        by_rule AS (
            SELECT a.company_id, b.company_id AS other_id,
                   list(DISTINCT a.rule_id ORDER BY a.rule_id) AS rules
            FROM added a JOIN added b USING (rule_id) WHERE a.company_id <> b.company_id GROUP BY ALL),
        by_day AS (
            SELECT a.company_id, b.company_id AS other_id, list(DISTINCT a.date ORDER BY a.date) AS days
            FROM added a JOIN added b USING (date) WHERE a.company_id <> b.company_id GROUP BY ALL),
        by_parent AS (
            SELECT me.company_id, c.company_id AS other_id, true AS parent
            FROM companies me JOIN companies c ON c.company_id <> me.company_id
             AND (c.parent_id = me.parent_id OR c.parent_id = me.company_id OR c.company_id = me.parent_id)),
        pairs AS (
            SELECT company_id, other_id, coalesce(parent, false) AS parent,
                   coalesce(rules, []) AS rules, coalesce(days, []) AS days
            FROM by_rule FULL JOIN by_day USING (company_id, other_id)
                 FULL JOIN by_parent USING (company_id, other_id)),
        ranked AS (
            SELECT p.*, c.name,
                   CAST(row_number() OVER (PARTITION BY p.company_id ORDER BY p.parent DESC,
                        len(p.rules) DESC, len(p.days) DESC, c.name, p.other_id) AS INTEGER) AS rank,
                   CAST(count(*) OVER (PARTITION BY p.company_id) AS INTEGER) AS related_total
            FROM pairs p JOIN companies c ON c.company_id = p.other_id)
        SELECT company_id, other_id, name, rank, related_total,
               concat_ws('; ',
                   CASE WHEN parent THEN 'same parent company' END,
                   CASE WHEN len(rules) > 0
                        THEN 'listed by the same rule (' || array_to_string(rules, ', ') || ')'
                        WHEN len(days) > 0
                        THEN 'listed the same day (' || array_to_string(
                             list_transform(days, lambda d: strftime(d, '%Y-%m-%d')), ', ') || ')'
                   END) AS relation
        FROM ranked WHERE rank <= {RELATED_SHOWN} ORDER BY company_id, rank""",
    "company_counts": """
        SELECT company_id, count(*) AS entries FROM entities WHERE company_id IS NOT NULL
        GROUP BY company_id ORDER BY company_id""",
    # The responses matrix for each choice of statuses (7 choices), in the order it is shown.
    "response_matrix": f"""
        WITH choices(choice) AS (VALUES {", ".join(f"('{c}')" for c in STATUS_CHOICES)})
        SELECT ch.choice, r.company_id, r.company_name, r.category, count(*) AS notes,
               min(r.day) AS first_day, max(r.day) AS last_day
        FROM choices ch JOIN responses r ON list_contains(string_split(ch.choice, ','), r.status)
        GROUP BY ALL ORDER BY ch.choice, r.company_name, r.category""",
    "search_vocabulary": """
        SELECT CAST(row_number() OVER (ORDER BY word) AS INTEGER) AS word_id, word
        FROM (SELECT DISTINCT unnest(search_words) AS word FROM entities) ORDER BY word_id""",
    "search_postings": """
        SELECT v.word_id, w.entity_no
        FROM (SELECT entity_no, unnest(search_words) AS word FROM entities) w
        JOIN search_vocabulary v USING (word) ORDER BY v.word_id, w.entity_no""",
}
# Smaller row groups where a question reads a narrow range: one company, one word.
ROW_GROUP_ROWS = {"entities": 32_768, "company_entries": 8_192, "company_events": 8_192,
                  "search_postings": 65_536}
ROW_GROUP_DEFAULT = 122_880
# The tables read in place are compressed for speed of reading (LZ4 decodes about three times
# faster than zstd: the explorer's rows come from a third of the entries' file), the rest for size.
COMPRESSION = {"entities": "lz4_raw", "events": "lz4_raw", "search_postings": "lz4_raw"}
COMPRESSION_DEFAULT = "zstd"
# A table whose file is smaller than this is loaded into memory when a store is opened (no
# file to read per question), except the entries and events, always read where they are:
# they can be large, and a damaged file must show up at the next question (tracker.ui).
IN_MEMORY_BYTES = 8 * 1024 * 1024
READ_IN_PLACE = {"entities", "events"}

def store_format() -> str:
    """A fingerprint of how a store is laid out: the tables' SQL, their files' settings and the
    inputs' column types. A store built by code with another layout is rebuilt, not queried."""
    layout = [STORE_TABLES, DERIVED_TABLES, ROW_GROUP_ROWS, ROW_GROUP_DEFAULT, COMPRESSION,
              COMPRESSION_DEFAULT, [[t.name, [[c.name, SQL_TYPES.get(c.type, "VARCHAR")] for c in t.columns]]
                                    for t in schema.TABLES]]
    return hashlib.sha256(json.dumps(layout, sort_keys=True).encode()).hexdigest()[:16]


DATA_AS_OF = """
    SELECT greatest((SELECT max(date) FROM events), (SELECT max(publication_date) FROM rules))"""


# --- The connection ---

class Store:
    """One DuckDB connection over one published build; take a `cursor()` per run or thread.

    The build is a local folder, or an s3:// location (tracker.remote) whose tables the
    manifest names; DuckDB then reads the Parquet files through s3fs.
    """

    def __init__(self, build_dir: Path | str, tables: list[str] | None = None):
        # No replacement scans: a name that is not one of our tables must fail, never be
        # resolved to a Python variable that happens to have that name.
        self.connection = duckdb.connect(config={"threads": 2, "python_enable_replacements": False})
        if str(build_dir).startswith("s3://"):
            from tracker import remote

            self.build_dir = str(build_dir)
            self.connection.register_filesystem(remote.filesystem())
            files = [f"{self.build_dir}/{name}.parquet" for name in tables or []]
        else:
            self.build_dir = Path(build_dir)
            files = [str(p) for p in sorted(self.build_dir.glob("*.parquet"))]
        for file in files:
            relation = self.connection.read_parquet(file)
            if Path(file).stem not in READ_IN_PLACE and _file_size(file) < IN_MEMORY_BYTES:
                relation.create(Path(file).stem)  # small: kept in memory, no file read per question
            else:
                relation.create_view(Path(file).stem)
        # Identifies this store to the search cache (one build, one connection).
        self.connection.execute("CREATE TABLE store_key (key VARCHAR)")
        self.connection.execute("INSERT INTO store_key VALUES (?)", [uuid.uuid4().hex])

    def cursor(self) -> duckdb.DuckDBPyConnection:
        return self.connection.cursor()

    def close(self) -> None:
        self.connection.close()


def _file_size(file: str) -> int:
    if file.startswith("s3://"):
        return IN_MEMORY_BYTES  # a remote build's tables stay where they are, read through s3fs
    return Path(file).stat().st_size


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
            _open[build_dir] = Store(build_dir, tables_of(manifest))
            for old in list(_open)[:-KEEP_OPEN]:
                _open.pop(old).close()
        return _open[build_dir]


def tables_of(manifest: dict | None) -> list[str] | None:
    """The tables of a build: the inputs' and the derived ones (every Parquet file it lists)."""
    if not manifest:
        return None
    files = manifest.get("files") or {f"{name}.parquet": None for name in manifest.get("rows", {})}
    return [Path(name).stem for name in files] or None


def _frame(db: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> pd.DataFrame:
    """Result as a DataFrame; text columns hold str or None (not NaN), so callers can test it plainly.

    The frame is the one DuckDB's `.df()` gives (integers and booleans with nulls in pandas'
    nullable types, dates as datetime64[us], decimals as floats), built from the result's Arrow
    form, which is several times faster for large results (25,000 rules: 83 ms -> 30 ms).
    """
    db.complete()  # an earlier question may have read one row of its result and left the rest
    table = db.sql(sql, params=params or None).to_arrow_table()
    columns = {}
    for name, column in zip(table.column_names, table.columns, strict=True):
        values = _pandas_column(column)
        if values is None or name in columns:
            return _frame_from_df(db.execute(sql, params or []).df())  # a type not handled below
        columns[name] = values
    return pd.DataFrame(columns, index=pd.RangeIndex(table.num_rows), copy=False)


def _pandas_column(column) -> pd.Series | None:
    """One Arrow result column as `.df()` converts it (text: object with None); None if not handled."""
    import pyarrow as pa

    kind = column.type
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return pd.Series(column.to_numpy(zero_copy_only=False), dtype=object, copy=False)
    if pa.types.is_date32(kind):
        return pd.Series(column.cast(pa.timestamp("us")).to_numpy(zero_copy_only=False), copy=False)
    if pa.types.is_floating(kind) or pa.types.is_decimal(kind):
        return pd.Series(column.cast(pa.float64()).to_numpy(zero_copy_only=False), copy=False)
    if pa.types.is_integer(kind) or pa.types.is_boolean(kind):
        if column.null_count == 0:
            return pd.Series(column.to_numpy(zero_copy_only=False), copy=False)
        mask = column.is_null().to_numpy(zero_copy_only=False)
        filled = column.fill_null(False if pa.types.is_boolean(kind) else 0).to_numpy(zero_copy_only=False)
        array = pd.arrays.BooleanArray(filled, mask) if pa.types.is_boolean(kind) \
            else pd.arrays.IntegerArray(filled, mask)
        return pd.Series(array, copy=False)
    return None


def _frame_from_df(frame: pd.DataFrame) -> pd.DataFrame:
    text = [c for c, dtype in frame.dtypes.items() if pd.api.types.is_string_dtype(dtype)]  # object too
    if not text:
        return frame
    return pd.DataFrame({c: pd.Series(frame[c].to_numpy(dtype=object, na_value=None), index=frame.index,
                                      dtype=object, copy=False) if c in text else frame[c]
                         for c in frame.columns}, copy=False)


# --- Filters -> WHERE clauses ---

# Filters on what an entry is. The events and the counts tables carry the same columns as the
# entries, so each condition names the table it is put on (`t`: e, ev or a counts table).
ENTRY_FILTERS = (("destinations", "destination"), ("sectors", "sector"), ("license_scopes", "license_scope"))


def _entity_conditions(filters: Filters, t: str = "e") -> tuple[list[str], list]:
    """Conditions on what an entry is (destination, sector, licence, company), on table `t`."""
    conditions, params = [], []
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


# --- The search ---
#
# Every search word must be part of one of the entry's words (prefixes and Chinese
# characters match too). Only when no entry at all matches that way are near
# spellings accepted (from four letters on), so a typo still finds its entry
# while a correct name is not diluted by look-alikes.
#
# Entries are ranked by closeness: for each search word, the best of the entry's words
# (2 for the whole word, 1 for a word containing it, else the Jaro-Winkler similarity),
# summed over the search words. The best word is always one that matched, so the rank
# comes from the matching words alone.
#
# Both read the vocabulary of every name's words (thousands of words, not a million
# entries) and the postings (word, entry) of the words that match, never the entries.
_MATCH = {"exact": "contains(v.word, tokens.t)",
          "near": "contains(v.word, tokens.t) OR (length(tokens.t) >= 4 "
                  "AND jaro_winkler_similarity(v.word, tokens.t) >= 0.88)"}
_HITS = """
    WITH tokens(i, t) AS (VALUES {tokens}),
    scores AS (
        SELECT tokens.i, v.word_id,
               CASE WHEN v.word = tokens.t THEN 2.0 WHEN contains(v.word, tokens.t) THEN 1.0
                    ELSE jaro_winkler_similarity(v.word, tokens.t) END AS score
        FROM tokens JOIN search_vocabulary v ON {match}),
    per_word AS (
        SELECT p.entity_no, s.i, max(s.score) AS score
        FROM scores s JOIN search_postings p USING (word_id) GROUP BY p.entity_no, s.i)
    SELECT entity_no, list_sum(list(score ORDER BY i)) AS rank
    FROM per_word GROUP BY entity_no HAVING count(*) = ?"""


HITS_TABLE = "search_hits"  # the hits of the search being answered, registered on the cursor
_hits_cache: OrderedDict[tuple, object] = OrderedDict()
_hits_lock = threading.Lock()
HITS_CACHED = 64  # searches remembered per process (the three questions of a page share one)


def _search_hits(db, tokens: list[str]):
    """(entity_no, rank) of the entries a search finds, as an Arrow table, computed once per store."""
    key = (db.execute("SELECT key FROM store_key").fetchall()[0][0], tuple(tokens))
    with _hits_lock:
        if key in _hits_cache:
            _hits_cache.move_to_end(key)
            return _hits_cache[key]
    values = ", ".join(f"({i}, ?)" for i in range(len(tokens)))
    params = [*tokens, len(tokens)]
    hits = db.sql(_HITS.format(tokens=values, match=_MATCH["exact"]), params=params).to_arrow_table()
    if hits.num_rows == 0:
        hits = db.sql(_HITS.format(tokens=values, match=_MATCH["near"]), params=params).to_arrow_table()
    with _hits_lock:
        _hits_cache[key] = hits
        while len(_hits_cache) > HITS_CACHED:
            _hits_cache.popitem(last=False)
    return hits


@contextlib.contextmanager
def _with_hits(db, hits):
    """Make a search's hits readable as the table `search_hits` for one query on this cursor."""
    if hits is None:
        yield
        return
    db.register(HITS_TABLE, hits)
    try:
        yield
    finally:
        db.unregister(HITS_TABLE)


def _matching(db, filters: Filters, events: bool = True) -> tuple[str, list, object]:
    """SQL for (entity_no, rank) of the entries that pass the filters (rank 0 without a search),
    its parameters, and the search hits it reads (None without a search).

    An entry passes when it is what the filters ask for and, with a date range or actions, has
    a matching event. The events carry what their entry is, so with events to match the
    entries are found in the events alone (sorted by date: a range reads only its part).
    `events=False` leaves out the date range and actions.
    """
    tokens = search_tokens(filters.query)
    if filters.query.strip() and not tokens:  # only punctuation: matches no word
        return "SELECT 0 AS entity_no, 0.0 AS rank WHERE FALSE", [], None
    event_conditions, params = _event_conditions(filters) if events else ([], [])
    if event_conditions:
        conditions, entry_params = _entity_conditions(filters, "ev")
        base = f"SELECT DISTINCT ev.entity_no FROM events ev WHERE {_where(event_conditions + conditions)}"
        params = params + entry_params
    else:
        conditions, params = _entity_conditions(filters, "e")
        base = f"SELECT e.entity_no FROM entities e WHERE {_where(conditions)}" \
            if conditions or not tokens else None
    if not tokens:
        return f"SELECT entity_no, 0.0 AS rank FROM ({base})", params, None
    hits = _search_hits(db, tokens)
    if base is None:
        return f"SELECT entity_no, rank FROM {HITS_TABLE}", [], hits
    return (f"SELECT b.entity_no, h.rank FROM ({base}) b JOIN {HITS_TABLE} h USING (entity_no)",
            params, hits)


# --- Questions the pages ask ---

GROUP_COLUMNS = {"destination": "ev.destination", "sector": "ev.sector", "none": "'All entries'"}
PERIOD_UNITS = {"month": "month", "quarter": "quarter", "year": "year"}


def _listing_source(db, filters: Filters) -> tuple[str, str, list[str], list, object]:
    """Where to count listings for entry filters: the counts table, or the events for a company or
    a search. Returns (table as ev, count expression, conditions, parameters, search hits)."""
    conditions, params = _entity_conditions(filters, "ev")
    if not _needs_entries(filters):
        return "listing_counts ev", "CAST(coalesce(sum(ev.n), 0) AS BIGINT)", conditions, params, None
    hits = None
    if filters.query.strip():
        matching, matching_params, hits = _matching(db, Filters(query=filters.query), events=False)
        conditions.append(f"ev.entity_no IN (SELECT entity_no FROM ({matching}))")
        params = params + matching_params
    return "events ev", "count(*)", conditions, params, hits


def listings_over_time(db, filters: Filters, granularity: str, group_by: str) -> pd.DataFrame:
    """Entries first listed per period and group (period, group, entries), among today's entries.

    Counts 'added' events unless the filters name other actions; undated events are left out.
    """
    group = GROUP_COLUMNS[group_by]
    unit = PERIOD_UNITS[granularity]
    event_conditions, event_params = _event_conditions(filters)
    if not filters.actions:
        event_conditions.append("ev.action = 'added'")
    source, count, conditions, params, hits = _listing_source(db, replace_dates(filters))
    sql = f"""
        SELECT CAST(date_trunc('{unit}', ev.date) AS DATE) AS period, {group} AS "group",
               {count} AS entries
        FROM {source}
        WHERE ev.date IS NOT NULL AND {_where(event_conditions + conditions)}
        GROUP BY ALL ORDER BY period, "group" """
    with _with_hits(db, hits):
        return _frame(db, sql, event_params + params)


def undated_listings(db, filters: Filters) -> int:
    """How many matching 'added' events have no date (and so are not on the time axis)."""
    source, count, conditions, params, hits = _listing_source(db, replace_dates(filters))
    sql = f"""SELECT {count} FROM {source} WHERE ev.date IS NULL AND ev.action = 'added'
              AND {_where(conditions)}"""
    with _with_hits(db, hits):
        return db.execute(sql, params).fetchall()[0][0]


def replace_dates(filters: Filters) -> Filters:
    """The filters without their date range and actions."""
    return replace(filters, date_from=None, date_to=None, actions=())


def top_destinations(db, filters: Filters, limit: int = 10) -> pd.DataFrame:
    """Destinations with the most matching entries (destination, entries)."""
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
    with _with_hits(db, hits):
        return _frame(db, sql, params + [limit])


def headline(db, this_year: int) -> dict:
    """Headline figures: entries, destinations, profiles, rules, entries added this year and last."""
    row = db.execute("""
        SELECT (SELECT CAST(coalesce(sum(n), 0) AS BIGINT) FROM entity_counts),
               (SELECT count(DISTINCT destination) FROM entity_counts),
               (SELECT count(*) FROM companies),
               (SELECT count(*) FROM rules WHERE scope = 'entity_list_change'),
               (SELECT CAST(coalesce(sum(n), 0) AS BIGINT) FROM listing_counts
                WHERE action = 'added' AND year = ?),
               (SELECT CAST(coalesce(sum(n), 0) AS BIGINT) FROM listing_counts
                WHERE action = 'added' AND year = ?)""", [this_year, this_year - 1]).fetchone()
    keys = ("entries", "destinations", "companies", "rules", "added_this_year", "added_last_year")
    return dict(zip(keys, row, strict=True))


# entity_no numbers the entries newest first: listed_date DESC NULLS LAST, entity_id.
ENTRY_ORDER = "e.entity_no"


def entries(db, filters: Filters, limit: int | None = None) -> pd.DataFrame:
    """The entries that pass the filters, best search matches first, else newest first."""
    matching, params, hits = _matching(db, filters)
    # The rows to show are picked from entity numbers alone, then only they are read whole.
    picked = f"SELECT entity_no, rank FROM ({matching}) ORDER BY rank DESC, entity_no"
    if limit is not None:
        picked += " LIMIT ?"
        params = params + [limit]
    sql = f"""SELECT {ENTRY_COLUMNS} FROM entities e JOIN ({picked}) p USING (entity_no)
              ORDER BY p.rank DESC, {ENTRY_ORDER}"""
    with _with_hits(db, hits):
        return _frame(db, sql, params)


def count_entries(db, filters: Filters) -> int:
    """How many entries pass the filters."""
    if not _needs_entries(filters) and filters == replace_dates(filters):
        conditions, params = _entity_conditions(filters, "e")
        return db.execute(f"SELECT CAST(coalesce(sum(e.n), 0) AS BIGINT) FROM entity_counts e "
                          f"WHERE {_where(conditions)}", params).fetchone()[0]
    matching, params, hits = _matching(db, filters)
    with _with_hits(db, hits):
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
    """Destinations with their number of entries, largest first."""
    return _frame(db, """SELECT destination, CAST(sum(n) AS BIGINT) AS entries FROM entity_counts
                         GROUP BY destination ORDER BY entries DESC, destination""")


def sectors(db) -> list[str]:
    """Sectors present in the entries."""
    return [r[0] for r in db.execute("SELECT DISTINCT sector FROM entity_counts ORDER BY sector").fetchall()]


def rules(db) -> pd.DataFrame:
    """Every rule, newest first, with the stated counts beside today's entries that cite it."""
    # The table is stored in this order and DuckDB returns a plain scan in stored order
    # (preserve_insertion_order); sorting 25,000 wide rows again took a third of the time.
    return _frame(db, "SELECT * FROM rules")


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
            SELECT date, CAST(sum(n) AS BIGINT) AS listed_today FROM listing_counts
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
