"""Files and folders that hold secrets (the database, backups, the outbox, the secret key):
readable by the service account alone, files 0600 and folders 0700, whatever the umask.

The mode is set on the open file before a byte is written, so there is no moment when a
secret sits in a file others can read.
"""

import os
import stat
from pathlib import Path
from typing import BinaryIO

FILE_MODE = 0o600
DIR_MODE = 0o700


def private_dir(path: Path) -> Path:
    """Make a folder and any missing parents; the folders made here are owner-only (a folder
    that was already there keeps its mode: the office may have chosen it)."""
    path = Path(path)
    missing = []
    for folder in (path, *path.parents):
        if folder.exists():
            break
        missing.append(folder)
    path.mkdir(parents=True, exist_ok=True)
    for folder in missing:
        os.chmod(folder, DIR_MODE)  # mkdir's mode is cut by the umask, chmod's is not
    return path


def private_file(path: Path, *, exclusive: bool = False) -> BinaryIO:
    """A file opened for writing (emptied if it was there) that only the owner can read.

    `exclusive`: refuse (FileExistsError) a file that is already there.
    """
    flags = os.O_WRONLY | os.O_CREAT | (os.O_EXCL if exclusive else os.O_TRUNC)
    descriptor = os.open(path, flags, FILE_MODE)
    try:
        # O_CREAT's mode is cut by the umask and ignored for a file that exists already.
        os.fchmod(descriptor, FILE_MODE)
        return os.fdopen(descriptor, "wb")
    except BaseException:
        os.close(descriptor)
        raise


def write_private(path: Path, content: bytes) -> Path:
    """Write a whole owner-only file."""
    with private_file(path) as out:
        out.write(content)
    return Path(path)


def tighten(path: Path) -> None:
    """Take away what others may do with a file that is already there (one made before Assure
    made its files owner-only). A file that is not ours is left as it is."""
    try:
        mode = os.stat(path).st_mode
        if stat.S_IMODE(mode) & 0o077:
            os.chmod(path, stat.S_IMODE(mode) & 0o700)
    except (FileNotFoundError, PermissionError):
        pass
