"""The public Python API: what a notebook user writes in five lines.

    import claimgraph
    ledger = claimgraph.open_ledger("story.db")
    claimgraph.run_ledger(ledger, "articles/")
    top = claimgraph.build_report(ledger, top=5)
    data = claimgraph.export_ledger(ledger)

`read_documents` and `analyse_document` need no store: they are pure functions of a file and
of a document. The rest reads and writes a ledger; the CLI and the web call the same functions.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from claimgraph.errors import IngestError
from claimgraph.models import Analysis, Document

if TYPE_CHECKING:  # the store loads SQLAlchemy and migrations: only when a ledger is opened
    from claimgraph.store import Store

__all__ = [
    "RunReport",
    "analyse_document",
    "analyse_ledger",
    "build_report",
    "export_ledger",
    "ingest_paths",
    "link_ledger",
    "open_ledger",
    "read_documents",
    "run_ledger",
]


def open_ledger(url: str | Path | None = None) -> Store:
    """Open, creating and migrating as needed, the ledger at a SQLite path or a database URL
    (`postgresql://…`); without one, $CLAIMGRAPH_DB or ./claimgraph.db."""
    from claimgraph.store import open_store

    return open_store(str(url) if url is not None else None)


def read_documents(path: str | Path, *, max_bytes: int = 20_000_000) -> list[Document]:
    """The documents one file holds, read without a store (zones, metadata and content hash set).

    A file that cannot be read raises IngestError naming it and the reason.
    """
    from claimgraph.ingest.dedup import content_hash
    from claimgraph.ingest.documents import new_document
    from claimgraph.ingest.readers import read_path

    result = read_path(path, max_bytes=max_bytes, strict=True)
    documents = [new_document(raw, content_hash(raw.text)) for raw in result.documents if raw.text.strip()]
    if not documents:
        raise IngestError(str(path), "no text to ingest")
    return documents


@cache
def _packaged_nlp() -> Any:
    """The packaged spaCy pipeline, loaded on the first analysis that needs it."""
    from claimgraph.analyse.pipeline import load_nlp

    return load_nlp()


def analyse_document(document: Document, *, nlp: Any = None) -> Analysis:
    """Sentences, claims with attribution chains, hedging, polarity, entities and dates of one
    document, without a store; `nlp` defaults to the packaged spaCy pipeline, loaded once."""
    from claimgraph.analyse.pipeline import analyse_document as analyse_one

    return analyse_one(document, nlp=nlp if nlp is not None else _packaged_nlp())


def ingest_paths(ledger: Store, *paths: str | Path, options: Any = None) -> Any:
    """Read files and folders into the ledger; a bad file is one failed outcome, the batch goes on."""
    from claimgraph.ingest import IngestOptions
    from claimgraph.pipeline import ingest_paths as ingest_all

    return ingest_all(ledger, paths, options=options or IngestOptions())


def analyse_ledger(ledger: Store, *, force: bool = False) -> Any:
    """Analyse every stored document that needs it (resumable, one transaction per document)."""
    from claimgraph.ledger import AnalyseOptions, analyse_store

    return analyse_store(ledger, options=AnalyseOptions(force=force))


def link_ledger(ledger: Store, *, full: bool = False) -> Any:
    """Cluster claims across documents; provenance, independent lines, timeline, credibility."""
    from claimgraph.ledger import LinkStoreOptions, link_store

    return link_store(ledger, options=LinkStoreOptions(full=full))


@dataclass(frozen=True)
class RunReport:
    ingested: Any
    analysed: Any
    linked: Any

    @property
    def failed(self) -> bool:
        return bool(self.ingested.failed or self.analysed.failed)


def run_ledger(ledger: Store, *paths: str | Path, runner: Any = None) -> RunReport:
    """The main job, as `claimgraph run`: ingest the paths, analyse and link what is new.

    `runner`: a claimgraph.pipeline runner (LocalRunner, the default, or DaskRunner) or its
    name, "local" or "dask" (a LocalCluster of 2 workers, closed when the run ends)."""
    from claimgraph.pipeline import make_runner

    if runner is None or isinstance(runner, str):
        with make_runner(runner or "local") as made:
            result = made.run(ledger, paths)
    else:
        result = runner.run(ledger, paths)
    return RunReport(result.ingested, result.analysed, result.linked)


def build_report(ledger: Store, *, top: int | None = None, fmt: str | None = None) -> Any:
    """The report: clusters ranked by independent support, lines, denials, credibility, timeline.
    A dict, or rendered text with fmt in text|md|html|json."""
    from claimgraph.report import build_report as build
    from claimgraph.report import render_report

    built = build(ledger, top=top)
    return render_report(built, fmt) if fmt else built


def export_ledger(ledger: Store) -> dict[str, Any]:
    """The whole ledger as one JSON-ready dict (schema: claimgraph/schema/ledger.schema.json)."""
    from claimgraph.export import export_ledger as export_all

    return export_all(ledger)

