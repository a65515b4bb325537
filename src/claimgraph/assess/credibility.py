"""Admiralty information credibility (1-6) per claim cluster, with its reasons in words.

The grade rests on independent lines (re-reports of one story count once), contradictions
and denials; source reliability (A-F, default F "cannot be judged") can lift a grade to 1
("confirmed") only when independent, reliable lines agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from claimgraph.records import flat_dict

if TYPE_CHECKING:  # a runtime import would be circular: link.corpus imports this module
    from claimgraph.link.lines import ClusterSourcing

# v2: overstatement flags in the reasons and on the assessment: access upgrades and misquotes
# beside dropped hedges.
CREDIBILITY_STEP = "assess.credibility.v2"
LABELS = {
    1: "confirmed by other sources",
    2: "probably true",
    3: "possibly true",
    4: "doubtful",
    5: "improbable",
    6: "truth cannot be judged",
}


@dataclass(frozen=True, kw_only=True)
class CredibilityOptions:
    default_reliability: str = "F"
    reliable: str = "AB"  # reliability grades that can make agreement "confirmed"
    hedged: tuple[str, ...] = ("medium", "high")  # hedging that signals the reporter's own doubt


@dataclass(kw_only=True)
class Assessment:
    cluster: str
    credibility: int
    label: str
    reliability: str  # best reliability among the supporting lines
    supporting_lines: list[str] = field(default_factory=list)
    contradicting_lines: list[str] = field(default_factory=list)
    denying_lines: list[str] = field(default_factory=list)
    hedging_strongest: str | None = None
    hedging_weakest: str | None = None
    first_report: str | None = None
    last_report: str | None = None
    reasons: list[str] = field(default_factory=list)
    # overstatement by re-reports (ClusterSourcing): claims stated more firmly than their line's
    # first report, documents claiming more access than it ("seen by -> obtained by"), misquotes
    firmer: list[str] = field(default_factory=list)
    upgraded: dict[str, str] = field(default_factory=dict)
    misquoted: dict[str, str] = field(default_factory=dict)
    step: str = CREDIBILITY_STEP

    def to_dict(self) -> dict[str, Any]:
        return flat_dict(self)

    @property
    def line(self) -> str:
        return f"{self.reliability}{self.credibility}"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def assess_cluster(
    sourcing: ClusterSourcing,
    *,
    reliability: dict[str, str] | None = None,  # line id or root -> A..F, set by an analyst
    options: CredibilityOptions | None = None,
) -> Assessment:
    options = options or CredibilityOptions()
    reliability = reliability or {}
    support = sourcing.supporting_lines
    # A line that both supports and denies (one outlet carrying the claim and its denial) still
    # supports; its denial counts against it but not as a separate line.
    contra = [l for l in sourcing.contradicting_lines if l not in support]
    denials = [l for l in sourcing.denying_lines if l not in contra]
    grades = sorted(reliability.get(line, options.default_reliability) for line in support) or [options.default_reliability]
    best = grades[0]
    reasons: list[str] = []
    n, c, d = len(support), len(contra), len(denials)
    reasons.append(f"{_plural(n, 'independent line')} {'supports' if n == 1 else 'support'} it")
    carried = sum(sourcing.carriers.get(line, 1) for line in support)
    if carried > n:
        # Many documents are not many lines: say so, so that a count of outlets is never read as corroboration.
        reasons.append(f"carried by {carried} documents, all re-reporting one origin" if n == 1
                       else f"carried by {carried} documents re-reporting {n} origins")
    if sourcing.firmer:
        reasons.append(f"{_plural(len(sourcing.firmer), 're-report')} {'states' if len(sourcing.firmer) == 1 else 'state'} it "
                       "more firmly than its line's first report (hedges dropped)")
    upgraded = getattr(sourcing, "upgraded", None) or {}
    if upgraded:
        changes = ", ".join(sorted(set(upgraded.values())))
        reasons.append(f"{_plural(len(upgraded), 're-report')} {'claims' if len(upgraded) == 1 else 'claim'} "
                       f"more access than {'its' if len(upgraded) == 1 else 'their'} origin ({changes})")
    misquoted = getattr(sourcing, "misquoted", None) or {}
    if misquoted:
        reasons.append(f"{_plural(len(misquoted), 'document')} {'misquotes' if len(misquoted) == 1 else 'misquote'} "
                       f"another ({'; '.join(sorted(misquoted.values())[:2])})")
    if c:
        reasons.append(f"{_plural(c, 'line')} {'contradicts' if c == 1 else 'contradict'} it")
    if d:
        reasons.append(f"{_plural(d, 'line')} {'carries' if d == 1 else 'carry'} a denial")
    if n == 0:
        grade = 6
        reasons.append("no line asserts it, so its truth cannot be judged from the corpus")
    elif c > n:
        grade = 5
        reasons.append("more independent lines contradict it than support it")
    elif n >= 2 and not c and not d:
        grade = 1 if sum(1 for g in grades if g in options.reliable) >= 2 else 2
        reasons.append(
            "corroborated by independent, reliable lines" if grade == 1
            else f"corroborated by independent lines (best source reliability {best}, so not 'confirmed')"
        )
    elif n >= 2:
        grade = 3
        reasons.append("corroborated, but contested")
    elif c or d:
        grade = 4
        reasons.append("a single line, contradicted or denied")
    else:
        hedged = sourcing.hedging_strongest in options.hedged
        grade = 4 if hedged else 3
        reasons.append(
            "a single line, and even its firmest report is hedged" if hedged
            else "a single uncorroborated line"
        )
    return Assessment(
        cluster=sourcing.cluster,
        credibility=grade,
        label=LABELS[grade],
        reliability=best,
        supporting_lines=list(support),
        contradicting_lines=contra,
        denying_lines=denials,
        hedging_strongest=sourcing.hedging_strongest,
        hedging_weakest=sourcing.hedging_weakest,
        first_report=sourcing.first_report,
        last_report=sourcing.last_report,
        reasons=reasons,
        firmer=list(sourcing.firmer),
        upgraded=dict(upgraded),
        misquoted=dict(misquoted),
    )
