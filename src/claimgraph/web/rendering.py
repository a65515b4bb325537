"""A document's text cut into runs for the page: each run knows its zone and the claims covering it.

The template writes every run's text through autoescaping; nothing here produces markup.
"""

from __future__ import annotations

from calendar import monthrange
from dataclasses import dataclass, field
from typing import Any

from claimgraph.models import CLAIM_ZONES, Zone

GREYED_ZONES = frozenset({"header", "dateline", "furniture", "related_link"})


@dataclass(kw_only=True)
class Run:
    text: str
    start: int
    zone: str
    claims: list[str] = field(default_factory=list)  # covering claims, innermost first
    claim: dict[str, Any] | None = None  # the innermost covering claim
    first: bool = False  # the run where that claim starts (the one keyboard focus lands on)

    @property
    def greyed(self) -> bool:
        return self.zone in GREYED_ZONES or (self.zone not in CLAIM_ZONES and self.zone != "text")


def runs(text: str, zones: list[Zone], claims: list[dict[str, Any]]) -> list[Run]:
    """Cut text at every zone and claim boundary (one sweep, so 10k claims stay fast)."""
    size = len(text)
    clip = lambda value: max(0, min(value, size))  # noqa: E731
    cuts = {0, size}
    for zone in zones:
        cuts.update((clip(zone.start), clip(zone.end)))
    for claim in claims:
        cuts.update((clip(claim["start"]), clip(claim["end"])))
    ordered = sorted(cuts)
    by_start = sorted(claims, key=lambda c: c["start"])
    sorted_zones = sorted(zones, key=lambda z: z.start)
    active: list[dict[str, Any]] = []
    next_claim = next_zone = 0
    zone_now: Zone | None = None
    result: list[Run] = []
    seen: set[str] = set()
    for start, end in zip(ordered, ordered[1:]):
        while next_claim < len(by_start) and by_start[next_claim]["start"] <= start:
            active.append(by_start[next_claim])
            next_claim += 1
        active = [c for c in active if c["end"] > start]
        while next_zone < len(sorted_zones) and sorted_zones[next_zone].start <= start:
            zone_now = sorted_zones[next_zone]
            next_zone += 1
        kind = zone_now.kind if zone_now is not None and zone_now.start <= start < zone_now.end else "text"
        covering = sorted((c for c in active if c["end"] >= end), key=lambda c: (c["end"] - c["start"], c["id"]))
        run = Run(text=text[start:end], start=start, zone=kind, claims=[c["id"] for c in covering])
        if covering:
            run.claim = covering[0]
            run.first = covering[0]["id"] not in seen
            seen.add(covering[0]["id"])
        result.append(run)
    return result


# ---------------------------------------------------------------------- timeline


@dataclass(kw_only=True)
class Mark:
    """One dated item on the timeline: a day is a tick, a month or a year is a band as wide as it."""

    item: dict[str, Any]
    x: float
    width: float
    row: int


def timeline_layout(items: list[dict[str, Any]], *, width: float = 1000.0) -> dict[str, Any]:
    """Place dated items on a month axis: x in [0, width], one row per overlap level.

    Stretches of more than a few empty months are cut out and drawn as a gap, so 2016 and 2021
    both stay readable on one axis.
    """
    intervals = [(i, _interval(i.get("date") or i.get("value"), i.get("precision"))) for i in items]
    dated = [(i, span) for i, span in intervals if span]
    if not dated:
        return {"marks": [], "months": [], "gaps": [], "width": width, "rows": 0}
    shown: set[int] = set()
    for _, (begin, finish) in dated:
        shown.update(range(int(begin) - 1, int(finish - 1e-9) + 2))
    ordered = sorted(shown)
    slots: dict[int, int] = {}  # month -> axis slot; an empty stretch costs one slot
    gaps: list[int] = []
    slot = 0
    for index, month in enumerate(ordered):
        if index and month - ordered[index - 1] > 1:
            gaps.append(slot)
            slot += 1
        slots[month] = slot
        slot += 1
    scale = width / slot

    def position(value: float) -> float:
        month = int(value)
        return (slots[month] + (value - month)) * scale

    marks: list[Mark] = []
    row_ends: list[float] = []
    for item, (begin, finish) in sorted(dated, key=lambda d: d[1]):
        x = position(begin)
        end_month = int(finish - 1e-9)
        w = max(3.0, position(end_month) + (finish - end_month) * scale - x)
        row = next((r for r, end in enumerate(row_ends) if end <= x), len(row_ends))
        if row == len(row_ends):
            row_ends.append(0.0)
        row_ends[row] = x + w + 2
        marks.append(Mark(item=item, x=round(x, 1), width=round(w, 1), row=row))
    every = 1 if scale >= 55 else (3 if scale >= 18 else 12)
    labels = [
        {"x": round(slots[m] * scale, 1), "label": f"{m // 12}-{m % 12 + 1:02d}" if every < 12 else str(m // 12)}
        for i, m in enumerate(ordered)
        if m % every == 0 or i == 0 or m - ordered[i - 1] > 1
    ]
    return {
        "marks": marks, "months": labels, "gaps": [round((g + 0.5) * scale, 1) for g in gaps],
        "width": width, "rows": len(row_ends), "scale": scale,
    }


def _interval(value: str | None, precision: str | None) -> tuple[float, float] | None:
    """(start, end) in months since year 0; a month-precision date spans its whole month."""
    if not value:
        return None
    try:
        parts = [int(p) for p in value[:10].split("-")]
    except ValueError:
        return None
    year = parts[0]
    if len(parts) == 1 or precision == "year":
        return year * 12.0, year * 12.0 + 12
    month = parts[1] - 1
    if len(parts) == 2 or precision == "month":
        return year * 12.0 + month, year * 12.0 + month + 1
    days = monthrange(year, month + 1)[1]
    day = (parts[2] - 1) / days
    return year * 12.0 + month + day, year * 12.0 + month + day + 1 / days
