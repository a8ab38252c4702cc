"""The frame every page shares: print and presenter styles, the title with the line saying
which data it shows, notices about the store, the share link, and the footer.

app.py draws the footer before the page runs (into a container below it), so a page that
stops early still has it.
"""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

import pandas as pd
import streamlit as st

from tracker.present import dates
from tracker.present.page_state import PRESENT
from tracker.present.text import day, md_escape
from tracker.ui import questions

PRINT_STYLE = """<style>
@media print {
  [data-testid="stSidebar"], [data-testid="stHeader"], [data-testid="stToolbar"],
  [data-testid="stTextInput"], [data-testid="stMultiSelect"], [data-testid="stSelectbox"],
  [data-testid="stDateInput"], [data-testid="stButtonGroup"], [data-testid="stCheckbox"],
  [data-testid="stDownloadButton"], [data-testid="stWidgetLabel"], .modebar { display: none !important; }
}
</style>"""

# WCAG 2.1 AA text contrast (4.5:1) in the light and the dark theme (tests/browser/test_accessibility.py).
# Neither case can be fixed by a theme option in .streamlit/config.toml:
# - Streamlit fades a whole caption to 60% opacity: 3.9:1 on white, a link in it 3.0:1 (no option sets
#   it). The caption's text is faded instead, to 72% of the theme's text colour, so its links keep the
#   theme's link colour at full strength.
# - The chosen option of a segmented control or pills writes the accent (primaryColor) on a 10% tint of
#   it: 4.5:1 in light, 3.6:1 in dark. A primaryColor light enough for the dark tint would leave the white
#   text of primary buttons below 4.5:1, so the label is the accent moved a quarter toward CanvasText,
#   which follows the color-scheme Streamlit sets on the app: darker in light, lighter in dark.
CONTRAST_STYLE = """<style>
div[data-testid="stCaptionContainer"] {
  opacity: 1; color: color-mix(in srgb, currentColor 72%, transparent); }
[data-testid="stButtonGroup"] button[data-selected="true"] > * {
  color: color-mix(in srgb, currentColor 75%, CanvasText); }
</style>"""

PRESENT_STYLE = """<style>
[data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stSidebar"],
[data-testid="stSidebarCollapsedControl"], [data-testid="stDecoration"] { display: none !important; }
[data-testid="stMainBlockContainer"] { padding-top: 1.5rem !important; }
</style>"""
PRESENT_FONT_SIZE = 22


def styles() -> None:
    """Text contrast that meets WCAG AA; when printed, a page shows its charts, tables and text only."""
    st.html(CONTRAST_STYLE + PRINT_STYLE)
    if presenting():
        st.html(PRESENT_STYLE)


def presenting() -> bool:
    """Presenter mode (?present=1): no sidebar or toolbar, no editing, larger chart text."""
    value, _ = PRESENT.parse(st.query_params.get_all(PRESENT.name), None)
    return value


def frame(title: str, needs_store: bool = True) -> bool:
    """The top of a page: its title, any notice about the store, and which data it shows.

    When there is no store at all it says why and stops the page, unless the page can work
    without one (`needs_store=False`: the editor, where the inputs are repaired); returns
    whether there is a store.
    """
    st.title(title)
    status = questions.store_status()
    if status.build_dir is None:
        no_store(status, problems=needs_store)  # a page that works without a store lists them itself
        if needs_store:
            st.stop()
        return False
    store_notices(status)
    st.caption(dates.dates_line(questions.data_dates(), status.manifest.built_at_minute))
    return True


def no_store(status, problems: bool = True) -> None:
    """Why there is no store to show, with the inputs' problems when that is the reason."""
    st.error(questions.store_problem_text(status))
    if problems and status.problems:
        problem_table(status.problems)


def store_notices(status) -> None:
    """Why the store may be older than the inputs, said once per page (under its title)."""
    if status.build_error:
        st.warning(f"The data could not be rebuilt ({md_escape(status.build_error)}), so the dashboard "
                   "keeps showing the last good data.")
    if status.problems:
        st.warning(f"The inputs were changed but have {len(status.problems)} problem(s), so the "
                   "dashboard keeps showing the last good data. Editors: run "
                   "`python -m tracker validate` or open the Editor page.")


def problem_table(problems) -> None:
    """Validation problems as a table: file, line, column, message."""
    rows = [{"file": p.file, "line": p.line, "column": p.column, "column name": p.column_name,
             "problem": p.message} for p in problems]
    st.dataframe(pd.DataFrame(rows), hide_index=True, placeholder="")


def footer() -> None:
    """Freshness at the foot of every page: when the store was built and the newest rule it holds.

    Left out when the store cannot say: the page itself reports what is wrong with the store.
    """
    status = questions.store_status()
    if status.manifest is None:
        return
    try:
        newest_rule = questions.newest_rules(1)
    except (questions.NoStore, questions.StoreError):
        return
    rule_date = day(newest_rule["publication_date"].iloc[0]) if len(newest_rule) else "none recorded"
    st.divider()
    st.caption(f"Store built {status.manifest.built_at.replace('T', ' ')} · newest rule {rule_date} · "
               "sources and method on the About page.")


def view_link(page_path: str, params: dict[str, str]) -> str:
    """The full address of a page with these parameters, for sharing."""
    origin = ""
    if st.context.url:
        parts = urlsplit(st.context.url)
        origin = f"{parts.scheme}://{parts.netloc}"
    base = (st.get_option("server.baseUrlPath") or "").strip("/")
    path = "/".join(p for p in (base, page_path) if p)
    query = urlencode(params)
    return f"{origin}/{path}" + (f"?{query}" if query else "")


def share(page_path: str, params: dict[str, str]) -> None:
    """The 'copy link to this view' control, and a link to the same view for presenting."""
    if presenting():
        return
    with st.sidebar.popover("Share this view", icon=":material/link:", width="stretch"):
        st.caption("Copy the link: it opens this page with the same filters.")
        st.code(view_link(page_path, params), language=None, wrap_lines=True)
        st.markdown(f"[Open it in presenter mode]({view_link(page_path, {**params, 'present': '1'})})")
