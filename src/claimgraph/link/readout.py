"""What the clusters read out as, kept up to date document by document.

The clusterer (`link/clusters.py`) decides which claims state one proposition. What an analyst
reads of each group, its anchor, each member's relation to it, its parent (general ⊃
specific), the cluster a group of denials stands against, its sourcing in independent lines
and the event it dates, is worked out here, after each document, for the groups that document
changed and their neighbours only:

- the groups its claims joined (their clusters are made again; clusters merged into them go);
- groups of denials near those groups (what they deny may now be one of them), and groups that
  stood under a cluster that went;
- the parents of the new clusters and of the clusters they touch: judged pairs at
  `parent_score` or more, and the clusters of their anchors' nearest neighbours. A cluster
  placed before whose id and anchor did not change weighs again only the pair that placed it
  and the pairs touching claims whose cluster changed: its other pairs were weighed then;
- the sourcing of every cluster whose members, children or claims' lines changed, and of its
  ancestors (a sub-cluster's supporting lines support its parent).

A cluster nothing touched keeps what it read out as when last touched: its anchor and relations
come from judged pairs fixed when they were judged, but a parent or a denial target judged
then is not judged again with the corpus's later vocabulary. A full relink adds the same
documents in the same order through the same steps, so it reads out the same.

`Layer` keeps the read-out in memory; the store's subclass (`pipeline/link_step.py`) reads clusters on
demand and writes back only what changed.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from claimgraph.link.clusters import Cluster, ClusterMember, ClusterState, pair_key
from claimgraph.link.events import Event, event_id, group_event, stating
from claimgraph.link.judge import ClaimView, is_negative
from claimgraph.link.lines import ClusterSourcing, LineState, cluster_sourcing

# v2: parents need the child's anchor to say the parent's predicate, no veto between the anchors
# v3: a cluster no parent contains takes the parent of a sub-cluster it nearly restates
READOUT_STEP = "link.readout.v3"

def cluster_id(members: list[str]) -> str:
    """A group's cluster id: from its first claim id, so it changes only when the group does."""
    return "K-" + hashlib.sha1(members[0].encode()).hexdigest()[:10]


