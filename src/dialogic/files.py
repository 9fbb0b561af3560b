"""Small file helpers shared by the audio, model-weight and database code, and the writer of
what leaves the database (exports, reports)."""

from __future__ import annotations

import errno
import hashlib
import os
import tempfile
from pathlib import Path

_private = False


def make_files_private() -> None:
    """Add 077 to the process's umask, once: files created afterwards are readable by their owner
    only. Called before a dialogic database is opened or copied (DuckDB creates the database, its
    WAL and spill files itself, so no mode can be passed). Process-wide and lasting: a notebook or
    a library user's later files are private too."""
    global _private
    if not _private:
        current = os.umask(0o077)
        os.umask(current | 0o077)
        _private = True


def fsync_path(path: Path) -> None:
    """Flush a file's or a folder's data to the disk. A file system that cannot sync a folder
    (some network and FAT file systems answer EINVAL) is let be: the rename is still atomic."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError as exc:
        if not path.is_dir() or exc.errno not in (errno.EINVAL, errno.ENOTSUP, errno.EBADF):
            raise
    finally:
        os.close(fd)


# Exports and reports carry what participants said: readable by their owner only unless asked.
PRIVATE_MODE = 0o600


def parse_mode(text: str) -> int:
    """An octal file mode such as ``"600"`` or ``"0640"``; ValueError for anything else."""
    try:
        mode = int(str(text), 8)
    except ValueError:
        raise ValueError(f"a file mode is octal, such as 600 or 640, not {text!r}") from None
    if not 0 <= mode <= 0o777:
        raise ValueError(f"a file mode is octal between 000 and 777, not {text!r}")
    return mode


def write_private(path: Path, data: bytes | str, *, mode: int = PRIVATE_MODE) -> None:
    """Write ``data`` to ``path`` whole or not at all, with ``mode`` (0600 unless asked) from the
    first byte: a temporary file beside it (mkstemp creates 0600), fsynced, then renamed over it.
    The folder must exist (OSError otherwise)."""
    path = Path(path)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data.encode("utf-8") if isinstance(data, str) else data)
            out.flush()
            os.fchmod(out.fileno(), mode)
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file's bytes, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
