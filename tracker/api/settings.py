"""The API's limits, from the environment (TRACKER_API_*) or the app's secrets (an [api] table),
the environment winning; each has a default that suits a small public deployment."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields


@dataclass(frozen=True)
class Limits:
    """How much one client may ask of the API."""

    requests_per_minute: int = 120  # per client address, over every /api/ and /feeds/ route
    max_body_bytes: int = 1_000_000  # a POST body larger than this is refused unread
    max_names: int = 5_000  # names in one screening request
    max_name_length: int = 300  # characters of one screened name
    max_limit: int = 1_000  # largest page of a list (limit=)
    default_limit: int = 100  # the page of a list when limit= is not given
    max_json_depth: int = 8  # nesting of a POSTed JSON document
    post_origins: tuple[str, ...] = ()  # other origins allowed to POST (CORS); same-origin always is
    # The app's public address (https://host/base) for the links answers carry; empty: the address the
    # client asked (then answers vary by Host, so a shared cache keeps one per host).
    public_url: str = ""

    @classmethod
    def from_settings(cls, secrets: Mapping | None = None,
                      environ: Mapping[str, str] | None = None) -> Limits:
        """Limits from TRACKER_API_<NAME> variables, else the secrets' [api] <name>, else the defaults.
        A value that is not a positive whole number is refused with the variable's name."""
        environ = os.environ if environ is None else environ
        secrets = secrets or {}
        values = {}
        for field in fields(cls):
            variable = f"TRACKER_API_{field.name.upper()}"
            raw = environ.get(variable, secrets.get(field.name))
            if raw is None or raw == "":
                continue
            if field.name == "public_url":
                values[field.name] = str(raw).strip().rstrip("/")
                continue
            if field.name == "post_origins":
                items = raw.split(",") if isinstance(raw, str) else list(raw)
                values[field.name] = tuple(str(i).strip().rstrip("/") for i in items if str(i).strip())
                continue
            text = str(raw).strip()
            if not (text.isascii() and text.isdigit() and int(text) > 0):
                raise ValueError(f"{variable} (or [api] {field.name} in the secrets) must be a positive "
                                 f"whole number, not {text!r}")
            values[field.name] = int(text)
        return cls(**values)
