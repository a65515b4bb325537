"""The ACH matrix read from the store, pre-filled by the judge and written back.

The judging and the matrix are assess/matrix.py's, over plain data; here they meet the store:
the clusters, the cells and the evidence set are read (store.ach), the judge's vectors are
taken from the ledger where an earlier read kept them or the link stage saved them, and the
cells it judged and the vectors it made are written back.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from claimgraph.assess import matrix
from claimgraph.assess.credibility import Assessment
from claimgraph.assess.matrix import Evidence, Prefill, VectorMemo
from claimgraph.records import collector_paused
from claimgraph.store import Store, ach

__all__ = ["ach_matrix", "linked_vectors", "load_evidence", "preselect"]


def load_evidence(store: Store) -> dict[str, Evidence]:
    """Every cluster with its claims' propositions and polarities and the clusters it contradicts."""
    return matrix.build_evidence(*ach.evidence_rows(store))


def linked_vectors(store: Store, evidence: dict[str, Evidence], embedder_name: str) -> dict[str, np.ndarray]:
    """The vectors the link stage saved for the evidence's texts: a claim whose proposition is the
    very text the judge reads (a vector is a function of its text alone, one text per call), when
    the ledger was linked with this embedder."""
    wanted = {text for e in evidence.values() for text, _ in e.claims}
    ids = sorted({claim for e in evidence.values() for claim in e.members})
    return {text: np.frombuffer(vector, dtype=np.float32)
            for text, vector in ach.linked_vectors(store, embedder_name, ids, wanted).items()}


def _gather(store: Store, memo: VectorMemo, wanted: Sequence[str], evidence: dict[str, Evidence]) -> dict[str, bytes]:
    """Put in the memo the vectors of these texts made before without the model: kept in the ledger
    by an earlier read (any process), as they were, else the link stage's. Returns the kept ones."""
    found: dict[str, bytes] = {}
    if memo.kept_as and memo.missing(wanted):
        found = ach.load_vectors(store, memo.kept_as, memo.missing(wanted))
        memo.keep({x: np.frombuffer(b, dtype=np.float32) for x, b in found.items()})
    if memo.missing(wanted):
        memo.seed(linked_vectors(store, evidence, memo.name))
    return found


def preselect(store: Store, memo: VectorMemo, hypotheses: Sequence[tuple[str, str]], evidence: dict[str, Evidence],
              chosen: Sequence[str], *, limit: int | None = None) -> dict[str, set[str]] | None:
    """Per hypothesis, the clusters the judge reads (assess.matrix.nearest_clusters): the `limit`
    whose anchor is nearest it, the evidence set, and the denials of those. None, every cluster,
    where there are no more than `limit` (default assess.matrix.JUDGED).

    The anchors' vectors come as the judge's do (kept, the link stage's, else the model), one text
    per cluster instead of up to CLAIMS_READ; the choice is a function of the anchors and the
    hypothesis alone, so a second read judges the same clusters."""
    limit = matrix.JUDGED if limit is None else limit
    if len(evidence) <= limit or not hypotheses:
        return None
    wanted = [e.claims[0][0] for e in evidence.values()] + [text for _, text in hypotheses]
    missing = memo.missing(wanted)
    found = _gather(store, memo, wanted, matrix.anchor_evidence(evidence, missing)) if missing else {}
    vectors = memo.vectors(wanted)
    if memo.kept_as:
        ach.save_vectors(store, memo.kept_as, {x: v.tobytes() for x, v in vectors.items() if x not in found})
    return matrix.nearest_clusters(vectors, hypotheses, evidence, chosen, limit=limit)


def ach_matrix(store: Store, *, prefill: bool = True, embedder: Any = None) -> dict[str, Any]:
    """The ACH matrix: hypotheses x the evidence set (or, until the analyst picks some, the evidence
    proposed for each hypothesis), pre-filled by the judge, scored (Heuer), ordered by diagnosticity.

    Cells an analyst set are kept; a judge cell is recomputed only when its hypothesis or its
    cluster changed (cell_basis), so a second read embeds nothing. `embedder` may be a VectorMemo
    kept between calls (the web app's), so that a new hypothesis embeds only itself. Where the
    ledger holds more than JUDGED clusters the judge reads those preselect picks per hypothesis:
    the others' cells are not judged, NA in the matrix, and counted in `not_judged`.
    """
    with collector_paused():
        return _ach_matrix(store, prefill=prefill, embedder=embedder)


def _ach_matrix(store: Store, *, prefill: bool, embedder: Any) -> dict[str, Any]:
    """ach_matrix, the collector paused."""
    hypotheses = ach.list_hypotheses(store)
    evidence = load_evidence(store)
    by_pair = {(row.hypothesis_id, row.cluster_id): row for row in ach.cell_rows(store) if row.cluster_id in evidence}
    memo = embedder if isinstance(embedder, VectorMemo) else VectorMemo(embedder or matrix.judge_embedder())
    chosen_all = list(ach.evidence(store))
    chosen = [c for c in chosen_all if c in evidence]
    judged_by = preselect(store, memo, hypotheses, evidence, chosen) if prefill else None
    stale, dropped, bases = matrix.stale_cells(memo.name, hypotheses, evidence, by_pair, judged_by)
    if prefill and dropped and not stale:
        ach.save_judged(store, [], dropped=dropped)
        by_pair = {pair: cell for pair, cell in by_pair.items() if pair not in set(dropped)}
    if prefill and stale:
        judge = Prefill(dict(hypotheses), evidence, embedder=memo)
        found = _gather(store, memo, judge.texts(stale), evidence)
        judge.prepare(stale)
        if memo.kept_as:  # keep what this read embedded (or took from the link stage) for the next process
            ach.save_vectors(store, memo.kept_as, {x: v.tobytes() for x, v in judge.vectors.items() if x not in found})
        ach.save_judged(store, matrix.judge_cells(judge, stale, bases), dropped=dropped)
        by_pair = {(row.hypothesis_id, row.cluster_id): row for row in ach.cell_rows(store) if row.cluster_id in evidence}
    rows = matrix.matrix_rows(hypotheses, evidence, by_pair, chosen)
    # of the rows' clusters: the scores read no other (10^4 parsed for nothing at 10^5 claims)
    assessments = [Assessment(**data) for data in ach.assessments(store, rows)]
    return matrix.matrix_view(hypotheses, evidence, by_pair, rows=rows, chosen=chosen, chosen_all=chosen_all,
                              judged_by=judged_by, assessments=assessments)
