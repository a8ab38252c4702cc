"""The network of related entries: a pure function from the network frames to a Plotly figure.

Entries are dots (coloured by destination, sized by their citations), each group of related
entries a diamond linked to its members by lines coloured by what they share; the entry or
company asked about is the star at the centre. The layout is networkx's spring layout, seeded,
so a network is always drawn alike.

Labels never overlap: they are chosen (the centre, then the largest groups, then the most cited
entries) so that none touches another at the narrowest width the figure is drawn at
(`narrowest_px`, the chart's width on a 390 px phone), and each pair is apart along an axis in
the order of their points, so that on a wider (or taller) plot, which stretches while the text
does not, they only move further apart. Every name is in the hover and in the
table beside the chart.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import networkx as nx
import pandas as pd
import plotly.graph_objects as go

from tracker import schema
from tracker.present.charts import FONT_SIZE, OTHER, PALETTE, plain_text

HEIGHT = 720
# The narrowest the chart is drawn: on a 390 px phone Streamlit's padding leaves it 358 px (a plot
# area of 338 px, measured in Chromium by tests/browser/test_network_in_browser.py).
NARROWEST_PX = 350
MARGIN = {"l": 10, "r": 10, "t": 90, "b": 10}
# Room the legend below the plot may take at the narrowest width (it takes the plot's height).
LEGEND_PX = 260
LABEL_FONT = 12
CHAR_EM = 0.62  # width of a character as a share of the font size (wider than most fonts' average)
LINE_EM = 1.7  # height of a line of text, room for the font's ascent and descent and Plotly's offset
LABEL_CHARS = 26
LABEL_GAP_PX = 4
RANGE = 1.12  # axis range: the layout spans -1..1, with room for the markers at its edge
SEED = 13
TOP_DESTINATIONS = 7
KIND_COLOURS = {
    "profile": "#1f5fa8",
    "parent": "#8d5a97",
    "name": "#d1495b",
    "address": "#00798c",
    "stem": "#edae49",
    "listing": "#a3a3a3",
}


@dataclass(frozen=True)
class Box:
    """A label's box in pixels of the plot area (y upward)."""

    left: float
    right: float
    bottom: float
    top: float

    def touches(self, other: Box, gap: float = LABEL_GAP_PX) -> bool:
        return not (
            self.right + gap <= other.left
            or other.right + gap <= self.left
            or self.top + gap <= other.bottom
            or other.top + gap <= self.bottom
        )


def apart_at_any_size(
    a: Box, a_point: tuple[float, float], b: Box, b_point: tuple[float, float], gap: float = LABEL_GAP_PX
) -> bool:
    """Whether two labels are apart now and on any larger plot: apart along an axis on which the
    left (lower) box is the left (lower) point's, so that stretching the plot only moves them apart.
    (A label placed below a point just above another's label above it would cross it when stretched.)"""
    (ax, ay), (bx, by) = a_point, b_point
    return (
        (a.right + gap <= b.left and ax <= bx)
        or (b.right + gap <= a.left and bx <= ax)
        or (a.top + gap <= b.bottom and ay <= by)
        or (b.top + gap <= a.bottom and by <= ay)
    )


def plot_size(width_px: int, height_px: int = HEIGHT) -> tuple[float, float]:
    """The plot area's width and (at least) height in pixels for a figure this wide."""
    return (width_px - MARGIN["l"] - MARGIN["r"], height_px - MARGIN["t"] - MARGIN["b"] - LEGEND_PX)


# Where a label may go around its node, in the order tried: Plotly's textposition, and the offset
# of the box from the point (a marker's radius of room beside it).
LABEL_PLACES = ("top center", "bottom center", "middle right", "middle left")
MARKER_ROOM_PX = 0  # Plotly sets text only a pixel or two off its point: the box starts at the point


