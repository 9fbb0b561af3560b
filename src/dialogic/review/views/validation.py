"""The validation queue: sampled utterances rated blind by two raters (a third where they disagree),
speaker and word checks, and whole meetings scored on OPTION-5's five items.
"""

from __future__ import annotations

from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from dialogic.errors import AnswerRefused, LookupFailed
from dialogic.review import auth, ratings
from dialogic.review.editor import require_reviewable
from dialogic.review.views.agreement import recorded_tag_statuses
from dialogic.review.views.base import (
    csrf_protected,
    error_response,
    read,
    render,
    status_for,
    write,
)
from dialogic.review.views.ratings import form_answers, posted_fields
from dialogic.store import ratings as store_ratings

# A random sample of the study's utterances (`dialogic validate sample`), in random order, always
# blind to the model, each to two raters and disagreements to a third; answers are recorded with
# their queue, and only these answers feed the validation report's estimates.


async def _validation(request: Request) -> Response:
    from dialogic.validation.queue import validation_progress, validation_queue

    session: auth.Session = request.state.session
    try:
        items = await read(request, validation_queue, session.rater.rater_id)
    except LookupFailed as exc:
        meetings = await read(request, _scorable_meetings, session.rater.rater_id)
        recorded = await read(request, recorded_tag_statuses, None)
        return render(
            request,
            "validation.html",
            {"items": [], "progress": None, "message": str(exc), "meetings": meetings, "recorded": recorded},
        )
    progress = await read(request, validation_progress)
    meetings = await read(request, _scorable_meetings, session.rater.rater_id)
    recorded = await read(request, recorded_tag_statuses, progress.sample_id if progress else None)
    return render(
        request,
        "validation.html",
        {"items": items, "progress": progress, "message": None, "meetings": meetings, "recorded": recorded},
    )


def _scorable_meetings(cur, rater_id: str) -> list[tuple[str, bool]]:
    """(meeting_id, scored by this rater) for every meeting raters may review."""
    return cur.execute(
        """
        select r.meeting_id, exists (select 1 from meeting_scores s where s.meeting_id = r.meeting_id and s.rater_id = ?)
        from reviewable_meetings() as r order by r.meeting_id
        """,
        [rater_id],
    ).fetchall()


def _meeting_score_context(cur, rater_id: str, meeting_id: str) -> dict:
    require_reviewable(cur, meeting_id)
    mine = cur.execute(
        "select item1, item2, item3, item4, item5 from meeting_option5_scores where rater_id = ? and meeting_id = ?",
        [rater_id, meeting_id],
    ).fetchone()
    return {"meeting_id": meeting_id, "mine": list(mine) if mine else None}


async def _meeting_score(request: Request, error: str | None = None, status_code: int = 200, posted=None) -> Response:
    """A whole meeting scored on OPTION-5's five items (0–4), for the meeting-level validation;
    ``posted``: a refused form, shown again with what the rater chose and wrote."""
    from dialogic.validation.meetings import ITEMS

    session: auth.Session = request.state.session
    try:
        context = await read(request, _meeting_score_context, session.rater.rater_id, request.path_params["meeting_id"])
    except LookupFailed as exc:
        return error_response(exc)
    if posted is not None:
        context["mine"] = [_int_or_none(posted.get(f"item{i}")) for i in range(1, 6)]
        context["note"] = str(posted.get("note") or "")
    return render(request, "meeting_score.html", context | {"items": ITEMS, "error": error}, status_code=status_code)


def _int_or_none(value) -> int | None:
    try:
        return int(str(value))
    except ValueError:
        return None


@csrf_protected
async def _submit_meeting_score(request: Request) -> Response:
    from dialogic.store.validation import record_meeting_score

    session: auth.Session = request.state.session
    form = await request.form()
    try:
        items = [int(str(form.get(f"item{i}"))) for i in range(1, 6)]
    except ValueError:
        return await _meeting_score(request, "Score every item from 0 to 4 before saving.", 400, posted=form)
    try:
        await write(
            request,
            record_meeting_score,
            session.rater.rater_id,
            request.path_params["meeting_id"],
            items,
            form.get("note"),
        )
    except LookupFailed as exc:
        return await _meeting_score(request, str(exc), 400, posted=form)
    return RedirectResponse("/validation?scored=" + quote(request.path_params["meeting_id"], safe=""), status_code=303)


