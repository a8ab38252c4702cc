"""Write tests/fixtures/screening_labelled.csv: names labelled with the Entity List entries they
are, made from the shipped list (data/inputs/entities.csv) with a fixed seed, plus real companies
on no list. Run: python scripts/make_screening_labelled.py (the output is committed; re-running
with the same inputs writes the same file).

How each kind is made (one row per name):
- name: an entry's name as listed;
- alias: one of an entry's aliases as listed;
- typo: an entry's name with one letter of one word of 6+ letters replaced by another letter;
- legal_form: an entry's name with its legal form written another way ('Co., Ltd.' ->
  'Company Limited', 'LLC' dropped, ...), upper-cased;
- word_order: an entry's name of 2-4 words (legal forms aside) with its words reversed;
- unlisted: a real company not on the Entity List nor on any list of the Consolidated Screening
  List of 2026-07-31 (checked: its distinctive word is in no name or alias of either file).
`expected_ids`: every entry on today's list whose normalised name is the source name's (twins
under other destinations count as the same party); empty for unlisted names.
"""

from __future__ import annotations

import csv
import random
import re
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tracker.screening.normalise import normalise  # noqa: E402

OUT = ROOT / "tests" / "fixtures" / "screening_labelled.csv"
SEED = 20260731
COUNTS = {"name": 150, "alias": 80, "typo": 100, "legal_form": 60, "word_order": 40}
LEGAL_REWRITES = ((r",? Co\., Ltd\.?$", " Company Limited"), (r",? Ltd\.?$", " Limited"),
                  (r",? LLC$", ""), (r",? Inc\.?$", " Incorporated"), (r",? Co\.,? Limited$", " Co Ltd"),
                  (r",? Limited$", " Ltd"), (r",? GmbH$", ""), (r",? JSC$", ""), (r"^(OOO|JSC|OAO|AO) ", ""))
# (name, the word checked absent from every name and alias of both files)
UNLISTED = [
    ("Siemens AG", "siemens"), ("Nestle S.A.", "nestle"), ("Samsung Electronics Co., Ltd.", "samsung"),
    ("Lenovo Group Limited", "lenovo"), ("Alibaba Group Holding Limited", "alibaba"),
    ("Tencent Holdings Limited", "tencent"), ("ByteDance Ltd.", "bytedance"),
    ("Midea Group Co., Ltd.", "midea"), ("Taiwan Semiconductor Manufacturing Company Limited", "tsmc"),
    ("NVIDIA Corporation", "nvidia"), ("Microsoft Corporation", "microsoft"), ("Volkswagen AG", "volkswagen"),
    ("Robert Bosch GmbH", "bosch"), ("Unilever PLC", "unilever"), ("Nokia Oyj", "nokia"),
    ("Telefonaktiebolaget LM Ericsson", "ericsson"), ("Koninklijke Philips N.V.", "philips"),
    ("Canon Inc.", "canon"), ("Panasonic Holdings Corporation", "panasonic"), ("Hitachi, Ltd.", "hitachi"),
    ("LG Electronics Inc.", "lg electronics"), ("Hon Hai Precision Industry Co., Ltd.", "hon hai"),
    ("Foxconn", "foxconn"), ("Zhejiang Geely Holding Group Co., Ltd.", "geely"), ("Meituan", "meituan"),
    ("JD.com, Inc.", "jd.com"), ("Pinduoduo Inc.", "pinduoduo"), ("NetEase, Inc.", "netease"),
    ("Contemporary Amperex Technology Co., Limited", "contemporary amperex"),
    ("BOE Technology Group Co., Ltd.", "boe technology"),
    ("Shenzhen Mindray Bio-Medical Electronics Co., Ltd.", "mindray"),
    ("WuXi AppTec Co., Ltd.", "wuxi apptec"),
    ("Air China Limited", "air china"), ("Deutsche Lufthansa AG", "lufthansa"), ("Airbus SE", "airbus"),
    ("The Boeing Company", "boeing"), ("Infosys Limited", "infosys"),
    ("Reliance Industries Limited", "reliance"),
    ("Wipro Limited", "wipro"), ("Mahindra & Mahindra Limited", "mahindra"),
    ("Nintendo Co., Ltd.", "nintendo"),
    ("Honda Motor Co., Ltd.", "honda"), ("Nissan Motor Co., Ltd.", "nissan"),
    ("Mitsubishi Corporation", "mitsubishi"), ("POSCO Holdings Inc.", "posco"), ("SK Hynix Inc.", "sk hynix"),
    ("Naver Corporation", "naver"), ("Kakao Corp.", "kakao"), ("Shopee Pte. Ltd.", "shopee"),
    ("Petroliam Nasional Berhad", "petronas"), ("Saudi Aramco", "aramco"),
    ("Qatar Airways Group", "qatar airways"), ("Turkish Airlines", "turkish airlines"),
    ("Arcelik A.S.", "arcelik"), ("Koc Holding A.S.", "koc holding"), ("Sabanci Holding", "sabanci"),
    ("Halyk Bank", "halyk"), ("X5 Retail Group N.V.", "x5 retail"), ("Xiaomi Corporation", "xiaomi corp"),
    ("Xiaomi", "xiaomi,"), ("Samsung", "samsung"), ("Tencent", "tencent"), ("Lenovo", "lenovo"),
]


