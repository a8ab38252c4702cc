"""The store's questions as the pages ask them: typed functions, answered from the process's
one DuckDB connection (a cursor per script run) and cached per store build.

`questions.entries(filters, 500)` is `tracker.store.queries.entries(cursor, filters, 500)`,
remembered until the store is rebuilt.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, Concatenate, ParamSpec, TypeVar

import pandas as pd
import streamlit as st

from tracker.config import data_paths
from tracker.present.text import md_escape
from tracker.screening import results as screening_results
from tracker.screening.match import ScreeningIndex
from tracker.store import build, connection, history, queries, related
from tracker.store import entry as entry_store
from tracker.store import screening as store_screening
from tracker.store.connection import StoreError
from tracker.store.manifest import Manifest

CACHE_TTL_S = 600
STORE_CHECK_S = 10

P = ParamSpec("P")
R = TypeVar("R")


# --- The store ---

@st.cache_resource(ttl=STORE_CHECK_S, show_spinner="Checking the data…")
def _store_status(data_dir: str) -> build.StoreStatus:
    # Re-read at most every few seconds: a rebuild by an editor (or a pushed commit)
    # is picked up on the next run after that, by every session, and built once.
    return build.refresh_store(data_paths(data_dir))


def store_status() -> build.StoreStatus:
    """The published store and any problem that kept newer inputs from being built."""
    return _store_status(str(data_paths().root))


def refresh_after_save() -> None:
    """Forget the cached store status and look again, so the new build is served (and published) now."""
    _store_status.clear()
    store_status()


class NoStore(Exception):
    """There is no store to answer from (the inputs never built, or the store went away during a
    run). app.py catches it around the page and says why, as the page frame does at the top."""


def require_store() -> build.StoreStatus:
    """The store status; raises NoStore when there is no store to answer from."""
    status = store_status()
    if status.build_dir is None:
        raise NoStore(status)
    return status


def manifest() -> Manifest:
    """The manifest of the store the pages are reading."""
    return require_store().manifest


# --- Cached questions ---

_QUESTIONS: dict[str, Callable] = {}


@st.cache_data(ttl=CACHE_TTL_S, show_spinner=False, max_entries=512)
def _cached(build_id: str, question: str, args: tuple, kwargs: tuple, _status: build.StoreStatus) -> Any:
    # Keyed by build_id, and answered from that same build (_status, not hashed), so a rebuilt
    # store never serves old answers and an answer is never filed under another build.
    cursor = connection.open_store(_status.build_dir, _status.manifest).cursor()
    return _QUESTIONS[question](cursor, *args, **dict(kwargs))


def _ask(question: str, args: tuple, kwargs: dict) -> Any:
    status = require_store()
    build_id = status.manifest.build_id
    key = tuple(sorted(kwargs.items()))
    try:
        return _cached(build_id, question, args, key, status)
    except StoreError as error:
        status = _store_after_damage(build_id, error)
        if st.session_state.get("_store_rebuilt_notice") != status.manifest.build_id:
            st.session_state["_store_rebuilt_notice"] = status.manifest.build_id
            st.warning("The published data was damaged on disk, so it has been rebuilt from the inputs.")
        return _cached(status.manifest.build_id, question, args, key, status)


def _store_after_damage(build_id: str, error: StoreError) -> build.StoreStatus:
    """After `error` found a store file of build `build_id` deleted or cut short under the running app:
    the store checked again now (a damaged build is rebuilt, or the last intact one served), to answer
    from once. Raises the error again when that is still the same build."""
    _store_status.clear()
    status = require_store()
    if status.manifest.build_id == build_id:
        raise error
    return status


def _per_build(question: Callable[Concatenate[Any, P], R]) -> Callable[P, R]:
    """The store question without its cursor argument, answered once per build and arguments."""
    _QUESTIONS[question.__name__] = question

    @functools.wraps(question)
    def asked(*args: P.args, **kwargs: P.kwargs) -> R:
        return _ask(question.__name__, args, kwargs)

    return asked


listings_over_time = _per_build(queries.listings_over_time)
undated_listings = _per_build(queries.undated_listings)
top_destinations = _per_build(queries.top_destinations)
headline = _per_build(queries.headline)
entries = _per_build(queries.entries)
count_entries = _per_build(queries.count_entries)
company = _per_build(queries.company)
related_companies = _per_build(queries.related_companies)
companies = _per_build(queries.companies)
destinations = _per_build(queries.destinations)
sectors = _per_build(queries.sectors)
rules = _per_build(queries.rules)
rule_entries = _per_build(queries.rule_entries)
listing_dates_reconciliation = _per_build(queries.listing_dates_reconciliation)
responses = _per_build(queries.responses)
response_matrix = _per_build(queries.response_matrix)
moments = _per_build(queries.moments)
newest_rules = _per_build(queries.newest_rules)
data_dates = _per_build(queries.data_dates)
removals_over_time = _per_build(queries.removals_over_time)
removals_in_words = _per_build(queries.removals_in_words)
# The entry page (tracker.store.entry)
entry_page = _per_build(entry_store.entry_page)
versions = _per_build(history.versions)
version_diff = _per_build(history.version_diff)
# Relations between entries (tracker.store.related)
related_entries = _per_build(related.related_entries)
network = _per_build(related.network)
related_counts = _per_build(related.related_counts)


def later(question: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> Callable[[], R]:
    """One of the questions above, answered only when called (e.g. when a download is clicked) and
    not cached: `later(entries, filters)`."""
    status = require_store()
    store_question = _QUESTIONS[question.__name__]

    def answer_from(asked: build.StoreStatus) -> R:
        cursor = connection.open_store(asked.build_dir, asked.manifest).cursor()
        return store_question(cursor, *args, **kwargs)

    def answer() -> R:
        try:
            return answer_from(status)
        except StoreError as error:  # damaged since the page ran
            return answer_from(_store_after_damage(status.manifest.build_id, error))

    return answer


# --- Answers shaped once per build ---

def rule_labels() -> dict[str, str]:
    """rule_id -> 'YYYY-MM-DD · citation · title' for the rule picker, made once per store build."""
    return _rule_labels(manifest().build_id, rules())


@st.cache_data(ttl=CACHE_TTL_S, show_spinner=False, max_entries=4)
def _rule_labels(build_id: str, _rules: pd.DataFrame) -> dict[str, str]:
    published = pd.to_datetime(_rules["publication_date"]).dt.strftime("%Y-%m-%d").fillna("")
    cited = _rules["fr_citation"].fillna(_rules["document_number"]).fillna("")
    titles = _rules["title"].fillna("(no title recorded)")
    return dict(zip(_rules["rule_id"], published + " · " + cited + " · " + titles, strict=True))


def store_problem_text(status: build.StoreStatus) -> str:
    """Why there is no store, for the page frame."""
    if status.problems:
        return "The data could not be built, and there is no earlier build to show. An editor needs to " \
               "fix these problems in the inputs:"
    return ("The data could not be built, and there is no earlier build to show. The build failed: "
            + md_escape(status.build_error or "no store was found"))


# --- Screening (tracker.screening): the index once per build; the names screened never cached ---

screening_version = _per_build(store_screening.screening_version)
screening_destinations = _per_build(store_screening.screening_destinations)


def screening_index() -> ScreeningIndex:
    """The names of every list screened against, indexed once per store build (shared with the API)."""
    status = require_store()
    cursor = connection.open_store(status.build_dir, status.manifest).cursor()
    return store_screening.screening_index(cursor, status.manifest.build_id)


def screen(queries: list[screening_results.Query], lists: str,
           progress=None) -> list[screening_results.Result]:
    """Screen names against the store's lists. Not cached: the names are kept nowhere."""
    status = require_store()
    cursor = connection.open_store(status.build_dir, status.manifest).cursor()
    def details(refs: list[int], names: list[int]):
        return store_screening.screening_matched(cursor, refs, names)

    return screening_results.screen(screening_index(), queries, details, lists, progress)
