"""The metadata block at the top of a text file: `Key: value` lines ended by a ===== line.

Also a Markdown file's `---` front matter, which plays the same part. The block stays in
the text (offsets must point into the file); it becomes a zone of kind "header".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from claimgraph.ingest.textmeta import parse_date
from claimgraph.models import MetaValue

_KEY_LINE = re.compile(r"([A-Za-z][A-Za-z /_-]{0,40}):[ \t]*(.*)")
_RULE_LINE = re.compile(r"[ \t]*={5,}[ \t]*")
_FRONT_MATTER = re.compile(r"---[ \t]*")
# The keys that make a block a header; other `Key:` lines inside it are kept as fields.
_KNOWN_KEYS = {"title", "outlet/author", "outlet", "author", "date", "source", "licence", "license", "url"}
_MAX_HEADER_LINES = 60


@dataclass(frozen=True, kw_only=True)
class HeaderBlock:
    """Where the header ends and what it says."""

    end: int  # end of the closing ===== (or ---) line, without its newline: the zone's end
    body_start: int  # first offset after the block's closing line
    fields: dict[str, str] = field(default_factory=dict)  # lower-cased key -> raw value
    metadata: dict[str, MetaValue] = field(default_factory=dict)


def find_header(text: str) -> HeaderBlock | None:
    """The header block at the very top of text, or None when the text has none."""
    lines = text.splitlines(keepends=True)
    if lines and _FRONT_MATTER.fullmatch(lines[0].rstrip("\r\n")):
        return _read_block(lines, first=1, closing=_FRONT_MATTER)
    return _read_block(lines, first=0, closing=_RULE_LINE)


def _read_block(lines: list[str], *, first: int, closing: re.Pattern[str]) -> HeaderBlock | None:
    fields: dict[str, str] = {}
    last_key: str | None = None
    offset = sum(len(line) for line in lines[:first])
    for index in range(first, min(len(lines), first + _MAX_HEADER_LINES)):
        raw = lines[index]
        line = raw.rstrip("\r\n")
        if closing.fullmatch(line):
            if not _KNOWN_KEYS & {key for key in fields}:
                return None
            end = offset + len(line)
            return HeaderBlock(
                end=end, body_start=offset + len(raw), fields=fields, metadata=header_metadata(fields)
            )
        offset += len(raw)
        if not line.strip():
            continue
        key_line = _KEY_LINE.fullmatch(line)
        if key_line and not line.startswith((" ", "\t")):
            last_key = key_line.group(1).strip().lower()
            fields[last_key] = key_line.group(2).strip().strip("\"'") if closing is _FRONT_MATTER else key_line.group(2).strip()
        elif last_key is not None:
            # A wrapped value: the line continues the previous field.
            fields[last_key] = f"{fields[last_key]} {line.strip()}"
        else:
            return None
    return None


def header_metadata(fields: dict[str, str]) -> dict[str, MetaValue]:
    """Title, outlet, author, published, url (and licence, completeness) from header fields."""
    found: dict[str, MetaValue] = {}
    if fields.get("title"):
        found["title"] = MetaValue(value=fields["title"], source="header")
    combined = fields.get("outlet/author")
    if combined:
        outlet, author = split_outlet_author(combined)
        if outlet:
            found["outlet"] = MetaValue(value=outlet, source="header")
        if author:
            found["author"] = MetaValue(value=author, source="header")
    for key in ("outlet", "author"):
        if fields.get(key):
            found[key] = MetaValue(value=_strip_note(_cut_outside_brackets(fields[key], ";")), source="header")
    date_value = fields.get("date") or fields.get("published")
    if date_value:
        published = parse_date(date_value, source="header")
        if published:
            found["published"] = published
    for key in ("source", "url"):
        url = re.match(r"(https?://\S+)", fields.get(key, ""))
        if url:
            found["url"] = MetaValue(value=url.group(1).rstrip(".,;)"), source="header")
            break
    licence = fields.get("licence") or fields.get("license")
    if licence:
        found["licence"] = MetaValue(value=licence, source="header")
    for key in ("completeness", "completeness/notes"):
        if fields.get(key):
            found["completeness"] = MetaValue(value=fields[key], source="header")
    return found


def split_outlet_author(value: str) -> tuple[str | None, str | None]:
    """'BuzzFeed News / Ken Bensinger, ...; notes' -> ('BuzzFeed News', 'Ken Bensinger, ...')."""
    # Notes after ";" describe the copy, not the outlet -- but a ";" inside brackets is
    # part of a note about the outlet itself ("(Republican majority press release; ...)").
    main = _cut_outside_brackets(value, ";")
    outlet, sep, author = main.partition(" / ")
    return (_strip_note(outlet) or None, (_strip_note(author) or None) if sep else None)


def _cut_outside_brackets(value: str, separator: str) -> str:
    depth = 0
    for index, char in enumerate(value):
        if char in "([":
            depth += 1
        elif char in ")]" and depth:
            depth -= 1
        elif char == separator and depth == 0:
            return value[:index].strip()
    return value.strip()


def _strip_note(value: str) -> str:
    # "TASS (Russian state news agency)" -> "TASS": the bracket describes, it does not name.
    stripped = value.strip()
    while True:
        shorter = re.sub(r"\s*\([^()]*\)\s*$", "", stripped)
        if shorter == stripped or not shorter:
            return stripped
        stripped = shorter