@dataclass(kw_only=True)
class Layer:
    """The read-out between documents, and what changed since it was last saved."""

    clusters: dict[str, Cluster] = field(default_factory=dict)
    cluster_of: dict[str, str] = field(default_factory=dict)  # claim id -> its cluster's id
    children: dict[str, set[str]] = field(default_factory=dict)  # cluster id -> ids of its sub-clusters
    denials: set[str] = field(default_factory=set)  # clusters of denials standing under what they deny
    # cluster id -> the judged pair (its claim, the parent's claim) that decided its parent when it
    # was last placed, or None when it found none; absent: not known (a ledger saved before).
    parent_pairs: dict[str, tuple[str, str] | None] = field(default_factory=dict)
    sourcing: dict[str, ClusterSourcing] = field(default_factory=dict)
    events: dict[str, Event] = field(default_factory=dict)
    # Since the last save: cluster ids written or gone, event ids written or gone.
    written: set[str] = field(default_factory=set)
    dropped: set[str] = field(default_factory=set)
    events_written: set[str] = field(default_factory=set)
    events_dropped: set[str] = field(default_factory=set)

    # -- what the store's subclass reads on demand (in memory everything is here) ----

    def need_claims(self, claim_ids: list[str]) -> None:
        """Make cluster_of hold these claims' clusters (and those clusters be loaded)."""

    def need_children(self, ids: list[str]) -> None:
        """Make children hold the sub-clusters of these clusters (and those be loaded)."""

    def need_clusters(self, ids: list[str]) -> None:
        """Make clusters hold these ids."""

    # -- saving and restoring -------------------------------------------------------

    def saved_fields(self, cluster_id: str) -> dict[str, Any]:
        """What a saved cluster keeps beside its members: whether it is a group of denials, and the
        pair that placed it under its parent (when known)."""
        return {"denial": cluster_id in self.denials,
                **({"parent_pair": self.parent_pairs[cluster_id]} if cluster_id in self.parent_pairs else {})}

    def restore(self, cluster: Cluster, saved: dict[str, Any]) -> None:
        """Take back a saved cluster with its `saved_fields` (a read, not a change: nothing to write)."""
        self.clusters[cluster.id] = cluster
        for member in cluster.members:
            self.cluster_of.setdefault(member.claim, cluster.id)
        if cluster.parent:
            self.children.setdefault(cluster.parent, set()).add(cluster.id)
        if saved.get("denial"):
            self.denials.add(cluster.id)
        if "parent_pair" in saved:
            pair = saved["parent_pair"]
            self.parent_pairs[cluster.id] = (pair[0], pair[1]) if pair else None

    # -- changing -----------------------------------------------------------------

    def put(self, cluster: Cluster, *, denial: bool) -> None:
        self.clusters[cluster.id] = cluster
        for member in cluster.members:
            self.cluster_of[member.claim] = cluster.id
        (self.denials.add if denial else self.denials.discard)(cluster.id)
        self.written.add(cluster.id)
        self.dropped.discard(cluster.id)

    def set_parent(self, cluster: Cluster, parent: str | None) -> None:
        if cluster.parent == parent:
            return
        if cluster.parent and cluster.parent in self.children:
            self.children[cluster.parent].discard(cluster.id)
        cluster.parent = parent
        if parent:
            self.children.setdefault(parent, set()).add(cluster.id)
        self.written.add(cluster.id)

    def drop(self, cluster_id: str) -> Cluster:
        cluster = self.clusters.pop(cluster_id)
        for member in cluster.members:
            if self.cluster_of.get(member.claim) == cluster_id:
                del self.cluster_of[member.claim]
        if cluster.parent and cluster.parent in self.children:
            self.children[cluster.parent].discard(cluster_id)
        self.denials.discard(cluster_id)
        self.parent_pairs.pop(cluster_id, None)
        self.sourcing.pop(cluster_id, None)
        self.written.discard(cluster_id)
        self.dropped.add(cluster_id)
        return cluster

    def put_event(self, key: str, event: Event | None) -> None:
        """The event of a cluster or unclustered claim (`key`): set, or gone when None."""
        ident = event_id(key)
        if event is None:
            self.events.pop(ident, None)
            self.events_written.discard(ident)
            self.events_dropped.add(ident)  # the store deletes a saved row, if any
        else:
            self.add_event(event)

    def add_event(self, event: Event) -> None:
        self.events[event.id] = event
        self.events_written.add(event.id)
        self.events_dropped.discard(event.id)

    def saved(self) -> None:
        """The changes were written: start counting afresh."""
        self.written, self.dropped, self.events_written, self.events_dropped = set(), set(), set(), set()


