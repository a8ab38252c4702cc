"""Responses: which companies did what after being listed, by category and status, with sources."""

import streamlit as st

from tracker import schema
from tracker.present import charts, takeaways
from tracker.present.entry import entry_href
from tracker.present.page_state import RESPONSES
from tracker.present.text import file_stem, md_escape
from tracker.ui import page, questions, state, widgets

NOTES_SHOWN = 200  # written out one by one; the CSV download holds every note that matches
ENTRY_LINKS = 30  # entries of the chosen company linked above its notes; the rest on its page
MATRIX_COMPANIES = 40  # rows of the matrix chart, one per company (charts.MATRIX_ROW_PX tall)

page.frame("Strategic responses")
profiles = questions.companies()
names = dict(zip(profiles["company_id"], profiles["name"], strict=True))
state.read(RESPONSES, company=set(names))

# --- Matrix ---
chosen_statuses = st.pills("Status", schema.RESPONSE_STATUSES, selection_mode="multi", key="status",
                           format_func=schema.RESPONSE_STATUS_LABELS.get)
st.caption(schema.RESPONSE_STATUS_LEGEND + " Some notes answer other US measures (the note says which).")
if not chosen_statuses:  # the store reads no statuses as all of them; the reader chose none
    st.info("Choose at least one status above to see the companies and their notes.")
    state.write(RESPONSES, {"status": ()})
    st.stop()
matrix = questions.response_matrix(tuple(chosen_statuses))
if matrix.empty:
    st.info("No responses have the chosen status. Choose another status above.")
else:
    shown = charts.busiest_companies(matrix, MATRIX_COMPANIES)
    event = widgets.chart(charts.response_matrix(shown, "Companies × response categories (number of notes)"),
                     key="response_matrix_chart", file_name=file_stem("entity-list-responses",
                                                                         *chosen_statuses),
                     takeaway=takeaways.response_matrix(matrix), on_select="rerun",
                     selection_mode="points")
    points = (event or {}).get("selection", {}).get("points", []) if event else []
    if points and points[0].get("customdata"):
        picked_company, picked_category = points[0]["customdata"][:2]
        if (picked_company, picked_category) != (st.session_state.get("company"),
                                                  st.session_state.get("category")):
            st.session_state["company"], st.session_state["category"] = picked_company, picked_category
            st.rerun()
    companies = matrix["company_id"].nunique()
    if companies > MATRIX_COMPANIES:
        st.caption(f"The {MATRIX_COMPANIES} companies with the most notes, of {companies:,}; choose a "
                   "company below for any other.")
    st.caption("Click a dot to read its notes, or choose below.")

# --- Notes ---
left, right = st.columns(2)
company = left.selectbox("Company", list(names), key="company", index=None, format_func=names.get,
                         placeholder="All companies")
category = right.selectbox("Category", schema.RESPONSE_CATEGORIES, key="category", index=None,
                           format_func=schema.RESPONSE_CATEGORY_LABELS.get,
                           placeholder="All categories")
strengths = st.pills("Source strength", schema.SOURCE_FILTER_CHOICES, selection_mode="multi", key="source",
                     format_func=lambda k: schema.SOURCE_KIND_LABELS.get(k, "not yet judged"))
st.caption("None chosen: notes from every source. "
           + "; ".join(f"{schema.SOURCE_KIND_LABELS[k]}: {md_escape(m)}"
                       for k, m in schema.SOURCE_KIND_MEANINGS.items())
           + f". Weak sources ({', '.join(schema.SOURCE_KIND_LABELS[k] for k in schema.WEAK_SOURCE_KINDS)}) "
           "are said so beside each note.")
state.write(RESPONSES, {"status": tuple(chosen_statuses), "company": company, "category": category,
                        "source": tuple(strengths)})
notes = questions.responses(tuple(chosen_statuses), company, category, tuple(strengths))
if company:
    company_entries = questions.company(company).entries
    if len(company_entries):
        linked = company_entries.head(ENTRY_LINKS)
        st.markdown(f"**Entries of {md_escape(names[company])}:** " + ", ".join(
            f"[{e.entity_id}]({entry_href(e.entity_id)})" for e in linked.itertuples())
            + (f" and [{len(company_entries) - ENTRY_LINKS} more on its company page]"
               f"(company?company={company})" if len(company_entries) > ENTRY_LINKS else ""))
st.header(f"{len(notes):,} notes")
if notes.empty:
    st.info("No notes match. Clear the company or category, or choose more statuses.")
if len(notes) > NOTES_SHOWN:
    st.caption(f"Showing the first {NOTES_SHOWN} of {len(notes):,} notes, oldest first. Choose a company or "
               "a category to narrow them, or download them all below.")
for note in notes.head(NOTES_SHOWN).itertuples():
    widgets.response_note(note, with_company=True)
widgets.download_csv(notes, file_name=file_stem("entity-list-responses", company, category) + ".csv",
                key="download_responses")
