"""Relations between entries, derived at build time from the data alone (issue 13.3); the
questions asking them are in tracker.store.related.

Entries are related when they share something the inputs state: a company profile, a profile's
parent, a name or alias, the first distinctive word of their names (the stem), an address, or
the rule and day that listed them. Each such thing is one GROUP (its kind, its evidence, its
members), never every pair of members: a rule that listed 5,000 entries is one group of 5,000
rows, not 12.5 million pairs. A relation says what is shared, never who owns whom.

Method (the About page says the same):
- names: each of an entry's names (name, aliases, local name) in lower case, punctuation and the
  legal forms of schema.RELATION_LEGAL_FORMS removed; two entries sharing one are related. A name
  of only common words or places ("Beijing Technology") links nothing.
- stems: the first word of an organisation's name left after removing legal forms, places
  (schema.RELATION_PLACE_WORDS and the destinations) and common words; Latin letters only, at least
  RELATION_MIN_KEY_CHARS long; only for names with an organisation's word (schema) or of an entry
  linked to a company profile, so people sharing a first name are not linked. "Beijing Zhipu
  Huazhang Technology Co., Ltd." has the stem "zhipu".
- addresses: the whole address in lower case, punctuation removed, when it holds a number and at
  least RELATION_ADDRESS_MIN_WORDS words ("Moscow, Russia" links nothing).
- listings: the entries an 'added' event lists by one rule on one day; where no rule is recorded,
  those added on one day citing one Federal Register volume (said so in the evidence).
"""

from __future__ import annotations

from tracker import schema
from tracker.store.sql import quote


def _list(words) -> str:
    return "[" + ", ".join(quote(w) for w in words) + "]"


_SPLIT = r"'[^\p{L}\p{N}]+'"
_CJK_FORMS = quote("(" + "|".join(schema.RELATION_LEGAL_FORMS_CJK) + ")")


def _any_word(words) -> str:
    """A pattern matching one of these words in a name written ' w1  w2  w3 ' (each word with a
    space of its own on each side): a regular expression is much faster than a list lookup per word."""
    return quote(" (" + "|".join(sorted(set(words))) + ") ")


_LEGAL = _any_word(schema.RELATION_LEGAL_FORMS)
_ORGANISATION = _any_word(schema.RELATION_LEGAL_FORMS + schema.RELATION_ORGANISATION_WORDS)
_NOT_STEMS = _any_word(schema.RELATION_COMMON_WORDS + schema.RELATION_PLACE_WORDS)
_STEM_PATTERN = quote(f"^[a-z][a-z0-9]{{{schema.RELATION_MIN_KEY_CHARS - 1},}}$")

