"""The brief: an intelligence-style assessment an analyst can edit and send (docs/brief.md).

Key judgements in ICD 203 estimative language (a confidence level, and in a separate sentence a
likelihood word derived from the Admiralty credibility grade and the independent lines), each
backed by its lines described in ICD 206 style from the ledger's own roles, outlets and chains
("Putin's spokesman (Dmitri Peskov), speaking to The Guardian; re-reported by The National");
then per judgement the reporting with citations to document spans, the denials, and what would
change the judgement, computed by re-running the credibility rule on the changed sourcing.
Nothing here names a person, outlet or place: every word about a source comes from the ledger.
"""

from __future__ import annotations

import html
import json
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from sqlalchemy import case, func, select

from claimgraph.analyse.roles import parse_role
from claimgraph.assess.credibility import LABELS, assess_cluster
from claimgraph.exports.view import LedgerView
from claimgraph.link.lines import ClusterSourcing
from claimgraph.link.origins import person_key
from claimgraph.sources import _WRITING, source_key
from claimgraph.store import Store

__all__ = ["BriefOptions", "LIKELIHOOD", "build_brief", "confidence_of", "likelihood_of", "render_brief"]

# ICD 203's seven terms, least to most likely, with the probability band each stands for.
LIKELIHOOD = {
    "almost no chance": "01-05%", "very unlikely": "05-20%", "unlikely": "20-45%", "roughly even chance": "45-55%",
    "likely": "55-80%", "very likely": "80-95%", "almost certain": "95-99%",
}
_TRUE = {  # the likelihood word in a sentence about the claim being true
    "almost no chance": "There is almost no chance that it is true", "very unlikely": "It is very unlikely to be true",
    "unlikely": "It is unlikely to be true", "roughly even chance": "There is a roughly even chance that it is true",
    "likely": "It is likely true", "very likely": "It is very likely true", "almost certain": "It is almost certainly true",
}
_POSITIVE = ("likely", "very likely", "almost certain")


@dataclass(frozen=True, kw_only=True)
class BriefOptions:
    top: int | None = None  # key judgements; None: DEFAULT_TOP
    detail: int = 3  # reporting quoted per judgement
    others: int = 15  # further assessed claims listed in one line each


DEFAULT_TOP = 5


def likelihood_of(assessment: dict[str, Any]) -> str | None:
    """The ICD 203 likelihood word for a cluster's grade and lines; None when its truth cannot be judged (6)."""
    grade = assessment["credibility"]
    support = len(assessment.get("supporting_lines", []))
    against = len(assessment.get("contradicting_lines", []))
    if grade == 1:
        return "almost certain" if support >= 3 else "very likely"
    if grade == 2:
        return "very likely" if support >= 3 else "likely"
    if grade == 3:
        return "likely" if support >= 2 else "roughly even chance"
    if grade == 4:
        return "unlikely"
    if grade == 5:
        return "almost no chance" if against >= 2 and against >= 3 * support else "very unlikely"
    return None


def confidence_of(assessment: dict[str, Any]) -> str:
    """ICD 203 confidence in the judgement: the quality and quantity of its sourcing."""
    support = len(assessment.get("supporting_lines", []))
    contested = bool(assessment.get("contradicting_lines") or assessment.get("denying_lines"))
    reliable = assessment.get("reliability", "F") in ("A", "B")
    if support >= 3 and reliable and not contested and assessment.get("hedging_strongest") in (None, "none", "low"):
        return "high"
    if support >= 2 and (assessment.get("reliability", "F") in ("A", "B", "C") or not contested):
        return "moderate"
    return "low"


# ------------------------------------------------------------------ the judgement's wording

_LEADING = re.compile(r"^(?:(?:with|given|in light of) [^,]{1,60}|continuing on this theme|in (?:addition|fact|particular)|"
                      r"however|meanwhile|moreover|indeed|also|but|and|so|yet)\s*,?\s+", re.I)
_HEDGE_WORDS = re.compile(r"\s+(?:reportedly|allegedly|apparently|purportedly|supposedly)\b", re.I)
_SUBORDINATE = frozenset("by when as which while if although though because after before since until that who whom "
                         "whose where asked collected according".split())
_FUNCTION = frozenset("the a an to of in on that was were is are had has have been be will would".split())
_LOWER_FIRST = frozenset("they we he she the a an this that these those it its their his her there at in on by for with from after "
                         "before when while as if of to during since under over".split())
_HEADLINE_PASSIVE = re.compile(r"^(?P<subject>[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*)?)\s+(?P<verb>\w+ed)\s+(?P<rest>by\s.+)$")


