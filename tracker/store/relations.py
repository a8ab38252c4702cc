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


def _text(value: str) -> str:
    """A schema constant as a SQL string literal (no user input is ever written into SQL)."""
    return "'" + value.replace("'", "''") + "'"


def _list(words) -> str:
    return "[" + ", ".join(_text(w) for w in words) + "]"


_SPLIT = r"'[^\p{L}\p{N}]+'"
_CJK_FORMS = _text("(" + "|".join(schema.RELATION_LEGAL_FORMS_CJK) + ")")


def _any_word(words) -> str:
    """A pattern matching one of these words in a name written ' w1  w2  w3 ' (each word with a
    space of its own on each side): a regular expression is much faster than a list lookup per word."""
    return _text(" (" + "|".join(sorted(set(words))) + ") ")


_LEGAL = _any_word(schema.RELATION_LEGAL_FORMS)
_ORGANISATION = _any_word(schema.RELATION_LEGAL_FORMS + schema.RELATION_ORGANISATION_WORDS)
_NOT_STEMS = _any_word(schema.RELATION_COMMON_WORDS + schema.RELATION_PLACE_WORDS)
_STEM_PATTERN = _text(f"^[a-z][a-z0-9]{{{schema.RELATION_MIN_KEY_CHARS - 1},}}$")

# One row per entry and group it belongs to, each group with its evidence; read by entry.
MEMBERS_SQL = rf"""
    WITH skip AS (  -- never a stem, as the common words and places: the words of every destination
        SELECT list_distinct(flatten(list(regexp_split_to_array(lower(destination), {_SPLIT})))) AS words
        FROM (SELECT DISTINCT destination FROM entities WHERE destination IS NOT NULL)),
    written AS (  -- every name an entry is known by (an address-only entry has none)
        SELECT entity_id, company_id IS NOT NULL AS profiled,
               unnest(list_filter(list_concat([name, local_name],
                   coalesce(string_split(aliases, {_text(schema.LIST_SEPARATOR)}), [])),
                   lambda n: n IS NOT NULL AND trim(n) <> '')) AS written
        FROM entities WHERE entry_type IS DISTINCT FROM 'address_only'),
    spaced AS (  -- ' w1  w2  w3 ': lower case, split on anything but letters and digits
        SELECT entity_id, profiled, ' ' || array_to_string(list_filter(regexp_split_to_array(lower(
                   regexp_replace(regexp_replace(written, {_CJK_FORMS}, ' ', 'g'), '[''’]', '', 'g')),
                   {_SPLIT}), lambda w: w <> ''), '  ') || ' ' AS raw
        FROM written),
    named AS (  -- kept: the words left once legal forms are removed; rest: those not common or places
        SELECT entity_id, profiled OR regexp_matches(raw, {_ORGANISATION}) AS organisation,
               list_filter(string_split(kept, ' '), lambda w: w <> '') AS kept,
               list_filter(string_split(regexp_replace(kept, {_NOT_STEMS}, '', 'g'), ' '),
                           lambda w: w <> '' AND NOT list_contains(skip.words, w)) AS rest
        FROM (SELECT entity_id, profiled, raw, regexp_replace(raw, {_LEGAL}, '', 'g') AS kept FROM spaced),
             skip),
    keyed AS (
        SELECT DISTINCT entity_id, 'name' AS kind, array_to_string(kept, ' ') AS key,
               'shares the name "' || array_to_string(kept, ' ')
                   || '" (case, punctuation and legal forms ignored)' AS evidence
        FROM named
        WHERE length(array_to_string(kept, ' ')) >= {schema.RELATION_MIN_KEY_CHARS} AND len(rest) > 0
        UNION ALL
        SELECT DISTINCT entity_id, 'stem', stem,
               'names begin with "' || stem || '" (legal forms, places and common words ignored)'
        FROM (SELECT entity_id, rest[1] AS stem FROM named WHERE organisation)
        WHERE regexp_matches(stem, {_STEM_PATTERN})
        UNION ALL
        SELECT entity_id, 'address', key, 'same address: "' || address || '"'
        FROM (SELECT entity_id, address, trim(regexp_replace(lower(address), {_SPLIT}, ' ', 'g')) AS key
              FROM entities WHERE address IS NOT NULL)
        WHERE regexp_matches(key, '[0-9]')
          AND len(string_split(key, ' ')) >= {schema.RELATION_ADDRESS_MIN_WORDS}
        UNION ALL
        SELECT entity_id, 'profile', company_id, 'same company profile: ' || company_name
        FROM entities WHERE company_id IS NOT NULL
        UNION ALL
        SELECT e.entity_id, 'parent', f.family,
               'profiles under the parent profile ' || p.name || ' (companies.csv parent_id)'
        FROM entities e
        JOIN (SELECT parent_id AS family, company_id FROM companies WHERE parent_id IS NOT NULL
              UNION SELECT parent_id, parent_id FROM companies WHERE parent_id IS NOT NULL) f
             USING (company_id)
        JOIN companies p ON p.company_id = f.family
        UNION ALL
        SELECT DISTINCT ev.entity_id, 'listing',
               coalesce(ev.rule_id, 'FR ' || split_part(ev.fr_citation, ' ', 1)) || ' '
                   || strftime(ev.date, '%Y-%m-%d'),
               CASE WHEN ev.rule_id IS NOT NULL
                    THEN 'added by rule ' || ev.rule_id || coalesce(' (' || r.fr_citation || ')', '')
                         || ' on ' || strftime(ev.date, '%Y-%m-%d')
                    ELSE 'added on ' || strftime(ev.date, '%Y-%m-%d') || ', citing volume '
                         || split_part(ev.fr_citation, ' ', 1) || ' of the Federal Register '
                         || '(the rule is not recorded: listed the same day, maybe not by the same rule)'
               END
        FROM events ev LEFT JOIN rules r USING (rule_id)
        WHERE ev.action = 'added' AND ev.date IS NOT NULL),
    sized AS (  -- the groups: a key shared by two entries or more (an address's evidence: its first writing)
        SELECT kind, key, CASE WHEN kind = 'profile' THEN 'profile:' || key
                               ELSE kind || ':' || substr(md5(key), 1, 12) END AS group_id,
               CAST(count(*) AS INTEGER) AS members, min(evidence) AS evidence
        FROM keyed GROUP BY kind, key HAVING count(*) >= 2),
    cited AS (
        SELECT entity_id, entity_no, name, destination, listed_date, status, company_id,
               CAST(coalesce(len(string_split(fr_citations, {_text(schema.CITATION_SEPARATOR)})), 0)
                    AS INTEGER) AS citations
        FROM entities)
    SELECT s.group_id, s.kind, s.key, s.evidence, s.members, k.entity_id, c.entity_no, c.name, c.destination,
           c.listed_date, c.status, c.company_id, c.citations,
           CAST(row_number() OVER (PARTITION BY s.group_id ORDER BY c.citations DESC, k.entity_id) AS INTEGER)
               AS member_rank
    FROM keyed k JOIN sized s USING (kind, key) JOIN cited c USING (entity_id)
    ORDER BY k.entity_id, s.kind, s.group_id"""

RELATION_TABLES: dict[str, str] = {
    "relation_members": MEMBERS_SQL,
    # The same rows by group, the most cited first: a group's first members are read, not all.
    "group_members": "SELECT * EXCLUDE (key, evidence) FROM relation_members ORDER BY group_id, member_rank",
    "relation_groups": """
        SELECT group_id, any_value(kind) AS kind, any_value(evidence) AS evidence,
               any_value(members) AS members
        FROM relation_members GROUP BY group_id ORDER BY group_id""",
}

