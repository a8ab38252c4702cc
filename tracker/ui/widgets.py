"""The Streamlit pieces the pages share: a chart with its takeaway and PNG export, CSV
downloads of exactly what is shown, and a strategic-response note with its source."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from tracker import schema
from tracker.present.export import csv_bytes
from tracker.present.text import link, md_escape
from tracker.ui import questions
from tracker.ui.page import PRESENT_FONT_SIZE, presenting


def response_note(note, with_company: bool = False) -> None:
    """One strategic-response note: date, status, title, text and source, all from the data as text."""
    measure = (f" · *answers the {md_escape(note.measure)}, not the Entity List*"
               if isinstance(note.measure, str) and note.measure else "")
    company = (f"[{md_escape(note.company_name)}](company?company={note.company_id}) · "
               f"{schema.RESPONSE_CATEGORY_LABELS[note.category]} · " if with_company else "")
    st.markdown(f"**{md_escape(note.date)} · {company}{note.status}** · {md_escape(note.title)}{measure}  \n"
                f"{md_escape(note.note)}  \nSource: {link(note.source_name, note.source_url)} · "
                f"{source_strength(note)}")


def source_strength(note) -> str:
    """Markdown of how strong a note's source is (schema.SOURCE_KIND_MEANINGS), a weak one said so,
    with the note on the source where one is given."""
    kind = getattr(note, "source_kind", None)
    if not isinstance(kind, str) or kind not in schema.SOURCE_KIND_MEANINGS:
        text = "*source strength not yet judged*"
    else:
        weak = "weak source: " if kind in schema.WEAK_SOURCE_KINDS else ""
        text = f"*{weak}{schema.SOURCE_KIND_LABELS[kind]}* ({md_escape(schema.SOURCE_KIND_MEANINGS[kind])})"
    source_note = getattr(note, "source_note", None)
    if isinstance(source_note, str) and source_note:
        text += f" · about this source: {md_escape(source_note)}"
    return text


def download_bytes(data: bytes, file_name: str, key: str, label: str, mime: str | None = None) -> None:
    """A download button for bytes prepared by the library (a checked CSV, a patch)."""
    st.download_button(label, data=data, file_name=file_name, key=key, icon=":material/download:",
                       on_click="ignore", mime=mime)


# Up to this many rows a page builds its CSV with the page, not when the button is clicked: Streamlit
# deletes a file made on click once two script runs of any session have finished, so with many
# readers the browser could ask for it too late and the download was cancelled (tests/browser/test_load.py).
EAGER_CSV_ROWS = 10_000


@st.cache_data(ttl=questions.CACHE_TTL_S, show_spinner=False, max_entries=64)
def _csv(frame: pd.DataFrame) -> bytes:
    return csv_bytes(frame)


@st.cache_data(ttl=questions.CACHE_TTL_S, show_spinner=False, max_entries=16)
def _csv_of_view(build_id: str, view: tuple, _frame: pd.DataFrame) -> bytes:
    return csv_bytes(_frame)  # keyed by the view, not by hashing (a sample of) a large frame


def download_csv(frame_or_maker, file_name: str, key: str, label: str = "Download CSV",
                 view: tuple | None = None) -> None:
    """A download button for a CSV of exactly these rows (formulas neutralised).

    A maker (a function returning the frame) runs only when the button is clicked: pass one only
    for results over EAGER_CSV_ROWS rows. `view`, when given, names everything the frame depends
    on besides the store build; its CSV is then written once per build and view, at any size.
    """
    if callable(frame_or_maker):
        data = lambda: csv_bytes(frame_or_maker())  # noqa: E731 - built only when clicked
    elif view is not None:
        data = _csv_of_view(questions.manifest().build_id, view, frame_or_maker)
    elif len(frame_or_maker) <= EAGER_CSV_ROWS:
        data = _csv(frame_or_maker)  # the same rows in many sessions are written once
    else:
        data = csv_bytes(frame_or_maker)
    st.download_button(label, data=data, file_name=file_name, mime="text/csv", key=key,
                       icon=":material/download:", on_click="ignore")


def chart(fig, key: str, file_name: str, takeaway: str, **kwargs):
    """A Plotly chart with its one-line takeaway beside it and a PNG download named after the view."""
    st.markdown(f"**{md_escape(takeaway)}**")
    if presenting():
        fig.update_layout(font_size=PRESENT_FONT_SIZE, title_font_size=PRESENT_FONT_SIZE + 4)
    config = {"displaylogo": False,
              "toImageButtonOptions": {"format": "png", "filename": file_name, "scale": 2,
                                       "width": 1600, "height": 900}}
    return st.plotly_chart(fig, key=key, config=config, alt=takeaway, **kwargs)
