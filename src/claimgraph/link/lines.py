"""Independent lines of sourcing: re-reports collapsed onto their root origin.

Ten outlets re-reporting one Guardian story are one line; a memo built on its own
anonymous sources is another. A document's line is found by following its derived-from
edges (re_reports, copies, near_duplicate, cites of a publication) to the end; a claim whose
chain names a publication belongs to that publication's line, any other claim to its
document's line.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Iterable

from claimgraph.datahash import step_name
from claimgraph.link.origins import (
    NOT_A_PERSON,
    Voice,
    cited_by,
    claim_voice,
    same_voices,
    entities_by_key,
    speaks_for,
    surname_pairs,
    voice_groups,
    inquiry_of,
    writing_author,
    writing_subject,
    writing_voice,
)
from claimgraph.link.provenance import DERIVED, ProvenanceEdge, is_publication, source_key
from claimgraph.models import Analysis, Claim, Document
from claimgraph.records import flat_dict
from claimgraph.sources import alternation, cited_publication, writing_forms
from claimgraph.sources import outlet_keys as own_outlet_keys

# v2: a claim made by a named voice (person or organisation) is on that voice's line, not its
# carrier's; journalists are tied to their outlet through the corpus's bylines; derivations
# from a later document are not followed.
# v3: a document crediting a corpus outlet is not rooted in its line wholesale; a writing speaks
# for its author; one document's shorter name of a voice is its longer one; names.
# v4: "the author of the X dossier" is the author of the dossier the text names.
# LINES_RULES is bumped by hand when a rule changes; LINES_STEP, stamped on every line, is its
# registered name (pipeline/steps.py): the rules and the hash of the data they read (the
# provenance lexicon, through is_publication), so an edited lexicon relinks as a new version does.
# v5: a cluster's sourcing flags re-reports claiming more access than their line's first report
# (upgraded) and misquotes between its documents (misquoted).
LINES_RULES = "link.lines.v5"
LINES_DATA = ("data/provenance.json",)
LINES_STEP = step_name(LINES_RULES, LINES_DATA)
HEDGING_ORDER = ("none", "low", "medium", "high")


@dataclass(kw_only=True)
class Line:
    id: str
    root: str  # "source:<name>" or the id of a document with no upstream of its own
    root_kind: str  # source | document
    documents: list[str] = field(default_factory=list)
    claims: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)  # nearest named sources seen on the line
    step: str = LINES_STEP

    def to_dict(self) -> dict[str, Any]:
        return flat_dict(self)


@dataclass(kw_only=True)
class ClusterSourcing:
    """Per cluster: which independent lines back it, which contradict or deny it, and when."""

    cluster: str
    supporting_lines: list[str] = field(default_factory=list)
    contradicting_lines: list[str] = field(default_factory=list)
    denying_lines: list[str] = field(default_factory=list)
    hedging_strongest: str | None = None  # least hedged supporting claim
    hedging_weakest: str | None = None
    first_report: str | None = None
    last_report: str | None = None
    claims_by_line: dict[str, list[str]] = field(default_factory=dict)
    carriers: dict[str, int] = field(default_factory=dict)  # supporting line -> documents carrying it
    derived: dict[str, str] = field(default_factory=dict)  # claim -> the line it is counted in (LineState.derived_lines)
    firmer: list[str] = field(default_factory=list)  # re-reports that drop hedges their line's first report had
    # re-reports (documents) claiming more access to the origin's material than the origin did -> "seen by -> obtained by"
    upgraded: dict[str, str] = field(default_factory=dict)
    # documents quoting another member's document in words it did not use -> both wordings
    misquoted: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return flat_dict(self)


def line_id(root: str) -> str:
    return "L-" + hashlib.sha1(root.encode()).hexdigest()[:10]


def claim_document(claim_id: str) -> str:
    """The document a claim id belongs to (ids are '<document id>:c<n>')."""
    return claim_id.rsplit(":", 1)[0]


EdgeWeights = dict[tuple[str, str, str], int]  # (child, parent, relation) -> pieces of evidence


def edge_weights(edges: list[ProvenanceEdge]) -> EdgeWeights:
    return {(e.child, e.parent, e.relation): len(e.evidence) for e in edges}


def publications_of(weights: EdgeWeights) -> set[str]:
    """The sources documents re-report: publications, as the texts show (see ProvenanceBuilder)."""
    return {p for c, p, r in weights if r == "re_reports" and p.startswith("source:") and not c.startswith("source:")}


def _upstream(weights: EdgeWeights, keys: set[str], published: dict[str, str]) -> dict[str, Counter[str]]:
    up: dict[str, Counter[str]] = {}
    for (child, parent, relation), weight in weights.items():
        derived = relation in DERIVED or (
            relation == "cites" and parent.startswith("source:") and is_publication(parent[7:], keys=keys)
        )
        if parent in published and child in published and published[parent][:10] > published[child][:10]:
            # A document cannot derive from one published after it: shared text says the later
            # copies the earlier whichever way it was found; a citation of a later text is not one.
            if relation not in ("near_duplicate", "copies"):
                continue
            child, parent = parent, child
        if derived and not child.startswith("source:"):
            up.setdefault(child, Counter())[parent] += weight
    return up


def resolve_roots(documents: list[Document], weights: EdgeWeights,
                  publications: set[str] | None = None,
                  credited: dict[str, str] | None = None) -> tuple[dict[str, str], Any]:
    """Root node per document, and a resolver for any node (source or document), from the
    provenance edges weighed by their evidence. `publications`: source keys known to be
    publications besides the corpus outlets. `credited`, when given, is filled with the root of
    the corpus outlet each document re-reports without being rooted in it (document -> root)."""
    outlets = [d.outlet for d in documents if d.outlet]
    keys = {source_key(o) for o in outlets} | (publications if publications is not None else publications_of(weights))
    up = _upstream(weights, keys, {d.id: d.published for d in documents if d.published})
    # A publication that is itself in the corpus continues through that document.
    by_outlet: dict[str, str] = {}
    for document in sorted(documents, key=lambda d: (d.published or "9999", d.id)):
        if document.outlet:
            by_outlet.setdefault(source_key(document.outlet), document.id)

    published = {d.id: d.published or "9999" for d in documents}
    # Documents of one outlet or author with nothing upstream share an origin: seven Steele
    # memos are one line of sourcing, not seven. They join the outlet's earliest document.
    same_origin = {d.id: by_outlet[source_key(d.outlet)] for d in documents if d.outlet}

    def resolve(node: str) -> str:
        path: list[str] = []
        while True:
            if node.startswith("source:") and node in by_outlet:
                # An outlet is one line whatever story of it is re-reported (a newsroom's
                # reporting on one story shares its sources): its earliest corpus document.
                node = by_outlet[node]
            if node in path:
                # A cycle (two near-duplicates pointing at each other): every member of it
                # resolves to the same node, the earliest document, so they are one line.
                cycle = path[path.index(node) :]
                node = min(cycle, key=lambda n: (published.get(n, "9999"), n))
                first = same_origin.get(node, node)
                if first == node or first in path:
                    return node
                node = first
                continue
            path.append(node)
            parents = up.get(node)
            if not parents:
                first = same_origin.get(node, node)
                if first == node or first in path:
                    return node
                node = first
                continue
            top = sorted(parents.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
            if top in by_outlet and not node.startswith("source:"):
                # A document crediting an outlet whose reporting is in the corpus is not rooted
                # there wholesale: a claim it attributes to the outlet is on the outlet's line,
                # its own sentences join that line only where the line states them too
                # (LineState.derived_lines); the rest is its own reporting.
                if credited is not None and path[0] == node:
                    credited[node] = resolve(top)
                first = same_origin.get(node, node)
                if first == node or first in path:
                    return node
                node = first
                continue
            node = top

    return {d.id: resolve(d.id) for d in documents}, resolve


@dataclass(kw_only=True)
class ClaimSource:
    """What a claim's line is decided from, besides the corpus: its document, the nearest named
    source of its chain and its innermost one, the corpus author either stands for (read from
    the text once), and the named voice that made the statement (link/origins.py)."""

    document: str
    source: str | None = None
    author: str | None = None
    inner: str | None = None  # the innermost element of the chain, when it is not `source`
    voice: str | None = None  # the voice's line key ("source:kremlin")
    origin: str | None = None  # the first-hand source in words ("Kremlin (Dmitry Peskov, spokesperson)")

    @property
    def source_key(self) -> str | None:
        return source_key(self.source) if self.source else None

    @property
    def names(self) -> list[str]:
        return [n for n in (self.inner, self.source) if n]


def claim_source(claim: Claim, document: Document, analysis_entities: dict[str, Any], authors: dict[str, str],
                 publications: set[str] | frozenset[str] = frozenset(),
                 bylines: set[str] | None = None,
                 people: list[tuple[int, str]] | None = None,
                 headline: str | None = None) -> tuple[ClaimSource, tuple[str, str] | None]:
    """A claim's ClaimSource, read from its chain, its speaker's entity and the document's text;
    and (person key, organisation key) when a spokesperson speaks for an organisation.
    `people`: (offset, name) of the document's person mentions (people_of); `headline`: the
    organisation its headline has say what it reports (headline_voice)."""
    chain = [cited_publication(c) for c in claim.chain if c and not c.startswith("(")]
    source = ClaimSource(document=document.id, source=chain[0] if chain else None)
    if len(chain) > 1 and chain[-1] != chain[0]:
        source.inner = chain[-1]
    voice = claim_voice(claim, analysis_entities)
    if voice is None and _author_of(source, document.text, authors) is None:
        voice = _writing_voice(claim, chain, source, document.text, people or [], authors, headline)
    source.author = _author_of(source, document.text, authors)
    if voice is not None and voice.key in publications:
        voice = None  # a publication relays what it reports: its line is decided as one (LineState._assign)
    if bylines is None:
        bylines = set(byline_surnames(document.author))
    if voice is not None and not speaks_for(voice.key, document.outlet, bylines):
        source.voice = voice.key
        source.origin = voice.name
        return source, (voice.person_key, voice.key) if voice.person_key else None
    if chain:
        source.origin = chain[0] if len(chain) == 1 else f"{chain[0]} \u2190 {chain[-1]}"
    return source, None


def _one_voice(sources: list[tuple[str, ClaimSource]]) -> set[tuple[str, str]]:
    """One document's shorter and fuller names of one voice (origins.same_voices), as pairs of
    keys that are one voice (origins.voice_groups)."""
    return set(same_voices({s.voice for _, s in sources if s.voice}).items())


def headline_voice(analysis: Analysis) -> str | None:
    """The organisation a document's headline has assert what it reports ("Putin ordered the
    campaign, Intelligence Community Says"): whose the body's bare "the report" is."""
    entities = entities_by_key(analysis)
    for claim in analysis.claims:
        if claim.zone == "headline" and claim.polarity == "asserted":
            voice = claim_voice(claim, entities)
            if voice is not None and voice.person is None:
                return voice.name
    return None


