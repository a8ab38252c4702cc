"""The small set of Streamlit helpers the pages share: store access, cached queries,
state in the URL, safe text, links, tables with CSV downloads and charts.

The only module of the library that imports Streamlit.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any
from urllib.parse import urlencode, urlsplit

import duckdb
import pandas as pd
import streamlit as st

from tracker import ingest, store
from tracker.citations import federal_register_url
from tracker.config import data_paths
from tracker.export import csv_bytes

CACHE_TTL_S = 600
STORE_CHECK_S = 10


# --- Page-wide ---

PRINT_STYLE = """<style>
@media print {
  [data-testid="stSidebar"], [data-testid="stHeader"], [data-testid="stToolbar"],
  [data-testid="stTextInput"], [data-testid="stMultiSelect"], [data-testid="stSelectbox"],
  [data-testid="stDateInput"], [data-testid="stButtonGroup"], [data-testid="stCheckbox"],
  [data-testid="stDownloadButton"], [data-testid="stWidgetLabel"], .modebar { display: none !important; }
}
</style>"""


PRESENT_STYLE = """<style>
[data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stSidebar"],
[data-testid="stSidebarCollapsedControl"], [data-testid="stDecoration"] { display: none !important; }
[data-testid="stMainBlockContainer"] { padding-top: 1.5rem !important; }
</style>"""
PRESENT_FONT_SIZE = 22


def print_styles() -> None:
    """When printed, a page shows its charts, tables and text, not its controls."""
    st.html(PRINT_STYLE)
    if presenting():
        st.html(PRESENT_STYLE)


def presenting() -> bool:
    """Presenter mode (?present=1): no sidebar or toolbar, no editing, larger chart text."""
    return st.query_params.get("present") == "1"


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


# --- The store ---

@st.cache_resource(ttl=STORE_CHECK_S, show_spinner="Checking the data…")
def _store_status(data_dir: str) -> ingest.StoreStatus:
    # Re-read at most every few seconds: a rebuild by an editor (or a pushed commit)
    # is picked up on the next run after that, by every session, and built once.
    return ingest.refresh_store(data_paths(data_dir))


def store_status() -> ingest.StoreStatus:
    """The published store and any problem that kept newer inputs from being built."""
    return _store_status(str(data_paths().root))


def refresh_after_save() -> None:
    """Forget the cached store status and look again, so the new build is served (and published) now."""
    _store_status.clear()
    store_status()


def require_store() -> ingest.StoreStatus:
    """The store status; stops the page with a clear message when there is no store at all."""
    status = store_status()
    if status.build_dir is None:
        st.error("The data could not be built, and there is no earlier build to show. "
                 + ("An editor needs to fix these problems in the inputs:" if status.problems
                    else f"The build failed: {md_escape(status.build_error or 'no store was found')}"))
        if status.problems:
            problem_list(status.problems)
        st.stop()
    return status


def store_notices(status: ingest.StoreStatus) -> None:
    """Why the store may be older than the inputs, said once per page (under its title)."""
    if status.build_error:
        st.warning(f"The data could not be rebuilt ({md_escape(status.build_error)}), so the dashboard "
                   "keeps showing the last good data.")
    if status.problems:
        st.warning(f"The inputs were changed but have {len(status.problems)} problem(s), so the "
                   "dashboard keeps showing the last good data. Editors: run "
                   "`python -m tracker validate` or open the Editor page.")


def db():
    """A cursor of the process's one DuckDB connection, for this script run."""
    status = require_store()
    return store.open_store(status.build_dir, status.manifest).cursor()


@st.cache_data(ttl=CACHE_TTL_S, show_spinner=False, max_entries=512)
def _cached(build_id: str, question: str, args: tuple, kwargs: tuple) -> Any:
    # build_id is part of the key, so a rebuilt store never serves old answers.
    return getattr(store, question)(db(), *args, **dict(kwargs))


def ask(question: str, *args, **kwargs) -> Any:
    """Answer of a tracker.store function, cached per store build."""
    build_id = require_store().manifest["build_id"]
    try:
        return _cached(build_id, question, args, tuple(sorted(kwargs.items())))
    except duckdb.Error:
        # A store file deleted or cut short under the running app: check the store again now
        # (a damaged build is rebuilt, or the last intact one served) and answer from that once.
        _store_status.clear()
        rebuilt = require_store().manifest["build_id"]
        if rebuilt == build_id:
            raise
        if not st.session_state.get("_store_rebuilt_notice") == rebuilt:
            st.session_state["_store_rebuilt_notice"] = rebuilt
            st.warning("The published data was damaged on disk, so it has been rebuilt from the inputs.")
        return _cached(rebuilt, question, args, tuple(sorted(kwargs.items())))


def later(question: str, *args, **kwargs):
    """A function that answers a tracker.store question when called (e.g. when a download is clicked)."""
    status = require_store()

    def answer():
        cursor = store.open_store(status.build_dir, status.manifest).cursor()
        return getattr(store, question)(cursor, *args, **kwargs)

    return answer


def day(value: object) -> str:
    """A date, datetime or timestamp as YYYY-MM-DD ('' when missing)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return str(value)[:10]


def rule_labels() -> dict[str, str]:
    """rule_id -> 'YYYY-MM-DD · citation · title' for the rule picker, made once per store build."""
    return _rule_labels(require_store().manifest["build_id"], ask("rules"))


@st.cache_data(ttl=CACHE_TTL_S, show_spinner=False, max_entries=4)
def _rule_labels(build_id: str, _rules: pd.DataFrame) -> dict[str, str]:
    published = pd.to_datetime(_rules["publication_date"]).dt.strftime("%Y-%m-%d").fillna("")
    cited = _rules["fr_citation"].fillna(_rules["document_number"]).fillna("")
    titles = _rules["title"].fillna("(no title recorded)")
    return dict(zip(_rules["rule_id"], published + " · " + cited + " · " + titles, strict=True))


def data_as_of() -> None:
    """The 'data as of' stamp every page shows, after any notice about the store."""
    status = require_store()
    store_notices(status)
    manifest = status.manifest
    st.caption(f"Data as of {manifest['data_as_of']} (newest Federal Register change recorded) · "
               f"store built {manifest['built_at'][:16].replace('T', ' ')} UTC")


def footer() -> None:
    """Freshness at the foot of every page: when the store was built and the newest rule it holds."""
    status = store_status()
    if status.manifest is None:
        return
    newest_rule = ask("newest_rules", 1)
    rule_date = day(newest_rule["publication_date"].iloc[0]) if len(newest_rule) else "none recorded"
    st.divider()
    st.caption(f"Store built {status.manifest['built_at'].replace('T', ' ')} · newest rule {rule_date} · "
               "sources and method on the About page.")


def problem_list(problems) -> None:
    """Validation problems as a table: file, line, column, message."""
    rows = [{"file": p.file, "line": p.line, "column": p.column, "column name": p.column_name,
             "problem": p.message} for p in problems]
    st.dataframe(pd.DataFrame(rows), hide_index=True)


# --- Editors ---

def editor_secrets() -> dict:
    """The app's secrets as a dict; empty when no secrets file exists."""
    try:
        return dict(st.secrets)
    except (FileNotFoundError, KeyError, st.errors.StreamlitSecretNotFoundError):
        return {}


def editor_signed_in() -> bool:
    """Ask for the editor password (at most auth.MAX_ATTEMPTS tries a session); True once it is right."""
    from tracker import auth

    if st.session_state.get("editor_signed_in"):
        return True
    expected = auth.configured_password(editor_secrets())
    if expected is None:
        st.info(f"Editing is turned off: no editor password is configured. To enable it, set "
                f"`{auth.PASSWORD_SECRET}` in `.streamlit/secrets.toml` (or the host's secrets), or "
                f"the environment variable `{auth.PASSWORD_ENV}`, and restart the app.")
        return False
    attempts = st.session_state.get("editor_attempts", 0)
    if attempts >= auth.MAX_ATTEMPTS:
        st.error("Too many wrong passwords in this session. Reload the page later to try again.")
        return False
    with st.form("editor_sign_in"):
        st.text_input("Your name (for the audit log)", key="editor_name")
        password = st.text_input("Editor password", type="password", key="editor_password_input")
        submitted = st.form_submit_button("Sign in")
    if submitted:
        if auth.password_matches(password or "", expected):
            st.session_state["editor_signed_in"] = True
            # Widget values vanish once the form is gone, so the name is kept under its own key.
            st.session_state["editor_signed_in_as"] = (st.session_state.get("editor_name") or "").strip()
            st.rerun()
        st.session_state["editor_attempts"] = attempts + 1
        if attempts + 1 >= auth.MAX_ATTEMPTS:
            st.rerun()
        st.error(f"Wrong password ({auth.MAX_ATTEMPTS - attempts - 1} tries left).")
    return False


def editor_columns(table) -> dict:
    """st.data_editor column settings from the declared schema: labels, help, required, choices."""
    from tracker import schema

    forms = {schema.DATE: r"\d{4}-\d{2}-\d{2}", schema.PARTIAL_DATE: r"\d{4}-\d{2}(-\d{2})?",
             schema.INT: r"-?\d+", schema.URL: r"https?://\S+"}
    config = {}
    for column in table.columns:
        text = f"{column.description} Example: {column.example}"
        if column.allowed:
            config[column.name] = st.column_config.SelectboxColumn(
                column.name, help=text, options=list(column.allowed), required=column.required)
        else:
            config[column.name] = st.column_config.TextColumn(
                column.name, help=text, required=column.required,
                validate=column.pattern or forms.get(column.type))
    return config


def rows_with_problems(frame: pd.DataFrame, lines: list[int], problems, table) -> pd.DataFrame:
    """The editor's rows that problems point at (by the CSV line each row starts on), with the problem."""
    row_of_line = {line: index for index, line in enumerate(lines)}
    picked = []
    for problem in problems:
        if problem.file != table.filename or problem.line not in row_of_line:
            continue
        index = row_of_line[problem.line]
        if index < len(frame):
            row = frame.iloc[index].to_dict()
            picked.append({"row": index + 1, "problem": f"{problem.column_name}: {problem.message}", **row})
    return pd.DataFrame(picked)


def download_bytes(data: bytes, file_name: str, key: str, label: str) -> None:
    """A download button for bytes prepared by the library (a checked CSV, a patch)."""
    st.download_button(label, data=data, file_name=file_name, key=key, icon=":material/download:",
                       on_click="ignore")


# --- State in the URL ---

def url_params() -> dict[str, str]:
    """The query string as a plain dict (last value wins)."""
    return {key: st.query_params.get(key) for key in st.query_params}


def load_from_url(page: str, widget_values: dict[str, Any], notices: list[str]) -> None:
    """Put values read from the URL into the page's widgets when the URL is new to this page.

    The URL wins when it differs from what this page last wrote (a shared link, the
    back button, a fresh tab); otherwise the widgets are the truth and write the URL.
    """
    marker = f"_url_written:{page}"
    # Streamlit forgets a page's widget values while another page runs: coming back through the
    # sidebar to a link this page wrote must set them again too (else required controls are empty).
    forgotten = any(key not in st.session_state for key in widget_values)
    if st.session_state.get(marker) != url_params() or forgotten:
        for key, value in widget_values.items():
            st.session_state[key] = value
        for notice in notices:  # notices quote the URL, which anyone can write: shown as text
            st.toast(md_escape(notice), icon="⚠️")
            st.caption(f"⚠️ {md_escape(notice)}")


PAGE_PATHS = {"overview": "", "explorer": "explorer", "company": "company", "rules": "rules",
              "responses": "responses", "story": "story", "editor": "editor", "about": "about"}


def write_url(page: str, params: dict[str, str]) -> None:
    """Make the query string hold exactly `params` (defaults already left out), and offer it to share."""
    share(PAGE_PATHS[page], params)
    if presenting():
        params = {**params, "present": "1"}
    if url_params() != params:
        st.query_params.from_dict(params)
    st.session_state[f"_url_written:{page}"] = dict(params)


# --- Safe text and links ---

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$:])")


