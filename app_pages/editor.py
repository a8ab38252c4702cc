"""Editor: for editors only. Edit or upload an input, see its problems and its diff, publish with a backup."""

import pandas as pd
import streamlit as st

from tracker import schema
from tracker.config import data_paths
from tracker.editing import auth, saves
from tracker.inputs import files
from tracker.inputs.diff import CsvError
from tracker.present.text import md_escape
from tracker.ui import editor, page, questions, widgets

EDITABLE = ("entities", "events", "rules", "companies", "responses", "moments", "list_versions",
            "version_rows")
OUTCOME = "editor_outcome"  # what the last save said, kept across the rerun that follows it

# The editor is where broken inputs are repaired, so it works without a store too.
has_store = page.frame("Editor", needs_store=False)

if page.presenting():
    st.info("Editing is not available in presenter mode.")
    st.stop()
if auth.read_only():
    st.info("This deployment is read-only: the inputs cannot be edited here.")
    st.stop()
if not editor.editor_signed_in():
    st.stop()

paths = data_paths()
editor_name = st.session_state.get("editor_signed_in_as") or None
st.caption(f"Signed in as {md_escape(editor_name or 'an editor (no name given)')}. Every save keeps the "
           "previous version and is written to the audit log.")
recovered = saves.recover(paths)
if recovered:
    st.warning("An earlier save was interrupted; the previous files were put back: " + "; ".join(recovered))
persistent = saves.persistent_storage()
if persistent is False:
    st.warning("This host does not keep files after a restart (for example Streamlit Community Cloud). "
               "Saving here would be lost, so instead download the checked file or the patch below and "
               "commit it to the repository.")


def say_outcome(published: bool, lines: list[str]) -> None:
    """What a save did, one plain sentence a line."""
    for line in lines:
        (st.success if published else st.warning)(md_escape(line))


def forget_opened(result: saves.SaveResult) -> None:
    """Make every page read the new store, and the table editor open each saved file afresh."""
    questions.refresh_after_save()
    for saved in result.files:
        st.session_state.pop(f"edit_{saved.table}_editor", None)
        st.session_state.pop(f"edit_{saved.table}_opened_hash", None)


def show_outcome(result: saves.SaveResult) -> None:
    """What a save did, here, and make every page read the new store."""
    forget_opened(result)
    say_outcome(result.published, result.lines())


def rerun_with_outcome(result: saves.SaveResult) -> None:
    """After a save that changes what the edit tab shows: run the page again on the saved files,
    then say what the save did (at the top, once)."""
    forget_opened(result)
    st.session_state[OUTCOME] = (result.published, result.lines())
    st.rerun()


def show_write_failure(error: OSError) -> None:
    """A save the disk refused (full, read-only): its writes were undone, so say so, not a traceback."""
    st.error(f"Not saved: the disk refused a write ({md_escape(error.strerror or error)}). The inputs "
             "keep their previous version (a save stopped half way is undone before the next one); free "
             "some space or ask whoever runs the server, then save again.")


def restore_controls(table_name: str, key: str) -> None:
    """Pick a kept version of an input and make it current again (a save: the current one is kept too)."""
    versions = saves.list_versions(paths, table_name)
    if not versions:
        st.caption(f"No earlier version of {table_name}.csv is kept yet: every save keeps the version "
                   "it replaces.")
        return
    labels = {v.version: f"{v.replaced_at:%Y-%m-%d %H:%M:%S} UTC"
              + (f", replaced by {v.replaced_by}" if v.replaced_by else "") for v in versions}
    chosen = st.selectbox("Version to restore", list(labels), format_func=labels.get, key=f"{key}_version")
    if st.button("Restore this version", key=f"{key}_button"):
        try:
            result = saves.restore_version(paths, table_name, chosen, editor_name)
        except saves.SaveRefused as error:
            show_problems(error.result, None, table_name)
            return
        except OSError as error:
            show_write_failure(error)
            return
        rerun_with_outcome(result)


def upload_replacement(table: schema.Table, key: str, label: str) -> None:
    """Upload a whole file to replace the input: checked, its diff shown, published on confirmation."""
    upload = st.file_uploader(label, type=["csv"], key=f"{key}_upload")
    if upload is not None:
        review_and_publish(table.name, upload.getvalue(), None, f"{key}_upload")