def label_box(
    x: float, y: float, text: str, width_px: int, place: str = "top center", font: int = LABEL_FONT
) -> Box:
    """The box of a label placed at `place` beside the point (x, y) of the -RANGE..RANGE axes."""
    plot_w, plot_h = plot_size(width_px)
    px = (x + RANGE) / (2 * RANGE) * plot_w
    py = (y + RANGE) / (2 * RANGE) * plot_h
    wide, high = len(text) * CHAR_EM * font, LINE_EM * font
    if place == "top center":
        return Box(px - wide / 2, px + wide / 2, py + MARKER_ROOM_PX, py + MARKER_ROOM_PX + high)
    if place == "bottom center":
        return Box(px - wide / 2, px + wide / 2, py - MARKER_ROOM_PX - high, py - MARKER_ROOM_PX)
    if place == "middle right":
        return Box(px + MARKER_ROOM_PX, px + MARKER_ROOM_PX + wide, py - high / 2, py + high / 2)
    return Box(px - MARKER_ROOM_PX - wide, px - MARKER_ROOM_PX, py - high / 2, py + high / 2)


# The group an entry is laid out beside, first kind first: the listing groups split a company's
# entries by the day they were listed, which reads as clusters.
LAYOUT_KIND_ORDER = ("listing", "address", "name", "stem", "parent", "profile")


def layout_tree(nodes: pd.DataFrame, edges: pd.DataFrame) -> nx.Graph:
    """The graph the layout is computed on: each group beside the centre (first hop) or beside the
    entry it was reached from, each entry beside one of its groups (LAYOUT_KIND_ORDER). Every edge
    is drawn; only these place the nodes, so groups make clusters instead of one tangle."""
    centre = nodes.loc[nodes["node_kind"] == "centre", "node_id"].iloc[0]
    kind_of = dict(zip(nodes["node_id"], nodes["kind"], strict=True))
    hop_of = dict(zip(nodes["node_id"], nodes["hop"], strict=True))
    tree = nx.Graph()
    tree.add_nodes_from(sorted(nodes["node_id"]))
    rank = {kind: n for n, kind in enumerate(LAYOUT_KIND_ORDER)}
    best: dict[str, tuple] = {}
    for edge in sorted(edges.itertuples(index=False), key=lambda e: (e.source, e.target)):
        group, entry = edge.source, edge.target
        if entry == centre:
            continue
        if hop_of[group] == hop_of[entry] + 1 and group not in best:  # reached from this entry
            best.setdefault(group, (entry,))
        choice = (rank.get(kind_of[group], len(rank)) if group != centre else len(rank) + 1, group)
        if entry not in best or choice < best[entry]:
            best[entry] = choice
    for node in sorted(nodes["node_id"]):
        if node == centre:
            continue
        anchor = best.get(node)
        if nodes.loc[nodes["node_id"] == node, "node_kind"].iloc[0] == "group":
            tree.add_edge(node, centre if anchor is None or hop_of[node] <= 1 else anchor[0])
        else:
            tree.add_edge(node, centre if anchor is None else anchor[-1])
    return tree


def layout_positions(nodes: pd.DataFrame, edges: pd.DataFrame) -> dict[str, tuple[float, float]]:
    """Node positions in -1..1 from a seeded spring layout of the layout tree, the centre at the middle."""
    graph = layout_tree(nodes, edges)
    centre = nodes.loc[nodes["node_kind"] == "centre", "node_id"].iloc[0]
    k = 2.0 / math.sqrt(max(len(graph), 1))
    positions = (
        nx.spring_layout(graph, seed=SEED, k=k, iterations=300, pos={centre: (0.0, 0.0)}, fixed=[centre])
        if len(graph) > 1
        else {centre: (0.0, 0.0)}
    )
    # Each axis stretched to fill the plot: the chart is wider than a network is usually laid out.
    wide = max((abs(x) for x, _ in positions.values()), default=1.0) or 1.0
    high = max((abs(y) for _, y in positions.values()), default=1.0) or 1.0
    return {node: (float(x) / wide, float(y) / high) for node, (x, y) in positions.items()}


def _short(text: str, chars: int = LABEL_CHARS) -> str:
    text = str(text)
    return text if len(text) <= chars else text[: chars - 1].rstrip() + "…"


