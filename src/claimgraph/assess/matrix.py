"""The ACH matrix over plain data: evidence proposed by relevance, the judge's pre-fill, Heuer's scores.

For each hypothesis x cluster the judge finds the cluster's claim nearest the hypothesis (MiniLM
cosine over the anchor and the members' propositions). Below RELEVANT the cluster does not bear
on the hypothesis (N). Above it, the structural judge's stance says which way: a claim that
restates the hypothesis is consistent (C); one that denies it, or negates it, is inconsistent
(I). A denial too thin to be compared ("The Russians have denied these allegations") takes its
bearing from what it denies (the clusters its claims contradict, and the cluster it refines),
turned around: the denial of a consistent report is inconsistent, of an inconsistent one consistent.

Each judge cell is stored with the digest of what it read (the hypothesis text, the cluster's
claims and, for a denial, the claims it denies): a read recomputes only the cells whose digest
changed, and never a cell an analyst set.

No store here: the clusters, cells and assessments come in as rows and records, and what is to
be written goes out as records. Reading and writing them is pipeline/ach_step.py's (`ach_matrix`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
import hashlib
import threading
from typing import Any

import numpy as np

from claimgraph.assess.ach import Hypothesis, score_ach
from claimgraph.assess.credibility import Assessment

ACH_JUDGE = "ach.prefill.v2"
RELEVANT = 0.55  # cosine (MiniLM, unit vectors) from which a cluster's claim bears on the hypothesis
PROPOSED = 20  # rows proposed per hypothesis while the analyst has chosen no evidence
CLAIMS_READ = 12  # a cluster's claims compared with a hypothesis (the anchor first)
# Clusters the judge reads per hypothesis where the ledger holds more: those whose anchor is nearest
# the hypothesis (and the evidence set, and the denials of those), the others are not judged (NA).
JUDGED = 200
RATING_FROM_RELATION = {"same": "C", "more_specific": "C", "contradicts": "I", "unrelated": "N"}



@dataclass(kw_only=True)
class Evidence:
    """A cluster as the ACH judge reads it."""

    id: str
    anchor: str
    parent: str | None
    claims: list[tuple[str, str]]  # (proposition, polarity), the anchor first
    denied: bool  # most of its claims are denials
    contradicts: set[str] = field(default_factory=set)  # clusters its claims contradict
    digest: str = ""
    members: list[str] = field(default_factory=list)  # its claims' ids
    anchor_claim: str | None = None

    @property
    def denies(self) -> list[str]:
        """What a denial is a denial of: the clusters it contradicts, then the one it refines."""
        return sorted(self.contradicts) + ([self.parent] if self.parent and self.parent not in self.contradicts else [])


def build_evidence(rows: Sequence[Any], members: dict[str, list[tuple[str, str, str]]],
                   contradicting: Sequence[tuple[str, str]]) -> dict[str, Evidence]:
    """Every cluster with its claims' propositions and polarities and the clusters it contradicts,
    from the store's rows (store.ach.evidence_rows): each cluster (id, anchor, anchor_claim, parent),
    its claims (id, content, polarity) and the pairs of clusters a contradicts link joins."""
    evidence: dict[str, Evidence] = {}
    for row in rows:
        claims = members.get(row.id, [])
        anchor_polarity = next((p for i, _, p in claims if i == row.anchor_claim), None)
        denied = sum(p == "denied" for _, _, p in claims) * 2 > len(claims) if claims else anchor_polarity == "denied"
        read = [(row.anchor, anchor_polarity or ("denied" if denied else "asserted"))]
        for _, content, polarity in claims:
            if len(read) == CLAIMS_READ:  # a cluster of 10^3 claims is not scanned past its first distinct ones
                break
            if (content, polarity) not in read:
                read.append((content, polarity))
        evidence[row.id] = Evidence(id=row.id, anchor=row.anchor, parent=row.parent, claims=read, denied=denied,
                                    members=[i for i, _, _ in claims], anchor_claim=row.anchor_claim)
    for x, y in contradicting:
        if x in evidence and y in evidence:
            evidence[x].contradicts.add(y)
            evidence[y].contradicts.add(x)
    own = {k: _digest(repr(e.claims)) for k, e in evidence.items()}
    for k, e in evidence.items():
        denied_of = [own[j] for j in e.denies if j in own] if e.denied else []
        e.digest = _digest(own[k] + "|" + ",".join(denied_of))
    return evidence


def _digest(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()


def cell_basis(embedder_name: str, hypothesis: str, evidence: Evidence) -> str:
    """The digest of what a judge cell reads: recompute it when this changes."""
    return _digest(f"{ACH_JUDGE}|{embedder_name}|{hypothesis}|{evidence.digest}")[:40]


def cell_bases(embedder_name: str, hypothesis: str, evidence: dict[str, Evidence]) -> dict[str, str]:
    """cell_basis of one hypothesis against every cluster, its common prefix hashed once."""
    prefix = hashlib.sha1(f"{ACH_JUDGE}|{embedder_name}|{hypothesis}|".encode())
    out = {}
    for cluster, e in evidence.items():
        digest = prefix.copy()
        digest.update(e.digest.encode())
        out[cluster] = digest.hexdigest()[:40]
    return out


class VectorMemo:
    """An embedder's unit vectors, kept: the web app holds one across reads of the matrix, so a new
    hypothesis embeds only itself and not every cluster's claims again."""

    def __init__(self, embedder: Any, *, limit: int = 50_000) -> None:
        self.embedder = embedder
        self.name = getattr(embedder, "name", type(embedder).__name__)
        # The key its vectors are kept under in the ledger (0020): only an embedder that names itself
        # (a nameless test fake's vectors depend on more than its class), with its width.
        named = getattr(embedder, "name", None)
        self.kept_as = f"{named}|{getattr(embedder, 'dim', '')}" if isinstance(named, str) and named else None
        self.limit = limit
        self._vectors: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()

    def vectors(self, texts: Sequence[str]) -> dict[str, np.ndarray]:
        with self._lock:
            todo = sorted({x for x in texts if x not in self._vectors})
            if todo:
                if len(self._vectors) + len(todo) > self.limit:
                    self._vectors.clear()
                for text, vector in zip(todo, self.embedder.embed(todo)):
                    norm = float(np.linalg.norm(vector))
                    self._vectors[text] = np.asarray(vector, dtype=np.float32) / (norm or 1.0)
            return {x: self._vectors[x] for x in texts}

    def missing(self, texts: Sequence[str]) -> set[str]:
        """The texts it holds no vector for."""
        with self._lock:
            return {x for x in texts if x not in self._vectors}

    def keep(self, vectors: dict[str, np.ndarray]) -> None:
        """Keep unit vectors this memo made earlier (kept in the ledger), as they are: not normalised
        again, so that they are the very bytes the model's vector came to."""
        with self._lock:
            todo = {x: v for x, v in vectors.items() if x not in self._vectors}
            if len(self._vectors) + len(todo) > self.limit:
                return
            self._vectors.update(todo)

    def seed(self, vectors: dict[str, np.ndarray]) -> None:
        """Keep vectors this embedder already made for these texts elsewhere (the link stage's),
        normalised as `vectors` normalises its own: they are then not embedded again."""
        with self._lock:
            todo = {x: v for x, v in vectors.items() if x not in self._vectors}
            if len(self._vectors) + len(todo) > self.limit:
                return
            for text, vector in todo.items():
                norm = float(np.linalg.norm(vector))
                self._vectors[text] = np.asarray(vector, dtype=np.float32) / (norm or 1.0)


