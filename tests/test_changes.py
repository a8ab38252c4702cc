"""The list's history: versions compared entry by entry (tracker.store.history), checked against the
version files of the shared data read here (not against the store), and on a small pair of versions
made by the test; the Changes page through app.py."""

from __future__ import annotations

import csv
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import factory
import pytest
from page_helpers import run_page, text_of

from tracker import schema
from tracker.config import DataPaths
from tracker.inputs.files import write_rows
from tracker.inputs.validate import validate_dir
from tracker.present import changes
from tracker.store import build, history

V2 = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "v2"


def _rows(name: str) -> list[dict[str, str]]:
    with open(V2 / name, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _plain(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", name.lower())


def _key(row: dict[str, str]) -> str:
    """How the shared data's own diffs key a row: its 2026 id, else destination and normalised name."""
    ids = row["entity_id_2026"].strip()
    return ids or f"{row['destination']}|{_plain(row['name'])}"


def _removed_and_added(old: str, new: str) -> tuple[set[str], set[str]]:
    """Keys of rows in the older version's file absent from the newer's, and the other way round (eCFR
    versions: every row there is an entry, matched to a 2026 id unless no longer listed)."""
    before = {_key(r) for r in _rows(f"list_versions/{old}.csv")}
    after = {_key(r) for r in _rows(f"list_versions/{new}.csv")}
    return before - after, after - before


def _removal_names() -> set[str]:
    return {r["entity_name"] for r in _rows("removals.csv")}


def _entity_id(name: str) -> str:
    return next(r["entity_id"] for r in _rows("entities.csv") if r["name"] == name)


def _removed_names(diff: history.VersionDiff) -> set[str]:
    return set(diff.entries.loc[diff.entries["kind"] == changes.REMOVED, "name"])


# --- The shipped data, against the shared version files ---

def test_oct_to_nov_2023_removes_the_institute_of_forensic_science(db) -> None:
    removed, added = _removed_and_added("ecfr_2023-10-30", "ecfr_2023-11-21")
    ifs = next(n for n in _removal_names() if "Institute of Forensic Science" in n)
    diff = history.version_diff(db, "ecfr_2023-10-30", "ecfr_2023-11-21")
    assert _removed_names(diff) == {ifs}
    assert diff.count(changes.REMOVED) == len(removed) == 1
    assert diff.count(changes.ADDED) == len(added)
    assert set(diff.entries.loc[diff.entries["kind"] == changes.ADDED, "entity_id"]) == added


@pytest.mark.parametrize("new", ["ecfr_2026-07-09", "ecfr_2026-07-23"])
def test_nov_2023_to_july_2026_india_dae_changed_two_removed_sapfir_and_molot_not(db, new: str) -> None:
    removed, added = _removed_and_added("ecfr_2023-11-21", new)
    diff = history.version_diff(db, "ecfr_2023-11-21", new)
    names = _removal_names()
    jazirah = next(n for n in names if "Jazirah" in n)
    bitland = next(n for n in names if "Bitland" in n)
    assert _removed_names(diff) == {jazirah, bitland}
    assert diff.count(changes.REMOVED) == len(removed)
    assert set(diff.entries.loc[diff.entries["kind"] == changes.ADDED, "entity_id"]) == added
    assert diff.count(changes.REMOVED) == 2
    removed_ids = set(diff.entries.loc[diff.entries["kind"] == changes.REMOVED, "entity_id"])
    for restored in ("Joint Stock Company Research and Production Enterprise Sapfir", "Molot-Oruzhie, OOO"):
        assert _entity_id(restored) not in removed_ids
    # The Department of Atomic Energy entry: changed, its three research centres in the old text only.
    dae = diff.entries[diff.entries["entity_id"] == "EL-1377"]
    assert list(dae["kind"]) == [changes.CHANGED]
    fields = diff.fields[(diff.fields["entity_id"] == "EL-1377") & ~diff.fields["format_only"]]
    old_text, new_text = " ".join(map(str, fields["old"])), " ".join(map(str, fields["new"]))
    centres = [n for n in names if re.search(r"Bhabha|Indira Gandhi|Indian Rare Earths", n)]
    assert len(centres) == 3
    for centre in centres:
        short = re.sub(r"\s*\(.*\)", "", centre)
        assert short in old_text and short not in new_text


def test_a_field_the_parse_lacks_is_not_in_this_source_never_a_change(db) -> None:
    diff = history.version_diff(db, "ecfr_2023-11-21", "ecfr_2026-07-09")
    assert diff.not_compared["license_review_policy"].startswith(schema.DIFF_NOT_IN_SOURCE)
    assert "fr_citations" in diff.not_compared  # the parse gives mostly the first citation only
    assert not set(diff.fields["field"]) & set(diff.not_compared)
    # The same pair of eCFR texts compares every field.
    assert history.version_diff(db, "ecfr_2023-11-21", "ecfr_2026-07-23").not_compared == {}


def _letters(text: object) -> str:
    return re.sub(r"[\W_]+", "", str(text or "").lower().replace("u.a.e", "uae"))


def test_format_only_differences_are_not_counted_as_changes(db) -> None:
    diff = history.version_diff(db, "ecfr_2026-03-25", "ecfr_2026-07-23")
    old = {r["entity_id_2026"]: r for r in _rows("list_versions/ecfr_2026-03-25.csv")}
    new = {r["entity_id_2026"]: r for r in _rows("list_versions/ecfr_2026-07-23.csv")}
    # Entries whose fields differ in the files only in letters' case, marks and spacing.
    writing = {i for i in old.keys() & new.keys()
               if any(old[i][f] != new[i][f] for f in schema.VERSION_FIELDS)
               and all(_letters(old[i][f]) == _letters(new[i][f]) for f in schema.VERSION_FIELDS)}
    assert writing
    kinds = dict(zip(diff.entries["entity_id"], diff.entries["kind"], strict=True))
    assert {kinds[i] for i in writing} == {changes.FORMAT_ONLY}
    assert diff.count(changes.CHANGED) == len(set(diff.fields.loc[~diff.fields["format_only"], "entity_id"]))
    for row in diff.fields[~diff.fields["format_only"]].itertuples():
        assert _letters(row.old) != _letters(row.new)


def test_versions_are_named_by_date_and_the_default_pair_is_the_newest_alike(db) -> None:
    found = history.versions(db)
    expected = sorted(r["version_date"] for r in _rows("list_versions/versions.csv"))
    assert [v.name for v in found] == expected
    assert changes.default_pair(found) == ("2026-03-25", "2026-07-23")
    unmatched = {v.version_id: v.unmatched_rows for v in found}
    # Rows the files match to no 2026 id, less those of the named removals (kept as removed entries).
    removals = {(r["destination"], _plain(r["entity_name"])) for r in _rows("removals.csv")}

    def unmatched_in(version_id: str) -> int:
        return sum(x["match"] == "none" and not any(
            d == x["destination"] and _plain(x["name"]).startswith(n) for d, n in removals)
            for x in _rows(f"list_versions/{version_id}.csv"))

    assert unmatched == {r["version_id"]: unmatched_in(r["version_id"])
                         for r in _rows("list_versions/versions.csv")}


# --- A small pair of versions made here, on the factory's data ---

def test_a_made_pair_of_versions_is_told_apart_entry_by_entry(made_db) -> None:
    diff = history.version_diff(made_db, factory.OLD_VERSION, factory.NEW_VERSION)
    kinds = dict(zip(diff.entries["entity_id"], diff.entries["kind"], strict=True))
    # VERSION_SAME says the same; VERSION_SPLIT's two rows are only reordered.
    assert kinds == {factory.VERSION_REMOVED: changes.REMOVED, factory.VERSION_CHANGED: changes.CHANGED,
                     factory.VERSION_WRITTEN: changes.FORMAT_ONLY, factory.VERSION_ADDED: changes.ADDED}
    changed = diff.fields[diff.fields["entity_id"] == factory.VERSION_CHANGED].iloc[0]
    assert (changed["field"], changed["old"], changed["new"]) == ("address", "Shenzhen, China.",
                                                                  "Beijing, China.")
    assert diff.unmatched == {factory.OLD_VERSION: 1, factory.NEW_VERSION: 0}
    assert diff.counts == {changes.ADDED: 1, changes.REMOVED: 1, changes.CHANGED: 1, changes.FORMAT_ONLY: 1}
    assert diff.by_destination()["entries"].sum() == 4
    export = changes.export_rows(diff.entries, diff.fields)
    assert sorted(export["kind"]) == ["Added", "Changed", "Format only", "Removed"]


def test_a_field_one_source_lacks_is_not_compared(made_db) -> None:
    diff = history.version_diff(made_db, factory.NEW_VERSION, factory.CSL_VERSION)
    assert diff.not_compared == {"address": f"{schema.DIFF_NOT_IN_SOURCE} (2024-06-02)"}
    assert "address" not in diff.compared
    # VERSION_SAME's address is empty in the screening list: not a change.
    assert diff.entries.loc[diff.entries["entity_id"] == factory.VERSION_SAME, "kind"].tolist() == []
    assert changes.default_pair(history.versions(made_db)) == ("2024-01-01", "2024-06-01")


def test_a_second_version_of_one_kind_on_one_date_is_refused(tmp_path: Path) -> None:
    paths = factory.write_inputs(tmp_path)
    versions = factory.list_versions()
    twin = {**versions[0], "version_id": "ecfr_2024-01-01b"}
    write_rows(paths.inputs / schema.LIST_VERSIONS.filename, schema.LIST_VERSIONS, [*versions, twin])
    errors = validate_dir(paths.inputs).errors
    assert [p.file for p in errors] == ["list_versions.csv"], errors
    assert "date" in errors[0].message and "source_kind" in errors[0].message
    # Named apart by a variant, it is accepted, and named by its date and variant.
    twin["variant"] = "second copy"
    write_rows(paths.inputs / schema.LIST_VERSIONS.filename, schema.LIST_VERSIONS, [*versions, twin])
    assert validate_dir(paths.inputs).errors == []


# --- The page ---

@pytest.fixture(scope="module")
def shipped_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DataPaths]:
    root = tmp_path_factory.mktemp("changes_app")
    shutil.copytree(Path(__file__).resolve().parents[1] / "data" / "inputs", root / "inputs")
    paths = DataPaths(root)
    build.build_store(paths)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TRACKER_DATA_DIR", str(root))
        patch.delenv("TRACKER_STORE_URL", raising=False)
        yield paths


def test_changes_page_default_is_the_newest_pair_alike(shipped_app) -> None:
    app = run_page("changes")
    assert not app.exception and not app.error
    assert (app.selectbox(key="from").value, app.selectbox(key="to").value) == (None, None)
    text = text_of(app)
    assert "From: 2026-03-25" in text and "To: 2026-07-23" in text
    assert [m.value for m in app.metric][:2] == ["0", "0"]  # nothing added or removed in 2026
    assert dict(app.query_params) == {}


def test_changes_page_from_the_link(shipped_app) -> None:
    app = run_page("changes", **{"from": "2023-11-21", "to": "2026-07-09"})
    assert not app.exception and not app.error
    assert [m.value for m in app.metric][:2] == ["746", "2"]
    text = text_of(app)
    assert "Licence review policy: not in this source (2026-07-09), not compared." in text
    removed = app.dataframe[1].value  # added, then removed
    assert set(removed["name"]) == {"Jazirah Aviation Club", "Hefei Bitland Information Technology Co. Ltd."}
    assert set(removed["page"]) == {"entry?id=EL-3414", "entry?id=EL-3415"}
    assert len(app.get("download_button"))


def test_changes_page_bad_version_gives_a_notice_and_the_default(shipped_app) -> None:
    app = run_page("changes", **{"from": "1999-01-01"})
    assert not app.exception and not app.error
    assert "Ignored unknown version '1999-01-01'." in text_of(app)
    assert app.selectbox(key="from").value is None and "From: 2026-03-25" in text_of(app)


# --- import-csl records the export as a version of the list ---

def test_import_csl_adds_a_version_and_prints_its_diff(tmp_path: Path) -> None:
    from editor_fixtures import run_cli, tree_hashes

    paths = factory.write_inputs(tmp_path / "data")
    first = run_cli(paths, "import-csl", factory.csl_export(tmp_path / "first.csv"), "--apply")
    assert first.returncode == 0, first.stderr
    assert f"{factory.CSL_EL_ROWS} rows, {factory.CSL_EL_ROWS} matched to entries" in first.stdout
    assert f"against {factory.CSL_VERSION}: " in first.stdout  # the newest version before it
    *_, version = _read(paths.inputs / "list_versions.csv")
    assert version["source_kind"] == "screening_list" and version["variant"] == ""
    assert len(_read(paths.inputs / "version_rows.csv")) == len(factory.version_rows()) + factory.CSL_EL_ROWS

    # A second export that day: without EL-0002 and the entry the first one added; EL-0003's address
    # as the inputs first had it.
    kept = [e for e in factory.entities() if e["entity_id"] not in (factory.CSL_GONE, "EL-0002")]
    rows = [factory.csl_row(e) for e in kept]
    second = factory.csl_export(tmp_path / "second.csv", rows)
    before = tree_hashes(paths.root)
    dry = run_cli(paths, "import-csl", second)
    assert dry.returncode == 0, dry.stderr
    assert tree_hashes(paths.root) == before  # the dry run writes nothing
    assert f"against {version['version_id']}: 0 added, 2 removed, 1 changed" in dry.stdout
    assert "  removed: EL-0002 " in dry.stdout and f"  removed: {factory.CSL_NEW_ID} " in dry.stdout
    assert "Destination not compared" in dry.stdout
    applied = run_cli(paths, "import-csl", second, "--apply")
    assert applied.returncode == 0, applied.stderr
    assert [line for line in applied.stdout.splitlines() if line.startswith("against")] == \
           [line for line in dry.stdout.splitlines() if line.startswith("against")]
    versions = _read(paths.inputs / "list_versions.csv")[len(factory.list_versions()):]
    assert [(v["date"], v["variant"]) for v in versions] == [(version["date"], ""),
                                                             (version["date"], "import 2")]
    assert validate_dir(paths.inputs).errors == []
    # The same export again records no third version.
    again = run_cli(paths, "import-csl", second, "--apply")
    assert "no version recorded" in again.stdout
    assert len(_read(paths.inputs / "list_versions.csv")) == len(factory.list_versions()) + 2


def _read(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8-sig") as f:
        return list(csv.DictReader(f))


def test_the_differences_chart_stacks_kinds_by_destination_and_lumps_the_rest() -> None:
    import pandas as pd

    from tracker.present import charts

    data = pd.DataFrame({"destination": [f"D{i}" for i in range(14)] + ["D0"],
                         "kind": ["added"] * 14 + ["removed"], "entries": [*range(14, 0, -1), 5]})
    fig = charts.version_differences(data, changes.DIFF_KIND_LABELS, "t", top=12)
    assert [t.name for t in fig.data] == ["Added", "Removed"]  # no bar for a kind with none
    added = dict(zip(fig.data[0].y, fig.data[0].x, strict=True))
    assert added["D0"] == 14 and added[charts.OTHER] == 2 + 1
    assert list(fig.data[0].y)[-1] == charts.OTHER and len(fig.data[0].y) == 13


# --- The diff answered from the hashes alone, its text read for the first entries only ---

def _kind_pairs(diff: history.VersionDiff) -> set[tuple[int, str]]:
    return set(zip(diff.kinds["entity_no"], diff.kinds["kind"], strict=True))


def test_the_diff_from_hashes_is_the_field_by_field_diff(db) -> None:
    found = [v.version_id for v in history.versions(db)]
    for old, new in zip(found, found[1:], strict=False):
        exact = history.version_diff(db, old, new)
        for shown in (3, 100_000):
            hashed = history.version_diff(db, old, new, shown=shown)
            assert hashed.counts == exact.counts and _kind_pairs(hashed) == _kind_pairs(exact)
            assert hashed.by_destination().equals(exact.by_destination())
            if exact.not_compared:  # read field by field anyway: every entry
                assert hashed.complete
                continue
            first = exact.entries[exact.entries["entity_no"].isin(
                sorted(exact.entries["entity_no"])[:shown])].reset_index(drop=True)
            assert hashed.complete == (len(first) == len(exact.entries))
            assert hashed.entries.astype(str).equals(first.astype(str))
            assert set(hashed.fields["entity_id"]) == set(
                exact.fields.loc[exact.fields["entity_id"].isin(first["entity_id"]), "entity_id"])


def test_a_made_diff_shown_in_part_counts_every_difference(made_db) -> None:
    diff = history.version_diff(made_db, factory.OLD_VERSION, factory.NEW_VERSION, shown=1)
    assert diff.counts == {changes.ADDED: 1, changes.REMOVED: 1, changes.CHANGED: 1, changes.FORMAT_ONLY: 1}
    assert not diff.complete and len(diff.entries) == 1
    assert diff.entries["entity_no"].tolist() == [diff.kinds["entity_no"].min()]
