"""Questions on the relations between entries (built by tracker.store.relations): an entry's
related entries with their reasons, and the network around an entry or a company."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pyarrow as pa

from tracker import schema
from tracker.store.sorted_files import sorted_file
from tracker.store.sql import quote

RELATED_PER_GROUP = 50  # members of one group listed on an entry's page (a rule's group can be thousands)
NETWORK_PER_GROUP = 30  # members of one group drawn in a network
NETWORK_ENTRIES = 160  # entries drawn in a network in all, the rest counted
NETWORK_GROUPS = 40  # groups drawn a hop, closest kinds and largest first
# Kinds closest first: the order of an entry's reasons and of the groups drawn.
KIND_ORDER = ("profile", "parent", "name", "address", "stem", "listing")


@dataclass(frozen=True)
class Related:
    """An entry's related entries (one row each, with every reason) and the groups they come from."""

    entries: pd.DataFrame  # entity_id, name, destination, listed_date, status, citations, kinds, reasons
    groups: pd.DataFrame  # group_id, kind, evidence, others (members besides the entry), shown


def _kind_rank(kinds: pd.Series) -> pd.Series:
    return kinds.map({kind: rank for rank, kind in enumerate(KIND_ORDER)})


@dataclass(frozen=True)
class _Relations:
    """A build's groups and memberships as arrays, read once per store (tracker.store.relations).

    A network or an entry's related entries reads a few hundred memberships scattered across the
    store: looked up in Parquet that is a row group read per entry or group (300-500 ms for a network
    at a million entries), here an array slice. Entries and groups are numbered densely
    (entity_no, group_no), so a number is a position. Held per build: about 150 MB at a million entries.
    """

    group_ids: pa.Array  # by group_no, in the order of the ids
    kinds: np.ndarray  # a group's kind's rank in KIND_ORDER
    sizes: np.ndarray  # a group's members
    evidence: pa.Array
    # Group g's members, most cited first, are members[member_starts[g]:member_starts[g + 1]];
    # entry e's groups, ascending, are groups[group_starts[e]:group_starts[e + 1]].
    member_starts: np.ndarray
    members: np.ndarray
    group_starts: np.ndarray
    groups: np.ndarray
    cards: pa.Table  # by entity_no: entity_id, name, destination, listed_date, status, citations

    def groups_of(self, entity_no: int) -> np.ndarray:
        return self.groups[self.group_starts[entity_no]:self.group_starts[entity_no + 1]]

    def first_members(self, group_no: int, count: int) -> np.ndarray:
        start = self.member_starts[group_no]
        return self.members[start:min(start + count, self.member_starts[group_no + 1])]

    def card(self, entity_nos) -> list[dict]:
        return self.cards.take(pa.array(entity_nos, type=pa.int32())).to_pylist()

    def group(self, group_no: int) -> dict:
        return {"group_id": self.group_ids[group_no].as_py(), "kind": KIND_ORDER[self.kinds[group_no]],
                "members": int(self.sizes[group_no]), "evidence": self.evidence[group_no].as_py()}


_loaded: OrderedDict[str, _Relations] = OrderedDict()
_loading = threading.Lock()
BUILDS_HELD = 2  # the relations of this many stores kept (a new build's replace the oldest)


def _relations(db) -> _Relations:
    """The store's relations as arrays, read at its first question on them."""
    key = db.execute("SELECT key FROM store_key").fetchall()[0][0]
    with _loading:
        if key not in _loaded:
            _loaded[key] = _read_relations(db)
            while len(_loaded) > BUILDS_HELD:
                _loaded.popitem(last=False)
        _loaded.move_to_end(key)
        return _loaded[key]


def _starts(numbers: np.ndarray, count: int) -> np.ndarray:
    """Where each of `count` numbers' rows start in `numbers` (sorted), and the end."""
    return np.searchsorted(numbers, np.arange(count + 1), side="left")


