"""The Screening page (/screen) through app.py on the shipped data: pasted names get verdicts and
reasons, the switch screens every list, the CSV keeps each line, the reference column and the
list version, and the names never reach the URL."""

from __future__ import annotations

import csv

import pytest
from page_helpers import run_page, table_with, text_of
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

NAMES = "Huawei Technologies Co., Ltd.\nXiaomi\nOBORON HOLDING LLC\nRosneft, Russia"


pytestmark = pytest.mark.usefixtures("shipped_app")  # every test reads the shipped app


@pytest.fixture
def downloads(monkeypatch) -> list[bytes]:
    """The bytes of every file a download button of the run offers (Streamlit's own storage, spied on)."""
    files: list[bytes] = []
    original = MemoryMediaFileStorage.load_and_get_id

    def spy(self, path_or_data, mimetype, kind, filename=None):
        if isinstance(path_or_data, bytes):
            files.append(path_or_data)
        return original(self, path_or_data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", spy)
    return files


def _screen(text: str, lists: str | None = None):
    app = run_page("screen")
    if lists:
        app.segmented_control(key="lists").set_value(lists).run()
    app.text_area(key="screen_names").set_value(text)
    app.get("form_submit_button")[0].click()
    return app.run()


def test_the_page_says_what_it_is_and_what_it_keeps() -> None:
    app = run_page("screen")
    assert not app.exception
    text = text_of(app) + " ".join(w.value for w in app.warning)
    assert "A screening aid, not a clearance" in text
    assert "never logged or stored" in text
    assert "csl_all_2026-07-31" in text and "25,921 rows" in text and "2026-07-31" in text
    assert "a weak source (a mirror, not ITA's own download)" in text  # a third-party copy, said so


def test_pasted_names_get_verdicts_and_reasons_and_the_csv_keeps_them(downloads) -> None:
    app = _screen(NAMES)
    assert not app.exception and not app.error
    assert [m.value for m in app.metric] == ["2", "0", "2"]  # likely, possible, none
    table = table_with(app, "name", "verdict", "reason", "note")
    by_name = {n: rows for n, rows in table.groupby("name")}
    huawei = by_name["Huawei Technologies Co., Ltd."].iloc[0]
    assert (huawei["verdict"], huawei["entity_id"], huawei["reason"]) == ("likely", "EL-0652", "exact name")
    assert huawei["link"] == "entry?id=EL-0652" and huawei["listed_date"] and huawei["license_review_policy"]
    assert by_name["Xiaomi"]["verdict"].tolist() == ["none"]
    oboron = by_name["OBORON HOLDING LLC"].iloc[0]
    assert oboron["verdict"] == "none"
    assert oboron["note"].startswith("not on the Entity List; on the SDN list")
    assert by_name["Rosneft"].iloc[0]["reason"] == "exact name, same destination"
    assert "Huawei" not in "".join(app.query_params.values())  # the names never reach the URL
    rows = list(csv.DictReader(downloads[-1].decode("utf-8-sig").splitlines()))
    assert [r["input"] for r in rows if r["match"] in ("", "1")] == NAMES.splitlines()
    assert {r["list_version"] for r in rows} == {"csl_all_2026-07-31"}
    assert all(r["data_as_of"] and r["thresholds"] and r["screened_at"] for r in rows)


def test_every_list_on_request(downloads) -> None:
    app = _screen("OBORON HOLDING LLC", lists="all")
    assert app.query_params["lists"] == "all"
    table = table_with(app, "name", "verdict", "list")
    assert table.iloc[0]["list"] == "SDN" and table.iloc[0]["verdict"] == "likely"
    assert table.iloc[0]["link"].startswith("https://sanctionslist.ofac.treas.gov/")


def test_a_name_over_the_limit_is_refused_with_a_message() -> None:
    # (An upload's reference column is read by the library: tests/test_screening.py; AppTest
    # cannot upload a file, the browser test does.)
    app = _screen("Rosneft\n" + "x" * 301)
    assert "Line 2: a name can be at most 300 characters long." in app.error[0].value.replace("\\", "")
    assert not app.exception and not app.dataframe


def test_the_explorers_near_spelling_hits_say_why_they_matched() -> None:
    # Issue 13: "Xiaomi" brought two unrelated entries and no hint why.
    app = run_page("explorer", q="xiaomi")
    assert not app.exception
    table = table_with(app, "entity_id", "match_reason")
    assert len(table) == 2
    assert all(r.startswith("near spelling: 'xiaomi' is like 'xia' in the ") for r in table["match_reason"])
    assert "these are near spellings" in text_of(app)
    exact = table_with(run_page("explorer", q="huawei cloud"), "entity_id", "match_reason")
    assert set(exact["match_reason"]) >= {"'huawei' is a word of the name; 'cloud' is a word of the name"}