def _unshout(text: str) -> str:
    """'TRUMP' as memos write names -> 'Trump' (short capitals stay: FSB, MFA, NATO)."""
    return re.sub(r"\b[A-Z]{5,}\b", lambda m: m.group(0).title(), text)


def _tidy(text: str) -> str:
    """A claim's text as a clause after 'that': connectives, hedge adverbs and shouting removed."""
    text = " ".join(text.split()).strip(" .;:")
    text = _LEADING.sub("", text)
    text = _HEDGE_WORDS.sub("", text)
    text = _unshout(text)
    match = _HEADLINE_PASSIVE.match(text)
    if match and not (set(text.lower().split()) & {"was", "were", "is", "are", "has", "had"}):
        text = f"{match['subject']} was {match['verb']} {match['rest']}"  # headline grammar: "X backed by Y"
    first, _, rest = text.partition(" ")
    if first.lower() in _LOWER_FIRST:
        text = f"{first.lower()} {rest}"
    return text


def _well_formed(text: str) -> float:
    words = text.split()
    if not words:
        return -10.0
    score = 2.0 if 6 <= len(words) <= 40 else -2.0 if len(words) < 6 else 0.0
    if words[0][:1].islower():
        score -= 3
    if words[0].lower().strip(",") in _SUBORDINATE:
        score -= 3
    if set(w.lower() for w in words) & _FUNCTION:
        score += 1
    return score


def _fragment(text: str) -> bool:
    """A clause that cannot stand alone: it opens with a lower-case word or a subordinator, or is one or two words."""
    words = text.split()
    return len(words) < 3 or words[0][:1].islower() and words[0].lower() not in _LOWER_FIRST or words[0].lower() in _SUBORDINATE


def judgement_statement(cluster: dict[str, Any]) -> str:
    """The proposition a judgement is about: the cluster's anchor or one of its own equivalent claims,
    whichever reads best as a clause (never a more specific sub-claim: the grade is the general claim's)."""
    candidates = [(cluster["anchor"], 1.0)] + [
        (m["text"], 0.0) for m in cluster["members"]
        if not m.get("via") and m["relation"] == "same" and m["polarity"] != "denied"]
    best = max(candidates, key=lambda c: _well_formed(_tidy(c[0])) + c[1])
    return _tidy(best[0])


# ------------------------------------------------------------------ source descriptors (ICD 206 style)

_ARTICLE = re.compile(r"^(?:the|a|an)\s+", re.I)
_UNNAMED = re.compile(r"^\((?:unspecified|unnamed)")


class _References:
    """Documents numbered in order of first citation."""

    def __init__(self, view: LedgerView) -> None:
        self.view = view
        self.numbers: dict[str, int] = {}

    def number(self, document_id: str) -> str:
        return f"[{self.numbers.setdefault(document_id, len(self.numbers) + 1)}]"

    def cite(self, document_id: str, span: list[int] | tuple[int, int]) -> str:
        return f"{self.number(document_id)[:-1]}: {span[0]}\u2013{span[1]}]"

    def listing(self) -> list[dict[str, Any]]:
        out = []
        for document_id, number in self.numbers.items():
            document = self.view.documents[document_id]
            out.append({"number": number, "id": document_id, "label": self.view.label(document_id),
                        "title": self.view.title(document_id), "published": document.get("published"),
                        "url": document.get("url"), "file": PurePath(document.get("origin") or "").name})
        return out


