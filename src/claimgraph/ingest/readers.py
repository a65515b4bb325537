"""Readers: one per file format, each turning a file into RawDocuments (or saying why not).

`read_path` is the one entry point. Each reader raises IngestError, with a short reason a
person can act on, for a file it cannot read; `read_path` lists that error in
ReadResult.errors (or raises it when strict). A dump (JSON, JSONL, CSV) with some bad
records gives the good ones as documents and the bad ones as errors.
"""

from __future__ import annotations

import email
import email.policy
import io
import logging
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.header import decode_header, make_header
from email.message import EmailMessage, Message
from email.utils import parsedate_to_datetime
from pathlib import Path

import trafilatura
from lxml import html as lxml_html
from pypdf import PasswordType, PdfReader
from pypdf.errors import PdfReadError

from claimgraph.errors import IngestError
from claimgraph.ingest.dumps import MANIFEST_FILE_FIELDS, RECORD_FIELDS, Manifest, read_records
from claimgraph.ingest.dumps import read_manifest as _read_manifest
from claimgraph.ingest.encoding import decode_text, make_storable, storable_error
from claimgraph.ingest.files import read_bytes
from claimgraph.ingest.header import find_header
from claimgraph.ingest.textmeta import find_text_metadata, parse_date
from claimgraph.ingest.zones import find_zones
from claimgraph.models import MetaValue, RawDocument

__all__ = [
    "MANIFEST_FILE_FIELDS", "MEDIA_TYPES", "READERS_STEP", "RECORD_FIELDS", "Manifest", "ReadResult",
    "decode_text", "finish_document", "html_to_text", "read_manifest", "read_path",
]

READERS_STEP = "readers.v1"
MEDIA_TYPES = {
    ".txt": "text/plain",
    ".text": "text/plain",
    ".md": "text/markdown",
    ".markdown": "text/markdown",
    ".html": "text/html",
    ".htm": "text/html",
    ".xhtml": "text/html",
    ".pdf": "application/pdf",
    ".eml": "message/rfc822",
    ".json": "application/json",
    ".jsonl": "application/x-ndjson",
    ".ndjson": "application/x-ndjson",
    ".csv": "text/csv",
}
_WORDS = re.compile(r"[^\W\d_]{2,}")
# lxml (libxml2) checks each attribute of a tag against all the ones before it: a tag with 10^5
# attributes takes minutes. Real pages have a few dozen; a page over this is refused before parsing.
MAX_HTML_ATTRIBUTES = 1_000
_TAG = re.compile(r"<([A-Za-z][^\s/>]*)((?:\"[^\"]*\"|'[^']*'|[^<>\"'])*)")
_QUOTED = re.compile(r"\"[^\"]*\"|'[^']*'")
_ATTRIBUTE = re.compile(r"[^\s=/]+\s*(?:=\s*\S*)?")
# libxml2 drops the elements nested deeper than this (html and body included) when it parses a page.
LXML_MAX_DEPTH = 255
_TAG_EDGE = re.compile(r"<(/?)([A-Za-z][^\s/>]*)[^<>]*?(/?)>")
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass
class ReadResult:
    """What one file yielded: its documents, and the records of it that could not be read."""

    documents: list[RawDocument] = field(default_factory=list)
    errors: list[IngestError] = field(default_factory=list)
    warnings: list[IngestError] = field(default_factory=list)  # read anyway, but a person should know


def read_path(path: Path | str, *, max_bytes: int = 20_000_000, strict: bool = False) -> ReadResult:
    """Read one file into documents, with zones and metadata.

    An unreadable file gives a result with no documents and its IngestError in `errors`,
    so that a batch goes on; with strict=True that IngestError is raised instead.
    """
    path = Path(path)
    try:
        data = read_bytes(path, max_bytes=max_bytes)
        media_type = MEDIA_TYPES.get(path.suffix.lower()) or _sniff(data)
        result = _READERS[media_type](str(path), data, media_type)
    except IngestError as error:
        if strict:
            raise storable_error(error) from None
        return ReadResult(errors=[storable_error(error)])
    result.errors = [storable_error(error) for error in result.errors]
    result.warnings = [storable_error(warning) for warning in result.warnings]
    for document in result.documents:
        finish_document(make_storable(document))
    return result