def _read_relations(db) -> _Relations:
    db.complete()
    groups = db.sql(f"""
        SELECT group_id, list_position({_kind_list()}, kind) - 1 AS kind_rank, members, evidence, entity_nos
        FROM relation_groups ORDER BY group_no""").to_arrow_table()
    memberships = db.sql("SELECT entity_no, group_no FROM relation_members").to_arrow_table()
    citations = f"string_split(fr_citations, {quote(schema.CITATION_SEPARATOR)})"
    cards = db.sql(f"""
        SELECT entity_id, name, destination, listed_date, status,
               CAST(coalesce(len({citations}), 0) AS INTEGER) AS citations
        FROM entities ORDER BY entity_no""").to_arrow_table()
    nested = groups["entity_nos"].combine_chunks()
    entity_nos = memberships["entity_no"].to_numpy()
    return _Relations(
        group_ids=groups["group_id"].combine_chunks(), kinds=groups["kind_rank"].to_numpy().astype(np.int8),
        sizes=groups["members"].to_numpy(), evidence=groups["evidence"].combine_chunks(),
        member_starts=nested.offsets.to_numpy().astype(np.int64), members=nested.values.to_numpy(),
        group_starts=_starts(entity_nos, cards.num_rows), groups=memberships["group_no"].to_numpy(),
        cards=cards.combine_chunks())


def _kind_list() -> str:
    return "[" + ", ".join(quote(kind) for kind in KIND_ORDER) + "]"


def _entity_no(db, entity_id: str) -> int | None:
    found = sorted_file(db, "entry_lookup", "entity_id").rows(entity_id, ["entity_id", "entity_no"])
    return found["entity_no"][0].as_py() if found.num_rows else None


CARD_COLUMNS = ["entity_id", "name", "destination", "listed_date", "status", "citations"]


def related_entries(db, entity_id: str, per_group: int = RELATED_PER_GROUP) -> Related:
    """The entries related to one, each with what it shares with it (at most `per_group` of a group)."""
    number = _entity_no(db, entity_id)
    index = _relations(db)
    numbers = index.groups_of(number) if number is not None else []
    mine = [index.group(g) | {"group_no": int(g)} for g in numbers]
    groups = pd.DataFrame(mine, columns=["group_no", "group_id", "kind", "evidence", "members"])
    groups = groups.assign(others=groups["members"] - 1, rank=_kind_rank(groups["kind"]))
    groups = groups.sort_values(["rank", "group_id"])
    found: dict[int, dict] = {}  # entity_no -> its ranks and reasons, in the order of the groups
    for group in groups.itertuples():
        others = [m for m in index.first_members(group.group_no, per_group + 1) if m != number][:per_group]
        for member in others:
            seen = found.setdefault(int(member), {"ranks": [], "reasons": []})
            seen["ranks"].append(group.rank)
            seen["reasons"].append(group.evidence)
    entries = pd.DataFrame(index.card(list(found)), columns=CARD_COLUMNS)
    labels = [schema.RELATION_KINDS[k] for k in KIND_ORDER]
    entries = entries.assign(
        kinds=[", ".join(labels[r] for r in sorted(set(f["ranks"]))) for f in found.values()],
        reasons=["; ".join(f["reasons"]) for f in found.values()],
        first=[min(f["ranks"]) for f in found.values()])
    entries["listed_date"] = pd.to_datetime(entries["listed_date"]).astype("datetime64[us]")
    entries = entries.sort_values(["first", "citations", "name", "entity_id"],
                                  ascending=[True, False, True, True], na_position="last", kind="stable")
    groups = groups.assign(shown=groups["others"].clip(upper=per_group))
    return Related(entries.drop(columns="first").reset_index(drop=True),
                   groups[["group_id", "kind", "evidence", "others", "shown"]].reset_index(drop=True))


