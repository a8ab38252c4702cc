"""The network section of the company and entry pages: the chart of related entries, the groups
it draws with their evidence, and every entry drawn, linked to its page."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from tracker import schema
from tracker.present.network import network_figure
from tracker.present.page_state import ENTRY, page_href
from tracker.present.text import file_stem
from tracker.ui import questions, widgets

METHOD = (
    "Links are groups of entries that share something the list itself states: a company profile, a "
    "name or alias, the first distinctive word of their names, an address, or the rule and day that "
    "listed them. A link says what is shared, never who owns whom; see the About page for the method "
    "and its limits."
)


@st.cache_data(ttl=questions.CACHE_TTL_S, show_spinner=False, max_entries=64)
def _figure(build_id: str, view: tuple, _network, title: str):
    return network_figure(_network.nodes, _network.edges, title, _network.hidden,
                          hidden_groups=_network.hidden_groups)


def network_section(
    title: str, hops: int, key: str, entity_id: str | None = None, company_id: str | None = None,
    explain: bool = True,
) -> None:
    """The network around one entry or company: chart, groups and entries (hops read by the caller)."""
    net = questions.network(entity_id=entity_id, company_id=company_id, hops=hops)
    if explain:  # the entry page says it once, above its related entries
        st.caption(METHOD)
    if net.edges.empty:
        st.info("No other entry shares a profile, name, address or listing with this one.")
        return
    view = ("network", entity_id, company_id, hops)
    chart, groups = st.columns([3, 2])
    with chart:
        drawn = int(net.nodes["entity_id"].notna().sum())
        widgets.chart(
            _figure(questions.manifest().build_id, view, net, title),
            key=f"{key}_chart",
            file_name=file_stem("entity-list-network", entity_id or company_id, f"{hops}-hop"),
            takeaway=f"{drawn} entries linked by "
            f"{_count(int((net.nodes['node_kind'] == 'group').sum()), 'group')} of what they share"
            + (f"; {net.hidden:,} more entries in the groups' counts" if net.hidden else ""),
        )
    with groups:
        table = net.nodes[net.nodes["node_kind"] != "entry"]
        table = table[table["members"] > 0].assign(
            kind=lambda t: t["kind"].map(schema.RELATION_KINDS),
            drawn=lambda t: t["shown"],
            members=lambda t: t["members"],
        )
        st.dataframe(
            table,
            hide_index=True,
            column_order=["kind", "evidence", "members", "drawn"],
            column_config={
                "kind": "Link",
                "evidence": st.column_config.TextColumn("What is shared", width="large"),
                "members": "Entries",
                "drawn": "Drawn",
            },
            placeholder="",
        )
    entries = _entries_table(net)
    with st.expander(f"Every entry drawn ({len(entries)})"):
        st.dataframe(
            entries,
            hide_index=True,
            column_order=["page", "name", "destination", "citations", "reasons"],
            column_config={
                "page": st.column_config.LinkColumn("Id", display_text=r"id=(.+)"),
                "name": "Name",
                "destination": "Destination",
                "citations": "FR citations",
                "reasons": st.column_config.TextColumn("Linked by", width="large"),
            },
            placeholder="",
        )
        widgets.download_csv(
            entries.drop(columns="page"),
            key=f"{key}_csv",
            file_name=file_stem("entity-list-network", entity_id or company_id, hops) + ".csv",
        )


def _count(n: int, word: str) -> str:
    return f"{n:,} {word}" + ("" if n == 1 else "s")


def _entries_table(net) -> pd.DataFrame:
    """Each entry drawn, with the evidence of every group it is linked to in the drawing."""
    entries = net.nodes[net.nodes["entity_id"].notna()]
    reasons = net.edges.groupby("target")["reason"].agg(lambda r: "; ".join(dict.fromkeys(r)))
    return pd.DataFrame(
        {
            "page": [page_href(ENTRY, id=e) for e in entries["entity_id"]],
            "entity_id": entries["entity_id"].to_numpy(),
            "name": entries["label"].to_numpy(),
            "destination": entries["destination"].to_numpy(),
            "citations": entries["citations"].to_numpy(),
            "reasons": entries["node_id"].map(reasons).fillna("").to_numpy(),
        }
    )
