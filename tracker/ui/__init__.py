"""The Streamlit helpers the pages share (the only Streamlit code outside app.py and app_pages/)."""
