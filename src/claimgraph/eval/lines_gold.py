"""Scoring a ledger against the development gold for independent lines (format claimgraph.lines-gold.v1).

The gold (eval/goldsets/corpus_lines.json, made by hand over shared/corpus) names, for a set of
propositions, every clause in the corpus that states or denies it, that clause's first-hand origin
and the independence group (line) of the origin; and, per document, its derivations (what it
re-reports, copies, cites or quotes). See docs/evaluation.md, "Independent lines on shared/corpus".

Everything is scored over the gold claims the ledger has a claim for: a gold claim matches the system
claim of the same document that covers most of it (at least half of the gold span; ties go to the
tighter span), so a missed claim lowers `claims` only, never the line or cluster scores.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from importlib import resources
from itertools import combinations
from pathlib import Path
from typing import Any

from claimgraph.errors import GoldFormatError
from claimgraph.eval.match import OVERLAP_THRESHOLD, match_documents, overlap
from claimgraph.eval.scores import PRF

LINES_FORMAT = "claimgraph.lines-gold.v1"
POLARITIES = ("asserted", "denied")
# provenance relations that say one corpus document derives from another
DOCUMENT_RELATIONS = frozenset({"re_reports", "copies", "near_duplicate", "cites", "quotes", "shares_text", "wire"})
EXAMPLES = 10


def packaged_lines_gold() -> Path:
    """The gold shipped with claimgraph: eval/goldsets/corpus_lines.json."""
    return Path(str(resources.files("claimgraph") / "eval" / "goldsets" / "corpus_lines.json"))


def read_lines_gold(path: str | Path) -> dict[str, Any] | None:
    """The gold at `path` when it is a lines gold (validated); None for any other JSON (e.g. seeds format)."""
    path = Path(path)
    try:
        gold = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None  # the seed-format loader reports what is wrong with the file
    if not isinstance(gold, dict) or gold.get("format") != LINES_FORMAT:
        return None
    validate_lines_gold(gold, source=str(path))
    return gold


def validate_lines_gold(gold: Any, *, source: str = "gold") -> None:
    """Raise GoldFormatError unless `gold` has the fields the scorer reads, consistently."""

    def fail(message: str) -> None:
        raise GoldFormatError(f"{source}: {message} (format {LINES_FORMAT})")

    if not isinstance(gold, dict) or gold.get("format") != LINES_FORMAT:
        fail("not a lines gold")
    for key in ("documents", "origins", "groups"):
        if not isinstance(gold.get(key), dict):
            fail(f"'{key}' must be an object")
    if not isinstance(gold.get("propositions"), list):
        fail("'propositions' must be a list")
    for origin_id, origin in gold["origins"].items():
        if not isinstance(origin, dict) or origin.get("group") not in gold["groups"]:
            fail(f"origin {origin_id!r} names no known group")
    for path, document in gold["documents"].items():
        for derivation in (document or {}).get("derivations") or []:
            parent = derivation.get("parent")
            if parent not in gold["documents"] and parent not in gold["origins"]:
                fail(f"{path}: derivation parent {parent!r} is neither a document nor an origin")
    seen: set[str] = set()
    for proposition in gold["propositions"]:
        pid = proposition.get("id")
        if not pid or pid in seen:
            fail(f"proposition id {pid!r} missing or repeated")
        seen.add(pid)
        for claim in proposition.get("claims") or []:
            where = f"{pid}: claim {claim}"
            if claim.get("document") not in gold["documents"]:
                fail(f"{where}: unknown document")
            if claim.get("origin") not in gold["origins"]:
                fail(f"{where}: unknown origin")
            if claim.get("polarity") not in POLARITIES:
                fail(f"{where}: polarity must be one of {POLARITIES}")
            start, end = claim.get("start"), claim.get("end")
            if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end):
                fail(f"{where}: start/end must be integers with 0 <= start < end")


def gold_claims(gold: dict[str, Any]) -> list[dict[str, Any]]:
    """Every gold claim, flat, with its proposition and group."""
    rows = []
    for proposition in gold["propositions"]:
        for claim in proposition.get("claims") or []:
            rows.append({**claim, "proposition": proposition["id"], "group": gold["origins"][claim["origin"]]["group"]})
    return rows


def find_corpus_root(gold: dict[str, Any], ledger: dict[str, Any]) -> Path | None:
    """The folder the gold's relative paths are under, found from the ledger's document origins."""
    for document in ledger.get("documents") or []:
        for origin in [document.get("origin") or ""] + list(document.get("origins") or []):
            origin_path = Path(str(origin))
            for relative in gold["documents"]:
                parts = Path(relative).parts
                if origin_path.parts[-len(parts):] == parts and origin_path.exists():
                    return Path(*origin_path.parts[: -len(parts)]) if len(origin_path.parts) > len(parts) else Path(".")
    return None


def _pairs(items: list[Any]) -> Iterable[tuple[Any, Any]]:
    return combinations(items, 2)


def _pairwise(matched: list[dict[str, Any]], gold_key: str, same_system, subset: frozenset[str] | None = None) -> PRF:
    """Pairwise precision/recall: pairs of matched gold claims in one gold set vs in one system set.

    With `subset` (proposition ids), only the pairs with at least one claim of those propositions
    count: a claim of the subset merged with a claim of another proposition is a wrong pair of the
    subset, whichever half the other claim is in."""
    score = PRF()
    for a, b in _pairs(matched):
        if subset is not None and a["proposition"] not in subset and b["proposition"] not in subset:
            continue
        gold_same = a[gold_key] == b[gold_key]
        system_same = same_system(a, b)
        score.gold += gold_same
        score.system += system_same
        score.true_positives += gold_same and system_same
    score.system_correct = score.true_positives
    return score


def _with_descendants(cluster_id: str, members: dict[str, list[str]], children: dict[str, list[str]],
                      relations: dict[tuple[str, str], str]) -> list[str]:
    """A cluster's members, then the agreeing members of its sub-clusters, as its assessment counts them."""
    out = list(members.get(cluster_id, []))
    for child in children.get(cluster_id, []):
        out += [m for m in _with_descendants(child, members, children, relations)
                if relations.get((child, m)) != "contradicts"]
    return out