def people_of(analysis: Analysis) -> list[tuple[int, str]]:
    """(offset, name) of every mention of a person in the document, by offset."""
    names = {e.key: e.name for e in analysis.entities if e.type == "PER"}
    return sorted((m.start, names[m.entity]) for m in analysis.mentions if m.entity in names and m.kind == "name")


def _writing_voice(claim: Claim, chain: list[str], source: ClaimSource, text: str,
                   people: list[tuple[int, str]], authors: dict[str, str], headline: str | None = None) -> Voice | None:
    """The author of the writing a claim is said by ("the report", "his report", "the Mueller
    probe"), or of the writing that cites its hidden sources ("It cited unnamed sources who
    claimed ..."): a writing speaks for whoever wrote or issued it."""
    inner = chain[-1] if chain else writing_subject(claim.text)
    if inner is None:
        return None
    author = writing_author(inner, text, claim.start, people, headline)
    if author is None and chain:
        author = cited_by(text, claim.start, inner, people) or inquiry_of(text, claim.start, inner, people)
    voice = writing_voice(author, people, authors) if author else None
    if voice is None or not author:
        return None
    if not chain:
        source.source = inner  # said by the writing, not in the document's own voice
    # The author is the claim's innermost source: a corpus author's writing is on the author's
    # line (ClaimSource.author), now or once the author's own documents arrive (LineState.update).
    source.inner = author
    return None if _author_named(author, text, authors) is not None else voice


