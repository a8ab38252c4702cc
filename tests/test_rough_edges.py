"""The analyst's rough edges (issue 13, point 6), each held by a test that failed before its fix."""

from __future__ import annotations

from datetime import date
from itertools import combinations

import pandas as pd
import pytest

from tracker.present import charts, takeaways


def periods(*years_and_counts: tuple[str, int], group: str = "China") -> pd.DataFrame:
    return pd.DataFrame({"period": pd.to_datetime([p for p, _ in years_and_counts]), "group": group,
                         "entries": [n for _, n in years_and_counts]})


def test_a_tie_for_the_busiest_year_is_said_as_a_tie() -> None:
    data = periods(("2022-01-01", 518), ("2023-01-01", 300), ("2024-01-01", 518))
    text = takeaways.listings(data, "year")
    assert "the busiest years were 2022 and 2024, with 518 each" in text
    three = periods(("2021-01-01", 5), ("2022-01-01", 5), ("2023-01-01", 5))
    assert "2021, 2022 and 2023, with 5 each" in takeaways.listings(three, "year")
    assert "the busiest year was 2022 with 518" in takeaways.listings(data.iloc[:2], "year")


def moments_on(*days: str) -> pd.DataFrame:
    return pd.DataFrame({"moment_id": [f"m-{i}" for i in range(len(days))], "date": pd.to_datetime(days),
                         "title": [f"moment {i}" for i in range(len(days))]})


def test_moment_numbers_never_overlap_and_the_axis_stops_at_the_data() -> None:
    # Moments 2-3 weeks apart (as 2025's were) and one after the last listing.
    data = periods(*[(f"{y}-{m:02d}-01", 10) for y in (2023, 2024, 2025) for m in (1, 4, 7, 10)])
    moments = moments_on("2023-02-01", "2024-12-02", "2024-12-20", "2025-01-02", "2025-01-15",
                         "2025-03-25", "2025-03-28", "2027-06-01")
    fig = charts.listings_over_time(data, moments, "quarter", False, "t")
    start, end = pd.Timestamp("2023-01-01"), pd.Timestamp("2025-10-01") + pd.Timedelta(days=92)
    labels = [a for a in fig.layout.annotations if a.text and a.text[0].isdigit()]
    numbers = [n for a in labels for n in numbers_of(a.text)]
    assert sorted(numbers) == [1, 2, 3, 4, 5, 6, 7]  # each once, and not the one after the data
    assert pd.Timestamp(fig.layout.xaxis.range[1]) == end  # the axis ends with the last period
    span = (end - start).days
    for a, b in combinations(labels, 2):
        if a.y == b.y:  # same row: far enough apart on the axis not to touch, a run's label too
            assert abs((pd.Timestamp(a.x) - pd.Timestamp(b.x)).days) >= 2 * charts.LABEL_GAP * span
    assert len({a.y for a in labels}) <= 2  # a cluster of moments does not climb into a staircase


def numbers_of(text: str) -> list[int]:
    first, _, last = text.partition("–")
    return list(range(int(first), int(last or first) + 1))


def test_moments_close_together_share_one_label() -> None:
    # Days 0, 5 and 9 of a 1,000-day axis are one run; 400 and 402 another; 900 alone.
    placed = charts.moment_labels([0, 5, 9, 400, 402, 900], [1, 2, 3, 4, 5, 6], 1000, gap=0.035)
    assert [(first, last) for _, first, last, _ in placed] == [(1, 3), (4, 5), (6, 6)]


def test_a_story_step_fades_what_came_after_its_moment() -> None:
    data = periods(("2024-01-01", 3), ("2024-04-01", 4), ("2024-07-01", 5))
    moments = moments_on("2024-05-15")
    fig = charts.story_step(data, moments, 0, "t")
    opacities = {pd.Timestamp(x): o for bar in fig.data
                 for x, o in zip(bar.x, bar.marker.opacity, strict=True)}
    assert opacities[pd.Timestamp("2024-01-01")] == 1.0 and opacities[pd.Timestamp("2024-04-01")] == 1.0
    assert opacities[pd.Timestamp("2024-07-01")] == charts.AFTER_OPACITY


@pytest.mark.parametrize(("start", "end", "expected"), [
    (date(2024, 1, 1), date(2024, 12, 31), "month"), (date(2023, 1, 1), date(2024, 12, 31), "month"),
    (date(2019, 1, 1), date(2024, 12, 31), "quarter"), (date(2000, 1, 1), date(2024, 12, 31), "year"),
    (None, date(2024, 12, 31), "year"), (None, None, "year")])
def test_a_chart_of_a_short_range_is_drawn_by_months(start, end, expected) -> None:
    assert charts.granularity_for(start, end) == expected


def test_a_chosen_date_range_is_the_time_axis() -> None:
    data = periods(("2020-08-01", 37))  # all of a year's matches in one month
    fig = charts.listings_over_time(data, moments_on(), "month", False, "t",
                                    between=(date(2020, 1, 1), date(2020, 12, 31)))
    assert [pd.Timestamp(x) for x in fig.layout.xaxis.range] == [pd.Timestamp("2019-12-17"),
                                                                 pd.Timestamp("2021-01-01")]


PAGES_WITH_TABLES = [("overview", {}), ("explorer", {"q": "huawei"}), ("entry", {"id": "EL-2477"}),
                     ("company", {"company": "huawei"}), ("rules", {"rule": "2025-00704"}),
                     ("changes", {"from": "2023-11-21", "to": "2026-07-23"})]


@pytest.mark.parametrize(("page", "params"), PAGES_WITH_TABLES, ids=[p for p, _ in PAGES_WITH_TABLES])
def test_an_empty_cell_reads_empty_not_none(shipped_app, page, params) -> None:
    """Streamlit writes a missing value as a grey 'None' unless told otherwise: Meteor Plant JSC's action
    with no rule recorded read 'None' under Rule page."""
    from page_helpers import run_page

    app = run_page(page, **params)
    assert not app.exception
    tables = list(app.dataframe)
    assert tables, f"{page} drew no table"
    placeholders = [t.proto.placeholder if t.proto.HasField("placeholder") else None for t in tables]
    assert placeholders == [""] * len(tables)
