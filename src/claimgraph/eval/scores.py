"""The score records: precision/recall/F1 counts, accuracies, and 'not measured' markers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class PRF:
    """Counts behind precision, recall and F1; the ratios are derived so they never disagree."""

    true_positives: int = 0  # gold items matched (recall side)
    gold: int = 0
    system_correct: int = 0  # system items matched (precision side; equals true_positives for 1:1 matching)
    system: int = 0

    @property
    def precision(self) -> float:
        # No system output at all is perfect precision only when there was nothing to find.
        if self.system == 0:
            return 1.0 if self.gold == 0 else 0.0
        return self.system_correct / self.system

    @property
    def recall(self) -> float:
        if self.gold == 0:
            return 1.0 if self.system == 0 else 0.0
        return self.true_positives / self.gold

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 0.0 if p + r == 0 else 2 * p * r / (p + r)

    def to_dict(self) -> dict[str, Any]:
        return {
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "tp": self.true_positives,
            "gold": self.gold,
            "system": self.system,
            "system_correct": self.system_correct,
        }


@dataclass
class Accuracy:
    """correct / total over the items a metric applies to; None when there were none."""

    correct: int = 0
    total: int = 0

    @property
    def accuracy(self) -> float | None:
        return self.correct / self.total if self.total else None

    def add(self, ok: bool) -> None:
        self.total += 1
        self.correct += int(ok)

    def to_dict(self) -> dict[str, Any]:
        value = self.accuracy
        return {"accuracy": None if value is None else round(value, 4), "correct": self.correct, "total": self.total}


@dataclass
class NotMeasured:
    """A stage the evaluation has a hook for but could not score on this ledger."""

    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {"measured": False, "reason": self.reason}
