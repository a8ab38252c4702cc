"""One-line takeaways written beside each chart (they also serve screen readers)."""

from __future__ import annotations

import pandas as pd

from tracker import schema


def _period_label(period, granularity: str) -> str:
    stamp = pd.Timestamp(period)
    if granularity == "year":
        return f"{stamp.year}"
    if granularity == "quarter":
        return f"{stamp.year} Q{stamp.quarter}"
    return stamp.strftime("%B %Y")


def listings(data: pd.DataFrame, granularity: str) -> str:
    """Busiest period and the largest group, in one sentence."""
    if data.empty:
        return "No entries match."
    per_period = data.groupby("period")["entries"].sum()
    most = int(per_period.max())
    busiest = [_period_label(p, granularity) for p in sorted(per_period.index[per_period == most])]
    per_group = data.groupby("group")["entries"].sum().sort_values(ascending=False)
    total = int(per_period.sum())
    share = 100 * per_group.iloc[0] / total
    if len(busiest) == 1:
        peak = f"the busiest {granularity} was {busiest[0]} with {most:,}"
    else:  # a tie is said as one: naming only the first would be wrong
        peak = f"the busiest {granularity}s were {_and_list(busiest)}, with {most:,} each"
    return f"{total:,} entries shown; {peak}; {per_group.index[0]} accounts for {share:.0f}%."


def _and_list(items: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def top_destinations(data: pd.DataFrame, total: int) -> str:
    """How much of the list the top destinations hold."""
    if data.empty:
        return "No entries match."
    top_two = data.head(2)
    share = 100 * top_two["entries"].sum() / total if total else 0
    names = " and ".join(top_two["destination"])
    return f"{names} hold {share:.0f}% of the {total:,} entries on the list."


def company_timeline(events: pd.DataFrame, responses: pd.DataFrame) -> str:
    """When the company was listed and how many responses are recorded."""
    parts = []
    dated = events.dropna(subset=["date"]) if not events.empty else events
    if not dated.empty:
        first = pd.Timestamp(dated["date"].min()).date().isoformat()
        parts.append(f"First listed {first}; {dated['entity_id'].nunique():,} entries")
    else:
        parts.append("No listing events on today's list")
    if not responses.empty:
        counts = responses["status"].value_counts()
        described = ", ".join(f"{n:,} {status}" for status, n in counts.items())
        parts.append(f"{len(responses):,} responses recorded ({described})")
    else:
        parts.append("no responses recorded")
    return "; ".join(parts) + "."


def response_matrix(data: pd.DataFrame) -> str:
    """The most common kind of response and who has the most notes."""
    if data.empty:
        return "No responses match."
    by_category = data.groupby("category")["notes"].sum().sort_values(ascending=False)
    by_company = data.groupby("company_name")["notes"].sum().sort_values(ascending=False)
    return (f"{int(data['notes'].sum()):,} notes across {data['company_name'].nunique():,} companies; "
            f"the most common move is '{schema.RESPONSE_CATEGORY_LABELS[by_category.index[0]]}'; "
            f"{by_company.index[0]} has the most notes ({int(by_company.iloc[0]):,}).")


def reconciliation(data: pd.DataFrame) -> str:
    """How many rule dates agree with today's list."""
    if data.empty:
        return "No rule states how many entries it added."
    matches = int(data["matches"].sum())
    return (f"On {matches:,} of {len(data):,} rule dates, the number of entries the rules say they added "
            f"equals today's entries first listed that day; the rest show later removals or revisions.")


def survivorship(removals_by_year: pd.DataFrame, in_words: pd.DataFrame) -> tuple[str, pd.DataFrame]:
    """What a chart of today's entries cannot see: listings removed since, by year of removal.

    `removals_by_year` is the store's removals per year and kind (named, names not sourced);
    `in_words` the rules whose removals are stated in words or undated. Returns a sentence and a
    table (year, named, names not sourced, rules stating removals in words)."""
    table = (removals_by_year.assign(year=pd.to_datetime(removals_by_year["period"]).dt.year)
             .pivot_table(index="year", columns="kind", values="removals", aggfunc="sum", fill_value=0))
    words = in_words.assign(year=pd.to_datetime(in_words["publication_date"]).dt.year)
    table = table.join(words.groupby("year", dropna=True).size().rename("in words"), how="outer")
    table = table.reindex(columns=["named", "names not sourced", "in words"]).fillna(0).astype(int)
    table.index = table.index.astype(int)
    table = table.rename_axis("year").reset_index()
    named, counted = int(table["named"].sum()), int(table["names not sourced"].sum())
    undated = int(words["year"].isna().sum())
    if not named + counted + len(words):
        return "No removal is recorded.", table
    since = f" since {int(table['year'].min())}" if len(table) else ""
    sentence = (f"At least {named + counted:,} removals{since} are not in the bars of today's entries: "
                f"{named:,} named, {counted:,} counted by their rules without names; "
                f"{int(table['in words'].sum()) + undated:,} more rules give their removals only in words "
                f"(such as '>=2') or with no date" + (f" ({undated} undated)" if undated else "") + ".")
    return sentence, table
