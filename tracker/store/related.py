"""Questions on the relations between entries (built by tracker.store.relations): an entry's
related entries with their reasons, and the network around an entry or a company."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from tracker import schema
from tracker.store.connection import _frame

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


def related_entries(db, entity_id: str, per_group: int = RELATED_PER_GROUP) -> Related:
    """The entries related to one, each with what it shares with it (at most `per_group` of a group)."""
    groups = _frame(
        db,
        """
        SELECT m.group_id, m.kind, g.evidence, m.members - 1 AS others
        FROM relation_members m JOIN relation_groups g USING (group_id) WHERE m.entity_id = ?""",
        [entity_id],
    )
    kinds, labels = list(KIND_ORDER), [schema.RELATION_KINDS[k] for k in KIND_ORDER]
    ids = list(groups["group_id"]) or [""]
    # The groups by an IN list of bound ids: the members' table, sorted by group, is then read only
    # where those groups are (a join with them read all of it: 400 ms at a million entries).
    entries = _frame(
        db,
        f"""
        WITH mine AS (SELECT group_id, kind, evidence FROM relation_groups
                      WHERE group_id IN ({_placeholders(ids)})),
        shown AS (
            SELECT m.entity_id, m.name, m.destination, m.listed_date, m.status, m.citations, mine.evidence,
                   mine.group_id, list_position(?, mine.kind) AS rank
            FROM group_members m JOIN mine USING (group_id)
            WHERE m.group_id IN ({_placeholders(ids)}) AND m.member_rank <= ? AND m.entity_id <> ?
            QUALIFY row_number() OVER (PARTITION BY m.group_id ORDER BY m.member_rank) <= ?)
        SELECT entity_id, any_value(name) AS name, any_value(destination) AS destination,
               any_value(listed_date) AS listed_date, any_value(status) AS status,
               any_value(citations) AS citations,
               list_sort(list_distinct(list(rank))) AS kinds,
               string_agg(evidence, '; ' ORDER BY rank, group_id) AS reasons
        FROM shown GROUP BY entity_id
        ORDER BY min(rank), any_value(citations) DESC, any_value(name), entity_id""",
        [*ids, kinds, *ids, per_group + 1, entity_id, per_group],
    )
    entries["kinds"] = [", ".join(labels[r - 1] for r in ranks) for ranks in entries["kinds"]]
    groups = groups.assign(shown=groups["others"].clip(upper=per_group))
    groups = groups.assign(rank=_kind_rank(groups["kind"])).sort_values(["rank", "group_id"])
    return Related(entries, groups.drop(columns="rank").reset_index(drop=True))


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


def _placeholders(values: list) -> str:
    """'?, ?, ?' for a list of bound values: an IN list of constants lets DuckDB skip the row groups
    (sorted by the column) that hold none of them, where a subquery reads them all."""
    return ", ".join("?" * len(values))


def _members_of(db, group_ids: list[str], per_group: int) -> pd.DataFrame:
    return _frame(
        db,
        f"""
        SELECT group_id, kind, members, member_rank, entity_id, name, destination, citations
        FROM group_members WHERE group_id IN ({_placeholders(group_ids)}) AND member_rank <= ?
        ORDER BY group_id, member_rank""",
        [*group_ids, per_group],
    )


def _groups_of(db, entity_ids: list[str]) -> pd.DataFrame:
    """The groups these entries are in, one row per entry and group."""
    return _frame(
        db,
        f"""
        SELECT group_id, kind, members, entity_id FROM relation_members
        WHERE entity_id IN ({_placeholders(entity_ids)}) ORDER BY group_id, entity_id""",
        list(entity_ids),
    )


def _evidence_of(db, group_ids: list[str]) -> dict[str, str]:
    """Each group's evidence, read from the groups' table (small) rather than every membership's row."""
    if not group_ids:
        return {}
    rows = db.execute(
        f"SELECT group_id, evidence FROM relation_groups WHERE group_id IN ({_placeholders(group_ids)})",
        list(group_ids),
    ).fetchall()
    return dict(rows)


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
    nodes: dict[str, dict] = {}
    edges: list[dict] = []
    if company_id is not None:
        profile = f"profile:{company_id}"
        centre = _frame(db, "SELECT evidence, members FROM relation_groups WHERE group_id = ?", [profile])
        name = _frame(db, "SELECT name FROM companies WHERE company_id = ?", [company_id])
        if name.empty:
            return Network(pd.DataFrame(columns=NODE_COLUMNS), pd.DataFrame(columns=EDGE_COLUMNS), 0)
        members = int(centre["members"].iloc[0]) if not centre.empty else 0
        nodes[profile] = _node(
            profile,
            "centre",
            name["name"].iloc[0],
            hop=0,
            kind="profile",
            evidence=centre["evidence"].iloc[0] if members else None,
            members=members,
        )
        expanded = {profile}
        frontier = _add_members(db, nodes, edges, [profile], 1, max_entries, max_entries)
    else:
        entry = _frame(
            db,
            "SELECT entity_id, name, destination, fr_citations FROM entities WHERE entity_id = ?",
            [entity_id],
        )
        if entry.empty:
            return Network(pd.DataFrame(columns=NODE_COLUMNS), pd.DataFrame(columns=EDGE_COLUMNS), 0)
        row = entry.iloc[0]
        citations = len(row["fr_citations"].split(schema.CITATION_SEPARATOR)) if row["fr_citations"] else 0
        nodes[entity_id] = _node(
            entity_id,
            "centre",
            row["name"],
            entity_id=entity_id,
            hop=0,
            destination=row["destination"],
            citations=citations,
        )
        expanded, frontier = set(), [entity_id]
    hidden_groups = 0
    for hop in range(1, hops + 1):
        if not frontier:
            break
        memberships = _groups_of(db, frontier)
        memberships = memberships[~memberships["group_id"].isin(expanded)]
        groups = memberships.drop_duplicates("group_id").sort_values(
            ["kind", "members"], key=lambda c: _kind_rank(c) if c.name == "kind" else -c
        )
        hidden_groups += max(len(groups) - NETWORK_GROUPS, 0)
        groups = groups.head(NETWORK_GROUPS)
        memberships = memberships[memberships["group_id"].isin(groups["group_id"])]
        evidence = _evidence_of(db, list(groups["group_id"]))
        groups = groups.assign(evidence=groups["group_id"].map(evidence))
        memberships = memberships.assign(evidence=memberships["group_id"].map(evidence))
        for group in groups.itertuples():
            nodes[group.group_id] = _node(
                group.group_id,
                "group",
                _group_label(group),
                hop=hop,
                kind=group.kind,
                evidence=group.evidence,
                members=group.members,
            )
        for member in memberships.itertuples():  # a group is linked to the entries it was reached from
            edges.append(
                {
                    "source": member.group_id,
                    "target": member.entity_id,
                    "kind": member.kind,
                    "reason": member.evidence,
                }
            )
        expanded |= set(groups["group_id"])
        frontier = _add_members(db, nodes, edges, list(groups["group_id"]), hop, per_group, max_entries)
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