class Describer:
    """Source descriptors from the ledger: roles from entity aliases, kinds from titles and outlets,
    first reporters from the provenance graph, carriers by reference number."""

    def __init__(self, view: LedgerView, refs: _References) -> None:
        self.view, self.refs = view, refs
        self.outlet_keys = {source_key(d["outlet"]) for d in view.documents.values() if d.get("outlet")}
        # what documents re-report, cite or copy is a publication (a first reporter), not a voice
        self.publications = self.outlet_keys | {e["parent"] for e in view.ledger["provenance"]
                                                if e["relation"] in ("re_reports", "cites", "copies")}
        self.roots = {line["root"] for line in view.ledger["lines"]}
        # a name as one document uses it -> the entity it resolved to there
        self.by_key: dict[tuple[str, str], dict[str, Any]] = {}
        for local in view.ledger["entities"]:
            entity = view.entity_of(local["document_id"], local["key"])
            if entity is None:
                continue
            for name in [local["name"], *(local.get("aliases") or [])]:
                for key in self.keys(name):
                    self.by_key.setdefault((local["document_id"], key), entity)

    def keys(self, name: str) -> set[str]:
        return {source_key(name), person_key(name) or source_key(name)}

    def source(self, document: str, name: str) -> str:
        """A source in words: its role or description first, its name after ("Putin's spokesman (Dmitri Peskov)")."""
        entity = self.by_key.get((document, source_key(name))) or self.by_key.get((document, person_key(name) or ""))
        if entity is None or entity["type"] not in ("ANON_SOURCE", "GROUP", "DOC", "PER"):
            return name  # organisations and places as the text spells them ("The Guardian")
        if entity["type"] == "PER":
            role = self.role(entity)
            return f"{role} ({entity['name']})" if role else entity["name"]
        # what the text calls it, with an article: "a senior Russian leadership figure", "leaked Kremlin documents"
        spelled = [entity["name"], *(entity.get("aliases") or [])]
        indefinite = [a for a in spelled if re.match(r"(?:a|an)\s", a)]
        described = sorted((a for a in spelled if a[:1].islower() and not _ARTICLE.match(a)), key=len, reverse=True)
        return (indefinite or described or [name])[0]

    @staticmethod
    def role(entity: dict[str, Any]) -> str | None:
        """The first alias that holds a role, less the name ("Putin's spokesman Dmitri Peskov" -> "Putin's spokesman")."""
        own = {w.lower() for w in entity["name"].split()}
        for alias in entity.get("aliases") or []:
            if parse_role(alias) is None:
                continue
            bare = " ".join(w for w in alias.split() if w.lower().strip(",") not in own).strip(" ,")
            if len(bare.split()) < 2:
                continue  # a bare title ("President") says no more than the name
            if re.match(r"(?:a|an|the)\s|[\w.-]+['’]s\s", bare, re.I):
                return bare
            return ("the " if bare[:1].isupper() else "a ") + bare
        return None

    def document(self, document_id: str) -> str:
        """A document's kind and name: 'a company intelligence report (“Company Intelligence Report 2016/130”, 2016-10-12) [3]'."""
        document = self.view.documents[document_id]
        title, outlet, dated = self.view.title(document_id), document.get("outlet"), document.get("published")
        found = _WRITING.search(title)
        before = title[:found.start()].split() if found else []
        if found and len(before) <= 3 and all(w[:1].isupper() for w in before):  # "Company Intelligence Report 2016/130"
            words = [w.lower() for w in title[:found.end()].split()[-3:] if w.isalpha() and w.lower() not in ("the", "a", "an")]
            kind = "a " + " ".join(words)
        else:
            kind = "a news report" if outlet else "an article"
        short = title if len(title) <= 60 else title[:57].rsplit(" ", 1)[0] + "\u2026"
        named = ", ".join(x for x in (outlet, f"\u201c{short}\u201d", dated) if x)
        return f"{kind} ({named}) {self.refs.number(document_id)}"

    def document_short(self, document_id: str) -> str:
        """'a company intelligence report [3]', 'a news report from CNN [5]'."""
        full = self.document(document_id)
        outlet = self.view.documents[document_id].get("outlet")
        return f"{full.split(' (', 1)[0]}{' from ' + outlet if outlet else ''} {self.refs.number(document_id)}"

    def carrier(self, document_id: str) -> str:
        outlet = self.view.documents[document_id].get("outlet")
        return f"{outlet or 'an article without a named outlet'} {self.refs.number(document_id)}"

    def describe(self, line: dict[str, Any]) -> dict[str, str]:
        """The line's origin, whom it relied on, whom it spoke to, and who carried it: in full, and
        short for a key judgement."""
        full, short = self._describe(line)
        return {"descriptor": _unshout(full), "short": _unshout(short)}

    def _describe(self, line: dict[str, Any]) -> tuple[str, str]:
        root, kind = line["root"], line.get("root_kind", "source")
        publication = kind != "document" and root in self.publications
        inner: Counter[str] = Counter()
        relays: Counter[str] = Counter()
        spoken: Counter[tuple[str, str]] = Counter()
        carriers: list[str] = []
        own: set[str] = set()
        root_outlet = self.view.documents[root].get("outlet") if kind == "document" and root in self.view.documents else None
        for claim_id in line["claims"]:
            claim = self.view.claims.get(claim_id)
            if claim is None:
                continue
            document = claim["document_id"]
            chain = [n.strip() for part in claim.get("chain") or [] for n in part.split(" + ")
                     if n.strip() and not _UNNAMED.match(n) and n.strip().lower() not in _PRONOUNS]
            at = -1 if kind == "document" else next((i for i, n in enumerate(chain) if root in self.keys(n)),
                                                     -1 if publication else len(chain) - 1)
            if at >= 0:
                spoken[(document, chain[at])] += 1
            if kind == "document":  # the memo's own sources: the innermost speaks, the others pass it on
                at = max(len(chain) - 2, -1)
            if not publication:
                relays.update(self.source(document, n) for n in chain[:max(at + (kind == "document"), 0)])
            inner.update(self.source(document, n) for n in chain[at + 1:] if not self.keys(n) & self.roots)
            outlet = self.view.documents[document].get("outlet")
            if document == root or outlet and (source_key(outlet) == root or outlet == root_outlet):
                own.add(document)  # the origin's own documents (a source's series of memos) carry nothing further
            elif document not in carriers:
                carriers.append(document)
        name = self.view.line_names.get(line["id"], root.removeprefix("source:")).split(" \u2190 ")[0]
        if kind == "document":
            head = self.document(root)
        elif publication:
            head = f"{name} (first reporter)"
        elif spoken:
            head = self.source(*spoken.most_common(1)[0][0])
        else:
            head = name
        parts = [head]
        # what the first reporter holds first ("leaked documents" before a commentator)
        named_inner = [n for n, _ in sorted(inner.items(), key=lambda kv: (not _WRITING.search(kv[0]), -kv[1], kv[0]))[:2]]
        if named_inner:
            parts.append(("on the word of " if kind == "document" else "citing ") + _and(named_inner))
        named_relays = [n for n, _ in relays.most_common(3) if n not in named_inner][:2]
        if named_relays:
            parts.append(("via " if kind == "document" else "speaking to ") + _and(named_relays))
        text = ", ".join(parts)
        short = ", ".join([self.document_short(root) if kind == "document" else head, *parts[1:]])
        if len(own) > 1:
            text += f", with {_plural(len(own) - 1, 'further document')} from the same source"
        if carriers:
            shown = [self.carrier(d) for d in carriers[:3]]
            more = len(carriers) - len(shown)
            verb = "re-reported by" if publication or named_relays else "reported by"
            text += f"; {verb} " + _and(shown + ([_plural(more, "other document")] if more > 0 else []))
            short += f"; {verb} " + (shown[0] if len(carriers) == 1 else _plural(len(carriers), "document"))
        return text, short


