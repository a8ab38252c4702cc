"""Explorer: every entry, filtered and searched; the table and its CSV hold exactly the same rows."""


import streamlit as st

from tracker import schema
from tracker.filters import Filters, search_tokens, values_of
from tracker.present import charts
from tracker.present.entry import with_entry_links
from tracker.present.page_state import EXPLORER
from tracker.present.text import file_stem, md_escape, with_citation_url
from tracker.screening import search as search_reasons
from tracker.ui import page, questions, state, widgets

TABLE_ROWS = 500

page.frame("Explore the entries")
destination_counts = questions.destinations()
sector_options = questions.sectors()
profiles = questions.companies()
company_names = dict(zip(profiles["company_id"], profiles["name"], strict=True))
state.read(EXPLORER, dest=set(destination_counts["destination"]), sector=set(sector_options),
           company=set(company_names))

# --- Filters ---
query = st.text_input("Search names, aliases and local-language names", key="q",
                      placeholder="e.g. zhipu, Knowledge Atlas, huawei cloud, 智谱", max_chars=200)
row1 = st.columns([2, 3, 2])
with row1[0]:
    start_field, end_field = st.columns(2)
    typed = (start_field.text_input("From", key="from", placeholder="YYYY-MM-DD", max_chars=10),
             end_field.text_input("To", key="to", placeholder="YYYY-MM-DD", max_chars=10))
    st.caption("Listed or changed between. Type YYYY-MM-DD, press Enter.")
dates = EXPLORER.typed_dates("from", "to", typed)
for notice in dates.notices:
    st.warning(notice, icon=":material/event_busy:")
destinations = row1[1].multiselect("Destination", destination_counts["destination"].tolist(), key="dest",
                                   placeholder="All destinations")
company = row1[2].selectbox("Company", list(company_names), key="company", index=None,
                            format_func=company_names.get, placeholder="Any company")
row2 = st.columns(4)
sectors = row2[0].multiselect("Sector (of the company profile)", sector_options, key="sector",
                              placeholder="All sectors")
actions = row2[1].multiselect("Action", schema.ACTIONS, key="action", placeholder="Any action")
licenses = row2[2].multiselect("License requirement", schema.LICENSE_SCOPES, key="license",
                               placeholder="Any requirement")
policies = row2[3].multiselect("License review policy", schema.POLICY_FAMILIES, key="policy",
                               placeholder="Any policy",
                               help="Grouped by the policy each entry's cell states first; the table "
                                    "gives the policy as the list states it.")

date_from, date_to = dates.values["from"], dates.values["to"]
filters = Filters(date_from=date_from, date_to=date_to, destinations=tuple(destinations),
                  sectors=tuple(sectors), actions=tuple(actions), license_scopes=tuple(licenses),
                  policy_families=tuple(policies),
                  company=company, query=(query or "").strip())
view = state.write(EXPLORER, values_of(filters))

# --- Results ---
total = questions.count_entries(filters)
if total == 0:
    st.info("No entries match. Try fewer filters, another spelling, or fewer words in the search.")
    st.stop()

granularity = charts.granularity_for(filters.date_from, filters.date_to)
by_period = questions.listings_over_time(filters, granularity, "none")
if not by_period.empty:
    chosen_range = (filters.date_from, filters.date_to) if filters.date_from and filters.date_to else None
    widgets.chart(charts.listings_over_time(by_period, questions.moments().head(0), granularity, False,
                                            title=f"Matching entries by {granularity} "
                                                  + ("first listed" if not filters.actions else
                                                     "of their " + " or ".join(filters.actions) + " events"),
                                            between=chosen_range),
                  key="explorer_chart", file_name=file_stem("entity-list-explorer", *view.values()),
                  takeaway=f"{total:,} entries match; "
                           f"{int(by_period['entries'].sum()):,} have a dated event in the range shown.")

by_destination = questions.top_destinations(filters, None)
counts = ", ".join(f"{md_escape(row.destination)} {row.entries:,}"
                   for row in by_destination.head(5).itertuples())
more = len(by_destination) - 5
with st.expander(f"In {len(by_destination):,} destination{'s' if len(by_destination) != 1 else ''}: "
                 f"{counts}" + (f" and {more:,} more" if more > 0 else "")):
    st.dataframe(by_destination, hide_index=True,
                 column_config={"destination": "Destination",
                                "entries": st.column_config.NumberColumn("Matching entries")}, placeholder="")

rows = questions.entries(filters, TABLE_ROWS)
shown = with_entry_links(with_citation_url(rows)).assign(
    company_page=rows["company_id"].map(lambda c: f"company?company={c}" if isinstance(c, str) else None))
if filters.query:  # why each row matched the search, in words (near spellings too)
    shown["match_reason"] = search_reasons.reasons_of(rows, search_tokens(filters.query))
    if len(shown) and shown["match_reason"].map(search_reasons.is_near).all():
        st.caption(f"No entry has every word of '{md_escape(filters.query)}': these are near spellings, each "
                   "with why it matched. For a verdict on a name, use the Screening page.")
st.markdown(f"**{total:,} entries**" + (f" (first {TABLE_ROWS} shown; the CSV has all)"
                                          if total > TABLE_ROWS else ""))
st.dataframe(
    shown,
    hide_index=True,
    column_order=["entry_page", "name", "match_reason", "destination", "listed_date", "citation_url",
                  "citations_page", "company_page", "sector", "license_requirement", "license_review_policy",
                  "aliases", "address"],
    column_config={
        "entry_page": st.column_config.LinkColumn("Id", display_text=r"id=(EL-\d+)",
                                                  help="Opens the entry's page"),
        "name": st.column_config.TextColumn("Name", width="large"),
        "match_reason": st.column_config.TextColumn("Why it matched", width="medium"),
        "destination": "Destination",
        "listed_date": st.column_config.DateColumn("First listed"),
        "citation_url": st.column_config.LinkColumn("First citation",
                                                    display_text=r"citation/(\d+-FR-\d+)"),
        "citations_page": st.column_config.LinkColumn(
            "All citations", display_text=r"#(.+)", width="large",
            help="Every citation of the entry; opens its page, where each links to the Federal Register"),
        "company_page": st.column_config.LinkColumn("Company", display_text=r"company=(.+)"),
        "sector": "Sector",
        "license_requirement": "License requirement",
        "license_review_policy": "License review policy",
        "aliases": "Aliases",
        "address": "Address",
    }, placeholder="")
if total <= widgets.EAGER_CSV_ROWS:
    download = with_citation_url(questions.entries(filters))
else:  # built only when clicked
    entries_now = questions.later(questions.entries, filters)
    download = lambda: with_citation_url(entries_now())  # noqa: E731
widgets.download_csv(download, file_name=file_stem("entity-list-entries", *view.values()) + ".csv",
                     key="download_entries", label=f"Download these {total:,} entries as CSV")
st.caption("Source of every entry: the eCFR text of Supplement No. 4 to Part 744 (July 2026); each "
           "row's citations link to the Federal Register.")
