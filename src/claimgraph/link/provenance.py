"""Provenance edges: which upstream a document (or source) re-reports, with the evidence.

Four kinds of evidence, each kept as a span or claim id so an analyst can check it:
claim attribution chains (["The Guardian", "the documents"] -> the document re-reports
The Guardian), phrases in the text ("seen by The Guardian", "told Sputnik"), verbatim
quoted passages shared between documents, and near-duplicate documents.
"""

from __future__ import annotations

import hashlib
import importlib.resources
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Callable, Iterable

from claimgraph.datahash import step_name
from claimgraph.models import CLAIM_ZONES, Analysis, Document
from claimgraph.records import flat_dict
from claimgraph.sources import cited_publication, outlet_keys, source_key

# v2: verbatim reuse of body sentences (a reprint copies its source, whatever the day) and wire
# credits ("(AP) —", "Washington (AFP) –") are evidence too.
# v3: an initialism's points are no part of a source's key ("F.B.I." is "FBI": sources.source_key).
# PROVENANCE_STEP, stamped on every edge, is the registered name (pipeline/steps.py): the rules'
# version and the hash of the lexicon they read.
# v4: access phrases ("seen by X", "obtained by X") kept per document (an upgraded access is an
# overstatement); near-miss quotations ("misquote" evidence on a quotes edge); "2016/135 and /136".
PROVENANCE_RULES = "link.provenance.v4"
PROVENANCE_DATA = ("data/provenance.json",)
PROVENANCE_STEP = step_name(PROVENANCE_RULES, PROVENANCE_DATA)
# A sentence of at least this many words, found word for word in another document, is reuse.
REUSE_WORDS = 12
REUSE_MIN = 3  # shared sentences before two documents are said to share text
# Relations that mean "this child's information came from that parent": collapsed into one line.
DERIVED = frozenset({"re_reports", "near_duplicate", "copies"})


@lru_cache(maxsize=1)
def load_provenance_lexicon() -> dict[str, Any]:
    text = importlib.resources.files("claimgraph").joinpath("data", "provenance.json").read_text(encoding="utf-8")
    return json.loads(text)


@dataclass(kw_only=True)
class Evidence:
    text: str
    document: str | None = None
    start: int | None = None
    end: int | None = None
    claim: str | None = None
    kind: str = "phrase"  # phrase | chain | shared_quote | shared_text | wire | near_duplicate | quoted_text | misquote | number

    def to_dict(self) -> dict[str, Any]:
        return flat_dict(self)


@dataclass(kw_only=True)
class ProvenanceEdge:
    child: str  # a document id, or "source:<name>" for source-to-source edges
    parent: str  # "source:<name>", or a document id when the upstream is in the corpus
    relation: str  # re_reports | cites | relays | shares_text | copies | near_duplicate
    evidence: list[Evidence] = field(default_factory=list)
    step: str = PROVENANCE_STEP

    def to_dict(self) -> dict[str, Any]:
        return {**flat_dict(self), "evidence": [e.to_dict() for e in self.evidence]}


def is_publication(name: str, outlets: Iterable[str] = (), *, keys: set[str] | None = None) -> bool:
    """Is this name a publication (something a document can re-report) rather than a person?
    `keys`: the corpus outlets' source keys, when the caller has them (faster than `outlets`)."""
    key = source_key(name)
    if key in (keys or ()) or any(key == source_key(o) for o in outlets if o):
        return True
    lexicon = load_provenance_lexicon()
    bare = re.sub(r"^(?:this|that|our|his|her|its|their)\s+", "", key.removeprefix("source:"))
    if bare in lexicon["generic_references"]:
        return False  # "the paper says" refers back to a publication named earlier
    words = set(re.findall(r"[a-z']+", key.removeprefix("source:")))
    return any((w in words) if " " not in w else (w in key) for w in lexicon["publication_words"])


def _quotes(text: str, min_words: int) -> dict[str, tuple[int, int]]:
    """Quoted passages (normalised) of at least min_words words, with their first span."""
    out: dict[str, tuple[int, int]] = {}
    for match in re.finditer(r"[\"\u201c\u2018']([^\"\u201c\u201d\u2018\u2019]{10,600}?)[\"\u201d\u2019']", text):
        passage = re.sub(r"\s+", " ", match.group(1).lower()).strip(" ,.")
        if len(passage.split()) >= min_words:
            out.setdefault(passage, match.span(1))
    return out


