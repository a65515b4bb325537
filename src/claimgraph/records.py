"""Records as plain dicts, without `dataclasses.asdict`'s cost.

`asdict` deep-copies every value through `copy.deepcopy`; a ledger's read-out turns tens of
thousands of flat records (sourcing, assessments, evidence) into dicts, and that copying was
seconds of every link. `flat_dict` copies lists and dicts one level down, which is all a flat
record (strings, numbers, lists of strings, dicts of lists of strings) needs. `collector_paused`
keeps the garbage collector off the records a read-out holds while it is made.
"""

from __future__ import annotations

import gc
import json
import struct
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import fields
from typing import Any


def flat_dict(record: Any) -> dict[str, Any]:
    """A dataclass whose fields hold no other dataclass, as a dict not sharing its lists."""
    out: dict[str, Any] = {}
    for f in fields(record):
        value = getattr(record, f.name)
        if isinstance(value, (list, tuple)):
            value = list(value)
        elif isinstance(value, dict):
            value = {k: list(v) if isinstance(v, (list, tuple)) else v for k, v in value.items()}
        out[f.name] = value
    return out


def frame(magic: bytes, header: dict[str, Any]) -> bytes:
    """How saved blobs begin: `magic`, the header's JSON length (8 bytes, little-endian), the JSON."""
    raw = json.dumps(header).encode()
    return magic + struct.pack("<Q", len(raw)) + raw


def unframe(data: bytes, magic: bytes) -> tuple[dict[str, Any], int] | None:
    """The header `frame` wrote and the offset of what follows it; None when `data` does not begin
    with `magic` (another layout)."""
    if not bytes(data[: len(magic)]) == magic:
        return None
    offset = len(magic)
    (size,) = struct.unpack_from("<Q", data, offset)
    offset += 8
    return json.loads(bytes(data[offset : offset + size])), offset + size


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a read-out is made: what a report, a brief or the
    ACH matrix reads (10^5 rows at 10^5 claims) it holds to the end, in no cycles, and the collector
    would walk it again and again (at 10^5 claims a tenth of the report's time, a fifth of the
    brief's, a third of a second ACH read's). Left paused if it was."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        (gc.enable if collecting else gc.disable)()