def _add_members(
    db, nodes: dict, edges: list, group_ids: list[str], hop: int, per_group: int, max_entries: int
) -> list[str]:
    """Link each group to its first members, adding the entries not yet drawn (while under
    max_entries); the entries added are the next hop's frontier."""
    if not group_ids:
        return []
    members = _members_of(db, group_ids, per_group)
    order = {group_id: n for n, group_id in enumerate(group_ids)}
    members = members.sort_values(
        ["group_id", "member_rank"], key=lambda c: c.map(order) if c.name == "group_id" else c
    )
    entries = sum(1 for node in nodes.values() if node["node_kind"] != "group" and node["entity_id"])
    added = []
    linked = {(edge["source"], edge["target"]) for edge in edges}
    for member in members.itertuples():
        if (member.group_id, member.entity_id) in linked:
            continue
        if member.entity_id not in nodes:
            if entries >= max_entries:
                continue
            nodes[member.entity_id] = _node(
                member.entity_id,
                "entry",
                member.name,
                entity_id=member.entity_id,
                hop=hop,
                destination=member.destination,
                citations=member.citations,
            )
            entries += 1
            added.append(member.entity_id)
        edges.append(
            {
                "source": member.group_id,
                "target": member.entity_id,
                "kind": member.kind,
                "reason": nodes[member.group_id]["evidence"],
            }
        )
    return added


def _group_label(group) -> str:
    """A group's short label on the network (its evidence is in the hover and the table)."""
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
        SELECT count(DISTINCT entity_id) FILTER (WHERE kind <> 'listing'), count(DISTINCT entity_id),
               (SELECT count(*) FROM entities)
        FROM relation_members""").fetchone()
    return {"besides_listing": row[0], "any": row[1], "entries": row[2]}
