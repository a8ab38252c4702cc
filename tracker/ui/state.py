"""A page's declared state (tracker.present.page_state) bound to its widgets and the URL.

`values = state.read(EXPLORER, dest=[...])` reads the query string, shows a notice for each
value that cannot be used, and seeds the widgets (keyed by parameter name; a date range by the
name its declaration gives) when the URL is new to the page; `state.write(EXPLORER, values)`
writes the widgets' values back, defaults left out.

Not Streamlit's own `bind="query-params"`: it writes a list as repeated parameters
(`dest=China&dest=Iran`, where our links use `dest=China,Iran`) and drops an unusable value
without a word, where the reader should be told.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

import streamlit as st

from tracker.present.page_state import PRESENT, PageState
from tracker.present.text import md_escape
from tracker.ui.page import presenting, share


def url_query() -> dict[str, list[str]]:
    """The query string, every value of every parameter."""
    return {key: st.query_params.get_all(key) for key in st.query_params}


def _written_key(state: PageState) -> str:
    return f"_url_written:{state.page}"


def read(state: PageState, **options: Collection) -> dict[str, Any]:
    """The page's values from the URL; widgets (keyed by parameter name) are seeded from them.

    The URL wins when it differs from what this page last wrote (a shared link, the back button,
    a fresh tab); otherwise the widgets are the truth and write the URL.
    """
    query = url_query()
    parsed = state.read(query, options)
    # Streamlit forgets a page's widget values while another page runs: coming back through the
    # sidebar to a link this page wrote must set them again too (else required controls are empty).
    widgets = state.widgets(parsed.values)
    forgotten = any(key not in st.session_state for key in widgets)
    if st.session_state.get(_written_key(state)) != _plain(query) or forgotten:
        st.session_state.update(widgets)
        for notice in parsed.notices:  # notices quote the URL, which anyone can write: shown as text
            st.toast(md_escape(notice), icon="⚠️")
            st.caption(f"⚠️ {md_escape(notice)}")
    return parsed.values


def write(state: PageState, values: Mapping[str, Any]) -> dict[str, str]:
    """Make the query string hold exactly these values (defaults left out); offer it to share."""
    params = state.query(values)
    share(state.path, params)
    if presenting():
        params = {**params, PRESENT.name: "1"}
    if _plain(url_query()) != params:
        st.query_params.from_dict(params)
    st.session_state[_written_key(state)] = dict(params)
    return params


def _plain(query: Mapping[str, list[str]]) -> dict[str, str]:
    """A query string as this module writes it: one value per name."""
    return {key: values[-1] for key, values in query.items() if values}
