"""The architecture's boundaries, held by reading every module's imports and calls:

- Streamlit is imported only by app.py, the pages (app_pages/) and the UI package (tracker/ui/),
  and the rest of the library loads without it;
- DuckDB only by the store package (tracker/store/);
- Starlette (the HTTP API) only by the API package (tracker/api/) and the UI package, and the API
  asks the store through its typed questions, never with SQL of its own;
- the pages never read files, run SQL or reach into the store: they ask tracker.ui.questions;
- the store knows nothing of what asks it: it imports none of present/, ui/, api/ or bench/.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from tracker.config import PROJECT_DIR

CODE = sorted([PROJECT_DIR / "app.py", *PROJECT_DIR.glob("app_pages/*.py"),
               *PROJECT_DIR.glob("tracker/**/*.py")])
PAGES = sorted(PROJECT_DIR.glob("app_pages/*.py"))
# Calls a page must not make: reading files, SQL, a second CSV or Parquet reader.
FORBIDDEN_IN_PAGES = {"open", "read_text", "read_bytes", "read_csv", "read_parquet", "read_excel",
                      "read_json", "read_table", "read_sql", "load", "loads", "execute", "sql", "query",
                      "connect", "connection", "cursor"}
# What a page may import of the library: everything but the store, reached through tracker.ui.
PAGE_IMPORTS_FORBIDDEN = ("duckdb", "pyarrow", "pathlib", "os", "io", "csv", "json", "tracker.store")


def relative(path: Path) -> str:
    return path.relative_to(PROJECT_DIR).as_posix()


def imports_of(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every import in a file, also those inside functions."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            found += [(node.lineno, node.module)]
            found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
    return found


def crossings(package: str, allowed: tuple[str, ...], files: list[Path] = CODE) -> list[str]:
    """'file:line imports X' for every file outside `allowed` that imports `package`."""
    out = []
    for path in files:
        name = relative(path)
        if name.startswith(allowed) or name in allowed:
            continue
        out += [f"{name}:{line} imports {module}" for line, module in imports_of(path)
                if module == package or module.startswith(package + ".")]
    return out


def page_problems(page: Path) -> list[str]:
    """What a page does that pages must not: import the store or file and SQL modules, read files,
    run SQL, or reach the store through another module's attribute (questions.build...)."""
    problems = [f"{relative(page)}:{line} imports {module}" for line, module in imports_of(page)
                if any(module == f or module.startswith(f + ".") for f in PAGE_IMPORTS_FORBIDDEN)]
    for node in ast.walk(ast.parse(page.read_text())):
        if isinstance(node, ast.Call):
            called = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if called in FORBIDDEN_IN_PAGES:
                problems.append(f"{relative(page)}:{node.lineno} calls {called}()")
        if isinstance(node, ast.Attribute) and node.attr in ("build", "connection", "layout", "remote"):
            problems.append(f"{relative(page)}:{node.lineno} reaches .{node.attr}")
    return problems


def test_streamlit_is_imported_only_by_the_app_its_pages_and_the_ui_package() -> None:
    assert crossings("streamlit", ("app.py", "app_pages/", "tracker/ui/")) == []


def test_duckdb_is_imported_only_by_the_store_package() -> None:
    assert crossings("duckdb", ("tracker/store/",)) == []


def test_starlette_is_imported_only_by_the_api_and_the_ui_packages() -> None:
    assert crossings("starlette", ("tracker/api/", "tracker/ui/")) == []


def test_the_api_runs_no_sql_of_its_own() -> None:
    calls = [f"{relative(path)}:{node.lineno} calls {node.func.attr}()"
             for path in sorted(PROJECT_DIR.glob("tracker/api/*.py"))
             for node in ast.walk(ast.parse(path.read_text()))
             if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
             and node.func.attr in ("execute", "sql", "query", "connect", "read_parquet")]
    assert calls == []
    api = sorted(PROJECT_DIR.glob("tracker/api/*.py"))  # frame.py alone opens cursors of the one connection
    assert crossings("tracker.store.connection", ("tracker/api/frame.py",), api) == []


def test_the_store_imports_nothing_of_what_asks_it() -> None:
    store = sorted(PROJECT_DIR.glob("tracker/store/*.py"))
    asking = ("tracker.present", "tracker.ui", "tracker.api", "tracker.bench")
    assert [crossing for package in asking for crossing in crossings(package, (), store)] == []


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_a_page_reads_no_file_runs_no_sql_and_asks_the_store_only_through_the_ui(page: Path) -> None:
    assert page_problems(page) == []


def test_the_library_outside_the_ui_loads_without_streamlit() -> None:
    # Direct imports are checked above; this catches a module that imports tracker.ui (or anything
    # that pulls Streamlit in) and so could not run without it.
    modules = [relative(p)[:-3].replace("/", ".").removesuffix(".__init__") for p in CODE
               if relative(p).startswith("tracker/") and not relative(p).startswith("tracker/ui/")]
    script = ("import importlib, sys\n"
              "for name in sys.argv[1:]:\n"
              "    importlib.import_module(name)\n"
              "    if 'streamlit' in sys.modules:\n"
              "        print(name)\n"
              "        break\n")
    found = subprocess.run([sys.executable, "-c", script, *modules], cwd=PROJECT_DIR, capture_output=True,
                           text=True, check=True).stdout.strip()
    assert found == "", f"importing {found} loads Streamlit"


def test_the_checks_see_a_crossing(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(sys.modules[__name__], "PROJECT_DIR", tmp_path)
    (tmp_path / "tracker").mkdir()
    module = tmp_path / "tracker" / "m.py"
    module.write_text("def f():\n    import duckdb\n    from streamlit import cache_data\n")
    assert imports_of(module) == [(2, "duckdb"), (3, "streamlit"), (3, "streamlit.cache_data")]
    assert crossings("duckdb", ("tracker/store/",), [module]) == ["tracker/m.py:2 imports duckdb"]
    assert crossings("duckdb", ("tracker/",), [module]) == []
    page = tmp_path / "p.py"
    page.write_text("import pandas as pd\nfrom tracker.ui import questions\n"
                    "rows = pd.read_csv('data/inputs/entities.csv')\nquestions.build.refresh_store(None)\n")
    assert page_problems(page) == ["p.py:3 calls read_csv()", "p.py:4 reaches .build"]
