"""The training queue: a rater's filtered queue of utterances, one item's page, and its answers
(from the item form, or as JSON).
"""

from __future__ import annotations

import json
from urllib.parse import quote, urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from dialogic.errors import LookupFailed
from dialogic.review import auth, ratings
from dialogic.review.views.base import csrf_protected, error_response, item_url, read, render, status_for, write
from dialogic.store import ratings as store_ratings
from dialogic.tagging.codebook import TAG_TITLES


def _next_url(queue_filter: ratings.QueueFilter, after: str) -> str:
    """The "next item" link: the next one in the rater's filtered queue after ``after``."""
    return "/next?" + urlencode(queue_filter.query_params() | {"after": after})


def _queue_filter(request: Request) -> ratings.QueueFilter:
    tag = request.query_params.get("tag") or None
    return ratings.QueueFilter(
        meeting_id=request.query_params.get("meeting") or None,
        tag=tag if tag in ratings.TAGS else None,
        unrated_only=request.query_params.get("unrated") == "1",
        in_meeting_order=request.query_params.get("order") == "meeting",
    )


async def _queue(request: Request) -> Response:
    session: auth.Session = request.state.session
    queue_filter = _queue_filter(request)
    items = await read(request, ratings.list_queue, session.rater.rater_id, queue_filter)
    meetings = await read(request, ratings.list_meetings)
    done, total = await read(request, ratings.queue_progress, session.rater.rater_id, queue_filter)
    return render(
        request,
        "queue.html",
        {
            "items": items,
            "filter": queue_filter,
            "params": queue_filter.query_params(),
            "meetings": meetings,
            "done": done,
            "total": total,
        },
    )


async def _next(request: Request) -> Response:
    session: auth.Session = request.state.session
    queue_filter = _queue_filter(request)
    after = request.query_params.get("after") or None
    next_id = await read(request, ratings.next_utterance_id, session.rater.rater_id, queue_filter, after)
    if next_id is None:
        return RedirectResponse("/queue?" + urlencode(queue_filter.query_params() | {"done": "1"}), status_code=303)
    return RedirectResponse(item_url(next_id, queue_filter.query_params()), status_code=303)


async def _item(request: Request, error: str | None = None, status_code: int = 200, posted=None) -> Response:
    """``posted``: the form a save was refused for, shown again so the rater loses nothing."""
    session: auth.Session = request.state.session
    utterance_id = request.path_params["utterance_id"]
    try:
        item = await read(request, ratings.load_item, session.rater.rater_id, utterance_id)
    except LookupFailed as exc:
        return error_response(exc)
    queue_filter = _queue_filter(request)
    return render(
        request,
        "item.html",
        {
            "item": item,
            "params": queue_filter.query_params(),
            "error": error,
            "posted": posted_fields(posted),
            "audio_url": "/audio/utterance/" + quote(utterance_id, safe="/"),
            "skip_url": _next_url(queue_filter, utterance_id),
        },
        status_code=status_code,
    )


def posted_fields(form) -> dict | None:
    """A refused form's fields for the template (answers, note, transcript check), or None."""
    if form is None:
        return None
    answers, _ = form_answers(form)
    return {
        "answers": answers,
        "note": str(form.get("note") or ""),
        "speaker_right": str(form.get("speaker_right") or ""),
        "right_participant": str(form.get("right_participant") or ""),
        "misheard_words": str(form.get("misheard_words") or ""),
    }


def form_answers(form) -> tuple[dict[str, bool], list[str]]:
    """The yes/no answers of an item form, and the titles of the tags left unanswered."""
    answers = {
        tag: form.get(f"answer_{tag}") == "yes" for tag in ratings.TAGS if form.get(f"answer_{tag}") in ("yes", "no")
    }
    return answers, [TAG_TITLES[t].capitalize() for t in ratings.TAGS if t not in answers]


@csrf_protected
async def _submit_item(request: Request) -> Response:
    session: auth.Session = request.state.session
    utterance_id = request.path_params["utterance_id"]
    form = await request.form()
    answers, missing = form_answers(form)
    if missing:
        return await _item(
            request, f"Answer every tag before saving (missing: {', '.join(missing)}).", 400, posted=form
        )
    try:
        await write(
            request, store_ratings.record_answers, session.rater.rater_id, utterance_id, answers, form.get("note")
        )
    except LookupFailed as exc:
        return error_response(exc)
    return RedirectResponse(_next_url(_queue_filter(request), utterance_id), status_code=303)


@csrf_protected
async def _api_ratings(request: Request) -> Response:
    """JSON: {"utterance_id": ..., "answers": {tag: true|false}, "note": ...} → {"added": n}."""
    session: auth.Session = request.state.session
    try:
        body = await request.json()
        utterance_id = str(body["utterance_id"])
        answers = {str(tag): value for tag, value in dict(body["answers"]).items()}
        note = body.get("note")
        note = None if note is None else str(note)
    except (ValueError, KeyError, TypeError, json.JSONDecodeError):
        return JSONResponse({"error": "expected {utterance_id, answers: {tag: bool}, note?}"}, status_code=400)
    # Only JSON true/false: bool("no") would store a "no" as yes.
    not_bool = sorted(tag for tag, value in answers.items() if not isinstance(value, bool))
    if not_bool:
        return JSONResponse(
            {"error": f"each answer must be JSON true or false; not so for: {', '.join(not_bool)}"}, status_code=400
        )
    if not answers:
        return JSONResponse({"error": "no answers given"}, status_code=400)
    try:
        added = await write(request, store_ratings.record_answers, session.rater.rater_id, utterance_id, answers, note)
    except LookupFailed as exc:
        return JSONResponse({"error": str(exc)}, status_code=status_for(exc))
    except ValueError as exc:
        return JSONResponse({"error": str(exc)}, status_code=400)
    return JSONResponse({"added": added})


routes = [
    Route("/queue", _queue),
    Route("/next", _next),
    Route("/item/{utterance_id:path}", _item, methods=["GET"]),
    Route("/item/{utterance_id:path}", _submit_item, methods=["POST"]),
    Route("/api/ratings", _api_ratings, methods=["POST"]),
]
