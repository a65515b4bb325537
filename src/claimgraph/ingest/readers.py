"""Readers: one per file format, each turning a file into RawDocuments (or saying why not).

`read_path` is the one entry point. Each reader raises IngestError, with a short reason a
person can act on, for a file it cannot read; `read_path` lists that error in
ReadResult.errors (or raises it when strict). A dump (JSON, JSONL, CSV) with some bad
records gives the good ones as documents and the bad ones as errors.
"""

from __future__ import annotations

import csv
import email
import email.policy
import io
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from pathlib import Path

import charset_normalizer
import trafilatura
from lxml import html as lxml_html
from pypdf import PdfReader
from pypdf.errors import PdfReadError

from claimgraph.errors import IngestError
from claimgraph.ingest.header import find_header
from claimgraph.ingest.textmeta import find_text_metadata, parse_date
from claimgraph.ingest.zones import find_zones
from claimgraph.models import MetaValue, RawDocument

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
# Dump fields, in order of preference, for each metadata name.
RECORD_FIELDS = {
    "text": ("text", "body", "content", "article", "full_text"),
    "title": ("title", "headline"),
    "published": ("published", "date", "published_at", "publish_date", "pubdate", "datetime"),
    "outlet": ("outlet", "source", "site", "sitename", "publisher"),
    "author": ("author", "authors", "byline"),
    "url": ("url", "link"),
    "language": ("language", "lang"),
}
# A manifest's field naming the file a record describes.
MANIFEST_FILE_FIELDS = ("file", "path", "filename", "file_name")
_WORDS = re.compile(r"[^\W\d_]{2,}")
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
_CONTROL_SHARE_LIMIT = 0.05  # share of control characters above which "text" is binary


@dataclass
class ReadResult:
    """What one file yielded: its documents, and the records of it that could not be read."""

    documents: list[RawDocument] = field(default_factory=list)
    errors: list[IngestError] = field(default_factory=list)


def read_path(path: Path | str, *, max_bytes: int = 20_000_000, strict: bool = False) -> ReadResult:
    """Read one file into documents, with zones and metadata.

    An unreadable file gives a result with no documents and its IngestError in `errors`,
    so that a batch goes on; with strict=True that IngestError is raised instead.
    """
    path = Path(path)
    try:
        data = _read_bytes(path, max_bytes=max_bytes)
        media_type = MEDIA_TYPES.get(path.suffix.lower()) or _sniff(data)
        result = _READERS[media_type](str(path), data, media_type)
    except IngestError as error:
        if strict:
            raise
        return ReadResult(errors=[error])
    for document in result.documents:
        finish_document(document)
    return result


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


def _read_bytes(path: Path, *, max_bytes: int) -> bytes:
    origin = str(path)
    try:
        if not path.exists():
            raise IngestError(origin, "no such file")
        if not path.is_file():
            raise IngestError(origin, "not a regular file")
        size = path.stat().st_size
        if size == 0:
            raise IngestError(origin, "empty file")
        if size > max_bytes:
            raise IngestError(origin, f"file is {size:,} bytes, over the {max_bytes:,}-byte limit")
        return path.read_bytes()
    except PermissionError:
        raise IngestError(origin, "permission denied") from None
    except OSError as error:
        raise IngestError(origin, f"cannot read file: {error.strerror or error}") from None


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


def decode_text(origin: str, data: bytes) -> str:
    """The file's text, decoded exactly (no newline or whitespace changes); IngestError if binary."""
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
    text = (extracted.text if extracted is not None else None) or ""
    if not text.strip():
        # Pages too short for trafilatura's extractor still have readable text.
        text = trafilatura.html2txt(markup) or ""
    if not _WORDS.search(text):
        # What is left of broken markup can be stray "<<<>>>": text needs words.
        raise IngestError(origin, "HTML page has no extractable text")
    metadata: dict[str, MetaValue] = {}
    if extracted is not None:
        for name, attribute in (("title", "title"), ("author", "author"), ("outlet", "sitename"), ("url", "url")):
            value = getattr(extracted, attribute, None)
            if value:
                metadata[name] = MetaValue(value=str(value), source="html-meta")
        if getattr(extracted, "date", None):
            published = parse_date(str(extracted.date), source="html-meta")
            if published:
                metadata["published"] = published
    language = _html_language(markup)
    if language:
        metadata["language"] = MetaValue(value=language, source="html-meta")
    return text, metadata


