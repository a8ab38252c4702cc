"""Changes: what changed on the list between two of its versions, entry by entry and field by field."""

import streamlit as st

from tracker import schema
from tracker.present import changes, charts
from tracker.present.page_state import CHANGES
from tracker.present.text import file_stem, link, md_escape
from tracker.ui import page, questions, state, widgets

page.frame("Changes")
found = questions.versions()
by_name = {v.name: v for v in found}
pair = changes.default_pair(found)
if pair is None:
    st.info("The inputs hold fewer than two versions of the list of one kind of source: nothing to compare.")
    st.stop()
state.read(CHANGES, **{"from": set(by_name), "to": set(by_name)})
# A version left unchosen (the declared default) is one of the newest two alike (changes.default_pair).
names = list(by_name)
left, right = st.columns(2)
old_name = left.selectbox("From version", names, key="from", index=None,
                          placeholder=f"{pair[0]} (the older of the newest two alike)")
new_name = right.selectbox("To version", names, key="to", index=None,
                           placeholder=f"{pair[1]} (the newest alike)")
state.write(CHANGES, {"from": old_name, "to": new_name})
old, new = by_name[old_name or pair[0]], by_name[new_name or pair[1]]
if old.version_id == new.version_id:
    st.info("Choose two different versions to compare.")
    st.stop()

# --- What each version is ---
for column, version, role in ((left, old, "From"), (right, new, "To")):
    with column.container(border=True):
        st.markdown(f"**{role}: {md_escape(version.name)}** · "
                    f"{md_escape(schema.VERSION_SOURCE_KIND_MEANINGS[version.source_kind])}  \n"
                    f"Source: {md_escape(version.source)}  \n"
                    f"File: {link(version.source_path, version.source_path)}  \n"
                    f"What its date means: {md_escape(version.date_meaning)}  \n"
                    f"{version.rows:,} rows, {version.unmatched_rows:,} matched to no entry")
        if version.notes:
            st.caption("Notes: " + md_escape(version.notes))
if old.source_kind != new.source_kind:
    st.warning("The two versions come from different kinds of source: names and citations are written "
               "differently, so many entries show as changed. Compare versions of one kind for changes "
               "of substance.")

diff = questions.version_diff(old.version_id, new.version_id, shown=changes.SHOWN_ROWS,
                              whole=changes.SHOWN_WHOLE)
counts = diff.counts
metrics = st.columns(5)
for column, kind in zip(metrics, changes.DIFF_KINDS, strict=False):
    column.metric(changes.DIFF_KIND_LABELS[kind], f"{counts[kind]:,}")
metrics[4].metric("Rows matched to no entry", f"{old.unmatched_rows:,} → {new.unmatched_rows:,}")
st.caption("Entries are today's entries (ids as on the list now; entries no longer listed kept with the "
           "status removed). Rows matched to no entry are neither added nor removed: counted apart.")
unmatched = [f"{v.unmatched_rows:,} of {v.name}" for v in (old, new) if v.unmatched_rows]
if unmatched:
    st.caption(f"Rows matched to no entry: {', '.join(unmatched)}. An entry shown as added or removed may be "
               "one of them, written so differently that it was not matched.")

with st.expander("How rows are matched and compared"):
    st.markdown("Each row of a version is matched to the entry it is:  \n" + "  \n".join(
        f"- **{md_escape(kind)}**: {md_escape(meaning)}"
        for kind, meaning in schema.MATCH_KIND_MEANINGS.items()))
    st.markdown("Compared: " + ", ".join(schema.VERSION_FIELD_LABELS[f] for f in diff.compared) + ".  \n"
                "Format-only differences (case, dashes, spacing, 'UAE'/'U.A.E.', a final period, the order "
                "of aliases) are counted apart from changes.")
for field, why in diff.not_compared.items():
    st.caption(f"{schema.VERSION_FIELD_LABELS[field]}: {md_escape(why)}, not compared.")

# --- Chart ---
if len(diff.entries):
    by_destination = diff.by_destination()
    widgets.chart(charts.version_differences(by_destination, changes.DIFF_KIND_LABELS,
                                             "Differences by destination"),
                  key="changes_chart", file_name=file_stem("entity-list-changes", old.name, new.name),
                  takeaway=f"{old.name} → {new.name}: {counts['added']:,} added, "
                           f"{counts['removed']:,} removed, {counts['changed']:,} changed, "
                           f"{counts['format_only']:,} changed in writing only")
else:
    st.info("The two versions say the same of every entry they share.")

if not diff.complete:
    st.caption(f"The tables below show the first {len(diff.entries):,} of the {len(diff.kinds):,} entries "
               "that differ, by entry number; the counts, the chart and the CSV have all.")
ENTRY_COLUMNS = {
    "page": st.column_config.LinkColumn("Entry", display_text=r"id=(.+)"),
    "name": "Name", "destination": "Destination", "status": "Status today", "fields": "Fields",
    "fr_citations": "Citations", "citation_url": st.column_config.LinkColumn(
        "Federal Register", display_text=r"citation/(\d+-FR-\d+)"),
    "removed_fr_citation": "Removal citation", "match": "Matched as"}
FIELD_COLUMNS = {"page": st.column_config.LinkColumn("Entry", display_text=r"id=(.+)"), "name": "Name",
                 "destination": "Destination", "field": "Field",
                 "old": st.column_config.TextColumn(f"{old.name} (old)", width="large"),
                 "new": st.column_config.TextColumn(f"{new.name} (new)", width="large")}
for kind, title in ((changes.ADDED, "Added"), (changes.REMOVED, "Removed")):
    rows = changes.entry_rows(diff.entries, kind)
    st.subheader(f"{title} ({counts[kind]:,})")
    if len(rows) < counts[kind]:
        st.caption(f"{counts[kind] - len(rows):,} more; the CSV has all.")
    if len(rows):
        order = ["page", "name", "destination", "status", "fr_citations", "citation_url", "match"]
        if kind == changes.REMOVED:
            order.insert(6, "removed_fr_citation")
        st.dataframe(rows, hide_index=True, column_order=order, column_config=ENTRY_COLUMNS,
                     key=f"table_{kind}", placeholder="")
for format_only, title in ((False, "Changed, field by field"),
                           (True, "Differences in writing only, field by field")):
    rows = changes.field_rows(diff.fields, format_only)
    entries = rows["entity_id"].nunique()
    shown_in_part = "" if diff.complete else " shown"
    st.subheader(f"{title} ({entries:,} entries{shown_in_part})")
    if len(rows):
        st.dataframe(rows, hide_index=True, column_order=list(FIELD_COLUMNS), column_config=FIELD_COLUMNS,
                     key=f"fields_{int(format_only)}", placeholder="")

st.subheader("Differences by destination")
if len(diff.entries):
    table = by_destination.pivot_table(index="destination", columns="kind", values="entries", fill_value=0)
    table = table.reindex(columns=[k for k in changes.DIFF_KINDS if k in table.columns])
    st.dataframe(table.rename(columns=changes.DIFF_KIND_LABELS), key="by_destination", placeholder="")
csv_name = file_stem("entity-list-changes", old.name, new.name) + ".csv"
if diff.complete:
    widgets.download_csv(changes.export_rows(diff.entries, diff.fields), key="download_changes",
                         file_name=csv_name, view=("changes", old.version_id, new.version_id))
else:  # every entry read with its text only when the CSV is asked for
    whole = questions.later(questions.version_diff, old.version_id, new.version_id)

    def whole_csv():
        full = whole()
        return changes.export_rows(full.entries, full.fields)

    widgets.download_csv(whole_csv, key="download_changes", file_name=csv_name)
