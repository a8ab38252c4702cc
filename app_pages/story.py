"""Story: the listings chart, moment by moment; each step is its own link, for presenting."""

import streamlit as st

from tracker import charts, ui
from tracker.filters import Filters

st.title("The story, moment by moment")
ui.data_as_of()

moments = ui.ask("moments")
if moments.empty:
    st.info("No policy moments are recorded yet (data/inputs/moments.csv).")
    st.stop()

# --- Step from the URL (?step=1 is the first moment) ---
notices = []
raw = (ui.url_params().get("step") or "1").strip()
step = int(raw) if raw.isdigit() and 1 <= int(raw) <= len(moments) else None
if step is None:
    notices.append(f"Ignored 'step={raw}': expected a number from 1 to {len(moments)}.")
    step = 1
ui.load_from_url("story", {"story_step": step}, notices)


def move(by: int) -> None:
    st.session_state["story_step"] = min(max(st.session_state["story_step"] + by, 1), len(moments))


step = st.session_state["story_step"]
moment = moments.iloc[step - 1]
back, position, forward = st.columns([1, 3, 1], vertical_alignment="center")
back.button("← Previous", on_click=move, args=(-1,), disabled=step == 1, key="story_back",
            width="stretch")
position.markdown(f"**Moment {step} of {len(moments)}: {ui.day(moment['date'])} · "
                  f"{ui.md_escape(moment['title'])}**")
forward.button("Next →", on_click=move, args=(1,), disabled=step == len(moments), key="story_next",
               width="stretch")

listings = ui.ask("listings_over_time", Filters(), "quarter", "destination")
listed = ui.ask("count_entries", Filters(date_to=moment["date"].date(), actions=("added",)))
ui.chart(charts.story_step(listings, moments, step - 1, "Entries on today's list by quarter first listed"),
         key="story_chart", file_name=ui.file_stem("entity-list-story", step, moment["moment_id"]),
         takeaway=f"By {ui.day(moment['date'])}, {listed:,} of the entries on today's list had been listed.")
st.markdown(ui.md_escape(moment["note"]))
sources = [ui.citation_links(moment["fr_citations"]), ui.link(moment["source_name"], moment["source_url"])]
st.caption("Source: " + " · ".join(s for s in sources if s))
ui.write_url("story", {"step": str(step)} if step != 1 else {})
