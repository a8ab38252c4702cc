"""How the store is laid out: the SQL that makes each table from the validated inputs, the
tables derived from those, and the settings of their Parquet files.

The build (tracker.store.build) runs STORE_TABLES then DERIVED_TABLES in order; a change to
any of them changes `store_format()`, so a store built by other code is rebuilt, not queried.
"""

from __future__ import annotations

import hashlib
import itertools
import json

import duckdb
import pyarrow as pa

from tracker import schema
from tracker.screening import normalise as _screening
from tracker.store.relations import RELATION_TABLES
from tracker.store.sql import quote

# The licence scope of an entry `e` of input_entities, by the schema's rule (see schema.LICENSE_SCOPES).
LICENSE_SCOPE_SQL = f"""CASE WHEN e.license_requirement IS NULL THEN {quote(schema.LICENSE_NOT_STATED)}
                    WHEN regexp_matches(e.license_requirement, {quote(schema.LICENSE_ALL_ITEMS_PATTERN)}, 'i')
                    THEN {quote(schema.LICENSE_ALL_ITEMS)} ELSE {quote(schema.LICENSE_SPECIFIC_ITEMS)} END"""

# The licence review policy family of an entry `e`, by the schema's rule (schema.LICENSE_POLICY_FAMILIES).
POLICY_FAMILY_SQL = ("CASE WHEN e.license_review_policy IS NULL THEN " + quote(schema.POLICY_NOT_STATED) + " "
                     + " ".join(f"WHEN regexp_matches(e.license_review_policy, {quote(pattern)}, 'i') "
                                f"THEN {quote(name)}" for name, pattern in schema.LICENSE_POLICY_FAMILIES)
                     + f" ELSE {quote(schema.POLICY_OTHER)} END")

# An entry's status, empty read as listed (schema.ENTRY_STATUSES).
STATUS_SQL = f"coalesce(e.status, {quote(schema.LISTED)})"
LISTED = quote(schema.LISTED)

# --- Comparing versions of the list ---
# The fields of a version row that a comparison looks at. Each is normalised before it is hashed
# (version_entries), so that two rows differing only in writing hash alike: lower case, and every
# mark that is not a letter or a digit dropped (spaces, line breaks, punctuation, brackets, dashes):
# "U.A.E." reads as "UAE", "734.9(e)1" as "734.9(e) 1", "Hay Riad —Rabat" as "Hay Riad, Rabat".
# Aliases are compared as a set: each normalised, empty and repeated ones dropped, sorted.
# Destinations and citations are compared as written (normalised as above): compare eCFR versions
# with eCFR versions; the BIS CSV and screening-list versions give countries of addresses and rule
# first pages instead (list_versions.fields_partial).
COMPARED_FIELDS = ("destination", "name", "aliases", "address", "fr_citations", "license_requirement",
                   "license_review_policy")
_NOT_LETTERS = r"'[^\p{L}\p{N}|]+'"  # the '|' that joins a set of aliases stays


def _normalised_sql(value: str) -> str:
    """SQL of a text value normalised for comparison (see COMPARED_FIELDS)."""
    return f"regexp_replace(lower(coalesce({value}, '')), {_NOT_LETTERS}, '', 'g')"


def _compared(field: str, value: str) -> str:
    """SQL of the text `value` of a compared field, normalised (aliases as a set, see above)."""
    if field == "aliases":
        items = f"string_split({value}, {quote(schema.LIST_SEPARATOR)})"
        return (f"array_to_string(list_sort(list_distinct(list_filter(list_transform({items}, "
                f"lambda a: {_normalised_sql('a')}), lambda a: a <> ''))), '|')")
    return _normalised_sql(value)


# --- Building the store: input_<name> (validated inputs) -> <name>.parquet, in this order. ---

