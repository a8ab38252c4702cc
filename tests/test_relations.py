"""Relations between entries (tracker.store.relations, built with the store) and the network.

The groups of the factory's data are worked out here in plain Python from the CSV rows, by the
method the About page states, and must equal the store's exactly; on the shipped list, the
Zhipu entries are related as the issue says; the Huawei network's labels never overlap.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from pathlib import Path

import factory as made
import pytest

from tracker import schema
from tracker.config import data_paths
from tracker.present import network as drawing
from tracker.store import build, connection, related

SHARED_ADDRESS = "Office 5, 14 Shared Tower Street, Tehran, Iran."
LOOSE_ADDRESS = "Tehran, Iran."  # no number: links nothing


def rows(inputs: Path, name: str) -> list[dict[str, str]]:
    with open(inputs / f"{name}.csv", encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _words(text: str) -> list[str]:
    for form in schema.RELATION_LEGAL_FORMS_CJK:
        text = text.replace(form, " ")
    text = text.replace("'", "").replace("’", "").lower()
    return [w for w in re.split(r"[\W_]+", text) if w]


def expected_groups(inputs: Path) -> dict[str, set[frozenset[str]]]:
    """kind -> the sets of entries sharing one thing, by the documented method."""
    entities = rows(inputs, "entities")
    companies = {c["company_id"]: c for c in rows(inputs, "companies")}
    places = set(schema.RELATION_PLACE_WORDS) | {w for e in entities for w in _words(e["destination"])}
    skip = set(schema.RELATION_COMMON_WORDS) | places
    organisation = set(schema.RELATION_LEGAL_FORMS) | set(schema.RELATION_ORGANISATION_WORDS)
    keys: dict[tuple[str, str], set[str]] = defaultdict(set)
    for entry in entities:
        entity = entry["entity_id"]
        if entry["entry_type"] != "address_only":
            names = [entry["name"], entry["local_name"], *entry["aliases"].split(schema.LIST_SEPARATOR)]
            for name in filter(str.strip, names):
                raw = _words(name)
                kept = [w for w in raw if w not in schema.RELATION_LEGAL_FORMS]
                if len(" ".join(kept)) >= schema.RELATION_MIN_KEY_CHARS and set(kept) - skip:
                    keys["name", " ".join(kept)].add(entity)
                if entry["company_id"] or set(raw) & organisation:
                    stems = [w for w in kept if w not in skip]
                    if stems and re.fullmatch(r"[a-z][a-z0-9]{3,}", stems[0]):
                        keys["stem", stems[0]].add(entity)
        address = " ".join(_words(entry["address"]))
        if re.search(r"[0-9]", address) and len(address.split()) >= schema.RELATION_ADDRESS_MIN_WORDS:
            keys["address", address].add(entity)
        if entry["company_id"]:
            keys["profile", entry["company_id"]].add(entity)
            parent = companies[entry["company_id"]]["parent_id"] or (
                entry["company_id"] if any(c["parent_id"] == entry["company_id"] for c in companies.values())
                else "")
            if parent:
                keys["parent", parent].add(entity)
    for event in rows(inputs, "events"):
        if event["action"] == "added" and event["date"]:
            rule = event["rule_id"] or "FR " + event["fr_citation"].split()[0]
            keys["listing", f"{rule} {event['date']}"].add(event["entity_id"])
    groups: dict[str, set[frozenset[str]]] = defaultdict(set)
    for (kind, _), members in keys.items():
        if len(members) >= 2:
            groups[kind].add(frozenset(members))
    return groups


def stored_groups(db) -> dict[str, set[frozenset[str]]]:
    groups: dict[str, set[frozenset[str]]] = defaultdict(set)
    for kind, members in db.execute(
            "SELECT g.kind, list(e.entity_id) FROM relation_members m JOIN relation_groups g "
            "USING (group_no) JOIN entities e USING (entity_no) GROUP BY g.group_no, g.kind").fetchall():
        groups[kind].add(frozenset(members))
    return groups


@pytest.fixture(scope="module")
def related_data(tmp_path_factory):
    """The factory's data, two Iranian entries given one address and two others a loose one."""
    paths = made.write_inputs(tmp_path_factory.mktemp("related"))
    entities = rows(paths.inputs, "entities")
    for entry in entities:
        if entry["entity_id"] in ("EL-0026", "EL-0027"):
            entry["address"] = SHARED_ADDRESS
        if entry["entity_id"] in ("EL-0024", "EL-0025"):
            entry["address"] = LOOSE_ADDRESS
    with open(paths.inputs / "entities.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(entities[0]))
        writer.writeheader()
        writer.writerows(entities)
    store = connection.Store(build.build_store(data_paths(paths.root)).path)
    yield paths, store
    store.close()


def test_groups_are_exactly_those_worked_out_from_the_rows(related_data):
    paths, store = related_data
    expected = expected_groups(paths.inputs)
    assert stored_groups(store.cursor()) == expected
    # the facts the method is for, as the factory's constants name them
    assert frozenset(made.LUMEN_ENTRIES) in expected["profile"]
    assert frozenset(made.LUMEN_ENTRIES) in expected["stem"]  # "Beijing Lumen ..." -> "lumen"
    assert frozenset(made.HANHAI_ENTRIES + made.HANHAI_CLOUD_ENTRIES) in expected["parent"]
    assert expected["address"] == {frozenset({"EL-0026", "EL-0027"})}
    assert frozenset({"EL-0016", "EL-0017", "EL-0018", "EL-0014"}) in expected["listing"]


def test_related_entries_give_every_reason(related_data):
    _, store = related_data
    found = related.related_entries(store.cursor(), "EL-0026")
    row = found.entries.set_index("entity_id").loc["EL-0027"]
    assert f'same address: "{SHARED_ADDRESS}"' in row["reasons"]
    assert f"added by rule {made.NEWEST_RULE}" in row["reasons"]
    assert set(found.entries["entity_id"]) == {"EL-0027", "EL-0029"}  # EL-0029: the same rule and day
    cloud = related.related_entries(store.cursor(), made.HANHAI_CLOUD_ENTRIES[0]).entries
    cloud = cloud.set_index("entity_id")
    assert "parent profile " + made.HANHAI_NAME in cloud.loc[made.HANHAI_ENTRIES[0], "reasons"]


def test_related_entries_cap_a_large_group_and_count_it(related_data):
    _, store = related_data
    found = related.related_entries(store.cursor(), made.LUMEN_ENTRIES[0], per_group=3)
    profile = found.groups.set_index("group_id").loc[f"profile:{made.LUMEN}"]
    assert (profile["others"], profile["shown"]) == (6, 3)
    assert len(found.entries) <= 3 * len(found.groups)


def test_network_links_groups_to_members_within_caps(related_data):
    _, store = related_data
    net = related.network(store.cursor(), entity_id=made.LUMEN_ENTRIES[0], hops=2, per_group=4)
    kinds = dict(zip(net.nodes["node_id"], net.nodes["node_kind"], strict=True))
    assert kinds[made.LUMEN_ENTRIES[0]] == "centre"
    assert all(kinds[s] == "group" for s in net.edges["source"])
    assert all(kinds[t] in ("entry", "centre") for t in net.edges["target"])
    assert net.edges.groupby("source").size().max() <= 4 + 1  # a group's first members, and the centre
    company = related.network(store.cursor(), company_id=made.HANHAI, hops=1)
    assert set(made.HANHAI_ENTRIES) <= set(company.nodes["entity_id"].dropna())
    assert set(made.HANHAI_CLOUD_ENTRIES) <= set(company.nodes["entity_id"].dropna())  # by the parent
    assert related.network(store.cursor(), entity_id="EL-9999").nodes.empty


def test_knowledge_atlas_has_its_six_zhipu_entries_with_the_reason(db):
    found = related.related_entries(db, "EL-0307").entries.set_index("entity_id")
    zhipu = {"EL-0306", "EL-0308", "EL-0309", "EL-0589", "EL-0963", "EL-1013"}
    assert zhipu <= set(found.index)
    for entity in zhipu:
        reasons = found.loc[entity, "reasons"]
        assert "same company profile: Beijing Zhipu Huazhang Technology Co., Ltd." in reasons
        assert 'names begin with "zhipu"' in found.loc[entity, "reasons"]
        assert "added by rule 2025-00704 (90 FR 4617) on 2025-01-16" in found.loc[entity, "reasons"]


def _boxes(fig, width_px: int) -> list[drawing.Box]:
    """Label boxes read back from the figure: its ranges, height and margins, a character 0.6 em wide
    (the browser test measures the drawn text)."""
    labels = next(trace for trace in fig.data if trace.name == "labels")
    (x0, x1), (y0, y1) = fig.layout.xaxis.range, fig.layout.yaxis.range
    margin = fig.layout.margin
    plot_w = width_px - margin.l - margin.r
    plot_h = fig.layout.height - margin.t - margin.b - drawing.LEGEND_PX
    font = labels.textfont.size
    boxes = []
    for x, y, text, place in zip(labels.x, labels.y, labels.text, labels.textposition, strict=True):
        px, py = (x - x0) / (x1 - x0) * plot_w, (y - y0) / (y1 - y0) * plot_h
        wide, high = len(text) * 0.6 * font, 1.2 * font  # text 2 px off its point, as Plotly sets it
        boxes.append({"top center": drawing.Box(px - wide / 2, px + wide / 2, py + 2, py + 2 + high),
                      "bottom center": drawing.Box(px - wide / 2, px + wide / 2, py - 2 - high, py - 2),
                      "middle right": drawing.Box(px + 2, px + 2 + wide, py - high / 2, py + high / 2),
                      "middle left": drawing.Box(px - 2 - wide, px - 2, py - high / 2, py + high / 2)}[place])
    return boxes


@pytest.mark.parametrize("width_px", [390, 1400])
def test_huawei_network_labels_never_overlap(db, width_px):
    net = related.network(db, company_id="huawei", hops=1)
    fig = drawing.network_figure(net.nodes, net.edges, "Huawei", net.hidden)
    boxes = _boxes(fig, width_px)
    assert len(boxes) >= 8  # the centre, the groups and some entries are named
    overlapping = [(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1:] if a.touches(b, gap=0)]
    assert not overlapping
    entries = net.nodes["entity_id"].notna().sum()
    # Huawei's 110 entries in 49 destinations
    assert entries >= 110 and net.nodes["destination"].nunique() >= 40


def test_network_layout_is_the_same_every_time(db):
    net = related.network(db, entity_id="EL-0307", hops=2)
    first = drawing.layout_positions(net.nodes, net.edges)
    assert drawing.layout_positions(net.nodes, net.edges) == first


def test_company_page_draws_its_network_with_groups_and_entries(made_app):
    from page_helpers import run_page, table_with, text_of

    app = run_page("company", company=made.HANHAI, hops="2")
    assert not app.exception
    assert "Network of related entries" in text_of(app)
    assert app.radio(key="hops").value == 2
    groups = table_with(app, "evidence", "members", "drawn")
    assert "profiles under the parent profile " + made.HANHAI_NAME + " (companies.csv parent_id)" in set(
        groups["evidence"])
    entries = table_with(app, "page", "reasons")
    assert set(made.HANHAI_ENTRIES + made.HANHAI_CLOUD_ENTRIES) <= set(entries["entity_id"])
    assert "entry?id=EL-0012" in set(entries["page"])
    assert len([c for c in app.get("plotly_chart")]) >= 2  # the timeline and the network


def test_a_company_without_entries_has_a_network_of_itself_alone(made_db):
    net = related.network(made_db, company_id=made.QUIET, hops=2)
    assert list(net.nodes["node_kind"]) == ["centre"] and net.edges.empty


def test_entry_page_lists_knowledge_atlas_related_zhipu_entries_with_the_reason(shipped_app):
    from page_helpers import run_page, table_with, text_of

    app = run_page("entry", id="EL-0307", hops="2")
    assert not app.exception
    assert "Related entries" in text_of(app) and "Network of related entries" in text_of(app)
    related_table = table_with(app, "page", "reasons", "listed_date")
    zhipu = related_table[related_table["entity_id"].isin(
        ["EL-0306", "EL-0308", "EL-0309", "EL-0589", "EL-0963", "EL-1013"])]
    assert len(zhipu) == 6
    assert zhipu["reasons"].str.contains("same company profile: Beijing Zhipu Huazhang").all()
    assert "entry?id=EL-0306" in set(related_table["page"])
    assert app.radio(key="hops").value == 2
    assert dict(app.query_params).get("hops") == "2"


def test_about_page_counts_the_entries_related_as_the_store_does(shipped_app):
    from page_helpers import run_page, text_of

    text = text_of(run_page("about"))
    assert "Of the 3,415 entries, 1,527 share a profile, name, stem or address" in text
    assert "counting the same-day listings too, 3,410 do" in text