def read_manifest(path: Path | str, *, max_bytes: int = 20_000_000) -> Manifest | None:
    """A folder's metadata sidecar (see dumps.read_manifest), or None for any other file."""
    return _read_manifest(path, max_bytes=max_bytes, media_type=MEDIA_TYPES.get(Path(path).suffix.lower()))


def finish_document(document: RawDocument) -> RawDocument:
    """Add the header block, zones and in-text metadata that the reader did not set."""
    header = find_header(document.text) if document.media_type in ("text/plain", "text/markdown") else None
    for name, value in (header.metadata if header else {}).items():
        document.metadata.setdefault(name, value)
    body_start = header.body_start if header else 0
    for name, value in find_text_metadata(document.text, start=body_start, known=document.metadata).items():
        document.metadata.setdefault(name, value)
    if not document.zones:
        document.zones = find_zones(
            document.text, header_end=header.end if header else None, title=document.meta("title")
        )
    return document


# ---------------------------------------------------------------- bytes and text


def _sniff(data: bytes) -> str:
    """The media type of a file whose extension says nothing."""
    head = data[:2048].lstrip()
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    lowered = head[:512].lower()
    if lowered.startswith((b"<!doctype html", b"<html")) or b"<body" in lowered:
        return "text/html"
    first_lines = head.split(b"\n", 20)[:20]
    header_names = {line.split(b":", 1)[0].strip().lower() for line in first_lines if b":" in line}
    if {b"from", b"date"} <= header_names and ({b"subject", b"message-id", b"mime-version"} & header_names):
        return "message/rfc822"
    return "text/plain"


# ---------------------------------------------------------------- one reader per format


def _read_text(origin: str, data: bytes, media_type: str) -> ReadResult:
    text = decode_text(origin, data)
    if not text.strip():
        raise IngestError(origin, "file holds only whitespace")
    return ReadResult(documents=[RawDocument(origin=origin, media_type=media_type, text=text)])


def _read_html(origin: str, data: bytes, media_type: str) -> ReadResult:
    text, metadata = html_to_text(origin, data)
    return ReadResult(documents=[RawDocument(origin=origin, media_type=media_type, text=text, metadata=metadata)])


def html_to_text(origin: str, data: bytes | str) -> tuple[str, dict[str, MetaValue]]:
    """Main text (boilerplate removed) and page metadata of an HTML page."""
    markup = data if isinstance(data, str) else decode_text(origin, data)
    if not markup.strip():
        raise IngestError(origin, "empty HTML page")
    _check_attributes(origin, markup)
    try:
        extracted = trafilatura.bare_extraction(
            markup,
            with_metadata=True,
            include_comments=False,
            include_tables=True,
            favor_recall=True,
            # htmldate's extensive search turns a footer's "Copyright 2019" into 2019-01-01:
            # only dates the page's markup states are taken.
            date_extraction_params={"extensive_search": False, "original_date": True},
        )
    except Exception as error:  # trafilatura raises assorted lxml errors on bad markup
        raise IngestError(origin, f"malformed HTML: {error}") from None
    # bare_extraction gives a Document (a dict only when asked with as_dict)
    text = (extracted.text if extracted is not None else None) or ""  # type: ignore[union-attr]
    if not text.strip():
        # Pages too short for trafilatura's extractor still have readable text.
        text = trafilatura.html2txt(markup) or ""
    if not _WORDS.search(text):
        if _nesting_depth(markup) >= LXML_MAX_DEPTH:
            raise IngestError(origin, f"HTML nested {_nesting_depth(markup):,} elements deep: the parser drops what lies "
                                      f"below its limit of {LXML_MAX_DEPTH} and no text is left; refused")
        # What is left of broken markup can be stray "<<<>>>": text needs words.
        raise IngestError(origin, "HTML page has no extractable text")
    metadata: dict[str, MetaValue] = {}
    if extracted is not None:
        for name, attribute in (("title", "title"), ("author", "author"), ("outlet", "sitename"), ("url", "url")):
            value = getattr(extracted, attribute, None)
            if value:
                metadata[name] = MetaValue(value=str(value), source="html-meta")
        if getattr(extracted, "date", None):
            published = parse_date(str(extracted.date), source="html-meta")  # type: ignore[union-attr]  # a Document
            if published:
                metadata["published"] = published
    language = _html_language(markup)
    if language:
        metadata["language"] = MetaValue(value=language, source="html-meta")
    return text, metadata


