"""Leaving a page through the sidebar and coming back keeps its controls working.

Found by the load test: Streamlit forgets a page's widget values while another page runs;
coming back to a page whose link holds no parameters (its defaults) left its required
controls empty, and the overview failed on a missing granularity.
"""

from __future__ import annotations

from datetime import date

import factory
import pytest
from streamlit.testing.v1 import AppTest

from tracker.config import PROJECT_DIR, DataPaths
from tracker.present import page_state
from tracker.present.page_state import PAGES as DECLARED
from tracker.store import build, connection, queries

PAGES = ["overview", "explorer", "company", "rules", "responses", "story", "about"]


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    """The factory's small data set (tests/factory.py), built."""
    paths = factory.write_inputs(tmp_path_factory.mktemp("page-state"))
    build.build_store(paths)
    return paths.root


@pytest.fixture()
def app(data_dir, monkeypatch) -> AppTest:
    monkeypatch.setenv("TRACKER_DATA_DIR", str(data_dir))
    for name in ("TRACKER_READ_ONLY", "TRACKER_STORE_URL"):
        monkeypatch.delenv(name, raising=False)
    return AppTest.from_file(str(PROJECT_DIR / "app.py"), default_timeout=120).run()


def go(app: AppTest, page: str) -> AppTest:
    return app.switch_page(str(PROJECT_DIR / "app_pages" / f"{page}.py")).run()


@pytest.mark.parametrize("page", PAGES)
def test_a_page_left_and_opened_again_works_with_its_defaults(app, page) -> None:
    go(app, page)
    assert not app.exception
    other = "explorer" if page != "explorer" else "overview"
    go(app, other)
    go(app, page)
    assert not app.exception, app.exception
    assert not app.error


def test_the_overview_controls_are_set_when_coming_back(app) -> None:
    go(app, "explorer")
    go(app, "overview")
    assert app.segmented_control(key="granularity").value == "quarter"
    assert app.segmented_control(key="group").value == "destination"


# --- Every page's declared parameters: valid, invalid, default, and the link forms in use ---


DECLARED_PARAMS = [(state.page, param.name) for state in DECLARED.values() for param in state.params]


@pytest.fixture(scope="module")
def options(data_dir) -> dict[str, set]:
    """The values the data offers for the parameters whose choices come from the store."""
    store = connection.Store(build.current_build(DataPaths(data_dir)))
    db = store.cursor()
    found = {"dest": set(queries.destinations(db)["destination"]), "sector": set(queries.sectors(db)),
             "company": set(queries.companies(db)["company_id"]), "rule": set(queries.rules(db)["rule_id"]),
             "step": range(1, len(queries.moments(db)) + 1)}
    store.close()
    versions = {row["date"] for row in factory.list_versions()}  # each named by its date
    found.update({("changes", "from"): versions, ("changes", "to"): versions})
    return found


def a_valid_value(param: page_state.Param, allowed) -> object:
    """A value other than the default that the page must accept."""
    if param.kind == page_state.TEXT:
        return "huawei"
    if param.kind == page_state.DATE:
        return date(2020, 1, 1) if param.name == "from" else date(2024, 12, 31)
    if param.kind == page_state.FLAG:
        return True
    if param.kind == page_state.NUMBER:
        return 2
    choices = sorted(allowed if param.options is None else param.options)
    if param.kind == page_state.CHOICES:
        picked = tuple(c for c in choices if c not in (param.default or ()))[:2] or tuple(choices[:1])
        return picked
    return next(c for c in choices if c != param.default)


def allowed_values(page: str, name: str, options: dict):
    """The values the data offers for a page's parameter (some names mean other things on other pages)."""
    return options.get((page, name), options.get(name))


def page_options(state: page_state.PageState, options: dict) -> dict:
    return {p.name: allowed_values(state.page, p.name, options) for p in state.params
            if p.options is None and allowed_values(state.page, p.name, options) is not None}


@pytest.mark.parametrize(("page", "name"), DECLARED_PARAMS)
def test_a_declared_parameter_reads_back_what_it_writes_and_leaves_defaults_out(page, name, options) -> None:
    state = DECLARED[page]
    param = state.param(name)
    assert state.query(state.defaults()) == {}  # a page at its defaults has a bare link
    value = a_valid_value(param, allowed_values(page, name, options))
    written = state.query({**state.defaults(), name: value})
    assert list(written) == [name]
    parsed = state.read(written, page_options(state, options))
    assert parsed.values[name] == value and not parsed.notices


@pytest.mark.parametrize(("page", "name"), DECLARED_PARAMS)
def test_an_unusable_value_falls_back_to_the_default_with_a_notice(page, name, options) -> None:
    state = DECLARED[page]
    param = state.param(name)
    if param.kind == page_state.TEXT:
        pytest.skip("any text is a search")
    parsed = state.read({name: "no-such-value<script>"}, page_options(state, options))
    assert parsed.values[name] == param.default
    assert len(parsed.notices) == 1 and "no-such-value<script>" in parsed.notices[0]