_PRONOUNS = frozenset("he she they it we i you this that these those who one s/he him her them".split())


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


# ------------------------------------------------------------------ what would change the judgement


def _regrade(assessment: dict[str, Any], **changes: Any) -> int:
    sourcing = ClusterSourcing(cluster=assessment["cluster"], supporting_lines=list(assessment["supporting_lines"]),
                               contradicting_lines=list(assessment.get("contradicting_lines", [])),
                               denying_lines=list(assessment.get("denying_lines", [])),
                               hedging_strongest=assessment.get("hedging_strongest"))
    reliability = changes.pop("reliability", None)
    for name, value in changes.items():
        setattr(sourcing, name, value)
    return assess_cluster(sourcing, reliability=reliability).credibility


def what_would_change(assessment: dict[str, Any], line_names: dict[str, str]) -> list[str]:
    """Changes to the sourcing that move the grade, each with the grade it would give (the credibility rule, rerun)."""
    now = assessment["credibility"]
    support = list(assessment["supporting_lines"])
    against = assessment.get("contradicting_lines", []) + assessment.get("denying_lines", [])
    out: list[str] = []

    def say(grade: int, what: str) -> None:
        if grade != now:
            out.append(f"{what} would make it {grade} ({LABELS[grade]}) instead of {now}.")

    named = _and([line_names.get(l, l) for l in support]) if support else "the present lines"
    say(_regrade(assessment, supporting_lines=support + ["new"]),
        f"A further independent line (reporting that does not trace back to {named})")
    if against:
        say(_regrade(assessment, contradicting_lines=[], denying_lines=[]),
            "Evidence that discredits the denial or contradiction by " + _and([line_names.get(l, l) for l in dict.fromkeys(against)]))
    contra = list(assessment.get("contradicting_lines", []))
    more = [f"new-{i}" for i in range(max(1, len(support) + 1 - len(contra)))]
    say(_regrade(assessment, contradicting_lines=contra + more),
        f"{_plural(len(more), 'independent line')} contradicting it (more lines against than for)")
    if len(support) >= 2:
        say(_regrade(assessment, supporting_lines=support[:-1]),
            "Finding that two of its lines share an origin (one source behind both)")
    if assessment.get("reliability", "F") not in ("A", "B") and len(support) >= 2:
        say(_regrade(assessment, reliability={l: "B" for l in support}),
            f"Grading its sources reliable (A or B; now {assessment.get('reliability', 'F')}: cannot be judged)")
    if assessment.get("hedging_strongest") in ("medium", "high"):
        say(_regrade(assessment, hedging_strongest="none"), "A first-hand report that states it without hedging")
    return out


# ------------------------------------------------------------------ the brief as data


