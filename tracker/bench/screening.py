"""The screening benchmark: 1,000 names screened against a store's lists (the Entity List, and
every list of the Consolidated Screening List where the store has it), names a second and peak
memory, beside the plain way: pandas reading the inputs and difflib's get_close_matches over every
listed name and alias, timed on a sample of the names and extrapolated to all of them.

Run in a child process of its own (python -m tracker.bench.benchmark screen ...), so that its
memory is its own.
"""

from __future__ import annotations

import difflib
import os
import random
import time
from pathlib import Path
from typing import Any

import pandas as pd

from tracker import schema
from tracker.config import data_paths

NAMES = 1_000
SHARES = {"listed": 0.4, "typo": 0.3, "unlisted": 0.3}
UNLISTED_WORDS = ("Nordic", "Alpine", "Harbour", "Meadow", "Copper", "Lantern", "Orchard", "Summit", "Willow",
                  "Beacon", "Granite", "Juniper", "Saffron", "Tundra", "Velvet", "Zephyr")
UNLISTED_TRADES = ("Foods", "Textiles", "Logistics", "Furniture", "Ceramics", "Bakery", "Optics", "Printing")
UNLISTED_FORMS = ("GmbH", "Ltd.", "S.A.", "LLC", "Co., Ltd.", "AB", "")
BASELINE_BUDGET_S = 20.0
BASELINE_MAX = 50


def _typo(name: str, r: random.Random) -> str:
    letters = [i for i, c in enumerate(name) if c.isalpha()]
    if len(letters) < 6:
        return name
    at = r.choice(letters[1:-1])
    return name[:at] + r.choice("abcdefghijklmnopqrstuvwxyz") + name[at + 1:]


def names_to_screen(listed: list[str], seed: int, n: int = NAMES) -> list[str]:
    """n names: listed names as they are, listed names with one letter changed, and made-up names."""
    r = random.Random(seed)
    k_listed, k_typo = int(n * SHARES["listed"]), int(n * SHARES["typo"])
    picked = r.sample(listed, min(len(listed), k_listed + k_typo))
    out = picked[:k_listed] + [_typo(name, r) for name in picked[k_listed:]]
    while len(out) < n:
        out.append(" ".join(filter(None, (r.choice(UNLISTED_WORDS), r.choice(UNLISTED_WORDS),
                                          r.choice(UNLISTED_TRADES), r.choice(UNLISTED_FORMS)))))
    r.shuffle(out)
    return out


def _rss_mb() -> float:
    from tracker.bench.benchmark import peak_rss_mb

    return peak_rss_mb()


def _baseline_names(inputs: Path, lists: str) -> list[str]:
    """Every listed name and alias, lower-cased, read with pandas as a plain tool would."""
    entities = pd.read_csv(inputs / "entities.csv", dtype=str, keep_default_na=False)
    entities = entities[entities["status"].isin(["", schema.LISTED])]
    names = entities["name"].tolist() + [a for cell in entities["aliases"] for a in cell.split(" | ") if a]
    path = inputs / schema.SCREENING_LIST.filename
    if lists == "all" and path.exists():
        other = pd.read_csv(path, dtype=str, keep_default_na=False)
        other = other[other["list"] != "EL"]
        names += other["name"].tolist() + [a for cell in other["alt_names"] for a in cell.split(" | ") if a]
    return [n.lower() for n in names]


def baseline(inputs: Path, queries: list[str], lists: str) -> dict[str, Any]:
    """pandas + difflib.get_close_matches(cutoff 0.8) over every name, on a sample of the queries."""
    start = time.perf_counter()
    names = _baseline_names(inputs, lists)
    read_s = time.perf_counter() - start
    done, spent = 0, 0.0
    while done < min(BASELINE_MAX, len(queries)) and spent < BASELINE_BUDGET_S:
        start = time.perf_counter()
        difflib.get_close_matches(queries[done].lower(), names, n=5, cutoff=0.8)
        spent += time.perf_counter() - start
        done += 1
    per_name = spent / done
    return {"names_listed": len(names), "read_s": round(read_s, 2), "sampled": done,
            "per_name_ms": round(1000 * per_name, 1),
            "extrapolated_s": round(read_s + per_name * len(queries), 1)}


