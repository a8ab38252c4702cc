"""Rules: the Federal Register rules that changed the list, what each says it did, and its entries."""

import pandas as pd
import streamlit as st

from tracker import schema
from tracker.citations import source_url
from tracker.present import charts, takeaways
from tracker.present.entry import with_entry_links
from tracker.present.page_state import RULES
from tracker.present.text import citation_links, day, file_stem, link, md_escape, with_citation_url
from tracker.ui import page, questions, state, widgets

page.frame("Federal Register rules")
all_rules = questions.rules()
labels = questions.rule_labels()
state.read(RULES, rule=set(labels))

# --- What the rules say against today's list ---
reconciliation = questions.listing_dates_reconciliation()
widgets.chart(charts.rule_reconciliation(reconciliation, "Added by each rule date: stated vs on today's list"
                                         ), key="rules_chart", file_name="entity-list-rules-reconciliation",
              takeaway=takeaways.reconciliation(reconciliation))
st.caption("Stated counts come from each rule's own text (summary, title or a secondary source, as the "
           "'counts source' column says). Today's list no longer holds entries removed since, and an "
           "entry's citation may be a later revision, so the two can differ.")

# --- The rules ---
scope = st.segmented_control("Show", schema.RULE_SCOPES, selection_mode="multi",
                             default=list(schema.RULE_SCOPES), key="rules_scope",
                             format_func=schema.RULE_SCOPE_LABELS.get)
shown = all_rules[all_rules["scope"].isin(scope or [])]
st.dataframe(
    with_citation_url(shown, "fr_citation"),
    hide_index=True,
    column_order=["publication_date", "citation_url", "document_number", "title", "entities_added",
                  "entries_added", "entries_revised", "entities_removed", "stated_removed", "names_removed",
                  "entries_citing", "country_counts", "counts_source", "source_caveat", "url"],
    column_config={
        "publication_date": st.column_config.DateColumn("Published"),
        "citation_url": st.column_config.LinkColumn("Citation", display_text=r"citation/(\d+-FR-\d+)"),
        "document_number": "FR doc.",
        "title": st.column_config.TextColumn("Title", width="large"),
        "entities_added": st.column_config.NumberColumn("Entities added (stated)"),
        "entries_added": st.column_config.NumberColumn("Entries added (stated)"),
        "entries_revised": st.column_config.NumberColumn("Revised (stated)"),
        "entities_removed": st.column_config.NumberColumn("Removed (stated)"),
        "stated_removed": "Removed, as stated",
        "names_removed": st.column_config.TextColumn(
            "Removed, named", help="Names of removed entities a source gives ('(inferred)': matched from "
                                   "versions of the list). A count with no names stays a count."),
        "source_caveat": st.column_config.TextColumn("Weak source",
                                                     help="Why the rule's only sources are weak."),
        "entries_citing": st.column_config.NumberColumn("Today's entries citing it"),
        "country_counts": "Added by destination (stated)", "counts_source": "Counts source",
        "url": st.column_config.LinkColumn("Link", display_text="open"),
    }, placeholder="")
scope_names = [schema.RULE_SCOPE_LABELS[s] for s in schema.RULE_SCOPES if s in (scope or [])]
widgets.download_csv(shown, key="download_rules", view=("rules", tuple(sorted(scope or []))),
                     file_name=file_stem("entity-list-rules", *scope_names) + ".csv")

# --- One rule ---
st.header("One rule and its entries")
rule_id = st.selectbox("Rule", list(labels), key="rule", index=None, format_func=labels.get,
                       placeholder="Choose a rule…")
state.write(RULES, {"rule": rule_id})
if rule_id:
    rule = all_rules[all_rules["rule_id"] == rule_id].iloc[0]
    st.markdown(f"**{md_escape(rule['title'] or '(no title recorded)')}**  \n"
                f"Published {day(rule['publication_date'])} · "
                f"{citation_links(rule['fr_citation']) or 'citation not recorded'} · "
                f"{link('Federal Register document', rule['url'])}")
    counts = {label: rule[key] for label, key in
              (("Entities added", "entities_added"), ("Entries added", "entries_added"),
               ("Entries revised", "entries_revised"), ("Entries corrected", "entries_corrected"),
               ("Entities removed", "entities_removed")) if pd.notna(rule[key])}
    if counts:
        columns = st.columns(len(counts))
        for column, (label, value) in zip(columns, counts.items(), strict=True):
            column.metric(f"{label} (stated)", int(value))
    if isinstance(rule["stated_removed"], str) and rule["stated_removed"]:
        names = rule["names_removed"] if isinstance(rule["names_removed"], str) else ""
        named = [n for n in names.split(schema.LIST_SEPARATOR) if n]
        st.markdown(f"**Removed, as stated:** {md_escape(rule['stated_removed'])} · **named by a source:** "
                    + (md_escape("; ".join(named)) if named else "none (the count stays a count)"))
        if isinstance(rule["removal_notes"], str) and rule["removal_notes"]:
            st.caption("On the removals: " + md_escape(rule["removal_notes"]))
    if isinstance(rule["source_caveat"], str) and rule["source_caveat"]:
        st.warning(f"Weak source: {md_escape(rule['source_caveat'])}. Treat this rule's details as "
                   "unconfirmed until the Federal Register document is read.", icon=":material/warning:")
    if rule["summary"]:
        st.markdown(md_escape(rule["summary"]))
    if rule["notes"]:
        st.caption("Note: " + md_escape(rule["notes"]))
    sources = [s for s in (rule["sources"] or "").split(schema.LIST_SEPARATOR) if s]
    st.caption("Recorded from: " + " · ".join(link(s if len(s) < 60 else s[:57] + "…", source_url(s))
                                              for s in sources))
    entries = questions.rule_entries(rule_id)
    if entries.empty:
        st.info("No entry is attributed to this rule. Either its entries were removed since and no "
                "source names them (a removal the rule counts stays a count), or their citations could "
                "not be tied to this rule (several rules on one day without a recorded first page).")
    else:
        removed = int((entries["status"] == schema.REMOVED).sum())
        st.markdown(f"**{len(entries) - removed} entries on today's list cite this rule**"
                    + (f" · {removed} entries no longer on the list" if removed else ""))
        st.dataframe(with_entry_links(with_citation_url(entries, "fr_citation"), citations=None),
                     hide_index=True,
                     column_order=["action", "entry_page", "name", "destination", "status", "fr_citation",
                                   "citation_url", "license_requirement", "license_review_policy"],
                     column_config={
                         "action": "Action", "name": "Name", "status": "Status",
                         "entry_page": st.column_config.LinkColumn("Id", display_text=r"id=(EL-\d+)",
                                                                   help="Opens the entry's page"),
                         "destination": "Destination", "fr_citation": "Citation",
                         "citation_url": st.column_config.LinkColumn(
                             "Federal Register", display_text=r"citation/(\d+-FR-\d+)"),
                         "license_requirement": "License requirement",
                         "license_review_policy": "License review policy"}, placeholder="")
        widgets.download_csv(entries, file_name=file_stem("entity-list-rule", rule_id) + ".csv",
                        key="download_rule_entries")
