"""The architecture's boundaries, held by reading every module's imports and calls:

- Streamlit is imported only by app.py, the pages (app_pages/) and the UI package (tracker/ui/);
- DuckDB only by the store package (tracker/store/);
- the pages never read files, run SQL or reach into the store: they ask tracker.ui.questions.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tracker.config import PROJECT_DIR

CODE = sorted([PROJECT_DIR / "app.py", *PROJECT_DIR.glob("app_pages/*.py"),
               *PROJECT_DIR.glob("tracker/**/*.py")])
PAGES = sorted(PROJECT_DIR.glob("app_pages/*.py"))
# Calls a page must not make: reading files, SQL, a second CSV or Parquet reader.
FORBIDDEN_IN_PAGES = {"open", "read_text", "read_bytes", "read_csv", "read_parquet", "execute", "sql",
                      "connect", "cursor"}


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


def crossings(package: str, allowed: tuple[str, ...]) -> list[str]:
    """'file:line imports X' for every file outside `allowed` that imports `package`."""
    out = []
    for path in CODE:
        name = relative(path)
        if name.startswith(allowed) or name in allowed:
            continue
        out += [f"{name}:{line} imports {module}" for line, module in imports_of(path)
                if module == package or module.startswith(package + ".")]
    return out


def test_streamlit_is_imported_only_by_the_app_its_pages_and_the_ui_package() -> None:
    assert crossings("streamlit", ("app.py", "app_pages/", "tracker/ui/")) == []


def test_duckdb_is_imported_only_by_the_store_package() -> None:
    assert crossings("duckdb", ("tracker/store/",)) == []


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_a_page_reads_no_file_runs_no_sql_and_asks_the_store_only_through_the_ui(page: Path) -> None:
    problems = [f"{relative(page)}:{line} imports {module}" for line, module in imports_of(page)
                if module.split(".")[0] in ("duckdb", "pyarrow", "pathlib", "os", "io", "csv")
                or module.startswith("tracker.store")]
    for node in ast.walk(ast.parse(page.read_text())):
        if isinstance(node, ast.Call):
            called = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if called in FORBIDDEN_IN_PAGES:
                problems.append(f"{relative(page)}:{node.lineno} calls {called}()")
    assert problems == []


def test_the_checks_see_a_crossing(tmp_path: Path) -> None:
    # The reading itself: an import inside a function is found, with its line.
    module = tmp_path / "m.py"
    module.write_text("def f():\n    import duckdb\n    from streamlit import cache_data\n")
    assert imports_of(module) == [(2, "duckdb"), (3, "streamlit"), (3, "streamlit.cache_data")]