def measure_screening(data_dir: Path, seed: int = 7) -> dict[str, Any]:
    """Index, screen NAMES names against the Entity List and every list, and the baseline's times."""
    from tracker.screening import results
    from tracker.screening.match import ScreeningIndex
    from tracker.store import build, connection
    from tracker.store import screening as store_screening

    paths = data_paths(data_dir)
    opened = connection.Store(build.current_build(paths))
    db = opened.cursor()
    rss_before = _rss_mb()
    start = time.perf_counter()
    index = ScreeningIndex.from_frames(*store_screening.screening_index_frames(db))
    index_s = time.perf_counter() - start
    listed = [t for (t,) in db.sql("SELECT text FROM screening_names WHERE list = 'EL' AND kind = 'name'"
                                   ).fetchall()]
    queries = [results.Query(i + 1, name, name) for i, name in enumerate(names_to_screen(listed, seed))]
    out: dict[str, Any] = {"names": len(queries), "listed_names": len(index), "index_s": round(index_s, 2),
                           "index_rss_mb": round(_rss_mb() - rss_before, 1), "runs": {}}
    has_csl = store_screening.screening_version(db)["rows"] > 0

    def details(refs, names):
        return store_screening.screening_matched(db, refs, names)

    for lists in ("EL", "all") if has_csl else ("EL",):
        # A fresh index for each: the first run pays for looking up near spellings, which the
        # index then remembers; the second run of the same names is the warm figure.
        index = ScreeningIndex.from_frames(*store_screening.screening_index_frames(db))
        start, cpu = time.perf_counter(), time.process_time()
        found = results.screen(index, queries, details, lists)
        seconds, cpu_s = time.perf_counter() - start, time.process_time() - cpu
        start = time.perf_counter()
        results.screen(index, queries, details, lists)
        warm_s = time.perf_counter() - start
        verdicts = {v: sum(f.verdict == v for f in found) for v in ("likely", "possible", "none")}
        entries = db.sql("SELECT count(*) FILTER (WHERE list = 'EL'), count(*) FROM screening_entries"
                         ).fetchall()[0][1 if lists == "all" else 0]
        # CPU seconds beside wall seconds: on a shared machine the wall time holds other processes' turns
        run = {"entries": int(entries), "seconds": round(seconds, 2), "warm_s": round(warm_s, 2),
               "cpu_s": round(cpu_s, 2), "load_average": round(os.getloadavg()[0], 2),
               "names_per_s": round(len(queries) / seconds, 1), "verdicts": verdicts,
               "baseline": baseline(paths.inputs, [q.name for q in queries], lists)}
        run["baseline_over_ours"] = round(run["baseline"]["extrapolated_s"] / seconds, 1)
        out["runs"][lists] = run
    out["peak_rss_mb"] = _rss_mb()
    db.close()
    opened.close()
    return out


def table(scale: dict[str, Any]) -> list[str]:
    """Lines of the printed table for one scale's screening figures."""
    screening = scale.get("screening")
    if not screening:
        return []
    lines = ["", f"Screening {screening['names']:,} names (index of {screening['listed_names']:,} listed "
                 f"names built in {screening['index_s']} s; peak RSS {screening['peak_rss_mb']:,.0f} MB):",
             "",
             "| lists | entries | seconds (first run) | its CPU s | warm rerun s | names/s | "
             "likely / possible / none | "
             "baseline s (extrapolated from a sample) | baseline/ours |",
             "|---|---:|---:|---:|---:|---:|---|---:|---:|"]
    for lists, run in screening["runs"].items():
        v, b = run["verdicts"], run["baseline"]
        lines.append(f"| {lists} | {run['entries']:,} | {run['seconds']} | {run.get('cpu_s')} | "
                     f"{run.get('warm_s')} | "
                     f"{run['names_per_s']:,} | "
                     f"{v['likely']} / {v['possible']} / {v['none']} | {b['extrapolated_s']:,} "
                     f"({b['sampled']} names timed, {b['per_name_ms']:,} ms each) | "
                     f"{run['baseline_over_ours']:,}× |")
    return lines
