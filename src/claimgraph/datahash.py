"""The hash of the packaged data files a step's rules read (lexicons, learned models): folded
into the step's name, so that rules cannot change under an old name."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from importlib import resources
from typing import Any


def package_root() -> Any:
    """Where the data files' paths start: the installed claimgraph package."""
    return resources.files("claimgraph")


def data_hash(names: Iterable[str], root: Any = None) -> str:
    """sha256 over the files' names and bytes, in order (a missing file counts as empty)."""
    digest = hashlib.sha256()
    root = root if root is not None else package_root()
    for name in names:
        path = root.joinpath(name)
        digest.update(name.encode() + b"\0")
        digest.update(path.read_bytes() if path.is_file() else b"")
        digest.update(b"\0")
    return digest.hexdigest()


def step_name(rules: str, names: Iterable[str], root: Any = None) -> str:
    """A step's registered name: its rules' version and the first 12 hex digits of its data's hash."""
    return f"{rules}+data.{data_hash(names, root)[:12]}"