def _short_label(view: LedgerView, document_id: str) -> str:
    """A document in a few words: its outlet, a short title, or what it is."""
    title = view.title(document_id)
    return view.documents[document_id].get("outlet") or (title if len(title) <= 40 else "an article without a named outlet")


def _judgement(view: LedgerView, cluster: dict[str, Any], assessment: dict[str, Any], describer: Describer,
               refs: _References, options: BriefOptions) -> dict[str, Any]:
    statement = judgement_statement(cluster)
    likelihood = likelihood_of(assessment) or "roughly even chance"
    confidence = confidence_of(assessment)
    grade = f"{assessment['reliability']}{assessment['credibility']}"
    sourcing = [{"line": l, "name": view.line_names.get(l, l), **describer.describe(view.lines[l])}
                for l in assessment["supporting_lines"] if l in view.lines]
    denials: dict[str, dict[str, Any]] = {}
    for member in cluster["denials"]:
        line = view.claim_line.get(member["claim"])
        key = line or member["claim"]
        entry = denials.setdefault(key, {
            **(describer.describe(view.lines[line]) if line in view.lines
               else {"descriptor": member["speaker"] or member["source"], "short": member["speaker"] or member["source"]}),
            "kind": "denial" if member["polarity"] == "denied" else "contradiction",
            "quote": member["text"], "dates": [], "citations": []})
        if member["published"]:
            entry["dates"].append(member["published"])
        if len(entry["citations"]) < 3:  # enough to find it; the report lists every one
            entry["citations"].append(refs.cite(member["document"], member["span"]))
    support = [m for m in cluster["members"] if m["relation"] != "contradicts" and m["polarity"] != "denied"]
    by_line: dict[str | None, list[dict[str, Any]]] = {}
    for member in sorted(support, key=lambda m: (bool(m.get("via")), m["relation"] != "same", -_well_formed(m["text"]))):
        by_line.setdefault(member["line"], []).append(member)
    picked: list[dict[str, Any]] = []
    while len(picked) < options.detail and any(by_line.values()):  # one quote per line first: the range of sourcing
        for members in by_line.values():
            if members and len(picked) < options.detail:
                picked.append(members.pop(0))
    reporting = [{"quote": m["text"], "citation": refs.cite(m["document"], m["span"]), "source": _short_label(view, m["document"]),
                  "published": m["published"], "attribution": " \u2192 ".join(m["chain"]) or "the document's own voice",
                  "hedging": m["hedging"], "more_specific": bool(m.get("via")) or m["relation"] != "same"} for m in picked]
    n = len(sourcing)
    against = len(denials)
    if likelihood in _POSITIVE:
        opening = f"We assess with {confidence} confidence that {statement}."
    else:
        opening = f"We assess with {confidence} confidence that the reporting does not establish that {statement}."
    basis = f"{_plural(n, 'independent line')} report{'s' if n == 1 else ''} it"
    if against:
        basis += f", and {_plural(against, 'line')} {'denies' if against == 1 else 'deny'} or contradict{'s' if against == 1 else ''} it"
    return {
        "cluster": cluster["id"], "statement": statement, "likelihood": likelihood, "confidence": confidence,
        "grade": grade, "label": assessment["label"], "opening": opening,
        "estimate": f"{_TRUE[likelihood]} (Admiralty {grade}, {assessment['label']}): {basis}.",
        "sourcing": sourcing,
        "denials": list(denials.values()), "reporting": reporting,
        "changes": what_would_change(assessment, view.line_names), "reasons": assessment.get("reasons", []),
        "hedging": [assessment.get("hedging_strongest"), assessment.get("hedging_weakest")],
        "reported": [assessment.get("first_report"), assessment.get("last_report")],
    }


