"""Cross-document claim clusters: ANN candidates, pairwise judgements, linkage-checked merges.

Candidates come from the neighbour index (k neighbours above a similarity floor), never
from all pairs. A candidate edge only merges two clusters when the pairs across them agree
on average (average linkage over the judge's scores), which keeps chains of loosely related
claims ("Kremlin supports Trump" ~ "Kremlin views Trump as a pragmatist" ~ ...) apart.
Adding a document judges only its claims' neighbours.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from claimgraph.link.index import NeighbourIndex
from claimgraph.link.judge import ClaimView, Judge, Judgement, is_negative
from claimgraph.records import flat_dict

CLUSTER_STEP = "link.clusters.v1"


@dataclass(frozen=True, kw_only=True)
class ClusterOptions:
    k: int = 12  # neighbours asked of the index per new claim
    candidate_floor: float = 0.30  # cosine below which a neighbour is not even judged
    merge_score: float = 0.485  # average judge score across two clusters needed to merge them
    parent_score: float = 0.38  # best cross score for a general cluster to become a parent
    parent_containment: float = 0.6  # IDF-weighted share of the parent anchor's terms in the child anchor
    linkage_sample: int = 24  # members per side compared when checking a merge
    # A claim may also join a second cluster it agrees with on average. Off: on the seed gold it
    # cost precision (0.76 -> 0.67) and gained no recall.
    secondary_members: bool = False
    # A group of denials becomes a sub-cluster of the asserted cluster whose anchor states what
    # they deny, when the judge calls the pair a contradiction at this score or more.
    denial_score: float = 0.40


@dataclass(kw_only=True)
class Link:
    a: str
    b: str
    relation: str
    score: float
    method: str
    specific: str | None = None  # claim id of the more specific side (more_specific only)
    reasons: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return flat_dict(self)


@dataclass(kw_only=True)
class ClusterMember:
    claim: str
    relation: str  # to the anchor: same | more_specific | contradicts (the anchor itself is "same")

    def to_dict(self) -> dict[str, Any]:
        return flat_dict(self)


@dataclass(kw_only=True)
class Cluster:
    id: str
    anchor: str  # claim id of the least specific member
    anchor_text: str
    parent: str | None = None  # a more general cluster's id
    members: list[ClusterMember] = field(default_factory=list)
    documents: list[str] = field(default_factory=list)
    step: str = CLUSTER_STEP

    def to_dict(self) -> dict[str, Any]:
        return {**flat_dict(self), "members": [m.to_dict() for m in self.members]}

    @property
    def claim_ids(self) -> list[str]:
        return [m.claim for m in self.members]


_DANGLING_END = re.compile(r"(?:\b(?:and|or|but|nor|that|to|of|the|a|an|which|who|whom|with|by|for|in|on)|[,;:\u2014-])\s*$", re.IGNORECASE)
_SUBORDINATE_START = re.compile(
    r"^(?:when|while|whilst|even though|though|although|because|if|unless|since|until|whereas|which|who|whom|"
    r"whose|where|as if|so that|in order to|to)\b", re.IGNORECASE)


def _fragment(text: str) -> bool:
    """Does the claim's text read as a piece of a sentence rather than a statement?"""
    stripped = text.strip(" \"'\u201c\u201d\u2018\u2019.")
    return bool(_DANGLING_END.search(stripped) or _SUBORDINATE_START.match(stripped))


