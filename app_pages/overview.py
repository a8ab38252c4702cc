"""Overview: headline figures, listings over time with policy moments, top destinations, newest rules."""

import pandas as pd
import streamlit as st

from tracker.filters import Filters
from tracker.present import charts, takeaways
from tracker.present.page_state import GRANULARITIES, GROUPINGS, OVERVIEW
from tracker.present.text import citation_links, day, file_stem, link, md_escape
from tracker.ui import page, questions, state, widgets

page.frame("The US Entity List at a glance")
destination_counts = questions.destinations()
state.read(OVERVIEW, dest=set(destination_counts["destination"]))

# --- Headline figures ---
# "This year" is the year of the newest recorded listing (not of any change: a removal can be
# newer), so the comparison is between years that have listings.
by_year = questions.listings_over_time(Filters(), "year", "none")
manifest = questions.manifest()
this_year = (int(by_year["period"].max().year) if not by_year.empty
             else int((manifest.data_as_of or manifest.built_at)[:4]))
figures = questions.headline(this_year)
columns = st.columns(4)
columns[0].metric("Entries on the list", f"{figures['entries']:,}")
columns[1].metric("Destinations", figures["destinations"])
columns[2].metric(f"Added in {this_year}", figures["added_this_year"],
                  delta=figures["added_this_year"] - figures["added_last_year"],
                  help=f"Entries on today's list first listed in {this_year}, against "
                       f"{figures['added_last_year']} in {this_year - 1}.")
rule_counts = questions.data_dates()
columns[3].metric("Rules that changed the list", figures["rules"],
                  help=f"Federal Register rules that changed the list; the Rules page also lists "
                       f"{rule_counts.rules_related} related rules recorded beside them.")

# --- Listings over time ---
st.header("Listings over time")
controls = st.columns([3, 3, 2], vertical_alignment="bottom") + st.columns(1)
# "or": a click on a control still being redrawn can send no value (seen under load); use the default.
granularity = controls[0].segmented_control("Granularity", GRANULARITIES, key="granularity",
                                            required=True) or OVERVIEW.param("granularity").default
group_by = controls[1].segmented_control("Stack by", GROUPINGS, key="group", required=True,
                                         format_func=lambda g: "nothing" if g == "none" else g
                                         ) or OVERVIEW.param("group").default
cumulative = controls[2].toggle("Running total", key="cumulative")
destinations = controls[3].multiselect("Destinations", destination_counts["destination"].tolist(),
                                       key="dest", placeholder="All destinations")
state.write(OVERVIEW, {"granularity": granularity, "group": group_by, "cumulative": cumulative,
                       "dest": tuple(destinations)})
filters = Filters(destinations=tuple(destinations))

listings = questions.listings_over_time(filters, granularity, group_by)
removals = questions.removals_over_time(filters, granularity)
moments = questions.moments()
if listings.empty:
    st.info("No entries match these destinations. Clear the destination filter to see the whole list.")
else:
    widgets.chart(
        charts.listings_over_time(listings, moments, granularity, cumulative, removals=removals,
                                  title=f"Entries on today's list by {granularity} first listed, "
                                        "and removals"),
        key="listings_chart",
        file_name=file_stem("entity-list-listings", granularity, group_by, *destinations),
        takeaway=takeaways.listings(listings, granularity))
    undated = questions.undated_listings(filters)
    st.caption("Above the axis: entries on the list today by the date of their first Federal Register "
               "citation. Below it: removals — named ones (the entries are kept, marked removed) and "
               "those a rule counts without naming them"
               + (" (left out while destinations are chosen: a count has no entries to filter)"
                  if destinations else "") + "."
               + (f" Left out: {undated} entries with no dated citation." if undated else ""))
    in_words = questions.removals_in_words()
    with st.expander("Removals the chart cannot see, and removals given only in words"):
        sentence, by_year = takeaways.survivorship(questions.removals_over_time(Filters(), "year"), in_words)
        st.markdown(md_escape(sentence))
        st.dataframe(by_year, hide_index=True, column_config={
            "year": st.column_config.NumberColumn("Year removed", format="%d"),
            "named": "Named removals", "names not sourced": "Counted without names",
            "in words": "Rules giving removals in words"}, placeholder="")
        for rule in in_words.itertuples():
            names = rule.names_removed if isinstance(rule.names_removed, str) else ""
            named = f" · named: {md_escape(names)}" if names else ""
            st.markdown(f"**{day(rule.publication_date) or 'undated'}** · "
                        f"{md_escape(rule.title or 'Untitled')} · removed, as stated: "
                        f"*{md_escape(rule.stated_removed)}*{named} · "
                        f"{citation_links(rule.fr_citation) or link('source', rule.url)}")
    with st.expander("Policy moments marked on the chart"):
        for number, moment in enumerate(moments.itertuples(), start=1):
            st.markdown(f"**{number}. {day(moment.date)}** {md_escape(moment.title)} · "
                        f"{citation_links(moment.fr_citations)} · "
                        f"{link(moment.source_name, moment.source_url)}")

# --- Top destinations and newest rules ---
left, right = st.columns(2)
with left:
    top = questions.top_destinations(filters, 10)
    widgets.chart(charts.top_destinations(top, "Top destinations"), key="top_destinations_chart",
                  file_name=file_stem("entity-list-top-destinations", *destinations),
                  takeaway=takeaways.top_destinations(top, figures["entries"]))
with right:
    st.header("Newest rules")
    for rule in questions.newest_rules(6).itertuples():
        added = f" · {int(rule.stated_added)} added" if pd.notna(rule.stated_added) else ""
        st.markdown(f"**{day(rule.publication_date)}** · {md_escape(rule.title or 'Untitled')}"
                    f"{added} · {link(rule.document_number or rule.fr_citation or 'source', rule.url)}")
    st.markdown("[All rules →](rules)")
