"""The evaluation report: one record per stage, a JSON form and a readable table."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from claimgraph.eval.claims import AttributeScores, ClaimScores
from claimgraph.eval.dates import DateScores
from claimgraph.eval.mentions import MentionScores
from claimgraph.eval.scores import PRF, Accuracy, NotMeasured
from claimgraph.eval.structure import ClusterScores, EventScores, HardNegativeScores, LineScores

REPORT_VERSION = 1


@dataclass
class DocumentCoverage:
    gold: int = 0
    matched: list[str] = field(default_factory=list)  # gold doc_ids found in the ledger
    missing: list[str] = field(default_factory=list)  # gold doc_ids with no ledger document (all their items missed)

    def to_dict(self) -> dict[str, Any]:
        return {"gold": self.gold, "matched": len(self.matched), "missing": list(self.missing)}


@dataclass
class EvalReport:
    """Scores of one ledger against one gold file, stage by stage."""

    documents: DocumentCoverage
    mentions: MentionScores
    claims: ClaimScores
    attributes: AttributeScores
    dates: DateScores
    clusters: ClusterScores | NotMeasured
    hard_negatives: HardNegativeScores | NotMeasured
    lines: LineScores | NotMeasured
    events: EventScores | NotMeasured
    links: NotMeasured
    gold_hash: str | None = None  # set by callers that evaluated a gold file, to pin floors to it

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready nested form (for --json); `metrics` adds the flat name -> number view for floors."""
        return {
            "report_version": REPORT_VERSION,
            "gold_hash": self.gold_hash,
            "documents": self.documents.to_dict(),
            "mentions": self.mentions.to_dict(),
            "claims": self.claims.to_dict(),
            "attributes": self.attributes.to_dict(),
            "dates": self.dates.to_dict(),
            "clusters": self.clusters.to_dict(),
            "hard_negatives": self.hard_negatives.to_dict(),
            "lines": self.lines.to_dict(),
            "events": self.events.to_dict(),
            "links": self.links.to_dict(),
            "metrics": self.metrics(),
        }

    def metrics(self) -> dict[str, float]:
        """Flat 'stage.metric' -> value for every measured number (what a floors file pins)."""
        flat: dict[str, float] = {}
        for name, score in self._rows():
            if isinstance(score, PRF):
                flat[f"{name}.precision"] = round(score.precision, 4)
                flat[f"{name}.recall"] = round(score.recall, 4)
                flat[f"{name}.f1"] = round(score.f1, 4)
            elif isinstance(score, Accuracy) and score.accuracy is not None:
                flat[f"{name}.accuracy"] = round(score.accuracy, 4)
        if isinstance(self.clusters, ClusterScores):
            flat["clusters.bcubed.precision"] = round(self.clusters.bcubed_precision, 4)
            flat["clusters.bcubed.recall"] = round(self.clusters.bcubed_recall, 4)
            flat["clusters.bcubed.f1"] = round(self.clusters.bcubed_f1, 4)
        if isinstance(self.hard_negatives, HardNegativeScores):
            flat["hard_negatives.merged"] = float(self.hard_negatives.merged)
        return flat

    def _rows(self) -> list[tuple[str, PRF | Accuracy | NotMeasured]]:
        rows: list[tuple[str, PRF | Accuracy | NotMeasured]] = [
            ("mentions.exact", self.mentions.exact),
            ("mentions.overlap", self.mentions.overlap),
            ("claims.exact", self.claims.exact),
            ("claims.overlap", self.claims.overlap),
            ("claims.in_scope_recall", self.claims.in_scope_recall),
        ]
        for name in self.attributes.__dataclass_fields__:
            rows.append((f"attributes.{name}", getattr(self.attributes, name)))
        rows += [
            ("dates.accuracy", self.dates.accuracy),
            ("dates.strict", self.dates.strict),
            ("dates.lenient", self.dates.lenient),
        ]
        if isinstance(self.clusters, ClusterScores):
            rows.append(("clusters.pairwise", self.clusters.pairwise))
        else:
            rows.append(("clusters", self.clusters))
        if not isinstance(self.hard_negatives, HardNegativeScores):
            rows.append(("hard_negatives", self.hard_negatives))
        if isinstance(self.lines, LineScores):
            rows += [("lines.documents", self.lines.documents), ("lines.pairs", self.lines.pairs)]
        else:
            rows.append(("lines", self.lines))
        if isinstance(self.events, EventScores):
            rows += [("events.dated", self.events.dated), ("events.dated_in_text", self.events.dated_in_text)]
        else:
            rows.append(("events", self.events))
        rows.append(("links", self.links))
        return rows