def md_escape(text: object) -> str:
    """Text from the data, escaped so Markdown shows it literally (no links, images or HTML)."""
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return ""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", str(text)).replace("\n", "  \n")


def link(label: object, url: object) -> str:
    """A Markdown link with an escaped label, only for http(s) addresses; else the escaped label."""
    if isinstance(url, str) and re.fullmatch(r"https?://[^\s<>()\"']+", url):
        return f"[{md_escape(label)}]({url})"
    return md_escape(label)


def response_note(note, with_company: bool = False) -> None:
    """One strategic-response note: date, status, title, text and source, all from the data as text."""
    from tracker.charts import CATEGORY_LABELS

    measure = (f" · *answers the {md_escape(note.measure)}, not the Entity List*"
               if isinstance(note.measure, str) and note.measure else "")
    company = (f"[{md_escape(note.company_name)}](company?company={note.company_id}) · "
               f"{CATEGORY_LABELS[note.category]} · " if with_company else "")
    st.markdown(f"**{md_escape(note.date)} · {company}{note.status}** · {md_escape(note.title)}{measure}  \n"
                f"{md_escape(note.note)}  \nSource: {link(note.source_name, note.source_url)}")


def citation_links(citations: object) -> str:
    """'90 FR 4617; 90 FR 4621' as Markdown links to the Federal Register."""
    if not isinstance(citations, str) or not citations:
        return ""
    return "; ".join(link(c.strip(), federal_register_url(c.strip())) for c in citations.split(";"))


