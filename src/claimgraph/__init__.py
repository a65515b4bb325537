"""claimgraph: an evidence ledger of attributed claims across a pile of documents.

The public API (claimgraph.api) in five lines:

    import claimgraph
    ledger = claimgraph.open_ledger("story.db")
    claimgraph.run_ledger(ledger, "articles/")
    top = claimgraph.build_report(ledger, top=5)
    data = claimgraph.export_ledger(ledger)
"""

from __future__ import annotations

from claimgraph import api
from claimgraph.api import *  # the public API, pinned by tests/test_public_api.py
from claimgraph.errors import ClaimgraphError, IngestError, NotFound, StoreError
from claimgraph.models import Analysis, Claim, Document, RawDocument, Zone

__version__ = "0.1.0"

__all__ = [
    "Analysis",
    "Claim",
    "ClaimgraphError",
    "Document",
    "IngestError",
    "NotFound",
    "RawDocument",
    "StoreError",
    "Zone",
    "__version__",
]
__all__ += api.__all__
