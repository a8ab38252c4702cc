"""Editor: for editors only. (Editing arrives with the editor issue.)"""

import streamlit as st

from tracker import ui

st.title("Editor")
ui.data_as_of()
st.info("Editing the inputs is for editors. Until the editor page is enabled, editors change the CSV "
        "files in data/inputs/ and run `python -m tracker validate` then `python -m tracker build`.")