def build_brief(view: LedgerView, options: BriefOptions | None = None, *, judged_total: int | None = None) -> dict[str, Any]:
    """The brief as data: key judgements with their sourcing, denials and what would change them; other
    reporting; information gaps; the documents cited.

    `view.report["clusters"]` may hold, of the judged clusters (assessed, gradable, no group of
    denials), just the first ones in the report's order, as long as they include top + others
    that are no fragments; `judged_total` then says how many there are in all (render_brief)."""
    options = options or BriefOptions()
    refs = _References(view)
    describer = Describer(view, refs)
    ranked = _ranked(view)
    judged = [c for c in ranked if view.assessments[c["id"]]["credibility"] != 6]
    # a cluster whose every wording is a fragment ("Where it remained") is no judgement to lead with
    judged.sort(key=lambda c: _fragment(judgement_statement(c)))
    top = options.top if options.top is not None else DEFAULT_TOP
    judgements = [_judgement(view, c, view.assessments[c["id"]], describer, refs, options) for c in judged[:top]]
    rest = [c for c in judged[top:] if not _fragment(judgement_statement(c))]
    others = [{"statement": judgement_statement(c), "grade": f"{view.assessments[c['id']]['reliability']}"
               f"{view.assessments[c['id']]['credibility']}", "likelihood": likelihood_of(view.assessments[c["id"]]),
               "lines": len(view.assessments[c["id"]]["supporting_lines"])} for c in rest[:options.others]]
    unlisted = (len(judged) if judged_total is None else judged_total) - len(judgements) - len(others)
    gaps = [judgement_statement(c) for c in ranked if view.assessments[c["id"]]["credibility"] == 6]
    dates = sorted(d["published"] for d in view.documents.values() if d.get("published"))
    scope = (f"Based on {_plural(len(view.documents), 'document')}"
             + (f" published {dates[0]} to {dates[-1]}" if dates else "")
             + f", {_plural(view.live_claims, 'attributed claim')} and {_plural(len(view.ledger['lines']), 'independent line')} of sourcing.")
    return {
        "title": (judgements[0]["statement"][:1].upper() + judgements[0]["statement"][1:]) if judgements else "No assessed reporting",
        "scope": scope, "judgements": judgements, "others": others, "unlisted": unlisted, "gaps": gaps,
        "ungraded": sum(1 for j in judgements if j["grade"].startswith("F")), "references": refs.listing(),
        "linked": view.linked,
    }


def _ranked(view: LedgerView) -> list[dict[str, Any]]:
    """The report's clusters a brief may judge: assessed, and no group of denials (those stand under what they deny)."""
    return [c for c in view.report["clusters"] if not c.get("denial_of") and c["id"] in view.assessments]


def _top(judged: list[dict[str, Any]], top: int) -> list[dict[str, Any]]:
    """The key judgements: the first `top` of the judged clusters, fragments last."""
    return sorted(judged, key=lambda c: _fragment(judgement_statement(c)))[:top]


def read_brief(store: Store, options: BriefOptions | None = None) -> dict[str, Any]:
    """The brief of a store, read for what it shows (docs/brief.md): the report of just the clusters
    it may name, the lines it describes and their claims; the same brief as build_brief(read_view(store)).

    The clusters are ranked and sorted out (assessed, gradable or not, groups of denials) from the
    store's counts and assessments; the first judged ones are read, more while too many of them
    are fragments to fill the key judgements and the further list; every information gap is read."""
    from claimgraph.exports.view import read_shown
    from claimgraph.report import build_report, rank_clusters
    from claimgraph.store import schema as t

    options = options or BriefOptions()
    top = options.top if options.top is not None else DEFAULT_TOP
    m = t.cluster_members.c
    with store.engine.connect() as connection:
        grades = {a["cluster"]: a["credibility"] for a in (json.loads(data) for (data,) in connection.execute(
            select(t.assessments.c.data_json)))}
        parents = dict(connection.execute(select(t.clusters.c.id, t.clusters.c.parent)).all())
        own = {row.cluster_id: (row.n, row.against) for row in connection.execute(
            select(m.cluster_id, func.count().label("n"),
                   func.sum(case((m.relation == "contradicts", 1), else_=0)).label("against")).group_by(m.cluster_id))}
    # report's denial_of: a cluster under a parent whose own members all contradict
    denial = {c for c, (n, against) in own.items() if parents.get(c) and n and against == n}
    ranked = rank_clusters(store)  # once: each read of the report below takes it as it is
    ranking = [c for c in ranked.order if c in grades and c not in denial]
    judged = [c for c in ranking if grades[c] != 6]
    gaps = {c for c in ranking if grades[c] == 6}
    wanted = top + options.others + 10
    while True:
        first = judged[:wanted]
        report = build_report(store, only=set(first) | gaps, ranking=ranked)
        shown = {c["id"]: c for c in report["clusters"]}
        whole = [shown[c] for c in first if c in shown]
        if len(first) == len(judged) or sum(not _fragment(judgement_statement(c)) for c in whole) >= top + options.others:
            break
        wanted *= 4
    chosen = _top(whole, top)

    def described(view: LedgerView) -> set[str]:
        """The lines the key judgements describe: their supporting lines, and the lines of their denials."""
        return ({line for c in chosen for line in view.assessments[c["id"]]["supporting_lines"]}
                | {view.claim_line[member["claim"]] for c in chosen for member in c["denials"] if member["claim"] in view.claim_line})

    return build_brief(read_shown(store, report, described), options, judged_total=len(judged))


# ------------------------------------------------------------------ rendering

