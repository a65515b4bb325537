"""The ledger's records: plain dataclasses shared by every stage and every store."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

# Zone kinds. Claims are taken only from CLAIM_ZONES; everything else is page furniture
# or metadata that must never yield claims.
ZoneKind = Literal[
    "header",  # the Title:/Outlet:/Date:/Source: block ended by a ===== line
    "dateline",  # " date 2021-07-15", a memo's closing "12 October 2016"
    "headline",
    "body",
    "summary",  # intelligence-memo summary bullets
    "detail",  # intelligence-memo numbered detail paragraphs
    "quote_block",
    "caption",  # "The National: ... Picture: AP"
    "related_link",  # "READ MORE: ..."
    "furniture",  # photo credits, navigation, banners ("Act Now", "Tweet")
]
CLAIM_ZONES = frozenset({"headline", "body", "summary", "detail", "quote_block", "caption"})

Precision = Literal["day", "month", "year"]


@dataclass(frozen=True, kw_only=True)
class Zone:
    """A span [start, end) of a document's text with its kind."""

    start: int
    end: int
    kind: str
    reason: str | None = None  # which rule or lexicon entry decided it


@dataclass(frozen=True, kw_only=True)
class MetaValue:
    """One metadata value with where it came from (and, for dates, its precision)."""

    value: str
    source: str  # "header", "html-meta", "eml-header", "record-field", "text:dateline", "text:closing-date", ...
    precision: str | None = None


@dataclass(kw_only=True)
class RawDocument:
    """What a reader makes of one file (or one record of a dump), before it is stored."""

    origin: str  # path, or path#record-N for dumps, or path#attachment-NAME
    media_type: str  # text/plain, text/markdown, text/html, application/pdf, message/rfc822, ...
    text: str  # the clean text; for plain text it IS the file's text
    zones: list[Zone] = field(default_factory=list)
    metadata: dict[str, MetaValue] = field(default_factory=dict)  # title, outlet, author, published, url, language

    def meta(self, name: str) -> str | None:
        value = self.metadata.get(name)
        return value.value if value else None


@dataclass(kw_only=True)
class Document:
    """A stored document version."""

    id: str
    content_hash: str
    origin: str
    version: int
    media_type: str
    text: str
    title: str | None = None
    outlet: str | None = None
    author: str | None = None
    url: str | None = None
    published: str | None = None
    published_precision: str | None = None
    language: str | None = None
    metadata: dict[str, MetaValue] = field(default_factory=dict)
    zones: list[Zone] = field(default_factory=list)
    origins: list[str] = field(default_factory=list)  # every path this exact content was seen at
    supersedes: str | None = None  # the previous version of the same origin
    near_duplicate_of: str | None = None
    near_duplicate_score: float | None = None
    ingested_at: str | None = None


# ---------------------------------------------------------------- per-document analysis


@dataclass(kw_only=True)
class Sentence:
    index: int
    start: int
    end: int
    zone: str


@dataclass(kw_only=True)
class Mention:
    entity: str  # the document-local entity key
    start: int
    end: int
    text: str
    kind: str = "name"  # name | description | pronoun | anonymous


@dataclass(kw_only=True)
class Entity:
    key: str  # document-local key, e.g. "E3"; stable for the same text and models
    name: str  # canonical name inside the document ("Vladimir Putin")
    type: str  # PER | ORG | GPE | LOC | NORP | DOC | EVENT | GROUP | ANON_SOURCE | WORK | OTHER
    aliases: list[str] = field(default_factory=list)


@dataclass(kw_only=True)
class TimeExpression:
    start: int
    end: int
    text: str
    value: str | None  # ISO at its precision: "2016", "2016-10", "2016-01-22"
    precision: str | None  # day | month | year
    qualifier: str = "exact"  # exact | approximate | early | mid | late | before | after | range
    range_end: str | None = None


@dataclass(kw_only=True)
class Claim:
    """One proposition with who is said to have said it, through whom, and how surely."""

    id: str
    sentence_index: int
    start: int  # span of the proposition in the document text
    end: int
    sentence_start: int
    sentence_end: int
    text: str  # the span's text
    content: str  # normalised proposition
    zone: str = "body"
    speaker: str | None = None  # innermost source; None = the document's own voice
    speaker_entity: str | None = None
    chain: list[str] = field(default_factory=list)  # nearest source first
    cue: str | None = None
    cue_start: int | None = None
    cue_end: int | None = None
    attribution: str = "unattributed"  # explicit | implicit_context | unattributed
    hedging: str = "none"  # none | low | medium | high
    polarity: str = "asserted"  # asserted | denied
    claim_type: str = "factual"  # factual | evaluative | prediction | proposal | inference | denial | meta
    quote: str = "none"  # direct | indirect | mixed | none
    entities: list[str] = field(default_factory=list)  # document-local entity keys
    times: list[TimeExpression] = field(default_factory=list)
    step: str = ""  # versioned name of the step that made it
    model: str = ""  # model name and version


@dataclass(kw_only=True)
class Analysis:
    """Everything the per-document step finds in one document."""

    document_id: str
    sentences: list[Sentence] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    times: list[TimeExpression] = field(default_factory=list)
    step: str = ""
    model: str = ""



# ---------------------------------------------------------------- across documents (the entity stage)

EntityMember = tuple[str, str]  # (document id, document-local entity key)


@dataclass(kw_only=True)
class CanonicalEntity:
    """One entity across the corpus and the per-document entities that are it."""

    id: str
    name: str
    type: str
    aliases: list[str] = field(default_factory=list)
    members: list[EntityMember] = field(default_factory=list)

    @property
    def documents(self) -> list[str]:
        return sorted({document for document, _ in self.members})

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "type": self.type, "aliases": list(self.aliases),
                "members": [{"document_id": d, "key": k} for d, k in self.members], "documents": self.documents}


@dataclass(frozen=True, kw_only=True)
class EntityCorrection:
    """An analyst's merge, split or rename, keyed by members and names (see store/entities.py)."""

    id: int
    action: str  # merge | split | rename
    members: tuple[tuple[EntityMember, ...], ...]  # merge: two sides; split: the one member; rename: the entity's members
    value: str | None = None  # rename: the new name


def to_plain(record: Any) -> Any:
    """A record (or list of records) as JSON-ready dicts."""
    if isinstance(record, list):
        return [to_plain(item) for item in record]
    return asdict(record)
