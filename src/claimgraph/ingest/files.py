"""Files on disk: which paths are documents to read, and their bytes, read safely.

Only regular files are read. A named pipe, a device, a socket, a dangling or looping symbolic
link, or a symbolic link to a folder is named once, with the reason, and skipped; none is ever
opened for reading (opening a FIFO waits for a writer, /dev/zero never ends).
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path

from claimgraph.errors import IngestError

_SPECIAL = (
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def iter_files(paths: Iterable[Path], *, skip_hidden: bool = True) -> Iterator[Path | IngestError]:
    """Every regular file under `paths`, recursively and sorted; anything else becomes one error."""
    for path in paths:
        found = _regular_or_folder(path, named=True)
        if isinstance(found, IngestError) or not found:
            yield found if isinstance(found, IngestError) else path
        else:
            yield from _walk(path, skip_hidden=skip_hidden)


def _walk(top: Path, *, skip_hidden: bool) -> Iterator[Path | IngestError]:
    # Depth-first in name order, with a stack rather than recursion: a folder tree deeper than
    # Python's recursion limit is walked too.
    stack: list[Iterator[os.DirEntry[str]]] = []
    listed = _list(top)
    if isinstance(listed, IngestError):
        yield listed
        return
    stack.append(iter(listed))
    while stack:
        entry = next(stack[-1], None)
        if entry is None:
            stack.pop()
            continue
        if skip_hidden and entry.name.startswith("."):
            continue
        path = Path(entry.path)
        found = _regular_or_folder(path, named=False)
        if isinstance(found, IngestError):
            yield found
        elif not found:
            yield path
        else:
            listed = _list(path)
            if isinstance(listed, IngestError):
                yield listed
            else:
                stack.append(iter(listed))


def _list(folder: Path) -> list[os.DirEntry[str]] | IngestError:
    try:
        with os.scandir(folder) as entries:
            return sorted(entries, key=lambda entry: entry.name)
    except OSError as error:
        return IngestError(str(folder), f"cannot read folder: {error.strerror or error}")


def _regular_or_folder(path: Path, *, named: bool) -> bool | IngestError:
    """False for a regular file (read it), True for a folder (walk it), else why it is skipped.

    A folder named on the command line is walked even through a symbolic link; a symbolic link
    to a folder met while walking is not followed (that is how a walk would loop forever).
    """
    try:
        linked = path.is_symlink()
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        if linked:
            return IngestError(str(path), f"dangling symbolic link (its target {_target(path)} does not exist); skipped")
        return IngestError(str(path), "no such file or folder")
    except OSError as error:
        if error.errno == errno.ELOOP:
            return IngestError(str(path), "symbolic link loop (too many levels of symbolic links); skipped")
        return IngestError(str(path), f"cannot open: {error.strerror or error}")
    except ValueError as error:  # a NUL in the path
        return IngestError(str(path), f"impossible path: {error}")
    if stat.S_ISREG(mode):
        return False
    if stat.S_ISDIR(mode):
        if linked and not named:
            return IngestError(str(path), "symbolic link to a folder, not followed; name the folder itself to ingest it")
        return True
    return IngestError(str(path), special_file_reason(mode, linked=linked, target=_target(path) if linked else None))


def special_file_reason(mode: int, *, linked: bool = False, target: str | None = None) -> str:
    """Why a file that is neither regular nor a folder is not read."""
    what = next((name for test, name in _SPECIAL if test(mode)), "not a regular file")
    through = f"a symbolic link to {target}, " if linked and target else ""
    return f"not a regular file: {through}{what}; skipped"


def _target(path: Path) -> str:
    try:
        return os.readlink(path)
    except OSError:
        return "?"


def read_bytes(path: Path, *, max_bytes: int) -> bytes:
    """A regular file's bytes, at most `max_bytes`; IngestError for anything else."""
    origin = str(path)
    try:
        mode = os.stat(path).st_mode
        if not stat.S_ISREG(mode):
            if stat.S_ISDIR(mode):
                raise IngestError(origin, "not a regular file")
            raise IngestError(origin, special_file_reason(mode))
        # O_NONBLOCK: were the file swapped for a FIFO since the check, opening it does not wait.
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
        with os.fdopen(descriptor, "rb") as file:
            mode = os.fstat(file.fileno()).st_mode
            if not stat.S_ISREG(mode):
                raise IngestError(origin, special_file_reason(mode))
            size = os.fstat(file.fileno()).st_size
            if size == 0:
                raise IngestError(origin, "empty file")
            if size > max_bytes:
                raise IngestError(origin, f"file is {size:,} bytes, over the {max_bytes:,}-byte limit")
            data = file.read(max_bytes + 1)  # a file growing while read is cut at the limit too
        if len(data) > max_bytes:
            raise IngestError(origin, f"file is over the {max_bytes:,}-byte limit")
        return data
    except FileNotFoundError:
        raise IngestError(origin, "no such file") from None
    except PermissionError:
        raise IngestError(origin, "permission denied") from None
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise IngestError(origin, "symbolic link loop (too many levels of symbolic links)") from None
        raise IngestError(origin, f"cannot read file: {error.strerror or error}") from None
    except ValueError as error:  # a NUL in the path
        raise IngestError(origin, f"impossible path: {error}") from None
