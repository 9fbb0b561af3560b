"""Speakers: which participant each diarised speaker of a meeting is (mapping) and folding one
speaker into another (merging), with each speaker's clips to listen to.
"""

from __future__ import annotations

from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from dialogic.errors import LookupFailed
from dialogic.review import auth, clips, ratings
from dialogic.review.editor import require_reviewable
from dialogic.review.views.base import csrf_protected, error_response, read, render
from dialogic.speakers import list_speakers, suggest_mappings


async def _speaker_meetings(request: Request) -> Response:
    meetings = await read(request, ratings.list_speaker_meetings)
    return render(request, "speaker_meetings.html", {"meetings": meetings})


async def _speakers(request: Request, error: str | None = None, status_code: int = 200) -> Response:
    meeting_id = request.path_params["meeting_id"]

    def load(cur):
        require_reviewable(cur, meeting_id)
        # most speech first: the speakers a rater should map before the rest
        speakers = sorted(list_speakers(cur, meeting_id), key=lambda s: (-(s["speech_s"] or 0), s["speaker_label"]))
        suggestions = {}
        for s in suggest_mappings(cur, meeting_id):
            suggestions.setdefault(s.speaker_label, s)  # the best per speaker
        for speaker in speakers:
            # each clip with the words heard in it, so a rater can follow who is speaking
            speaker["clips"] = [
                clips.clip_text(cur, meeting_id, span)
                for span in clips.speaker_spans(cur, meeting_id, speaker["speaker_label"])
            ]
            speaker["suggestion"] = suggestions.get(speaker["speaker_label"])
        return speakers, ratings.list_participants(cur, meeting_id)

    try:
        speakers, participants = await read(request, load)
    except LookupFailed as exc:
        return error_response(exc)
    return render(
        request,
        "speakers.html",
        {
            "meeting_id": meeting_id,
            "speakers": speakers,
            "participants": participants,
            "error": error,
            "saved": request.query_params.get("saved") == "1",
            "merged": request.query_params.get("merged"),
        },
        status_code=status_code,
    )


@csrf_protected
async def _map_speakers(request: Request) -> Response:
    session: auth.Session = request.state.session
    meeting_id = request.path_params["meeting_id"]
    form = await request.form()

    def current_mapping(cur) -> dict:
        require_reviewable(cur, meeting_id)
        return {s["speaker_label"]: s["participant_id"] for s in list_speakers(cur, meeting_id)}

    try:
        current = await read(request, current_mapping)
    except LookupFailed as exc:
        return error_response(exc)
    # Only changes are written: choosing "not mapped" ('') for a mapped speaker clears it,
    # and speakers left as they were keep their mapped_by / mapped_at.
    mapping = {
        key.removeprefix("speaker:"): str(value)
        for key, value in form.multi_items()
        if key.startswith("speaker:") and str(value) != (current.get(key.removeprefix("speaker:")) or "")
    }
    if mapping:
        try:
            await run_in_threadpool(_map_with_store, request, meeting_id, mapping, session.rater.rater_id)
        except LookupFailed as exc:
            return await _speakers(request, str(exc), status_code=400)
    return RedirectResponse(f"/speakers/{quote(meeting_id, safe='')}?saved=1", status_code=303)


@csrf_protected
async def _merge_speakers(request: Request) -> Response:
    """Fold one diarised speaker into another (`dialogic speakers merge`)."""
    from dialogic.review.views.editor import tagger_for
    from dialogic.store.speakers import merge_speakers

    meeting_id = request.path_params["meeting_id"]
    form = await request.form()
    source, target = str(form.get("source") or ""), str(form.get("target") or "")

    def merge() -> None:
        with request.app.state.store.locked() as cur:
            merge_speakers(cur, meeting_id, source, target, load_tagger=lambda v: tagger_for(request, v))

    try:
        await run_in_threadpool(merge)
    except LookupFailed as exc:
        return await _speakers(request, str(exc), status_code=400)
    return RedirectResponse(f"/speakers/{quote(meeting_id, safe='')}?merged={quote(source, safe='')}", status_code=303)


def _map_with_store(request: Request, meeting_id: str, mapping: dict, mapped_by: str) -> None:
    # The same mapping `dialogic speakers map` writes; imported here because it pulls in polars.
    from dialogic.review.views.editor import tagger_for
    from dialogic.store.speakers import map_speakers

    # map_speakers opens its own transaction, so it gets a plain cursor under the write lock.
    review_store: ratings.ReviewStore = request.app.state.store
    with review_store.locked() as cur:
        map_speakers(cur, meeting_id, mapping, mapped_by, load_tagger=lambda v: tagger_for(request, v))


routes = [
    Route("/speakers", _speaker_meetings),
    Route("/speakers/{meeting_id}", _speakers, methods=["GET"]),
    Route("/speakers/{meeting_id}", _map_speakers, methods=["POST"]),
    Route("/speakers/{meeting_id}/merge", _merge_speakers, methods=["POST"]),
]
