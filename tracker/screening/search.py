"""Why an entry matched the explorer's search (tracker.store.search), in words: for each search
word, the field it was found in and how: a whole word, part of a word, or a near spelling
(Jaro-Winkler similarity from NEAR_SIMILARITY, from four letters on, as the search accepts
them when nothing matches exactly)."""

from __future__ import annotations

import re

from rapidfuzz.distance import JaroWinkler

NEAR_SIMILARITY = 0.88  # tracker.store.search accepts a near spelling from this similarity
NEAR_MIN_LENGTH = 4
_SPLIT = re.compile(r"[\W_]+")


def _words(text: str) -> list[str]:
    return [w for w in _SPLIT.split(text.lower()) if w]


def _one(token: str, fields: list[tuple[str, str]]) -> str:
    for label, text in fields:
        words = _words(text)
        if token in words:
            return f"'{token}' is a word of the {label}"
        part = next((w for w in words if token in w), None)
        if part:
            return f"'{token}' is part of '{part}' in the {label}"
    if len(token) >= NEAR_MIN_LENGTH:
        scored = [(JaroWinkler.similarity(w, token), -at, w, label)
                  for at, (label, text) in enumerate(fields) for w in _words(text)]
        if scored:  # the most similar word; on a tie, the first field's (the name before an alias)
            similarity, _, word, label = max(scored)
            if similarity >= NEAR_SIMILARITY - 0.005:
                return (f"near spelling: '{token}' is like '{word}' in the {label} "
                        f"(similarity {similarity:.2f})")
    return f"'{token}' is in one of the company profile's other names"


def search_reason(tokens: list[str], name: object, aliases: object = None, local_name: object = None,
                  company_name: object = None) -> str:
    """'huawei' is a word of the name; near spelling: 'xiaomi' is like 'xiamen' in an alias (0.91)."""
    fields = [(label, value) for label, value in (("name", name), ("aliases", aliases),
                                                   ("local-language name", local_name),
                                                   ("company profile's name", company_name))
              if isinstance(value, str) and value]
    return "; ".join(_one(t, fields) for t in tokens)


def is_near(reason: str) -> bool:
    return "near spelling" in reason


def reasons_of(rows, tokens: list[str]) -> list[str]:
    """search_reason of each row of an entries frame (name, aliases, company_name; local_name if any)."""
    local = rows["local_name"] if "local_name" in rows else [None] * len(rows)
    return [search_reason(tokens, n, a, loc, c)
            for n, a, loc, c in zip(rows["name"], rows["aliases"], local, rows["company_name"], strict=True)]
