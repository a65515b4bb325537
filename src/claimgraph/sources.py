"""One key per source: the link stage's graph nodes and the analyst's grades use the same one."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache


@lru_cache(maxsize=65536)  # provenance asks for the same few hundred names again and again
def source_key(name: str) -> str:
    """'The Guardian', 'the Guardian’s' and 'GUARDIAN' are one source node; a key passes through."""
    if name.startswith("source:"):
        return name
    cleaned = re.sub(r"['\u2019]s$", "", name.strip())
    cleaned = re.sub(r"^(?:the)\s+", "", cleaned, flags=re.IGNORECASE)
    return "source:" + re.sub(r"\s+", " ", cleaned).lower()


def display_names(names: Iterable[str]) -> dict[str, str]:
    """Source key -> the spelling the texts use most for it ("source:guardian" -> "The Guardian").

    Capitalised spellings win a tie; unnamed sources ("(unnamed reports: ...)") are skipped.
    """
    seen: dict[str, Counter[str]] = {}
    for name in names:
        if name and name.strip() and not name.startswith("("):
            seen.setdefault(source_key(name), Counter())[name.strip()] += 1
    return {
        key: max(counts.items(), key=lambda kv: (kv[1], kv[0][:1].isupper(), kv[0]))[0]
        for key, counts in seen.items()
    }