class Prefill:
    """The judge's rating of clusters against hypotheses (one instance per read of the matrix)."""

    def __init__(self, hypotheses: dict[str, str], evidence: dict[str, Evidence], *, embedder: Any) -> None:
        from claimgraph.link import StructuralJudge

        self.hypotheses = hypotheses
        self.evidence = evidence
        self.memo = embedder if isinstance(embedder, VectorMemo) else VectorMemo(embedder)
        self.judge = StructuralJudge()
        self._own: dict[tuple[str, str], tuple[str, float, str]] = {}
        self._vectors: dict[str, np.ndarray] = {}
        # Every text's vector as a row of one matrix, and per hypothesis its products with all of them
        # (one matrix product): they find a cluster's nearest claim; its score is then np.dot's.
        self._rows: dict[str, int] = {}
        self._matrix: np.ndarray | None = None
        self._index = np.zeros((0, 1), dtype=np.int64)  # per cluster, its claims' rows (-1: none)
        self._ready: list[str] = []  # the clusters of those rows
        self._near: dict[str, dict[str, int | None]] = {}
        self._views: dict[tuple[str, str, str], Any] = {}
        self._stances: dict[tuple[str, str, str], tuple[str, list[str]]] = {}

    def texts(self, pairs: Sequence[tuple[str, str]]) -> list[str]:
        """What rating these pairs reads: the hypotheses and the clusters' claims (the denied clusters' included)."""
        clusters = {c for _, c in pairs}
        clusters |= {j for c in list(clusters) if self.evidence[c].denied for j in self.evidence[c].denies if j in self.evidence}
        texts = [self.hypotheses[h] for h in {h for h, _ in pairs}]
        texts += [text for c in clusters for text, _ in self.evidence[c].claims]
        return texts

    @property
    def vectors(self) -> dict[str, np.ndarray]:
        """The unit vectors it read, by text."""
        return self._vectors

    def prepare(self, pairs: Sequence[tuple[str, str]]) -> None:
        """Embed, in one batch, what rating these pairs reads (the denied clusters included)."""
        self._vectors.update(self.memo.vectors(self.texts(pairs)))
        self._matrix, self._near = None, {}

    def _picks(self, text: str) -> dict[str, int | None]:
        """Per cluster, the index of its claim nearest the text, found for every cluster at once
        from one matrix product; None where two claims come within 1e-5 of each other. The product
        sums in another order than np.dot (differences near 1e-7), so it only picks the claim."""
        if self._matrix is None:
            self._rows = {x: i for i, x in enumerate(self._vectors)}
            self._matrix = np.stack(list(self._vectors.values())) if self._vectors else np.zeros((0, 1), dtype=np.float32)
            ready = [c for c, e in self.evidence.items() if e.claims and all(x in self._rows for x, _ in e.claims)]
            width = max((len(self.evidence[c].claims) for c in ready), default=1)
            self._index = np.full((len(ready), width), -1, dtype=np.int64)
            for row, cluster in enumerate(ready):
                self._index[row, : len(self.evidence[cluster].claims)] = [self._rows[x] for x, _ in self.evidence[cluster].claims]
            self._ready = ready
        if text not in self._near:
            products = np.where(self._index >= 0, (self._matrix @ self._vectors[text])[self._index], -np.inf)
            rows = np.arange(len(self._ready))
            best = products.argmax(axis=1) if len(self._ready) else np.zeros(0, dtype=np.int64)
            top = products[rows, best].copy()
            products[rows, best] = -np.inf
            clear = top - (products.max(axis=1) if products.shape[1] > 1 else np.full(len(rows), -np.inf)) > 1e-5
            self._near[text] = {c: (int(b) if ok else None) for c, b, ok in zip(self._ready, best, clear)}
        return self._near[text]

    def _nearest(self, text: str, evidence: Evidence) -> tuple[int, float]:
        """(index, score) of the evidence claim nearest the text: the first highest np.dot, as it always was."""
        vector = self._vectors[text]
        best = self._picks(text).get(evidence.id)
        if best is not None:
            return best, float(np.dot(vector, self._vectors[evidence.claims[best][0]]))
        scores = [float(np.dot(vector, self._vectors[claim])) for claim, _ in evidence.claims]
        best = max(range(len(scores)), key=scores.__getitem__)  # the first highest, as np.argmax
        return best, scores[best]

    def own(self, hypothesis: str, cluster: str) -> tuple[str, float, str]:
        """(rating, relevance, reason) from the cluster's own claims."""
        key = (hypothesis, cluster)
        if key not in self._own:
            self._own[key] = self._rate_own(hypothesis, self.evidence[cluster])
        return self._own[key]

    def _rate_own(self, hypothesis: str, evidence: Evidence) -> tuple[str, float, str]:
        text = self.hypotheses[hypothesis]
        best, score = self._nearest(text, evidence) if evidence.claims else (0, 0.0)
        relevance = max(0.0, round(score, 4)) if evidence.claims else 0.0
        if relevance < RELEVANT:
            return "N", relevance, f"unrelated: nearest claim {relevance:.2f} (< {RELEVANT})"
        claim, polarity = evidence.claims[best]
        relation, reasons = self._stance(text, claim, polarity)
        rating = RATING_FROM_RELATION[relation]
        quoted = claim if len(claim) <= 90 else claim[:89] + "…"
        why = f"{relation}" + (f" ({'; '.join(reasons)})" if reasons else "")
        return rating, relevance, f"{why}: “{quoted}” {'denied' if polarity == 'denied' else 'said'}, relevance {relevance:.2f}"

    def _stance(self, text: str, claim: str, polarity: str) -> tuple[str, list[str]]:
        """The structural judge's stance of a claim to the hypothesis: a function of the two texts and
        the claim's polarity alone, so worked out once per such triple, from views (and their
        features: dates, negation) made once per text."""
        key = (text, claim, polarity)
        if key not in self._stances:
            relation, _, reasons = self.judge.stance(self._view("hypothesis", text, "asserted"), self._view("cluster", claim, polarity))
            self._stances[key] = (relation, reasons)
        return self._stances[key]

    def _view(self, side: str, text: str, polarity: str) -> Any:
        from claimgraph.link import ClaimView

        key = (side, text, polarity)
        if key not in self._views:
            self._views[key] = ClaimView(id=side, document_id=side, content=text, polarity=polarity, vector=self._vectors[text])
        return self._views[key]

    def rate(self, hypothesis: str, cluster: str) -> tuple[str, float, str]:
        """(rating, relevance, reason): the cluster's own bearing, else a denial's of what it denies."""
        rating, relevance, reason = self.own(hypothesis, cluster)
        evidence = self.evidence[cluster]
        if rating != "N" or not evidence.denied:
            return rating, relevance, reason
        # Denying what bears on the hypothesis bears the other way: a denial of a consistent report is
        # inconsistent, a denial of an inconsistent one consistent. The nearest such report decides.
        bearing = [(self.own(hypothesis, other), other) for other in evidence.denies if other in self.evidence]
        bearing = [(own, other) for own, other in bearing if own[0] in ("C", "I")]
        if bearing:
            (theirs, their_relevance, _), other = max(bearing, key=lambda b: (b[0][1], b[1]))
            anchor = self.evidence[other].anchor
            quoted = anchor if len(anchor) <= 90 else anchor[:89] + "…"
            flipped = "I" if theirs == "C" else "C"
            return flipped, their_relevance, (f"denies “{quoted}” ({other}), which is {'consistent' if theirs == 'C' else 'inconsistent'}, "
                                              f"relevance {their_relevance:.2f}")
        return rating, relevance, reason