def _author_of(source: ClaimSource, text: str, authors: dict[str, str]) -> str | None:
    """The corpus author the claim's innermost source stands for, else its nearest's."""
    for name in source.names:
        author = _author_named(name, text, authors)
        if author is None and (writing := authored_writing(name)) is not None:
            author = _author_named(writing, text, authors)
        if author is not None:
            return author
    return None


class LineState:
    """Each claim's line, kept up to date document by document.

    A claim's line depends on its document's root, on where the source it names resolves to,
    and on the corpus's authors. Adding a document can change those for earlier claims (it is
    the earliest of an outlet, a publication others cite, a new author), so `update` compares
    the roots and resolutions it saw before with the new ones and reassigns only the claims
    whose inputs changed: usually none. The store's subclass (pipeline/link_step.py) reads claims'
    sources and lines on demand instead of keeping them all.
    """

    def __init__(self) -> None:
        self.claim_line: dict[str, str] = {}
        self.claim_source: dict[str, ClaimSource] = {}
        self.roots: dict[str, str] = {}  # document id -> root, as last resolved
        self.resolved: dict[str, str] = {}  # source key a claim resolved through -> its root then
        self.outlet_keys: set[str] = set()
        self.authors: dict[str, str] = {}
        self.line_roots: dict[str, str] = {}  # line id -> root
        self.document_ids: set[str] = set()  # the corpus's documents (a root that is one is a document line)
        self.changed: set[str] = set()  # claims (re)assigned since `changed` was last cleared
        self.outlet_of: dict[str, str] = {}  # document -> its outlet's key (companion pieces share it)
        self.by_document: dict[str, set[str]] = {}  # document -> its claims held here (an index of claim_source)
        self.voice_pairs: set[tuple[str, str]] = set()  # (person, organisation) a spokesperson spoke for
        self.voice_group: dict[str, str] = {}  # voice key -> its group's key (origins.voice_groups)
        # document -> the root of the corpus outlet it re-reports but is not rooted in (resolve_roots),
        # as the last update resolved it
        self.credited_roots: dict[str, str] = {}

    # -- what the store's subclass reads on demand --------------------------------

    def need(self, claim_ids: list[str]) -> None:
        """Make claim_line / claim_source hold these claims (in memory they always do)."""

    def hold(self, claim_id: str, source: ClaimSource) -> None:
        """Keep a claim's source (and the per-document index of them)."""
        self.claim_source[claim_id] = source
        self.by_document.setdefault(source.document, set()).add(claim_id)

    def claims_of(self, documents: set[str], keys: set[str]) -> list[str]:
        """Claims of these documents, or naming or resolving through these source keys."""
        found = {c for d in documents for c in self.by_document.get(d, ())}
        if keys:
            found |= {c for c, s in self.claim_source.items()
                      if s.source_key in keys or s.author in keys or s.voice in keys}
        return sorted(found)

    # -- updating -----------------------------------------------------------------

    def update(
        self,
        documents: dict[str, Document],
        weights: EdgeWeights,
        added: list[tuple[Document, Analysis]],
        texts: Any,
        publications: set[str] | None = None,
    ) -> set[str]:
        """Assign the claims of `added` (already among `documents`) and reassign earlier claims
        whose inputs changed; returns the claims whose line is new or changed.

        `texts(ids)` gives document texts: needed only when the corpus's authors change, when
        every claim's author is read again. `publications`: the source keys the texts show to be
        publications (ProvenanceBuilder.publications); read from `weights` when not given.
        """
        corpus = list(documents.values())
        outlets = [d.outlet for d in corpus if d.outlet]
        if publications is None:
            publications = publications_of(weights)
        outlet_keys = {source_key(o) for o in outlets} | publications
        self.credited_roots = {}
        roots, resolve = resolve_roots(corpus, weights, outlet_keys, self.credited_roots)
        authors = corpus_authors(corpus)
        added_ids = {d.id for d, _ in added}
        # A new author (or one now tied to an earlier outlet) can be what an earlier claim's
        # source names ("Steele told ...") or, for a bare writing ("the dossier says"), what its
        # document calls it; only those claims' authors are read again.
        surnames = {s for s, k in authors.items() if self.authors.get(s) != k} if self.roots else set()
        reread = sorted(self.claims_naming(surnames)) if surnames else []
        moved = {d for d, r in roots.items() if d not in added_ids and self.roots.get(d, r) != r}
        keys = {k for k, r in self.resolved.items() if resolve(k) != r} | (outlet_keys - self.outlet_keys)
        new_sources = []
        self.outlet_of = {d.id: source_key(d.outlet) for d in corpus if d.outlet}
        for document, analysis in added:
            entities, bylines = entities_by_key(analysis), set(byline_surnames(document.author))
            people, headline = people_of(analysis), headline_voice(analysis)
            found: list[tuple[str, ClaimSource]] = []
            for claim in analysis.claims:
                source, spokes = claim_source(claim, document, entities, authors, outlet_keys, bylines, people, headline)
                found.append((claim.id, source))
                if spokes is not None:
                    self.voice_pairs.add(spokes)
            self.voice_pairs |= _one_voice(found)
            new_sources += found
        # every voice is remembered (a pair of itself), so that a fuller name seen later joins it
        voices = {s.voice for _, s in new_sources if s.voice}
        self.voice_pairs |= {(v, v) for v in voices} | surname_pairs({k for pair in self.voice_pairs for k in pair} | voices)
        groups = voice_groups(self.voice_pairs)
        keys |= {k for k in set(groups) | set(self.voice_group) if groups.get(k, k) != self.voice_group.get(k, k)}
        self.voice_group = groups
        redo = sorted(set(self.claims_of(moved, keys) if moved or keys else []) | set(reread))
        self.roots, self.authors, self.outlet_keys = roots, authors, outlet_keys
        self.document_ids = set(documents)
        self.resolved = {k: resolve(k) for k in self.resolved}
        changed: set[str] = set()
        if redo:
            self.need(redo)
            if reread:
                sources = [self.claim_source[c] for c in reread]
                by_document = texts(sorted({s.document for s in sources}))
                for claim_id, source in zip(reread, sources):
                    text = by_document.get(source.document, "")
                    if not any(_name_words(n) & surnames or (_bare_writing(n) and _cited(n, text, surnames))
                               for n in source.names):
                        continue  # a bare writing whose document cites no new author's: as it was
                    author = _author_of(source, text, authors)
                    if author != source.author:
                        source.author = author
                        changed.add(claim_id)  # its row keeps what its line was decided from
            for claim_id in redo:
                changed |= self._assign(claim_id, self.claim_source[claim_id], documents, outlet_keys, resolve, force=False)
        for claim_id, source in new_sources:
            changed |= self._assign(claim_id, source, documents, outlet_keys, resolve, force=True)
        self.changed |= changed
        return changed

    def claims_naming(self, surnames: set[str]) -> list[str]:
        """Claims whose source names one of these surnames, or is a bare writing ("the dossier")."""
        return sorted(c for c, s in self.claim_source.items() if any(may_name(n, surnames) for n in s.names))

    def _assign(self, claim_id: str, source: ClaimSource, documents: dict[str, Document], outlet_keys: set[str],
                resolve: Any, *, force: bool) -> set[str]:
        document = documents[source.document]
        own = own_outlet_keys(document.outlet)  # its outlet, as the text may abbreviate it
        root = self.roots[source.document]
        key = None
        # Who made the statement decides: a corpus author (or an outlet's journalist), then a
        # named voice, then the publication the claim is relayed from; else the document's root.
        if source.author is not None and source.author not in own:
            key = source.author
        elif source.voice is not None:
            key = self.voice_group.get(source.voice, source.voice)
        elif source.source and source.source_key not in own and is_publication(source.source, keys=outlet_keys):
            key = source.source_key
        if key is not None:
            root = resolve(key)
            self.resolved[key] = root
        line = line_id(root)
        self.line_roots[line] = root
        before = self.claim_line.get(claim_id)
        self.hold(claim_id, source)
        self.claim_line[claim_id] = line
        return {claim_id} if force or before != line else set()

    def root_line(self, document: str) -> str:
        """The line a document's own unattributed claims are on (its root's)."""
        return line_id(self.roots.get(document, document))

    def document_line(self, document: str) -> str:
        """A line rooted at the document itself (a claim that speaks for its document only)."""
        line = line_id(document)
        self.line_roots.setdefault(line, document)
        return line

    def _origin_of(self, document: str, line: str) -> bool:
        """Is the document the line's root, or a piece of the root's newsroom (same outlet)?"""
        root = self.line_roots.get(line, "")
        outlet = self.outlet_of.get(document)
        return root == document or (outlet is not None and self.outlet_of.get(root) == outlet)

    def lines_of_documents(self, documents: set[str]) -> dict[str, set[str]]:
        """The lines each document's claims are on."""
        return {d: {self.claim_line[c] for c in self.by_document.get(d, ())} for d in documents}

    def credited(self, documents: set[str]) -> dict[str, set[str]]:
        """The lines each document's claims are on besides its own root's, and the line of the
        corpus outlet it re-reports: what it credits."""
        return {d: (lines | ({line_id(self.credited_roots[d])} if d in self.credited_roots else set())) - {self.root_line(d)}
                for d, lines in self.lines_of_documents(documents).items()}

    def derived_lines(self, supporting: list[str], published: dict[str, str | None]) -> dict[str, str]:
        """Claims counted in another line than their own: a claim with no named source (on its
        document's root line) that states what a claim of a line its document credits elsewhere
        states, first published no later, derives from that line ("the dossier says ..." in one
        paragraph, the dossier's allegation restated in the next). `supporting`: the asserting
        members of one cluster."""
        self.need(supporting)
        supporting = [c for c in supporting if c in self.claim_source]
        own = {c: self.root_line(self.claim_source[c].document) for c in supporting}
        # unattributed claims (no source at all) on their document's own line
        open_ = [c for c in supporting if self.claim_line[c] == own[c] and self.claim_source[c].source is None]
        named: dict[str, str] = {}  # line -> the earliest report on it among the members
        documents: dict[str, set[str]] = {}  # line -> the documents of its members here
        for c in supporting:
            date = published.get(c) or ""  # an undated report does not rule a derivation out
            line = self.claim_line[c]
            named[line] = min(named.get(line, date), date)
            documents.setdefault(line, set()).add(self.claim_source[c].document)
        if not open_ or len(named) < 2:
            return {}
        credits = self.credited({self.claim_source[c].document for c in open_})
        out = {}
        for c in open_:
            date = published.get(c) or "9999"
            document = self.claim_source[c].document
            found = [l for l in credits[document] if l in named and l != self.claim_line[c]
                     and named[l][:10] <= date[:10] and documents[l] - {document}]
            if found:
                out[c] = min(found, key=lambda l: (named[l], l))
        return out

    def unrestated(self, supporting: list[str]) -> dict[str, str]:
        """A document's own unattributed sentence counts in the line it re-reports only when the
        cluster shows that line saying it too (another document's claim on the line); a
        sentence of its own that nothing on the line states (a commentary's verdict on the story
        it cites) is counted on the document's own line."""
        self.need(supporting)
        members = [c for c in supporting if c in self.claim_source]
        out = {}
        for c in members:
            source, line = self.claim_source[c], self.claim_line[c]
            if source.source is not None or self._origin_of(source.document, line):
                continue  # attributed, or the line's own origin (or its newsroom)
            if line != self.root_line(source.document):
                continue  # on this line by its own sourcing, not by its document's root
            if any(self.claim_line[o] == line and self.claim_source[o].document != source.document for o in members):
                continue  # the line says it elsewhere too
            out[c] = self.document_line(source.document)
        return out

    def own_lines(self, against: list[str], supporting_lines: set[str]) -> dict[str, str]:
        """Claims that contradict or deny what their own line supports, in their document's own
        voice: a document does not dispute what it re-reports, so a commentary citing a story
        and disputing it speaks for itself (its own line, rooted at the document)."""
        self.need(against)
        out = {}
        for c in against:
            source = self.claim_source.get(c)
            if source is None or source.source is not None or self.claim_line.get(c) not in supporting_lines:
                continue
            if self._origin_of(source.document, self.claim_line[c]):
                continue  # the origin, or a companion piece of its newsroom, disputing itself stays on its line
            out[c] = self.document_line(source.document)
        return out

    # -- reading out --------------------------------------------------------------

    def kind(self, root: str) -> str:
        """A line's root is a document of the corpus, or a source outside it. (A root may name a
        document not linked yet, through an edge to it; it is a document line once it is.)"""
        return "document" if root in self.document_ids else "source"

    def lines(self) -> list[Line]:
        """Every line with a claim on it (documents, claims and sources sorted)."""
        out: dict[str, Line] = {}
        for claim_id in sorted(self.claim_line):
            line_id = self.claim_line[claim_id]
            root = self.line_roots[line_id]
            line = out.setdefault(line_id, Line(id=line_id, root=root, root_kind=self.kind(root)))
            source = self.claim_source[claim_id]
            line.claims.append(claim_id)
            if source.document not in line.documents:
                line.documents.append(source.document)
            if source.source and source.source not in line.sources:
                line.sources.append(source.source)
        for line in out.values():
            line.documents.sort()
            line.sources.sort()
        return sorted(out.values(), key=lambda l: l.id)