def _html_language(markup: str) -> str | None:
    try:
        root = lxml_html.fromstring(markup.encode("utf-8"))
    except Exception:  # unparseable markup simply has no language to report
        return None
    value = root.get("lang") or root.get("{http://www.w3.org/XML/1998/namespace}lang")
    return value.split("-")[0].lower() if value else None


def _read_pdf(origin: str, data: bytes, media_type: str) -> ReadResult:
    if not data.lstrip().startswith(b"%PDF-"):
        raise IngestError(origin, "broken PDF: no %PDF header")
    # A PDF is read from its end (the xref table); without %%EOF the file was cut short.
    if b"%%EOF" not in data[-2048:]:
        raise IngestError(origin, "broken PDF: truncated (no %%EOF marker at the end)")
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            # Many PDFs are encrypted with an empty user password and open for anyone.
            try:
                opened = reader.decrypt("")
            except Exception:
                opened = 0
            if not opened:
                raise IngestError(origin, "encrypted PDF (needs a password)")
        pages = [page.extract_text() or "" for page in reader.pages]
        info = reader.metadata
    except IngestError:
        raise
    except PdfReadError as error:
        raise IngestError(origin, f"broken PDF: {error}") from None
    except Exception as error:  # pypdf fails on damaged files in many ways (KeyError, RecursionError, ...)
        raise IngestError(origin, f"broken PDF: {type(error).__name__}: {error}") from None
    text = "\n\n".join(page.strip("\n") for page in pages)
    if not text.strip():
        raise IngestError(origin, "PDF has no text layer (scanned?)")
    metadata: dict[str, MetaValue] = {}
    if info:
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
    return ReadResult(documents=[RawDocument(origin=origin, media_type=media_type, text=text, metadata=metadata)])


def _read_eml(origin: str, data: bytes, media_type: str) -> ReadResult:
    if b"\x00" in data[:8192]:
        raise IngestError(origin, "binary file, not an e-mail")
    message = email.message_from_bytes(data, policy=email.policy.default)
    if not isinstance(message, EmailMessage) or not any(message.get(name) for name in ("From", "Subject", "Date")):
        raise IngestError(origin, "not an e-mail: no From, Subject or Date header")
    metadata: dict[str, MetaValue] = {}
    if message.get("Subject"):
        metadata["title"] = MetaValue(value=str(message["Subject"]).strip(), source="eml-header")
    if message.get("From"):
        metadata["author"] = MetaValue(value=str(message["From"]).strip(), source="eml-header")
    if message.get("Date"):
        try:
            sent = parsedate_to_datetime(str(message["Date"]))
            metadata["published"] = MetaValue(value=sent.date().isoformat(), source="eml-header", precision="day")
        except (TypeError, ValueError):
            pass  # an unparseable Date header: the date stays unknown
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
            attached = decode_text(attachment_origin, payload)
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
    if not result.documents:
        raise IngestError(origin, "e-mail has no text body or text attachment")
    return result


def _jsonl_records(origin: str, data: bytes) -> tuple[list[tuple[int, object]], list[IngestError]]:
    text = decode_text(origin, data)
    records: list[tuple[int, object]] = []
    errors: list[IngestError] = []
    for number, line in enumerate((line for line in text.splitlines() if line.strip()), start=1):
        try:
            records.append((number, json.loads(line)))
        except json.JSONDecodeError as error:
            errors.append(IngestError(f"{origin}#record-{number}", f"invalid JSON: {error.msg}"))
    return records, errors


def _json_records(origin: str, data: bytes) -> tuple[list[tuple[int, object]], list[IngestError]]:
    text = decode_text(origin, data)
    try:
        loaded = json.loads(text)
    except json.JSONDecodeError as error:
        raise IngestError(origin, f"invalid JSON: {error.msg} at line {error.lineno}") from None
    # A dump is a list of articles, bare or under a conventional key.
    if isinstance(loaded, dict):
        loaded = next(
            (loaded[key] for key in ("articles", "documents", "records", "items", "data") if isinstance(loaded.get(key), list)),
            [loaded],
        )
    if not isinstance(loaded, list):
        raise IngestError(origin, "not an article dump: JSON holds neither a list nor an object")
    return list(enumerate(loaded, start=1)), []


