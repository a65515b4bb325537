"""Readable views of the ledger, shared by the CLI (and later the web pages)."""

from __future__ import annotations

from pathlib import Path

from claimgraph.models import Analysis, Claim, Document


def render_document(document: Document, analysis: Analysis | None) -> str:
    """Metadata, non-body zones, and the text with each claim marked ⟦…⟧ₖ (denials ⟦!…⟧)."""
    lines = [f"{document.id}  v{document.version}  {document.media_type}"]
    for name in ("title", "outlet", "author", "published", "url"):
        value = getattr(document, name)
        if value:
            meta = document.metadata.get(name)
            where = f"  [{meta.source}{', ' + meta.precision if meta and meta.precision else ''}]" if meta else ""
            lines.append(f"{name:>10}: {value}{where}")
    lines.append(f"{'origins':>10}: {', '.join(Path(o).name for o in document.origins)}")
    if document.near_duplicate_of:
        lines.append(f"{'near-dup':>10}: {document.near_duplicate_of} (similarity {document.near_duplicate_score})")
    for zone in document.zones:
        if zone.kind not in ("body", "summary", "detail"):
            snippet = document.text[zone.start : zone.end].replace("\n", " ")[:60]
            lines.append(f"{'zone':>10}: {zone.kind:<12} {zone.start}-{zone.end}  {snippet!r}")
    claims = analysis.claims if analysis else []
    lines.append(f"{'claims':>10}: {len(claims)}" + ("" if analysis else " (not analysed yet: run `claimgraph analyse`)"))
    lines.append("")
    lines.append(mark_claims(document.text, claims))
    if claims:
        lines.append("")
        for number, claim in enumerate(claims, 1):
            chain = " → ".join(claim.chain) or (f"{claim.speaker} (carried over)" if claim.speaker else "(author)")
            flag = " DENIED" if claim.polarity == "denied" else ""
            lines.append(f"  {number:>3}. [{claim.hedging}{flag}] {chain} | cue: {claim.cue or '-'} | {claim.content}")
    return "\n".join(lines)


def mark_claims(text: str, claims: list[Claim]) -> str:
    """The text with an opening and closing mark around every claim span."""
    marks: dict[int, list[str]] = {}
    for number, claim in enumerate(claims, 1):
        marks.setdefault(claim.start, []).append("⟦!" if claim.polarity == "denied" else "⟦")
        marks.setdefault(claim.end, []).insert(0, f"⟧{number}")
    out: list[str] = []
    previous = 0
    for offset in sorted(marks):
        out.append(text[previous:offset])
        closing = [m for m in marks[offset] if m.startswith("⟧")]
        opening = [m for m in marks[offset] if not m.startswith("⟧")]
        out.extend(closing + opening)
        previous = offset
    out.append(text[previous:])
    return "".join(out)
