"""Audio: an utterance's clip and a speaker's clips, cut from the meeting's recording on request,
with byte ranges for the browser's player.
"""

from __future__ import annotations

import re

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from dialogic.errors import AudioError, LookupFailed
from dialogic.review import clips
from dialogic.review.views.base import error_response, read, status_for

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


async def _utterance_audio(request: Request) -> Response:
    try:
        span = await read(request, clips.utterance_span, request.path_params["utterance_id"])
    except LookupFailed as exc:
        return error_response(exc)
    return await _clip_response(request, span)


async def _speaker_audio(request: Request) -> Response:
    p = request.path_params
    try:
        span = await read(request, clips.speaker_span, p["meeting_id"], p["speaker_label"], p["clip_index"])
    except LookupFailed as exc:
        return error_response(exc)
    return await _clip_response(request, span)


async def _clip_response(request: Request, span: clips.ClipSpan) -> Response:
    try:
        data = await run_in_threadpool(clips.extract_clip, span.audio_path, span.start_s, span.end_s)
    except AudioError as exc:
        return PlainTextResponse(f"audio unavailable: {exc}", status_code=status_for(exc))
    headers = {"accept-ranges": "bytes", "cache-control": "private, no-store"}
    match = _RANGE.match(request.headers.get("range", "").strip())
    if match and (match.group(1) or match.group(2)):
        total = len(data)
        if match.group(1):
            start = int(match.group(1))
            end = min(int(match.group(2)), total - 1) if match.group(2) else total - 1
        else:  # "bytes=-N": the last N bytes
            start, end = max(0, total - int(match.group(2))), total - 1
        if start >= total or start > end:
            return Response(status_code=416, headers={"content-range": f"bytes */{total}"})
        headers["content-range"] = f"bytes {start}-{end}/{total}"
        return Response(data[start : end + 1], status_code=206, media_type="audio/wav", headers=headers)
    return Response(data, media_type="audio/wav", headers=headers)


routes = [
    Route("/audio/utterance/{utterance_id:path}", _utterance_audio),
    Route("/audio/speaker/{meeting_id}/{speaker_label}/{clip_index:int}", _speaker_audio),
]
