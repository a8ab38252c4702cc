"""Screening names against an index of listed names: candidates blocked by token postings,
scored with rapidfuzz, each match with its verdict and the reason in words.

How a name is screened:
1. It is normalised (tracker.screening.normalise): case, accents, punctuation and legal-form
   words set aside, Chinese characters one by one, words sorted.
2. Candidates: each word of the name, and the listed words spelled nearly like it (rapidfuzz
   ratio >= NEAR_WORD, for words of NEAR_WORD_MIN_LENGTH letters or more, found among the words
   of the same first letter or the same last two letters), picks the listed names holding it
   (the postings). A word held by more than COMMON_SHARE of the names (at least COMMON_MIN, at most
   COMMON_MAX: 'trading', 'al') picks none by itself; a name made only of such words takes the
   names holding all of them. At most MAX_CANDIDATES names are scored, those sharing the most
   words first, then those of the closest length.
3. Each candidate is scored with rapidfuzz's ratio of the two sorted word strings (0-100): word
   order and legal-form words do not count, spelling does.
4. Verdicts: likely from LIKELY, possible from POSSIBLE, both only within one edit per
   NEAR_EDITS_PER letters of the shorter name (a short name's score moves fast); or possible when
   every word of the name is in a longer listed name (a short name: 'Huawei' for 'Huawei
   Technologies'); below that none.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from tracker.screening.normalise import Normalised, normalise, same_text

LIKELY = 90.0
POSSIBLE = 80.0
NEAR_WORD = 80.0
NEAR_WORD_MIN_LENGTH = 4
COMMON_SHARE = 0.02
COMMON_MIN = 1000  # a word in fewer names than this is never common
COMMON_MAX = 10_000  # nor is one in more than this ever rare: the work per name stays bounded
MAX_CANDIDATES = 500
SCORED_KEPT = 50  # the best-scored candidates looked at for the matches kept
NEAR_SEEN = 100_000  # words whose near spellings are remembered (a batch repeats its words)
MATCHES_KEPT = 5
# A near spelling counts only within one edit per NEAR_EDITS_PER characters of the shorter name
# (one at least): 'xiaomi' and 'iami' score 80 but are two edits apart in six letters.
NEAR_EDITS_PER = 5
SHORT_NAME = 8  # characters of the sorted words: 'canon' and 'cancon' are one edit apart
# A short name matched as part of a longer one needs this many letters of its own (or two
# Chinese characters), so 'Co' or 'Al' never matches that way.
CONTAINED_MIN_LETTERS = 4
THRESHOLDS = {"likely": f"score >= {LIKELY:g} and at most one edit per {NEAR_EDITS_PER} letters "
                        f"(a near spelling of a name under {SHORT_NAME} letters is possible at most)",
              "possible": f"score >= {POSSIBLE:g} and at most one edit per {NEAR_EDITS_PER} letters, or "
                          "every word of the name in a longer listed name",
              "none": f"no listed name scores {POSSIBLE:g} or more"}
VERDICTS = ("likely", "possible", "none")
KIND_WORDS = {"name": "name", "alias": "alias", "local_name": "local-language name"}


@dataclass(frozen=True)
class Candidate:
    """A listed name found for a screened name, before its details are looked up."""

    name_no: int
    ref_no: int
    list: str
    score: float
    contained: bool
    close: bool  # within NEAR_EDITS of the name (see near_enough)

    short: bool  # either name shorter than SHORT_NAME: a near spelling is then possible at most

    @property
    def verdict(self) -> str:
        if self.score >= LIKELY and self.close and (self.score == 100 or not self.short):
            return "likely"
        return "possible" if (self.score >= POSSIBLE and self.close) or self.contained else "none"


@dataclass(frozen=True)
class Screened:
    """One screened name: its normalised form and its best candidates (best first, one per entry)."""

    query: str
    normalised: Normalised
    candidates: tuple[Candidate, ...] = field(default=())


class ScreeningIndex:
    """Listed names (by name_no: sorted word strings, entry number, list) and their word postings."""

    def __init__(self, keys: list[str], ref_nos: np.ndarray, lists: np.ndarray, list_codes: list[str],
                 tokens: list[str], posting_tokens: np.ndarray, posting_names: np.ndarray):
        self.keys = keys
        self.key_array = np.array(keys, dtype=object)
        self.key_lengths = np.fromiter((len(k) for k in keys), dtype=np.int64, count=len(keys))
        self.ref_nos = np.asarray(ref_nos, dtype=np.int64)
        self.lists = np.asarray(lists)  # index into list_codes
        self.list_codes = list_codes
        self.token_ids = {t: i for i, t in enumerate(tokens)}
        self.tokens = tokens
        order = np.argsort(posting_tokens, kind="stable")
        self.posting_names = np.asarray(posting_names, dtype=np.int64)[order]
        self.offsets = np.searchsorted(np.asarray(posting_tokens)[order], np.arange(len(tokens) + 1))
        self.common = max(COMMON_MIN, min(COMMON_MAX, int(COMMON_SHARE * len(keys))))
        self._near_buckets = _buckets(tokens)
        self._near_seen: dict[str, list[int]] = {}

    @classmethod
    def from_frames(cls, names, tokens, postings) -> ScreeningIndex:
        """From the store's screening_names (name_no order), screening_tokens and screening_postings."""
        codes = sorted(set(names["list"]))
        lists = np.searchsorted(np.array(codes), names["list"].to_numpy(dtype=object).astype(str))
        return cls(names["key"].tolist(), names["ref_no"].to_numpy(), lists, codes, tokens["token"].tolist(),
                   postings["token_id"].to_numpy(), postings["name_no"].to_numpy())

    def __len__(self) -> int:
        return len(self.keys)

    def postings(self, token_id: int) -> np.ndarray:
        return self.posting_names[self.offsets[token_id]:self.offsets[token_id + 1]]

    def near_words(self, word: str) -> list[int]:
        """Token ids of the word and of listed words spelled nearly like it (remembered per word)."""
        if word in self._near_seen:
            return self._near_seen[word]
        found = [self.token_ids[word]] if word in self.token_ids else []
        if len(word) >= NEAR_WORD_MIN_LENGTH and word.isalpha() and word.isascii():
            # ratio >= 80 needs the shorter word at least 2/3 of the longer: only those lengths
            lengths = range(math.ceil(2 * len(word) / 3), len(word) * 3 // 2 + 1)
            for bucket in [(end, text, n) for n in lengths for end, text in (("first", word[0]),
                                                                              ("last", word[-2:]))]:
                ids, texts = self._near_buckets.get(bucket, ((), ()))
                if texts:
                    near = process.extract(word, texts, scorer=fuzz.ratio, score_cutoff=NEAR_WORD, limit=None)
                    found += [ids[i] for _, _, i in near]
        found = list(dict.fromkeys(found))
        if len(self._near_seen) > NEAR_SEEN:
            self._near_seen.clear()
        self._near_seen[word] = found
        return found

    def candidates(self, name: Normalised) -> np.ndarray:
        """name_no of the listed names worth scoring for a name: those sharing most words first,
        then those of the closest length."""
        groups = []
        for word in dict.fromkeys(name.words):
            ids = self.near_words(word)
            if ids:
                groups.append(np.concatenate([self.postings(i) for i in ids]))
        if not groups:
            return np.empty(0, dtype=np.int64)
        rare = [g for g in groups if len(g) <= self.common]
        common = [g for g in groups if len(g) > self.common]
        if rare:
            found, counts = np.unique(np.concatenate(rare), return_counts=True)
        else:  # only common words: the names holding all of them
            common.sort(key=len)
            found = np.unique(common.pop(0))
            for g in common:
                found = found[np.isin(found, g, kind="table")]
            counts = np.zeros(len(found), dtype=np.int64)
        if len(found) <= MAX_CANDIDATES:
            return found
        for g in common:  # a common word shared counts too, in the ranking
            counts = counts + np.isin(found, g, kind="table")
        distance = np.abs(self.key_lengths[found] - len(name.key))
        return found[np.lexsort((distance, -counts))[:MAX_CANDIDATES]]

    def screen(self, query: str, lists: set[str] | None = None) -> Screened:
        """The best candidates for one name (one per entry, best first; any verdict, MATCHES_KEPT
        per list at most), on the lists given (all when None)."""
        name = normalise(query)
        found = self.candidates(name)
        if lists is not None and len(found):
            codes = [self.list_codes.index(c) for c in lists if c in self.list_codes]
            keep = np.isin(self.lists[found], codes)
            found = found[keep]
        if not len(found):
            return Screened(query, name)
        keys = self.key_array[found].tolist()
        scores = process.cdist([name.key], keys, scorer=fuzz.ratio, dtype=np.float32, workers=1)[0]
        words = set(name.words)
        best: dict[int, Candidate] = {}
        for i in np.argsort(-scores, kind="stable")[:SCORED_KEPT]:
            no, score = int(found[i]), float(scores[i])
            contained = _contained(words, name, keys[i])
            if score < POSSIBLE and not contained and len(best) >= MATCHES_KEPT:
                break
            ref = int(self.ref_nos[no])
            short = min(len(name.key), len(keys[i])) < SHORT_NAME
            candidate = Candidate(no, ref, self.list_codes[self.lists[no]], round(score, 1), contained,
                                  near_enough(name.key, keys[i]), short)
            if ref not in best or _rank(candidate) > _rank(best[ref]):
                best[ref] = candidate
        ranked = sorted(best.values(), key=_rank, reverse=True)
        per_list: dict[str, int] = defaultdict(int)
        kept = []
        for c in ranked:
            if per_list[c.list] < MATCHES_KEPT:
                per_list[c.list] += 1
                kept.append(c)
        return Screened(query, name, tuple(kept))


def near_enough(a: str, b: str) -> bool:
    """Whether two word strings are within one edit per NEAR_EDITS_PER characters of the shorter."""
    limit = max(1, min(len(a), len(b)) // NEAR_EDITS_PER)
    return Levenshtein.distance(a, b, score_cutoff=limit) <= limit


def _rank(c: Candidate) -> tuple:
    return (VERDICTS[::-1].index(c.verdict), c.score)


def _contained(words: set[str], name: Normalised, key: str) -> bool:
    listed = set(key.split(" "))
    if not words or not words < listed:
        return False
    letters = sum(len(w) for w in words)
    return letters >= CONTAINED_MIN_LETTERS or (name.has_cjk and len(words) >= 2)


def _buckets(tokens: list[str]) -> dict[tuple[str, str, int], tuple[list[int], list[str]]]:
    """Listed words (ids and text) by first letter and by last two letters (a misspelt word keeps
    one or the other), and by length."""
    out: dict[tuple[str, str, int], tuple[list[int], list[str]]] = defaultdict(lambda: ([], []))
    for i, t in enumerate(tokens):
        if len(t) >= NEAR_WORD_MIN_LENGTH - 1 and t.isalpha() and t.isascii():
            for bucket in (("first", t[0], len(t)), ("last", t[-2:], len(t))):
                out[bucket][0].append(i)
                out[bucket][1].append(t)
    return dict(out)


# --- Reasons ---

def reason(query: Normalised, query_text: str, kind: str, text: str, score: float, contained: bool) -> str:
    """Why a listed name matched, in words: 'exact alias', 'name, legal-form words ignored (co, ltd)',
    'alias, word order', 'name, near spelling (score 93)', 'name, every word in a longer name'."""
    what = KIND_WORDS.get(kind, kind)
    if same_text(query_text, text):
        return f"exact {what}"
    listed = normalise(text)
    parts = [what]
    legal = _legal_words(query, listed)
    if listed.ordered == query.ordered:
        if legal:
            parts.append(legal)
        else:
            parts.append("case and punctuation ignored")
        return ", ".join(parts)
    if listed.key == query.key:
        parts.append("word order ignored")
    elif contained and score < LIKELY:
        parts.append("every word of the name is in this longer " + what)
    else:
        parts.append(f"near spelling (score {score:g})")
    if legal:
        parts.append(legal)
    return ", ".join(parts)


def _legal_words(query: Normalised, listed: Normalised) -> str:
    """'legal-form words ignored (co, ltd)' when the two names' legal-form words differ, else ''."""
    if set(listed.legal) == set(query.legal):
        return ""
    return "legal-form words ignored (" + ", ".join(dict.fromkeys(listed.legal + query.legal)) + ")"