async def _validation_next(request: Request) -> Response:
    from dialogic.validation.queue import validation_queue

    session: auth.Session = request.state.session
    try:
        items = await read(request, validation_queue, session.rater.rater_id)
    except LookupFailed:
        items = []
    if not items:
        return RedirectResponse("/validation?done=1", status_code=303)
    return RedirectResponse("/validation/item/" + quote(items[0].utterance_id, safe="/"), status_code=303)


async def _validation_item(request: Request, error: str | None = None, status_code: int = 200, posted=None) -> Response:
    from dialogic.validation.queue import queue_kind

    session: auth.Session = request.state.session
    utterance_id = request.path_params["utterance_id"]
    try:
        kind = await read(request, queue_kind, session.rater.rater_id, utterance_id)
        if kind is None:
            return PlainTextResponse(
                f"{utterance_id} is not in your validation queue (rated already, seen in the training queue, "
                "or rated by two others)",
                status_code=404,
            )
        item = await read(request, ratings.load_item, session.rater.rater_id, utterance_id)
        participants = await read(request, ratings.list_participants, item.utterance.meeting_id)
    except LookupFailed as exc:
        return error_response(exc)
    return render(
        request,
        "item.html",
        {
            "item": item,
            "participants": participants,
            "params": {},
            "error": error,
            "posted": posted_fields(posted),
            "blind": True,  # validation answers are always given without the model's view
            "queue_kind": kind,
            "back_url": "/validation",
            "back_label": "Validation queue",
            "form_action": "/validation/item/" + quote(utterance_id, safe="/"),
            "audio_url": "/audio/utterance/" + quote(utterance_id, safe="/"),
            "skip_url": "/validation",
        },
        status_code=status_code,
    )


@csrf_protected
async def _submit_validation_item(request: Request) -> Response:
    from dialogic.validation.queue import queue_kind

    session: auth.Session = request.state.session
    utterance_id = request.path_params["utterance_id"]
    form = await request.form()
    answers, missing = form_answers(form)
    # an item of a speaker-check sample asks who said it, not the tags
    speaker_only = await read(request, queue_kind, session.rater.rater_id, utterance_id) == "speaker check"
    if speaker_only and not form.get("speaker_right"):
        return await _validation_item(
            request, "Say whether the speaker shown is right before saving.", 400, posted=form
        )
    if missing and not speaker_only:
        return await _validation_item(
            request, f"Answer every tag before saving (missing: {', '.join(missing)}).", 400, posted=form
        )

    check = str(form.get("speaker_right") or "")
    misheard = str(form.get("misheard_words") or "").strip()
    if check or misheard:
        try:
            misheard_words = int(misheard or 0)
        except ValueError:
            return await _validation_item(request, "Misheard words must be a whole number.", 400, posted=form)
    speaker_right = {"yes": True, "no": False, "unsure": None}.get(check)

    def record(cur) -> None:
        from dialogic.store.validation import record_transcript_check

        kind = queue_kind(cur, session.rater.rater_id, utterance_id)
        if kind is None:
            raise LookupFailed(f"{utterance_id} is not in your validation queue")
        if kind != "speaker check":
            store_ratings.record_answers(
                cur, session.rater.rater_id, utterance_id, answers, form.get("note"), queue=kind
            )
        if check or misheard:
            record_transcript_check(
                cur,
                session.rater.rater_id,
                utterance_id,
                speaker_right,
                misheard_words,
                str(form.get("right_participant") or "") or None,
            )

    try:
        await write(request, record)
    except AnswerRefused as exc:
        return await _validation_item(request, str(exc), status_for(exc), posted=form)
    except LookupFailed as exc:
        return error_response(exc)
    return RedirectResponse("/validation/next", status_code=303)


routes = [
    Route("/validation", _validation),
    Route("/validation/next", _validation_next),
    Route("/validation/meeting/{meeting_id}", _meeting_score, methods=["GET"]),
    Route("/validation/meeting/{meeting_id}", _submit_meeting_score, methods=["POST"]),
    Route("/validation/item/{utterance_id:path}", _validation_item, methods=["GET"]),
    Route("/validation/item/{utterance_id:path}", _submit_validation_item, methods=["POST"]),
]
