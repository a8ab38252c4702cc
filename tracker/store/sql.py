"""SQL text made from the schema's constants (the store's SQL takes every user value as a parameter)."""

from __future__ import annotations


def quote(value: str) -> str:
    """A schema constant as a SQL string literal (no user input is ever written into SQL)."""
    return "'" + value.replace("'", "''") + "'"
