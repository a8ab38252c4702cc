"""Entity List Tracker: the library behind the dashboard (importable without Streamlit)."""