def build_lines(
    inputs: list[tuple[Document, Analysis]], edges: list[ProvenanceEdge]
) -> tuple[list[Line], dict[str, str]]:
    """Lines, and the line id of every claim, for a whole corpus at once."""
    state = LineState()
    documents = {d.id: d for d, _ in inputs}
    state.update(documents, edge_weights(edges), inputs, texts=lambda ids: {i: documents[i].text for i in ids})
    return state.lines(), dict(state.claim_line)


# Nouns naming what an author wrote: "the dossier says", "the memos claim".
_WRITINGS = alternation(writing_forms(also=("reporting",), without=("document", "documents", "paper")))



_AUTHOR_OF = re.compile(rf"^(?:the|its|his|her|their)\s+(?:author|authors|writer|writers|compiler|compilers)\s+of\s+"
                        rf"(?P<det>the|this|that|his|her)\s+(?:[\w.'’-]+\s+){{0,3}}?(?P<noun>{_WRITINGS})$", re.IGNORECASE)


def authored_writing(name: str) -> str | None:
    """The writing a source is named as the author of, bare ("the author of the infamous X
    dossier" -> "the dossier"): its author is whoever the text says wrote such a writing."""
    match = _AUTHOR_OF.match(name.strip())
    return f"{match.group('det').lower()} {match.group('noun').lower()}" if match else None


