"""The Screening page in a real browser (issue 14): paste names, read the verdicts and reasons, and
download the CSV, which keeps each line and names the list version; the names stay out of the URL.
Screenshots at 1400 px and at a phone's 390 px."""

from __future__ import annotations

import csv

from browser_helpers import screenshot, wait_for_app

NAMES = "Huawei Technologies Co., Ltd.\nXiaomi\nOBORON HOLDING LLC\nRosneft, Russia"


def test_paste_names_read_verdicts_and_reasons_and_download_the_csv(page, app_url, tmp_path) -> None:
    page.goto(app_url + "/screen")
    wait_for_app(page)
    page.get_by_label("Names, one a line").fill(NAMES)
    page.get_by_role("button", name="Screen", exact=True).click()
    page.wait_for_selector("text=names screened against the Entity List", timeout=60_000)
    wait_for_app(page)
    main = page.locator('[data-testid="stMain"]').inner_text()
    assert ("Huawei Technologies Co., Ltd. (line 1): likely match: Huawei Technologies Co., Ltd. "
            "(EL, China), exact name") in main
    assert "Xiaomi (line 2): no match." in main
    assert "OBORON HOLDING LLC (line 3): no match. Not on the Entity List; on the SDN list" in main
    assert "Rosneft (line 4): likely match: Rosneft (EL, Russia), exact name, same destination" in main
    assert "Huawei" not in page.url and "Xiaomi" not in page.url
    href = page.get_by_role("link", name="Huawei Technologies Co., Ltd.").first.get_attribute("href")
    assert href.endswith("entry?id=EL-0652")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the results as CSV").click()
    path = tmp_path / "screening.csv"
    download.value.save_as(path)
    rows = list(csv.DictReader(path.read_text(encoding="utf-8-sig").splitlines()))
    assert [r["input"] for r in rows if r["match"] in ("", "1")] == NAMES.splitlines()
    assert {r["list_version"] for r in rows} == {"csl_all_2026-07-31"}
    assert rows[0]["reason"] == "exact name" and rows[0]["entity_id"] == "EL-0652"
    screenshot(page, "screen-1400")
    page.set_viewport_size({"width": 390, "height": 844})
    wait_for_app(page)
    screenshot(page, "screen-390")


def test_an_uploaded_csv_keeps_the_users_reference_column(page, app_url, tmp_path) -> None:
    upload = tmp_path / "counterparties.csv"
    upload.write_text("Our ref,Company,Country\nK-7,Rosneft,Russia\nK-8,Xiaomi,China\n", encoding="utf-8")
    page.goto(app_url + "/screen?lists=all")
    wait_for_app(page)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(upload))
    page.wait_for_selector("text=counterparties.csv", timeout=30_000)
    page.get_by_role("button", name="Screen", exact=True).click()
    page.wait_for_selector("text=2 names screened against every list", timeout=60_000)
    wait_for_app(page)
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the results as CSV").click()
    path = tmp_path / "screening.csv"
    download.value.save_as(path)
    rows = list(csv.DictReader(path.read_text(encoding="utf-8-sig").splitlines()))
    kept = {(r["reference (Our ref)"], r["name"], r["country"]) for r in rows}
    assert kept == {("K-7", "Rosneft", "Russia"), ("K-8", "Xiaomi", "China")}
    assert {r["input"] for r in rows} == {"K-7,Rosneft,Russia", "K-8,Xiaomi,China"}
    assert {r["screened_against"] for r in rows} == {
        "Entity List (this dashboard's entries) and every other list of the Consolidated Screening List"}
