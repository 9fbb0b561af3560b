"""Small file helpers shared by the audio, model-weight and database code."""

from __future__ import annotations

import errno
import hashlib
import os
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


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file's bytes, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