def with_citation_url(frame: pd.DataFrame, column: str = "fr_citations") -> pd.DataFrame:
    """Add `citation_url`: a Federal Register link for the first citation of each row."""
    first = frame[column].fillna("").str.split(";").str[0].str.strip()
    return frame.assign(citation_url=first.map(federal_register_url))


# --- Tables, downloads, charts ---

# Up to this many rows a page builds its CSV with the page, not when the button is clicked: Streamlit
# deletes a file made on click once two script runs of any session have finished, so with many
# readers the browser could ask for it too late and the download was cancelled (tests/browser/test_load.py).
EAGER_CSV_ROWS = 10_000


@st.cache_data(ttl=CACHE_TTL_S, show_spinner=False, max_entries=64)
def _csv(frame: pd.DataFrame) -> bytes:
    return csv_bytes(frame)


@st.cache_data(ttl=CACHE_TTL_S, show_spinner=False, max_entries=16)
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
        data = _csv_of_view(require_store().manifest["build_id"], view, frame_or_maker)
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


def file_stem(*parts: object) -> str:
    """A file name from the parts of a view, e.g. entity-list_listings_quarter_china."""
    text = "_".join(str(p) for p in parts if p not in (None, "", ()))
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-").lower()[:120] or "entity-list"


def today() -> date:
    return date.today()
