"""CSV downloads that a spreadsheet opens as text, never as formulas."""

from __future__ import annotations

import pandas as pd

# A cell starting with one of these is taken as a formula by Excel, LibreOffice or Sheets.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "|", "%")


def neutralise(value: object) -> object:
    """Text that would start a formula gets a leading apostrophe; other values are unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 CSV (with BOM, so spreadsheets read Chinese names right) of a frame, formulas neutralised."""
    safe = frame.copy()
    safe.columns = [neutralise(str(c)) for c in safe.columns]  # a header can come from an upload
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(neutralise)
    # CRLF rows (RFC 4180): the writer then quotes any cell holding a carriage return. With "\n"
    # rows a bare "\r" stayed unquoted, and a spreadsheet started a new row there, whose first
    # cell could be a formula that was never neutralised.
    return safe.to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")
