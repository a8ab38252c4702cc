"""Entry point: page settings and navigation, nothing else.

The pages live in app_pages/, not pages/: a pages/ folder beside this file switches
Streamlit to its legacy multipage mode for a deep link opened before "/" ever ran.
"""

import streamlit as st

from tracker import auth, ui

st.set_page_config(page_title="Entity List Tracker", page_icon=":material/policy:", layout="wide")
ui.print_styles()

pages = [
    st.Page("app_pages/overview.py", title="Overview", icon=":material/insights:", default=True),
    st.Page("app_pages/explorer.py", title="Explorer", icon=":material/search:", url_path="explorer"),
    st.Page("app_pages/company.py", title="Company", icon=":material/apartment:", url_path="company"),
    st.Page("app_pages/rules.py", title="Rules", icon=":material/gavel:", url_path="rules"),
    st.Page("app_pages/responses.py", title="Responses", icon=":material/forum:", url_path="responses"),
    st.Page("app_pages/story.py", title="Story", icon=":material/slideshow:", url_path="story"),
    # A read-only deployment has no editor page at all: /editor is not a page there.
    *([] if auth.read_only() else
      [st.Page("app_pages/editor.py", title="Editor", icon=":material/edit:", url_path="editor")]),
    st.Page("app_pages/about.py", title="About", icon=":material/info:", url_path="about"),
]
st.navigation(pages, position="hidden" if ui.presenting() else "sidebar").run()
ui.footer()
