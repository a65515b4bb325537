"""Runners of the main job (ingest, analyse, link): in this process, or sharded over Dask.

`LocalRunner` is `claimgraph run` as it always was. `DaskRunner` sends the pure steps out —
reading a file into documents, analysing a document — and keeps every write in the client,
the one writer: one transaction per document, then the incremental link over what is new.
Workers never open the store. A rerun resumes through the store's own idempotence: a file
whose content is stored comes back `unchanged`, a document whose analysis is stored under the
current step and model is skipped, and the saved linker adds only unlinked documents.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from claimgraph.errors import ClaimgraphError
from claimgraph.ingest import IngestOptions, IngestOutcome, IngestReport
from claimgraph.store import Store

__all__ = ["VOLATILE", "LocalRunner", "RunResult", "comparable_export", "make_runner"]


@dataclass(kw_only=True)
class RunResult:
    ingested: IngestReport
    analysed: Any  # ledger.AnalyseReport
    linked: Any  # ledger.LinkReport
    timings: dict[str, float] = field(default_factory=dict)  # "ingest+analyse", "link" (seconds)


@dataclass(kw_only=True)
class Hooks:
    on_outcome: Callable[[IngestOutcome], None] | None = None
    on_ingested: Callable[[IngestReport], None] | None = None  # once every file is stored
    on_document: Callable[[str, str], None] | None = None  # (document id, "analysed" | "failed")


class LocalRunner:
    """Everything in this process, in order: ingest_paths, then run_store (`nlp`: a loaded
    spaCy pipeline to use instead of loading one)."""

    name = "local"

    def __init__(self, *, nlp: Any = None) -> None:
        self.nlp = nlp

    def run(self, store: Store, paths: Iterable[Path | str], *, options: IngestOptions = IngestOptions(),
            **hooks: Any) -> RunResult:
        from claimgraph.pipeline.ingest_step import ingest_paths
        from claimgraph.ledger import run_store

        given = Hooks(**hooks)
        start = time.perf_counter()
        analysed_by = [start]

        def on_document(document_id: str, status: str) -> None:
            analysed_by[0] = time.perf_counter()
            if given.on_document:
                given.on_document(document_id, status)

        ingested = ingest_paths(store, paths, options=options, on_outcome=given.on_outcome)
        analysed_by[0] = time.perf_counter()
        if given.on_ingested:
            given.on_ingested(ingested)
        analysed, linked = run_store(store, nlp=self.nlp, on_document=on_document)
        end = time.perf_counter()
        return RunResult(ingested=ingested, analysed=analysed, linked=linked,
                         timings={"ingest+analyse": analysed_by[0] - start, "link": end - analysed_by[0]})

    def close(self) -> None:
        pass

    def __enter__(self) -> LocalRunner:
        return self

    def __exit__(self, *_: Any) -> None:
        self.close()


def make_runner(name: str = "local", *, workers: int = 2, scheduler: str | None = None) -> Any:
    """The runner the CLI's --runner names."""
    if name == "local":
        return LocalRunner()
    if name == "dask":
        try:
            from claimgraph.pipeline.dask_runner import DaskRunner
        except ImportError as error:
            raise ClaimgraphError(f"the dask runner needs the optional extra: pip install 'claimgraph[dask]' ({error})") \
                from error
        return DaskRunner(workers=workers, scheduler=scheduler)
    raise ClaimgraphError(f"unknown runner {name!r} (local or dask)")


# What differs between two runs of the same input: the store's address, the time each document
# was ingested, and so the order of documents (oldest first) and of the records listed document
# by document. comparable_export drops the first two and sorts by document id.
VOLATILE = ("store", "documents[].ingested_at", "order of documents and of per-document records")


def comparable_export(ledger: dict[str, Any]) -> dict[str, Any]:
    """An export (export_ledger's dict) without its volatile fields (VOLATILE): two runs over the
    same files must give equal ones, whichever runner ran them."""
    def by_document(records: Any) -> Any:  # stable: a document's records keep their order
        if isinstance(records, list) and records and isinstance(records[0], dict) and "document_id" in records[0]:
            return sorted(records, key=lambda r: r["document_id"])
        return records

    documents = sorted(({k: v for k, v in d.items() if k != "ingested_at"} for d in ledger["documents"]),
                       key=lambda d: d["id"])
    return {**{k: by_document(v) for k, v in ledger.items() if k != "store"}, "documents": documents}
