"""Entry point: page settings and navigation, nothing else."""

import streamlit as st

from tracker import ui

st.set_page_config(page_title="Entity List Tracker", page_icon=":material/policy:", layout="wide")
ui.print_styles()

pages = [
    st.Page("pages/overview.py", title="Overview", icon=":material/insights:", default=True),
    st.Page("pages/explorer.py", title="Explorer", icon=":material/search:", url_path="explorer"),
    st.Page("pages/company.py", title="Company", icon=":material/apartment:", url_path="company"),
    st.Page("pages/rules.py", title="Rules", icon=":material/gavel:", url_path="rules"),
    st.Page("pages/responses.py", title="Responses", icon=":material/forum:", url_path="responses"),
    st.Page("pages/editor.py", title="Editor", icon=":material/edit:", url_path="editor"),
    st.Page("pages/about.py", title="About", icon=":material/info:", url_path="about"),
]
st.navigation(pages).run()
