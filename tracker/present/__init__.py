"""What the pages show, without Streamlit: the filter model and page state, charts, takeaways,
safe text, CSV export."""
