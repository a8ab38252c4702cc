"""About: where the data comes from, how it is derived, its limits, and how to cite it."""

import streamlit as st

from tracker.ui import page, questions

page.frame("About this tracker")
manifest = questions.manifest()
rows = manifest.rows
rule_counts = questions.data_dates()
linked = questions.related_counts()

st.markdown(f"""
This dashboard follows the US Commerce Department's **Entity List** (Supplement No. 4 to Part 744 of
the Export Administration Regulations): who is listed, when, under which Federal Register rule, and how
listed companies responded. It holds {rows['entities']:,} entries, {rows['events']:,} listing events,
{rule_counts.rules_changing_list} rules that changed the list (and {rule_counts.rules_related} related
rules recorded beside them), {rows['companies']} company profiles, {rows['responses']} response notes and
{rows['moments']} policy moments.

## Sources
- **Entries** — the eCFR text of
  [Supplement No. 4 to Part 744](https://www.ecfr.gov/current/title-15/subtitle-B/chapter-VII/subchapter-C/part-744):
  every Federal Register citation, the license requirement and the license review policy of each entry
  from the eCFR XML of 2026-07-23; names, aliases and addresses as the open-source parser
  [phagehunter/nsfreg](https://github.com/phagehunter/nsfreg) (commit 02787e87) split the text
  downloaded in July 2026 (each entry's notes say where another source was used). Entries removed since
  that a source names are kept, marked removed, with their text from the newest earlier version of the
  list that holds them.
- **Versions of the list** — the whole list as it stood on seven dates from 2023 to 2026 (eCFR texts, a
  BIS file and the Consolidated Screening List), each row matched to today's entries where it can be.
- **Rules** — Federal Register documents that changed the list, each row with the pages it was recorded
  from (federalregister.gov, govinfo.gov, BIS's yearly notice lists, and for some counts law-firm
  summaries). The *counts source* column says where each count comes from.
- **Company profiles, responses and policy moments** — recorded by hand from the public pages linked in
  every row. A response's status says whether the company did it (*observed*), said it will
  (*announced*), or an analyst recommended it (*proposed*).

## Method
- Each entry's citations are read in order: the first is its **addition**, later ones **revisions**.
  The date is the one written after the citation; where none is written, only the year (from the
  Federal Register volume) is known and the entry is left off the time axis.
- An event is tied to a rule when only one rule changed the list that day, or when the rule's first page
  is known and the entry's page follows it.
- Entries are linked to company profiles by the entries the profile names, and by the company's name in
  an affiliate's name or alias; every link says how it was made.
- Every entry has a page (`/entry?id=EL-0882`; each table's Id opens it), removed entries too: its status
  (listed as of the newest eCFR version of the list that holds it, or removed on a date under a rule,
  with whether a source states the removal or it is inferred from the versions), every Federal Register
  action with its citation and rule, the versions of the list it appears in, and its CSV and JSON.
- Each response note says how strong its source is (primary source, reputable press, mirror,
  aggregator, analysis, reference work); a mirror, an aggregator or an analysis is marked a weak source.

## Related entries and networks: how links are made, and their limits
Entry and company pages show entries related to one another, and a network of them. Every link is a
**group** of entries that share one thing the list itself states, with that thing as its reason:
- **the same company profile** (the entries a profile names), or a profile and its **parent profile**;
- **the same name or alias**, compared in lower case with punctuation and legal forms (Co., Ltd., LLC,
  GmbH, JSC, OOO, 有限公司 …) removed;
- **names that begin with the same word** (the *stem*): the first word of an organisation's name left
  once legal forms, places (cities, provinces and every destination: "Beijing" or "China" alone is never
  a link) and common words (Technology, Electronics, Institute …) are removed. "Beijing Zhipu Huazhang
  Technology Co., Ltd." has the stem *zhipu*. Only names with an organisation's word, or entries with a
  company profile, give a stem, so two people with one first name are not linked;
- **the same address**, when it names a place precisely (it holds a number and at least four words);
- **added by the same rule on the same day** (where no rule is recorded: the same day and Federal
  Register volume, which may be two rules; the reason says so).

Limits: a shared word or address is not ownership, control or affiliation, and no link here claims
any; the Federal Register and BIS state who is an affiliate, these pages do not. Word lists are
written by hand, so a generic word may still link unrelated names (three such were found and removed
when 20 groups were checked by hand), and a name spelt differently in two entries is not linked.
Of the {linked['entries']:,} entries, {linked['besides_listing']:,} share a profile, name, stem or address
with another entry; counting the same-day listings too, {linked['any']:,} do. A large group (a rule
that listed hundreds) is one group, shown with its count and its most-cited entries first.

## What today's list cannot show (survivorship)
The list only holds entries that are on it **now**. Entries removed since are gone from it, so charts
of "listings over time" count the survivors, and early years look smaller than they were. A few
removals are named by a source: those entries are kept, marked removed (the Explorer shows them with
the action *removed*). For the others the rules' own counts of additions and removals are the only
record of what was removed: the Rules page shows them beside today's entries.

## The dates on every page
Each page names three dates under its title: the version of the list its entries are read from (they
are "listed as of" that version; the Changes page compares versions), the newest rule recorded (flagged
when its only sources are weak: a rule after that version may not be in the entries yet), and when this
store was built. The newest Federal Register change recorded is dated **{manifest.data_as_of}**; the
store was built {manifest.built_at.replace('T', ' ')} UTC.

## Data for programs: the API and the change feed
The same data as JSON or CSV: [`/api/v1/entries`](api/v1/entries) takes the Explorer's filters (copy an
Explorer link's query string), [`/api/v1/changes?since=2025-01-01`](api/v1/changes?since=2025-01-01)
lists what changed since a day, `POST /api/v1/screen` screens names as the [Screening](screen) page does,
and [`/api/v1/openapi.json`](api/v1/openapi.json) describes every route.
The Atom feed [`/feeds/changes.atom`](feeds/changes.atom) has one item per Federal Register rule that
changed the list and per recorded version of the list. Nothing a request sends is logged or stored;
`docs/API.md` in the code gives the limits and an example for each route.

## Screening
The Screening page compares names with every entry's name, aliases and local-language name (and, on
request, every list of the Consolidated Screening List export of 2026-07-31, a third party's copy of
ITA's file): case, accents, word order and legal-form words set aside, Chinese compared by characters,
near spellings scored by rapidfuzz; each match says why it matched. It is a screening aid, not a
clearance: a "possible" match needs a person's judgement, and "no match" clears no one.

## How to cite
> Entity List Tracker, data as of {manifest.data_as_of}. Entries: eCFR Supplement No. 4 to
> Part 744 (July 2026). Cite the Federal Register citation shown with each fact.

Each fact on these pages links to its Federal Register citation or source page: cite that source, not
this dashboard, for the fact itself.
""")
