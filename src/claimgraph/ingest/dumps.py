"""Record files: JSON, JSONL and CSV dumps of articles, and folder manifests describing files.

JSON is checked before it is parsed: nesting deeper than MAX_JSON_DEPTH and integers longer than
MAX_NUMBER_DIGITS are refused with a reason (Python's parser would otherwise recurse until it
fails, or spend its time on a number nobody needs). In JSONL each line is a record of its own,
so only the bad line is refused.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from claimgraph.errors import IngestError
from claimgraph.ingest.encoding import decode_text
from claimgraph.ingest.files import read_bytes
from claimgraph.ingest.textmeta import parse_date
from claimgraph.models import MetaValue, RawDocument
from claimgraph.text import storable_name

MAX_JSON_DEPTH = 100  # an article dump is three or four levels deep
MAX_NUMBER_DIGITS = 1000  # Python refuses to read integers over 4,300 digits anyway
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
_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_BRACKETS = re.compile(r"[\[\]{}]")

Records = tuple[list[tuple[int, object]], list[IngestError]]


class _Refused(ValueError):
    """JSON over a limit, said in words."""


@dataclass
class Manifest:
    """A folder's metadata sidecar: metadata for each file it names, and its records that are bad."""

    described: dict[Path, dict[str, MetaValue]] = field(default_factory=dict)
    errors: list[IngestError] = field(default_factory=list)


def load_json(text: str) -> object:
    """json.loads within the nesting and number limits; _Refused (a ValueError) over them."""
    if text.count("[") + text.count("{") > MAX_JSON_DEPTH:  # else it cannot be too deep
        depth = 0
        for bracket in _BRACKETS.finditer(_JSON_STRING.sub('""', text)):
            depth += 1 if bracket.group() in "[{" else -1
            if depth > MAX_JSON_DEPTH:
                raise _Refused(f"JSON nested deeper than the {MAX_JSON_DEPTH}-level limit; refused")
    return json.loads(text, parse_int=_bounded_int)


def _bounded_int(digits: str) -> int:
    if len(digits) > MAX_NUMBER_DIGITS:
        raise _Refused(f"a number of {len(digits.lstrip('-')):,} digits, over the {MAX_NUMBER_DIGITS:,}-digit limit; refused")
    return int(digits)


def _jsonl_records(origin: str, data: bytes) -> Records:
    text = decode_text(origin, data)
    records: list[tuple[int, object]] = []
    errors: list[IngestError] = []
    for number, line in enumerate((line for line in text.splitlines() if line.strip()), start=1):
        try:
            records.append((number, load_json(line)))
        except json.JSONDecodeError as error:
            errors.append(IngestError(f"{origin}#record-{number}", f"invalid JSON: {error.msg} (column {error.colno})"))
        except _Refused as error:
            errors.append(IngestError(f"{origin}#record-{number}", str(error)))
        except ValueError as error:
            errors.append(IngestError(f"{origin}#record-{number}", f"invalid JSON: {error}"))
    return records, errors


def _json_records(origin: str, data: bytes) -> Records:
    text = decode_text(origin, data)
    try:
        loaded = load_json(text)
    except json.JSONDecodeError as error:
        raise IngestError(origin, f"invalid JSON: {error.msg} (line {error.lineno}, column {error.colno})") from None
    except _Refused as error:
        raise IngestError(origin, str(error)) from None
    except ValueError as error:
        raise IngestError(origin, f"invalid JSON: {error}") from None
    # A dump is a list of articles, bare or under a conventional key.
    if isinstance(loaded, dict):
        loaded = next(
            (loaded[key] for key in ("articles", "documents", "records", "items", "data") if isinstance(loaded.get(key), list)),
            [loaded],
        )
    if not isinstance(loaded, list):
        raise IngestError(origin, "not an article dump: JSON holds neither a list nor an object")
    return list(enumerate(loaded, start=1)), []


