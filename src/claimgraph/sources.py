"""One key per source: the link stage's graph nodes and the analyst's grades use the same one."""

from __future__ import annotations

import re


def source_key(name: str) -> str:
    """'The Guardian', 'the Guardian’s' and 'GUARDIAN' are one source node; a key passes through."""
    if name.startswith("source:"):
        return name
    cleaned = re.sub(r"['\u2019]s$", "", name.strip())
    cleaned = re.sub(r"^(?:the)\s+", "", cleaned, flags=re.IGNORECASE)
    return "source:" + re.sub(r"\s+", " ", cleaned).lower()