def _pair(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a < b else (b, a)


class ClusterState:
    """Everything the incremental clusterer keeps between documents."""

    def __init__(self, index: NeighbourIndex, judge: Judge, options: ClusterOptions | None = None) -> None:
        self.index = index
        self.judge = judge
        self.options = options or ClusterOptions()
        self.views: dict[str, ClaimView] = {}
        self.judged: dict[tuple[str, str], Judgement] = {}  # by (smaller id, larger id), a = smaller
        self._parent: dict[str, str] = {}  # union-find over claim ids
        self._members: dict[str, list[str]] = {}  # root -> claim ids

    # -- union-find ---------------------------------------------------------------

    def _find(self, claim_id: str) -> str:
        root = claim_id
        while self._parent[root] != root:
            root = self._parent[root]
        while self._parent[claim_id] != root:  # path compression
            self._parent[claim_id], claim_id = root, self._parent[claim_id]
        return root

    def _union(self, a: str, b: str) -> None:
        ra, rb = self._find(a), self._find(b)
        if ra == rb:
            return
        if len(self._members[ra]) < len(self._members[rb]):
            ra, rb = rb, ra
        self._parent[rb] = ra
        self._members[ra].extend(self._members.pop(rb))

    # -- judging ------------------------------------------------------------------

    def judgement(self, a: str, b: str) -> Judgement:
        key = _pair(a, b)
        if key not in self.judged:
            self.judged[key] = self.judge.judge(self.views[key[0]], self.views[key[1]])
        return self.judged[key]

    def _linkage(self, ra: str, rb: str) -> float:
        # Capped per side so that merging into a large cluster stays cheap; members are kept in
        # arrival order, so the sample is deterministic.
        cap = self.options.linkage_sample
        scores = [self.judgement(x, y) for x in self._members[ra][:cap] for y in self._members[rb][:cap]]
        if any(j.score <= 0.0 for j in scores):
            return 0.0  # a same-sentence pair never ends up in one cluster
        return float(np.mean([j.score for j in scores]))

    def add(self, views: list[ClaimView]) -> list[tuple[str, str]]:
        """Add claims (with vectors) and merge clusters; returns the candidate pairs judged."""
        fresh = [v for v in views if v.id not in self.views]
        if not fresh:
            return []
        for view in fresh:
            self.views[view.id] = view
            self._parent[view.id] = view.id
            self._members[view.id] = [view.id]
        vectors = np.stack([v.vector for v in fresh]).astype(np.float32)  # type: ignore[misc]
        self.index.add([v.id for v in fresh], vectors)
        candidates: set[tuple[str, str]] = set()
        for view, neighbours in zip(fresh, self.index.query(vectors, self.options.k + 1)):
            for neighbour in neighbours:
                if neighbour.id != view.id and neighbour.similarity >= self.options.candidate_floor:
                    if neighbour.id in self.views:
                        candidates.add(_pair(view.id, neighbour.id))
        judged = [(pair, self.judgement(*pair)) for pair in sorted(candidates)]
        edges = sorted(
            ((j.score, pair) for pair, j in judged if j.relation != "unrelated"), key=lambda e: (-e[0], e[1])
        )
        for _, (a, b) in edges:
            if self.views[a].polarity != self.views[b].polarity and self.judgement(a, b).relation == "contradicts":
                # A denial is not merged into what it denies: at read-out it hangs under that
                # cluster as a denial sub-cluster (`_attach_denials`), so the flat clusters stay
                # one proposition each and the general cluster still shows who denied it.
                continue
            ra, rb = self._find(a), self._find(b)
            if ra != rb and self._linkage(ra, rb) >= self.options.merge_score:
                self._union(a, b)
        return sorted(candidates)

    # -- read-out -----------------------------------------------------------------

    def links(self) -> list[Link]:
        out = []
        for (a, b), j in sorted(self.judged.items()):
            if j.relation == "unrelated":
                continue
            specific = {"a": a, "b": b}.get(j.specific or "")
            out.append(Link(a=a, b=b, relation=j.relation, score=j.score, method=j.method,
                            specific=specific, reasons=list(j.reasons)))
        return out

    def groups(self) -> list[list[str]]:
        """Clusters as sorted claim-id lists, with secondary members added (see `_secondary`)."""
        groups = {root: sorted(members) for root, members in self._members.items()}
        if self.options.secondary_members:
            for root, extra in self._secondary().items():
                groups[root] = sorted(set(groups[root]) | extra)
        return sorted(groups.values())

    def _secondary(self) -> dict[str, set[str]]:
        # A claim that states two propositions ("they agreed X, including Y and Z") belongs to
        # both clusters: it joins a second cluster when it alone agrees with all of it on average.
        extra: dict[str, set[str]] = {}
        for (a, b), j in list(self.judged.items()):
            if j.relation == "unrelated":
                continue
            for claim, other in ((a, b), (b, a)):
                home, target = self._find(claim), self._find(other)
                if home == target or len(self._members[target]) < 2:
                    continue
                members = self._members[target][: self.options.linkage_sample]
                scores = [self.judgement(claim, m).score for m in members]
                if min(scores) > 0.0 and float(np.mean(scores)) >= self.options.merge_score:
                    extra.setdefault(target, set()).add(claim)
        return extra

    def _denied(self, members: list[str]) -> bool:
        """A group that only says something is not so: denials, or negated assertions ("the
        Kremlin has no kompromat"), which stand against the cluster stating it is."""
        return all(is_negative(self.views[m]) for m in members)

    def _denial_targets(self, groups: list[list[str]]) -> dict[int, int]:
        """Group index of each group of denials -> the asserted group whose anchor it denies.

        Candidates are the groups of each denial's nearest neighbours (never all pairs), and
        only clusters of two or more claims: a denial is reported against a proposition the
        corpus states. The denial must contradict that group's anchor (opposite polarity) at
        `denial_score` or more: against the anchor, not on average, since a denial names the
        general proposition, not each detail of the cluster's members. Two denials of
        different propositions ("pulp fiction" in 2017 about kompromat, in 2021 about a
        meeting) stay apart: each is compared by its own denied proposition.
        """
        denials = [i for i, g in enumerate(groups) if self._denied(g)]
        if not denials:
            return {}
        group_of = {m: i for i, g in enumerate(groups) for m in g}
        anchors = {i: self._anchor(g) for i, g in enumerate(groups) if len(g) > 1 and not self._denied(g)}
        target: dict[int, tuple[float, int]] = {}
        for gi in denials:
            group = groups[gi]
            views = [self.views[m] for m in group if self.views[m].vector is not None]
            if not views:
                continue
            vectors = np.stack([v.vector for v in views]).astype(np.float32)  # type: ignore[misc]
            seen: set[int] = set()
            for neighbours in self.index.query(vectors, self.options.k + 1):
                for neighbour in neighbours:
                    oi = group_of.get(neighbour.id)
                    if oi is not None and oi in anchors and neighbour.similarity >= self.options.candidate_floor:
                        seen.add(oi)
            for oi in sorted(seen):
                for member in group:
                    j = self.judgement(anchors[oi], member)
                    if j.relation != "contradicts" or is_negative(self.views[anchors[oi]]) == is_negative(self.views[member]):
                        continue
                    if j.score >= self.options.denial_score and j.score > target.get(gi, (0.0, -1))[0]:
                        target[gi] = (j.score, oi)
        return {gi: oi for gi, (_, oi) in target.items()}

    def clusters(self, *, include_singletons: bool = False) -> list[Cluster]:
        """Clusters with an anchor, member relations and parents (general ⊃ specific)."""
        out: list[Cluster] = []
        groups = self.groups()
        denies = self._denial_targets(groups)
        ids = {i: "K-" + hashlib.sha1(g[0].encode()).hexdigest()[:10] for i, g in enumerate(groups)}
        denial_parent: dict[str, str] = {}
        for i, members in enumerate(groups):
            if len(members) < 2 and not include_singletons and i not in denies:
                continue  # a lone denial is still shown when it denies a cluster
            anchor = self._anchor(members)
            cluster = Cluster(
                id=ids[i],
                anchor=anchor,
                anchor_text=self.views[anchor].content,
                members=[ClusterMember(claim=m, relation=self._relation_to(anchor, m)) for m in members],
                documents=sorted({self.views[m].document_id for m in members}),
            )
            out.append(cluster)
            if i in denies:
                # A denial sub-cluster: each member contradicts the parent's anchor, which is
                # what the report should say of it (its own anchor is one of the denials).
                denial_parent[cluster.id] = ids[denies[i]]
                cluster.members = [ClusterMember(claim=m.claim, relation="contradicts") for m in cluster.members]
        self._assign_parents(out)
        for cluster in out:
            if cluster.id in denial_parent:
                cluster.parent = denial_parent[cluster.id]
        return out

    def _specific_side(self, x: str, y: str) -> str | None:
        """The claim id judged more specific in the pair, if the judge said more_specific."""
        j = self.judgement(x, y)
        if j.relation != "more_specific" or not j.specific:
            return None
        first, second = _pair(x, y)
        return first if j.specific == "a" else second

    def _anchor(self, members: list[str]) -> str:
        # How many members each is more specific than: each pair looked at once.
        more_specific: dict[str, int] = dict.fromkeys(members, 0)
        for i, x in enumerate(members):
            for y in members[i + 1 :]:
                side = self._specific_side(x, y)
                if side is not None:
                    more_specific[side] += 1

        def generality(claim_id: str) -> tuple[int, int, int, int, str]:
            view = self.views[claim_id]
            more_specific_than = more_specific[claim_id]
            # The anchor is the cluster's headline: a fragment ("The FBI could have, and", "When he
            # briefed the president-elect ...") only when no member reads as a statement.
            # Asserted before denied: an anchor states the proposition, not its denial.
            return (int(_fragment(view.content)), more_specific_than, int(view.polarity != "asserted"),
                    len(view.terms), claim_id)

        return min(members, key=generality)

    def _relation_to(self, anchor: str, member: str) -> str:
        if member == anchor:
            return "same"
        relation = self.judgement(anchor, member).relation
        if relation == "contradicts":
            return "contradicts"
        if self.views[anchor].polarity != self.views[member].polarity and relation == "unrelated":
            return "contradicts"  # a denial the judge did not call agreeing (double negation) denies it
        return "more_specific" if self._specific_side(anchor, member) == member else "same"

    def _contained(self, general: ClaimView, specific: ClaimView) -> float:
        """Share of the general claim's terms found in the specific one, IDF-weighted if possible."""
        terms = set(general.terms)
        if not terms:
            return 0.0
        vocabulary = getattr(self.judge, "vocabulary", None)
        weights = vocabulary.weights(list(terms)) if vocabulary is not None else {t: 1.0 for t in terms}
        total = sum(weights.values())
        shared = sum(w for t, w in weights.items() if t in set(specific.terms))
        return shared / total if total else 0.0

    def _assign_parents(self, clusters: list[Cluster]) -> None:
        by_claim = {m: c for c in clusters for m in c.claim_ids}
        best: dict[str, tuple[float, str]] = {}
        # Candidates: every judged pair, plus each anchor against the anchors of the clusters of
        # its nearest neighbours (in a large corpus a cluster's members may all have closer
        # neighbours than the general claim, so no pair across the two was judged).
        anchors = [c for c in clusters if self.views[c.anchor].vector is not None]
        if anchors:
            vectors = np.stack([self.views[c.anchor].vector for c in anchors]).astype(np.float32)  # type: ignore[misc]
            for cluster, neighbours in zip(anchors, self.index.query(vectors, self.options.k + 1)):
                for neighbour in neighbours:
                    other = by_claim.get(neighbour.id)
                    if other is not None and other is not cluster and neighbour.similarity >= self.options.candidate_floor:
                        self.judgement(cluster.anchor, other.anchor)
        floor = self.options.parent_score
        # Most judged pairs score below the floor: test that first, then look up the clusters.
        for (a, b), j in [(pair, j) for pair, j in self.judged.items() if j.score >= floor and j.relation != "contradicts"]:
            # (a denial is not a more specific version: its lines would count as support)
            ca, cb = by_claim.get(a), by_claim.get(b)
            if ca is None or cb is None or ca is cb:
                continue
            for child, parent in ((ca, cb), (cb, ca)):
                general, specific = self.views[parent.anchor], self.views[child.anchor]
                # The parent's anchor must say less, and what it says must be in the child's
                # (weighted by IDF when the judge keeps a vocabulary: sharing "Trump" says little).
                if len(general.terms) < len(specific.terms) and self._contained(general, specific) >= self.options.parent_containment:
                    if j.score > best.get(child.id, (0.0, ""))[0]:
                        if self.judgement(parent.anchor, child.anchor).relation == "contradicts":
                            continue
                        best[child.id] = (j.score, parent.id)
        for cluster in clusters:
            if cluster.id in best:
                cluster.parent = best[cluster.id][1]