def _match_claims(
    rows: list[dict[str, Any]], system: list[dict[str, Any]], text_ok: bool
) -> dict[int, dict[str, Any]]:
    """gold row index -> the system claim covering most of it (coverage >= 0.5 of the gold span)."""
    found: dict[int, dict[str, Any]] = {}
    if not text_ok:
        return found
    for i, row in enumerate(rows):
        gold_span = (row["start"], row["end"])
        best, best_key = None, None
        for claim in system:
            if not isinstance(claim.get("start"), int) or not isinstance(claim.get("end"), int):
                continue
            covered = max(0, min(gold_span[1], claim["end"]) - max(gold_span[0], claim["start"]))
            coverage = covered / (gold_span[1] - gold_span[0])
            if coverage < OVERLAP_THRESHOLD - 1e-12:
                continue
            key = (coverage, overlap(gold_span, (claim["start"], claim["end"])), -claim["start"])
            if best_key is None or key > best_key:
                best, best_key = claim, key
        if best is not None:
            found[i] = best
    return found


def proposition_subset(gold: dict[str, Any], which: str) -> frozenset[str]:
    """Proposition ids named by `which`: "odd" / "even" (by the number in the id, P01 is odd) or a
    comma-separated list of ids. The cluster figures of one half can then be tuned on while the
    other is held out."""
    ids = [p["id"] for p in gold["propositions"]]
    if which in ("odd", "even"):
        parity = 1 if which == "odd" else 0
        return frozenset(i for i in ids if int("".join(ch for ch in i if ch.isdigit()) or 0) % 2 == parity)
    wanted = frozenset(w.strip() for w in which.split(",") if w.strip())
    unknown = sorted(wanted - set(ids))
    if unknown:
        raise GoldFormatError(f"no such proposition in the lines gold: {', '.join(unknown)}")
    return wanted


