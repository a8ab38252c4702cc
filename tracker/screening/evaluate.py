"""Precision and recall of the screen on a labelled set (tests/fixtures/screening_labelled.csv):
each row a name and the Entity List entries it is (none for a name on no list)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from tracker.screening.match import ScreeningIndex


@dataclass(frozen=True)
class Scores:
    """Counts and rates of a screen of a labelled set, at one verdict ('possible' counts likely too)."""

    at: str
    true_positives: int
    false_positives: int
    misses: int
    names: int

    @property
    def precision(self) -> float:
        flagged = self.true_positives + self.false_positives
        return self.true_positives / flagged if flagged else 1.0

    @property
    def recall(self) -> float:
        positives = self.true_positives + self.misses
        return self.true_positives / positives if positives else 1.0


def evaluate(index: ScreeningIndex, ref_ids: dict[int, str], labelled: pd.DataFrame,
             at: str = "possible") -> tuple[Scores, pd.DataFrame]:
    """Screen every labelled name against the Entity List. A flagged name (a match at `at` or
    better) is a true positive when one of its matches is an expected entry, else a false positive;
    a name with expected entries and no such match is a miss. Also the row-by-row outcome."""
    levels = ("likely",) if at == "likely" else ("likely", "possible")
    outcome = []
    for row in labelled.itertuples():
        expected = set(row.expected_ids.split(" | ")) if isinstance(row.expected_ids, str) else set()
        found = [c for c in index.screen(row.name, lists={"EL"}).candidates if c.verdict in levels]
        ids = [ref_ids[c.ref_no] for c in found]
        flagged = bool(ids)
        hit = bool(expected & set(ids))
        outcome.append({"name": row.name, "kind": row.kind, "flagged": flagged, "hit": hit,
                        "expected": bool(expected), "found": " | ".join(ids[:3])})
    frame = pd.DataFrame(outcome)
    tp = int((frame["flagged"] & frame["hit"]).sum())
    fp = int((frame["flagged"] & ~frame["hit"]).sum())
    misses = int((frame["expected"] & ~frame["hit"]).sum())
    return Scores(at, tp, fp, misses, len(frame)), frame