def _person_name(name: str) -> bool:
    words = name.split()
    return (2 <= len(words) <= 4 and words[0].lower() != "the" and all(w[:1].isupper() for w in words)
            and not {w.lower().strip(".,") for w in words} & NOT_A_PERSON and not is_publication(name))


def byline_surnames(author: str | None) -> list[str]:
    """The surnames of a byline's people: 'Jim Sciutto, Evan Perez' -> ['sciutto', 'perez']."""
    if not author:
        return []
    names = re.split(r"\s*(?:,|;|&|/|\band\b|\bwith\b)\s*", author)
    return [n.split()[-1].lower() for n in (n.strip() for n in names) if _person_name(n)]


def corpus_authors(documents: list[Document]) -> dict[str, str]:
    """Surname -> source key of the outlet a corpus person writes for: a person who is an outlet
    ('Christopher Steele' -> 'source:christopher steele'), and every bylined journalist, tied
    to the outlet of the earliest document bearing their byline ('Jim Sciutto' -> 'source:cnn')."""
    authors: dict[str, str] = {}
    for document in sorted(documents, key=lambda d: (d.published or "9999", d.id)):
        if not document.outlet:
            continue
        if _person_name(document.outlet):
            authors.setdefault(document.outlet.split()[-1].lower(), source_key(document.outlet))
        for surname in byline_surnames(document.author):
            authors.setdefault(surname, source_key(document.outlet))
    return authors