def judge_embedder() -> Any:
    """The model a read of the matrix embeds with when given none (`claimgraph ach show`): MiniLM
    with idle threads asleep and one intra-op thread. It embeds one short text per call, too small
    to share among threads: one thread spends a fifth less CPU on the same vectors (bit-identical;
    400 texts on the shared 2-core box, runs alternated: 0.73-0.79 s CPU against 0.87-1.09 s)."""
    from claimgraph.link.embed import EmbedOptions, LazyMiniLM

    return LazyMiniLM(options=EmbedOptions(spin=False, threads=1))


def anchor_evidence(evidence: dict[str, Evidence], missing: set[str]) -> dict[str, Evidence]:
    """The clusters whose anchor text has no vector yet, as evidence of their anchor alone: the link
    stage's vectors are looked up by the anchor's claim."""
    return {c: Evidence(id=c, anchor=e.anchor, parent=e.parent, claims=e.claims[:1], denied=e.denied,
                        members=[e.anchor_claim] if e.anchor_claim else [], anchor_claim=e.anchor_claim)
            for c, e in evidence.items() if e.claims[0][0] in missing}


def nearest_clusters(vectors: dict[str, np.ndarray], hypotheses: Sequence[tuple[str, str]], evidence: dict[str, Evidence],
                     chosen: Sequence[str], *, limit: int) -> dict[str, set[str]]:
    """Per hypothesis, the clusters the judge reads: the `limit` whose anchor is nearest it (cosine
    of these unit vectors, by text; ties by id), the evidence set, and the denials of those (a
    denial takes its bearing from what it denies)."""
    ids = list(evidence)
    matrix = np.stack([vectors[evidence[c].claims[0][0]] for c in ids])
    denials: dict[str, list[str]] = {}
    for c, e in evidence.items():
        if e.denied:
            for other in e.denies:
                denials.setdefault(other, []).append(c)
    out = {}
    for h, text in hypotheses:
        scores = matrix @ vectors[text]
        nearest = {ids[i] for i in np.lexsort((np.arange(len(ids)), -scores))[:limit]}
        out[h] = nearest | {c for c in chosen if c in evidence} | {d for c in nearest for d in denials.get(c, [])}
    return out


