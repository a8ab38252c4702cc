"""The entry page's related entries and network (app_pages/entry.py ends with `section(entry)`):
each related entry with every reason for the link, linked to its page, and the network around it."""

from __future__ import annotations

import streamlit as st

from tracker import schema
from tracker.present.page_state import ENTRY, page_href
from tracker.present.text import file_stem, md_escape
from tracker.store.related import RELATED_PER_GROUP
from tracker.ui import questions, widgets
from tracker.ui.network import METHOD, network_section


def section(entry: dict) -> None:
    """Related entries (a table with the reason for each link) and the network around one entry."""
    entity_id = entry["entity_id"]
    found = questions.related_entries(entity_id)
    st.header(f"Related entries ({len(found.entries):,})")
    if found.entries.empty:
        st.info("No other entry shares a company profile, name, address or listing with this one.")
        return
    st.caption(METHOD)
    table = found.entries.assign(page=[page_href(ENTRY, id=e) for e in found.entries["entity_id"]])
    st.dataframe(table, hide_index=True,
                 column_order=["page", "name", "destination", "listed_date", "status", "reasons"],
                 column_config={"page": st.column_config.LinkColumn("Id", display_text=r"id=(.+)"),
                                "name": st.column_config.TextColumn("Name", width="medium"),
                                "destination": "Destination",
                                "listed_date": st.column_config.DateColumn("First listed"),
                                "status": "Status",
                                "reasons": st.column_config.TextColumn("Why related", width="large")},
                 placeholder="")
    capped = found.groups[found.groups["others"] > found.groups["shown"]]
    for group in capped.itertuples():
        st.caption(f"{md_escape(group.evidence)}: {group.others:,} other entries, the {RELATED_PER_GROUP} "
                   f"most cited shown ({schema.RELATION_KINDS[group.kind]}).")
    widgets.download_csv(table.drop(columns="page"), key="download_related_entries",
                         file_name=file_stem("entity-list-entry", entity_id, "related") + ".csv")

    st.header("Network of related entries")
    hops = st.radio("Steps from this entry", (1, 2), key="hops", horizontal=True,
                    format_func=lambda n: "its groups" if n == 1 else "and the groups of those entries")
    network_section(f"{entry['name']}: related entries", hops, key="entry_network", entity_id=entity_id,
                    explain=False)