def _check_attributes(origin: str, markup: str) -> None:
    """Refuse a page with a tag of more than MAX_HTML_ATTRIBUTES attributes (one linear scan)."""
    for match in _TAG.finditer(markup):
        inside = match.group(2)
        if len(inside) < 2 * MAX_HTML_ATTRIBUTES:  # an attribute takes two characters at least
            continue
        count = len(_ATTRIBUTE.findall(_QUOTED.sub('""', inside)))
        if count > MAX_HTML_ATTRIBUTES:
            raise IngestError(origin, f"a <{match.group(1)[:20]}> tag with {count:,} attributes, over the "
                                      f"{MAX_HTML_ATTRIBUTES:,}-attribute limit; refused")


def _nesting_depth(markup: str) -> int:
    """How deep the elements nest, roughly (an unclosed <p> counts as open): for the reason only."""
    depth = deepest = 0
    for closing, name, empty in _TAG_EDGE.findall(markup):
        if closing:
            depth = max(depth - 1, 0)
        elif not empty and name.lower() not in _VOID:
            depth += 1
            deepest = max(deepest, depth)
    return deepest


def _html_language(markup: str) -> str | None:
    try:
        root = lxml_html.fromstring(markup.encode("utf-8"))
    except Exception:  # unparseable markup simply has no language to report
        return None
    value = root.get("lang") or root.get("{http://www.w3.org/XML/1998/namespace}lang")
    return value.split("-")[0].lower() if value else None


class _PypdfWarnings(logging.Handler):
    """Collects what pypdf logs while this thread reads one PDF."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.thread = threading.get_ident()
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread == self.thread:
            self.messages.append(" ".join(record.getMessage().split()))


@contextmanager
def _pypdf_warnings() -> Iterator[list[str]]:
    """pypdf's warnings about a damaged PDF, caught instead of printed without the file's name."""
    logger = logging.getLogger("pypdf")
    handler, propagate = _PypdfWarnings(), logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield handler.messages
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate


def _pdf_warning(origin: str, messages: list[str]) -> list[IngestError]:
    if not messages:
        return []
    distinct = list(dict.fromkeys(messages))
    more = f"; and {len(messages) - 1} more" if len(messages) > 1 else ""
    return [IngestError(origin, f"damaged PDF, read anyway (pypdf: {distinct[0]}{more})")]


def _read_pdf(origin: str, data: bytes, media_type: str) -> ReadResult:
    if not data.lstrip().startswith(b"%PDF-"):
        raise IngestError(origin, "broken PDF: no %PDF header")
    # A PDF is read from its end (the xref table); without %%EOF the file was cut short.
    if b"%%EOF" not in data[-2048:]:
        raise IngestError(origin, "broken PDF: truncated (no %%EOF marker at the end)")
    with _pypdf_warnings() as warned:
        try:
            reader = PdfReader(io.BytesIO(data), strict=False)
            if reader.is_encrypted:
                # Many PDFs are encrypted with an empty user password and open for anyone.
                try:
                    opened = reader.decrypt("")
                except Exception:
                    opened = PasswordType.NOT_DECRYPTED
                if not opened:
                    raise IngestError(origin, "encrypted PDF (needs a password)")
            pages = [page.extract_text() or "" for page in reader.pages]
            info = reader.metadata
            metadata = _pdf_metadata(info) if info else {}
        except IngestError:
            raise
        except PdfReadError as error:
            raise IngestError(origin, f"broken PDF: {error}") from None
        except Exception as error:  # pypdf fails on damaged files in many ways (KeyError, RecursionError, ...)
            raise IngestError(origin, f"broken PDF: {type(error).__name__}: {error}") from None
    text = "\n\n".join(page.strip("\n") for page in pages)
    if not text.strip():
        raise IngestError(origin, "PDF has no text layer (scanned?)")
    return ReadResult(documents=[RawDocument(origin=origin, media_type=media_type, text=text, metadata=metadata)],
                      warnings=_pdf_warning(origin, warned))


def _pdf_metadata(info) -> dict[str, MetaValue]:
    metadata: dict[str, MetaValue] = {}
    if info.title:
        metadata["title"] = MetaValue(value=str(info.title), source="pdf-info")
    if info.author:
        metadata["author"] = MetaValue(value=str(info.author), source="pdf-info")
    try:
        created = info.creation_date
    except Exception:  # a malformed date string in the info dictionary
        created = None
    if created:
        metadata["published"] = MetaValue(value=created.date().isoformat(), source="pdf-info", precision="day")
    return metadata


def _header(message: Message, name: str) -> str | None:
    """A header's text; as written (encoded words decoded) where the e-mail parser fails on it."""
    try:
        value = message.get(name)
        return str(value).strip() if value else None
    except Exception:  # the standard library's header parser fails on some malformed addresses (IndexError, ...)
        pass
    raw = next((value for key, value in message.raw_items() if key.lower() == name.lower()), None)
    if not raw:
        return None
    try:
        raw = str(make_header(decode_header(raw)))
    except Exception:  # undecodable encoded words: keep the header as written
        pass
    return " ".join(str(raw).split()) or None


