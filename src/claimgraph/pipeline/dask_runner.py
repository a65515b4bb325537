"""DaskRunner: read and analyse on Dask workers (pure functions, no store), write and link here.

The client process is the one writer: it stores each file's documents in the order
ingest_paths would (reads run ahead in parallel), sends each new document out for analysis at
once, stores each analysis as it comes back in its own transaction, then links incrementally.
A rerun resumes through the store's own idempotence (see runners.py): nothing is marked.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from distributed import Client, LocalCluster, WorkerPlugin, as_completed, get_worker

from claimgraph.ingest import IngestOptions, IngestOutcome, IngestReport
from claimgraph.pipeline.runners import Hooks, RunResult
from claimgraph.store import Store

__all__ = ["DaskRunner", "NlpCache", "analyse_on_worker", "read_file"]

_NLP_PLUGIN = "claimgraph-nlp"


class NlpCache(WorkerPlugin):
    """A worker plugin holding that worker's spaCy pipeline, loaded by its first analysis."""

    name = _NLP_PLUGIN
    idempotent = True

    def __init__(self) -> None:
        self._nlp: Any = None

    def setup(self, worker: Any) -> None:
        self._nlp = None

    def nlp(self) -> Any:
        if self._nlp is None:
            from claimgraph.analyse.pipeline import load_nlp

            self._nlp = load_nlp()
        return self._nlp


def _worker_nlp() -> Any:
    cache: Any = get_worker().plugins[_NLP_PLUGIN]
    return cache.nlp()


def _warm(dask_worker: Any) -> None:
    dask_worker.plugins[_NLP_PLUGIN].nlp()


def read_file(path: str, max_bytes: int) -> Any:
    """path -> ReadResult (documents, errors, warnings), as ingest_paths reads it."""
    from claimgraph.ingest.readers import read_path

    return read_path(path, max_bytes=max_bytes)


def analyse_on_worker(document: Any) -> Any:
    """document -> Analysis, with this worker's spaCy pipeline."""
    from claimgraph.analyse.pipeline import analyse_document

    return analyse_document(document, nlp=_worker_nlp())


def worker_model() -> str:
    """The model name analyses get on the workers (loads the worker's pipeline)."""
    from claimgraph.analyse.pipeline import model_name

    return model_name(_worker_nlp())


# ---------------------------------------------------------------- the runner


