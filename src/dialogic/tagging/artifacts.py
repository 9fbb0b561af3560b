"""Where tagger artifacts live and which one a name means, read from their manifests alone.

Light on purpose: a stored meeting is checked for tags by its tagger's version without loading
torch or any weights.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from dialogic.errors import ModelError
from dialogic.paths import models_dir

ARTIFACT_NAME = "dialogic-tagger"
_VERSION_DIR = re.compile(r"^(?P<name>[a-z0-9-]+)-v(?P<version>\d+)$")


def artifact_digest(files: dict[str, str]) -> str:
    """One sha256 for a whole artifact: the hash of its sorted ``{file: sha256}`` listing."""
    return hashlib.sha256(json.dumps(files, sort_keys=True).encode()).hexdigest()


def list_artifacts(directory: Path | None = None) -> list[tuple[str, int, Path]]:
    """Every ``<name>-v<N>/`` folder with a manifest, oldest version first."""
    directory = directory or models_dir()
    found = []
    for path in directory.iterdir() if directory.is_dir() else []:
        match = _VERSION_DIR.match(path.name)
        if match and (path / "manifest.json").is_file():
            found.append((match["name"], int(match["version"]), path))
    return sorted(found, key=lambda item: (item[0], item[1]))


def resolve_artifact(name: str | None = None, directory: Path | None = None) -> Path:
    """A model folder from a path, a ``<name>-v<N>`` version, a bare name (newest version) or None
    (newest ``dialogic-tagger-v*``). A bare name or None skips versions held back from being the
    default (``"default": false`` in the manifest); ``<name>-v<N>`` loads any version."""
    if name and Path(name).is_dir() and (Path(name) / "manifest.json").is_file():
        return Path(name)
    artifacts = list_artifacts(directory)
    wanted = name or ARTIFACT_NAME
    exact = [p for n, v, p in artifacts if f"{n}-v{v}" == wanted]
    if exact:
        return exact[0]
    same_name = [p for n, v, p in artifacts if n == wanted]
    if same_name:
        eligible = [p for p in same_name if not _held_back(p)]
        return (eligible or same_name)[-1]
    known = ", ".join(f"{n}-v{v}" for n, v, _ in artifacts) or "none"
    raise ModelError(
        f"no tagger model {wanted!r} in {directory or models_dir()}, expected one of: {known} (train one with `dialogic train`)"
    )


def _held_back(path: Path) -> bool:
    """An artifact whose manifest says ``"default": false`` (trained and kept loadable by its
    version, but it did not beat the current default) is never chosen by a bare name."""
    try:
        return json.loads((path / "manifest.json").read_text()).get("default", True) is False
    except (OSError, ValueError):
        return False


def tagger_version(name: str | None = None) -> str:
    """The ``<name>-v<N>`` version that `load_tagger(name)` would load, read from the artifact's
    manifest without loading any weights (a stored meeting is checked for tags this way)."""
    path = resolve_artifact(name)
    try:
        return json.loads((path / "manifest.json").read_text())["model_version"]
    except (OSError, ValueError, KeyError) as exc:
        raise ModelError(f"{path}/manifest.json: unreadable tagger manifest: {exc}") from exc