_TERMS_NOTE = ("Likelihood words follow ICD 203 (almost no chance 01-05%, very unlikely 05-20%, unlikely 20-45%, "
               "roughly even chance 45-55%, likely 55-80%, very likely 80-95%, almost certain 95-99%) and are derived from "
               "the Admiralty credibility grade and the number of independent lines; confidence (low, moderate, high) rests "
               "on how many independent lines there are, how reliable their sources are graded, and whether they are "
               "contested. Citations [n: start\u2013end] are character spans of reference n. See docs/brief.md.")


def brief_markdown(brief: dict[str, Any]) -> str:
    out = [f"# Brief: {brief['title']}", "", f"*{brief['scope']} Draft generated from the claimgraph ledger: "
           "check and edit every judgement before sending.*", ""]
    if not brief["linked"]:
        out += ["Nothing assessed yet: run `claimgraph link` after `claimgraph analyse`.", ""]
    out += ["## Key judgements", ""]
    for j in brief["judgements"]:
        sources = "; ".join(f"({i}) {s['short']}" for i, s in enumerate(j["sourcing"], 1))
        denied = "; ".join(f"{d['short']}" for d in j["denials"])
        out.append(f"- **{j['opening']}** {j['estimate']}"
                   + (f" Sourcing: {sources}." if sources else "")
                   + (f" Denied or contradicted by: {denied}." if denied else ""))
    out.append("")
    out += ["## Discussion", ""]
    for number, j in enumerate(brief["judgements"], 1):
        out += [f"### {number}. {j['statement'][:1].upper() + j['statement'][1:]}", "",
                f"*{j['likelihood'].capitalize()}; {j['confidence']} confidence; Admiralty {j['grade']} ({j['label']}); "
                f"hedging {j['hedging'][0]} to {j['hedging'][1]}; reported {j['reported'][0] or '?'} to {j['reported'][1] or '?'}.*", ""]
        out.append("**Sourcing.**")
        out += [f"- {s['descriptor']}" for s in j["sourcing"]] or ["- none"]
        out += ["", "**Reporting.**"]
        for r in j["reporting"]:
            dated = f", {r['published']}" if r["published"] else ""
            specific = " (more specific)" if r["more_specific"] else ""
            out.append(f"- \u201c{r['quote']}\u201d \u2014 {r['source']}{dated}, attributed to {r['attribution']}, "
                       f"hedging {r['hedging']}{specific} {r['citation']}")
        if j["denials"]:
            out += ["", "**Denials and contradictions.**"]
            for d in j["denials"]:
                dated = f" ({min(d['dates'])})" if d["dates"] else ""
                out.append(f"- {d['kind'].capitalize()}{dated} by {d['descriptor']}: \u201c{d['quote']}\u201d {' '.join(d['citations'])}")
        out += ["", "**What would change this judgement.**"]
        out += [f"- {c}" for c in j["changes"]] or ["- nothing in the sourcing alone: only new evidence"]
        out += ["", f"**Why this grade.** {'; '.join(j['reasons'])}.", ""]
    if brief["others"]:
        out += ["## Other reporting", ""]
        out += [f"- {o['statement'][:1].upper() + o['statement'][1:]} \u2014 {o['likelihood'] or 'cannot be judged'}, "
                f"{o['grade']}, {_plural(o['lines'], 'line')}" for o in brief["others"]]
        out.append("")
    if brief["unlisted"]:
        out += [f"{_plural(brief['unlisted'], 'further assessed claim')} (fragments among them) "
                "are in the report: `claimgraph report`.", ""]
    if brief["gaps"] or brief["ungraded"]:
        out += ["## Information gaps", ""]
        if brief["ungraded"]:
            out += [f"- The sources of {_plural(brief['ungraded'], 'key judgement')} are not graded for reliability "
                    "(F: cannot be judged); grading them (`claimgraph source grade NAME A-F`) can raise or lower the grades.", ""]
        if brief["gaps"]:
            out += ["- Reported, but asserted by no line on its own authority (truth cannot be judged from the corpus):", ""]
            out += [f"  - {g}" for g in brief["gaps"]] + [""]
    out += ["## References", ""]
    for r in brief["references"]:
        out.append(f"{r['number']}. {r['label']}" + (f" \u2014 \u201c{r['title']}\u201d" if r["title"] != r["label"] else "")
                   + (f", {r['published']}" if r["published"] else "") + (f", {r['url']}" if r["url"] else "")
                   + f" (file {r['file']}; id {r['id']})")
    out += ["", "---", "", _TERMS_NOTE]
    return "\n".join(out) + "\n"