def choose_labels(
    nodes: pd.DataFrame, positions: dict[str, tuple[float, float]], narrowest_px: int
) -> list[tuple[str, str, str]]:
    """(node id, label, place) of the nodes labelled: by priority, each at the first place of
    LABEL_PLACES where it is apart from every label kept before (apart_at_any_size) and inside
    the plot at `narrowest_px`."""
    rank = nodes.assign(
        order=nodes["node_kind"].map({"centre": 0, "group": 1, "entry": 2}),
        weight=-nodes["members"].fillna(0) - nodes["citations"].fillna(0),
    )
    rank = rank.sort_values(["order", "hop", "weight", "node_id"])
    plot_w, plot_h = plot_size(narrowest_px)
    kept: list[tuple[Box, tuple[float, float]]] = []
    labels = []
    for node in rank.itertuples():
        text = _short(node.label)
        point = positions[node.node_id]
        for place in LABEL_PLACES:
            box = label_box(*point, text, narrowest_px, place)
            inside = box.left >= 0 and box.right <= plot_w and box.bottom >= 0 and box.top <= plot_h
            if inside and all(apart_at_any_size(box, point, other, at) for other, at in kept):
                kept.append((box, point))
                labels.append((node.node_id, text, place))
                break
    return labels


def network_figure(
    nodes: pd.DataFrame,
    edges: pd.DataFrame,
    title: str,
    hidden: int = 0,
    narrowest_px: int = NARROWEST_PX,
    hidden_groups: int = 0,
) -> go.Figure:
    """The network as a figure: edges by kind, entries by destination, groups and the centre,
    and the labels that fit (see choose_labels)."""
    fig = go.Figure()
    fig.update_layout(
        title={
            "text": plain_text(title),
            "x": 0,
            "xanchor": "left",
            "subtitle": {"text": plain_text(_subtitle(nodes, hidden, hidden_groups))},
        },
        font={"size": FONT_SIZE},
        height=HEIGHT,
        margin=MARGIN,
        hoverlabel={"font_size": FONT_SIZE},
        legend={"orientation": "h", "yanchor": "top", "y": -0.02, "x": 0, "font": {"size": 12}},
        xaxis={"range": [-RANGE, RANGE], "visible": False, "fixedrange": True},
        yaxis={"range": [-RANGE, RANGE], "visible": False, "fixedrange": True},
        plot_bgcolor="white",
        showlegend=True,
    )
    if nodes.empty:
        return fig
    positions = layout_positions(nodes, edges)
    _add_edges(fig, edges, nodes, positions)
    _add_entries(fig, nodes, positions)
    _add_groups(fig, nodes, positions)
    labels = choose_labels(nodes, positions, narrowest_px)
    fig.add_scatter(
        x=[positions[n][0] for n, _, _ in labels],
        y=[positions[n][1] for n, _, _ in labels],
        text=[plain_text(t) for _, t, _ in labels],
        mode="text",
        textposition=[p for _, _, p in labels],
        textfont={"size": LABEL_FONT, "color": "#111111", "shadow": "0px 0px 3px white", "weight": 600},
        hoverinfo="skip",
        showlegend=False,
        name="labels",
    )
    return fig


def _subtitle(nodes: pd.DataFrame, hidden: int, hidden_groups: int = 0) -> str:
    entries = int(nodes["entity_id"].notna().sum())
    groups = int((nodes["node_kind"] == "group").sum())
    left_out = [f"{hidden:,} entries" if hidden else "", f"{hidden_groups:,} groups" if hidden_groups else ""]
    more = f" (not drawn: {', '.join(filter(None, left_out))})" if hidden or hidden_groups else ""
    return f"{entries} entries, {groups} group{'' if groups == 1 else 's'}{more}"


