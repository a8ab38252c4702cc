"""Every page's state in the URL, declared once: each parameter's name, kind, default and
allowed values. From a declaration the query string is read (with a notice for each value that
cannot be used), widgets are seeded, and the query string is written back without defaults.

The URL grammar, the same on every page (and for the API's routes):
- a list is comma-separated (`dest=China,Iran`); a repeated parameter adds to it (`dest=China&dest=Iran`);
- a date is YYYY-MM-DD (`from=2024-01-01`); a flag is `1` (`cumulative=1`, `present=1`);
- any other value is given once; when it is repeated the last one counts;
- a value left at its default is left out; one that cannot be used falls back to its default,
  with a notice saying what was expected.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlencode

from tracker import schema

TEXT, DATE, FLAG, CHOICE, CHOICES, NUMBER = "text", "date", "flag", "choice", "choices", "number"
LIST_SEP = ","
TEXT_LIMIT = 200  # characters kept of a free-text parameter (a search)

# The first day a date-range widget offers: a range open at its start is shown from here (no
# Federal Register action on the list is older), and a start on this day is an open start.
EARLIEST_DATE = date(1990, 1, 1)
GRANULARITIES = ("month", "quarter", "year")
GROUPINGS = ("destination", "sector", "none")


@dataclass(frozen=True)
class Param:
    """One URL parameter of a page, and the widget of the same key that shows it."""

    name: str
    kind: str
    default: Any = None
    options: tuple | None = None  # fixed allowed values; None: given when the URL is read
    label: str = ""  # how a notice names the value ("company"); the name when empty

    def parse(self, raw: list[str], options: Collection | None) -> tuple[Any, str | None]:
        """The value of this parameter from its raw URL values, and a notice when one was ignored."""
        allowed = self.options if self.options is not None else options
        if self.kind == CHOICES:
            items = [i.strip() for value in raw for i in value.split(LIST_SEP) if i.strip()]
            good = [i for i in dict.fromkeys(items) if allowed is None or i in allowed]
            bad = [i for i in items if allowed is not None and i not in allowed]
            notice = (f"Ignored unknown {self.label or self.name} value(s) in '{self.name}': "
                      f"{', '.join(bad)}." if bad else None)
            return (tuple(good) if good else self.default), notice
        text = raw[-1].strip() if raw else ""
        if not text:
            return self.default, None
        if self.kind == TEXT:
            return text[:TEXT_LIMIT], None
        if self.kind == DATE:
            try:
                return date.fromisoformat(text), None
            except ValueError:
                return self.default, f"Ignored '{self.name}={text}': expected a date as YYYY-MM-DD."
        if self.kind == FLAG:
            if text in ("1", "0"):
                return text == "1", None
            return self.default, f"Ignored '{self.name}={text}': expected 1 (on) or 0 (off)."
        if self.kind == NUMBER:
            number = int(text) if text.isascii() and text.isdigit() else None
            if number is not None and (allowed is None or number in allowed):
                return number, None
            span = f" from {min(allowed)} to {max(allowed)}" if allowed else ""
            return self.default, f"Ignored '{self.name}={text}': expected a number{span}."
        if allowed is None or text in allowed:  # CHOICE
            return text, None
        if self.options is not None:
            return self.default, f"Ignored '{self.name}={text}': expected one of {', '.join(self.options)}."
        return self.default, f"Ignored unknown {self.label or self.name} '{text}'."

    def to_text(self, value: Any) -> str | None:
        """The value as it is written in the URL; None for the default (left out)."""
        if value == self.default or value in (None, "", ()):
            return None
        if self.kind == CHOICES:
            if self.default and set(value) == set(self.default):
                return None
            return LIST_SEP.join(value)
        if self.kind == DATE:
            return value.isoformat()
        if self.kind == FLAG:
            return "1" if value else None
        return str(value)


@dataclass(frozen=True)
class Parsed:
    """A page's values read from a query string, with a notice for each value ignored."""

    values: dict[str, Any]
    notices: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class PageState:
    """The parameters of one page (`path` is its URL path, '' for the home page)."""

    page: str
    path: str
    params: tuple[Param, ...] = ()
    # (from, to, widget): two dates that make a range, which must not end before it starts. With a
    # widget name they are shown by one date-range widget; with None, by two text fields keyed by the
    # parameters' names, holding YYYY-MM-DD (a typed date then applies on Enter, which Streamlit's
    # date widget does not do: it applies on leaving the field).
    date_ranges: tuple[tuple[str, str, str | None], ...] = ()

    def param(self, name: str) -> Param:
        return next(p for p in self.params if p.name == name)

    def widgets(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """The value of each widget (keyed as the page keys it) for these parameter values."""
        out = {p.name: list(values[p.name]) if isinstance(values[p.name], tuple) else values[p.name]
               for p in self.params}
        for start, end, widget in self.date_ranges:
            if widget is None:
                out[start], out[end] = (d.isoformat() if d else "" for d in (out[start], out[end]))
                continue
            first, last = out.pop(start), out.pop(end)
            out[widget] = (first or EARLIEST_DATE, last) if last else (first,) if first else ()
        return out

    def typed_dates(self, start: str, end: str, texts: tuple[str, str]) -> Parsed:
        """The dates of a typed range (two text fields), with a notice for each that cannot be used."""
        return self.read({start: texts[0] or "", end: texts[1] or ""})

    def defaults(self) -> dict[str, Any]:
        return {p.name: p.default for p in self.params}

    def read(self, query: Mapping[str, str | list[str]], options: Mapping[str, Collection] | None = None
             ) -> Parsed:
        """Values from a query string (a value or a list of values per name). `options` gives the
        allowed values of parameters whose choices come from the data (destinations, companies)."""
        values, notices = {}, []
        for param in self.params:
            raw = query.get(param.name, [])
            raw = [raw] if isinstance(raw, str) else list(raw)
            values[param.name], notice = param.parse(raw, (options or {}).get(param.name))
            if notice:
                notices.append(notice)
        for start, end, _ in self.date_ranges:
            if values[start] and values[end] and values[start] > values[end]:
                values[start], values[end] = self.param(start).default, self.param(end).default
                notices.append(f"Ignored the dates '{start}' to '{end}': the range ends before it starts.")
        return Parsed(values, notices)

    def query(self, values: Mapping[str, Any]) -> dict[str, str]:
        """The query string for these values, defaults left out, in declaration order."""
        values = dict(values)
        for start, _, _ in self.date_ranges:
            if values.get(start) == EARLIEST_DATE:  # an open start, as the widget shows it
                values[start] = None
        out = {}
        for param in self.params:
            text = param.to_text(values.get(param.name, param.default))
            if text is not None:
                out[param.name] = text
        return out


# Every page of the app, with its URL parameters. `present=1` (presenter mode) is read on every page.
PRESENT = Param("present", FLAG, False)

OVERVIEW = PageState("overview", "", (
    Param("granularity", CHOICE, "quarter", GRANULARITIES),
    Param("group", CHOICE, "destination", GROUPINGS),
    Param("cumulative", FLAG, False),
    Param("dest", CHOICES, (), label="destination"),
))
EXPLORER = PageState("explorer", "explorer", (
    Param("q", TEXT, ""),
    Param("from", DATE),
    Param("to", DATE),
    Param("dest", CHOICES, (), label="destination"),
    Param("sector", CHOICES, (), label="sector"),
    Param("action", CHOICES, (), schema.ACTIONS),
    Param("license", CHOICES, (), schema.LICENSE_SCOPES),
    Param("policy", CHOICES, (), schema.POLICY_FAMILIES),
    Param("company", CHOICE, label="company"),
), date_ranges=(("from", "to", None),))
COMPANY = PageState("company", "company", (Param("company", CHOICE, label="company"),
                                            Param("hops", NUMBER, 1, (1, 2))))
RULES = PageState("rules", "rules", (Param("rule", CHOICE, label="rule"),))
RESPONSES = PageState("responses", "responses", (
    Param("status", CHOICES, schema.RESPONSE_STATUSES, schema.RESPONSE_STATUSES),
    Param("company", CHOICE, label="company"),
    Param("category", CHOICE, None, schema.RESPONSE_CATEGORIES),
    Param("source", CHOICES, (), schema.SOURCE_FILTER_CHOICES, label="source strength"),
))
STORY = PageState("story", "story", (Param("step", NUMBER, 1),))
EDITOR = PageState("editor", "editor")
ABOUT = PageState("about", "about")
# One entry of the list (listed or removed), by its id.
ENTRY = PageState("entry", "entry", (Param("id", TEXT, ""), Param("hops", NUMBER, 1, (1, 2))))
# What changed between two versions of the list, each named by its date (a version's name, see
# the Changes page: its date, with its variant when two versions share a date).
CHANGES = PageState("changes", "changes", (Param("from", CHOICE, label="version"),
                                           Param("to", CHOICE, label="version")))
# Names screened against the list (the names themselves are never put in the URL).
SCREEN = PageState("screen", "screen", (Param("lists", CHOICE, "EL", ("EL", "all")),))

# The pages app.py routes. ENTRY, CHANGES and SCREEN are declared above so that every page links to
# them alike (page_href); each joins this when its page lands.
PAGES: dict[str, PageState] = {s.page: s for s in (OVERVIEW, EXPLORER, COMPANY, RULES, RESPONSES, STORY,
                                                   EDITOR, ABOUT, CHANGES)}
PAGES[ENTRY.page] = ENTRY
PAGES[SCREEN.page] = SCREEN


def page_href(state: PageState, **values: Any) -> str:
    """A relative link to a page with these values (defaults left out), e.g. 'entry?id=EL-0882'."""
    query = urlencode(state.query({**state.defaults(), **values}))
    return (state.path or ".") + (f"?{query}" if query else "")
