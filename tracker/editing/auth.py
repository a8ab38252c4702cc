"""The editor's password gate: one shared password, compared in constant time.

This is a gate for a small team of editors, not multi-user authentication.
"""

from __future__ import annotations

import hmac
import os

PASSWORD_ENV = "TRACKER_EDITOR_PASSWORD"
PASSWORD_SECRET = "editor_password"
READ_ONLY_ENV = "TRACKER_READ_ONLY"
MAX_ATTEMPTS = 5


def configured_password(secrets: dict | None) -> str | None:
    """The editor password from the app's secrets, else from the environment; None when not set."""
    value = (secrets or {}).get(PASSWORD_SECRET) or os.environ.get(PASSWORD_ENV)
    return str(value) if value else None


def password_matches(given: str, expected: str) -> bool:
    """Whether the password is right, taking the same time however much of it matches."""
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def read_only() -> bool:
    """A read-only deployment (TRACKER_READ_ONLY=1) offers no editing at all."""
    return os.environ.get(READ_ONLY_ENV, "").strip().lower() in ("1", "true", "yes")