def _read_eml(origin: str, data: bytes, media_type: str) -> ReadResult:
    if b"\x00" in data[:8192]:
        raise IngestError(origin, "binary file, not an e-mail")
    message = email.message_from_bytes(data, policy=email.policy.default)
    headers = {name: _header(message, name) for name in ("Subject", "From", "Date")}
    if not isinstance(message, EmailMessage) or all(value is None for value in headers.values()):
        raise IngestError(origin, "not an e-mail: no From, Subject or Date header")
    metadata: dict[str, MetaValue] = {}
    if headers["Subject"] is not None:
        metadata["title"] = MetaValue(value=headers["Subject"], source="eml-header")
    if headers["From"] is not None:
        metadata["author"] = MetaValue(value=headers["From"], source="eml-header")
    if headers["Date"]:
        try:
            sent = parsedate_to_datetime(headers["Date"])
            metadata["published"] = MetaValue(value=sent.date().isoformat(), source="eml-header", precision="day")
        except (TypeError, ValueError):
            pass  # an unparseable Date header: the date stays unknown
    try:
        result = _eml_parts(origin, message, media_type, metadata)
    except IngestError:
        raise
    except Exception as error:  # the standard library's MIME parser fails on some malformed e-mails
        raise IngestError(
            origin, f"malformed e-mail: its MIME parts or their headers cannot be parsed ({type(error).__name__}: {error})"
        ) from None
    if not result.documents:
        raise IngestError(origin, "e-mail has no text body or text attachment")
    return result


def _eml_parts(origin: str, message: EmailMessage, media_type: str, metadata: dict[str, MetaValue]) -> ReadResult:
    body = message.get_body(preferencelist=("plain", "html"))
    text = ""
    if body is not None:
        try:
            content = body.get_content()
        except (LookupError, UnicodeError) as error:
            raise IngestError(origin, f"undecodable e-mail body: {error}") from None
        text = html_to_text(origin, content)[0] if body.get_content_type() == "text/html" else str(content)
    result = ReadResult()
    if text.strip():
        result.documents.append(RawDocument(origin=origin, media_type=media_type, text=text, metadata=metadata))
    for number, part in enumerate(message.iter_attachments(), start=1):
        if part.get_content_type() not in ("text/plain", "text/markdown"):
            continue
        name = part.get_filename() or f"part-{number}"
        attachment_origin = f"{origin}#attachment-{name}"
        try:
            payload = part.get_payload(decode=True) or b""
            attached = decode_text(attachment_origin, payload)  # type: ignore[arg-type]  # decode=True on a leaf part: bytes
        except IngestError as error:
            result.errors.append(error)
            continue
        if not attached.strip():
            result.errors.append(IngestError(attachment_origin, "empty attachment"))
            continue
        result.documents.append(
            RawDocument(
                origin=attachment_origin,
                media_type=part.get_content_type(),
                text=attached,
                metadata={"title": MetaValue(value=name, source="eml-attachment")},
            )
        )
    return result


def _read_records(origin: str, data: bytes, media_type: str) -> ReadResult:
    documents, errors = read_records(origin, data, media_type)
    return ReadResult(documents=documents, errors=errors)


_READERS: dict[str, Callable[[str, bytes, str], ReadResult]] = {
    "text/plain": _read_text,
    "text/markdown": _read_text,
    "text/html": _read_html,
    "application/pdf": _read_pdf,
    "message/rfc822": _read_eml,
    "application/x-ndjson": _read_records,
    "application/json": _read_records,
    "text/csv": _read_records,
}
