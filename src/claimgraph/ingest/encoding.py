"""Bytes to text: the character encoding of a file, and text that every store can hold.

UTF-8 first; a UTF-32 or UTF-16 byte-order mark decides the encoding; UTF-16 without a mark is
taken where its zero bytes say so unmistakably (mostly Latin text: every other byte is zero);
anything else goes to charset_normalizer. A document's text, origin and metadata are then made
storable (claimgraph.text: storable_text / storable_name, as the store writes them): a lone surrogate becomes U+FFFD, NUL is
removed from text; an undecodable byte in a file name is written as \\xNN.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import replace

import charset_normalizer

from claimgraph.errors import IngestError
from claimgraph.models import RawDocument
from claimgraph.text import storable_name, storable_text

_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
_CONTROL_SHARE_LIMIT = 0.05  # share of control characters above which "text" is binary
# Longest first: the UTF-32-LE mark begins with the UTF-16-LE one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "UTF-32"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16"),
)
_UTF16_SAMPLE = 4096  # bytes looked at to recognise UTF-16 without a byte-order mark
_UTF16_ZERO_SHARE = 0.7  # of the bytes on one side of each pair, at least this share are zero...
_UTF16_OTHER_ZERO_SHARE = 0.02  # ...and on the other side almost none


def decode_text(origin: str, data: bytes) -> str:
    """The file's text, decoded exactly (no newline or whitespace changes); IngestError if binary."""
    text = _decode_unicode(origin, data)
    if text is None:
        if b"\x00" in data[:8192]:
            raise IngestError(origin, "binary file, not text")
        try:
            text = data.decode("utf-8-sig")  # a BOM is encoding, not text
        except UnicodeDecodeError:
            best = charset_normalizer.from_bytes(data).best()
            if best is None:
                raise IngestError(origin, "undecodable text: no character encoding fits") from None
            text = str(best)
    controls = len(_CONTROLS.findall(text))
    if text and controls / len(text) > _CONTROL_SHARE_LIMIT:
        raise IngestError(origin, "binary file, not text")
    return text


def _decode_unicode(origin: str, data: bytes) -> str | None:
    """Text in UTF-32 or UTF-16 (marked, or unmistakable without a mark); None for any other."""
    for mark, codec, name in _BOMS:
        if data.startswith(mark):
            try:
                return data[len(mark):].decode(codec)
            except UnicodeDecodeError as error:
                raise IngestError(origin, f"undecodable {name} text: {error.reason} at byte {error.start + len(mark)}") from None
    unmarked = _unmarked_utf16(data)
    if unmarked is None:
        return None
    try:
        return data.decode(unmarked)
    except UnicodeDecodeError:
        return None  # not UTF-16 after all: binary, as the zero bytes suggested


def _unmarked_utf16(data: bytes) -> str | None:
    sample = data[: _UTF16_SAMPLE - _UTF16_SAMPLE % 2]
    if len(data) % 2 or len(sample) < 16:
        return None
    pairs = len(sample) // 2
    even, odd = sample[0::2].count(0) / pairs, sample[1::2].count(0) / pairs
    if odd >= _UTF16_ZERO_SHARE and even <= _UTF16_OTHER_ZERO_SHARE:
        return "utf-16-le"
    if even >= _UTF16_ZERO_SHARE and odd <= _UTF16_OTHER_ZERO_SHARE:
        return "utf-16-be"
    return None


def make_storable(document: RawDocument) -> RawDocument:
    """Normalise what no backend could store (lone surrogates, NUL) in a read document, in place."""
    document.origin = storable_name(document.origin)
    document.text = storable_text(document.text)
    for name, value in list(document.metadata.items()):
        if isinstance(value.value, str) and storable_text(value.value) != value.value:
            document.metadata[name] = replace(value, value=storable_text(value.value))
    return document


def storable_error(error: IngestError) -> IngestError:
    """The same error, its origin printable and storable."""
    origin = storable_name(error.origin)
    return error if origin == error.origin else IngestError(origin, error.reason)