class ReadOut:
    """Keeps a `Layer` up to date with a `ClusterState` and a `LineState`."""

    def __init__(self, state: ClusterState, layer: Layer, lines: LineState, *, include_singletons: bool = False) -> None:
        self.state = state
        self.layer = layer
        self.lines = lines
        self.include_singletons = include_singletons
        self.provenance: Any = None  # the linker's ProvenanceBuilder: overstatement checks (access, misquotes)
        self._near: dict[str, list[str]] = {}  # claim id -> its nearest neighbours, during an update

    def update(self, new_claims: list[str], line_changes: set[str],
               own: dict[str, tuple[dict[str, Any], str, str | None]] | None = None) -> None:
        """After a document: read out again what its claims (`new_claims`, the linkable ones
        added) and the claims whose line changed touched.

        `own`: every claim of the document (meta-claims too) -> its dating
        (`events.claim_dating`), content and report date, for the events of claims in no cluster.
        """
        own = own or {}
        st, layer = self.state, self.layer
        self._near = {}
        roots = sorted({st.root(c) for c in new_claims})
        members = sorted({m for r in roots for m in st._members[r]})
        layer.need_claims(members)
        gone = sorted({layer.cluster_of[m] for m in members if m in layer.cluster_of})
        layer.need_children(gone)
        reparent: set[str] = set()  # clusters whose parent is decided again
        resource: set[str] = set()  # clusters whose sourcing is computed again (with their ancestors)
        event_claims: set[str] = set(members) | set(own)
        clustered_before: set[str] = set()
        was: dict[str, tuple[str, set[str]]] = {}  # cluster id -> (its anchor, its sub-clusters) before
        placed_by: dict[str, tuple[str, str] | None] = {}  # cluster id -> the pair that placed it before
        for old in gone:
            was[old] = (layer.clusters[old].anchor, set(layer.children.get(old, set())) - set(gone))
            if old in layer.parent_pairs:
                placed_by[old] = layer.parent_pairs[old]
            reparent |= was[old][1]
            cluster = layer.drop(old)
            if cluster.parent:
                resource.add(cluster.parent)
            event_claims |= set(cluster.claim_ids)
            clustered_before |= set(cluster.claim_ids)
            layer.put_event(old, None)
        # 1. the groups the document's claims joined, asserted first (denials look for them)
        groups = {r: st.group(r) for r in roots}
        denied = {r for r, g in groups.items() if st.denied(g)}
        made: list[Cluster] = []
        for root in [r for r in roots if r not in denied]:
            emitted = self._emit(groups[root], target=None)
            if emitted is not None:
                made.append(emitted)
        # 2. groups of denials: the document's, those near its new clusters, those whose target went.
        # Near a cluster that stood before, only its newcomers and its anchor are looked around:
        # denials near its other members were placed when it was made.
        denial_roots = set(denied)
        near = []
        for cluster in made:
            if len(cluster.members) > 1:
                kept = [m for m in cluster.claim_ids if m in clustered_before]
                near += [m for m in cluster.claim_ids if m not in clustered_before] + ([cluster.anchor] if kept else [])
        for neighbour in self._neighbours(near):
            root = st.root(neighbour)
            if root not in groups and st.denied(st.group(root)):
                denial_roots.add(root)
        for child in sorted(reparent):
            if child in layer.denials and child in layer.clusters:
                denial_roots.add(st.root(layer.clusters[child].members[0].claim))
        denial_groups = {root: groups.get(root) or st.group(root) for root in sorted(denial_roots)}
        # Each group looks for its target around its members: one index query and one read for all.
        around = [m for group in denial_groups.values() for m in group]
        layer.need_claims(around + [n for near_ in self._near_each(around).values() for n in near_])
        for root, group in denial_groups.items():
            before = {layer.cluster_of[m] for m in group if m in layer.cluster_of}
            layer.need_children(sorted(before))
            for old in sorted(before):
                if old in layer.clusters:
                    cluster = layer.drop(old)
                    if cluster.parent:
                        resource.add(cluster.parent)
                    event_claims |= set(cluster.claim_ids)
                    layer.put_event(old, None)
                    reparent |= layer.children.get(old, set())
            target = self._denial_target(group)
            emitted = self._emit(group, target=target)
            event_claims |= set(group)
            if emitted is not None:
                made.append(emitted)
                if target is not None:
                    resource.add(target)
        # 3. parents: the new clusters, what they touch, and clusters whose parent went. A cluster
        # made again with its id and anchor unchanged (a claim joined it) keeps its sub-clusters,
        # and only its newcomers' judged pairs are new.
        stable = {c.id for c in made if c.id in was and was[c.id][0] == c.anchor}
        for cluster_id_ in stable:
            reparent -= was[cluster_id_][1]
        reparent |= {c.id for c in made if c.id not in layer.denials}
        reparent |= self._adjacent(made, stable, clustered_before)
        fresh = {c.id for c in made} - stable
        self._near_each([layer.clusters[c].anchor for c in sorted(fresh) if c in layer.clusters])
        # A cluster placed before with its id and anchor unchanged (a stable one, or one beside the
        # document's claims) weighed its pairs with clusters that did not change then: of those
        # only the pair that placed it is weighed again, with every pair touching a claim whose
        # cluster changed (a stable cluster's newcomers, the fresh clusters' claims).
        placed = [layer.clusters[c] for c in sorted(reparent) if c in layer.clusters and c not in layer.denials]
        for cluster in placed:
            if cluster.id not in was and cluster.id in layer.parent_pairs:
                placed_by[cluster.id] = layer.parent_pairs[cluster.id]
        narrow = {c.id for c in placed if c.id not in fresh and c.id in placed_by}
        changed = sorted({m for c in made for m in c.claim_ids if c.id not in stable or m not in clustered_before})
        candidates: dict[str, dict[tuple[str, str], Any]] = {c: {} for c in narrow}
        if narrow:
            touching: dict[tuple[str, str], Any] = {}
            for pairs in st.judged_across([[m] for m in changed], st.options.parent_score):
                touching.update(pairs)
            layer.need_claims([x for pair in touching for x in pair])
            for (a, b), j in touching.items():
                ca, cb = layer.cluster_of.get(a), layer.cluster_of.get(b)
                for mine, other in ((ca, cb), (cb, ca)):
                    if mine in candidates and other != mine:
                        candidates[mine][(a, b)] = j
            for cluster_id_ in narrow:
                pair = placed_by[cluster_id_]
                if pair is not None and layer.cluster_of.get(pair[0]) == cluster_id_:
                    candidates[cluster_id_][pair_key(*pair)] = st.judgement(*pair)
        # What the clusters placed below look at, in a few reads: their saved pairs at the parent
        # floor, and the clusters of those pairs' claims and of the new anchors' neighbours.
        across = st.judged_across([c.claim_ids for c in placed if c.id not in narrow], st.options.parent_score)
        near_anchor = self._near_each([c.anchor for c in placed if c.id in fresh])
        layer.need_claims([x for pairs in across + list(candidates.values()) for pair in pairs for x in pair]
                          + [n for near_ in near_anchor.values() for n in near_])
        # Placed by words first, then those left without a parent by their siblings' parents (a
        # sibling placed in this pass counts, whatever the order of the ids).
        orphans = []
        for child_id in sorted(reparent):
            if child_id not in layer.clusters or child_id in layer.denials:
                continue
            parent_before = layer.clusters[child_id].parent
            self._place(layer.clusters[child_id], self._best_parent(
                layer.clusters[child_id], look_around=child_id in fresh, pairs=candidates.get(child_id)))
            if layer.clusters[child_id].parent is None:
                orphans.append((child_id, parent_before))
            elif parent_before != layer.clusters[child_id].parent:
                resource |= {x for x in (parent_before, layer.clusters[child_id].parent) if x} | {child_id}
        for child_id, parent_before in orphans:
            cluster = layer.clusters[child_id]
            known = candidates.get(child_id)
            _, parent, pair = self._sibling_parent(cluster, known if known is not None else self._across(cluster))
            if parent is not None:
                self._place(cluster, (parent, pair))
            if parent_before != cluster.parent:
                resource |= {x for x in (parent_before, cluster.parent) if x} | {child_id}
        # 4. sourcing: changed clusters and those holding claims whose line changed, with ancestors
        resource |= {c.id for c in made}
        if line_changes:
            # What a document credits changed too: its other claims may derive differently.
            documents = {self.lines.claim_source[c].document for c in line_changes if c in self.lines.claim_source}
            touched = sorted(set(line_changes) | set(self.lines.claims_of(documents, set())))
            layer.need_claims(touched)
            resource |= {layer.cluster_of[c] for c in touched if c in layer.cluster_of}
        for cluster_id_ in self._with_ancestors(resource):
            layer.sourcing[cluster_id_] = self._sourcing(layer.clusters[cluster_id_])
            layer.written.add(cluster_id_)
        # 5. events: the changed clusters', and those of claims now in no cluster, from what each
        # claim gives its event (kept in its view: no member's document is read again)
        layer.need_claims(sorted(event_claims))
        for cluster in made:
            if cluster.id in layer.clusters:
                datings, content, published = self._dating(cluster.claim_ids, own)
                layer.put_event(cluster.id, group_event(cluster.id, cluster.claim_ids, stating(cluster), datings,
                                                        content=content, published=published))
        for claim_id in sorted(event_claims):
            if claim_id in layer.cluster_of:
                if claim_id not in clustered_before:
                    layer.put_event(claim_id, None)  # it joined a cluster: no event of its own now
                continue
            datings, content, published = self._dating([claim_id], own)
            layer.put_event(claim_id, group_event(None, [claim_id], [claim_id], datings, content=content, published=published))

    def _dating(self, ids: list[str], own: dict[str, tuple[dict[str, Any], str, str | None]]) -> tuple[
            dict[str, dict[str, Any]], dict[str, str], dict[str, str | None]]:
        """Each claim's dating, content and report date: the new document's own, else its view's."""
        st = self.state
        st.views.load([i for i in ids if i not in own])
        datings, content, published = {}, {}, {}
        for claim_id in ids:
            if claim_id in own:
                datings[claim_id], content[claim_id], published[claim_id] = own[claim_id]
            else:
                view = st.views[claim_id]
                datings[claim_id], content[claim_id], published[claim_id] = view.dating, view.content, view.published
        return datings, content, published

    # -- one group ----------------------------------------------------------------

    def _emit(self, group: list[str], *, target: str | None) -> Cluster | None:
        """Make a group's cluster (none for a lone claim, unless it denies a cluster)."""
        st, layer = self.state, self.layer
        if len(group) < 2 and not self.include_singletons and target is None:
            return None
        anchor = st.anchor(group)
        cluster = Cluster(
            id=cluster_id(group),
            anchor=anchor,
            anchor_text=st.views[anchor].content,
            members=[ClusterMember(claim=m, relation=st.relation_to(anchor, m)) for m in group],
            documents=sorted({st.views[m].document_id for m in group}),
        )
        if target is not None:
            # A denial sub-cluster: each member contradicts the parent's anchor, which is what
            # the report should say of it (its own anchor is one of the denials).
            cluster.members = [ClusterMember(claim=m.claim, relation="contradicts") for m in cluster.members]
        if cluster.id in layer.clusters:
            layer.drop(cluster.id)
        layer.put(cluster, denial=target is not None)
        if target is not None:
            cluster.parent = None
            layer.set_parent(cluster, target)
        return cluster

    def _neighbours(self, claim_ids: list[str]) -> list[str]:
        """The nearest neighbours (above the candidate floor) of these claims, in order."""
        near = self._near_each(claim_ids)
        return list(dict.fromkeys(n for c in claim_ids for n in near.get(c, ())))

    def _near_each(self, claim_ids: list[str]) -> dict[str, list[str]]:
        """Each claim's nearest neighbours above the candidate floor: one index query for all of
        them, remembered for the rest of the update (the index does not change during it)."""
        st, memo = self.state, self._near
        wanted = [c for c in dict.fromkeys(claim_ids) if c not in memo]
        st.views.load(wanted)
        views = [st.views[c] for c in wanted if st.views[c].vector is not None]
        for claim_id in wanted:
            memo[claim_id] = []
        if views:
            vectors = np.stack([v.vector for v in views]).astype(np.float32)
            for view, neighbours in zip(views, st.index.query(vectors, st.options.k + 1)):
                memo[view.id] = [n.id for n in neighbours
                                 if n.id != view.id and n.similarity >= st.options.candidate_floor]
        return {c: memo[c] for c in claim_ids}

    def _denial_target(self, group: list[str]) -> str | None:
        """The asserted cluster whose anchor this group of denials contradicts most, if any.

        Candidates are the clusters of the group's nearest neighbours (never all pairs), and
        only clusters of two or more claims: a denial is reported against a proposition the
        corpus states. The denial must contradict that cluster's anchor at `denial_score` or
        more: against the anchor, not on average, since a denial names the general
        proposition, not each detail of the cluster's members. Two denials of different
        propositions ("pulp fiction" in 2017 about kompromat, in 2021 about a meeting) stay
        apart: each is compared by its own denied proposition.
        """
        st, layer = self.state, self.layer
        neighbours = self._neighbours(group)
        layer.need_claims(neighbours)
        candidates = sorted({
            layer.cluster_of[n] for n in neighbours
            if n in layer.cluster_of and n not in group
        })
        best: tuple[float, str | None] = (0.0, None)
        st.prefetch(group, [layer.clusters[c].anchor for c in candidates])
        for other_id in candidates:
            other = layer.clusters[other_id]
            if other_id in layer.denials or len(other.members) < 2 or st.denied(other.claim_ids):
                continue
            anchor = other.anchor
            for member in group:
                j = st.judgement(anchor, member)
                if j.relation != "contradicts" or is_negative(st.views[anchor]) == is_negative(st.views[member]):
                    continue
                if j.score >= st.options.denial_score and j.score > best[0]:
                    best = (j.score, other_id)
        return best[1]

    def _adjacent(self, made: list[Cluster], stable: set[str], clustered_before: set[str]) -> set[str]:
        """Clusters whose parent the new clusters may change: those of judged pairs at the parent
        floor with their members (with a stable cluster's newcomers), and those of the new
        anchors' nearest neighbours."""
        st, layer = self.state, self.layer
        ids = [m for c in made for m in c.claim_ids if c.id not in stable or m not in clustered_before]
        if not ids:
            return set()
        others = [c for pair in st.judged_across([ids], st.options.parent_score)[0] for c in pair]
        others += self._neighbours([c.anchor for c in made if c.id not in stable])
        layer.need_claims(others)
        mine = {c.id for c in made}
        return {layer.cluster_of[o] for o in others if o in layer.cluster_of} - mine

    def _best_parent(self, cluster: Cluster, *, look_around: bool = True,
                     pairs: dict[tuple[str, str], Any] | None = None) -> tuple[str | None, tuple[str, str] | None]:
        """The more general cluster this one states a detail of, if any, and the judged pair
        (this cluster's claim, the parent's claim) that decided it.

        Candidates: the judged pairs across the two (at `parent_score` or more, not a
        contradiction: a denial is not a more specific version, its lines would count as
        support), after judging this anchor against the anchors of its nearest neighbours'
        clusters (in a large corpus a cluster's members may all have closer neighbours than
        the general claim, so no pair across the two was judged). The parent's anchor must say
        less, and what it says must be in the child's anchor (weighted by IDF: sharing "Trump"
        says little). A cluster whose anchor did not change (`look_around` off) judged its
        anchor against its neighbours' anchors when it was made: those pairs are judged already.
        `pairs`: the candidates when not every judged pair leaving the cluster is weighed again (a
        cluster placed before whose id and anchor did not change: see `update`).
        """
        st, layer = self.state, self.layer
        if look_around:
            neighbours = self._neighbours([cluster.anchor])
            layer.need_claims(neighbours)
            others = sorted({layer.cluster_of[n] for n in neighbours if n in layer.cluster_of} - {cluster.id})
            st.prefetch([cluster.anchor] + [layer.clusters[o].anchor for o in others])
            for other in others:
                st.judgement(cluster.anchor, layer.clusters[other].anchor)
        mine = set(cluster.claim_ids)
        if pairs is None:
            pairs = self._across(cluster)
        layer.need_claims([c for pair in pairs for c in pair if c not in mine])
        st.views.load([cluster.anchor] + [layer.clusters[layer.cluster_of[c]].anchor
                                          for pair in pairs for c in pair if c in layer.cluster_of])
        specific = st.views[cluster.anchor]
        best: tuple[float, str | None, tuple[str, str] | None] = (0.0, None, None)
        for (a, b), j in sorted(pairs.items()):
            if j.relation == "contradicts":
                continue
            own_claim, other_claim = (a, b) if a in mine else (b, a)
            other_id = layer.cluster_of.get(other_claim)
            if other_id is None or other_id == cluster.id or other_claim in mine:
                continue
            parent = layer.clusters[other_id]
            general = st.views[parent.anchor]
            if len(general.terms) < len(specific.terms) and st.contained(general, specific) >= st.options.parent_containment \
                    and self._same_predicate(general, specific):
                if j.score > best[0] and self._anchors_agree(parent.anchor, cluster.anchor):
                    best = (j.score, other_id, (own_claim, other_claim))
        return best[1], best[2]

    def _place(self, cluster: Cluster, placed: tuple[str | None, tuple[str, str] | None]) -> None:
        """Set a cluster's parent and the judged pair that decided it."""
        parent, pair = placed
        self.layer.set_parent(cluster, parent)
        if cluster.id not in self.layer.parent_pairs or self.layer.parent_pairs[cluster.id] != pair:
            self.layer.parent_pairs[cluster.id] = pair
            self.layer.written.add(cluster.id)  # the store keeps the pair with the cluster

    def _across(self, cluster: Cluster) -> dict[tuple[str, str], Any]:
        """The judged pairs leaving a cluster at the parent floor (pairs among its own claims say
        nothing of a parent)."""
        return self.state.judged_across([cluster.claim_ids], self.state.options.parent_score)[0]

    def _sibling_parent(self, cluster: Cluster, pairs: dict[tuple[str, str], Any]) -> tuple[
            float, str | None, tuple[str, str] | None]:
        """The parent of a sub-cluster this cluster states nearly the same as (a judged pair at
        `sibling_score` or more), when no parent contains its anchor in words.

        Two groups of one detail in other words ("X authorised a spy agency to help Y win", "X's
        spy agencies were ordered to find ways to support Y") may stay apart as clusters, and
        the general claim's words ("Y supported by X's office") be in only one of their anchors:
        the other is that parent's detail too. One step only (the sibling's own parent, placed
        by its words), and the parent's anchor must say less and agree with this one's.
        """
        st, layer = self.state, self.layer
        mine = set(cluster.claim_ids)
        specific = st.views[cluster.anchor]
        best: tuple[float, str | None, tuple[str, str] | None] = (0.0, None, None)
        for (a, b), j in sorted(pairs.items()):
            if j.relation == "contradicts" or j.score < st.options.sibling_score or j.score <= best[0]:
                continue
            own_claim, other_claim = (a, b) if a in mine else (b, a)
            sibling_id = layer.cluster_of.get(other_claim)
            if sibling_id is None or sibling_id == cluster.id or sibling_id in layer.denials:
                continue
            parent_id = layer.clusters[sibling_id].parent
            if parent_id is None or parent_id == cluster.id or not self._placed_by_words(sibling_id):
                continue
            layer.need_clusters([parent_id])
            parent = layer.clusters.get(parent_id)
            if parent is None or parent_id in layer.denials:
                continue
            if len(st.views[parent.anchor].terms) < len(specific.terms) \
                    and st.judgement(parent.anchor, cluster.anchor).relation != "contradicts":
                best = (j.score, parent_id, (own_claim, other_claim))
        return best

    def _placed_by_words(self, cluster_id: str) -> bool:
        """Was this cluster placed under its parent by a pair with the parent's own claims (its
        words), not by a sibling's parent? (The sibling rule takes one step, no chains.)"""
        pair = self.layer.parent_pairs.get(cluster_id)
        if pair is None:
            return False
        self.layer.need_claims([pair[1]])
        return self.layer.cluster_of.get(pair[1]) == self.layer.clusters[cluster_id].parent

    def _anchors_agree(self, general: str, specific: str) -> bool:
        """May the cluster anchored on `specific` state a detail of the one anchored on `general`?

        Not when the judge calls the two anchors a contradiction (a denial is no detail), nor when
        it vetoes the pair outright (score 0: about different people, a description of a person,
        an inquiry): "compromising material on <his rival> was collated" is no detail of "they had
        compromising material on <him>", however many words the two share.
        """
        j = self.state.judgement(general, specific)
        return j.relation != "contradicts" and j.score > 0.0

    def _same_predicate(self, general: ClaimView, specific: ClaimView) -> bool:
        """Does the specific anchor say what the general one predicates, not only of whom?

        Containment weighs every term, and names weigh much: "the Kremlin fed X intelligence"
        holds the names of "X supported by the Kremlin" but not its predicate, and is another
        proposition about the same parties. The general anchor's terms outside its names must be
        in the specific one at `parent_predicate` too: half, since a detail may name the act in
        other words ("present at a closed session" under "present at the meeting").
        """
        st = self.state
        names = set(general.names)
        predicate = [t for t in general.terms if t not in names]
        if not predicate:
            return True
        return st.contained(replace(general, terms=predicate), specific) >= st.options.parent_predicate

    # -- sourcing -----------------------------------------------------------------

    def _with_ancestors(self, ids: set[str]) -> list[str]:
        layer = self.layer
        out: set[str] = set()
        queue = sorted(ids)
        while queue:
            cluster_id_ = queue.pop()
            if cluster_id_ in out:
                continue
            layer.need_clusters([cluster_id_])
            cluster = layer.clusters.get(cluster_id_)
            if cluster is None:
                continue
            out.add(cluster_id_)
            if cluster.parent:
                queue.append(cluster.parent)
        return sorted(out)

    def _sourcing(self, cluster: Cluster) -> ClusterSourcing:
        members = self._with_descendants(cluster)
        ids = [claim for claim, _ in members]
        st = self.state
        st.views.load(ids)
        self.lines.need(ids)
        polarity = {c: st.views[c].polarity for c in ids}
        published = {c: st.views[c].published for c in ids}
        supporting = [c for c, relation in members if relation != "contradicts" and polarity[c] != "denied"]
        derived = self.lines.derived_lines(supporting, published)
        derived.update({c: l for c, l in self.lines.unrestated(supporting).items() if c not in derived})
        against = [c for c, relation in members if relation == "contradicts" or polarity[c] == "denied"]
        if against:
            lines = {derived.get(c, self.lines.claim_line[c]) for c in supporting if c in self.lines.claim_line}
            derived.update(self.lines.own_lines(against, lines))
        return cluster_sourcing(
            cluster.id, members, claim_line=self.lines.claim_line,
            polarity=polarity, hedging={c: st.views[c].hedging for c in ids},
            published=published, derived=derived, line_roots=self.lines.line_roots, provenance=self.provenance,
        )

    def _with_descendants(self, cluster: Cluster) -> list[tuple[str, str]]:
        """A cluster's members plus the asserted, agreeing members of its more specific sub-clusters.

        A sub-cluster states the parent's proposition with more detail ("Putin authorised the spy
        agencies to support Trump" under "the Kremlin ran an operation to support Trump"), so the
        lines behind it support the parent too. Their denials and contradictions stay with the
        sub-cluster: denying a detail does not deny the general claim. A child made only of
        denials of the parent's anchor (a denial sub-cluster) counts against the parent.
        """
        st, layer = self.state, self.layer
        members = [(m.claim, m.relation) for m in cluster.members]
        seen, queue = {cluster.id}, [cluster.id]
        while queue:
            layer.need_children(queue)
            level, queue = queue, []
            for parent_id in level:
                for child_id in sorted(layer.children.get(parent_id, ())):
                    if child_id in seen or child_id not in layer.clusters:
                        continue
                    seen.add(child_id)
                    child = layer.clusters[child_id]
                    st.views.load(child.claim_ids)
                    if all(is_negative(st.views[m.claim]) for m in child.members):
                        # A denial sub-cluster denies its parent's anchor: its lines deny the
                        # parent. Deeper down it denied only a detail, and stays there.
                        if child.parent == cluster.id:
                            members.extend((m.claim, "contradicts") for m in child.members)
                        continue
                    for member in child.members:
                        view = st.views[member.claim]
                        if member.relation != "contradicts" and view.polarity == "asserted":
                            members.append((member.claim, "more_specific"))
                    queue.append(child_id)
        return members


def layer_dict(layer: Layer) -> dict[str, Any]:
    """The in-memory layer as the blob form of a saved linker keeps it."""
    return {
        "clusters": [{**c.to_dict(), **layer.saved_fields(c.id)} for c in layer.clusters.values()],
        "sourcing": [s.to_dict() for s in layer.sourcing.values()],
        "events": [e.to_dict() for e in layer.events.values()],
    }


def layer_from_dict(data: dict[str, Any]) -> Layer:
    layer = Layer()
    for saved in data.get("clusters", []):
        fields = {k: v for k, v in saved.items() if k not in ("denial", "parent_pair", "members")}
        layer.restore(Cluster(**fields, members=[ClusterMember(**m) for m in saved["members"]]), saved)
    for saved in data.get("sourcing", []):
        layer.sourcing[saved["cluster"]] = ClusterSourcing(**saved)
    for saved in data.get("events", []):
        layer.events[saved["id"]] = Event(**saved)
    return layer