def _cell(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def _prf_cells(precision: float, recall: float, f1: float) -> str:
    return f"{_cell(precision):>6} {_cell(recall):>6} {_cell(f1):>6}"


def format_report(report: EvalReport) -> str:
    """A fixed-width table: precision/recall/F1 for detection stages, accuracy for labels."""
    lines = [
        f"documents: {len(report.documents.matched)}/{report.documents.gold} gold documents found in the ledger"
        + (f" (missing: {', '.join(report.documents.missing)})" if report.documents.missing else ""),
        "",
        f"{'metric':<34} {'P':>6} {'R':>6} {'F1':>6} {'acc':>6}  n",
        "-" * 72,
    ]
    for name, score in report._rows():
        if isinstance(score, PRF):
            n = f"gold {score.gold}, system {score.system}"
            lines.append(f"{name:<34} {_prf_cells(score.precision, score.recall, score.f1)} {'':>6}  {n}")
        elif isinstance(score, Accuracy):
            blank = " " * 20
            lines.append(f"{name:<34} {blank} {_cell(score.accuracy):>6}  {score.correct}/{score.total}")
        else:
            lines.append(f"{name:<34} not measured: {score.reason}")
    if isinstance(report.clusters, ClusterScores):
        c = report.clusters
        lines.append(
            f"{'clusters.bcubed':<34} {_prf_cells(c.bcubed_precision, c.bcubed_recall, c.bcubed_f1)}"
            f" {'':>6}  claims {c.claims}"
        )
    if isinstance(report.hard_negatives, HardNegativeScores):
        h = report.hard_negatives
        lines.append(
            f"{'hard_negatives.merged':<34} {h.merged} of {h.both_matched} matched pairs"
            f" ({h.pairs} in gold; lower is better)"
        )
    d = report.dates
    lines += [
        "",
        f"dates: {d.expressions} gold expressions; scored {d.accuracy.total}, relative/undated skipped "
        f"{d.skipped_relative}, no expected value {d.skipped_no_value}, not found in text {d.unlocated}",
        f"claims: {report.claims.ignored_outside_claim_zones} system claims outside claim zones ignored",
    ]
    if report.gold_hash:
        lines.append(f"gold sha256: {report.gold_hash}")
    return "\n".join(lines)


def check_floors(report: EvalReport, floors: dict[str, Any]) -> list[str]:
    """Why the report fails a floors file ({"gold_sha256": ..., "metrics": {name: minimum}}); [] = passes.

    'hard_negatives.merged' is a ceiling, not a floor: fewer merged look-alikes is better.
    A floor for a metric the report does not have fails, so a stage cannot silently stop being measured.
    """
    problems: list[str] = []
    pinned = floors.get("gold_sha256")
    if pinned and report.gold_hash and pinned != report.gold_hash:
        problems.append(f"floors were set on gold {pinned[:12]}, this run used gold {report.gold_hash[:12]}")
    measured = report.metrics()
    for name, bound in sorted((floors.get("metrics") or {}).items()):
        value = measured.get(name)
        if value is None:
            problems.append(f"{name}: not measured (floor {bound})")
        elif name == "hard_negatives.merged":
            if value > bound:
                problems.append(f"{name}: {value:g} above the ceiling {bound}")
        elif value + 1e-9 < bound:
            problems.append(f"{name}: {value:.4f} below the floor {bound}")
    return problems
