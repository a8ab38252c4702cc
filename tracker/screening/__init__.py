"""Screening names against the Entity List and every list of the Consolidated Screening List.

Pure Python and rapidfuzz: no Streamlit, no DuckDB. `normalise` makes the comparable form of a
name (built once per store into the store's screening tables, and for each name screened);
`match.ScreeningIndex` blocks candidates by token postings and scores them; `verdicts` says what
a screen found, and why, in words.
"""