def stale_cells(embedder_name: str, hypotheses: Sequence[tuple[str, str]], evidence: dict[str, Evidence],
                by_pair: dict[tuple[str, str], Any], judged_by: dict[str, set[str]] | None,
                ) -> tuple[list[tuple[str, str]], list[tuple[str, str]], dict[tuple[str, str], str]]:
    """(stale, dropped, bases): the (hypothesis, cluster) pairs the judge reads whose cell is missing
    or a judge cell of another basis; the judge cells of clusters it no longer reads whose basis
    changed (one whose basis is unchanged stays); and each read pair's basis. `by_pair`: the
    stored cells by pair (rows with origin and basis); `judged_by`: what preselect picked, None for all."""
    texts = dict(hypotheses)
    stale = []
    bases: dict[tuple[str, str], str] = {}
    for h, text in hypotheses:
        read = evidence if judged_by is None else {c: e for c, e in evidence.items() if c in judged_by[h]}
        for c, basis in cell_bases(embedder_name, text, read).items():
            bases[(h, c)] = basis
            cell = by_pair.get((h, c))
            if cell is None or (cell.origin == "judge" and cell.basis != basis):
                stale.append((h, c))
    # A judge cell of a cluster the judge no longer reads stays while what it read is unchanged.
    dropped = [] if judged_by is None else [
        (h, c) for (h, c), cell in by_pair.items() if cell.origin == "judge" and c not in judged_by[h]
        and cell.basis != cell_basis(embedder_name, texts[h], evidence[c])]
    return stale, dropped, bases