# Every key an entry shares with another (entity_no, kind, key), and `detail`: what a group's
# evidence needs beyond its key (an address as written, the rule of a listing). Narrow rows: the
# evidence is written once per group (relation_groups), never per member. The regular expressions
# run once per distinct name (a million entries write about 600,000), not once per entry's name.
GROUPS_SQL = rf"""
    WITH skip AS (  -- never a stem, as the common words and places: the words of every destination
        SELECT list_distinct(flatten(list(regexp_split_to_array(lower(destination), {_SPLIT})))) AS words
        FROM (SELECT DISTINCT destination FROM entities WHERE destination IS NOT NULL)),
    written AS MATERIALIZED (  -- every name an entry is known by (an address-only entry has none)
        SELECT entity_no, company_id IS NOT NULL AS profiled,
               unnest(list_filter(list_concat([name, local_name],
                   coalesce(string_split(aliases, {quote(schema.LIST_SEPARATOR)}), [])),
                   lambda n: n IS NOT NULL AND trim(n) <> '')) AS written
        FROM entities WHERE entry_type IS DISTINCT FROM 'address_only'),
    spaced AS (  -- each distinct name as ' w1  w2  w3 ': lower case, split on anything but letters and digits
        SELECT written, ' ' || array_to_string(list_filter(regexp_split_to_array(lower(
                   regexp_replace(regexp_replace(written, {_CJK_FORMS}, ' ', 'g'), '[''’]', '', 'g')),
                   {_SPLIT}), lambda w: w <> ''), '  ') || ' ' AS raw
        FROM (SELECT DISTINCT written FROM written)),
    named AS (  -- kept: the words left once legal forms are removed; rest: those not common or places
        SELECT written, regexp_matches(raw, {_ORGANISATION}) AS organisation_word,
               list_filter(string_split(kept, ' '), lambda w: w <> '') AS kept,
               list_filter(string_split(regexp_replace(kept, {_NOT_STEMS}, '', 'g'), ' '),
                           lambda w: w <> '' AND NOT list_contains(skip.words, w)) AS rest
        FROM (SELECT written, raw, regexp_replace(raw, {_LEGAL}, '', 'g') AS kept FROM spaced), skip),
    name_keys AS MATERIALIZED (  -- per distinct name: its name key and its stem (NULL where it has none)
        SELECT written, organisation_word,
               CASE WHEN length(array_to_string(kept, ' ')) >= {schema.RELATION_MIN_KEY_CHARS}
                         AND len(rest) > 0 THEN array_to_string(kept, ' ') END AS name_key,
               CASE WHEN regexp_matches(rest[1], {_STEM_PATTERN}) THEN rest[1] END AS stem
        FROM named),
    keyed AS (
        SELECT DISTINCT entity_no, shared.kind, shared.key, NULL AS detail
        FROM (SELECT w.entity_no,
                     unnest([{{'kind': 'name', 'key': n.name_key}},
                             {{'kind': 'stem', 'key': CASE WHEN w.profiled OR n.organisation_word
                                                          THEN n.stem END}}]) AS shared
              FROM written w JOIN name_keys n USING (written))
        WHERE shared.key IS NOT NULL
        UNION ALL
        -- An address of too few words is keyed by its entry's number alone, so shared by no other
        -- entry (a filter on its words instead would split it a second time).
        SELECT entity_no, 'address',
               CASE WHEN len(words) >= {schema.RELATION_ADDRESS_MIN_WORDS} THEN array_to_string(words, ' ')
                    ELSE CAST(entity_no AS VARCHAR) END,
               'same address: "' || address || '"'
        FROM (SELECT entity_no, address, list_filter(regexp_split_to_array(lower(address), {_SPLIT}),
                                                     lambda w: w <> '') AS words
              FROM entities WHERE regexp_matches(address, '[0-9]'))
        UNION ALL
        SELECT entity_no, 'profile', company_id, NULL FROM entities WHERE company_id IS NOT NULL
        UNION ALL
        SELECT e.entity_no, 'parent', f.family, NULL
        FROM entities e
        JOIN (SELECT parent_id AS family, company_id FROM companies WHERE parent_id IS NOT NULL
              UNION SELECT parent_id, parent_id FROM companies WHERE parent_id IS NOT NULL) f
             USING (company_id)
        UNION ALL
        SELECT DISTINCT entity_no, 'listing',
               coalesce(rule_id, 'FR ' || split_part(fr_citation, ' ', 1)) || ' '
                   || strftime(date, '%Y-%m-%d'),
               rule_id
        FROM events
        WHERE action = 'added' AND date IS NOT NULL AND (rule_id IS NOT NULL OR fr_citation IS NOT NULL)),
    cited AS (  -- the entries in the order a group's members are ranked: the most cited first, then by id
        SELECT entity_no, CAST(row_number() OVER (ORDER BY coalesce(len(string_split(fr_citations,
                   {quote(schema.CITATION_SEPARATOR)})), 0) DESC, entity_id) AS INTEGER) AS cited_order
        FROM entities),
    grouped AS (  -- a key shared by two entries or more is a group (an address's evidence: its first writing)
        SELECT k.kind, k.key, CAST(count(*) AS INTEGER) AS members, min(k.detail) AS detail,
               list(c.cited_order::BIGINT << 32 | k.entity_no) AS ranked,
               CASE WHEN k.kind = 'profile' THEN 'profile:' || k.key
                    ELSE k.kind || ':' || substr(md5(k.key), 1, 12) END AS group_id
        FROM keyed k JOIN cited c USING (entity_no)
        GROUP BY k.kind, k.key HAVING count(*) >= 2)
    SELECT CAST(row_number() OVER (ORDER BY g.group_id) - 1 AS INTEGER) AS group_no, g.group_id, g.kind,
           g.members,
           CASE g.kind
               WHEN 'name' THEN 'shares the name "' || g.key
                                || '" (case, punctuation and legal forms ignored)'
               WHEN 'stem' THEN 'names begin with "' || g.key
                                || '" (legal forms, places and common words ignored)'
               WHEN 'address' THEN g.detail
               WHEN 'profile' THEN 'same company profile: ' || c.name
               WHEN 'parent' THEN 'profiles under the parent profile ' || c.name
                                  || ' (companies.csv parent_id)'
               WHEN 'listing' THEN CASE
                   WHEN g.detail IS NOT NULL
                   THEN 'added by rule ' || g.detail || coalesce(' (' || r.fr_citation || ')', '')
                        || ' on ' || right(g.key, 10)
                   ELSE 'added on ' || right(g.key, 10) || ', citing volume ' || split_part(g.key, ' ', 2)
                        || ' of the Federal Register '
                        || '(the rule is not recorded: listed the same day, maybe not by the same rule)'
                   END
           END AS evidence,
           list_transform(list_sort(g.ranked), lambda r: CAST(r & 4294967295 AS INTEGER)) AS entity_nos
    FROM grouped g
    LEFT JOIN companies c ON g.kind IN ('profile', 'parent') AND c.company_id = g.key
    LEFT JOIN rules r ON g.kind = 'listing' AND r.rule_id = g.detail
    ORDER BY group_no"""

RELATION_TABLES: dict[str, str] = {
    "relation_groups": GROUPS_SQL,
    # The same memberships by entry: the groups an entry is in, and its rank in each (1: the most cited).
    "relation_members": """
        SELECT entity_no, group_no, CAST(member_rank AS INTEGER) AS member_rank
        FROM (SELECT group_no, unnest(entity_nos) AS entity_no,
                     generate_subscripts(entity_nos, 1) AS member_rank FROM relation_groups)
        ORDER BY entity_no, group_no""",
}
