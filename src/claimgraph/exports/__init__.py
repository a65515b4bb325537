"""The ledger in the formats other tools read: JSON (claimgraph's own), FollowTheMoney, GraphML,
schema.org ClaimReview and CSV. One call, `write_export`, used by `claimgraph export`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from claimgraph.errors import ClaimgraphError
from claimgraph.export import ledger_json
from claimgraph.exports.claimreview import claim_reviews, write_claim_reviews
from claimgraph.exports.ftm import ftm_entities, write_ftm
from claimgraph.exports.graphml import entity_graph, graphml, provenance_graph, write_graphs
from claimgraph.exports.tables import write_tables
from claimgraph.exports.view import LedgerView, read_view, view_ledger
from claimgraph.store import Store

__all__ = ["FORMATS", "LedgerView", "claim_reviews", "entity_graph", "ftm_entities", "graphml", "provenance_graph",
           "read_view", "view_ledger", "write_export"]

# format -> (writer, whether OUT is a folder of several files)
_WRITERS: dict[str, tuple[Callable[[LedgerView, Path], list[Path]], bool]] = {
    "ftm": (write_ftm, False),
    "graphml": (write_graphs, True),
    "claimreview": (write_claim_reviews, False),
    "csv": (write_tables, True),
}
FORMATS = ("json", *_WRITERS)


def write_export(store: Store, fmt: str, out: Path) -> list[Path]:
    """Write the ledger in FORMAT to OUT (a file, or a folder for graphml and csv); the paths written."""
    if fmt == "json":
        out.write_text(ledger_json(store) + "\n", encoding="utf-8")
        return [out]
    if fmt not in _WRITERS:
        raise ClaimgraphError(f"unknown export format {fmt!r}: use one of {', '.join(FORMATS)}")
    writer, folder = _WRITERS[fmt]
    if folder and out.exists() and not out.is_dir():
        raise ClaimgraphError(f"{out} is a file: the {fmt} export writes several files, so give a folder")
    return writer(read_view(store), out)