def judge_cells(judge: Prefill, stale: Sequence[tuple[str, str]], bases: dict[tuple[str, str], str]) -> list[dict[str, Any]]:
    """The judge's cells of these pairs (prepared), as store.ach.save_judged writes them."""
    judged = []
    for h, c in stale:
        rating, relevance, reason = judge.rate(h, c)
        judged.append({"hypothesis": h, "cluster": c, "rating": rating, "reason": f"{ACH_JUDGE}: {reason}",
                       "relevance": relevance, "basis": bases[(h, c)]})
    return judged


def matrix_rows(hypotheses: Sequence[tuple[str, str]], evidence: dict[str, Evidence], by_pair: dict[tuple[str, str], Any],
                chosen: list[str]) -> list[str]:
    """The matrix's rows: the evidence set, or until the analyst chose some, the PROPOSED clusters
    nearest each hypothesis (by the relevance its cells found), for the analyst to keep or drop."""
    if chosen:
        return chosen
    nearness = _nearness(by_pair)
    proposed: set[str] = set()
    for h, _ in hypotheses:
        ranked = sorted(evidence, key=lambda c: (-nearness.get((h, c), 0.0), c))
        proposed.update(ranked[:PROPOSED])
    return sorted(proposed)


def _nearness(by_pair: dict[tuple[str, str], Any]) -> dict[tuple[str, str], float]:
    return {pair: cell.relevance or 0.0 for pair, cell in by_pair.items()}