def show_unopenable(opened: files.OpenedInput, key: str) -> None:
    """A file the table editor cannot open: every problem where it is, and the ways forward."""
    filename, first = opened.table.filename, opened.problems[0]
    st.header(f"{filename} cannot be opened in the table")
    st.error(f"{filename} cannot be opened as a table of its columns: {len(opened.problems)} problem(s), "
             f"the first on line {first.line}, column {first.column}, all listed below. Editing it here "
             "could put values under the wrong columns, so correct the file or restore a kept version. "
             "The public pages keep showing the last good data meanwhile.")
    page.problem_table(opened.problems)
    st.subheader("Upload a corrected file")
    st.caption("Correct the lines above in a text editor or spreadsheet, save it as 'CSV UTF-8' and "
               "upload it: it is checked and its changes are shown before anything is published.")
    upload_replacement(opened.table, key, f"A corrected {filename}")
    st.subheader("Restore a previous version")
    st.caption(f"Every save keeps the version it replaces; restoring one keeps the current {filename} "
               "too, so nothing is lost.")
    restore_controls(opened.table.name, f"{key}_restore")


def show_problems(result, frame: pd.DataFrame | None, table_name: str) -> None:
    """Every problem with file, line and column; with the editor's rows they come from."""
    st.error(f"{len(result.errors)} problem(s): nothing can be published until they are fixed.")
    page.problem_table(result.errors)
    parsed = result.tables.get(table_name)
    if frame is not None and parsed is not None:
        table = schema.TABLES_BY_NAME[table_name]
        rows = editor.rows_with_problems(frame, parsed.lines, result.errors, table)
        if not rows.empty:
            st.markdown("**The rows with problems**")
            st.dataframe(rows, hide_index=True, placeholder="")


def review_and_publish(table_name: str, candidate: bytes, frame: pd.DataFrame | None, key: str) -> None:
    """Check a candidate file, show its diff, and publish it when the editor confirms."""
    try:
        check = saves.check_edit(paths, table_name, candidate)
    except CsvError as error:
        st.error(f"The file cannot be read: {md_escape(error)}")
        return
    if not check.ok:
        show_problems(check.result, frame, table_name)
        return
    if check.diff.is_empty:
        st.caption("No changes yet.")
        return
    counts = check.diff.counts
    st.markdown(f"**Changes to {table_name}.csv:** {counts['added']} added, {counts['removed']} removed, "
                f"{counts['changed']} changed")
    if check.diff.message:
        st.caption(md_escape(check.diff.message))
    st.dataframe(pd.DataFrame(check.diff.records()), hide_index=True, placeholder="")
    for warning in check.result.warnings:
        st.caption(f"⚠️ {md_escape(warning)}")
    if persistent is False:
        widgets.download_bytes(candidate, f"{table_name}.csv", key=f"{key}_csv",
                               label="Download the checked CSV")
        widgets.download_bytes(saves.patch_for(paths, table_name, candidate).encode("utf-8"),
                          f"{table_name}.patch", key=f"{key}_patch", label="Download a patch")
        return
    confirmed = st.checkbox("I have reviewed these changes", key=f"{key}_confirm")
    if st.button("Publish", type="primary", disabled=not confirmed, key=f"{key}_publish"):
        try:
            result = saves.save_input(paths, table_name, candidate, editor_name,
                                        expected_hash=st.session_state.get(f"{key}_opened_hash"))
        except saves.EditConflict as error:
            st.error(f"Not saved: {md_escape(error)}")
            return
        except saves.SaveRefused as error:
            show_problems(error.result, frame, table_name)
            return
        except OSError as error:
            show_write_failure(error)
            return
        st.session_state.pop(f"{key}_confirm", None)
        rerun_with_outcome(result)


if OUTCOME in st.session_state:
    say_outcome(*st.session_state.pop(OUTCOME))

edit_tab, response_tab, rule_tab, backups_tab = st.tabs(
    ["Edit a file", "Add a response note", "Record a new rule", "Backups"])

# --- Edit a file in place, or upload a replacement ---
with edit_tab:
    table_name = st.selectbox("Input", EDITABLE, key="editor_table", format_func=lambda n: f"{n}.csv")
    table = schema.TABLES_BY_NAME[table_name]
    key = f"edit_{table_name}"
    mode = st.segmented_control("How", ["Edit in the table", "Upload a replacement CSV"],
                                default="Edit in the table", key="editor_mode", required=True)
    if mode == "Edit in the table":
        opened = files.open_for_editing(paths.inputs, table)
        if not opened.readable:
            show_unopenable(opened, key)
        else:
            # The hash of the file as opened: a save is refused if it changed on disk meanwhile.
            st.session_state.setdefault(f"{key}_opened_hash", saves.file_hash(opened.data))
            original = pd.DataFrame(opened.rows, columns=opened.columns, dtype=str)
            edited = st.data_editor(original, key=f"{key}_editor", num_rows="dynamic", hide_index=True,
                                    column_config=editor.editor_columns(table), width="stretch",
                                    height=420)
            rows = edited.fillna("").astype(str).to_dict("records")
            review_and_publish(table_name, files.rows_to_csv(table, rows), edited, key)
    else:
        upload_replacement(table, key, f"A replacement for {table.filename}")

