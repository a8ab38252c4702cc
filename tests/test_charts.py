"""Chart functions (DataFrame -> Figure) on small frames made here."""

from __future__ import annotations

import pandas as pd

from tracker.present import charts


def matrix(rows: list[tuple[str, str, int]]) -> pd.DataFrame:
    return pd.DataFrame([{"company_id": c.lower(), "company_name": c, "category": category, "notes": n,
                          "first_day": pd.Timestamp("2025-01-01"), "last_day": pd.Timestamp("2025-06-01")}
                         for c, category, n in rows])


def test_response_matrix_dots_grow_with_notes_but_never_reach_the_next_row():
    data = matrix([("A", "other", 1), ("B", "other", 2), ("C", "other", 3), ("D", "other", 4),
                   ("E", "other", 26)])
    figure = charts.response_matrix(data, "t")
    sizes = list(figure.data[0].marker.size)
    assert sizes == sorted(sizes) and sizes[0] < sizes[1] < sizes[2] < sizes[3]
    assert max(sizes) < charts.MATRIX_ROW_PX
    assert list(figure.data[0].text) == [1, 2, 3, 4, 26]  # the count itself is written on the dot


def test_busiest_companies_keeps_those_with_the_most_notes_ties_by_name():
    data = matrix([("Zeta", "other", 5), ("Alpha", "other", 2), ("Alpha", "legal_challenge", 1),
                   ("Beta", "other", 3), ("Gamma", "other", 1)])
    kept = charts.busiest_companies(data, 2)
    assert set(kept["company_name"]) == {"Zeta", "Alpha"}  # Alpha 3 notes in two rows, Beta 3: by name
    assert len(kept) == 3  # every row of a kept company


def test_policy_moments_are_one_dotted_line_and_one_numbered_label_each_within_the_data():
    data = pd.DataFrame({"period": pd.to_datetime(["2019-01-01", "2020-01-01", "2021-01-01"]),
                         "group": ["China"] * 3, "entries": [5, 7, 9]})
    moments = pd.DataFrame({"date": ["2010-05-01", "2019-05-16", "2020-08-17"],
                            "title": ["Too early", "Huawei listed", "<b>Bold</b> rule"]})
    figure = charts.listings_over_time(data, moments, "year", False, "t")
    assert len(figure.layout.shapes) == 2 and all(s.line.dash == "dot" for s in figure.layout.shapes)
    labels = [a for a in figure.layout.annotations if a.hovertext]
    assert [a.text for a in labels] == ["2", "3"]  # numbered as in the moments list, 1 = oldest
    assert "<b>" not in labels[1].hovertext  # text from the data is not markup


def test_removals_are_drawn_below_the_axis_labelled_with_their_counts_and_kind():
    listings = pd.DataFrame({"period": pd.to_datetime(["2023-01-01", "2024-01-01"]), "group": ["A", "A"],
                             "entries": [40, 60]})
    removals = pd.DataFrame({"period": pd.to_datetime(["2023-01-01", "2026-01-01"]),
                             "kind": ["named", "names not sourced"], "removals": [1, 2],
                             "weak": [False, True]})
    fig = charts.listings_over_time(listings, pd.DataFrame(), "year", False, "t", removals=removals)
    below = {t.name: t for t in fig.data if t.name.startswith("Removed")}
    assert list(below["Removed (named)"].y) == [-1]
    counted = below["Removed (names not sourced)"]
    assert list(counted.customdata) == ["2 removed, names not sourced (weak source)"]
    assert fig.layout.barmode == "relative" and fig.layout.yaxis.range[0] < -2
    assert pd.Timestamp(fig.layout.xaxis.range[1]) > pd.Timestamp("2026-01-01")  # reaches the removal
