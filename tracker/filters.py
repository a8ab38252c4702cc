"""The one filter model shared by every page, and its form in the URL.

A view's state lives in the query string; defaults are left out of it so a
link stays short, and a value that cannot be read falls back to its default
with a notice for the reader.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from datetime import date

from tracker import schema

GRANULARITIES = ("month", "quarter", "year")
GROUPINGS = ("destination", "sector", "none")
LICENSE_SCOPES = ("all items", "specific items", "not stated")


@dataclass(frozen=True)
class Filters:
    """Which entries and events a view shows."""

    date_from: date | None = None
    date_to: date | None = None
    destinations: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()
    actions: tuple[str, ...] = ()
    license_scopes: tuple[str, ...] = ()
    company: str | None = None
    query: str = ""

    def is_default(self) -> bool:
        return self == Filters()


@dataclass(frozen=True)
class ChartOptions:
    """How the listings chart is drawn."""

    granularity: str = "quarter"
    group_by: str = "destination"
    cumulative: bool = False


# URL parameter names: short, stable, readable in a shared link.
PARAMS = {
    "date_from": "from",
    "date_to": "to",
    "destinations": "dest",
    "sectors": "sector",
    "actions": "action",
    "license_scopes": "license",
    "company": "company",
    "query": "q",
}
LIST_SEP = ","


@dataclass
class Parsed:
    """Filters read from a query string, with notices for values that were ignored."""

    filters: Filters
    notices: list[str] = field(default_factory=list)


def filters_from_params(params: dict[str, str | list[str]], destinations: set[str],
                        sectors: set[str], companies: set[str]) -> Parsed:
    """Read filters from query parameters; unknown values are dropped with a notice."""
    notices: list[str] = []
    values: dict = {}

    def one(name: str) -> str:
        raw = params.get(PARAMS[name], "")
        return (raw[-1] if isinstance(raw, list) and raw else raw or "").strip()

    for name in ("date_from", "date_to"):
        text = one(name)
        if text:
            try:
                values[name] = date.fromisoformat(text)
            except ValueError:
                notices.append(f"Ignored '{PARAMS[name]}={text}': expected a date as YYYY-MM-DD.")
    for name, known in (("destinations", destinations), ("sectors", sectors),
                        ("actions", set(schema.ACTIONS)), ("license_scopes", set(LICENSE_SCOPES))):
        items = [i.strip() for i in one(name).split(LIST_SEP) if i.strip()]
        good = tuple(i for i in items if i in known)
        bad = [i for i in items if i not in known]
        if bad:
            notices.append(f"Ignored unknown {PARAMS[name]} value(s): {', '.join(bad)}.")
        if good:
            values[name] = good
    company = one("company")
    if company:
        if company in companies:
            values["company"] = company
        else:
            notices.append(f"Ignored unknown company '{company}'.")
    query = one("query")
    if query:
        values["query"] = query[:200]
    parsed = Parsed(Filters(**values), notices)
    if parsed.filters.date_from and parsed.filters.date_to and \
            parsed.filters.date_from > parsed.filters.date_to:
        parsed.filters = replace(parsed.filters, date_from=None, date_to=None)
        notices.append("Ignored the date range: it ends before it starts.")
    return parsed


def filters_to_params(filters: Filters) -> dict[str, str]:
    """Query parameters for the filters, leaving out every default."""
    out = {}
    for f in fields(Filters):
        value = getattr(filters, f.name)
        if value in (None, "", ()):
            continue
        if isinstance(value, tuple):
            out[PARAMS[f.name]] = LIST_SEP.join(value)
        elif isinstance(value, date):
            out[PARAMS[f.name]] = value.isoformat()
        else:
            out[PARAMS[f.name]] = str(value)
    return out


def choice_from_params(params: dict, name: str, allowed: tuple[str, ...], default: str,
                       notices: list[str]) -> str:
    """One value from a fixed set (granularity, grouping, ...), or the default with a notice."""
    raw = params.get(name, "")
    value = (raw[-1] if isinstance(raw, list) and raw else raw or "").strip()
    if not value:
        return default
    if value in allowed:
        return value
    notices.append(f"Ignored '{name}={value}': expected one of {', '.join(allowed)}.")
    return default


def search_tokens(query: str) -> list[str]:
    """Lower-case words of a search, as the search index splits names."""
    import re

    return [t for t in re.split(r"[\W_]+", query.lower()) if t][:8]
