"""What raters read besides items: inter-rater agreement with the validation report's figures, each
tag's recorded status, and the codebook.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from dialogic.errors import LookupFailed
from dialogic.review.agreement import compute_agreement
from dialogic.review.views.base import read, render


async def _codebook(request: Request) -> Response:
    """The raters' codebook (docs/codebook.md) as the text they rate by, linked from the queue and items."""
    from dialogic.tagging.codebook import codebook_path

    try:
        text = await run_in_threadpool(codebook_path().read_text, encoding="utf-8")
    except (OSError, LookupFailed) as exc:
        return PlainTextResponse(f"the codebook cannot be read: {exc}", status_code=404)
    return PlainTextResponse(text)


async def _agreement(request: Request) -> Response:
    from dialogic.validation.queue import latest_sample
    from dialogic.validation.report import agreement_figures

    report = await read(request, compute_agreement)
    sample_id = await read(request, latest_sample)
    recorded = await read(request, recorded_tag_statuses, sample_id)
    # the validation report's own computation (same seed and resamples as its defaults): one set of figures
    figures = await read(request, agreement_figures, sample_id) if sample_id else []
    return render(
        request,
        "agreement.html",
        {"report": report, "sample_id": sample_id, "figures": figures, "recorded": recorded},
    )


def recorded_tag_statuses(cur, sample_id: str | None) -> list:
    """The recorded status of each tag (``tag_validation_status``) for the tagger version of the
    latest sample, or every version's before any sample: what views, reports and exports say."""
    from dialogic.validation.settings import recorded_statuses

    row = (
        cur.execute("select tagger_model_version from validation_samples where sample_id = ?", [sample_id]).fetchone()
        if sample_id
        else None
    )
    return recorded_statuses(cur, row[0] if row else None)


routes = [
    Route("/agreement", _agreement),
    Route("/codebook", _codebook),
]