def brief_html(brief: dict[str, Any]) -> str:
    """The brief as one standalone HTML page (every ledger string escaped)."""
    e = html.escape
    body = [f"<h1>Brief: {e(brief['title'])}</h1>", f"<p class=\"scope\"><em>{e(brief['scope'])} Draft generated from the "
            "claimgraph ledger: check and edit every judgement before sending.</em></p>"]
    if not brief["linked"]:
        body.append("<p>Nothing assessed yet: run <code>claimgraph link</code> after <code>claimgraph analyse</code>.</p>")
    body.append("<h2>Key judgements</h2><ul class=\"judgements\">")
    for j in brief["judgements"]:
        sources = "".join(f"<li>{e(s['short'])}</li>" for s in j["sourcing"])
        denied = "".join(f"<li>{e(d['kind'])} by {e(d['short'])}</li>" for d in j["denials"])
        body.append(f"<li><strong>{e(j['opening'])}</strong> {e(j['estimate'])}"
                    + (f"<ul class=\"sourcing\">{sources}</ul>" if sources else "")
                    + (f"<ul class=\"denials\">{denied}</ul>" if denied else "") + "</li>")
    body.append("</ul><h2>Discussion</h2>")
    for number, j in enumerate(brief["judgements"], 1):
        body.append(f"<section id=\"{e(j['cluster'])}\"><h3>{number}. {e(j['statement'][:1].upper() + j['statement'][1:])}</h3>"
                    f"<p><em>{e(j['likelihood'].capitalize())}; {e(j['confidence'])} confidence; Admiralty {e(j['grade'])} "
                    f"({e(j['label'])})</em></p><h4>Sourcing</h4><ul>"
                    + "".join(f"<li>{e(s['descriptor'])}</li>" for s in j["sourcing"]) + "</ul>"
                    "<h4>Reporting</h4><ul>"
                    + "".join(f"<li><q>{e(r['quote'])}</q> \u2014 {e(r['source'])}, attributed to {e(r['attribution'])}, "
                              f"hedging {e(r['hedging'])} {e(r['citation'])}</li>" for r in j["reporting"]) + "</ul>"
                    + ("<h4>Denials and contradictions</h4><ul>" + "".join(
                        f"<li>{e(d['kind'].capitalize())} by {e(d['descriptor'])}: <q>{e(d['quote'])}</q> {e(' '.join(d['citations']))}</li>"
                        for d in j["denials"]) + "</ul>" if j["denials"] else "")
                    + "<h4>What would change this judgement</h4><ul>"
                    + "".join(f"<li>{e(c)}</li>" for c in j["changes"]) + "</ul>"
                    f"<p><strong>Why this grade.</strong> {e('; '.join(j['reasons']))}.</p></section>")
    if brief["others"]:
        body.append("<h2>Other reporting</h2><ul>" + "".join(
            f"<li>{e(o['statement'])} \u2014 {e(o['likelihood'] or 'cannot be judged')}, {e(o['grade'])}</li>"
            for o in brief["others"]) + "</ul>")
    if brief["gaps"] or brief["ungraded"]:
        body.append("<h2>Information gaps</h2><ul>"
                    + (f"<li>The sources of {_plural(brief['ungraded'], 'key judgement')} are not graded for reliability "
                       "(F: cannot be judged).</li>" if brief["ungraded"] else "")
                    + "".join(f"<li>No line asserts on its own authority: {e(g)}</li>" for g in brief["gaps"]) + "</ul>")
    body.append("<h2>References</h2><ol>" + "".join(
        f"<li value=\"{r['number']}\">{e(r['label'])}{' — ' + e(r['title']) if r['title'] != r['label'] else ''}"
        f"{', ' + e(r['published']) if r['published'] else ''} <small>(file {e(r['file'])}; id {e(r['id'])})</small></li>"
        for r in brief["references"]) + f"</ol><hr><p><small>{e(_TERMS_NOTE)}</small></p>")
    return ("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Brief: " + e(brief["title"]) + "</title>"
            "<style>body{font-family:Georgia,serif;max-width:48rem;margin:2rem auto;line-height:1.45}"
            "h1,h2,h3,h4{font-family:sans-serif}q{font-style:italic}</style></head><body><article>"
            + "\n".join(body) + "</article></body></html>\n")


def render_brief(store: Store, fmt: str = "md", *, options: BriefOptions | None = None) -> str:
    """The brief of a store's ledger as Markdown ("md") or a standalone HTML page ("html")."""
    from claimgraph.records import collector_paused

    with collector_paused():
        brief = read_brief(store, options)
    if fmt == "html":
        return brief_html(brief)
    if fmt == "md":
        return brief_markdown(brief)
    raise ValueError(f"unknown brief format {fmt!r}: use md or html")
