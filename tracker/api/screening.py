"""POST /api/v1/screen: names screened against the Entity List, every list, or the lists named,
answered as the Screening page answers them (tracker.screening). The names are never logged or
stored: they live in this request's memory only."""

from __future__ import annotations

from tracker import schema
from tracker.api.frame import ApiError, Call, check_known, route, screened_names
from tracker.screening import match, results
from tracker.store import screening as store_screening

BODY_KEYS = ("names", "lists")


def _lists(body: dict) -> str | list[str]:
    lists = body.get("lists", results.EL)
    if lists == results.ALL or lists == results.EL:
        return lists
    if isinstance(lists, list) and lists and all(isinstance(code, str) for code in lists):
        unknown = sorted(set(lists) - set(schema.SCREENING_LIST_CODES))
        if not unknown:
            return sorted(set(lists))
        raise ApiError(400, f"Unknown list(s): {', '.join(code[:20] for code in unknown[:5])}. Lists: "
                            f"{', '.join(schema.SCREENING_LIST_CODES)}, or 'all'.")
    raise ApiError(400, "'lists' must be 'all', 'EL' or a non-empty list of list codes such as "
                        "[\"EL\", \"SDN\"].")


@route("POST", "/api/v1/screen")
def screen(call: Call) -> dict:
    """Screen names; one result per name, in the order asked, best match first."""
    check_known(call.params, ())
    names = screened_names(call)
    body = call.json()
    unknown = sorted(set(body) - set(BODY_KEYS))
    if unknown:
        raise ApiError(400, f"Unknown field(s) in the body: {', '.join(k[:40] for k in unknown[:5])}. "
                            f"It takes: {', '.join(BODY_KEYS)}.")
    lists = _lists(body)
    db = call.cursor()
    queries = [results.Query(i, item["name"], " ".join(item["name"].split()), item["country"] or "")
               for i, item in enumerate(names, 1)]
    index = store_screening.screening_index(db, call.manifest.build_id)
    found = results.screen(index, queries, lambda r, n: store_screening.screening_matched(db, r, n), lists)
    version = store_screening.screening_version(db)
    return {"list_version": version["version_id"],
            "list_date": version["version_date"].isoformat() if version["version_date"] else None,
            "lists": lists, "thresholds": match.THRESHOLDS,
            "results": [_result(r, call.base_url()) for r in found]}


def _page(link: str, base: str) -> str | None:
    """An entry's page as an absolute address (as the other routes give it); a list's own page as is."""
    if not link:
        return None
    return link if link.startswith(("http://", "https://")) else f"{base}/{link}"


def _result(result: results.Result, base: str) -> dict:
    return {"query": result.query.name, "country": result.query.country or None, "verdict": result.verdict,
            "note": result.note or None,
            "matches": [{"entity_id": m.entity_id, "list": m.list, "name": m.name,
                         "matched_name": m.matched_name, "destination": m.destination or None,
                         "listed_date": m.listed_date or None,
                         "license_requirement": m.license_requirement or None,
                         "license_review_policy": m.license_policy or None, "score": m.score,
                         "verdict": m.verdict, "reason": m.reason, "page": _page(m.link, base)}
                        for m in result.matches]}
