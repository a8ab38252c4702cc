"""Entry: one entry of the list (listed or removed), its status, every Federal Register action on it,
the versions of the list it appears in, its company profile, and its CSV and JSON."""

import streamlit as st

from tracker import schema
from tracker.present import entry as present
from tracker.present.page_state import COMPANY, ENTRY, EXPLORER, page_href
from tracker.present.text import citation_links, day, file_stem, link, md_escape
from tracker.ui import page, questions, related, state, widgets

page.frame("Entry")
state.read(ENTRY)
typed = st.text_input("Entry id", key="id", max_chars=40, placeholder="e.g. EL-0882")
# The network's hops widget is at the page's end (tracker.ui.related); its value is written here.
state.write(ENTRY, {"id": typed, "hops": st.session_state.get("hops", 1)})
entity_id = (typed or "").strip().upper()
data = questions.entry_page(entity_id) if entity_id else None

if data is None or data.entry is None:
    if entity_id:
        st.info(f"There is no entry '{md_escape(typed)}' on the list or among the entries removed "
                "from it. An entry id looks like EL-0882.")
    else:
        st.info("No entry chosen: open an entry from the explorer, a rule or a company page.")
    st.page_link(f"app_pages/{EXPLORER.page}.py", label="Find an entry in the explorer",
                 icon=":material/search:")
    st.stop()

entry, events = data.entry, data.events
st.header(md_escape(entry["name"]))
st.markdown(present.status_line(entry, events, data.versions, data.removal_rule))

# --- What the list says ---
facts = [("Id", entry["entity_id"]), ("Also known as", (entry.get("aliases") or "").replace(
    schema.LIST_SEPARATOR, "; ")), ("Local-language name", entry.get("local_name")),
    ("Destination", entry.get("destination")), ("Address", entry.get("address")),
    ("Entry type", entry.get("entry_type"))]
st.markdown("  \n".join(f"**{label}:** {md_escape(value)}" for label, value in facts if value))
st.subheader("Licence requirement and review policy")
requirement = md_escape(entry.get("license_requirement")) or "not stated"
st.markdown(f"**Licence requirement, as the list states it:** {requirement}"
            f" · *scope: {md_escape(entry.get('license_scope'))}*  \n"
            f"**Licence review policy, as the list states it:** "
            f"{md_escape(entry.get('license_review_policy')) or 'not stated'}"
            f" · *family: {md_escape(entry.get('policy_family'))}*")
cited = citation_links(entry.get("fr_citations"))
st.caption(f"Citations in the entry's cell: {cited or 'none recorded'} · Source of the entry's text: "
           f"{md_escape(entry.get('source'))}"
           + (f" · Note: {md_escape(entry['notes'])}" if entry.get("notes") else ""))

# --- Timeline ---
st.header(f"Federal Register actions ({len(events)})")
if events.empty:
    st.info("No Federal Register action is recorded for this entry.")
else:
    st.markdown("\n".join(present.action_lines(events)))
    st.dataframe(present.timeline(events), hide_index=True,
                 column_order=["date", "action", "citation_url", "rule_title", "rule_page", "derivation",
                               "parts_removed", "evidence", "note"],
                 column_config={
                     "date": st.column_config.DateColumn("Date"), "action": "Action",
                     "citation_url": st.column_config.LinkColumn(
                         "Citation", display_text=r"citation/(\d+-FR-\d+)"),
                     "rule_title": st.column_config.TextColumn("Rule", width="large"),
                     "rule_page": st.column_config.LinkColumn("Rule page", display_text=r"rule=(.+)"),
                     "derivation": st.column_config.TextColumn(
                         "How known", help="; ".join(
                             f"{k}: {v}" for k, v in schema.EVENT_DERIVATION_MEANINGS.items())),
                     "parts_removed": "Parts removed", "evidence": "Evidence", "note": "Note"},
                 placeholder="")
    st.caption("Citations open the Federal Register; a rule page opens the rule on this dashboard. "
               f"'{schema.RULE_NOT_RECORDED}': no rule is recorded for that date and citation.")

# --- Versions of the list ---
versions = data.versions
st.header(f"Versions of the list it appears in ({len(versions)})")
if versions.empty:
    st.info("This entry is in none of the recorded versions of the list.")
else:
    st.dataframe(versions, hide_index=True,
                 column_order=["version_date", "source", "date_meaning", "row", "match", "version_name"],
                 column_config={"version_date": st.column_config.DateColumn("Version"),
                                "source": st.column_config.TextColumn("Source", width="medium"),
                                "date_meaning": "What its date is", "row": "Row",
                                "match": st.column_config.TextColumn("How matched", help="; ".join(
                                    f"{k}: {v}" for k, v in schema.MATCH_KIND_MEANINGS.items())),
                                "version_name": "Name in that version"}, placeholder="")

# --- Company profile ---
st.header("Company profile")
company = data.company
if company:
    st.markdown(f"[{md_escape(company['name'])}]({page_href(COMPANY, company=company['company_id'])})"
                + (f" · {md_escape(company['local_name'])}" if company.get("local_name") else "")
                + (f" · {md_escape(company['sector'])}" if company.get("sector") else "")
                + (f"  \nHow this entry is linked to it: {md_escape(entry['company_link'])}"
                   if entry.get("company_link") else ""))
    sources = [s for s in str(company.get("sources") or "").split(schema.LIST_SEPARATOR) if s]
    if sources:
        st.caption("Profile sources: " + " · ".join(link(f"[{n}]", url) for n, url in enumerate(sources, 1)))
else:
    st.caption("No company profile covers this entry.")

# --- Downloads ---
record = present.entry_record(entry, events, versions, company)
stem = file_stem("entity-list-entry", entry["entity_id"])
left, right = st.columns(2)
with left:
    widgets.download_bytes(present.entry_csv(entry, events), f"{stem}.csv", key="download_entry_csv",
                           label="Download this entry as CSV", mime="text/csv")
with right:
    widgets.download_bytes(present.entry_json(record), f"{stem}.json", key="download_entry_json",
                           label="Download this entry as JSON", mime="application/json")
st.caption(f"Listed first {day(entry.get('listed_date')) or 'on a date no source gives'} · "
           "the CSV has one row per action, each with the entry's fields; the JSON has everything above.")

# --- Related entries and network: the "network" helper adds them here ---
related.section(entry)
