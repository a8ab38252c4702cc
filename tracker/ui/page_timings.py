"""The benchmark's page runs: each page through app.py with AppTest, its first run with empty
caches and the median of warm reruns. Kept here, with the other Streamlit code, and called by
tracker.bench.benchmark."""

from __future__ import annotations

import os
import time
from pathlib import Path

import streamlit as st
from streamlit.testing.v1 import AppTest

from tracker.bench.benchmark import PAGES, TIMEOUT_S, Context, log, ms, summary, timed
from tracker.config import PROJECT_DIR


def measure_pages(data_dir: Path, ctx: Context, repeat: int, budget_s: float) -> dict:
    """Each page run with AppTest through app.py: the first run with empty caches, then the median
    of warm reruns."""
    os.environ["TRACKER_DATA_DIR"] = str(data_dir)
    out = {}
    for page in PAGES:
        st.cache_data.clear()
        st.cache_resource.clear()
        app = AppTest.from_file(str(PROJECT_DIR / "app.py"), default_timeout=TIMEOUT_S["measure"])
        app.switch_page(f"app_pages/{page}.py")
        if page == "company":
            app.query_params["company"] = ctx.company
        if page == "entry":
            app.query_params["id"] = ctx.entry
        start = time.perf_counter()
        app.run()
        first = ms(time.perf_counter() - start)
        problems = [str(e.value)[:200] for e in app.exception]
        warm = summary(timed(app.run, max(2, min(repeat, 10)), budget_s))
        out[page] = {"median_ms": warm["median_ms"], "p95_ms": warm["p95_ms"], "runs": warm["runs"],
                     "first_run_ms": first, **({"exceptions": problems} if problems else {})}
        log(f"  page {page}: {warm['median_ms']} ms warm, {first} ms first run")
    return out
