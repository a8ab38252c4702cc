"""Company: one profile, its entries and listing events, and its strategic responses, with sources."""

import streamlit as st

from tracker import schema
from tracker.present import charts, takeaways
from tracker.present.entry import entry_href, with_entry_links
from tracker.present.page_state import COMPANY
from tracker.present.text import file_stem, link, md_escape, with_citation_url
from tracker.ui import page, questions, state, widgets
from tracker.ui.network import network_section

page.frame("Company")

# --- Picker, from and to ?company= ---
profiles = questions.companies()
labels = {row.company_id: " · ".join(filter(None, [row.name, row.local_name, row.aliases]))
          for row in profiles.itertuples()}
state.read(COMPANY, company=set(labels))
company_id = st.selectbox("Company (type to search names, aliases and local names)", list(labels),
                          key="company", index=None, format_func=labels.get,
                          placeholder="Choose a company…")
# The network's hops widget comes further down; its value (seeded from the URL) is written here.
state.write(COMPANY, {"company": company_id, "hops": st.session_state.get("hops", 1)})

if not company_id:
    st.header("Companies followed")
    st.dataframe(
        profiles.assign(page=profiles["company_id"].map(lambda c: f"company?company={c}")),
        hide_index=True, column_order=["page", "name", "local_name", "sector", "entries"],
        column_config={"page": st.column_config.LinkColumn("Open", display_text=r"company=(.+)"),
                       "name": "Name", "local_name": "Local name", "sector": "Sector",
                       "entries": st.column_config.NumberColumn("Entries on the list")}, placeholder="")
    st.stop()

data = questions.company(company_id)
profile = data.profile

# --- Profile ---
st.header(md_escape(profile["name"]))
facts = [f"**{label}:** {md_escape(profile[key])}" for label, key in
         (("Local name", "local_name"), ("Also known as", "aliases"), ("Sector", "sector_detail"),
          ("Headquarters", "city"), ("Country", "country"), ("Founded", "founded"))
         if isinstance(profile.get(key), str | int) and str(profile[key])]
if isinstance(profile.get("website"), str):
    facts.append(f"**Website:** {link(profile['website'], profile['website'])}")
st.markdown("  \n".join(facts))
st.markdown(md_escape(profile.get("description")))
sources = [s for s in str(profile.get("sources") or "").split(schema.LIST_SEPARATOR) if s]
st.caption("Profile sources: " + " · ".join(link(f"[{n}]", url) for n, url in enumerate(sources, 1)))

# --- Timeline ---
st.header("Listing events and responses")
if data.events.empty and data.responses.empty:
    st.info("Nothing on the time axis yet: this company has no entries on today's list and no "
            "responses recorded.")
else:
    widgets.chart(charts.company_timeline(data.events, data.responses,
                                     title=f"{profile['name']}: Entity List events and responses"),
             key="company_timeline", file_name=file_stem("entity-list-company", company_id),
             takeaway=takeaways.company_timeline(data.events, data.responses))

# --- Responses by category and status ---
st.header("Strategic responses")
if data.responses.empty:
    st.info("No strategic responses are recorded for this company.")
statuses = st.pills("Status", schema.RESPONSE_STATUSES, selection_mode="multi",
                    default=list(schema.RESPONSE_STATUSES), key="company_statuses")
st.caption(schema.RESPONSE_STATUS_LEGEND + " A proposal is not a company action.")
for category in schema.RESPONSE_CATEGORIES:
    notes = data.responses[(data.responses["category"] == category)
                           & data.responses["status"].isin(statuses)]
    if notes.empty:
        continue
    label = schema.RESPONSE_CATEGORY_LABELS[category]
    with st.expander(f"{label} ({len(notes)})", expanded=True):
        for note in notes.itertuples():
            widgets.response_note(note)

# --- Entries and events ---
removed_entries = int((data.entries["status"] == schema.REMOVED).sum()) if len(data.entries) else 0
st.header(f"Entries ({len(data.entries)})")
if data.entries.empty:
    st.info("No entry on today's list is linked to this company.")
else:
    st.caption(f"Every entry linked to this profile: {len(data.entries) - removed_entries} on today's list"
               + (f", {removed_entries} removed since" if removed_entries else "")
               + ". Each id opens the entry's page.")
    st.dataframe(with_entry_links(with_citation_url(data.entries)), hide_index=True,
                 column_order=["entry_page", "name", "destination", "status", "listed_date", "citation_url",
                               "citations_page", "address", "license_requirement", "license_review_policy",
                               "company_link"],
                 column_config={
                     "entry_page": st.column_config.LinkColumn("Id", display_text=r"id=(EL-\d+)",
                                                               help="Opens the entry's page"),
                     "status": "Status",
                     "name": st.column_config.TextColumn("Name", width="large"),
                     "destination": "Destination",
                     "listed_date": st.column_config.DateColumn("First listed"),
                     "citation_url": st.column_config.LinkColumn(
                         "First citation", display_text=r"citation/(\d+-FR-\d+)"),
                     "citations_page": st.column_config.LinkColumn(
                         "All citations", display_text=r"#(.+)", width="large",
                         help="Every citation of the entry; opens its page, where each links to the "
                              "Federal Register"),
                     "address": "Address",
                     "license_requirement": "License requirement",
                     "license_review_policy": "License review policy",
                     "company_link": "How linked to this company"}, placeholder="")
    widgets.download_csv(with_citation_url(data.entries),
                    file_name=file_stem("entity-list-company", company_id, "entries") + ".csv",
                    key="download_company_entries")
    with st.expander(f"Listing events ({len(data.events)})"):
        st.dataframe(with_citation_url(data.events, "fr_citation").assign(
                         entry_page=data.events["entity_id"].map(entry_href)), hide_index=True,
                     column_order=["date", "action", "entry_page", "entity_name", "citation_url", "rule_id",
                                   "rule_url", "derivation", "note"],
                     column_config={"date": st.column_config.DateColumn("Date"),
                                    "entry_page": st.column_config.LinkColumn("Entry",
                                                                              display_text=r"id=(EL-\d+)"),
                                    "citation_url": st.column_config.LinkColumn(
                                        "Citation", display_text=r"citation/(\d+-FR-\d+)"),
                                    "rule_url": st.column_config.LinkColumn("Rule", display_text="open")},
                     placeholder="")

# --- Related companies ---
related = questions.related_companies(company_id)
if not related.empty:
    total = int(related["related_total"].iloc[0])
    st.header(f"Related companies ({total:,})")
    if total > len(related):
        st.caption(f"The {len(related)} most closely related of {total:,}: a shared parent first, then "
                   "the most rules and days their listings share with this company's.")
    for row in related.itertuples():
        st.markdown(f"- [{md_escape(row.name)}](company?company={row.company_id}) "
                    f"— {md_escape(row.relation)}")

# --- Network of related entries ---
st.header("Network of related entries")
hops = st.radio("Steps from this company's entries", (1, 2), key="hops", horizontal=True,
                format_func=lambda n: "their groups" if n == 1 else "and the groups of those entries")
network_section(f"{profile['name']}: related entries", hops, key="company_network", company_id=company_id)
