"""Which entries and events a view shows: the one filter model of the explorer, the overview,
the story and (with the API) every route that lists entries. Its URL form is declared in
`tracker.present.page_state.EXPLORER`."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

SEARCH_WORDS = 8  # words of a search that count; the rest are ignored


@dataclass(frozen=True)
class Filters:
    """Which entries and events a view shows."""

    date_from: date | None = None
    date_to: date | None = None
    destinations: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()
    actions: tuple[str, ...] = ()
    license_scopes: tuple[str, ...] = ()
    policy_families: tuple[str, ...] = ()
    company: str | None = None
    query: str = ""


# Filters field -> the explorer's URL parameter (tracker.present.page_state.EXPLORER).
URL_NAMES = {"date_from": "from", "date_to": "to", "destinations": "dest", "sectors": "sector",
             "actions": "action", "license_scopes": "license", "policy_families": "policy",
             "company": "company", "query": "q"}


def filters_from_values(values: Mapping[str, Any]) -> Filters:
    """The filters of the explorer's parameter values (as `page_state.EXPLORER.read` gives them)."""
    return Filters(**{name: values.get(param, Filters.__dataclass_fields__[name].default)
                      for name, param in URL_NAMES.items()})


def values_of(filters: Filters) -> dict[str, Any]:
    """The explorer's parameter values of these filters (for `page_state.EXPLORER.query`)."""
    return {param: getattr(filters, name) for name, param in URL_NAMES.items()}


def search_tokens(query: str) -> list[str]:
    """Lower-case words of a search, as the search index splits names."""
    return [t for t in re.split(r"[\W_]+", query.lower()) if t][:SEARCH_WORDS]
