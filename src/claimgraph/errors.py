"""One exception tree: every error a person can meet says what was wrong with which input."""

from __future__ import annotations


class ClaimgraphError(Exception):
    """Base of every error claimgraph raises on purpose."""


class IngestError(ClaimgraphError):
    """A file or record could not be read into a document."""

    def __init__(self, origin: str, reason: str) -> None:
        super().__init__(f"{origin}: {reason}")
        self.origin = origin
        self.reason = reason


class StoreError(ClaimgraphError):
    """The ledger store could not be opened or written."""


class NotFound(ClaimgraphError):
    """A record asked for by id or name is not in the store."""


class GoldFormatError(ClaimgraphError):
    """A gold file is not in the format of shared/gold/seeds.json."""
