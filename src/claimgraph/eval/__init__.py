"""Scoring a ledger against a hand-made gold file (format: shared/gold/seeds.json).

See docs/evaluation.md for how every number is computed.
"""

from claimgraph.eval.evaluation import evaluate
from claimgraph.eval.gold import gold_hash, load_gold, validate_gold
from claimgraph.eval.match import overlap
from claimgraph.eval.report import EvalReport, check_floors, format_report
from claimgraph.eval.scores import PRF, Accuracy, NotMeasured

__all__ = [
    "PRF",
    "Accuracy",
    "EvalReport",
    "NotMeasured",
    "check_floors",
    "evaluate",
    "format_report",
    "gold_hash",
    "load_gold",
    "overlap",
    "validate_gold",
]
