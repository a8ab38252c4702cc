"""Screening: names pasted or uploaded, screened against the Entity List (or every US list), each
with its verdict, best matches and the reason, and a CSV kept as evidence of the check.

The names screened stay in this session's memory: they are not put in the URL, logged or stored.
"""

from datetime import UTC, datetime

import streamlit as st

from tracker import schema
from tracker.present.export import csv_bytes
from tracker.present.page_state import SCREEN
from tracker.present.text import day, link, md_escape
from tracker.screening import match, results
from tracker.ui import page, questions, state, widgets

RESULTS_KEY = "_screen_results"  # session memory only: gone when the session ends
SUMMARY_NAMES = 20
VERDICT_WORDS = {"likely": "likely match", "possible": "possible match", "none": "no match"}


def summary_line(result: results.Result) -> str:
    """'**Rosneft** (line 3): likely match: [Rosneft](entry?id=EL-1234) (EL, Russia), exact name.'"""
    line = f"**{md_escape(result.query.name)}** (line {result.query.line}): {VERDICT_WORDS[result.verdict]}"
    if result.matches:
        best = result.matches[0]
        where = ", ".join(filter(None, (best.list, best.destination)))
        line += (f": {link(best.name, best.link)} ({md_escape(where)}), {md_escape(best.reason)}"
                 + (f"; {len(result.matches) - 1} more" if len(result.matches) > 1 else ""))
    if result.note:
        line += f". {md_escape(result.note[0].upper() + result.note[1:])}"
    return line + "."

page.frame("Screening")
version = questions.screening_version()
manifest = questions.manifest()
state.read(SCREEN)

st.warning("**A screening aid, not a clearance.** A match means a listed name is written like the name "
           "you gave; no match does not clear a party. Check each match against the list itself before "
           "you act.", icon=":material/fact_check:")
st.caption("Privacy: the names you screen are never logged or stored. They are not put in the page's "
           "address, not written to any file, and are forgotten when you close this tab.")
if version["version_id"]:
    st.markdown(
        f"Screened against the **Entity List** as this dashboard holds it "
        f"({version['entity_list_entries']:,} entries on today's list, data as of "
        f"{md_escape(manifest.data_as_of or 'unknown')}), or against **every list** of the "
        f"Consolidated Screening List version **{md_escape(version['version_id'])}** of "
        f"{day(version['version_date'])} ({version['rows']:,} rows, {len(version['by_list'])} lists). "
        f"Source of the other lists: {results.SCREENING_LIST_SOURCE}. Entity List matches are this "
        f"dashboard's entries (eCFR text).")
else:
    st.info("The Consolidated Screening List is not among the inputs: names are screened against the "
            "Entity List only.")

lists = st.segmented_control(
    "Screen against", ("EL", "all"), key="lists", selection_mode="single",
    format_func={"EL": "Entity List", "all": "Every US list (Consolidated Screening List)"}.get,
    help="An Entity List screen still says when a name is on another list.")
lists = lists or "EL"
state.write(SCREEN, {"lists": lists})

with st.form("screen_form", enter_to_submit=False):
    pasted = st.text_area(
        f"Names, one a line (optionally `name, country`), up to {results.MAX_NAMES:,}", key="screen_names",
        height=180, placeholder="Huawei Technologies Co., Ltd.\nBeijing Zhipu Huazhang Technology, China\n"
                                "Rosneft, Russia")
    uploaded = st.file_uploader(
        "Or a CSV with a name column, an optional country column and your own reference column",
        type=["csv"], key="screen_file", max_upload_size=results.MAX_BYTES // 1_000_000 or 1)
    submitted = st.form_submit_button("Screen", type="primary", icon=":material/fact_check:")

if submitted:
    try:
        if uploaded is not None:
            data = uploaded.getvalue()
            queries, reference_name = results.read_upload(data), results.reference_header(data)
        else:
            queries = results.read_paste(pasted or "", questions.screening_destinations())
            reference_name = "reference"
    except results.InputProblem as problem:
        st.error(md_escape(str(problem)))
        queries = []
    if queries:
        bar = st.progress(0.0, text=f"Screening {len(queries):,} names…")
        found = questions.screen(queries, lists, lambda done, total: bar.progress(
            done / total, text=f"Screened {done:,} of {total:,} names"))
        bar.empty()
        st.session_state[RESULTS_KEY] = (found, lists, reference_name, datetime.now(UTC))
    elif not st.session_state.get(RESULTS_KEY):
        st.info("Paste names or choose a CSV file, then press Screen.")

kept = st.session_state.get(RESULTS_KEY)
if kept:
    found, screened_lists, reference_name, screened_at = kept
    frame = results.results_frame(found, version, manifest.data_as_of, screened_at, screened_lists,
                                  reference_name)
    counts = {v: sum(r.verdict == v for r in found) for v in match.VERDICTS}
    against = "the Entity List" if screened_lists == "EL" else "every list"
    st.subheader(f"{len(found):,} names screened against {against}")
    columns = st.columns(3)
    for column, (verdict, label) in zip(columns, (("likely", "Likely match"), ("possible", "Possible match"),
                                                  ("none", "No match")), strict=True):
        column.metric(label, f"{counts[verdict]:,}")
    for result in found[:SUMMARY_NAMES]:  # the first names in words too (the table holds them all)
        st.markdown(summary_line(result))
    if len(found) > SUMMARY_NAMES:
        st.caption(f"The first {SUMMARY_NAMES} names are summed up above; the table and the CSV hold all "
                   f"{len(found):,}.")
    shown = frame.assign(list_name=frame["list"].map(schema.SCREENING_LISTS.get))
    st.dataframe(
        shown, hide_index=True, key="screen_table",
        column_order=["line", "name", "verdict", "listed_name", "reason", "list", "match_verdict", "score",
                      "destination",
                      "listed_date", "license_requirement", "license_review_policy", "link", "note",
                      results.reference_column(reference_name)],
        column_config={
            "line": st.column_config.NumberColumn("Line", format="%d"),
            "name": "Name screened",
            "verdict": "Verdict",
            "match_verdict": "This match",
            "listed_name": st.column_config.TextColumn("Listed entry", width="medium"),
            "list": "List",
            "score": st.column_config.NumberColumn("Score", format="%.1f"),
            "reason": st.column_config.TextColumn("Why it matched", width="large"),
            "destination": "Destination",
            "listed_date": "Listed",
            "license_requirement": "License requirement",
            "license_review_policy": "License review policy",
            "link": st.column_config.LinkColumn("Page", display_text="open"),
            "note": st.column_config.TextColumn("On another list", width="medium"),
            results.reference_column(reference_name): "Your reference",
        }, placeholder="")
    st.caption("One row per match (up to five per list), best first; a name without a match has one row. "
               "Thresholds: " + md_escape("; ".join(f"{k}: {v}" for k, v in match.THRESHOLDS.items()))
               + ". Entity List matches open their entry page; other lists open the list's own page.")
    widgets.download_bytes(csv_bytes(frame), file_name=f"screening-{screened_at:%Y%m%dT%H%M%SZ}.csv",
                           key="download_screening",
                           label="Download the results as CSV (with the list version and thresholds)")