def _add_edges(
    fig: go.Figure, edges: pd.DataFrame, nodes: pd.DataFrame, positions: dict[str, tuple[float, float]]
) -> None:
    for kind, label in schema.RELATION_KINDS.items():
        part = edges[edges["kind"] == kind]
        if part.empty:
            continue
        xs, ys, mid_x, mid_y, reasons = [], [], [], [], []
        for edge in part.itertuples():
            (x0, y0), (x1, y1) = positions[edge.source], positions[edge.target]
            xs += [x0, x1, None]
            ys += [y0, y1, None]
            mid_x.append((x0 + x1) / 2)
            mid_y.append((y0 + y1) / 2)
            reasons.append(plain_text(edge.reason))
        colour = KIND_COLOURS[kind]
        fig.add_scatter(
            x=xs,
            y=ys,
            mode="lines",
            line={"color": colour, "width": 1.2},
            name=label,
            legendgroup=kind,
            hoverinfo="skip",
            opacity=0.7,
        )
        fig.add_scatter(
            x=mid_x,
            y=mid_y,
            mode="markers",
            marker={"size": 6, "color": colour, "opacity": 0},
            hovertext=reasons,
            hoverinfo="text",
            showlegend=False,
            legendgroup=kind,
        )


def _add_entries(fig: go.Figure, nodes: pd.DataFrame, positions: dict[str, tuple[float, float]]) -> None:
    entries = nodes[nodes["entity_id"].notna()]
    top = entries["destination"].value_counts().index[:TOP_DESTINATIONS].tolist()
    entries = entries[entries["node_kind"] != "centre"]  # the centre is drawn as a star of its own
    coloured = entries.assign(
        colour_group=entries["destination"].where(entries["destination"].isin(top), OTHER)
    )
    for index, group in enumerate([*top, OTHER]):
        part = coloured[coloured["colour_group"] == group]
        if part.empty:
            continue
        colour = PALETTE[index] if group != OTHER else "#7f7f7f"
        centre = part["node_kind"] == "centre"
        fig.add_scatter(
            x=[positions[n][0] for n in part["node_id"]],
            y=[positions[n][1] for n in part["node_id"]],
            mode="markers",
            name=plain_text(group),
            marker={
                "color": colour,
                "size": [
                    _size(c) + (10 if is_centre else 0)
                    for c, is_centre in zip(part["citations"], centre, strict=True)
                ],
                "symbol": ["star" if is_centre else "circle" for is_centre in centre],
                "line": {"color": "#222222", "width": [2 if is_centre else 0.5 for is_centre in centre]},
            },
            hovertext=[
                plain_text(
                    f"{row.label} ({row.entity_id}) · {row.destination} · {row.citations} "
                    f"FR citation{'s' if row.citations != 1 else ''}"
                )
                for row in part.itertuples()
            ],
            hoverinfo="text",
        )


def _size(citations) -> float:
    return 7 + 4 * math.sqrt(max(int(citations or 0), 0))


def _add_groups(fig: go.Figure, nodes: pd.DataFrame, positions: dict[str, tuple[float, float]]) -> None:
    for part, name, symbol in (
        (nodes[nodes["node_kind"] == "group"], "a group (what its entries share)", "diamond"),
        (
            nodes[nodes["node_kind"] == "centre"],
            "the entry" if pd.notna(nodes["entity_id"].iloc[0]) else "the company",
            "star",
        ),
    ):
        if part.empty:
            continue
        hover = [
            plain_text(
                f"{row.evidence if pd.notna(row.evidence) else row.label} · {row.members} entries"
                + (f", {row.members - row.shown} not drawn" if row.members > row.shown else "")
            )
            for row in part.itertuples()
        ]
        if symbol == "star" and pd.notna(part["entity_id"].iloc[0]):
            hover = [
                plain_text(f"{row.label} ({row.entity_id}) · {row.destination} · "
                           f"{row.citations} FR citations")
                for row in part.itertuples()
            ]
        fig.add_scatter(
            x=[positions[n][0] for n in part["node_id"]],
            y=[positions[n][1] for n in part["node_id"]],
            mode="markers",
            name=name,
            hovertext=hover,
            hoverinfo="text",
            marker={
                "symbol": symbol,
                "size": [
                    (22 if symbol == "star" else 12) + 2 * math.sqrt(m) for m in part["members"].fillna(0)
                ],
                "color": [KIND_COLOURS.get(k, "#444444") for k in part["kind"]],
                "line": {"color": "#222222", "width": 1.5},
            },
        )