# --- Add a response note ---
with response_tab:
    if not has_store:
        st.info("A note is added to a company of the published data: fix the inputs (Edit a file) first.")
    else:
        companies = questions.companies()
        names = dict(zip(companies["company_id"], companies["name"], strict=True))
        with st.form("add_response", clear_on_submit=False):
            company_id = st.selectbox("Company", list(names), format_func=names.get, key="response_company")
            date_text = st.text_input("Date (YYYY-MM-DD, or YYYY-MM when only the month is known)",
                                      key="response_date")
            left, right = st.columns(2)
            category = left.selectbox("Category", schema.RESPONSE_CATEGORIES,
                                      format_func=schema.RESPONSE_CATEGORY_LABELS.get,
                                      key="response_category")
            status = right.selectbox("Status", schema.RESPONSE_STATUSES, key="response_status")
            title = st.text_input("Title (one line)", key="response_title")
            note = st.text_area("Note (shown as text)", key="response_note")
            source_name = st.text_input("Source: who published it", key="response_source_name")
            source_url = st.text_input("Source: web address", key="response_source_url")
            measure = st.text_input("US measure it answers, if not the Entity List (optional)",
                                    key="response_measure")
            submitted = st.form_submit_button("Add the note", type="primary")
        if submitted:
            if not source_url.strip():
                st.error("A source web address is required: every note shown carries its source.")
            elif persistent is False:
                st.error("This host does not keep saved files; add the note to responses.csv in the "
                         "repository.")
            else:
                row = {"company_id": company_id, "date": date_text.strip(), "category": category,
                       "status": status, "measure": measure.strip(), "title": title.strip(),
                       "note": note.strip(), "source_name": source_name.strip(),
                       "source_url": source_url.strip()}
                try:
                    show_outcome(saves.add_response(paths, row, editor_name))
                except saves.SaveRefused as error:
                    show_problems(error.result, None, "responses")
                except OSError as error:
                    show_write_failure(error)

# --- Record a new rule and its entries ---
with rule_tab:
    st.caption("One save writes the rule, its new entries and their 'added' events, or nothing at all.")
    with st.form("record_rule"):
        left, right = st.columns(2)
        publication_date = left.text_input("Publication date (YYYY-MM-DD)", key="rule_date")
        document_number = right.text_input("FR document number (e.g. 2025-00704)", key="rule_doc")
        citation = left.text_input("First page citation (e.g. 90 FR 4617)", key="rule_citation")
        url = right.text_input("Federal Register address", key="rule_url")
        title = st.text_input("Title", key="rule_title")
        entries = st.data_editor(
            pd.DataFrame(columns=["name", "destination", "aliases", "address", "license_requirement",
                                  "fr_citations"], dtype=str),
            num_rows="dynamic", key="rule_entries", hide_index=True,
            column_config=editor.editor_columns(schema.ENTITIES))
        submitted_rule = st.form_submit_button("Record the rule", type="primary")
    if submitted_rule:
        rule_id = document_number.strip() or f"{publication_date.strip()}-{citation.replace(' ', '')}"
        rule = {"rule_id": rule_id,
                "publication_date": publication_date.strip(), "document_number": document_number.strip(),
                "fr_citation": citation.strip(), "title": title.strip(), "scope": "entity_list_change",
                "actions": "add", "entries_added": str(len(entries.dropna(how="all"))),
                "url": url.strip(), "sources": url.strip()}
        new_entries = [{k: v for k, v in row.items() if v} for row in
                       entries.dropna(how="all").fillna("").astype(str).to_dict("records")]
        for entry in new_entries:
            entry.setdefault("source", f"Federal Register {citation.strip()}")
        if persistent is False:
            st.error("This host does not keep saved files; record the rule in the repository instead.")
        else:
            try:
                show_outcome(saves.record_rule(paths, rule, new_entries, editor_name))
            except saves.SaveRefused as error:
                show_problems(error.result, None, "entities")
            except OSError as error:
                show_write_failure(error)

# --- Backups: previous versions and the audit log ---
with backups_tab:
    backups_table = st.selectbox("Input", EDITABLE, key="backups_table", format_func=lambda n: f"{n}.csv")
    st.header("Previous versions")
    versions = saves.list_versions(paths, backups_table)
    if versions:
        st.dataframe(pd.DataFrame([{"version": v.version, "replaced at": v.replaced_at,
                                    "replaced by": v.replaced_by, "action": v.action} for v in versions]),
                     hide_index=True, placeholder="")
    restore_controls(backups_table, "restore")
    audit = saves.audit_entries(paths)
    if audit:
        st.header("Audit log (newest first)")
        st.dataframe(pd.DataFrame(audit[::-1][:50]), hide_index=True, placeholder="")
