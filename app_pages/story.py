"""Story: the listings chart, moment by moment; each step is its own link, for presenting."""

import streamlit as st

from tracker.filters import Filters
from tracker.present import charts
from tracker.present.page_state import STORY
from tracker.present.text import citation_links, day, file_stem, link, md_escape
from tracker.ui import page, questions, state, widgets

page.frame("The story, moment by moment")
moments = questions.moments()
if moments.empty:
    st.info("No policy moments are recorded yet (data/inputs/moments.csv).")
    st.stop()

# --- Step from the URL (?step=1 is the first moment) ---
state.read(STORY, step=range(1, len(moments) + 1))


def move(by: int) -> None:
    st.session_state["step"] = min(max(st.session_state["step"] + by, 1), len(moments))


step = st.session_state["step"]
moment = moments.iloc[step - 1]
back, position, forward = st.columns([1, 3, 1], vertical_alignment="center")
back.button("← Previous", on_click=move, args=(-1,), disabled=step == 1, key="story_back",
            width="stretch")
position.markdown(f"**Moment {step} of {len(moments)}: {day(moment['date'])} · "
                  f"{md_escape(moment['title'])}**")
forward.button("Next →", on_click=move, args=(1,), disabled=step == len(moments), key="story_next",
               width="stretch")

listings = questions.listings_over_time(Filters(), "quarter", "destination")
listed = questions.count_entries(Filters(date_to=moment["date"].date(), actions=("added",)))
title = "Entries on today's list by quarter first listed"
widgets.chart(charts.story_step(listings, moments, step - 1, title),
              key="story_chart", file_name=file_stem("entity-list-story", step, moment["moment_id"]),
              takeaway=f"By {day(moment['date'])}, {listed:,} of the entries on today's list had been "
                       "listed.")
st.markdown(md_escape(moment["note"]))
sources = [citation_links(moment["fr_citations"]), link(moment["source_name"], moment["source_url"])]
st.caption("Source: " + " · ".join(s for s in sources if s))
state.write(STORY, {"step": step})