# Entries newest first: the explorer's first page (and any filtered one) is then read from the
# first row groups, the rest skipped on their date statistics. entity_no numbers them in that
# order; the search index and the events refer to an entry by it.
STORE_TABLES: dict[str, str] = {
    # The versions first: their rows are the largest input, let go of once these two are written.
    "list_versions": """
        SELECT v.*, coalesce(n.rows, 0) AS rows, coalesce(n.matched, 0) AS matched_rows
        FROM input_list_versions v LEFT JOIN (
            SELECT version_id, count(*) AS rows, count(entity_ids) AS matched
            FROM input_version_rows GROUP BY version_id) n USING (version_id)
        ORDER BY v.date, v.version_id""",
    # Read by the build alone (version_entries, entry_versions), which needs no order: not sorted.
    "version_rows": f"""
        SELECT r.*, v.date AS version_date, v.source_kind,
               coalesce(string_split(r.entity_ids, {quote(schema.LIST_SEPARATOR)}), []) AS entity_id_list
        FROM input_version_rows r JOIN input_list_versions v USING (version_id)""",
    "companies": "SELECT * FROM input_companies ORDER BY company_id",
    "entities": rf"""
        WITH first AS (
            SELECT entity_id,
                   min(date) FILTER (WHERE action = 'added') AS listed_date,
                   min(year) FILTER (WHERE action = 'added') AS listed_year,
                   count(*) AS n_events
            FROM input_events GROUP BY entity_id),
        removal AS (  -- an entry's latest removal: its date, rule and citation are the entry's removal
            SELECT entity_id, date AS removed_date, rule_id AS removed_rule_id,
                   fr_citation AS removed_fr_citation
            FROM input_events WHERE action = 'removed'
            QUALIFY row_number() OVER (PARTITION BY entity_id
                                       ORDER BY year DESC, date DESC NULLS LAST, event_id DESC) = 1),
        numbered AS (  -- numbered on the ids and dates alone: sorting whole rows twice is slow
            SELECT e.entity_id, f.listed_date, f.listed_year, coalesce(f.n_events, 0) AS n_events,
                   CAST(row_number() OVER (ORDER BY f.listed_date DESC NULLS LAST, e.entity_id) - 1
                        AS INTEGER) AS entity_no
            FROM input_entities e LEFT JOIN first f USING (entity_id))
        SELECT e.* REPLACE ({STATUS_SQL} AS status), n.listed_date, n.listed_year, n.n_events,
               CASE WHEN {STATUS_SQL} = {quote(schema.REMOVED)} THEN r.removed_date END AS removed_date,
               CASE WHEN {STATUS_SQL} = {quote(schema.REMOVED)} THEN r.removed_rule_id END AS removed_rule_id,
               CASE WHEN {STATUS_SQL} = {quote(schema.REMOVED)} THEN r.removed_fr_citation END
                   AS removed_fr_citation,
               coalesce(c.sector, {quote(schema.NO_PROFILE)}) AS sector,
               c.name AS company_name,
               {LICENSE_SCOPE_SQL} AS license_scope,
               {POLICY_FAMILY_SQL} AS policy_family,
               list_filter(list_distinct(regexp_split_to_array(lower(concat_ws(' ',
                   e.name, e.aliases, e.local_name, c.name, c.aliases, c.local_name)),
                   '[^\p{{L}}\p{{N}}]+')), lambda w: w <> '') AS search_words,
               n.entity_no
        FROM input_entities e JOIN numbered n USING (entity_id)
        LEFT JOIN removal r USING (entity_id)
        LEFT JOIN input_companies c USING (company_id)
        ORDER BY n.entity_no""",
    "events": """
        SELECT ev.*, e.destination, e.name AS entity_name, e.company_id, e.sector, e.license_scope,
               e.policy_family, e.status, e.entity_no
        FROM input_events ev JOIN entities e USING (entity_id)
        ORDER BY ev.date NULLS LAST, ev.event_id""",
    "rules": f"""
        SELECT r.*,
               coalesce(r.entries_added, r.entities_added) AS stated_added,
               (SELECT count(DISTINCT ev.entity_id) FROM events ev
                WHERE ev.rule_id = r.rule_id AND ev.status = {LISTED}) AS entries_citing,
               (SELECT count(*) FROM events ev
                WHERE ev.rule_id = r.rule_id AND ev.action = 'removed') AS removals_recorded,
               (SELECT count(*) FROM events ev
                WHERE ev.action = 'added' AND ev.date = r.publication_date AND ev.status = {LISTED})
                   AS listed_that_day
        FROM input_rules r ORDER BY r.publication_date DESC, r.rule_id""",
    "responses": """
        SELECT r.*, c.name AS company_name,
               CAST(CASE WHEN length(r.date) = 7 THEN r.date || '-01' ELSE r.date END AS DATE) AS day,
               length(r.date) = 7 AS month_only
        FROM input_responses r JOIN input_companies c USING (company_id)
        ORDER BY day, r.response_id""",
    "moments": "SELECT * FROM input_moments ORDER BY date, moment_id",
}


