"""The entry page's related entries and network (app_pages/entry.py ends with `section(entry)`).

A marked place: the "network" work fills this in (relations derived at build time, with the reason
for each link). Until then it draws nothing.
"""

from __future__ import annotations


def section(entry: dict) -> None:
    """Related entries and the network around one entry: not built yet, so nothing is drawn."""
    return None
