"""Concurrent viewers: N browser sessions on one real server, for a fixed time, with no error.

Each session is its own Playwright context, so its own Streamlit session. The readers arrive
one after another and open the overview (their cold first load, reported apart), then all of
them loop at once through what a reader does: the overview, the explorer with filters from a
link and a search typed in, a company page, and a CSV download of the explorer's rows (its
row count checked). The loop stops by itself at the deadline (and after MAX_STEPS steps). It
records how long each page takes to complete (navigation until the script run is over and no
skeleton is left), when the server's script run was over, every error (exceptions and error
alerts in the page, script errors, timeouts, wrong downloads), the server's memory (RSS,
sampled every half second) and where the CPU went.

    LOAD_SESSIONS=20 LOAD_SECONDS=60 python -m pytest -m load -s   # the full run
    python -m pytest -m load                                      # the CI size: 4 sessions, 15 s

Beside the readers, LOAD_API_CLIENTS programs (default 4; 50 in the full run) call the HTTP API
for the same time, each from its own loopback address (127.0.1.N) at about one request a second,
under the rate limit set for this server; one more client (127.0.2.1) asks as fast as it can and
must be refused with 429 and Retry-After once over the limit, while the others never are.

Figures go to test-artifacts/load.json and the test's output; BENCHMARKS.md keeps those of
the full run.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import random
import shutil
import statistics
import threading
import time
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import psutil
import pytest
from browser_helpers import CHROMIUM, CHROMIUM_FLAGS, PROJECT, start_server, stop_server

from tracker.config import DataPaths
from tracker.store import build

pytestmark = [pytest.mark.browser, pytest.mark.load]

SESSIONS = int(os.environ.get("LOAD_SESSIONS", "4"))
SECONDS = float(os.environ.get("LOAD_SECONDS", "15"))
MAX_STEPS = 10_000  # per session; the deadline normally ends the loop long before
RAMP_S = 1.0  # between one reader's arrival and the next
# Generous: on a small machine that also runs every reader's Chromium, a starved renderer can take
# minutes to draw; the figures show how long steps took, and only a step that never ends is an error.
STEP_TIMEOUT_MS = 300_000
RESULTS = PROJECT / "test-artifacts" / "load.json"
TITLES = {"Overview": "The US Entity List at a glance", "Explorer": "Explore the entries",
          "Company": "Company"}
SEARCHES = ["huawei", "zhipu", "technology", "moscow", "electronics", "aviation", "beijing", "tehran"]
API_CLIENTS = int(os.environ.get("LOAD_API_CLIENTS", "4"))
API_LIMIT = 120  # requests a minute per client address for this server: each client asks about 60
API_PAUSE_S = 1.0


def read_inputs(name: str) -> list[dict[str, str]]:
    with open(PROJECT / "data" / "inputs" / f"{name}.csv", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


async def wait_for_app(page, marks: dict | None = None) -> None:
    """The script run is over and no skeleton is left (as browser_helpers.wait_for_app, async).

    `marks["script_done"]` gets the moment the server's script run was over: the rest of the
    wait is the browser drawing (Plotly's bundle is loaded the first time a session needs it).
    """
    done = '[data-testid="stApp"][data-test-script-state="notRunning"]'
    await page.wait_for_selector(done, timeout=STEP_TIMEOUT_MS)
    if marks is not None:
        marks.setdefault("script_done", time.monotonic())
    await page.wait_for_function("document.querySelectorAll('[data-testid=stSkeleton]').length === 0",
                                 timeout=STEP_TIMEOUT_MS)
    await page.wait_for_timeout(150)
    await page.wait_for_selector(done, timeout=STEP_TIMEOUT_MS)


async def page_problems(page) -> list[str]:
    exceptions = await page.locator('[data-testid="stException"]').count()
    errors = await page.locator('[data-testid="stAlertContentError"]').all_inner_texts()
    shown = [f"{exceptions} exception(s) shown"] if exceptions else []
    return shown + [f"error shown: {e}" for e in errors]


class Session:
    """One reader: a context, a page, and a walk through the dashboard as a person clicks it."""

    def __init__(self, number: int, url: str, destinations: list[str], companies: list[str], stats: dict):
        self.number, self.url, self.stats, self.destinations = number, url, stats, destinations
        self.companies = companies
        self.rng = random.Random(number)

    async def timed(self, name: str, action, prepare=None) -> None:
        """Run one step and record its time and problems; `prepare` runs first, untimed."""
        problems: list[str] = []
        began = None
        self.marks: dict[str, float] = {}
        try:
            if prepare:
                await prepare()
            began = time.monotonic()
            await action()
            problems = await page_problems(self.page)
        except Exception as error:  # noqa: BLE001 - every failure is counted, none ends the run
            problems = [f"{type(error).__name__}: {str(error).splitlines()[0][:200]}"]
        ended = time.monotonic()
        began = began or ended
        self.stats["times"].setdefault(name, []).append(ended - began)
        self.stats["script_times"].append(self.marks.get("script_done", ended) - began)
        self.stats["errors"].extend(f"session {self.number}, {name}: {p}" for p in problems)
        if problems:  # start the next step from a known page, one no step starts on
            try:
                await self.page.goto(self.url + "/about")
                await wait_for_app(self.page)
            except Exception as error:  # noqa: BLE001
                self.stats["errors"].append(f"session {self.number}: could not reopen the app: {error}")

    async def on(self, page_name: str) -> None:
        """Be on that page (the step's preparation)."""
        path = {"Overview": "/", "Explorer": "/explorer", "Company": "/company"}[page_name]
        if "/" + self.page.url.split("//", 1)[1].split("/", 1)[1].split("?")[0] != path:
            await self.open(page_name)

    async def on_explorer_with_rows(self) -> None:
        """Be on the explorer with at least one row to download (a search may have matched none)."""
        await self.on("Explorer")
        if not await self.page.locator('[data-testid="stDownloadButton"] button',
                                        has_text="Download these").count():
            await self.page.goto(self.url + "/explorer")
            await wait_for_app(self.page)

    async def after_run(self, trigger, changed: str) -> None:
        """Do what makes the server run the page, then wait for that run to finish and be drawn.

        `changed` is a JavaScript condition that only the new run can make true (the page's
        title, or the link it writes), so a slow server still showing the previous page as
        "not running" is not taken for done.
        """
        await trigger()
        await self.page.wait_for_function(changed, timeout=STEP_TIMEOUT_MS)
        await wait_for_app(self.page, self.marks)

    async def after_link_change(self, trigger) -> None:
        """A control that rewrites the link (every filter does): wait for the new link."""
        before = json.dumps(await self.page.evaluate("location.search"))
        await self.after_run(trigger, f"location.search !== {before}")

    def param(self, name: str, default: str = "") -> str:
        return parse_qs(urlparse(self.page.url).query).get(name, [default])[0]

    async def open(self, page_name: str) -> None:
        """Follow the sidebar link to a page: the app stays loaded, the server runs the page."""
        link = self.page.locator('[data-testid="stSidebarNav"] a', has_text=page_name).first
        title = json.dumps(TITLES[page_name])
        await self.after_run(link.click, f"document.querySelector('h1')?.innerText.trim() === {title}")

    async def first_load(self) -> None:
        await self.page.goto(self.url + "/")
        await wait_for_app(self.page, self.marks)

    async def overview(self) -> None:
        await self.open("Overview")

    async def overview_control(self) -> None:
        shown = {self.param("granularity", "quarter"), {"none": "nothing"}.get(
            self.param("group", "destination"), self.param("group", "destination"))}
        choice = self.rng.choice([c for c in ("month", "quarter", "year", "destination", "sector", "nothing")
                                  if c not in shown])
        button = self.page.locator('[data-testid="stButtonGroup"] button', has_text=choice).first
        await self.after_link_change(button.click)

    async def explorer(self) -> None:
        await self.open("Explorer")

    async def explorer_filter(self) -> None:
        chosen = self.param("dest").split(",")
        box = self.page.locator('[data-testid="stMultiSelect"]').first.locator("input")
        await box.fill(self.rng.choice([d for d in self.destinations if d not in chosen]))
        await self.after_link_change(lambda: box.press("Enter"))
        await self.page.keyboard.press("Escape")

    async def explorer_search(self) -> None:
        box = self.page.locator('[data-testid="stTextInputRootElement"] input').first
        await box.fill(self.rng.choice([s for s in SEARCHES if s != self.param("q")]))
        await self.after_link_change(lambda: box.press("Enter"))

    async def explorer_download(self) -> None:
        button = self.page.locator('[data-testid="stDownloadButton"] button', has_text="Download these")
        label = await button.inner_text()
        async with self.page.expect_download(timeout=STEP_TIMEOUT_MS) as info:
            await button.click()
        download = await info.value
        content = Path(await download.path()).read_text(encoding="utf-8-sig")
        rows = len(list(csv.DictReader(io.StringIO(content, newline=""))))
        promised = int(label.split("Download these ")[1].split(" ")[0].replace(",", ""))
        if rows != promised:
            raise AssertionError(f"the download has {rows} rows; its button promised {promised}")

    async def company(self) -> None:
        await self.open("Company")
        box = self.page.locator('[data-testid="stSelectbox"]').first.locator("input")
        await box.fill(self.rng.choice(self.companies))
        await self.after_link_change(lambda: box.press("Enter"))

    async def join(self, browser) -> None:
        """Arrive (a little after the previous reader) and open the dashboard: a cold first load."""
        await asyncio.sleep(self.number * RAMP_S)
        self.context = await browser.new_context(viewport={"width": 1280, "height": 900},
                                                 accept_downloads=True)
        self.context.set_default_timeout(STEP_TIMEOUT_MS)  # Playwright's 30 s is a harness limit
        self.context.set_default_navigation_timeout(STEP_TIMEOUT_MS)
        self.page = await self.context.new_page()
        self.page.on("pageerror", lambda error: self.stats["errors"].append(
            f"session {self.number}: script error in the page: {error}"))
        await self.timed("first load", self.first_load)

    async def browse(self, deadline: float) -> None:
        """Click through the dashboard until the deadline, then leave."""
        def on(page_name):
            return lambda: self.on(page_name)

        steps = [("overview", self.overview, None),
                 ("overview control", self.overview_control, on("Overview")),
                 ("explorer", self.explorer, None),
                 ("explorer filter", self.explorer_filter, on("Explorer")),
                 ("explorer search", self.explorer_search, on("Explorer")),
                 ("explorer download", self.explorer_download, self.on_explorer_with_rows),
                 ("company page", self.company, None)]
        done = 0
        while time.monotonic() < deadline and done < MAX_STEPS:
            # Sessions start at different steps of the loop, so even a short run covers them all.
            name, action, prepare = steps[(self.number + done) % len(steps)]
            await self.timed(name, action, prepare)
            done += 1
        self.stats["steps"][self.number] = done
        self.stats["held"] += 1
        await self.context.close()


class ApiClient:
    """A program calling the API from an address of its own: entries (JSON and CSV), one entry,
    changes, the feed (again with its ETag), the OpenAPI document; every answer not 200/304 is an error."""

    def __init__(self, number: int, url: str, destinations: list[str], entity_ids: list[str], stats: dict):
        import httpx

        self.number, self.stats, self.rng = number, stats, random.Random(1000 + number)
        self.destinations, self.entity_ids, self.etag = destinations, entity_ids, None
        transport = httpx.AsyncHTTPTransport(local_address=f"127.0.1.{number + 1}")
        self.client = httpx.AsyncClient(base_url=url, transport=transport, timeout=STEP_TIMEOUT_MS / 1000)

    def request(self) -> tuple[str, str, dict]:
        kind = self.rng.choice(["entries", "entries search", "entries csv", "entry", "changes", "feed",
                                "openapi"])
        if kind == "entries":
            return kind, "/api/v1/entries", {"dest": self.rng.choice(self.destinations), "limit": "50"}
        if kind == "entries search":
            return kind, "/api/v1/entries", {"q": self.rng.choice(SEARCHES)}
        if kind == "entries csv":
            return kind, "/api/v1/entries", {"dest": self.rng.choice(self.destinations), "format": "csv"}
        if kind == "entry":
            return kind, f"/api/v1/entries/{self.rng.choice(self.entity_ids)}", {}
        if kind == "changes":
            return kind, "/api/v1/changes", {"since": f"{self.rng.randint(2015, 2025)}-01-01"}
        return kind, {"feed": "/feeds/changes.atom", "openapi": "/api/v1/openapi.json"}[kind], {}

    async def call(self, deadline: float) -> None:
        while time.monotonic() < deadline:
            kind, path, params = self.request()
            headers = {"If-None-Match": self.etag} if kind == "feed" and self.etag else {}
            began = time.monotonic()
            try:
                response = await self.client.get(path, params=params, headers=headers)
                if response.status_code not in (200, 304):
                    self.stats["api_errors"].append(
                        f"api client {self.number}, {kind}: {response.status_code} {response.text[:200]}")
                elif kind == "feed":
                    self.etag = response.headers.get("etag")
            except Exception as error:  # noqa: BLE001 - every failure is counted, none ends the run
                self.stats["api_errors"].append(f"api client {self.number}, {kind}: {type(error).__name__}")
            self.stats["api_times"].setdefault(kind, []).append(time.monotonic() - began)
            pause = max(0.0, API_PAUSE_S - (time.monotonic() - began)) * self.rng.uniform(0.8, 1.2)
            await asyncio.sleep(pause)
        await self.client.aclose()


async def over_the_limit(url: str, stats: dict) -> None:
    """One client asking as fast as it can: once over the limit it must be told to wait."""
    import httpx

    transport = httpx.AsyncHTTPTransport(local_address="127.0.2.1")
    async with httpx.AsyncClient(base_url=url, transport=transport, timeout=60) as client:
        for _ in range(3 * API_LIMIT):
            response = await client.get("/api/v1/entries/EL-0001")
            if response.status_code == 429:
                stats["refused"] = {"after": stats.get("greedy_ok", 0),
                                    "retry_after": response.headers.get("retry-after"),
                                    "message": response.json()["error"]}
                return
            stats["greedy_ok"] = stats.get("greedy_ok", 0) + 1


async def sample_memory(process: psutil.Process, stop: asyncio.Event, samples: list[float]) -> None:
    while not stop.is_set():
        try:
            rss = process.memory_info().rss + sum(c.memory_info().rss for c in process.children(True))
            samples.append(rss / 2**20)
        except psutil.Error:
            pass
        await asyncio.sleep(0.5)


async def drive(url: str, server: psutil.Process, stats: dict) -> None:
    from playwright.async_api import async_playwright

    destinations = sorted({e["destination"] for e in read_inputs("entities")})
    companies = [c["name"] for c in read_inputs("companies")]
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                                   args=CHROMIUM_FLAGS)
        stop, samples = asyncio.Event(), stats["rss_mb"]
        sampler = asyncio.create_task(sample_memory(server, stop, samples))
        # A server in use has seen every page once: warm it up (untimed) before the clock starts.
        warm = await browser.new_context()
        warm_page = await warm.new_page()
        for path in ("/", "/explorer", "/company?company=huawei", "/rules", "/responses", "/about"):
            await warm_page.goto(url + path)
            await wait_for_app(warm_page)
        await warm.close()
        # All readers arrive and stay connected; then every one browses for SECONDS at once.
        sessions = [Session(n, url, destinations, companies, stats) for n in range(SESSIONS)]
        await asyncio.gather(*(s.join(browser) for s in sessions))
        entity_ids = [e["entity_id"] for e in read_inputs("entities")]
        programs = [ApiClient(n, url, destinations, entity_ids, stats) for n in range(API_CLIENTS)]
        began = time.monotonic()
        cpu_before = server.cpu_times(), psutil.cpu_times()
        await asyncio.gather(*(s.browse(began + SECONDS) for s in sessions),
                             *(p.call(began + SECONDS) for p in programs), over_the_limit(url, stats))
        stats["wall_s"] = time.monotonic() - began
        server_cpu, machine_cpu = server.cpu_times(), psutil.cpu_times()
        stats["server_cpu_s"] = (server_cpu.user + server_cpu.system
                                 - cpu_before[0].user - cpu_before[0].system)
        stats["machine_busy_s"] = ((machine_cpu.user + machine_cpu.system + machine_cpu.nice)
                                   - (cpu_before[1].user + cpu_before[1].system + cpu_before[1].nice))
        stop.set()
        await sampler
        await browser.close()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


@pytest.mark.timeout(int(SECONDS) + 900)
def test_concurrent_sessions_browse_without_error(tmp_path):
    shutil.copytree(PROJECT / "data" / "inputs", tmp_path / "inputs")
    build.build_store(DataPaths(tmp_path))  # a deployed server has its store
    process, url, log = start_server(tmp_path, {"TRACKER_API_REQUESTS_PER_MINUTE": str(API_LIMIT)})
    stats = {"times": {}, "script_times": [], "errors": [], "steps": {}, "held": 0, "rss_mb": [],
             "api_times": {}, "api_errors": []}
    try:
        server = psutil.Process(process.pid)
        idle_mb = server.memory_info().rss / 2**20
        # Drive the sessions on a thread of their own: its event loop never meets the sync API
        # that other browser tests use in this process.
        failure = []
        runner = threading.Thread(target=lambda: failure.append(_run(url, server, stats)))
        runner.start()
        runner.join(timeout=SECONDS + 800)
        assert not runner.is_alive(), "the sessions did not stop by themselves"
        assert failure == [None], failure
        final_mb = server.memory_info().rss / 2**20
    finally:
        stop_server(process)

    first_loads = stats["times"].pop("first load")
    script_first, script_times = stats["script_times"][:SESSIONS], stats["script_times"][SESSIONS:]
    times = [t for values in stats["times"].values() for t in values]
    summary = {
        "sessions": SESSIONS, "seconds": SECONDS, "wall_s": round(stats["wall_s"], 1),
        "sessions_held": stats["held"], "steps": sum(stats["steps"].values()), "errors": len(stats["errors"]),
        "page_complete_p50_s": round(statistics.median(times), 2),
        "page_complete_p95_s": round(percentile(times, 0.95), 2),
        "script_run_p50_s": round(statistics.median(script_times), 2),
        "script_run_p95_s": round(percentile(script_times, 0.95), 2),
        "first_load_p50_s": round(statistics.median(first_loads), 2),
        "first_load_p95_s": round(percentile(first_loads, 0.95), 2),
        "first_load_script_run_p95_s": round(percentile(script_first, 0.95), 2),
        "load_average_1min_at_end": round(os.getloadavg()[0], 1),
        "by_step": {name: {"n": len(v), "p50_s": round(statistics.median(v), 2),
                           "p95_s": round(percentile(v, 0.95), 2)} for name, v in stats["times"].items()},
        "server_rss_mb": {"idle": round(idle_mb), "peak": round(max(stats["rss_mb"] or [idle_mb])),
                          "end": round(final_mb)},
        "cpus": os.cpu_count(),
        # Where the CPU went: the server's share of all busy CPU time (the rest is mostly Chromium,
        # which runs on the same machine here, unlike real readers' browsers).
        "server_cpu_s": round(stats["server_cpu_s"], 1),
        "machine_busy_cpu_s": round(stats["machine_busy_s"], 1),
        "api": _api_summary(stats),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({**summary, "error_list": stats["errors"][:50]}, indent=2))
    print("\nload:", json.dumps(summary, indent=2))

    if stats["errors"]:
        print("server log (end):\n" + log.read_text(errors="replace")[-6000:])
    assert stats["errors"] == []
    assert stats["api_errors"] == [], "no API client under the limit was refused or failed"
    assert stats.get("refused") and int(stats["refused"]["retry_after"]) >= 1, \
        "the client over the limit was told to wait"
    # (a slow server lets the minute slide on: then a few more than the limit go through)
    assert stats["refused"]["after"] >= API_LIMIT, "not refused before the limit"
    assert stats["held"] == SESSIONS
    assert all(n >= 1 for n in stats["steps"].values()), "every session completed at least one step"


def _api_summary(stats: dict) -> dict:
    times = [t for values in stats["api_times"].values() for t in values]
    return {"clients": API_CLIENTS, "limit_per_minute": API_LIMIT, "requests": len(times),
            "errors": len(stats["api_errors"]),
            "p50_ms": round(statistics.median(times) * 1000) if times else None,
            "p95_ms": round(percentile(times, 0.95) * 1000) if times else None,
            "by_route": {kind: {"n": len(v), "p50_ms": round(statistics.median(v) * 1000),
                                "p95_ms": round(percentile(v, 0.95) * 1000)}
                         for kind, v in stats["api_times"].items()},
            "over_the_limit": stats.get("refused"), "api_error_list": stats["api_errors"][:20]}


def _run(url: str, server: psutil.Process, stats: dict) -> None:
    try:
        asyncio.run(drive(url, server, stats))
    except Exception as error:  # noqa: BLE001 - reported to the test's thread
        return f"{type(error).__name__}: {error}"
    return None
