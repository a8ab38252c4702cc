"""The editor page's Streamlit helpers: whether editing is configured, the password gate, the
table editor's column settings from the schema, and the rows that problems point at."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from tracker import schema
from tracker.editing import auth


def editor_secrets() -> dict:
    """The app's secrets as a dict; empty when no secrets file exists."""
    try:
        return dict(st.secrets)
    except (FileNotFoundError, KeyError, st.errors.StreamlitSecretNotFoundError):
        return {}


def editing_configured() -> bool:
    """Whether an editor password is set (secrets or environment): only then is the Editor in the menu."""
    return auth.configured_password(editor_secrets()) is not None


def editor_signed_in() -> bool:
    """Ask for the editor password (at most auth.MAX_ATTEMPTS tries a session); True once it is right."""
    if st.session_state.get("editor_signed_in"):
        return True
    expected = auth.configured_password(editor_secrets())
    if expected is None:
        st.info(f"Editing is turned off: no editor password is configured. To enable it, set "
                f"`{auth.PASSWORD_SECRET}` in `.streamlit/secrets.toml` (or the host's secrets), or "
                f"the environment variable `{auth.PASSWORD_ENV}`, and restart the app.")
        return False
    attempts = st.session_state.get("editor_attempts", 0)
    if attempts >= auth.MAX_ATTEMPTS:
        st.error("Too many wrong passwords in this session. Reload the page later to try again.")
        return False
    with st.form("editor_sign_in"):
        st.text_input("Your name (for the audit log)", key="editor_name")
        password = st.text_input("Editor password", type="password", key="editor_password_input")
        submitted = st.form_submit_button("Sign in")
    if submitted:
        if auth.password_matches(password or "", expected):
            st.session_state["editor_signed_in"] = True
            # Widget values vanish once the form is gone, so the name is kept under its own key.
            st.session_state["editor_signed_in_as"] = (st.session_state.get("editor_name") or "").strip()
            st.rerun()
        st.session_state["editor_attempts"] = attempts + 1
        if attempts + 1 >= auth.MAX_ATTEMPTS:
            st.rerun()
        st.error(f"Wrong password ({auth.MAX_ATTEMPTS - attempts - 1} tries left).")
    return False


def editor_columns(table: schema.Table) -> dict:
    """st.data_editor column settings from the declared schema: labels, help, required, choices,
    and the pattern an edited cell must match (the column's own, else its type's)."""
    config = {}
    for column in table.columns:
        text = f"{column.description} Example: {column.example}"
        if column.allowed:
            config[column.name] = st.column_config.SelectboxColumn(
                column.name, help=text, options=list(column.allowed), required=column.required)
        else:
            config[column.name] = st.column_config.TextColumn(
                column.name, help=text, required=column.required,
                validate=column.pattern or column.type.editor_pattern)
    return config


def rows_with_problems(frame: pd.DataFrame, lines: list[int], problems, table) -> pd.DataFrame:
    """The editor's rows that problems point at (by the CSV line each row starts on), with the problem."""
    row_of_line = {line: index for index, line in enumerate(lines)}
    picked = []
    for problem in problems:
        if problem.file != table.filename or problem.line not in row_of_line:
            continue
        index = row_of_line[problem.line]
        if index < len(frame):
            row = frame.iloc[index].to_dict()
            picked.append({"row": index + 1, "problem": f"{problem.column_name}: {problem.message}", **row})
    return pd.DataFrame(picked)


def api_secrets() -> dict:
    """The [api] table of the app's secrets (the API's limits, tracker.api.settings); empty when none."""
    table = editor_secrets().get("api")
    return dict(table) if table else {}