def _name_words(name: str) -> set[str]:
    return set(re.findall(r"[a-z]+", name.lower().replace("’s", "").replace("'s", "")))


def _bare_writing(name: str) -> bool:
    """A writing named without its author ("the dossier", "the memos")."""
    return bool(re.fullmatch(rf"(?:the|this|that|his|her)\s+{_WRITINGS}", name.strip().lower()))


def may_name(name: str, surnames: set[str]) -> bool:
    """Could `_author_named` give this source one of these new authors?"""
    return bool(_name_words(name) & surnames) or _bare_writing(name) or authored_writing(name) is not None


def _author_named(name: str, text: str, authors: dict[str, str]) -> str | None:
    """The corpus author a chain's nearest source stands for, if any.

    The name contains the author's surname ("Steele", "The Steele Dossier", "Steele's memos");
    or it is a bare writing ("the dossier", "the memos") and the document itself names exactly
    one corpus author's writing ("the so-called Steele dossier").
    """
    if not authors:
        return None
    named = {authors[w] for w in _name_words(name) if w in authors}
    if len(named) == 1:
        return named.pop()
    if named or not _bare_writing(name):
        return None
    cited = {authors[surname] for surname in _cited(name, text, authors)}
    return cited.pop() if len(cited) == 1 else None


def _cited(name: str, text: str, surnames: Iterable[str]) -> set[str]:
    """The surnames whose writing of this kind the text names ("the so-called Steele dossier"
    for a bare "the dossier")."""
    noun = re.escape(name.strip().split()[-1].lower().rstrip("s"))
    return {s for s in surnames if re.search(rf"\b{re.escape(s)}(?:['’]s)?\s+{noun}", text, re.IGNORECASE)}