def _csv_records(origin: str, data: bytes) -> Records:
    text = decode_text(origin, data)
    # The header row decides the delimiter: csv.Sniffer misjudges quoting on article bodies.
    header_row = text.split("\n", 1)[0]
    delimiter = max(",;\t|", key=header_row.count)
    csv.field_size_limit(max(len(text), 131072))  # an article body can exceed the 128 KiB default
    try:
        rows = list(csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as error:
        raise IngestError(origin, f"malformed CSV: {error}") from None
    records: list[tuple[int, object]] = list(enumerate(rows, start=1))
    if records and _quote_left_open(text, delimiter):
        # The lenient reader runs an unclosed quote to the end of the file: its last record would
        # swallow every row after the stray quote.
        number = records.pop()[0]
        return records, [IngestError(f"{origin}#record-{number}",
                                     "malformed CSV: a quoted field is never closed (it runs to the end of the file); refused")]
    return records, []


def _quote_left_open(text: str, delimiter: str) -> bool:
    """Whether a quoted field is still open at the end of the text (strict parsing says so)."""
    if '"' not in text:
        return False
    try:
        for _ in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True):
            pass
    except csv.Error as error:
        return str(error) == "unexpected end of data"
    return False


RECORD_READERS: dict[str, Callable[[str, bytes], Records]] = {
    "application/x-ndjson": _jsonl_records,
    "application/json": _json_records,
    "text/csv": _csv_records,
}


def read_records(origin: str, data: bytes, media_type: str) -> tuple[list[RawDocument], list[IngestError]]:
    """The articles of a dump, and its records that are not articles."""
    records, errors = RECORD_READERS[media_type](origin, data)
    return _records_to_documents(origin, media_type, records, errors)


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
) -> tuple[list[RawDocument], list[IngestError]]:
    documents: list[RawDocument] = []
    for number, record in records:
        record_origin = f"{origin}#record-{number}"
        if not isinstance(record, dict):
            errors.append(IngestError(record_origin, "record is not an object"))
            continue
        fields = _fields(record)
        text = _field(fields, "text")
        if not text or not text.strip():
            errors.append(IngestError(record_origin, "record has no text (text, body or content field)"))
            continue
        metadata = _record_metadata(fields, "record-field")
        documents.append(RawDocument(origin=record_origin, media_type=media_type, text=text, metadata=metadata))
    if not documents and not errors:
        raise IngestError(origin, "dump holds no records")
    if not documents and all(error.reason.startswith("record has no text") for error in errors):
        # No record has a text field at all: a data file of another kind, not an article dump.
        raise IngestError(origin, "not an article dump: no record has a text, body or content field")
    return documents, errors


def read_manifest(path: Path | str, *, max_bytes: int = 20_000_000, media_type: str | None = None) -> Manifest | None:
    """A folder's metadata sidecar, if `path` is one: a JSON, JSONL or CSV list of records with no
    text, each naming a file beside it ("file", "path" or "filename") with its title, outlet,
    date, url... Gives each named file that exists its metadata; None for any other file (also
    for one that cannot be read: reading it as a document says why)."""
    path = Path(path)
    if media_type not in RECORD_READERS:
        return None
    origin = str(path)
    try:
        records, errors = RECORD_READERS[media_type](origin, read_bytes(path, max_bytes=max_bytes))
    except IngestError:
        return None
    manifest = Manifest(errors=list(errors))
    for number, record in records:
        if not isinstance(record, dict):
            return None
        fields = _fields(record)
        if _field(fields, "text"):
            return None  # an article dump
        named = next((str(fields[k]).strip() for k in MANIFEST_FILE_FIELDS if fields.get(k)), None)
        if not named:
            continue
        shown = storable_name(named if len(named) <= 60 else named[:60] + "…")
        try:
            target = (path.parent / named).resolve()
            if not target.is_relative_to(path.parent.resolve()):
                # "../../etc/passwd": a manifest describes the files of its own folder, nothing else.
                manifest.errors.append(IngestError(f"{origin}#record-{number}",
                                                   f'names a file outside the manifest\'s folder ("{shown}"); ignored'))
                continue
            exists = target.is_file() and target != path.resolve()
        except (OSError, ValueError) as error:
            reason = "the name holds a NUL character" if isinstance(error, ValueError) else (error.strerror or str(error))
            manifest.errors.append(IngestError(f"{origin}#record-{number}", f'names a file that cannot be opened ("{shown}"): {reason}'))
            continue
        if exists:
            manifest.described[target] = _record_metadata(fields, "manifest")
    if not manifest.described and len(manifest.errors) == len(errors):
        return None  # names no file beside it at all (or only bad records): read as a document, it says why
    return manifest


def _field(fields: dict[str, object], name: str) -> str | None:
    for key in RECORD_FIELDS[name]:
        value = fields.get(key)
        if isinstance(value, list):
            value = ", ".join(str(item) for item in value)
        if value is not None and str(value).strip():
            return str(value)
    return None