def matrix_view(hypotheses: Sequence[tuple[str, str]], evidence: dict[str, Evidence], by_pair: dict[tuple[str, str], Any],
                *, rows: list[str], chosen: list[str], chosen_all: list[str], judged_by: dict[str, set[str]] | None,
                assessments: list[Assessment]) -> dict[str, Any]:
    """The matrix as ach_matrix returns it: `rows` (matrix_rows) rated by the cells (`by_pair`, rows
    named as store.ach.ach_cells' columns), scored (Heuer) with the rows' clusters' assessments,
    ordered by diagnosticity; what the judge did not read (not in `judged_by`) is NA."""
    texts = dict(hypotheses)
    nearness = _nearness(by_pair)
    ratings: dict[str, dict[str, str]] = {h: {} for h, _ in hypotheses}
    for c in rows:
        for h, _ in hypotheses:
            cell = by_pair.get((h, c))
            if cell is not None:
                ratings[h][c] = cell.rating
            elif judged_by is not None and c not in judged_by[h]:
                ratings[h][c] = "NA"  # not judged: shown as not applicable, left out of its diagnosticity
    result = score_ach([Hypothesis(id=h, text=text, ratings=ratings[h]) for h, text in hypotheses], assessments)
    # the rows rated against no hypothesis yet still show, with no diagnostic value
    diagnosticity = {c: result.diagnosticity.get(c, 0.0) for c in rows}
    nearest = {c: max((nearness.get((h, c), 0.0) for h, _ in hypotheses), default=0.0) for c in rows}
    rows.sort(key=lambda c: (-diagnosticity[c], -nearest[c], c))
    in_rows = set(rows)
    proposals = {}
    for h, _ in hypotheses:
        near = sorted((c for c in evidence if c not in in_rows and nearness.get((h, c), 0.0) >= RELEVANT),
                      key=lambda c: (-nearness[(h, c)], c))[:10]
        proposals[h] = [{"cluster": c, "anchor": evidence[c].anchor, "relevance": nearness[(h, c)],
                         "rating": by_pair[(h, c)].rating} for c in near]
    chosen_set = set(chosen)
    return {
        "computed": bool(evidence),
        "evidence_chosen": bool(chosen),
        # chosen clusters a later link no longer makes (ids follow the members): for the analyst to re-pick
        "evidence_gone": [c for c in chosen_all if c not in evidence],
        # Least inconsistent first, as Heuer ranks them.
        "hypotheses": [{"id": score.hypothesis, "text": texts[score.hypothesis], **score.to_dict()} for score in result.hypotheses],
        "clusters": [{"id": c, "anchor": evidence[c].anchor, "relevance": round(nearest[c], 4), "chosen": c in chosen_set,
                      "diagnosticity": diagnosticity[c], "denied": evidence[c].denied} for c in rows],
        "cells": [_cell(by_pair[(h, c)]) for c in rows for h, _ in hypotheses if (h, c) in by_pair],
        "matrix": {h: {c: ratings[h][c] for c in rows if c in ratings[h]} for h, _ in hypotheses},
        "diagnosticity": diagnosticity,
        "proposals": proposals,
        "step": result.step,
        # hypothesis x cluster pairs the judge did not read (not among the JUDGED nearest), with no cell of an analyst's
        "not_judged": 0 if judged_by is None else sum(1 for h, _ in hypotheses for c in evidence
                                                      if c not in judged_by[h] and (h, c) not in by_pair),
    }


def _cell(row: Any) -> dict[str, Any]:
    m = row._mapping  # twice as fast as attribute access on a Row
    return {"hypothesis": m["hypothesis_id"], "cluster": m["cluster_id"], "rating": m["rating"], "origin": m["origin"],
            "reason": m["reason"], "set_by": m["set_by"], "set_at": m["set_at"], "relevance": m["relevance"]}