def register_input(con: duckdb.DuckDBPyConnection, table: schema.Table, text) -> None:
    """Make a validated input's text cells (an Arrow table) readable as `input_<name>`, with the
    schema's types: a view, so nothing is copied. Empty text and absent columns are null."""
    con.register(f"text_{table.name}", text)
    columns = []
    for column in table.columns:
        value = f'nullif("{column.name}", \'\')' if column.name in text.column_names else "NULL"
        columns.append(f'CAST({value} AS {column.type.sql_type}) AS "{column.name}"')
    con.execute(f"CREATE VIEW input_{table.name} AS SELECT {', '.join(columns)} FROM text_{table.name}")


def release_input(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """Forget an input registered by `register_input`, so its text can be freed."""
    con.execute(f"DROP VIEW input_{name}")
    con.unregister(f"text_{name}")


ENTRY_COLUMN_NAMES = ("entity_id", "name", "destination", "listed_date", "fr_citations", "company_id",
                      "company_name", "sector", "license_requirement", "license_scope", "aliases", "address",
                      "entry_type", "company_link", "source", "status", "removed_date", "removed_rule_id",
                      "license_review_policy", "policy_family")
ENTRY_COLUMNS = ", ".join(f"e.{name}" for name in ENTRY_COLUMN_NAMES)

RELATED_SHOWN = 30  # related companies kept per profile, the most closely related first
# Every choice of statuses the responses page offers, as the key of its matrix: 'announced,observed'.
STATUS_CHOICES = [",".join(sorted(choice)) for n in range(1, len(schema.RESPONSE_STATUSES) + 1)
                  for choice in itertools.combinations(schema.RESPONSE_STATUSES, n)]

# Tables derived from the ones above, built with them, so that no question has to scan every
# entry or event: counts by what the filters choose, each company's entries and events in one
# place, and an index of the words of every name.
DERIVED_TABLES: dict[str, str] = {
    "listing_counts": """
        SELECT date, year, action, destination, sector, license_scope, policy_family, status, count(*) AS n
        FROM events GROUP BY ALL ORDER BY ALL""",
    "entity_counts": """
        SELECT destination, sector, license_scope, policy_family, status, count(*) AS n FROM entities
        GROUP BY ALL ORDER BY ALL""",
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
    "company_counts": f"""
        SELECT company_id, count(*) AS entries FROM entities
        WHERE company_id IS NOT NULL AND status = {LISTED}
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
# The entry page's tables (tracker.store.entry), each sorted by entity id with small row groups, so
# that one entry's rows are read from one row group, found on its statistics, at any scale.
# entry_lookup is the entries again (without their search words) in id order.
DERIVED_TABLES.update({
    "entry_lookup": "SELECT * EXCLUDE (search_words) FROM entities ORDER BY entity_id",
    "entry_events": """
        SELECT ev.entity_id, ev.event_id, ev.action, ev.date, ev.year, ev.fr_citation, ev.rule_id,
               r.title AS rule_title, r.url AS rule_url, r.fr_citation AS rule_citation,
               ev.derivation, ev.evidence, ev.parts_removed, ev.note
        FROM events ev LEFT JOIN rules r USING (rule_id)
        ORDER BY ev.entity_id, ev.date NULLS LAST, ev.event_id""",
    "entry_versions": """
        SELECT u.entity_id, r.version_id, r.version_date, r.source_kind, v.source, v.date_meaning,
               r.row, r.match, r.name AS version_name
        FROM (SELECT row_id, unnest(entity_id_list) AS entity_id FROM version_rows) u
        JOIN version_rows r USING (row_id) JOIN list_versions v USING (version_id)
        ORDER BY u.entity_id, r.version_date, r.version_id, r.row""",
})
# Smaller row groups where a question reads a narrow range: one company, one word.
ROW_GROUP_ROWS = {"entities": 32_768, "company_entries": 8_192, "company_events": 8_192,
                  "search_postings": 65_536}
ROW_GROUP_ROWS.update({"entry_lookup": 2_048, "entry_events": 4_096, "entry_versions": 4_096})
# Relations between entries, as groups with their evidence (tracker.store.relations).
DERIVED_TABLES.update(RELATION_TABLES)
ROW_GROUP_ROWS.update({"relation_members": 8_192, "group_members": 65_536})
ROW_GROUP_DEFAULT = 122_880
# The tables read in place are compressed for speed of reading (LZ4 decodes about three times
# faster than zstd: the explorer's rows come from a third of the entries' file), the rest for size.
COMPRESSION = {"entities": "lz4_raw", "events": "lz4_raw", "search_postings": "lz4_raw"}
COMPRESSION_DEFAULT = "zstd"
# A table whose file is smaller than this is loaded into memory when a store is opened (no
# file to read per question), except the entries and events, always read where they are:
# they can be large, and a damaged file must show up at the next question (tracker.ui).
IN_MEMORY_BYTES = 8 * 1024 * 1024
# entry_*: read by tracker.store.sorted_files from their files, never through DuckDB while serving.
READ_IN_PLACE = {"entities", "events", "entry_lookup", "entry_events", "entry_versions"}

def store_format() -> str:
    """A fingerprint of how a store is laid out: the tables' SQL, their files' settings and the
    inputs' column types. A store built by code with another layout is rebuilt, not queried."""
    layout = [STORE_TABLES, DERIVED_TABLES, ROW_GROUP_ROWS, ROW_GROUP_DEFAULT, COMPRESSION,
              COMPRESSION_DEFAULT, [[t.name, [[c.name, c.type.sql_type] for c in t.columns]]
                                    for t in schema.TABLES]]
    return hashlib.sha256(json.dumps(layout, sort_keys=True).encode()).hexdigest()[:16]


DATA_AS_OF = """
    SELECT greatest((SELECT max(date) FROM events), (SELECT max(publication_date) FROM rules))"""


# --- The list's history: each version's entries, compared by hashes made here ---
# Nearly every entry reads alike in every version; such an entry never differs between two of them
# and is never compared field by field. So each version row is first hashed whole, as it is written,
# and only the entries that are not alike in every version (one that is missing from a version, has
# several rows in one, or reads otherwise in one) are looked at: version_entries holds those alone,
# one row per (version, entry), with their text. Normalising every row with a regular expression, and
# sorting every row with its text, cost a 1M build half a minute.
# Per compared field: h_<field> hashes the normalised values (_compared), r_<field> the raw ones,
# v_<field> is the raw text shown (the rows' values, sorted, ' / '-joined); r_all hashes every raw
# value, h_all every normalised one: an entry whose r_all differs changed in substance when h_all
# differs too, in writing only when it does not (tracker.store.history). Rows of one version matched
# to one entry (part_of rows, merged cross-listings) are combined whatever their order.
def _values(expression: str) -> str:
    return f"list_sort(list_distinct(list_filter(list({expression}), lambda x: x <> '')))"


def _combined(expression: str) -> str:
    return f"hash(array_to_string({_values(expression)}, chr(30)))"


def _each_of(column) -> str:
    """The SQL `column(field)` of every compared field, comma-joined."""
    return ", ".join(column(f) for f in COMPARED_FIELDS)


def _each(template: str) -> str:
    return _each_of(lambda f: template.format(f=f))


_MATCHED_VERSIONS = "(SELECT count(*) FROM list_versions WHERE matched_rows > 0)"
VERSION_ENTRIES_SQL = f"""
    WITH members AS (  -- each row, hashed as written, once for each entry it is matched to
        SELECT version_id, unnest(entity_id_list) AS entity_id,
               hash({_each("coalesce({f}, '')")}) AS written
        FROM version_rows WHERE len(entity_id_list) > 0),
    varying AS (
        SELECT entity_id FROM members GROUP BY entity_id
        HAVING count(*) <> {_MATCHED_VERSIONS} OR count(DISTINCT version_id) <> {_MATCHED_VERSIONS}
            OR min(written) <> max(written)),
    texts AS (
        SELECT version_id, match, entity_id, {_each("coalesce({f}, '') AS t_{f}")}
        FROM (SELECT *, unnest(entity_id_list) AS entity_id FROM version_rows WHERE len(entity_id_list) > 0)
        SEMI JOIN varying USING (entity_id)),
    hashed AS (
        SELECT version_id, entity_id, count(*) AS n_rows,
               array_to_string(list_sort(list(DISTINCT match)), ', ') AS matches,
               {_each_of(lambda f: f"{_combined(_compared(f, 't_' + f))} AS h_{f}")},
               {_each_of(lambda f: f"{_combined('t_' + f)} AS r_{f}")},
               {_each_of(lambda f: f"nullif(array_to_string({_values('t_' + f)}, ' / '), '') AS v_{f}")}
        FROM texts GROUP BY version_id, entity_id)
    SELECT h.version_id, e.entity_no, h.entity_id, h.n_rows, h.matches, {_each("h.h_{f}")},
           {_each("h.r_{f}")}, hash({_each("h.r_{f}")}) AS r_all, hash({_each("h.h_{f}")}) AS h_all,
           {_each("h.v_{f}")}
    FROM hashed h JOIN entry_lookup e USING (entity_id)
    ORDER BY h.version_id, e.entity_no"""
DERIVED_TABLES["version_entries"] = VERSION_ENTRIES_SQL
# Every version's r_all and h_all for every entry number, with today's destination: two versions'
# rows line up one for one, so a diff is a POSITIONAL JOIN of two scans (tracker.store.history), not
# a join of a million entries on their number. NULL where the version lacks the entry; an entry alike
# in every version (not in version_entries) has 0 for both in every version that has rows: equal,
# which is all a diff asks of it.
DERIVED_TABLES["version_hashes"] = """
    WITH varying AS (SELECT DISTINCT entity_no FROM version_entries)
    SELECT v.version_id, e.entity_no, e.destination,
           CASE WHEN w.entity_no IS NOT NULL THEN x.r_all WHEN v.matched_rows > 0 THEN 0 END AS r_all,
           CASE WHEN w.entity_no IS NOT NULL THEN x.h_all WHEN v.matched_rows > 0 THEN 0 END AS h_all
    FROM list_versions v CROSS JOIN entities e
    LEFT JOIN varying w ON w.entity_no = e.entity_no
    LEFT JOIN version_entries x ON x.version_id = v.version_id AND x.entity_no = e.entity_no
    ORDER BY v.version_id, e.entity_no"""
ROW_GROUP_ROWS["version_entries"] = 16_384  # a diff's first entries by number are read from a few
# --- Screening (tracker.screening): every listed name, normalised once per build ---
# The names screened against: the Entity List's entries on today's list (names, aliases and
# local-language names) and every other list's rows of the Consolidated Screening List (names
# and alternate names). The screening list's own Entity List rows are left out: the entries are
# the Entity List. `screening_key` is tracker.screening.normalise.key, registered on the build's
# connection (register_functions); the comment names its version, so a new normalisation
# changes store_format() and rebuilds the store.
STORE_TABLES["screening_list"] = "SELECT * FROM input_screening_list ORDER BY list, row_id"
SCREENING_KINDS = "['name', 'local_name', 'alias']"  # in the order a name written twice keeps its kind
SCREENING_KIND_ORDER = "CASE n.kind WHEN 'name' THEN 0 WHEN 'local_name' THEN 1 ELSE 2 END"
DERIVED_TABLES.update({
    # ISO code -> destination, read from the data: the screening list's Entity List rows with one
    # country whose name is an entry's name, the destination most of them share.
    "screening_countries": f"""
        WITH pairs AS (
            SELECT s.countries AS code, e.destination, count(*) AS n
            FROM screening_list s JOIN entities e ON lower(e.name) = lower(s.name)
            WHERE s.list = 'EL' AND regexp_full_match(s.countries, '[A-Z]{{2}}') AND e.status = {LISTED}
            GROUP BY ALL)
        SELECT code, arg_max(destination, n) AS destination, CAST(sum(n) AS INTEGER) AS rows_read
        FROM pairs GROUP BY code ORDER BY code""",
    "screening_entries": f"""
        WITH csl AS (
            SELECT s.row_id, s.list, s.name, s.license_requirement, s.license_policy,
                   s.federal_register_notice, s.source_list_url, s.programs, s.type,
                   string_agg(coalesce(c.destination, u.code), ', ' ORDER BY u.i) AS destination
            FROM screening_list s
            LEFT JOIN (SELECT row_id, unnest(string_split(countries, ' ')) AS code,
                              generate_subscripts(string_split(countries, ' '), 1) AS i
                       FROM screening_list) u USING (row_id)
            LEFT JOIN screening_countries c ON c.code = u.code
            WHERE s.list <> 'EL' GROUP BY ALL),
        refs AS (
            SELECT 'EL' AS list, entity_id AS ref_id, name, destination, listed_date,
                   license_requirement, license_review_policy AS license_policy,
                   split_part(fr_citations, '; ', 1) AS fr_citation, NULL AS list_url,
                   NULL AS programs, NULL AS type
            FROM entities WHERE status = {LISTED}
            UNION ALL
            SELECT list, row_id, name, destination, NULL, license_requirement, license_policy,
                   federal_register_notice, source_list_url, programs, type FROM csl)
        SELECT CAST(row_number() OVER (ORDER BY list <> 'EL', list, ref_id) - 1 AS INTEGER) AS ref_no, *
        FROM refs ORDER BY ref_no""",
    "screening_names": f"""
        /* normalisation version {_screening.NORMALISATION_VERSION} */
        WITH named AS (
            SELECT entity_id AS ref_id, company_id, 'name' AS kind, name AS text
                FROM entities WHERE status = {LISTED}
            UNION ALL SELECT entity_id, NULL, 'alias',
                    unnest(string_split(aliases, {quote(schema.LIST_SEPARATOR)}))
                FROM entities WHERE status = {LISTED} AND aliases IS NOT NULL
            UNION ALL SELECT entity_id, NULL, 'local_name', local_name
                FROM entities WHERE status = {LISTED} AND local_name IS NOT NULL
            UNION ALL SELECT row_id, NULL, 'name', name FROM screening_list WHERE list <> 'EL'
            UNION ALL SELECT row_id, NULL, 'alias',
                    unnest(string_split(alt_names, {quote(schema.LIST_SEPARATOR)}))
                FROM screening_list WHERE list <> 'EL' AND alt_names IS NOT NULL),
        keys AS (  -- each name normalised once: a million entries have 2.6M names, 0.4M distinct
            SELECT text, screening_key(text) AS key
            FROM (SELECT DISTINCT text FROM named WHERE trim(text) <> '')),
        keyed AS (
            SELECT s.ref_no, s.list, n.company_id, n.kind, n.text, k.key
            FROM named n JOIN keys k USING (text) JOIN screening_entries s USING (ref_id)),
        profiles AS (
            SELECT company_id, local_name, screening_key(name) AS name_key, screening_key(local_name) AS key
            FROM companies WHERE local_name IS NOT NULL),
        with_profiles AS (  -- a profile's local-language name is that of the entry written as its name
            SELECT ref_no, list, kind, text, key FROM keyed
            UNION ALL SELECT k.ref_no, k.list, 'local_name', p.local_name, p.key
                FROM keyed k JOIN profiles p ON k.company_id = p.company_id AND k.key = p.name_key
                WHERE k.kind = 'name'),
        distinct_keys AS (  -- a name written twice (an alias equal to the name) is kept once: its first kind
            SELECT ref_no, key, any_value(list) AS list,  -- its kind's rank (one digit), then its text
                   min(CAST({SCREENING_KIND_ORDER} AS VARCHAR) || text) AS first
            FROM with_profiles n WHERE key <> '' GROUP BY ref_no, key)
        SELECT CAST(row_number() OVER (ORDER BY ref_no, first) - 1 AS INTEGER) AS name_no, ref_no, list,
               {SCREENING_KINDS}[CAST(first[1] AS INTEGER) + 1] AS kind, first[2:] AS text, key
        FROM distinct_keys ORDER BY name_no""",
    "screening_tokens": """
        SELECT CAST(row_number() OVER (ORDER BY token) - 1 AS INTEGER) AS token_id, token,
               CAST(count(*) AS INTEGER) AS names
        FROM (SELECT DISTINCT name_no, unnest(string_split(key, ' ')) AS token FROM screening_names)
        GROUP BY token ORDER BY token_id""",
    "screening_postings": """
        SELECT DISTINCT t.token_id, n.name_no
        FROM (SELECT name_no, unnest(string_split(key, ' ')) AS token FROM screening_names) n
        JOIN screening_tokens t USING (token) ORDER BY t.token_id, n.name_no""",
})


def register_functions(con: duckdb.DuckDBPyConnection) -> None:
    """The Python functions the build's SQL calls: screening_key (tracker.screening.normalise.key)."""
    def keys(texts):
        return pa.array([None if t is None else _screening.key(t) for t in texts.to_pylist()],
                        type=pa.string())

    con.create_function("screening_key", keys, ["VARCHAR"], "VARCHAR", type="arrow")