@dataclass(frozen=True)
class Network:
    """Entries and the groups linking them, as nodes and edges, around one entry or company.

    nodes: node_id, node_kind ('centre', 'entry' or 'group'), label, entity_id, destination,
    citations, hop, kind (a group's), evidence, members, shown. edges: source, target, kind, reason.
    `hidden` counts the members of the groups drawn that are not drawn (over a cap), and
    `hidden_groups` the groups not drawn: over NETWORK_GROUPS a hop, or linking one drawn entry only.
    """

    nodes: pd.DataFrame
    edges: pd.DataFrame
    hidden: int
    hidden_groups: int = 0


def _empty_network() -> Network:
    return Network(pd.DataFrame(columns=NODE_COLUMNS), pd.DataFrame(columns=EDGE_COLUMNS), 0)


def network(
    db,
    entity_id: str | None = None,
    company_id: str | None = None,
    hops: int = 1,
    per_group: int = NETWORK_PER_GROUP,
    max_entries: int = NETWORK_ENTRIES,
) -> Network:
    """The network around one entry (or one company's entries): each group of the centre's entries
    as a node linked to its members, then (hops=2) the groups of those members and theirs."""
    index = _relations(db)
    nodes: dict[str, dict] = {}
    edges: list[dict] = []
    numbers: dict[str, int] = {}  # the entity_no of each entry drawn
    if company_id is not None:
        name = db.execute("SELECT name FROM companies WHERE company_id = ?", [company_id]).fetchone()
        if name is None:
            return _empty_network()
        profile = f"profile:{company_id}"
        position = index.group_ids.index(profile).as_py()
        centre = index.group(position) if position >= 0 else {"members": 0, "evidence": None}
        nodes[profile] = _node(profile, "centre", name[0], hop=0, kind="profile",
                               evidence=centre["evidence"] if centre["members"] else None,
                               members=centre["members"])
        expanded = {profile}
        reached = [(position, centre)] if position >= 0 else []
        frontier = _add_members(index, nodes, edges, numbers, reached, 1, max_entries, max_entries)
    else:
        number = _entity_no(db, entity_id) if entity_id else None
        if number is None:
            return _empty_network()
        card = index.card([number])[0]
        nodes[entity_id] = _node(entity_id, "centre", card["name"], entity_id=entity_id, hop=0,
                                 destination=card["destination"], citations=card["citations"])
        numbers[entity_id] = number
        expanded, frontier = set(), [entity_id]
    hidden_groups = 0
    for hop in range(1, hops + 1):
        if not frontier:
            break
        # Each group of the frontier's entries (by id), with the entries it was reached from.
        reached_from: dict[int, list[str]] = {}
        for member in sorted(frontier):
            for group_no in index.groups_of(numbers[member]):
                reached_from.setdefault(int(group_no), []).append(member)
        candidates = [(g, index.group(g)) for g in sorted(reached_from)]
        candidates = [(g, group) for g, group in candidates if group["group_id"] not in expanded]
        candidates.sort(key=lambda c: (KIND_ORDER.index(c[1]["kind"]), -c[1]["members"]))  # stable: by id
        hidden_groups += max(len(candidates) - NETWORK_GROUPS, 0)
        drawn = candidates[:NETWORK_GROUPS]
        for _, group in drawn:
            nodes[group["group_id"]] = _node(group["group_id"], "group", _group_label(group), hop=hop,
                                             kind=group["kind"], evidence=group["evidence"],
                                             members=group["members"])
        # A group is linked to the entries it was reached from.
        for group_no, group in sorted(drawn, key=lambda c: c[0]):
            for member in reached_from[group_no]:
                edges.append({"source": group["group_id"], "target": member, "kind": group["kind"],
                              "reason": group["evidence"]})
        expanded |= {group["group_id"] for _, group in drawn}
        frontier = _add_members(index, nodes, edges, numbers, drawn, hop, per_group, max_entries)
    frame = pd.DataFrame(list(nodes.values()), columns=NODE_COLUMNS)
    links = pd.DataFrame(edges, columns=EDGE_COLUMNS)
    frame["shown"] = frame["node_id"].map(links.groupby("source").size()).fillna(0).astype(int)
    lone = frame[(frame["node_kind"] == "group") & (frame["shown"] < 2)]["node_id"]  # links nothing drawn
    frame, links = frame[~frame["node_id"].isin(lone)], links[~links["source"].isin(lone)]
    groups = frame[frame["node_kind"] != "entry"]
    hidden = int((groups["members"].fillna(0) - groups["shown"]).clip(lower=0).sum())
    return Network(
        frame.reset_index(drop=True), links.reset_index(drop=True), hidden, hidden_groups + len(lone)
    )


