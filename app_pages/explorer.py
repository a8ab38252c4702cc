"""Explorer: every entry, filtered and searched; the table and its CSV hold exactly the same rows."""

from datetime import date

import streamlit as st

from tracker import charts, schema, ui
from tracker.filters import LICENSE_SCOPES, Filters, filters_from_params, filters_to_params

TABLE_ROWS = 500

st.title("Explore the entries")
ui.data_as_of()

# --- State from the URL ---
destination_counts = ui.ask("destinations")
sector_options = ui.ask("sectors")
profiles = ui.ask("companies")
company_names = dict(zip(profiles["company_id"], profiles["name"], strict=True))
parsed = filters_from_params(ui.url_params(), set(destination_counts["destination"]),
                             set(sector_options), set(company_names))
url_filters = parsed.filters
ui.load_from_url("explorer", {
    "q": url_filters.query,
    "dates": tuple(d for d in (url_filters.date_from, url_filters.date_to) if d),
    "dest": list(url_filters.destinations),
    "sector": list(url_filters.sectors),
    "action": list(url_filters.actions),
    "license": list(url_filters.license_scopes),
    "company": url_filters.company,
}, parsed.notices)

# --- Filters ---
query = st.text_input("Search names, aliases and local-language names", key="q",
                      placeholder="e.g. zhipu, Knowledge Atlas, huawei cloud, 智谱", max_chars=200)
row1 = st.columns([2, 3, 2])
dates = row1[0].date_input("Listed or changed between", key="dates", min_value=date(1990, 1, 1),
                           max_value=date(2100, 12, 31), format="YYYY-MM-DD")
destinations = row1[1].multiselect("Destination", destination_counts["destination"].tolist(), key="dest",
                                   placeholder="All destinations")
company = row1[2].selectbox("Company", list(company_names), key="company", index=None,
                            format_func=company_names.get, placeholder="Any company")
row2 = st.columns(3)
sectors = row2[0].multiselect("Sector (of the company profile)", sector_options, key="sector",
                              placeholder="All sectors")
actions = row2[1].multiselect("Action", schema.ACTIONS, key="action", placeholder="Any action")
licenses = row2[2].multiselect("License requirement", LICENSE_SCOPES, key="license",
                               placeholder="Any requirement")

date_from, date_to = (tuple(dates) + (None, None))[:2] if dates else (None, None)
filters = Filters(date_from=date_from, date_to=date_to, destinations=tuple(destinations),
                  sectors=tuple(sectors), actions=tuple(actions), license_scopes=tuple(licenses),
                  company=company, query=(query or "").strip())
ui.write_url("explorer", filters_to_params(filters))

# --- Results ---
total = ui.ask("count_entries", filters)
if total == 0:
    st.info("No entries match. Try fewer filters, another spelling, or fewer words in the search.")
    st.stop()

by_year = ui.ask("listings_over_time", filters, "year", "none")
if not by_year.empty:
    ui.chart(charts.listings_over_time(by_year, ui.ask("moments").head(0), "year", False,
                                       title="Matching entries by year first listed"),
             key="explorer_chart", file_name=ui.file_stem("entity-list-explorer",
                                                          *filters_to_params(filters).values()),
             takeaway=f"{total:,} entries match; "
                      f"{int(by_year['entries'].sum()):,} have a dated event in the range shown.")

rows = ui.ask("entries", filters, TABLE_ROWS)
shown = ui.with_citation_url(rows).assign(
    company_page=rows["company_id"].map(lambda c: f"company?company={c}" if isinstance(c, str) else None))
st.markdown(f"**{total:,} entries**" + (f" (first {TABLE_ROWS} shown; the CSV has all)"
                                          if total > TABLE_ROWS else ""))
st.dataframe(
    shown,
    hide_index=True,
    column_order=["entity_id", "name", "destination", "listed_date", "citation_url", "fr_citations",
                  "company_page", "sector", "license_requirement", "aliases", "address"],
    column_config={
        "entity_id": "Id",
        "name": st.column_config.TextColumn("Name", width="large"),
        "destination": "Destination",
        "listed_date": st.column_config.DateColumn("First listed"),
        "citation_url": st.column_config.LinkColumn("First citation",
                                                    display_text=r"citation/(\d+-FR-\d+)"),
        "fr_citations": "All citations",
        "company_page": st.column_config.LinkColumn("Company", display_text=r"company=(.+)"),
        "sector": "Sector",
        "license_requirement": "License requirement",
        "aliases": "Aliases",
        "address": "Address",
    })
if total <= ui.EAGER_CSV_ROWS:
    download = ui.with_citation_url(ui.ask("entries", filters))
else:  # built only when clicked
    entries_now = ui.later("entries", filters)
    download = lambda: ui.with_citation_url(entries_now())  # noqa: E731
ui.download_csv(download,
                file_name=ui.file_stem("entity-list-entries", *filters_to_params(filters).values())
                + ".csv", key="download_entries", label=f"Download these {total:,} entries as CSV")
st.caption("Source of every entry: the eCFR text of Supplement No. 4 to Part 744 (July 2026); each "
           "row's citations link to the Federal Register.")