class ProvenanceBuilder:
    """Collects provenance edges document by document (incremental: quotes are hashed)."""

    def __init__(self) -> None:
        self.edges: dict[tuple[str, str, str], ProvenanceEdge] = {}
        self.weights: dict[tuple[str, str, str], int] = {}  # every edge's pieces of evidence (lines weigh edges by them)
        self.documents: dict[str, Document] = {}
        self._quote_owner: dict[str, list[tuple[str, tuple[int, int]]]] = {}  # quote hash -> [(doc, span)]
        # What each document's `add` did, in order: edges made and quotes registered. Replaying
        # it restores the builder without reading the document's text again (`replay`).
        self.log: dict[str, dict[str, list[Any]]] = {}
        self._current: dict[str, list[Any]] | None = None
        self.changed: set[tuple[str, str, str]] = set()  # edges made or given evidence by `add` (not `replay`)
        # A builder restored from the store (`restore`) reads earlier documents' quote digests on
        # demand: digests -> {digest: [(document, span), ...]} in the order they were added.
        self.saved_quotes: Callable[[list[str]], dict[str, list[tuple[str, tuple[int, int]]]]] | None = None
        self._looked_up: set[str] = set()
        # ... and edges made by earlier runs, with their evidence, when a new document adds to them.
        self.saved_edges: Callable[[list[tuple[str, str, str]]], list[ProvenanceEdge]] | None = None
        lexicon = load_provenance_lexicon()
        name = lexicon["name_pattern"]
        self._phrases = [(re.compile(p["pattern"].replace("{NAME}", name)), p["relation"], bool(p.get("strong")))
                         for p in lexicon["phrases"]]
        # Publications known from the texts: what documents re-report (every re_reports edge to a
        # source was made on a strong frame, a wire credit, or a name already known as one).
        self.publications: set[str] = set()
        self._min_quote = int(lexicon["min_shared_quote_words"])
        self._access = [(re.compile(p["pattern"].replace("{NAME}", name)), p["label"], int(p["level"]))
                        for p in lexicon.get("access_phrases", [])]
        self.access_labels = sorted({(label, level) for _, label, level in self._access})
        # texts(ids) of documents added by earlier runs (a restored builder's documents carry none):
        # a quotation that nearly matches one is aligned with its text
        self.texts: Callable[[list[str]], dict[str, str]] | None = None
        self._quotes_by_child: dict[str, set[str]] = {}  # quoting document -> documents it quotes (weights' index)
        self._indexed = 0

    def _edge(self, child: str, parent: str, relation: str, evidence: Evidence) -> None:
        if child == parent:
            return
        if self._current is not None:
            self._current["edges"].append([child, parent, relation, evidence.to_dict()])
        key = (child, parent, relation)
        if key in self.weights and key not in self.edges and self.saved_edges is not None:
            for saved in self.saved_edges([key]):  # an earlier run's edge: its evidence first
                self.edges[key] = saved
        if relation == "re_reports" and parent.startswith("source:") and not child.startswith("source:"):
            self.publications.add(parent)
        edge = self.edges.setdefault(key, ProvenanceEdge(child=child, parent=parent, relation=relation))
        if evidence not in edge.evidence:  # field by field, as the dataclass compares
            edge.evidence.append(evidence)
            self.weights[key] = len(edge.evidence)
            if self._current is not None:
                self.changed.add((child, parent, relation))

    def outlets(self) -> list[str]:
        return [d.outlet for d in self.documents.values() if d.outlet]

    def add(self, document: Document, analysis: Analysis) -> None:
        self._current = self.log[document.id] = {"edges": [], "quotes": []}
        try:
            self._add(document, analysis)
        finally:
            self._current = None

    def replay(self, document: Document, entry: dict[str, list[Any]]) -> None:
        """Redo what `add` did for this document, from its log entry (no text is read)."""
        self.documents[document.id] = document
        for child, parent, relation, evidence in entry["edges"]:
            self._edge(child, parent, relation, Evidence(**evidence))
        for digest, (start, end) in entry["quotes"]:
            self._own_quote(digest, document.id, (start, end))
        self.log[document.id] = entry

    def restore(self, documents: dict[str, Document], weights: dict[tuple[str, str, str], int],
                saved_quotes: Callable[[list[str]], dict[str, list[tuple[str, tuple[int, int]]]]],
                saved_edges: Callable[[list[tuple[str, str, str]]], list[ProvenanceEdge]]) -> None:
        """The builder as earlier runs left it: their documents and each edge's weight (pieces of
        evidence); an edge's evidence is read (`saved_edges`) when a new document adds to it, and
        quotes are looked up by digest when a new document quotes a passage."""
        self.documents.update(documents)
        self.weights.update(weights)
        self.publications |= {p for c, p, r in weights if r == "re_reports" and p.startswith("source:")
                              and not c.startswith("source:")}
        self.saved_quotes, self.saved_edges = saved_quotes, saved_edges

    def _owners(self, digests: list[str]) -> None:
        """Earlier documents' owners of these digests, before this run's (they came first)."""
        wanted = [d for d in digests if d not in self._looked_up]
        self._looked_up.update(wanted)
        if self.saved_quotes is None or not wanted:
            return
        for digest, owners in self.saved_quotes(wanted).items():
            self._quote_owner[digest] = list(owners) + self._quote_owner.get(digest, [])

    def _own_quote(self, digest: str, document_id: str, span: tuple[int, int]) -> None:
        self._quote_owner.setdefault(digest, []).append((document_id, span))
        if self._current is not None:
            self._current["quotes"].append([digest, list(span)])

    def _add(self, document: Document, analysis: Analysis) -> None:
        self.documents[document.id] = document
        own = outlet_keys(document.outlet)  # its outlet, as the text may abbreviate it
        outlets = self.outlets()
        inside = _content_test(document)
        people = _people(analysis)
        # 1. phrases in the text: the document's own content only. A header block ("text as
        # published by BuzzFeed News") or a promo line says where a copy was found, not where
        # its content came from. A strong frame ("seen by X", "X reported") makes X a
        # publication unless X is a person the document names; a weak one ("according to X",
        # "told X") only names a publication known as one.
        for strong in (True, False):
            for pattern, relation, is_strong in self._phrases:
                if is_strong != strong:
                    continue
                for match in pattern.finditer(document.text):
                    name = match.group("x")
                    key = source_key(name)
                    if not inside(match.start()) or key in own or _generic(name):
                        continue
                    if strong and key not in people or is_publication(name, outlets, keys=self.publications):
                        self._edge(document.id, key, relation,
                                   Evidence(text=match.group(0), document=document.id, start=match.start(), end=match.end()))
        # 2. wire credits: "(AP) —" or "Washington (AFP) –" opening a paragraph names the agency
        # whose copy this is, whatever the agency is called.
        for match in _WIRE.finditer(document.text):
            name = match.group("x").strip()
            if inside(match.start("x")) and source_key(name) not in own and source_key(name) not in people:
                self._edge(document.id, source_key(name), "re_reports",
                           Evidence(text=match.group(0).strip(), document=document.id, start=match.start("x") - 1,
                                    end=match.end("x") + 1, kind="wire"))
        # 2b. claim chains: the nearest source, when it is a publication, is re-reported.
        for claim in analysis.claims:
            chain = [cited_publication(c) for c in claim.chain if c and not c.startswith("(")]
            if chain and source_key(chain[0]) not in own and is_publication(chain[0], outlets, keys=self.publications):
                self._edge(document.id, source_key(chain[0]), "re_reports",
                           Evidence(text=claim.cue or claim.text, document=document.id,
                                    start=claim.cue_start if claim.cue else claim.start,
                                    end=claim.cue_end if claim.cue else claim.end, claim=claim.id, kind="chain"))
            for near, far in zip(chain, chain[1:]):
                if source_key(near) != source_key(far):
                    self._edge(source_key(near), source_key(far), "relays",
                               Evidence(text=f"{near} <- {far}", document=document.id, claim=claim.id, kind="chain"))
        # 3. verbatim quoted passages shared with documents already seen.
        # (boilerplate such as two files' identical licence lines is not reuse)
        passages = [(p, span, hashlib.sha1(p.encode()).hexdigest())
                    for p, span in _quotes(document.text, self._min_quote).items() if inside(span[0])]
        self._owners([digest for _, _, digest in passages])
        for passage, span, digest in passages:
            for other, other_span in self._quote_owner.get(digest, []):
                if other != document.id:
                    self._shared(document.id, other, passage, span, other_span)
            self._own_quote(digest, document.id, span)
        # 3b. body sentences reused word for word: a reprint or a digest copies its source.
        self._reuse(document, analysis, inside)
        # 3c. a quotation of another document's own words ("the memo said Trump was 'a
        # divisive ... candidate'"): this document quotes that one.
        self._quoted_text(document, inside)
        # 3c'. how it came by the material: "seen by X", "obtained by X" (overstatement checks).
        self._access_phrases(document, inside, own)
        # 3d. a document named by its number ("our Company Intelligence Report 2016/135 of 19
        # October"): this one cites that one.
        self._numbered(document, inside)
        # 4. near-duplicates found at ingest. Ingesting this document may have pointed an earlier
        # one at it too (near-duplication is symmetric); that document was linked before it knew.
        for twin in [document] + [d for d in self.documents.values() if d.id != document.id and d.near_duplicate_of == document.id]:
            if twin.near_duplicate_of:
                self._edge(twin.id, twin.near_duplicate_of, "near_duplicate",
                           Evidence(text=f"near-duplicate (score {twin.near_duplicate_score})", document=twin.id,
                                    kind="near_duplicate"))

    def _access_phrases(self, document: Document, inside: Callable[[int], bool], own: set[str]) -> None:
        """Register the document's access phrases, one row per (holder, label): "documents seen by
        the Guardian" in the Guardian's own story is access of its own outlet; a generic holder
        ("seen by this newspaper") is its own outlet too."""
        mine = source_key(document.outlet) if document.outlet else None
        found: dict[str, tuple[int, int]] = {}
        for pattern, label, _ in self._access:
            for match in pattern.finditer(document.text):
                if not inside(match.start()):
                    continue
                name = match.group("x")
                key = source_key(name)
                if mine is not None and (key in own or _generic(name)):
                    key = mine
                found.setdefault(_access_digest(document.id, key, label), match.span())
        for digest, span in found.items():
            self._own_quote(digest, document.id, span)

    def access(self, documents: list[str], holders: set[str]) -> dict[str, list[tuple[str, int]]]:
        """Per document, the access phrases it uses of a holder (any of these source keys): (label, level)."""
        wanted = {_access_digest(d, h, label): (d, label, level)
                  for d in documents for h in holders for label, level in self.access_labels}
        self._owners(list(wanted))
        out: dict[str, list[tuple[str, int]]] = {}
        for digest, (document, label, level) in wanted.items():
            if any(owner == document for owner, _ in self._quote_owner.get(digest, [])):
                if (label, level) not in out.setdefault(document, []):
                    out[document].append((label, level))
        return out

    def access_upgrades(self, origin: str, carriers: list[str]) -> dict[str, str]:
        """Carriers describing the origin's material with stronger access than the origin itself
        did ("seen by" in the origin, "obtained by" in the re-report): carrier -> "seen by -> obtained by"."""
        document = self.documents.get(origin)
        if document is None or not document.outlet or not carriers:
            return {}
        # the origin's outlet, as a carrier may abbreviate it ("L.A. Times")
        found = self.access([origin, *carriers], outlet_keys(document.outlet))
        if origin not in found:
            return {}  # the origin says nothing of its access: nothing to compare with
        first = max(found[origin], key=lambda a: (a[1], a[0]))
        out = {}
        for carrier in carriers:
            claimed = [a for a in found.get(carrier, []) if a[1] > first[1]]
            if carrier != origin and claimed:
                out[carrier] = f"{first[0]} -> {max(claimed, key=lambda a: (a[1], a[0]))[0]}"
        return out

    def misquotes(self, documents: set[str]) -> list[tuple[str, str, str]]:
        """(quoting, quoted, both wordings) for each misquote between these documents."""
        if len(self.weights) != self._indexed:
            self._quotes_by_child = {}
            for child, parent, relation in self.weights:
                if relation == "quotes":
                    self._quotes_by_child.setdefault(child, set()).add(parent)
            self._indexed = len(self.weights)
        keys = [(c, p, "quotes") for c in sorted(documents) for p in sorted(self._quotes_by_child.get(c, ())) if p in documents]
        missing = [k for k in keys if k not in self.edges]
        if missing and self.saved_edges is not None:
            for saved in self.saved_edges(missing):
                self.edges.setdefault((saved.child, saved.parent, saved.relation), saved)
        return [(c, p, e.text.removeprefix("misquote: ")) for c, p, r in keys if (c, p, r) in self.edges
                for e in self.edges[(c, p, r)].evidence if e.kind == "misquote"]

    def _numbered(self, document: Document, inside: Callable[[int], bool]) -> None:
        """Edges between a text citing a report number and the corpus document titled by it."""
        own = {f"n:{n}" for n in _numbers(document.title or "")}
        cited: dict[str, tuple[int, int]] = {}
        for number, span in _cited_numbers(document.text):
            if inside(span[0]) and f"n:{number}" not in own:
                cited.setdefault(f"c:{number}", span)
        self._owners([f"c:{d[2:]}" for d in own] + [f"n:{d[2:]}" for d in cited])
        pairs: list[tuple[str, str, tuple[int, int], str]] = []
        for digest, span in cited.items():
            pairs += [(document.id, other, span, digest[2:]) for other, _ in self._quote_owner.get("n:" + digest[2:], [])]
        for digest in own:
            pairs += [(other, document.id, (span[0], span[1]), "") for other, span in self._quote_owner.get("c:" + digest[2:], [])]
        for citing, cited_id, (start, end), number in pairs:
            if citing != cited_id:
                said = document.text[start:end] if citing == document.id else ""
                said = f"{said} ({number})" if said and number and said != number else said
                self._edge(citing, cited_id, "cites", Evidence(text=f"cites number {said}".strip(),
                                                               document=citing, start=start, end=end, kind="number"))
        for digest in sorted(own):
            self._own_quote(digest, document.id, (0, 0))
        for digest, span in cited.items():
            self._own_quote(digest, document.id, span)

    def _quoted_text(self, document: Document, inside: Callable[[int], bool]) -> None:
        """Edges between a document quoting words and the earlier document whose body has them.

        Each body is kept as (winnowed) fingerprints of its 4-word shingles, each quotation as
        all of its shingles; a quotation whose shingles are at least half in one earlier body
        quotes it. A new document is looked up both ways, so the order the two arrive in does
        not matter.
        """
        passages = [(p, span) for p, span in _quotations(document.text) if inside(span[0])]
        # its own words: the body outside quotation marks (two texts quoting a third share words
        # that neither wrote)
        spans = [span for _, span in passages]
        body = [(w, at) for w, at in _body_words(document.text, inside) if not any(a <= at < b for a, b in spans)]
        prints = {f"t:{h}": at for h, at in _winnow(body)}
        quoted: dict[str, tuple[int, int]] = {}
        need: dict[tuple[int, int], int] = {}  # quotation span -> shingles that must be found
        for passage, span in passages:
            words = re.findall(r"[\w'’-]+", passage)
            if len(words) >= QUOTE_WORDS:
                shingles = _shingles(words)
                need[span] = max(1, (len(shingles) + 1) // 2)
                for h in shingles:
                    quoted.setdefault(f"q:{h}", span)
        mine = list(prints) + list(quoted)
        # what I quote is in their text: look up my shingles among texts, and my text among quotes
        lookups = [f"t:{d[2:]}" for d in quoted] + [f"q:{d[2:]}" for d in prints]
        self._owners(lookups)
        hits: dict[tuple[str, str], list[tuple[int, int]]] = {}
        for digest, span in quoted.items():
            for other, _ in self._quote_owner.get("t:" + digest[2:], []):
                if other != document.id:
                    hits.setdefault((document.id, other), []).append(span)
        for digest, at in prints.items():
            for other, span in self._quote_owner.get("q:" + digest[2:], []):
                if other != document.id:
                    hits.setdefault((other, document.id), []).append((span[0], span[1]))
        found: dict[tuple[str, str], list[tuple[int, int]]] = {}
        for pair, spans in hits.items():
            counts = Counter(spans)
            # a quotation must be at least half found in the other text (one of theirs: its
            # shingles reckoned from its length at a generous eight characters a word)
            kept = [span for span, n in counts.items()
                    if n >= (need.get(span, 1) if pair[0] == document.id
                             else max(1, (max(1, round((span[1] - span[0]) / 8) - _SHINGLE + 1) + 1) // 2))]
            if kept:
                found[pair] = kept
        for (quoting, source), spans in sorted(found.items()):
            a, b = self.documents.get(quoting), self.documents.get(source)
            if a is None or b is None or (a.published and b.published and b.published[:10] > a.published[:10]):
                continue  # a text cannot quote one written after it (both quote something else)
            for start, end in sorted(set(spans))[:3]:
                self._edge(quoting, source, "quotes",
                           Evidence(text=(a.text[start:end] if quoting == document.id else "")[:200] or "quoted passage",
                                    document=quoting, start=start, end=end, kind="quoted_text"))
        for digest in mine:
            self._own_quote(digest, document.id, prints.get(digest) or quoted[digest])
        matched = {span for (quoting, _), spans in found.items() if quoting == document.id for span in spans}
        self._misquoted(document, [(p, span) for p, span in passages if span not in matched], body)

    def _misquoted(self, document: Document, passages: list[tuple[str, tuple[int, int]]],
                   body: list[tuple[str, int]]) -> None:
        """Quotations no earlier text has word for word that nearly match one's own words: one
        word substituted in a short quotation, two in a longer one ("conspiracy of coordination"
        where the original reads "conspiracy of cooperation"). Candidates share at least two
        content words with the quotation (looked up by word), then the quotation is aligned with
        the candidate's words, substitutions only. Each document's content words are kept for
        later quotations, and each unmatched quotation's for later texts (whichever of the two
        arrives first)."""
        words = sorted({w for w, _ in body if _content_word(w)})
        for w in words:
            self._own_quote(_word_digest(w), document.id, (0, 0))
        wanted: list[tuple[list[str], tuple[int, int], list[str]]] = []
        for passage, span in passages:
            quote = re.findall(r"[\w'’-]+", passage)
            content = sorted({w for w in quote if _content_word(w)})
            if len(quote) >= QUOTE_WORDS and len(content) >= 2:
                wanted.append((quote, span, content))
        self._owners([_word_digest(w) for _, _, content in wanted for w in content] + [_miss_digest(w) for w in words])
        texts: dict[str, str] = {document.id: document.text}

        def text_of(other: str) -> str:
            if other not in texts:
                known = self.documents[other].text
                texts[other] = known or (self.texts([other]).get(other, "") if self.texts else "")
            return texts[other]

        def misquote(quoting: str, original: str, quote: list[str], span: tuple[int, int], shared: int) -> bool:
            a, b = self.documents[quoting], self.documents[original]
            if a.published and b.published and b.published[:10] > a.published[:10]:
                return False  # a text cannot quote one written after it
            allowed = min(2, len(quote) // 4)
            if shared < max(2, len({w for w in quote if _content_word(w)}) - allowed):
                return False
            aligned = _aligned(quote, text_of(original), allowed)
            if aligned is None:
                return False
            said = text_of(quoting)[span[0]:span[1]]
            self._edge(quoting, original, "quotes",
                       Evidence(text=f"misquote: \u201c{said}\u201d where the original reads \u201c{aligned}\u201d"[:300],
                                document=quoting, start=span[0], end=span[1], kind="misquote"))
            return True

        # this document's quotations against earlier texts' words
        for quote, span, content in wanted:
            shared: Counter[str] = Counter()
            for w in content:
                shared.update({o for o, _ in self._quote_owner.get(_word_digest(w), []) if o != document.id})
            if not any(misquote(document.id, other, quote, span, shared[other])
                       for other in sorted(shared) if other in self.documents):
                for w in content:
                    self._own_quote(_miss_digest(w), document.id, span)
        # this document's words against unmatched quotations of texts added before it
        hits: Counter[tuple[str, tuple[int, int]]] = Counter()
        for w in words:
            hits.update({(o, (at[0], at[1])) for o, at in self._quote_owner.get(_miss_digest(w), []) if o != document.id})
        for (quoting, span), shared_words in sorted(hits.items()):
            if shared_words < 2 or quoting not in self.documents:
                continue
            passage = re.sub(r"\s+", " ", text_of(quoting)[span[0]:span[1]].lower())
            misquote(quoting, document.id, re.findall(r"[\w'’-]+", passage), span, shared_words)

    def _reuse(self, document: Document, analysis: Analysis, inside: Callable[[int], bool]) -> None:
        """Edges to the documents whose sentences this one repeats word for word.

        The share of this document's long sentences found in another decides the direction on a
        day: a digest whose body is mostly another's text copies it; an original that a shorter
        document repeats in part is the one copied. Across days the later document copies.
        """
        passages = []
        for sentence in analysis.sentences:
            if not inside(sentence.start):
                continue
            normal = " ".join(re.findall(r"[\w']+", document.text[sentence.start:sentence.end].lower()))
            if len(normal.split()) >= REUSE_WORDS:
                passages.append(("s:" + normal, (sentence.start, sentence.end)))
        if not passages:
            return
        digests = [hashlib.sha1(p.encode()).hexdigest() for p, _ in passages]
        self._owners(digests)
        shared: dict[str, list[tuple[int, int]]] = {}
        for (passage, span), digest in zip(passages, digests):
            for other, _ in self._quote_owner.get(digest, []):
                if other != document.id and span not in shared.setdefault(other, []):
                    shared[other].append(span)
            self._own_quote(digest, document.id, span)
        for other, spans in sorted(shared.items()):
            if len(spans) < REUSE_MIN or other not in self.documents:
                continue
            a, b = document, self.documents[other]
            day_a, day_b = (a.published or "")[:10], (b.published or "")[:10]
            if day_a and day_b and day_a != day_b:
                child, parent = (a.id, b.id) if day_a > day_b else (b.id, a.id)
            else:
                child, parent = (a.id, b.id) if len(spans) * 2 >= len(passages) else (b.id, a.id)
            share = f"{len(spans)} of {len(passages)} long sentences of {a.id} repeated word for word"
            for start, end in spans[:5]:  # the first few as evidence (spans of this document); the count says the rest
                self._edge(child, parent, "copies", Evidence(text=share, document=a.id, start=start, end=end,
                                                            kind="shared_text"))

    def _shared(self, doc: str, other: str, passage: str, span: tuple[int, int], other_span: tuple[int, int]) -> None:
        a, b = self.documents[doc], self.documents[other]
        # The later document copies the earlier one; same-day documents are siblings that share text.
        if a.published and b.published and a.published[:10] != b.published[:10]:
            child, parent, relation = (doc, other, "copies") if a.published > b.published else (other, doc, "copies")
        else:
            child, parent, relation = max(doc, other), min(doc, other), "shares_text"
        start, end = span if child == doc else other_span
        self._edge(child, parent, relation,
                   Evidence(text=passage, document=child, start=start, end=end, kind="shared_quote"))

    def result(self) -> list[ProvenanceEdge]:
        return [self.edges[k] for k in sorted(self.edges)]


_NOT_PUBLICATIONS = frozenset({"PER", "GPE", "LOC", "NORP", "GROUP", "ANON_SOURCE", "EVENT"})


def _people(analysis: Analysis) -> set[str]:
    """Source keys of the people, places and groups a document names: none is a publication."""
    return {source_key(name) for e in analysis.entities if e.type in _NOT_PUBLICATIONS for name in [e.name, *e.aliases]}


def _generic(name: str) -> bool:
    """'the paper', 'this newspaper': a reference back to a publication named before, not a name."""
    bare = re.sub(r"^(?:the|this|that|our|his|her|its|their)\s+", "", name.strip().lower())
    return bare in load_provenance_lexicon()["generic_references"]


# A report's number: "2016/135", "32-04" (two groups of digits joined by / or -, not a date).
_NUMBER = re.compile(r"(?<![\w/-])\d{2,4}[/-]\d{2,4}(?![\w/-])")


# A list continuing a full number with its last group only: "2016/135 and /136", "32-04, -05".
_CONTINUED = re.compile(r"\s*(?:,|&|\band\b|\bor\b)\s*(?P<sep>[/-])(?P<n>\d{2,4})(?![\w/-])")


def _numbers(title: str) -> set[str]:
    return {m.group(0) for m in _NUMBER.finditer(title)}


def _cited_numbers(text: str) -> list[tuple[str, tuple[int, int]]]:
    """Report numbers a text cites, with their spans; an abbreviated number continuing a list
    ("/136" in "2016/135 and /136") takes the prefix of the full number before it."""
    out = []
    for match in _NUMBER.finditer(text):
        number = match.group(0)
        out.append((number, match.span()))
        prefix, at = re.split(r"[/-]", number)[0], match.end()
        while (more := _CONTINUED.match(text, at)) is not None:
            out.append((f"{prefix}{more.group('sep')}{more.group('n')}", (more.start("sep"), more.end())))
            at = more.end()
    return out


QUOTE_WORDS = 4  # a quotation of at least this many words can be matched in another text
# Quotation marks proper: double quotes, and curly single quotes not inside a word (an
# apostrophe, "Russia's", opens nothing).
_QUOTATION = re.compile(r'"([^"\n]{3,600}?)"|\u201c([^\u201d\n]{3,600}?)\u201d|(?<![\w])\u2018([^\u2019\n]{3,600}?)\u2019(?![\w])')


def _quotations(text: str) -> list[tuple[str, tuple[int, int]]]:
    """Quoted passages of at least QUOTE_WORDS words, with their spans."""
    out = []
    for match in _QUOTATION.finditer(text):
        group = next(g for g in (1, 2, 3) if match.group(g) is not None)
        passage = re.sub(r"\s+", " ", match.group(group).lower()).strip(" ,.")
        if len(passage.split()) >= QUOTE_WORDS:
            out.append((passage, match.span(group)))
    return out


_STOP = frozenset("about after against among because before being between could their there these those "
                  "through under where which while would should other every never shall might".split())


def _content_word(word: str) -> bool:
    """A word that says what a passage is about: five letters or more, not a function word."""
    return len(word) >= 5 and word not in _STOP and not word.isdigit()


def _word_digest(word: str) -> str:
    return "w:" + hashlib.sha1(word.encode()).hexdigest()[:20]


def _miss_digest(word: str) -> str:
    """A content word of a quotation no text had word for word when it was added."""
    return "m:" + hashlib.sha1(word.encode()).hexdigest()[:20]


def _access_digest(document: str, holder: str, label: str) -> str:
    return "a:" + hashlib.sha1(f"{document}\x00{holder}\x00{label}".encode()).hexdigest()[:30]


def _aligned(quote: list[str], text: str, allowed: int) -> str | None:
    """The words of `text` (outside its own quotation marks) that a quotation nearly repeats: a
    window of as many words with 1..`allowed` substituted, the rest (two content words at least)
    the same; None if there is none."""
    if allowed < 1:
        return None
    quoted = [span for _, span in _quotations(text)]
    words = [(m.group(0).lower(), m.start(), m.end()) for m in re.finditer(r"[\w'’-]+", text)
             if not any(a <= m.start() < b for a, b in quoted)]
    n = len(quote)
    where: dict[str, list[int]] = {}
    for i, (w, _, _) in enumerate(words):
        where.setdefault(w, []).append(i)
    starts = sorted({j - k for k, w in enumerate(quote) if _content_word(w) for j in where.get(w, [])})
    for i in starts:
        if i < 0 or i + n > len(words):
            continue
        window = words[i:i + n]
        differ = [k for k in range(n) if window[k][0] != quote[k]]
        same = [quote[k] for k in range(n) if window[k][0] == quote[k]]
        if 1 <= len(differ) <= allowed and sum(map(_content_word, same)) >= 2:
            return text[window[0][1]:window[-1][2]]
    return None


_SHINGLE = 4  # words per shingle: short quotations ("cultivating, supporting and assisting") are the common ones
_WINDOW = 1  # winnowing window: 1 keeps every shingle of a body (about one row per word in link_quotes)


def _shingles(words: list[str]) -> list[int]:
    return [int(hashlib.sha1(" ".join(words[i:i + _SHINGLE]).encode()).hexdigest()[:15], 16)
            for i in range(len(words) - _SHINGLE + 1)]


def _body_words(text: str, inside: Callable[[int], bool]) -> list[tuple[str, int]]:
    """The words of a text's claim zones, normalised as quotations are, with their offsets."""
    return [(m.group(0).lower(), m.start()) for m in re.finditer(r"[\w'’-]+", text) if inside(m.start())]


def _winnow(words: list[tuple[str, int]]) -> list[tuple[int, tuple[int, int]]]:
    """Winnowed shingle fingerprints (the least hash of every window of 8), with the span each covers."""
    hashes = _shingles([w for w, _ in words])
    chosen: dict[int, tuple[int, int]] = {}
    for i in range(max(0, len(hashes) - _WINDOW + 1)):
        window = hashes[i:i + _WINDOW]
        j = i + min(range(len(window)), key=lambda k: (window[k], -k))
        last = words[j + _SHINGLE - 1]
        chosen.setdefault(hashes[j], (words[j][1], last[1] + len(last[0])))
    return list(chosen.items())


# A wire credit at the start of a paragraph: an optional dateline, the agency in brackets, a dash.
_WIRE = re.compile(
    r"^[ \t]*(?:[A-Z][A-Za-z.'’-]*(?:[ ,]+[A-Z][A-Za-z.'’-]*){0,3}[ ,]*)?"
    r"\((?P<x>[A-Z][A-Za-z&.'’-]*(?: [A-Z][A-Za-z&.'’-]*){0,3})\)[ \t]*[—–-]{1,2}[ \t]*(?=\S)",
    re.MULTILINE,
)


def _content_test(document: Document) -> Callable[[int], bool]:
    """Whether an offset lies in a zone claims come from (everything, for a document without zones)."""
    spans = [(z.start, z.end) for z in document.zones if z.kind in CLAIM_ZONES]
    if not document.zones:
        return lambda offset: True
    return lambda offset: any(start <= offset < end for start, end in spans)
