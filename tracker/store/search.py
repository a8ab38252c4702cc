"""The name search: every search word must be part of one of an entry's words; near
spellings only when nothing matches exactly. Read from the vocabulary and postings tables.
"""

from __future__ import annotations

import contextlib
import threading
from collections import OrderedDict

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


def hits_of_search(db, tokens: list[str]):
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
def with_hits(db, hits):
    """Make a search's hits readable as the table `search_hits` for one query on this cursor."""
    if hits is None:
        yield
        return
    db.register(HITS_TABLE, hits)
    try:
        yield
    finally:
        db.unregister(HITS_TABLE)
