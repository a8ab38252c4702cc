"""Entry point: page settings, navigation and the frame around every page, nothing else.

The pages live in app_pages/, not pages/: a pages/ folder beside this file switches
Streamlit to its legacy multipage mode for a deep link opened before "/" ever ran.
"""

import streamlit as st

from tracker.editing import auth
from tracker.present import page_state as states
from tracker.ui import editor, page, questions

# `streamlit run app.py` finds the ASGI app below and imports this file as a module to get it: the app
# serves the API's routes beside the dashboard, and runs this file as the script of every page view (as
# __main__; AppTest runs it so too). The import only declares; the page view draws.
if __name__ != "__main__":
    from tracker import api

    base_path = st.get_option("server.baseUrlPath")  # the API's routes live under it, as the pages do
    app = st.App(__file__, routes=api.starlette_routes(editor.api_secrets, base_path))
else:
    st.set_page_config(page_title="Entity List Tracker", page_icon=":material/policy:", layout="wide")
    page.styles()


def route(state: states.PageState, title: str, icon: str, **options) -> st.Page | None:
    """The page whose state is declared as `state`, at its declared URL path (None on the ASGI server's
    import, where st.Page has no page view to belong to)."""
    if __name__ != "__main__":
        return None
    return st.Page(f"app_pages/{state.page}.py", title=title, icon=f":material/{icon}:",
                   url_path=state.path or None, **options)


pages = [
    route(states.OVERVIEW, "Overview", "insights", default=True),
    route(states.EXPLORER, "Explorer", "search"),
    route(states.COMPANY, "Company", "apartment"),
    route(states.RULES, "Rules", "gavel"),
    route(states.CHANGES, "Changes", "difference"),
    route(states.RESPONSES, "Responses", "forum"),
    route(states.STORY, "Story", "slideshow"),
    route(states.SCREEN, "Screening", "fact_check"),
    # A read-only deployment has no editor page at all: /editor is not a page there. Elsewhere it is
    # in the menu only once a password is set; /editor still says how to set one.
    *([] if auth.read_only() else [route(states.EDITOR, "Editor", "edit",
                                         visibility="visible" if editor.editing_configured() else "hidden")]),
    route(states.ABOUT, "About", "info"),
    route(states.ENTRY, "Entry", "description", visibility="hidden"),  # opened by links
]
if __name__ == "__main__":  # a page view (see above)
    questions.store_status()  # built or checked here, so its spinner is at the top of the page
    body, foot = st.container(), st.container()
    with foot:  # drawn first, below the page, so a page that stops early keeps its footer
        page.footer()
    with body:
        try:
            st.navigation(pages, position="hidden" if page.presenting() else "sidebar").run()
        except questions.NoStore as lost:  # the store went away during this run
            page.no_store(lost.args[0])
