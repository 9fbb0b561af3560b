"""Screenshots for the documentation's tour (docs/tour.md), taken by the browser tests as they
go: every shot is checked to hold a rendered page, and copied into docs/img only when
DIALOGIC_DOCS_SCREENSHOT=1 (`make screenshots`), so the tour shows what the tests saw."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

DOCS_IMG = Path(__file__).resolve().parents[1] / "docs" / "img"


def docs_shot(target, name: str, tmp_path: Path, **options) -> Path:
    """Screenshot ``target`` (a Playwright page or locator) as ``name`` (a .png file name)."""
    shot = tmp_path / name
    target.screenshot(path=str(shot), **options)
    assert shot.stat().st_size > 10_000, f"{name}: the screenshot holds almost nothing"
    if os.environ.get("DIALOGIC_DOCS_SCREENSHOT") == "1":
        DOCS_IMG.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, DOCS_IMG / name)
    return shot
