"""The transcript editor: the meetings editors may correct, a meeting's transcript, one utterance's
corrections as plain forms, and saving a correction (re-tagging what it changed).
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from dialogic.errors import DialogicError, EditRefused, LookupFailed
from dialogic.review import auth, editor
from dialogic.review.views.base import csrf_protected, error_response, read, render

# Editors (`dialogic raters editor NAME`) correct a meeting's transcript: who said an utterance
# or some of its words, what was said, where an utterance starts and ends, what a speaker is
# called. Every correction is one revision (`dialogic.store.corrections.correct`); the
# page's keys drive the same form a browser without scripts submits.


def load_tagger_of(model_version: str):
    """The app's default tagger loader (``create_app``'s ``tagger_loader``)."""
    # imported only when a tagged meeting is first corrected: it loads torch and the encoder
    from dialogic.tagging.tagger import load_tagger

    return load_tagger(model_version)


def tagger_for(request: Request, model_version: str):
    """The tagger of ``model_version``, loaded once per app (corrections re-tag with it)."""
    state = request.app.state
    with state.tagger_lock:
        if model_version not in state.taggers:
            state.taggers[model_version] = state.tagger_loader(model_version)
        return state.taggers[model_version]


async def _transcripts(request: Request) -> Response:
    meetings = await read(request, editor.editor_meetings)
    return render(request, "transcripts.html", {"meetings": meetings})


async def _transcript(request: Request, error: str | None = None, status_code: int = 200, posted=None) -> Response:
    meeting_id = request.path_params["meeting_id"]
    try:
        page = await read(request, editor.load_editor, meeting_id)
    except (LookupFailed, EditRefused) as exc:
        return error_response(exc)
    return render(
        request,
        "transcript.html",
        {
            "page": page,
            "error": error,
            "posted": dict(posted) if posted is not None else {},
            "saved": request.query_params.get("saved"),
            "at": request.query_params.get("at") or (posted or {}).get("utterance_id"),
            "can_edit": request.state.session.rater.can_edit and page.imported is None,
            "new_speaker": editor.NEW_SPEAKER,
        },
        status_code=status_code,
    )


async def _correct_utterance(
    request: Request, error: str | None = None, status_code: int = 200, posted=None, utterance_id: str | None = None
) -> Response:
    """One utterance's corrections as plain forms (the editor page without scripts)."""
    utterance_id = utterance_id or request.path_params["utterance_id"]
    try:
        utterance, following, speakers = await read(request, editor.load_correction, utterance_id)
    except (LookupFailed, EditRefused) as exc:
        return error_response(exc)
    return render(
        request,
        "correct.html",
        {
            "u": utterance,
            "following": following,
            "speakers": speakers,
            "error": error,
            "posted": dict(posted) if posted is not None else {},
            "can_edit": request.state.session.rater.can_edit,
            "new_speaker": editor.NEW_SPEAKER,
        },
        status_code=status_code,
    )


@csrf_protected
async def _correct_transcript(request: Request) -> Response:
    session: auth.Session = request.state.session
    meeting_id = request.path_params["meeting_id"]
    form = await request.form()
    if not session.rater.can_edit:
        return PlainTextResponse(
            "only editors may correct transcripts (an administrator runs `dialogic raters editor NAME`)",
            status_code=403,
        )

    async def refused(message: str) -> Response:
        # the page the form came from, with what the editor typed still there
        if form.get("return") == "correct" and form.get("utterance_id"):
            return await _correct_utterance(
                request, message, 400, posted=form, utterance_id=str(form.get("utterance_id"))
            )
        return await _transcript(request, message, 400, posted=form)

    def version_if_reviewable(cur) -> str | None:
        from dialogic.store.corrections import current_tagger_version

        editor.require_reviewable(cur, meeting_id)
        return current_tagger_version(cur, meeting_id)

    try:
        edit, expected = editor.parse_edit_form(form)
        version = await read(request, version_if_reviewable)
    except LookupFailed as exc:
        return error_response(exc)
    except EditRefused as exc:
        return await refused(str(exc))
    tagger = None
    if version is not None:
        try:
            tagger = await run_in_threadpool(tagger_for, request, version)
        except DialogicError as exc:
            return await refused(
                f"Not saved: the edited utterances must be tagged again by {version}, which cannot be loaded here: {exc}"
            )

    def apply():
        from dialogic.store.corrections import correct

        with request.app.state.store.locked() as cur:
            return correct(cur, meeting_id, edit, session.rater.rater_id, tagger=tagger, expected_versions=expected)

    try:
        result = await run_in_threadpool(apply)
    except (EditRefused, LookupFailed) as exc:
        return await refused(f"Not saved: {exc}")
    at = result.after[0].utterance_id if result.after else str(form.get("utterance_id") or "")
    params = {"saved": str(result.revision_id)} | ({"at": at} if at else {})
    return RedirectResponse(f"/transcripts/{quote(meeting_id, safe='')}?{urlencode(params)}", status_code=303)


routes = [
    Route("/transcripts", _transcripts),
    Route("/transcripts/{meeting_id}", _transcript, methods=["GET"]),
    Route("/transcripts/{meeting_id}", _correct_transcript, methods=["POST"]),
    Route("/correct/{utterance_id:path}", _correct_utterance),
]