def _csv_records(origin: str, data: bytes) -> tuple[list[tuple[int, object]], list[IngestError]]:
    text = decode_text(origin, data)
    # The header row decides the delimiter: csv.Sniffer misjudges quoting on article bodies.
    header_row = text.split("\n", 1)[0]
    delimiter = max(",;\t|", key=header_row.count)
    csv.field_size_limit(max(len(text), 131072))  # an article body can exceed the 128 KiB default
    try:
        rows = list(csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as error:
        raise IngestError(origin, f"malformed CSV: {error}") from None
    return list(enumerate(rows, start=1)), []


_RECORDS = {"application/x-ndjson": _jsonl_records, "application/json": _json_records, "text/csv": _csv_records}


def _read_records(origin: str, data: bytes, media_type: str) -> ReadResult:
    return _records_to_documents(origin, media_type, *_RECORDS[media_type](origin, data))


def _fields(record: dict[object, object]) -> dict[str, object]:
    return {str(key).strip().lower(): value for key, value in record.items() if key is not None}


def _record_metadata(fields: dict[str, object], source: str) -> dict[str, MetaValue]:
    """A record's title, outlet, author, url, language and date. A web address under an outlet
    field ("source": "https://...") is the url, not the outlet."""
    metadata: dict[str, MetaValue] = {}
    for name in ("title", "outlet", "author", "url", "language"):
        value = _field(fields, name)
        if value and value.strip():
            value = value.strip()
            if name == "outlet" and re.match(r"https?://", value):
                name = "url"
            metadata.setdefault(name, MetaValue(value=value, source=source))
    web = str(fields.get("source") or "").strip()
    if "url" not in metadata and re.match(r"https?://", web):
        metadata["url"] = MetaValue(value=web, source=source)
    stated = _field(fields, "published")
    if stated:
        published = parse_date(stated, source=source)
        if published:
            metadata["published"] = published
    return metadata


def _records_to_documents(
    origin: str, media_type: str, records: Iterable[tuple[int, object]], errors: list[IngestError]
) -> ReadResult:
    result = ReadResult(errors=errors)
    for number, record in records:
        record_origin = f"{origin}#record-{number}"
        if not isinstance(record, dict):
            result.errors.append(IngestError(record_origin, "record is not an object"))
            continue
        fields = _fields(record)
        text = _field(fields, "text")
        if not text or not text.strip():
            result.errors.append(IngestError(record_origin, "record has no text (text, body or content field)"))
            continue
        metadata = _record_metadata(fields, "record-field")
        result.documents.append(RawDocument(origin=record_origin, media_type=media_type, text=text, metadata=metadata))
    if not result.documents and not result.errors:
        raise IngestError(origin, "dump holds no records")
    if not result.documents and all(error.reason.startswith("record has no text") for error in result.errors):
        # No record has a text field at all: a data file of another kind, not an article dump.
        raise IngestError(origin, "not an article dump: no record has a text, body or content field")
    return result


def read_manifest(path: Path | str, *, max_bytes: int = 20_000_000) -> dict[Path, dict[str, MetaValue]] | None:
    """A folder's metadata sidecar, if `path` is one: a JSON, JSONL or CSV list of records with no
    text, each naming a file beside it ("file", "path" or "filename") with its title, outlet,
    date, url... Gives each named file that exists its metadata; None for any other file."""
    path = Path(path)
    media_type = MEDIA_TYPES.get(path.suffix.lower())
    if media_type not in _RECORDS:
        return None
    try:
        records, _ = _RECORDS[media_type](str(path), _read_bytes(path, max_bytes=max_bytes))
    except IngestError:
        return None
    described: dict[Path, dict[str, MetaValue]] = {}
    for _, record in records:
        if not isinstance(record, dict):
            return None
        fields = _fields(record)
        if _field(fields, "text"):
            return None  # an article dump
        named = next((str(fields[k]).strip() for k in MANIFEST_FILE_FIELDS if fields.get(k)), None)
        target = (path.parent / named).resolve() if named else None
        if target is not None and target.is_file() and target != path.resolve():
            described[target] = _record_metadata(fields, "manifest")
    return described or None


def _field(fields: dict[str, object], name: str) -> str | None:
    for key in RECORD_FIELDS[name]:
        value = fields.get(key)
        if isinstance(value, list):
            value = ", ".join(str(item) for item in value)
        if value is not None and str(value).strip():
            return str(value)
    return None


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
