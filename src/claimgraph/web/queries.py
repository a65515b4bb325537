"""Read views of the ledger for the web: one function per view, shared by the JSON API and the pages.

Every list is paginated in SQL (limit/offset with a total), and analyst corrections are applied
on read, so a filter on hedging, polarity or speaker sees the corrected values.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import and_, false, func, not_, or_, select, tuple_
from sqlalchemy import text as sql

from claimgraph.errors import NotFound
from claimgraph.models import Claim
from claimgraph.sources import document_label
from claimgraph.store import Store
from claimgraph.store import corrections as cx
from claimgraph.store import schema as t
from claimgraph.store.links import chunks
from claimgraph.store.sql import _claim_from_row

MAX_LIMIT = 500


@dataclass(frozen=True, kw_only=True)
class PageRequest:
    limit: int = 50
    offset: int = 0


@dataclass(kw_only=True)
class Paged:
    """One page of a list and the size of the whole list."""

    items: list[dict[str, Any]]
    total: int
    limit: int
    offset: int

    def as_json(self) -> dict[str, Any]:
        return {"items": self.items, "total": self.total, "limit": self.limit, "offset": self.offset}

    @property
    def next_offset(self) -> int | None:
        return self.offset + self.limit if self.offset + self.limit < self.total else None

    @property
    def previous_offset(self) -> int | None:
        return max(0, self.offset - self.limit) if self.offset > 0 else None


@dataclass(frozen=True, kw_only=True)
class ClaimFilter:
    """Which claims to list; every given field must match (after corrections)."""

    document: str | None = None  # id, id prefix, origin or file name
    speaker: str | None = None  # case-insensitive substring
    entity: str | None = None  # "document:key" or a case-insensitive part of an entity name / alias
    hedging: str | None = None  # none | low | medium | high
    polarity: str | None = None  # asserted | denied
    wrong: bool | None = None  # only claims an analyst marked wrong (True) or not (False)
    claim_ids: tuple[str, ...] | None = field(default=None)


def _like(text: str) -> str:
    return "%" + re.sub(r"([\\%_])", r"\\\1", text) + "%"


# ---------------------------------------------------------------------- documents


def _document_summary(row: Any, claim_counts: dict[str, int], analysed: set[str]) -> dict[str, Any]:
    m = row._mapping
    return {
        "id": m["id"],
        "title": m["title"],
        "outlet": m["outlet"],
        "author": m["author"],
        "published": m["published"],
        "published_precision": m["published_precision"],
        "origin": m["origin"],
        "version": m["version"],
        "media_type": m["media_type"],
        "near_duplicate_of": m["near_duplicate_of"],
        "ingested_at": m["ingested_at"],
        "analysed": m["id"] in analysed,
        "claims": claim_counts.get(m["id"], 0),
    }


def list_documents(store: Store, page: PageRequest) -> Paged:
    """Stored documents (without their text), oldest first."""
    columns = [c for c in t.documents.c if c.name not in ("text", "metadata_json")]
    with store.engine.connect() as connection:
        total = connection.execute(select(func.count()).select_from(t.documents)).scalar_one()
        rows = connection.execute(
            select(*columns).order_by(t.documents.c.ingested_at, t.documents.c.id).limit(page.limit).offset(page.offset)
        ).all()
        ids = [row.id for row in rows]
        counts: dict[str, int] = dict(
            connection.execute(
                select(t.claims.c.document_id, func.count()).where(t.claims.c.document_id.in_(ids)).group_by(t.claims.c.document_id)
            ).all()
        )
        analysed = set(connection.execute(select(t.analyses.c.document_id).where(t.analyses.c.document_id.in_(ids))).scalars())
        names = document_names(connection, ids)
    items = [{**_document_summary(r, counts, analysed), "label": names.get(r.id)} for r in rows]
    return Paged(items=items, total=total, limit=page.limit, offset=page.offset)


def document_detail(store: Store, ref: str) -> dict[str, Any]:
    """One document with its text, zones, metadata and the state of its analysis."""
    document = store.get_document(ref)
    plain = asdict(document)
    plain["metadata"] = {name: asdict(value) for name, value in document.metadata.items()}
    analysed = store.analysed().get(document.id)
    plain["analysis"] = {"step": analysed[0], "model": analysed[1]} if analysed else None
    return plain


# ---------------------------------------------------------------------- claims


def claim_json(document_id: str, claim: Claim, fields: dict[str, cx.Correction] | None) -> dict[str, Any]:
    """A claim as the analyst sees it: corrected values, the originals, and who corrected what."""
    corrected, wrong = cx.apply_corrections(claim, fields)
    # Shallow copies: dataclasses.asdict deep-copies and dominated the cost of a claims page.
    plain = dict(vars(corrected))
    plain["chain"] = list(corrected.chain)
    plain["entities"] = list(corrected.entities)
    plain["times"] = [dict(vars(x)) for x in corrected.times]
    plain["document_id"] = document_id
    plain["wrong"] = wrong
    plain["corrections"] = {
        name: {
            "id": c.id,
            "value": c.value,
            "original": getattr(claim, name) if name != "wrong" else "false",
            "author": c.author,
            "at": c.created_at,
            "note": c.note,
        }
        for name, c in (fields or {}).items()
    }
    return plain


def _corrected_condition(field_name: str, wanted: Any, corrections: dict[Any, dict[str, cx.Correction]], matches: Any) -> Any:
    """`column` matches, unless an analyst changed the field; then the corrected value must match."""
    key = tuple_(t.claims.c.document_id, t.claims.c.start, t.claims.c.end)
    overridden = [k for k, f in corrections.items() if field_name in f]
    corrected_ok = [k for k in overridden if matches(corrections[k][field_name].value)]
    condition = wanted
    if overridden:
        condition = and_(condition, not_(key.in_(overridden)))
    if corrected_ok:
        condition = or_(condition, key.in_(corrected_ok))
    return condition


def _entity_condition(connection: Any, entity: str) -> Any:
    if ":" in entity and " " not in entity:
        document_id, key = entity.split(":", 1)
        pairs = [(document_id, key)]
    else:
        pattern = _like(entity)
        pairs = connection.execute(
            select(t.entities.c.document_id, t.entities.c.key)
            .where(or_(t.entities.c.name.ilike(pattern, escape="\\"), t.entities.c.aliases_json.ilike(pattern, escape="\\")))
            .limit(MAX_LIMIT)
        ).all()
    if not pairs:
        return false()
    return or_(
        *[
            and_(
                t.claims.c.document_id == document_id,
                or_(t.claims.c.speaker_entity == key, t.claims.c.entities_json.like(_like(json.dumps(key)), escape="\\")),
            )
            for document_id, key in pairs
        ]
    )


def list_claims(store: Store, claim_filter: ClaimFilter, page: PageRequest) -> Paged:
    """Claims passing every filter, in document order, with corrections applied."""
    document_id = store.get_document(claim_filter.document).id if claim_filter.document else None
    corrections = cx.active_claim_corrections(store, [document_id] if document_id else None)
    conditions: list[Any] = []
    if document_id:
        conditions.append(t.claims.c.document_id == document_id)
    if claim_filter.claim_ids is not None:
        conditions.append(t.claims.c.id.in_(claim_filter.claim_ids))
    if claim_filter.hedging:
        value = claim_filter.hedging
        conditions.append(_corrected_condition("hedging", t.claims.c.hedging == value, corrections, lambda v: v == value))
    if claim_filter.polarity:
        value = claim_filter.polarity
        conditions.append(_corrected_condition("polarity", t.claims.c.polarity == value, corrections, lambda v: v == value))
    if claim_filter.speaker:
        needle = claim_filter.speaker.casefold()
        conditions.append(
            _corrected_condition(
                "speaker",
                t.claims.c.speaker.ilike(_like(claim_filter.speaker), escape="\\"),
                corrections,
                lambda v: bool(v) and needle in v.casefold(),
            )
        )
    if claim_filter.wrong is not None:
        key = tuple_(t.claims.c.document_id, t.claims.c.start, t.claims.c.end)
        wrong_keys = [k for k, f in corrections.items() if "wrong" in f and f["wrong"].value == "true"]
        if claim_filter.wrong:
            conditions.append(key.in_(wrong_keys) if wrong_keys else false())
        elif wrong_keys:
            conditions.append(not_(key.in_(wrong_keys)))
    with store.engine.connect() as connection:
        if claim_filter.entity:
            conditions.append(_entity_condition(connection, claim_filter.entity))
        where = and_(*conditions) if conditions else None
        count = select(func.count()).select_from(t.claims)
        query = select(t.claims).order_by(t.claims.c.document_id, t.claims.c.start, t.claims.c.id)
        if where is not None:
            count, query = count.where(where), query.where(where)
        total = connection.execute(count).scalar_one()
        rows = connection.execute(query.limit(page.limit).offset(page.offset)).all()
    titles = document_titles(store, {row.document_id for row in rows})
    items = [
        {
            **claim_json(row.document_id, _claim_from_row(row._mapping), corrections.get((row.document_id, row.start, row.end))),
            "document_title": titles.get(row.document_id),
        }
        for row in rows
    ]
    return Paged(items=items, total=total, limit=page.limit, offset=page.offset)


def document_titles(store: Store, ids: set[str]) -> dict[str, str]:
    """id -> what to call a document (document_names)."""
    if not ids:
        return {}
    with store.engine.connect() as connection:
        return document_names(connection, ids)


def document_names(connection: Any, ids: Iterable[str]) -> dict[str, str]:
    """id -> a document in words: its title, else its headline or first line of text, else its
    file name (never a path). Texts are read only for the documents without a title."""
    d, z = t.documents.c, t.zones.c
    rows = []
    for wanted in chunks(sorted(set(ids))):
        rows += connection.execute(select(d.id, d.title, d.origin).where(d.id.in_(wanted))).all()
    names = {r.id: r.title.strip() for r in rows if r.title and r.title.strip()}
    for chunk in chunks([r for r in rows if r.id not in names]):
        ids_here = [r.id for r in chunk]
        texts = dict(connection.execute(select(d.id, d.text).where(d.id.in_(ids_here))).all())
        zones: dict[str, list[tuple[int, int, str]]] = {}
        for document_id, start, end, kind in connection.execute(select(z.document_id, z.start, z.end, z.kind).where(z.document_id.in_(ids_here))):
            zones.setdefault(document_id, []).append((start, end, kind))
        for r in chunk:
            names[r.id] = document_label(None, None, r.origin, texts.get(r.id), zones.get(r.id, []))
    return names


def get_claim(store: Store, claim_id: str) -> dict[str, Any]:
    """One claim by id, corrected."""
    with store.engine.connect() as connection:
        row = connection.execute(select(t.claims).where(t.claims.c.id == claim_id)).first()
    if row is None:
        raise NotFound(f"no claim {claim_id!r} in the ledger (claim ids look like DOCUMENT:c000)")
    fields = cx.active_claim_corrections(store, [row.document_id]).get((row.document_id, row.start, row.end))
    return claim_json(row.document_id, _claim_from_row(row._mapping), fields)


def document_claims(store: Store, document_id: str) -> list[dict[str, Any]]:
    """Every claim of one document (a document's own claims are rendered together), corrected."""
    return list_claims(store, ClaimFilter(document=document_id), PageRequest(limit=10**9, offset=0)).items


# ---------------------------------------------------------------------- entities


def entity_names(store: Store, document_id: str) -> dict[str, str]:
    """A document's entity keys -> names, to show names where claims list keys."""
    with store.engine.connect() as connection:
        return dict(connection.execute(select(t.entities.c.key, t.entities.c.name).where(t.entities.c.document_id == document_id)).all())


def list_entities(store: Store, page: PageRequest, *, query: str | None = None, type_: str | None = None, document: str | None = None) -> Paged:
    """Per-document entities with their mention counts (cross-document resolution is the link stage's)."""
    mention_count = (
        select(func.count())
        .where(t.mentions.c.document_id == t.entities.c.document_id, t.mentions.c.entity == t.entities.c.key)
        .scalar_subquery()
    )
    conditions = []
    if query:
        pattern = _like(query)
        conditions.append(or_(t.entities.c.name.ilike(pattern, escape="\\"), t.entities.c.aliases_json.ilike(pattern, escape="\\")))
    if type_:
        conditions.append(t.entities.c.type == type_)
    if document:
        conditions.append(t.entities.c.document_id == store.get_document(document).id)
    base = select(t.entities, mention_count.label("mentions")).where(*conditions)
    with store.engine.connect() as connection:
        total = connection.execute(select(func.count()).select_from(t.entities).where(*conditions)).scalar_one()
        rows = connection.execute(
            base.order_by(mention_count.desc(), t.entities.c.name, t.entities.c.document_id).limit(page.limit).offset(page.offset)
        ).all()
    titles = document_titles(store, {r.document_id for r in rows})
    items = [
        {
            "id": f"{r.document_id}:{r.key}",
            "document_id": r.document_id,
            "document_title": titles.get(r.document_id),
            "key": r.key,
            "name": r.name,
            "type": r.type,
            "aliases": json.loads(r.aliases_json),
            "mentions": r.mentions,
        }
        for r in rows
    ]
    return Paged(items=items, total=total, limit=page.limit, offset=page.offset)


def entity_detail(store: Store, entity_id: str) -> dict[str, Any]:
    """One entity with every mention (and its context), and same-named entities in other documents."""
    document_id, _, key = entity_id.partition(":")
    with store.engine.connect() as connection:
        row = connection.execute(
            select(t.entities).where(t.entities.c.document_id == document_id, t.entities.c.key == key)
        ).first()
        if row is None:
            raise NotFound(f"no entity {entity_id!r} (entity ids look like DOCUMENT:E1)")
        text = connection.execute(select(t.documents.c.text).where(t.documents.c.id == document_id)).scalar_one()
        mentions = connection.execute(
            select(t.mentions).where(t.mentions.c.document_id == document_id, t.mentions.c.entity == key).order_by(t.mentions.c.start)
        ).all()
        namesakes = connection.execute(
            select(t.entities.c.document_id, t.entities.c.key, t.entities.c.name, t.entities.c.type)
            .where(func.lower(t.entities.c.name) == row.name.lower(), t.entities.c.document_id != document_id)
            .limit(100)
        ).all()
    return {
        "id": entity_id,
        "document_id": document_id,
        "key": key,
        "name": row.name,
        "type": row.type,
        "aliases": json.loads(row.aliases_json),
        "mentions": [
            {
                "start": m.start,
                "end": m.end,
                "text": m.text,
                "kind": m.kind,
                "before": text[max(0, m.start - 60) : m.start],
                "after": text[m.end : m.end + 60],
            }
            for m in mentions
        ],
        "same_name_elsewhere": [{"id": f"{n.document_id}:{n.key}", "document_id": n.document_id, "name": n.name, "type": n.type} for n in namesakes],
    }


# ---------------------------------------------------------------------- search


def _terms(query: str) -> list[str]:
    return [term for term in re.findall(r"\w+", query.casefold()) if term][:8]


def snippet(text: str, terms: list[str], width: int = 90) -> dict[str, str]:
    """A window of text around the first hit, split so a template can mark the hit without |safe."""
    lowered = text.casefold()
    hits = [(lowered.find(term), term) for term in terms if lowered.find(term) >= 0]
    if not hits:
        return {"before": text[: width * 2], "hit": "", "after": ""}
    start, term = min(hits)
    end = start + len(term)
    return {
        "before": ("…" if start > width else "") + text[max(0, start - width) : start],
        "hit": text[start:end],
        "after": text[end : end + width] + ("…" if end + width < len(text) else ""),
    }


# The full-text index of migration 0007_search. On PostgreSQL the GIN indexes are on exactly
# these expressions: a query uses an expression index only when it repeats it verbatim.
DOCUMENT_VECTOR = "to_tsvector('english', coalesce(documents.title, '') || ' ' || documents.text)"
CLAIM_VECTOR = "to_tsvector('english', claims.text)"


def fts5_query(terms: list[str]) -> str:
    """An FTS5 MATCH string requiring every term: each one a quoted string, so that quotes,
    *, ^, -, :, parentheses or NEAR/AND/OR/NOT in what the user typed are searched for as
    text, never read as query syntax."""
    return " ".join('"' + term.replace('"', '""') + '"' for term in terms)


def _search_sql(dialect: str, kind: str) -> tuple[str, str, str]:
    """(FROM ... WHERE, rank expression ordered best first, tie-breaking order) for one kind."""
    if dialect == "postgresql":
        query = "plainto_tsquery('english', :q)"
        if kind == "documents":
            vector = DOCUMENT_VECTOR
            return f"documents WHERE {vector} @@ {query}", f"ts_rank({vector}, {query}, 1) DESC", "documents.id"
        vector = CLAIM_VECTOR
        return f"claims WHERE {vector} @@ {query}", f"ts_rank({vector}, {query}, 1) DESC", "claims.document_id, claims.start"
    # SQLite FTS5: bm25() is smaller for a better match.
    if kind == "documents":
        return (
            "documents_fts JOIN documents ON documents.id = documents_fts.document_id WHERE documents_fts MATCH :q",
            "bm25(documents_fts)",
            "documents.id",
        )
    return (
        "claims_fts JOIN claims ON claims.id = claims_fts.claim_id WHERE claims_fts MATCH :q",
        "bm25(claims_fts)",
        "claims.document_id, claims.start",
    )


def search(store: Store, query: str, page: PageRequest, *, kind: str = "all") -> Paged:
    """Documents and claims whose text matches every word of `query`, best match first;
    documents before claims. Served by the full-text index (FTS5 on SQLite, GIN on PostgreSQL)."""
    terms = _terms(query)
    if not terms:  # nothing to look for (only punctuation): nothing found, and no index query
        return Paged(items=[], total=0, limit=page.limit, offset=page.offset)
    dialect = store.engine.dialect.name
    # PostgreSQL parses the words itself (plainto_tsquery: every lexeme, AND); a NUL byte is
    # the one thing it cannot take. SQLite gets the quoted terms.
    bound = {"q": query.replace("\x00", " ") if dialect == "postgresql" else fts5_query(terms)}
    items: list[dict[str, Any]] = []
    with store.engine.connect() as connection:

        def total(kind_: str) -> int:
            source, _, _ = _search_sql(dialect, kind_)
            return connection.execute(sql(f"SELECT count(*) FROM {source}"), bound).scalar_one()

        def rows(kind_: str, columns: str, limit: int, offset: int) -> Sequence[Any]:
            source, rank, order = _search_sql(dialect, kind_)
            statement = f"SELECT {columns} FROM {source} ORDER BY {rank}, {order} LIMIT :limit OFFSET :offset"
            return connection.execute(sql(statement), {**bound, "limit": limit, "offset": offset}).all()

        doc_total = total("documents") if kind in ("all", "documents") else 0
        claim_total = total("claims") if kind in ("all", "claims") else 0
        if page.offset < doc_total:
            found = rows(
                "documents",
                "documents.id, documents.title, documents.outlet, documents.origin, documents.text",
                page.limit,
                page.offset,
            )
            names = document_names(connection, [r.id for r in found])
            items += [
                {"kind": "document", "id": r.id, "document_id": r.id, "title": names.get(r.id, r.id),
                 "speaker": None, "snippet": snippet(r.text, terms)}
                for r in found
            ]
        room = page.limit - len(items)
        if room > 0 and claim_total:
            claim_offset = max(0, page.offset - doc_total)
            found = rows("claims", "claims.id, claims.document_id, claims.text, claims.speaker", room, claim_offset)
            titles = document_titles(store, {r.document_id for r in found})
            items += [
                {"kind": "claim", "id": r.id, "document_id": r.document_id, "title": titles.get(r.document_id, r.document_id),
                 "speaker": r.speaker, "snippet": snippet(r.text, terms)}
                for r in found
            ]
    return Paged(items=items, total=doc_total + claim_total, limit=page.limit, offset=page.offset)


# ---------------------------------------------------------------------- overview


def corpus_counts(store: Store) -> dict[str, int]:
    """How much the ledger holds, table by table."""
    tables = {
        "documents": t.documents,
        "analysed": t.analyses,
        "claims": t.claims,
        "entities": t.entities,
        "mentions": t.mentions,
        "times": t.times,
        "clusters": t.clusters,
        "links": t.links,
        "lines": t.lines,
        "events": t.events,
        "assessments": t.assessments,
        "provenance": t.provenance,
        "corrections": cx.corrections,
    }
    with store.engine.connect() as connection:
        counts = {name: connection.execute(select(func.count()).select_from(table)).scalar_one() for name, table in tables.items()}
        # Lines that carry a claim, as /lines lists them (a line every claim has left keeps its row).
        counts["lines"] = connection.execute(select(func.count(func.distinct(t.claim_lines.c.line_id)))).scalar_one()
        counts["denied"] = connection.execute(select(func.count()).select_from(t.claims).where(t.claims.c.polarity == "denied")).scalar_one()
        counts["hedged"] = connection.execute(select(func.count()).select_from(t.claims).where(t.claims.c.hedging != "none")).scalar_one()
    return counts


# ---------------------------------------------------------------------- staleness


def freshness(store: Store) -> dict[str, Any]:
    """How far the derived layers are behind the documents (current versions only): counts of
    documents not analysed yet and of analysed ones the last link did not take in.

    `link_stale` is true when a page built on clusters, lines or assessments misses documents:
    run `claimgraph link` (or upload with analyse) to bring it up to date."""
    superseded = select(t.documents.c.supersedes).where(t.documents.c.supersedes.is_not(None))
    current = t.documents.c.id.not_in(superseded)
    analysed = t.documents.c.id.in_(select(t.analyses.c.document_id))
    linked = t.documents.c.id.in_(select(t.link_provenance.c.document_id))
    with store.engine.connect() as connection:
        def count(*where: Any) -> int:
            return connection.execute(select(func.count()).select_from(t.documents).where(current, *where)).scalar_one()

        documents, analysed_count, linked_count = count(), count(analysed), count(analysed, linked)
        ever_linked = connection.execute(select(func.count()).select_from(t.link_state)).scalar_one() > 0
    unlinked = analysed_count - linked_count
    return {
        "documents": documents,
        "analysed": analysed_count,
        "linked": linked_count,
        "unanalysed": documents - analysed_count,
        "unlinked": unlinked,
        "ever_linked": ever_linked,
        "link_stale": unlinked > 0,
        "stale": unlinked > 0 or documents > analysed_count,
    }


def staleness(store: Store) -> dict[str, Any]:
    """Is the cross-document layer older than what it was built from? Documents analysed since the
    last `claimgraph link`, source grades changed since, or claim corrections made since."""
    from claimgraph.pipeline.link_step import load_head

    saved = load_head(store)
    if saved is None:
        return {"linked": False, "stale": False, "documents": 0, "grades": [], "corrections": False}
    key, data = saved
    with store.engine.connect() as connection:
        grades = dict(connection.execute(select(t.source_grades.c.source, t.source_grades.c.reliability)).all())
    used = _grades_linked_with(data)
    unlinked = freshness(store)["unlinked"]
    changed = sorted(name for name in set(grades) | set(used) if grades.get(name) != used.get(name))
    try:
        linked_digest = json.loads(key).get("corrections")  # what ledger._link_store keyed its saved state by
    except ValueError:
        linked_digest = None
    corrected = linked_digest is not None and linked_digest != cx.corrections_digest(store)
    return {"linked": True, "stale": bool(unlinked or changed or corrected), "documents": unlinked,
            "grades": changed, "graded_names": [_source_name(store, key) for key in changed[:10]],
            "corrections": corrected}


def _grades_linked_with(head: bytes) -> dict[str, str]:
    """The analyst's grades the saved linker assessed with: the last field ("reliability") of its
    head's JSON header (link.state.head, framed by records.frame), read without parsing the rest
    of the header (megabytes on a large ledger)."""
    import struct

    from claimgraph.link.state import _ROWS_MAGIC

    head = bytes(head)
    if not head.startswith(_ROWS_MAGIC):
        return {}
    (size,) = struct.unpack_from("<Q", head, len(_ROWS_MAGIC))
    begin = len(_ROWS_MAGIC) + 8
    header = head[begin : begin + size]
    marker = b'"reliability": '
    at = header.rfind(marker)
    if at < 0:
        return {}
    try:
        value, _ = json.JSONDecoder().raw_decode(header[at + len(marker) :].decode("utf-8"))
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _source_name(store: Store, key: str) -> str:
    """A graded source in words: the spelling its claims' lines give it most, else its key's words."""
    c = t.claim_lines.c
    with store.engine.connect() as connection:
        spelt = connection.execute(select(c.source).where(c.source_key == key, c.source.is_not(None))
                                   .group_by(c.source).order_by(func.count().desc(), c.source).limit(1)).scalar()
    return spelt or key.removeprefix("source:")
