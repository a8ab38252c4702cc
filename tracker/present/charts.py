"""Charts: pure functions from DataFrames to Plotly figures (no Streamlit, no queries)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import plotly.graph_objects as go

from tracker import schema

FONT_SIZE = 15  # readable on a projector; Plotly's default 12 is not
PALETTE = ("#1f5fa8", "#d1495b", "#edae49", "#00798c", "#66a182", "#8d5a97", "#f08a4b",
           "#7f7f7f", "#a3a3a3")
OTHER = "Other destinations"
MATRIX_ROW_PX = 40  # height of a company's row in the responses matrix
# Bar widths on a date axis are in milliseconds; without them a lone bar is a hairline.
DAY_MS = 86_400_000
BAR_WIDTH_MS = {"month": 26 * DAY_MS, "quarter": 80 * DAY_MS, "year": 330 * DAY_MS, "day": 12 * DAY_MS}
STATUS_COLOURS = {"observed": "#1f5fa8", "announced": "#edae49", "proposed": "#a3a3a3"}
STATUS_SYMBOLS = {"observed": "circle", "announced": "diamond", "proposed": "circle-open"}


def _layout(fig: go.Figure, title: str, height: int = 460) -> go.Figure:
    fig.update_layout(
        title={"text": plain_text(title), "x": 0, "xanchor": "left"},
        font={"size": FONT_SIZE},
        height=height,
        margin={"l": 10, "r": 10, "t": 60, "b": 10},
        legend={"orientation": "h", "yanchor": "top", "y": -0.12, "x": 0},
        hoverlabel={"font_size": FONT_SIZE},
    )
    return fig


def lump_small_groups(data: pd.DataFrame, top: int = 7, other: str = OTHER) -> pd.DataFrame:
    """Keep the `top` largest groups and add up the rest as one 'other' group."""
    totals = data.groupby("group")["entries"].sum().sort_values(ascending=False)
    keep = set(totals.index[:top])
    lumped = data.assign(group=data["group"].where(data["group"].isin(keep), other))
    return lumped.groupby(["period", "group"], as_index=False)["entries"].sum()


def group_order(data: pd.DataFrame) -> list[str]:
    """Groups largest first, 'other' last: the order (and so the colours) of the stacked bars."""
    order = data.groupby("group")["entries"].sum().sort_values(ascending=False).index.tolist()
    if OTHER in order:
        order.remove(OTHER)
        order.append(OTHER)
    return order


def listings_over_time(data: pd.DataFrame, moments: pd.DataFrame, granularity: str,
                       cumulative: bool, title: str, order: list[str] | None = None,
                       between: tuple[date, date] | None = None,
                       removals: pd.DataFrame | None = None) -> go.Figure:
    """Stacked bars of entries per period and group, an optional running total, and moments marked.

    `order` fixes which groups are shown and their colours (e.g. across the steps of a story);
    `between` makes the time axis span a chosen date range instead of the data's periods;
    `removals` (period, kind, removals, weak) are drawn below the axis, one colour per kind.
    """
    fig = go.Figure()
    if data.empty:
        return _layout(fig, title)
    if order is None:
        data = lump_small_groups(data)
        order = group_order(data)
    else:
        data = data.assign(group=data["group"].where(data["group"].isin(order), OTHER))
        data = data.groupby(["period", "group"], as_index=False)["entries"].sum()
    for index, group in enumerate(order):
        if group not in set(data["group"]):
            continue
        part = data[data["group"] == group]
        fig.add_bar(x=part["period"], y=part["entries"], name=plain_text(group),
                    marker_color=PALETTE[index % len(PALETTE)], width=BAR_WIDTH_MS[granularity],
                    hovertemplate=f"{plain_text(group)}<br>%{{x|%Y-%m-%d}}: %{{y}} entries<extra></extra>")
    if cumulative:
        totals = data.groupby("period", as_index=False)["entries"].sum().sort_values("period")
        fig.add_scatter(x=totals["period"], y=totals["entries"].cumsum(), name="Running total",
                        mode="lines", yaxis="y2", line={"color": "#222222", "width": 3},
                        hovertemplate="Running total %{x|%Y-%m-%d}: %{y}<extra></extra>")
        fig.update_layout(yaxis2={"overlaying": "y", "side": "right", "title": "Running total",
                                  "showgrid": False, "rangemode": "tozero"})
    periods = pd.to_datetime(data["period"])
    if removals is not None and not removals.empty:
        _add_removals(fig, removals, granularity)
        periods = pd.concat([periods, pd.to_datetime(removals["period"])])
    # The time axis stops at the data: from the first period to the end of the last one.
    start = periods.min()
    end = periods.max() + pd.Timedelta(days=PERIOD_DAYS[granularity])
    if between is not None:
        start, end = pd.Timestamp(between[0]), pd.Timestamp(between[1]) + pd.Timedelta(days=1)
    rows = _add_moments(fig, moments, start, end)
    below = removals is not None and not removals.empty
    fig.update_layout(barmode="relative" if below else "stack", legend_traceorder="normal",
                      yaxis_title=f"Entries per {granularity}" + (" (removals below 0)" if below else ""))
    if below and not cumulative:  # room below the axis for the removals' count labels
        tallest = data.groupby("period")["entries"].sum().max()
        deepest = removals.groupby("period")["removals"].sum().max()
        fig.update_yaxes(range=[-max(deepest, 0.1 * tallest) * 1.4, tallest * 1.05])
    fig.update_xaxes(range=[start - pd.Timedelta(days=PERIOD_DAYS[granularity] // 2), end])
    if granularity == "year":  # a few years' bars otherwise get month ticks (Jan 2023, Jul 2023)
        fig.update_xaxes(tickformat="%Y", **({"dtick": "M12"} if (end - start).days < 12 * 366 else {}))
    if data.groupby("period")["entries"].sum().max() <= 5:  # no ticks at 0.2, 0.4 for a handful
        fig.update_yaxes(dtick=1)
    _layout(fig, title, height=520)
    if rows:  # room above the plot for the rows of moment numbers
        fig.update_layout(margin={"t": 80 + 26 * rows}, title_y=0.98, title_yanchor="top")
    return fig


PERIOD_DAYS = {"month": 31, "quarter": 92, "year": 366}
# Removals below the axis: named ones solid, counted ones (no names in any source) hatched.
REMOVAL_STYLES = {"named": ("Removed (named)", "#7a1f1f", ""),
                  "names not sourced": ("Removed (names not sourced)", "#c98b8b", "/")}


def removal_text(kind: str, removals: int, weak: bool) -> str:
    """'2 removed, names not sourced' (and when the rule's only sources are weak, so)."""
    text = f"{removals} removed" + (", names not sourced" if kind == "names not sourced" else ", named")
    return text + (" (weak source)" if weak else "")


def _add_removals(fig: go.Figure, removals: pd.DataFrame, granularity: str) -> None:
    for kind, (name, colour, pattern) in REMOVAL_STYLES.items():
        part = removals[removals["kind"] == kind]
        if part.empty:
            continue
        texts = [removal_text(kind, int(n), bool(w)) for n, w in zip(part["removals"], part["weak"],
                                                                     strict=True)]
        # Removals are few beside listings: each bar is labelled with its count so that it is seen.
        fig.add_bar(x=part["period"], y=-part["removals"], name=name, customdata=texts,
                    text=part["removals"], textposition="outside", cliponaxis=False,
                    marker={"color": colour, "pattern": {"shape": pattern}}, width=BAR_WIDTH_MS[granularity],
                    hovertemplate="%{x|%Y-%m-%d}: %{customdata}<extra></extra>")


def granularity_for(start: date | None, end: date | None) -> str:
    """The period a chart of listings between two dates is drawn by: months for up to two years,
    quarters for up to eight, else years (also when the range is open at either end)."""
    if start is None or end is None:
        return "year"
    days = (end - start).days
    return "month" if days <= 2 * 366 else "quarter" if days <= 8 * 366 else "year"
# Two moment numbers closer than this share of the time axis go on different rows: at 1,000 px
# that is 35 px, room for a two-digit label at 12 px; narrower charts scale the gap with them.
LABEL_GAP = 0.035
LABEL_ROW = 0.05  # height of a row of moment numbers, as a share of the plot


def moment_labels(days: list[float], numbers: list[int], span_days: float,
                  gap: float = LABEL_GAP) -> list[tuple[float, int, int, int]]:
    """(day, first number, last number, row) of the labels above a chart. Moments closer than
    `gap` of the axis to the first of their run share one label ('12–18'); labels that would
    still touch go on alternate rows, so none overlaps."""
    runs: list[list[int]] = []
    for index, day in enumerate(days):
        if runs and day - days[runs[-1][0]] < gap * span_days:
            runs[-1].append(index)
        else:
            runs.append([index])
    starts = [days[run[0]] for run in runs]
    rows = label_rows(starts, span_days, gap * 2)  # a run's label is wider than one number
    return [(start, numbers[run[0]], numbers[run[-1]], row)
            for start, run, row in zip(starts, runs, rows, strict=True)]


def label_rows(days: list[float], span_days: float, gap: float = LABEL_GAP) -> list[int]:
    """A row for each label (at these days, oldest first) so that no two in a row are within
    `gap` of the axis of each other: each label takes the lowest row that has room."""
    last_in_row: list[float] = []
    rows = []
    for day in days:
        row = next((r for r, last in enumerate(last_in_row) if day - last >= gap * span_days), None)
        if row is None:
            row = len(last_in_row)
            last_in_row.append(day)
        last_in_row[row] = day
        rows.append(row)
    return rows


def _add_moments(fig: go.Figure, moments: pd.DataFrame, start, end) -> int:
    """Dotted vertical lines at the policy moments within [start, end], numbered as in the moments
    list (1 = oldest), their numbers on rows so that none overlaps; returns the rows used."""
    if moments.empty:
        return 0
    moments = moments.assign(number=range(1, len(moments) + 1), when=pd.to_datetime(moments["date"]))
    shown = moments[(moments["when"] >= pd.to_datetime(start)) & (moments["when"] <= pd.to_datetime(end))]
    span = max((pd.to_datetime(end) - pd.to_datetime(start)).days, 1)
    lines = [{"type": "line", "xref": "x", "yref": "paper", "x0": when, "x1": when, "y0": 0, "y1": 1,
              "line": {"dash": "dot", "color": "#888888", "width": 1}} for when in shown["when"]]
    placed = moment_labels([(w - pd.to_datetime(start)).days for w in shown["when"]],
                           list(shown["number"]), span)
    titles = {m.number: f"{m.number}. {m.when:%Y-%m-%d}: {plain_text(m.title)}" for m in shown.itertuples()}
    labels = []
    for day, first, last, row in placed:
        labels.append({"x": pd.to_datetime(start) + pd.Timedelta(days=day), "y": 1.01 + LABEL_ROW * row,
                       "yref": "paper", "yanchor": "bottom", "showarrow": False,
                       "text": str(first) if first == last else f"{first}–{last}",
                       "font": {"size": 12},  # the theme's text colour: #555 was 2.4:1 on the dark theme
                       "hovertext": "<br>".join(titles[n] for n in range(first, last + 1))})
    # One layout update for all of them: fig.add_vline/add_annotation one by one took ~15 ms each.
    fig.update_layout(shapes=[*fig.layout.shapes, *lines], annotations=[*fig.layout.annotations, *labels])
    return max((row for *_, row in placed), default=-1) + 1


def top_destinations(data: pd.DataFrame, title: str) -> go.Figure:
    """Horizontal bars: destinations by number of entries, largest on top."""
    data = data.sort_values("entries")
    fig = go.Figure(go.Bar(x=data["entries"], y=data["destination"].map(plain_text), orientation="h",
                           marker_color=PALETTE[0], text=data["entries"], textposition="outside",
                           cliponaxis=False, hovertemplate="%{y}: %{x} entries<extra></extra>"))
    fig.update_layout(xaxis={"title": "Entries on today's list",
                             "range": [0, 1.18 * max(data["entries"].max(), 1)]},
                      yaxis={"automargin": True})
    return _layout(fig, title, height=max(300, 38 * len(data) + 120))


def company_timeline(events: pd.DataFrame, responses: pd.DataFrame, title: str) -> go.Figure:
    """One time axis: Entity List events on the top lane, responses by category below, by status."""
    fig = go.Figure()
    dated = events.dropna(subset=["date"]) if not events.empty else events
    if not dated.empty:
        grouped = (dated.groupby(["date", "action", "fr_citation"], as_index=False)
                   .agg(entries=("entity_id", "count")))
        fig.add_scatter(
            x=pd.to_datetime(grouped["date"]), y=["Entity List"] * len(grouped), mode="markers",
            name="Entity List event", marker={"symbol": "square", "size": 16, "color": "#d1495b"},
            customdata=grouped[["action", "fr_citation", "entries"]].values,
            hovertemplate="%{x|%Y-%m-%d}: %{customdata[0]} (%{customdata[2]} entries), "
                          "%{customdata[1]}<extra></extra>")
    for status in schema.RESPONSE_STATUSES:
        part = responses[responses["status"] == status] if not responses.empty else responses
        if part.empty:
            continue
        fig.add_scatter(
            x=pd.to_datetime(part["day"]), y=part["category"].map(schema.RESPONSE_CATEGORY_LABELS),
            mode="markers",
            name=schema.RESPONSE_STATUS_LABELS[status],
            marker={"size": 13, "color": STATUS_COLOURS[status], "symbol": STATUS_SYMBOLS[status],
                    "line": {"width": 2, "color": STATUS_COLOURS[status]}},
            customdata=part[["title", "date"]].assign(title=part["title"].map(plain_text)).values,
            hovertemplate="%{customdata[1]}: %{customdata[0]}<extra></extra>")
    lanes = ["Entity List"] + [schema.RESPONSE_CATEGORY_LABELS[c] for c in schema.RESPONSE_CATEGORIES
                               if not responses.empty and c in set(responses["category"])]
    fig.update_layout(yaxis={"categoryorder": "array", "categoryarray": lanes[::-1],
                             "automargin": True}, xaxis_title=None)
    return _layout(fig, title, height=max(260, 46 * len(lanes) + 160))


def busiest_companies(data: pd.DataFrame, limit: int) -> pd.DataFrame:
    """The matrix rows of the `limit` companies with the most notes (ties by name)."""
    totals = data.groupby(["company_id", "company_name"], as_index=False)["notes"].sum()
    kept = totals.sort_values(["notes", "company_name"], ascending=[False, True]).head(limit)
    return data[data["company_id"].isin(kept["company_id"])]


def response_matrix(data: pd.DataFrame, title: str) -> go.Figure:
    """Companies against response categories as sized dots; each dot is selectable."""
    fig = go.Figure()
    if data.empty:
        return _layout(fig, title)
    labels = data["category"].map(schema.RESPONSE_CATEGORY_LABELS)
    fig.add_scatter(
        x=labels, y=data["company_name"].map(plain_text), mode="markers+text", text=data["notes"],
        textposition="middle center", textfont={"color": "white", "size": 13},
        # 16 px for one note up to 34 px for four or more: dots never overlap the next row.
        marker={"size": 16 + 6 * (data["notes"].clip(upper=4) - 1), "color": PALETTE[0], "opacity": 0.9},
        customdata=data[["company_id", "category"]].values,
        hovertemplate="%{y}<br>%{x}: %{text} notes<extra></extra>", showlegend=False)
    categories = [schema.RESPONSE_CATEGORY_LABELS[c] for c in schema.RESPONSE_CATEGORIES]
    fig.update_layout(
        xaxis={"categoryorder": "array", "categoryarray": categories, "side": "top",
               "tickangle": -30},
        yaxis={"categoryorder": "category descending", "automargin": True},
        clickmode="event+select")
    return _layout(fig, title, height=max(360, MATRIX_ROW_PX * data["company_name"].nunique() + 200))


def rule_reconciliation(data: pd.DataFrame, title: str) -> go.Figure:
    """Per rule date: entries the rules say were added beside today's entries first listed that day."""
    fig = go.Figure()
    if data.empty:
        return _layout(fig, title)
    data = data.sort_values("date")
    dates = pd.to_datetime(data["date"])
    fig.add_bar(x=dates, y=data["stated_added"], name="Added, as the rule states",
                marker_color=PALETTE[3], width=BAR_WIDTH_MS["day"],
                hovertemplate="%{x|%Y-%m-%d}: %{y} stated<extra></extra>")
    fig.add_bar(x=dates, y=data["listed_today"], name="Today's entries first listed that day",
                marker_color=PALETTE[0], width=BAR_WIDTH_MS["day"],
                hovertemplate="%{x|%Y-%m-%d}: %{y} on today's list<extra></extra>")
    fig.update_layout(barmode="group", yaxis_title="Entries")
    return _layout(fig, title)


AFTER_OPACITY = 0.2  # bars after a story's moment


def story_step(data: pd.DataFrame, moments: pd.DataFrame, step: int, title: str) -> go.Figure:
    """Listings by quarter on the whole time axis, those after moment `step` (0-based) faded, that
    moment marked."""
    moment = moments.iloc[step]
    until = pd.to_datetime(moment["date"])
    order = group_order(lump_small_groups(data))
    fig = listings_over_time(data, moments.head(0), "quarter", False, title, order=order)
    for bar in fig.data:  # what came after the moment stays on the axis, faded: the step is a moment in time
        bar.marker.opacity = [1.0 if pd.Timestamp(x) <= until else AFTER_OPACITY for x in bar.x]
    start = pd.to_datetime(data["period"]).min() if not data.empty else until
    end = max(pd.to_datetime(data["period"]).max(), until) if not data.empty else until
    fig.update_xaxes(range=[start - pd.Timedelta(days=60), end + pd.Timedelta(days=120)])
    fig.add_vline(x=until.timestamp() * 1000, line_color=PALETTE[1], line_width=3)
    fig.add_annotation(x=until, y=1, yref="paper", yanchor="bottom", showarrow=False,
                       text=f"<b>{step + 1}. {plain_text(moment['title'])}</b>", xanchor="right",
                       font={"color": PALETTE[1]}, bgcolor="rgba(255,255,255,0.7)")
    return fig


def plain_text(text: object) -> str:
    """Text for a Plotly label, with its HTML-like characters made harmless.

    Plotly draws tags such as <a href>, <b> and <br> in any label; text from the data is
    shown as written instead.
    """
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


DIFF_COLOURS = {"added": "#1f5fa8", "removed": "#d1495b", "changed": "#edae49", "format_only": "#a3a3a3"}


def version_differences(data: pd.DataFrame, labels: dict[str, str], title: str, top: int = 12) -> go.Figure:
    """Horizontal bars per destination (the `top` with most differences, the rest lumped), stacked by
    kind of difference. `data`: destination, kind, entries; `labels`: kind -> its name, in order."""
    data = data.assign(destination=data["destination"].fillna("(no destination)"))
    totals = data.groupby("destination")["entries"].sum().sort_values(ascending=False)
    keep = set(totals.index[:top])
    data = data.assign(destination=data["destination"].where(data["destination"].isin(keep), OTHER))
    data = data.groupby(["destination", "kind"], as_index=False)["entries"].sum()
    order = [d for d in totals.index if d in keep] + ([OTHER] if OTHER in set(data["destination"]) else [])
    fig = go.Figure()
    for kind, label in labels.items():
        part = data[data["kind"] == kind].set_index("destination").reindex(order)["entries"].fillna(0)
        if part.sum():
            fig.add_trace(go.Bar(x=part.to_numpy(), y=[plain_text(d) for d in order], orientation="h",
                                 name=label, marker_color=DIFF_COLOURS.get(kind, PALETTE[-1]),
                                 hovertemplate=f"%{{y}}: %{{x}} {plain_text(label).lower()}<extra></extra>"))
    fig.update_layout(barmode="stack", xaxis={"title": "Entries"}, legend_traceorder="normal",
                      yaxis={"automargin": True, "autorange": "reversed"})
    return _layout(fig, title, height=max(320, 34 * len(order) + 160))
