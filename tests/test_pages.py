"""Every page run through app.py with AppTest, on the test factory's data (tests/factory.py):
default state, each query parameter, invalid values, widgets, and what the pages say."""

from __future__ import annotations

import factory as made
import pytest
from page_helpers import notices, run_page, table_with, text_of

PAGES = ("overview", "explorer", "company", "rules", "responses", "story", "editor", "about")


@pytest.fixture(scope="module", autouse=True)
def page_data(made_app):
    """Pages read the factory's data (TRACKER_DATA_DIR) for the whole module."""
    return made_app


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_with_default_state(page):
    app = run_page(page)
    assert not app.exception
    assert not app.error
    assert f"Newest rule recorded: {made.NEWEST_RULE_DAY}" in text_of(app)  # the dates line
    assert dict(app.query_params) == {}, "defaults stay out of the URL"


@pytest.mark.parametrize("page, params", [
    ("overview", {"granularity": "year"}),
    ("overview", {"group": "sector"}),
    ("overview", {"group": "none", "cumulative": "1"}),
    ("overview", {"dest": f"{made.CHINA},{made.RUSSIA}"}),
    ("explorer", {"q": "hanhai cloud"}),
    ("explorer", {"from": "2024-01-01", "to": "2024-12-31"}),
    ("explorer", {"dest": made.IRAN}),
    ("explorer", {"sector": "Semiconductors"}),
    ("explorer", {"action": "revised"}),
    ("explorer", {"license": "all items"}),
    ("explorer", {"company": made.HANHAI}),
    ("company", {"company": made.HANHAI}),
    ("company", {"company": made.QUIET}),
    ("rules", {"rule": made.LUMEN_RULE}),
    ("responses", {"status": "proposed"}),
    ("responses", {"company": made.HANHAI, "category": "public_statement"}),
    ("story", {"step": "3"}),
    ("overview", {"present": "1"}),
    ("explorer", {"dest": made.CHINA, "present": "1"}),
])
def test_each_query_parameter_opens_its_view_and_stays_in_the_url(page, params):
    app = run_page(page, **params)
    assert not app.exception
    assert not notices(app)
    assert dict(app.query_params) == params


@pytest.mark.parametrize("page, params, kept", [
    ("overview", {"granularity": "decade"}, {}),
    ("overview", {"group": "colour", "dest": f"{made.CHINA},Atlantis"}, {"dest": made.CHINA}),
    ("explorer", {"from": "2025-02-30", "action": "zapped,added"}, {"action": "added"}),
    ("explorer", {"company": "no-such-company", "license": "some"}, {}),
    ("explorer", {"from": "2025-01-01", "to": "2024-01-01"}, {}),
    ("rules", {"rule": "not-a-rule"}, {}),
    ("responses", {"status": "rumoured", "category": "magic"}, {}),
    ("story", {"step": "0"}, {}),
    ("story", {"step": str(made.MOMENTS + 1)}, {}),
])
def test_invalid_values_fall_back_to_defaults_with_a_notice(page, params, kept):
    app = run_page(page, **params)
    assert not app.exception
    assert notices(app), "an ignored value is announced"
    assert dict(app.query_params) == kept


def test_company_page_shows_listing_citation_entries_and_responses():
    app = run_page("company", company=made.LUMEN)
    assert not app.exception
    text = text_of(app)
    assert made.LUMEN_NAME in [h.value.replace("\\", "") for h in app.header]
    assert f"First listed {made.LUMEN_DAY}; {len(made.LUMEN_ENTRIES)} entries" in text
    entries = table_with(app, "entity_id", "fr_citations")
    assert list(entries["entity_id"]) == list(made.LUMEN_ENTRIES)
    assert set(entries["fr_citations"]) == {made.LUMEN_CITATION}
    assert {str(d)[:10] for d in entries["listed_date"]} == {made.LUMEN_DAY}
    assert made.LUMEN_STATEMENT in text
    assert all(title in text for title in made.LUMEN_PROPOSED)
    assert f"{made.LUMEN_RESPONSES} responses recorded" in text
    assert "Public statement" in [e.label.rsplit(" (", 1)[0] for e in app.expander]
    assert f"Related companies ({len(made.RELATED[made.LUMEN])})" in text


