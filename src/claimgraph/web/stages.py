"""Edits from the web that take effect: an upload is analysed and linked, a grade reassesses, both
through the library calls the CLI makes; and, for every page, how far the link is behind.

    stages = LedgerStages(embedder=LazyMiniLM())
    stages.analyse_and_link(store)           # `claimgraph analyse` then `claimgraph link`
    grade_and_reassess(store, stages, source="The Guardian", grade="B", author="ann")
    freshness(store)                          # {"link_stale": True, "unlinked": 1, ...}
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select

from claimgraph.errors import NotFound
from claimgraph.sources import source_key
from claimgraph.store import Store
from claimgraph.store import corrections as cx
from claimgraph.store import schema as t

def clean_name(name: str) -> str:
    """A name as a person typed it: control characters a space, format characters (zero-width,
    bidi overrides) dropped, whitespace runs one space."""
    kept = (" " if unicodedata.category(ch) == "Cc" else ch for ch in name if unicodedata.category(ch) != "Cf")
    return re.sub(r"\s+", " ", "".join(kept)).strip()


@dataclass(kw_only=True)
class StageReport:
    """What one analyse-and-link run did."""

    analysed: list[str] = field(default_factory=list)  # document ids analysed in this run
    failed: list[tuple[str, str]] = field(default_factory=list)  # ("ORIGIN (document ID)", reason)
    claims: int = 0  # claims of the documents analysed in this run
    linked: bool = False  # the link (and assessment) stage ran after them


class LedgerStages:
    """The analyse and link stages as the app runs them: the library's `analyse_store` and
    `link_store` (what `claimgraph analyse` and `claimgraph link` call), the NLP pipeline loaded
    once per app on first use, one run at a time (two links at once would both rewrite the layer)."""

    def __init__(self, *, embedder: Any, nlp: Any = None) -> None:
        self.embedder = embedder
        self._nlp = nlp
        self._lock = threading.Lock()

    def analyse_and_link(self, store: Store) -> StageReport:
        """Analyse every stored document that needs it (each failure is reported, the rest go on),
        then link the new ones in incrementally."""
        from claimgraph.analyse import load_nlp
        from claimgraph.ledger import analyse_store, link_store

        with self._lock:
            if self._nlp is None:
                self._nlp = load_nlp()
            analysed = analyse_store(store, nlp=self._nlp)
            report = StageReport(analysed=analysed.analysed, failed=analysed.failed, claims=analysed.claims)
            if store.analysed():
                link_store(store, embedder=self.embedder)
                report.linked = True
            return report

    def analyse(self, store: Store, document_ids: list[str]) -> int:
        """For the upload page: analyse and link (the ids are the new documents, analysed among
        any other waiting); the claims found."""
        return self.analyse_and_link(store).claims

    def reassess(self, store: Store) -> bool:
        """Link again as `claimgraph source grade` does after a grade: incrementally, so clusters
        are assessed again with the grades in force. False when nothing is analysed yet."""
        from claimgraph.ledger import link_store

        with self._lock:
            if not store.analysed():
                return False
            link_store(store, embedder=self.embedder)
            return True


def require_known_source(store: Store, name: str) -> str:
    """The source key of a source the ledger knows (a chain, an outlet, a provenance node names
    it); NotFound otherwise, so grades are never stored for names nothing refers to."""
    from claimgraph.web import crossdoc
    from claimgraph.web.queries import PageRequest

    key = source_key(name)
    with store.engine.connect() as connection:
        in_graph = connection.execute(
            select(func.count()).select_from(t.provenance).where((t.provenance.c.parent == key) | (t.provenance.c.child == key))
        ).scalar_one()
    if in_graph:
        return key
    try:
        detail = crossdoc.source_detail(store, name, PageRequest(limit=1))
    except NotFound:
        detail = {"documents": []}
    if not detail["documents"]:  # a grade alone does not make a source known
        raise NotFound(f"no source {name!r} in the ledger: grade a source the documents name (see /api/sources)")
    return key


def grade_and_reassess(store: Store, stages: LedgerStages, *, source: str, grade: str, author: str,
                       note: str | None = None) -> tuple[cx.Correction, bool]:
    """Record a grade for a known source and reassess, as `claimgraph source grade` does; the
    correction and whether the assessments were made again."""
    name = clean_name(source)
    require_known_source(store, name)
    made = cx.grade_source(store, source=name, grade=grade, author=clean_name(author) or "analyst",
                           note=note)
    return made, stages.reassess(store)