def cluster_sourcing(
    cluster_id: str,
    members: list[tuple[str, str]],  # (claim id, relation to the anchor)
    *,
    claim_line: dict[str, str],
    polarity: dict[str, str],
    hedging: dict[str, str],
    published: dict[str, str | None],
    derived: dict[str, str] | None = None,
    line_roots: dict[str, str] | None = None,
    provenance: Any = None,
) -> ClusterSourcing:
    """`provenance` (a ProvenanceBuilder), when given, is asked for access upgrades and misquotes."""
    out = ClusterSourcing(cluster=cluster_id, derived=dict(derived or {}))
    claim_line = {**claim_line, **out.derived} if out.derived else claim_line
    supporting_hedges: list[str] = []
    for claim, relation in members:
        line = claim_line.get(claim)
        if line is None:
            continue
        out.claims_by_line.setdefault(line, []).append(claim)
        if polarity.get(claim) == "denied":
            target = out.denying_lines
        elif relation == "contradicts":
            target = out.contradicting_lines
        else:
            target = out.supporting_lines
            supporting_hedges.append(hedging.get(claim, "none"))
        if line not in target:
            target.append(line)
    rank = {h: i for i, h in enumerate(HEDGING_ORDER)}
    support = {c for c, relation in members if relation != "contradicts" and polarity.get(c) != "denied"}
    for line in out.supporting_lines:
        claims = [c for c in out.claims_by_line[line] if c in support]
        out.carriers[line] = len({claim_document(c) for c in out.claims_by_line[line]})
        # Overstatement: a document re-reporting the line's origin document asserts what the
        # origin hedged ("appear to show" -> "shows"); its carriers do not know more than it did.
        root = (line_roots or {}).get(line)
        origin = [rank.get(hedging.get(c, "none"), 0) for c in claims if claim_document(c) == root]
        if not origin:
            continue  # the origin is not in the corpus (or not in this cluster): nothing to compare with
        for c in claims:
            if claim_document(c) != root and rank.get(hedging.get(c, "none"), 0) < min(origin):
                out.firmer.append(c)
        if provenance is not None:
            # ... or says it holds what the origin only saw ("seen by" -> "obtained by")
            carriers = sorted({claim_document(c) for c in claims} - {root})
            out.upgraded.update(provenance.access_upgrades(root, carriers))
    if provenance is not None:
        documents = {claim_document(c) for c, _ in members}
        if len(documents) > 1:
            for quoting, _, wording in provenance.misquotes(documents):
                out.misquoted.setdefault(quoting, wording)
    ranks = sorted(supporting_hedges, key=lambda h: HEDGING_ORDER.index(h) if h in HEDGING_ORDER else 0)
    if ranks:
        out.hedging_strongest, out.hedging_weakest = ranks[0], ranks[-1]
    dates = sorted(d for d in (published.get(c) for c, _ in members) if d)
    if dates:
        out.first_report, out.last_report = dates[0], dates[-1]
    return out