def read(name: str) -> list[dict[str, str]]:
    with open(ROOT / "data" / "inputs" / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def typo(name: str, r: random.Random) -> str | None:
    words = [m for m in re.finditer(r"[A-Za-z]{6,}", name)]
    if not words:
        return None
    word = r.choice(words)
    at = r.randrange(word.start() + 1, word.end() - 1)
    letter = r.choice([c for c in "abcdefghijklmnopqrstuvwxyz" if c != name[at].lower()])
    return name[:at] + letter + name[at + 1:]


def legal_variant(name: str) -> str | None:
    for pattern, replacement in LEGAL_REWRITES:
        if re.search(pattern, name):
            return re.sub(pattern, replacement, name).strip().upper()
    return None


def reversed_words(name: str) -> str | None:
    words = normalise(name).words
    if not 2 <= len(words) <= 4 or normalise(name).has_cjk:
        return None
    plain = name.split()
    return " ".join(reversed(plain)) if len(plain) == len(words) else None


def main() -> None:
    r = random.Random(SEED)
    entities = [e for e in read("entities.csv")
                if e["status"] in ("", "listed") and e["entry_type"] == "entity" and len(e["name"]) <= 120]
    by_key = defaultdict(list)
    for e in entities:
        by_key[normalise(e["name"]).key].append(e["entity_id"])
    alias_owner = defaultdict(set)
    for e in entities:
        for a in filter(None, e["aliases"].split(" | ")):
            alias_owner[normalise(a).key].add(e["entity_id"])
    rows = []

    def add(kind, name, source, ids):
        rows.append({"name": name, "kind": kind, "expected_ids": " | ".join(sorted(ids)), "source": source})

    picked = r.sample(entities, len(entities))
    makers = {"name": lambda e: e["name"], "typo": lambda e: typo(e["name"], r),
              "legal_form": lambda e: legal_variant(e["name"]),
              "word_order": lambda e: reversed_words(e["name"])}
    for kind, make in makers.items():
        n = 0
        for e in picked:
            if n == COUNTS[kind]:
                break
            made = make(e)
            if made and made != e["name"] or (kind == "name" and made):
                add(kind, made, f"{e['entity_id']} name", by_key[normalise(e["name"]).key])
                n += 1
        r.shuffle(picked)
    with_aliases = [e for e in picked if e["aliases"]]
    for e in with_aliases[:COUNTS["alias"]]:
        alias = r.choice(e["aliases"].split(" | "))
        add("alias", alias, f"{e['entity_id']} alias", alias_owner[normalise(alias).key] | {e["entity_id"]})
    texts = [(e["name"] + " " + e["aliases"]).lower() for e in read("entities.csv")]
    texts += [(s["name"] + " " + s["alt_names"]).lower() for s in read("screening_list.csv")]
    for name, word in UNLISTED:
        word = word.rstrip(",")
        assert not any(word in t for t in texts if word != "xiaomi" or "xiaoming" not in t), word
        add("unlisted", name, f"real company; '{word}' in no name or alias of either list", set())
    with open(OUT, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["name", "kind", "expected_ids", "source"],
                                lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {len(rows)} rows to {OUT}")


if __name__ == "__main__":
    main()