class DaskRunner:
    """Read and analyse on a Dask cluster, write through this process alone, then link.

    `scheduler`: the address of a running scheduler (tcp://host:8786); without one a
    LocalCluster of `workers` processes, one thread each, is started and closed with the runner.
    `analyse`: the pure document -> Analysis function sent to workers (tests replace it).
    """

    name = "dask"

    def __init__(self, *, workers: int = 2, scheduler: str | None = None,
                 analyse: Callable[[Any], Any] = analyse_on_worker) -> None:
        self.workers = workers
        self.scheduler = scheduler
        self.analyse = analyse
        self._cluster: Any = None
        self._client: Any = None

    @property
    def client(self) -> Any:
        if self._client is None:
            if self.scheduler:
                self._client = Client(self.scheduler)
            else:
                self._cluster = LocalCluster(n_workers=self.workers, threads_per_worker=1, processes=True,
                                             dashboard_address=None)
                self._client = Client(self._cluster)
            self._client.register_plugin(NlpCache(), name=_NLP_PLUGIN)
        return self._client

    def warm(self) -> None:
        """Start the cluster and load spaCy on every worker now (benchmarks time the rest)."""
        self.client.run(_warm)

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
        if self._cluster is not None:
            self._cluster.close()
        self._client = self._cluster = None

    def __enter__(self) -> DaskRunner:
        return self

    def __exit__(self, *_: Any) -> None:
        self.close()

    def run(self, store: Store, paths: Iterable[Path | str], *, options: IngestOptions = IngestOptions(),
            **hooks: Any) -> RunResult:
        from claimgraph.ledger import link_store, prefetcher

        given = Hooks(**hooks)
        start = time.perf_counter()
        prefetching, prefetch = prefetcher(store)
        try:
            writer = _Writer(store, self.client, self.analyse, given, prefetch, window=self.window)
            ingested = self._ingest(store, paths, options, given, writer)
            if given.on_ingested:
                given.on_ingested(ingested)
            for document in store.documents(with_text=False, zones=False):  # and what an earlier run left unanalysed
                writer.analyse(document.id)
            writer.drain()
            analysed_by = time.perf_counter()
            prefetching.stop_prefetching()  # what is left is embedded faster on both cores
            linked = link_store(store, embedder=prefetching)
        finally:
            prefetching.close()
        end = time.perf_counter()
        return RunResult(ingested=ingested, analysed=writer.report, linked=linked,
                         timings={"ingest+analyse": analysed_by - start, "link": end - analysed_by})

    @property
    def window(self) -> int:
        """Tasks of each kind (reads, analyses) in flight at once: enough to keep every worker
        busy, few enough that results wait in no worker's memory for the writer."""
        return max(8, 4 * len(self.client.scheduler_info().get("workers", {})))

    def _ingest(self, store: Store, paths: Iterable[Path | str], options: IngestOptions, given: Hooks,
                writer: _Writer) -> IngestReport:
        """ingest_paths with the reading on workers: the next files are read in parallel, ahead of
        ingest_paths, which stores them here in its own order; a document is sent out for
        analysis as soon as it is stored."""
        from claimgraph.pipeline.ingest_step import ingest_paths
        from claimgraph.ingest.files import iter_files

        folders = [Path(p) for p in paths]
        files = [item for item in iter_files(folders, skip_hidden=options.skip_hidden) if isinstance(item, Path)]
        position = {path: i for i, path in enumerate(files)}
        reads: dict[Path, Any] = {}
        window = self.window

        def read(path: Path, *, max_bytes: int) -> Any:
            at = position[path]
            for ahead in files[at : at + window]:
                if ahead not in reads:
                    reads[ahead] = self.client.submit(read_file, str(ahead), max_bytes, pure=False)
            for skipped in [p for p in reads if position[p] < at]:  # manifests: ingest_paths read them itself
                reads.pop(skipped).release()
            future = reads.pop(path)
            try:
                return future.result()  # a reader's exception (or KilledWorker) is raised here, as read_path's
            finally:
                future.release()

        def stored(outcome: IngestOutcome) -> None:
            if given.on_outcome:
                given.on_outcome(outcome)
            if outcome.document_id:
                writer.analyse(outcome.document_id)

        try:
            return ingest_paths(store, folders, options=options, on_outcome=stored, read=read)
        finally:
            for future in reads.values():
                future.release()


class _Writer:
    """Sends documents out for analysis and stores each analysis as it comes back, one
    transaction per document, never more than `window` analyses in flight."""

    def __init__(self, store: Store, client: Any, analyse: Callable[[Any], Any], given: Hooks,
                 prefetch: Callable[[Any, Any], None], *, window: int) -> None:
        from claimgraph.analyse.pipeline import STEP
        from claimgraph.ledger import AnalyseReport

        self.store, self.client, self.function, self.given, self.prefetch = store, client, analyse, given, prefetch
        self.window = window
        self.wanted = (STEP, client.submit(worker_model, pure=False).result())
        self.done = store.analysed()
        self.report = AnalyseReport()
        self.seen: set[str] = set()
        self.in_flight: dict[str, str] = {}  # future key -> document id
        self.queue = as_completed()

    def analyse(self, document_id: str) -> None:
        """Send a stored document out unless it is analysed by this step and model already."""
        if document_id in self.seen:
            return
        self.seen.add(document_id)
        if self.done.get(document_id) == self.wanted:
            self.report.skipped.append(document_id)
            return
        future = self.client.submit(self.function, self.store.get_document(document_id), pure=False)
        self.in_flight[future.key] = document_id
        self.queue.add(future)
        for ready in self.queue.next_batch(block=False) if self.queue.has_ready() else []:
            self._save(ready)
        while len(self.in_flight) > self.window:
            self._save(next(self.queue))

    def drain(self) -> None:
        for future in self.queue:
            self._save(future)

    def _save(self, future: Any) -> None:
        from claimgraph.ledger import analysis_failure

        document_id = self.in_flight.pop(future.key)
        try:
            analysis = future.result()
        except Exception as error:  # noqa: BLE001 - one bad document (or a lost worker) must not stop the batch
            self.report.failed.append(analysis_failure(self.store.get_document(document_id), error))
            if self.given.on_document:
                self.given.on_document(document_id, "failed")
            return
        finally:
            future.release()
        self.store.save_analysis(analysis, analysed_at=datetime.now(timezone.utc).isoformat(timespec="seconds"))
        self.report.analysed.append(document_id)
        self.report.claims += len(analysis.claims)
        self.prefetch(self.store.get_document(document_id), analysis)
        if self.given.on_document:
            self.given.on_document(document_id, "analysed")