def score_lines_gold(ledger: dict[str, Any], gold: dict[str, Any], corpus_root: Path | None = None,
                     *, propositions: Iterable[str] | None = None) -> dict[str, Any]:
    """Score a ledger export (`claimgraph export --format json`) against a lines gold; a JSON-ready dict.

    propositions (ids, e.g. `proposition_subset(gold, "odd")`): score the cluster and family pairs
    only over pairs with a claim of one of them (`clusters_pairwise_subset`,
    `cluster_families_pairwise_subset`); the other figures stay over the whole gold.

    corpus_root (the folder holding seeds/ and dev/) is optional: with it, each file's sha1 is
    checked against the gold and the ledger's text against the file; without it, the ledger's text
    is checked against the gold's sha1. A document whose text differs has its claims unmatched.
    """
    validate_lines_gold(gold)
    by_name = {Path(path).name: path for path in gold["documents"]}
    documents = {by_name[name]: doc for name, doc in match_documents(ledger.get("documents") or [], list(by_name)).items()}
    ledger_to_gold = {str(doc["id"]): path for path, doc in documents.items()}
    sha1_mismatch, text_mismatch, text_ok = [], [], {}
    for path, entry in gold["documents"].items():
        file = corpus_root / path if corpus_root is not None else None
        file_text = None
        if file is not None and file.exists():
            data = file.read_bytes()
            if hashlib.sha1(data).hexdigest() != entry.get("sha1"):
                sha1_mismatch.append(path)
            file_text = data.decode("utf-8")
        if path not in documents:
            continue
        text = documents[path].get("text")
        if file_text is not None:
            ok = text == file_text and path not in sha1_mismatch
        else:
            ok = isinstance(text, str) and hashlib.sha1(text.encode("utf-8")).hexdigest() == entry.get("sha1")
        text_ok[path] = ok
        if not ok:
            text_mismatch.append(path)

    system_by_doc: dict[str, list[dict[str, Any]]] = {}
    for claim in ledger.get("claims") or []:
        path = ledger_to_gold.get(str(claim.get("document_id")))
        if path is not None:
            system_by_doc.setdefault(path, []).append(claim)
    line_of: dict[str, str] = {}
    for line in ledger.get("lines") or []:
        for claim_id in line.get("claims") or []:
            line_of.setdefault(str(claim_id), str(line.get("id")))
    for claim in ledger.get("claims") or []:  # a claim row may name its line itself
        if claim.get("line") is not None:
            line_of.setdefault(str(claim.get("id")), str(claim["line"]))
    clusters_of: dict[str, set[str]] = {}
    cluster_members: dict[str, list[str]] = {}
    children: dict[str, list[str]] = {}
    relations: dict[tuple[str, str], str] = {}
    for cluster in ledger.get("clusters") or []:
        members = [str(m.get("claim")) if isinstance(m, dict) else str(m) for m in cluster.get("members") or []]
        cluster_members[str(cluster.get("id"))] = members
        if cluster.get("parent"):
            children.setdefault(str(cluster["parent"]), []).append(str(cluster.get("id")))
        for m in cluster.get("members") or []:
            if isinstance(m, dict):
                relations[(str(cluster.get("id")), str(m.get("claim")))] = str(m.get("relation"))
        for member in members:
            clusters_of.setdefault(member, set()).add(str(cluster.get("id")))

    # ---- claims
    rows = gold_claims(gold)
    matched: list[dict[str, Any]] = []
    for path in gold["documents"]:
        doc_rows = [r for r in rows if r["document"] == path]
        found = _match_claims(doc_rows, system_by_doc.get(path, []), text_ok.get(path, False))
        for i, claim in found.items():
            system_id = str(claim.get("id"))
            matched.append({**doc_rows[i], "system": system_id, "line": line_of.get(system_id), "clusters": clusters_of.get(system_id, set())})
    by_polarity = {p: {"gold": sum(r["polarity"] == p for r in rows), "matched": sum(r["polarity"] == p for r in matched)} for p in POLARITIES}

    # ---- lines, pairwise over matched gold claims (a claim on no line is a line of its own)
    def same_line(a: dict[str, Any], b: dict[str, Any]) -> bool:
        return a["system"] == b["system"] or (a["line"] is not None and a["line"] == b["line"])

    lines_pairwise = _pairwise(matched, "group", same_line)

    # ---- per proposition: distinct gold groups vs distinct system lines among asserted claims
    items = []
    verdicts = {"exact": 0, "over": 0, "under": 0}
    for proposition in gold["propositions"]:
        pid = proposition["id"]
        asserted = [r for r in rows if r["proposition"] == pid and r["polarity"] == "asserted"]
        hits = [r for r in matched if r["proposition"] == pid and r["polarity"] == "asserted"]
        gold_groups = len({r["group"] for r in asserted})
        system_lines = len({r["line"] if r["line"] is not None else f"claim:{r['system']}" for r in hits})
        verdict = "exact" if system_lines == gold_groups else ("over" if system_lines > gold_groups else "under")
        verdicts[verdict] += 1
        items.append(
            {
                "id": pid,
                "gloss": proposition.get("gloss", ""),
                "claims": len(asserted),
                "matched": len(hits),
                "gold_groups": gold_groups,
                "gold_groups_matched": len({r["group"] for r in hits}),
                "system_lines": system_lines,
                "verdict": verdict,
            }
        )

    # ---- overstated corroborations
    gold_by_system: dict[str, list[dict[str, Any]]] = {}
    for r in matched:
        gold_by_system.setdefault(r["system"], []).append(r)
    claim_rows = {str(c.get("id")): c for c in ledger.get("claims") or []}
    anchors = {str(c.get("id")): c.get("anchor_text") for c in ledger.get("clusters") or []}
    corroborated = checkable = 0
    overstated: list[dict[str, Any]] = []
    for assessment in ledger.get("assessments") or []:
        supporting = {str(x) for x in assessment.get("supporting_lines") or []}
        if len(supporting) < 2:
            continue
        corroborated += 1
        cluster_id = str(assessment.get("cluster"))
        support = []
        # The assessment counts the lines of a cluster's more specific sub-clusters too (their
        # agreeing members support the general claim): so does this check.
        for member in _with_descendants(cluster_id, cluster_members, children, relations):
            if line_of.get(member) not in supporting or (claim_rows.get(member) or {}).get("polarity") == "denied":
                continue
            support += [r for r in gold_by_system.get(member, []) if r["polarity"] == "asserted"]
        if len(support) < 2:
            continue
        checkable += 1
        groups = {r["group"] for r in support}
        if len(groups) == 1:
            overstated.append(
                {
                    "cluster": cluster_id,
                    "anchor_text": anchors.get(cluster_id),
                    "supporting_lines": len(supporting),
                    "gold_group": next(iter(groups)),
                    "gold_claims": len(support),
                    "documents": sorted({r["document"] for r in support}),
                }
            )

    # ---- clusters, pairwise over matched gold claims
    def same_cluster(a: dict[str, Any], b: dict[str, Any]) -> bool:
        return a["system"] == b["system"] or bool(a["clusters"] & b["clusters"])

    clusters_pairwise = _pairwise(matched, "proposition", same_cluster)
    subset = frozenset(propositions) if propositions is not None else None

    # ... and over cluster families (a cluster with its sub-clusters and the denials hung under
    # it): a proposition's assertions and its denials are one family, never one flat cluster.
    parent_of = {str(c.get("id")): str(c["parent"]) for c in ledger.get("clusters") or [] if c.get("parent")}

    def family(cluster_id: str) -> str:
        seen = set()
        while cluster_id in parent_of and cluster_id not in seen:
            seen.add(cluster_id)
            cluster_id = parent_of[cluster_id]
        return cluster_id

    for row in matched:
        row["families"] = {family(c) for c in row["clusters"]}
    def same_family(a: dict[str, Any], b: dict[str, Any]) -> bool:
        return a["system"] == b["system"] or bool(a["families"] & b["families"])

    families_pairwise = _pairwise(matched, "proposition", same_family)
    subset_scores = {} if subset is None else {
        "subset": sorted(subset),
        "clusters_pairwise_subset": _pairwise(matched, "proposition", same_cluster, subset).to_dict(),
        "cluster_families_pairwise_subset": _pairwise(matched, "proposition", same_family, subset).to_dict(),
    }

    # ---- document derivations between corpus documents (unordered pairs)
    gold_pairs = {
        frozenset((path, d["parent"]))
        for path, entry in gold["documents"].items()
        for d in entry.get("derivations") or []
        if d["parent"] in gold["documents"] and d["parent"] != path
    }
    system_pairs: dict[frozenset[str], set[str]] = {}
    for edge in ledger.get("provenance") or []:
        child, parent = ledger_to_gold.get(str(edge.get("child"))), ledger_to_gold.get(str(edge.get("parent")))
        if child and parent and child != parent and edge.get("relation") in DOCUMENT_RELATIONS:
            system_pairs.setdefault(frozenset((child, parent)), set()).add(str(edge.get("relation")))
    derivations = PRF(gold=len(gold_pairs), system=len(system_pairs))
    derivations.true_positives = derivations.system_correct = len(gold_pairs & set(system_pairs))

    def pair_list(pairs: Iterable[frozenset[str]]) -> list[list[str]]:
        return sorted(sorted(Path(p).name for p in pair) for pair in pairs)

    return {
        "format": LINES_FORMAT,
        "documents": {
            "gold": len(gold["documents"]),
            "matched": len(documents),
            "missing": sorted(set(gold["documents"]) - set(documents)),
            "sha1_mismatch": sorted(sha1_mismatch),
            "text_mismatch": sorted(text_mismatch),
            "corpus_root": str(corpus_root) if corpus_root is not None else None,
        },
        "claims": {
            "gold": len(rows),
            "matched": len(matched),
            "recall": round(len(matched) / len(rows), 4) if rows else 1.0,
            "by_polarity": by_polarity,
        },
        "lines_pairwise": lines_pairwise.to_dict(),
        "propositions": {**verdicts, "total": len(items), "items": items},
        "corroboration": {
            "corroborated_clusters": corroborated,
            "checkable": checkable,
            "overstated": len(overstated),
            "examples": overstated[:EXAMPLES],
        },
        "clusters_pairwise": clusters_pairwise.to_dict(),
        "cluster_families_pairwise": families_pairwise.to_dict(),
        **subset_scores,
        "derivations": {
            **derivations.to_dict(),
            "missed": pair_list(gold_pairs - set(system_pairs)),
            "extra": pair_list(set(system_pairs) - gold_pairs),
        },
    }