def test_lists_are_comma_separated_and_repeated_parameters_add_to_them(options) -> None:
    destinations = sorted(options["dest"])[:2]
    allowed = {"dest": options["dest"]}
    as_commas = page_state.EXPLORER.read({"dest": ",".join(destinations)}, allowed)
    as_repeats = page_state.EXPLORER.read({"dest": destinations}, allowed)
    assert as_commas.values["dest"] == as_repeats.values["dest"] == tuple(destinations)
    assert page_state.EXPLORER.query(as_repeats.values) == {"dest": ",".join(destinations)}


def test_a_date_range_that_ends_before_it_starts_is_ignored_with_a_notice() -> None:
    parsed = page_state.EXPLORER.read({"from": "2024-05-01", "to": "2024-01-01"})
    assert parsed.values["from"] is None and parsed.values["to"] is None
    assert parsed.notices == ["Ignored the dates 'from' to 'to': the range ends before it starts."]


def widget_value(app: AppTest, state: page_state.PageState, name: str):
    """What the page's widget for a parameter holds (a date range shows two parameters in one)."""
    for start, end, widget in state.date_ranges:
        if name in (start, end) and widget is None:  # typed: two text fields holding YYYY-MM-DD
            return date.fromisoformat(app.session_state[name]) if app.session_state[name] else None
        if name in (start, end):
            dates = tuple(app.session_state[widget])
            return dates[(start, end).index(name)] if len(dates) == 2 else (dates[0] if dates else None)
    value = app.session_state[name]
    return tuple(value) if isinstance(value, list) else value


def open_page(app: AppTest, page: str, query: dict[str, str]) -> AppTest:
    for key, value in query.items():
        app.query_params[key] = value
    return go(app, page)


@pytest.mark.parametrize(("page", "name"), DECLARED_PARAMS)
def test_every_page_opens_a_link_with_each_of_its_parameters(app, page, name, options) -> None:
    state = DECLARED[page]
    param = state.param(name)
    value = a_valid_value(param, allowed_values(page, name, options))
    query = state.query({**state.defaults(), name: value})
    if page == "explorer" and name == "to":
        query["from"] = "2000-01-01"  # a date range widget holds both ends or none
    if page == "explorer" and name == "from":
        query["to"] = "2025-12-31"
    open_page(app, page, query)
    assert not app.exception, app.exception
    assert widget_value(app, state, name) == value
    assert app.query_params.get(name) in ([query[name]], query[name])  # the link is kept as it was


# Free text is never ignored: a search is any text, and an entry id that is no entry gets the entry
# page's own notice (tests/test_entry_page.py).
@pytest.mark.parametrize(("page", "name"), [p for p in DECLARED_PARAMS
                                            if DECLARED[p[0]].param(p[1]).kind != page_state.TEXT])
def test_every_page_tells_the_reader_which_value_it_ignored(app, page, name) -> None:
    state = DECLARED[page]
    open_page(app, page, {name: "no-such-value"})
    assert not app.exception, app.exception
    default = state.param(name).default
    assert widget_value(app, state, name) == (tuple(default) if isinstance(default, tuple) else default)
    notices = [c.value.replace("\\", "") for c in app.caption if c.value.startswith("⚠️")]
    assert any("Ignored" in n and "no-such-value" in n for n in notices), notices
    assert name not in app.query_params  # the unusable value is not written back


def test_todays_link_forms_keep_opening_the_same_view(app, options) -> None:
    destinations = sorted(options["dest"])[:2]
    open_page(app, "explorer", {"dest": ",".join(destinations), "from": "2019-01-01", "to": "2024-12-31",
                                "present": "1"})
    assert not app.exception, app.exception
    assert app.session_state["dest"] == destinations
    assert (app.session_state["from"], app.session_state["to"]) == ("2019-01-01", "2024-12-31")
    assert app.query_params["present"] == ["1"] or app.query_params["present"] == "1"
    assert not app.sidebar.button  # presenter mode: no sidebar controls


def test_a_link_with_only_an_end_date_keeps_meaning_up_to_that_day(app) -> None:
    open_page(app, "explorer", {"to": "2024-06-30"})
    assert not app.exception, app.exception
    assert (app.session_state["from"], app.session_state["to"]) == ("", "2024-06-30")
    assert dict(app.query_params) in ({"to": ["2024-06-30"]}, {"to": "2024-06-30"})  # not turned into from=


def test_choosing_no_status_says_so_instead_of_showing_everything(app) -> None:
    go(app, "responses")
    app.pills(key="status").set_value([]).run()
    assert not app.exception, app.exception
    assert any("Choose at least one status" in i.value for i in app.info)