NODE_COLUMNS = [
    "node_id",
    "node_kind",
    "label",
    "entity_id",
    "destination",
    "citations",
    "hop",
    "kind",
    "evidence",
    "members",
]
EDGE_COLUMNS = ["source", "target", "kind", "reason"]


def _node(
    node_id: str,
    node_kind: str,
    label: str,
    hop: int,
    entity_id: str | None = None,
    destination: str | None = None,
    citations: int = 0,
    kind: str | None = None,
    evidence: str | None = None,
    members: int = 0,
) -> dict:
    return {
        "node_id": node_id,
        "node_kind": node_kind,
        "label": label,
        "entity_id": entity_id,
        "destination": destination,
        "citations": citations,
        "hop": hop,
        "kind": kind,
        "evidence": evidence,
        "members": members,
    }


def _add_members(index: _Relations, nodes: dict, edges: list, numbers: dict[str, int],
                 groups: list[tuple[int, dict]], hop: int, per_group: int, max_entries: int) -> list[str]:
    """Link each group to its first members, adding the entries not yet drawn (while under
    max_entries); the entries added are the next hop's frontier."""
    entries = sum(1 for node in nodes.values() if node["node_kind"] != "group" and node["entity_id"])
    added = []
    linked = {(edge["source"], edge["target"]) for edge in edges}
    for group_no, group in groups:
        firsts = index.first_members(group_no, per_group)
        for number, card in zip(firsts.tolist(), index.card(firsts), strict=True):
            member = card["entity_id"]
            if (group["group_id"], member) in linked:
                continue
            if member not in nodes:
                if entries >= max_entries:
                    continue
                nodes[member] = _node(member, "entry", card["name"], entity_id=member, hop=hop,
                                      destination=card["destination"], citations=card["citations"])
                numbers[member] = number
                entries += 1
                added.append(member)
            edges.append({"source": group["group_id"], "target": member, "kind": group["kind"],
                          "reason": nodes[group["group_id"]]["evidence"]})
    return added


def _group_label(group: dict) -> str:
    """A group's short label on the network (its evidence is in the hover and the table)."""
    group = SimpleNamespace(**group)
    count = f" ({group.members})"
    if group.kind == "listing":
        return (
            "listed " + group.evidence.split(" on ")[-1][:10] + count
            if " on " in group.evidence
            else "listed " + group.evidence[9:19] + count
        )
    if group.kind in ("name", "stem"):
        word = group.evidence.split('"')[1] if '"' in group.evidence else ""
        return (
            ("name " if group.kind == "name" else "")
            + f'"{word[:18]}"'
            + ("…" if group.kind == "stem" else "")
            + count
        )
    if group.kind == "profile":
        return "profile" + count
    return schema.RELATION_KINDS[group.kind] + count


def related_counts(db) -> dict[str, int]:
    """How many entries are related to at least one other: by a profile, name, stem or address
    ('besides_listing'), by any relation ('any'), and the entries in all ('entries')."""
    row = db.execute("""
        SELECT count(DISTINCT m.entity_no) FILTER (WHERE g.kind <> 'listing'), count(DISTINCT m.entity_no),
               (SELECT count(*) FROM entities)
        FROM relation_members m JOIN relation_groups g USING (group_no)""").fetchone()
    return {"besides_listing": row[0], "any": row[1], "entries": row[2]}