def test_a_company_with_no_entries_says_so():
    app = run_page("company", company=made.QUIET)
    assert not app.exception and not app.error
    infos = "\n".join(i.value for i in app.info)
    assert "no entries on today's list and no responses recorded" in infos
    assert "No entry on today's list is linked to this company." in infos


def test_unknown_company_gets_a_clear_page_not_an_error():
    app = run_page("company", company="does-not-exist")
    assert not app.exception
    assert not app.error and not app.warning
    assert notices(app) == ["⚠️ Ignored unknown company 'does-not-exist'."]
    assert [t.value.replace("\\", "") for t in app.toast] == ["Ignored unknown company 'does-not-exist'."]
    assert "Companies followed" in [h.value for h in app.header]
    companies = table_with(app, "company_id", "entries")
    assert len(companies) == made.COMPANIES, "the list of companies is offered instead"
    assert dict(app.query_params) == {}


def test_explorer_search_and_filters_change_the_url_and_the_rows():
    app = run_page("explorer")
    assert f"{made.ENTRIES:,} entries" in text_of(app)
    app.text_input(key="q").set_value("lumen").run()
    assert app.query_params["q"] in (["lumen"], "lumen")
    assert set(table_with(app, "entity_id")["entity_id"]) == set(made.LUMEN_ENTRIES)
    app.multiselect(key="dest").set_value([made.RUSSIA]).run()
    assert "No entries match" in "\n".join(i.value for i in app.info)


def test_explorer_table_holds_exactly_the_filtered_rows():
    expected = {e["entity_id"] for e in made.entities() if e["destination"] == made.IRAN}
    assert len(expected) == made.DESTINATION_COUNTS[made.IRAN]
    app = run_page("explorer", dest=made.IRAN)
    shown = set(table_with(app, "entity_id")["entity_id"])
    assert shown == expected


def test_overview_controls_write_the_url():
    app = run_page("overview")
    app.segmented_control(key="granularity").set_value("year").run()
    app.toggle(key="cumulative").set_value(True).run()
    assert not app.exception
    params = {k: (v[0] if isinstance(v, list) else v) for k, v in dict(app.query_params).items()}
    assert params == {"granularity": "year", "cumulative": "1"}


def test_overview_headline_counts_are_the_factorys():
    app = run_page("overview")
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Entries on the list"] == f"{made.ENTRIES:,}"
    assert metrics["Destinations"] == str(made.DESTINATIONS)
    assert metrics["Added in 2025"] == str(made.ADDED_IN[2025])
    assert metrics["Rules that changed the list"] == str(made.LIST_CHANGING_RULES)
    assert f"Left out: {made.UNDATED_LISTINGS} entries with no dated citation." in text_of(app)


def test_responses_status_filter_narrows_the_notes():
    app = run_page("responses", status="proposed")
    assert f"{made.STATUS_COUNTS['proposed']} notes" in [h.value for h in app.header]
    assert sum("Source:" in m.value for m in app.markdown) == made.STATUS_COUNTS["proposed"]


def test_rules_page_reconciles_stated_counts_with_todays_list():
    app = run_page("rules", rule=made.LUMEN_RULE)
    assert f"On {made.RECONCILED_DATES} of {made.RULE_DATES_WITH_COUNTS} rule dates" in text_of(app)
    assert f"{len(made.LUMEN_ENTRIES)} entries on today's list cite this rule" in text_of(app)
    assert set(table_with(app, "entity_id")["entity_id"]) == set(made.LUMEN_ENTRIES)


def test_story_steps_are_their_own_links():
    moments = made.moments()
    app = run_page("story", step="3")
    assert f"Moment 3 of {made.MOMENTS}: {moments[2]['date']}" in text_of(app)
    app.button(key="story_next").click().run()
    assert dict(app.query_params) == {"step": "4"}
    assert f"Moment 4 of {made.MOMENTS}: {moments[3]['date']}" in text_of(app)


def test_presenter_mode_keeps_the_filters_and_offers_no_editing(monkeypatch):
    monkeypatch.setenv("TRACKER_EDITOR_PASSWORD", "pw")
    explorer = run_page("explorer", dest=made.IRAN, present="1")
    assert dict(explorer.query_params) == {"dest": made.IRAN, "present": "1"}
    assert not explorer.sidebar.children or not list(explorer.sidebar.children.values())
    editor = run_page("editor", present="1")
    assert any("not available in presenter mode" in i.value for i in editor.info)
    assert not editor.text_input
