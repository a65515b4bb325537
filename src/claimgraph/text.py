"""Text as every backend stores it: what the readers make of a file and the store writes agree.

PostgreSQL refuses NUL in text, and no UTF-8 encoder takes a lone surrogate (from a file name
that is not UTF-8, or a JSON "\\ud800"). Ingest cleans what it reads with these, and the store
applies the same rule on write; a leaf module, so that neither imports the other.
"""

from __future__ import annotations

import re

__all__ = ["storable_name", "storable_text"]

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_ESCAPED_BYTE = re.compile("[\x00\udc80-\udcff]")


def storable_text(text: str) -> str:
    """`text` as every backend stores it: a lone surrogate becomes U+FFFD, NUL is removed."""
    if not _UNSTORABLE.search(text):
        return text
    return _UNSTORABLE.sub(lambda m: "" if m.group() == "\x00" else "\ufffd", text)


def storable_name(name: str) -> str:
    """A file name or origin as every backend stores it, two different names staying different:
    a byte that is not UTF-8 (decoded by Python as a surrogate) is written as \\xNN, NUL as
    \\x00, any other lone surrogate as U+FFFD."""
    if not _UNSTORABLE.search(name):
        return name
    escaped = _ESCAPED_BYTE.sub(lambda m: f"\\x{ord(m.group()) & 0xFF:02x}", name)
    return storable_text(escaped)
