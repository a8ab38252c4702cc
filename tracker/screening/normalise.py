"""The comparable form of a name: case, accents, punctuation and legal-form words set aside,
Chinese, Japanese and Korean characters taken one by one, words sorted so that their order does
not count.

    >>> normalise("Huawei Technologies Co., Ltd.").key
    'huawei technologies'
    >>> normalise("华为技术有限公司").key
    '为 华 技 术'
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

from rapidfuzz.distance import Levenshtein

# Bump when the normalisation changes: the store's screening tables are then rebuilt.
NORMALISATION_VERSION = 2

# Legal-form words, in the normalised spelling (lower case, no dots): a company is the same
# company as 'X Co., Ltd.', 'X Company Limited' or 'X LLC'. Words of the business itself
# (group, holding, technology, trading) are kept: they tell companies apart.
LEGAL_WORDS = frozenset("""
    co company companies corp corporation inc incorporated ltd limited liability llc llp lp plc
    gmbh mbh ag kg ohg ug se sa sas sarl srl spa bv nv oy oyj ab as asa aps jsc ojsc pjsc cjsc oao
    ooo zao ao pao tov pat fze fzco fzc fz fzllc pte pvt private sdn bhd tbk lda ltda sl kft zrt sro
    doo ad ek kk pty ulc cic sal wll spc est""".split())
# The long legal-form words, also when misspelt by one letter ('Corporatwon', 'Conpany').
LONG_LEGAL_WORDS = tuple(w for w in LEGAL_WORDS if len(w) >= 7)
# Legal forms written in Chinese characters, longest first (taken out before the characters
# are split): limited company, limited liability company, joint-stock, company.
LEGAL_CJK = ("股份有限公司", "有限责任公司", "有限責任公司", "有限公司", "股份公司", "股份", "公司")
_CJK = r"\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
_CJK_CHAR = re.compile(f"[{_CJK}]")
_WORD = re.compile(f"[{_CJK}]|[^\\W_{_CJK}]+")
_ASCII_WORD = re.compile(r"[a-z0-9]+")  # what _WORD finds in folded ASCII text, found faster
_JOINERS = re.compile(r"[.'\u2019`\u00b4]")  # 'Co.' -> 'co', 'U.A.E.' -> 'uae', "People's" -> 'peoples'


@dataclass(frozen=True)
class Normalised:
    """A name's words (in order, legal-form words left out) and the legal-form words left out."""

    words: tuple[str, ...]
    legal: tuple[str, ...]

    @property
    def key(self) -> str:
        """The words sorted, space-separated: what names are compared and indexed by."""
        return " ".join(sorted(self.words))

    @property
    def ordered(self) -> str:
        return " ".join(self.words)

    @property
    def has_cjk(self) -> bool:
        return any(_CJK_CHAR.fullmatch(w) for w in self.words)


def fold(text: str) -> str:
    """Lower case, compatibility forms (full-width letters) unified, accents dropped, '&' read 'and'."""
    if text.isascii():  # the same as below, faster: ASCII has no compatibility forms or accents
        text = text.lower()
    else:
        text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text).casefold())
        text = "".join(c for c in text if not unicodedata.combining(c))
    return _JOINERS.sub("", text.replace("&", " and "))


def normalise(name: str) -> Normalised:
    """The comparable form of a name (see the module's description)."""
    text = fold(name or "")
    legal: list[str] = []
    for form in LEGAL_CJK:
        if form in text:
            legal.append(form)
            text = text.replace(form, " ")
    words = (_ASCII_WORD if text.isascii() else _WORD).findall(text)
    kept = [w for w in words if not is_legal_word(w)]
    legal += [w for w in words if is_legal_word(w)]
    if not kept:  # a name made only of legal-form words ('Company') keeps them
        return Normalised(tuple(words), ())
    return Normalised(tuple(kept), tuple(legal))


@functools.lru_cache(maxsize=65_536)
def is_legal_word(word: str) -> bool:
    """A legal-form word, or a long one ('corporation') misspelt by one letter."""
    if word in LEGAL_WORDS:
        return True
    return len(word) >= 7 and any(Levenshtein.distance(word, w, score_cutoff=1) <= 1
                                  for w in LONG_LEGAL_WORDS)


@functools.lru_cache(maxsize=262_144)  # generated lists repeat names; the real one repeats aliases
def key(name: str) -> str:
    """normalise(name).key, for the store's build."""
    return normalise(name).key


def same_text(a: str, b: str) -> bool:
    """Whether two names are written alike but for case and spacing."""
    return " ".join(a.casefold().split()) == " ".join(b.casefold().split())
