"""Running one page with AppTest, shared by the page tests."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tracker.config import PROJECT_DIR


def run_page(name: str, timeout: float = 120, **params: str) -> AppTest:
    """Run app_pages/<name>.py once with these query parameters (the data is TRACKER_DATA_DIR's)."""
    app = AppTest.from_file(str(PROJECT_DIR / "app_pages" / f"{name}.py"), default_timeout=timeout)
    for key, value in params.items():
        app.query_params[key] = value
    return app.run()


def text_of(app: AppTest) -> str:
    """The page's Markdown, captions and headings as one text, Markdown escapes removed."""
    parts = [m.value for m in app.markdown] + [c.value for c in app.caption]
    parts += [h.value for h in app.header] + [h.value for h in app.subheader]
    return "\n".join(parts).replace("\\", "")
