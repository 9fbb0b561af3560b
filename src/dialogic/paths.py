"""Where dialogic finds its SQL, model manifests and model weights."""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent
_REPO_DIR = _PACKAGE_DIR.parent.parent


def _bundled(name: str) -> Path:
    # A wheel carries sql/ and models/ inside the package; a source checkout has them at the top.
    inside = _PACKAGE_DIR / name
    return inside if inside.is_dir() else _REPO_DIR / name


def sql_dir() -> Path:
    return _bundled("sql")


def models_dir() -> Path:
    """Model manifests (``*.yaml``) and trained tagger artifacts (``<name>-v<N>/``)."""
    return _bundled("models")


def weights_dir() -> Path:
    """Where `dialogic models fetch` unpacks weight files; ``DIALOGIC_WEIGHTS_DIR`` overrides."""
    if env := os.environ.get("DIALOGIC_WEIGHTS_DIR"):
        return Path(env).expanduser().resolve()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "dialogic" / "weights"


def default_db_path() -> Path:
    return Path(os.environ.get("DIALOGIC_DB", "dialogic.duckdb"))
