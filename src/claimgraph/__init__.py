"""claimgraph: an evidence ledger of attributed claims across a pile of documents."""

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