def format_lines_report(result: dict[str, Any]) -> str:
    """The scores as text, for `claimgraph eval`."""

    def prf(d: dict[str, Any]) -> str:
        return f"P {d['precision']:.3f}  R {d['recall']:.3f}  F1 {d['f1']:.3f}  (tp {d['tp']}, gold {d['gold']}, system {d['system']})"

    docs, claims, props, corr = result["documents"], result["claims"], result["propositions"], result["corroboration"]
    out = [
        f"lines gold ({result['format']})",
        f"documents       {docs['matched']}/{docs['gold']} matched"
        + (f"; sha1 differs: {', '.join(docs['sha1_mismatch'])}" if docs["sha1_mismatch"] else "")
        + (f"; text differs (claims not scored): {', '.join(docs['text_mismatch'])}" if docs["text_mismatch"] else ""),
        f"claims          {claims['matched']}/{claims['gold']} matched ({claims['recall']:.3f}); "
        + ", ".join(f"{p} {v['matched']}/{v['gold']}" for p, v in claims["by_polarity"].items()),
        f"lines pairwise  {prf(result['lines_pairwise'])}",
        f"clusters pairw. {prf(result['clusters_pairwise'])}",
        f"families pairw. {prf(result['cluster_families_pairwise'])}  (a cluster with its sub-clusters and denials)",
    ]
    if "subset" in result:
        named = ", ".join(result["subset"])
        out += [
            f"  subset        pairs with a claim of {len(result['subset'])} propositions ({named[:60]}{'...' if len(named) > 60 else ''})",
            f"  clusters      {prf(result['clusters_pairwise_subset'])}",
            f"  families      {prf(result['cluster_families_pairwise_subset'])}",
        ]
    out += [
        f"propositions    groups vs lines: exact {props['exact']}, over {props['over']}, under {props['under']} (of {props['total']})",
    ]
    for item in props["items"]:
        out.append(
            f"  {item['id']:<4} gold {item['gold_groups']} (matched {item['gold_groups_matched']})  system {item['system_lines']}  "
            f"{item['verdict']:<5}  claims {item['matched']}/{item['claims']}  {item['gloss'][:70]}"
        )
    out.append(
        f"corroboration   {corr['corroborated_clusters']} clusters with >= 2 supporting lines, {corr['checkable']} checkable, "
        f"{corr['overstated']} overstated (all gold-matched support in one gold line)"
    )
    for example in corr["examples"]:
        out.append(
            f"  {example['cluster']}  {example['supporting_lines']} lines claimed, gold {example['gold_group']} "
            f"({example['gold_claims']} claims in {len(example['documents'])} docs): {str(example['anchor_text'])[:70]}"
        )
    der = result["derivations"]
    out.append(f"derivations     {prf(der)}")
    for label in ("missed", "extra"):
        if der[label]:
            out.append(f"  {label}: " + "; ".join(" ~ ".join(pair) for pair in der[label]))
    return "\n".join(out)
