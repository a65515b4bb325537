"""The SQL ledger store, one class for SQLite and PostgreSQL (through SQLAlchemy Core)."""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import asdict
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, delete, event, func, insert, select, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from claimgraph.errors import NotFound, StoreError
from claimgraph.models import (
    Analysis,
    Claim,
    Document,
    Entity,
    Mention,
    MetaValue,
    Sentence,
    TimeExpression,
    Zone,
)
from claimgraph.store import schema as t
from claimgraph.text import storable_name, storable_text

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX: SQLite's own locking is all there is
    fcntl = None  # type: ignore[assignment]

MIGRATIONS = Path(__file__).with_name("migrations")


def _enable_wal(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout=30000")  # readers and a second writer wait, not fail
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


@contextmanager
def _sqlite_file_lock(engine: Engine) -> Iterator[None]:
    """An exclusive lock on '<database>.lock' beside a SQLite file, held while the schema is made
    or migrated: a second process opening a new store waits, then finds the schema current."""
    database = engine.url.database
    if fcntl is None or not database or database == ":memory:" or database.startswith("file:"):
        yield
        return
    try:
        handle = open(f"{database}.lock", "a")  # noqa: SIM115 - held open for the lock's lifetime
    except OSError:  # e.g. no such folder: SQLite itself says what is wrong with the path
        yield
        return
    with handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _migrate(engine: Engine) -> None:
    """Create or upgrade the schema to head, one process at a time.

    Two processes opening a brand-new store would otherwise both run the first migration and
    the loser fail (SQLite: table already exists; PostgreSQL: a unique violation in pg_type).
    PostgreSQL takes a transaction-scoped advisory lock keyed on the store's schema, released
    at commit; SQLite takes a file lock beside the database.
    """
    lock = _sqlite_file_lock(engine) if engine.dialect.name == "sqlite" else nullcontext()
    with lock, engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            schema = connection.exec_driver_sql("SELECT current_schema()").scalar() or ""
            key = zlib.crc32(f"claimgraph-migrations:{schema}".encode()) - 2**31  # fits a signed bigint
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({key})")
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


class Store:
    """The ledger in a SQL database: documents, zones, near-duplicate index and analyses."""

    def __init__(self, url: str) -> None:
        self.url = url
        try:
            self.engine = create_engine(url, future=True)
            if self.engine.dialect.name == "sqlite":
                event.listen(self.engine, "connect", _enable_wal)
            _migrate(self.engine)
        except (OperationalError, SQLAlchemyError) as error:
            raise StoreError(
                f"cannot open the ledger store at {self.display_url}: {error.__class__.__name__}: "
                f"{str(error).splitlines()[0]}. Check --db / CLAIMGRAPH_DB."
            ) from error

    @property
    def display_url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True) if hasattr(self, "engine") else self.url

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """One atomic unit of work: all of it lands, or none of it."""
        with self.engine.begin() as connection:
            yield connection

    def migrations(self) -> list[str]:
        """The applied migration heads (alembic records them in alembic_version)."""
        with self.engine.connect() as connection:
            return [row[0] for row in connection.exec_driver_sql("SELECT version_num FROM alembic_version")]

    # ------------------------------------------------------------------ documents

    def newest_for_origin(self, origin: str) -> tuple[str, int] | None:
        """(document id, version) last read from `origin`, or None."""
        query = (
            select(t.origins.c.document_id, t.origins.c.version)
            .where(t.origins.c.origin == origin)
            .order_by(t.origins.c.version.desc(), t.origins.c.seen_at.desc())
            .limit(1)
        )
        with self.engine.connect() as connection:
            row = connection.execute(query).first()
        return (row[0], row[1]) if row else None

    def document_id_for_hash(self, content_hash: str) -> str | None:
        with self.engine.connect() as connection:
            return connection.execute(
                select(t.documents.c.id).where(t.documents.c.content_hash == content_hash)
            ).scalar()

    def add_origin(self, connection: Connection, origin: str, document_id: str, version: int, seen_at: str) -> None:
        """Record that `document_id` was read from `origin`; a no-op when that is already recorded,
        also when another writer records it at the same moment (ON CONFLICT DO NOTHING)."""
        dialect = {"sqlite": sqlite, "postgresql": postgresql}.get(connection.dialect.name)
        values = dict(origin=storable_name(origin), document_id=document_id, version=version, seen_at=seen_at)
        if dialect is not None:
            connection.execute(dialect.insert(t.origins).values(**values).on_conflict_do_nothing())
            return
        o = t.origins
        if not connection.execute(select(o.c.origin).where(
                o.c.origin == values["origin"], o.c.document_id == document_id)).first():
            connection.execute(insert(o).values(**values))

    def origin_had(self, origin: str, document_id: str) -> bool:
        """Was this document's content read from `origin` before (in any version)?"""
        o = t.origins
        with self.engine.connect() as connection:
            return connection.execute(
                select(o.c.version).where(o.c.origin == origin, o.c.document_id == document_id)).first() is not None

    def make_current(self, connection: Connection, origin: str, document_id: str, version: int, seen_at: str) -> None:
        """`origin` is back at an earlier content: that document becomes its newest version again.

        The origin's row for it takes the new version number (the row of the version it left stays),
        and the document moves to the head of the origin's supersedes chain: it now supersedes the
        version the origin had, and what superseded it before takes its old predecessor, so the
        chain has no cycle and every other document keeps its place.
        """
        d, o = t.documents, t.origins
        newest = self._newest_in(connection, origin)
        if newest is None or newest == document_id:
            return
        own = connection.execute(select(d.c.supersedes).where(d.c.id == document_id)).scalar()
        chain = select(o.c.document_id).where(o.c.origin == origin)
        connection.execute(
            update(d).where(d.c.supersedes == document_id, d.c.id.in_(chain)).values(supersedes=own))
        connection.execute(update(d).where(d.c.id == document_id).values(supersedes=newest))
        connection.execute(
            update(o).where(o.c.origin == origin, o.c.document_id == document_id).values(version=version, seen_at=seen_at))

    @staticmethod
    def _newest_in(connection: Connection, origin: str) -> str | None:
        o = t.origins
        return connection.execute(select(o.c.document_id).where(o.c.origin == origin)
                                  .order_by(o.c.version.desc(), o.c.seen_at.desc()).limit(1)).scalar()

    def add_document(
        self,
        connection: Connection,
        document: Document,
        *,
        signature: bytes,
        buckets: list[tuple[int, str]],
    ) -> None:
        """Insert a new document version with its zones and near-duplicate index rows."""
        connection.execute(insert(t.documents).values(**_document_row(document)))
        if document.zones:
            connection.execute(
                insert(t.zones),
                [dict(document_id=document.id, **asdict(zone)) for zone in document.zones],
            )
        connection.execute(insert(t.minhashes).values(document_id=document.id, signature=signature))
        if buckets:
            connection.execute(
                insert(t.minhash_bands),
                [dict(band=band, bucket=bucket, document_id=document.id) for band, bucket in buckets],
            )
        self.add_origin(connection, document.origin, document.id, document.version, document.ingested_at or "")

    def link_near_duplicate(self, connection: Connection, document_id: str, other: str, score: float) -> None:
        """Point an earlier document at its new near-duplicate, unless it already has one."""
        connection.execute(
            update(t.documents)
            .where(t.documents.c.id == document_id, t.documents.c.near_duplicate_of.is_(None))
            .values(near_duplicate_of=other, near_duplicate_score=score)
        )

    def near_duplicate_candidates(self, buckets: list[tuple[int, str]]) -> list[tuple[str, bytes]]:
        """Documents sharing at least one LSH band bucket, with their MinHash signatures."""
        if not buckets:
            return []
        with self.engine.connect() as connection:
            # One indexed lookup for all bands: (band, bucket) is the table's primary key.
            ids = set(
                connection.execute(
                    select(t.minhash_bands.c.document_id)
                    .where(tuple_(t.minhash_bands.c.band, t.minhash_bands.c.bucket).in_(buckets))
                    .distinct()
                ).scalars()
            )
            if not ids:
                return []
            rows = connection.execute(
                select(t.minhashes.c.document_id, t.minhashes.c.signature).where(
                    t.minhashes.c.document_id.in_(sorted(ids))
                )
            )
            return [(row[0], row[1]) for row in rows]

    def count_documents(self) -> int:
        with self.engine.connect() as connection:
            return connection.execute(select(func.count()).select_from(t.documents)).scalar_one()

    def documents(self, *, with_text: bool = True, ids: list[str] | None = None, zones: bool = True,
                  metadata: bool = True) -> list[Document]:
        """Every stored document version (or those with these ids), oldest first; without their
        zones and origins when `zones` is off, without their metadata when `metadata` is (the
        link stage's view of the corpus)."""
        if ids is not None and len(ids) > _READ_CHUNK:
            found = [d for begin in range(0, len(ids), _READ_CHUNK)
                     for d in self.documents(with_text=with_text, ids=ids[begin : begin + _READ_CHUNK], zones=zones,
                                             metadata=metadata)]
            return sorted(found, key=lambda d: (d.ingested_at or "", d.id))
        with self.engine.connect() as connection:
            left_out = ({"text"} if not with_text else set()) | ({"metadata_json"} if not metadata else set())
            columns = [c for c in t.documents.c if c.name not in left_out] if left_out else [t.documents]
            query, origins_query = select(*columns), select(t.origins.c.document_id, t.origins.c.origin)
            zones_query = select(t.zones)
            if ids is not None:
                query = query.where(t.documents.c.id.in_(ids))
                origins_query = origins_query.where(t.origins.c.document_id.in_(ids))
                zones_query = zones_query.where(t.zones.c.document_id.in_(ids))
            rows = connection.execute(query.order_by(t.documents.c.ingested_at, t.documents.c.id))
            documents = [_document_from_row(row._mapping, with_text=with_text) for row in rows]
            if not zones:
                return documents
            origins = _group(connection.execute(origins_query))
            zoned = _group(connection.execute(zones_query.order_by(t.zones.c.start)), key="document_id")
        for document in documents:
            document.origins = sorted(origins.get(document.id, []))
            document.zones = [_zone(row) for row in zoned.get(document.id, [])]
        return documents

    def get_document(self, ref: str) -> Document:
        """A document by id, id prefix, origin path or file name (newest version wins)."""
        with self.engine.connect() as connection:
            row = connection.execute(select(t.documents).where(t.documents.c.id == ref)).first()
            if row is None:
                matches = [
                    r for r in connection.execute(
                        select(t.origins.c.document_id, t.origins.c.origin, t.origins.c.version)
                    )
                    if r[1] == ref or Path(r[1].split("#")[0]).name == ref or r[1].endswith("/" + ref)
                    or r[0].startswith(ref)
                ]
                if not matches:
                    raise NotFound(f"no document {ref!r} in the ledger (try `claimgraph documents`)")
                ids = {m[0] for m in matches}
                if len(ids) > 1 and len({m[1] for m in matches}) > 1:
                    raise NotFound(f"{ref!r} names {len(ids)} documents; use one of: {', '.join(sorted(ids))}")
                newest = max(matches, key=lambda m: m[2])[0]
                row = connection.execute(select(t.documents).where(t.documents.c.id == newest)).first()
                assert row is not None  # an origin's document (a foreign key)
            document = _document_from_row(row._mapping, with_text=True)
            document.origins = sorted(
                connection.execute(
                    select(t.origins.c.origin).where(t.origins.c.document_id == document.id)
                ).scalars()
            )
            document.zones = [
                _zone(z._mapping)
                for z in connection.execute(
                    select(t.zones).where(t.zones.c.document_id == document.id).order_by(t.zones.c.start)
                )
            ]
        return document

    # ------------------------------------------------------------------ analyses

    def analysed(self) -> dict[str, tuple[str, str]]:
        """document id -> (step, model) of its stored analysis."""
        with self.engine.connect() as connection:
            return {row[0]: (row[1], row[2]) for row in connection.execute(select(t.analyses))}

    def save_analysis(self, analysis: Analysis, *, analysed_at: str) -> None:
        """Replace a document's analysis in one transaction."""
        document_id = analysis.document_id
        with self.transaction() as connection:
            for table in t.ANALYSIS_TABLES:
                connection.execute(delete(table).where(table.c.document_id == document_id))
            _insert_many(connection, t.sentences, [dict(document_id=document_id, **asdict(s)) for s in analysis.sentences])
            _insert_many(
                connection,
                t.entities,
                [
                    dict(document_id=document_id, key=e.key, name=e.name, type=e.type, aliases_json=json.dumps(e.aliases))
                    for e in analysis.entities
                ],
            )
            _insert_many(
                connection,
                t.mentions,
                list({(m.start, m.end, m.entity): dict(document_id=document_id, **asdict(m)) for m in analysis.mentions}.values()),
            )
            _insert_many(connection, t.claims, [_claim_row(document_id, c) for c in analysis.claims])
            _insert_many(
                connection,
                t.times,
                list({(x.start, x.end): dict(document_id=document_id, **asdict(x)) for x in analysis.times}.values()),
            )
            connection.execute(
                insert(t.analyses).values(
                    document_id=document_id, step=analysis.step, model=analysis.model, analysed_at=analysed_at
                )
            )

    def load_analysis(self, document_id: str) -> Analysis | None:
        return self.load_analyses([document_id]).get(document_id)

    def load_analyses(self, document_ids: list[str]) -> dict[str, Analysis]:
        """document id -> its analysis, for those of `document_ids` that have one.

        Six queries per 500 documents, not six per document: the link stage reads every
        analysis of the corpus. Rows come in a total order, so every backend gives the same.
        """
        out: dict[str, Analysis] = {}
        with self.engine.connect() as connection:
            for begin in range(0, len(document_ids), _READ_CHUNK):
                chunk = document_ids[begin : begin + _READ_CHUNK]

                def rows(table: Any, *order: Any) -> Any:
                    where = table.c.document_id.in_(chunk)
                    return connection.execute(select(table).where(where).order_by(table.c.document_id, *order))

                for head in rows(t.analyses):
                    out[head.document_id] = Analysis(document_id=head.document_id, step=head.step, model=head.model)
                for r in rows(t.sentences, t.sentences.c.index):
                    out[r.document_id].sentences.append(Sentence(index=r.index, start=r.start, end=r.end, zone=r.zone))
                for r in rows(t.entities, t.entities.c.key):
                    out[r.document_id].entities.append(
                        Entity(key=r.key, name=r.name, type=r.type, aliases=json.loads(r.aliases_json)))
                for r in rows(t.mentions, t.mentions.c.start, t.mentions.c.end, t.mentions.c.entity):
                    out[r.document_id].mentions.append(
                        Mention(entity=r.entity, start=r.start, end=r.end, text=r.text, kind=r.kind))
                for r in rows(t.times, t.times.c.start, t.times.c.end):
                    out[r.document_id].times.append(_time(r._mapping))
                for r in rows(t.claims, t.claims.c.start, t.claims.c.id):
                    out[r.document_id].claims.append(_claim_from_row(r._mapping))
        return out

    def claims(self, ids: list[str] | None = None) -> list[tuple[str, Claim]]:
        """(document id, claim) for every stored claim (or those with these ids), in document order."""
        query = select(t.claims).order_by(t.claims.c.document_id, t.claims.c.start)
        if ids is not None:
            query = query.where(t.claims.c.id.in_(ids))
        with self.engine.connect() as connection:
            rows = connection.execute(query)
            return [(row.document_id, _claim_from_row(row._mapping)) for row in rows]


# ---------------------------------------------------------------------- row mapping

_READ_CHUNK = 500  # documents per IN (...) list: well under SQLite's and PostgreSQL's parameter limits


def _insert_many(connection: Connection, table: Any, rows: list[dict[str, Any]]) -> None:
    if rows:
        connection.execute(insert(table), rows)


def _group(rows: Any, key: str | None = None) -> dict[str, list[Any]]:
    grouped: dict[str, list[Any]] = {}
    for row in rows:
        if key is None:
            grouped.setdefault(row[0], []).append(row[1])
        else:
            grouped.setdefault(row._mapping[key], []).append(row._mapping)
    return grouped


def _zone(row: Any) -> Zone:
    return Zone(start=row["start"], end=row["end"], kind=row["kind"], reason=row["reason"])


def _time(row: Any) -> TimeExpression:
    return TimeExpression(**{k: row[k] for k in ("start", "end", "text", "value", "precision", "qualifier", "range_end")})


def _document_row(document: Document) -> dict[str, Any]:
    """The documents row; text that a backend cannot store is normalised (ingest already did)."""

    def text(value: str | None) -> str | None:
        return storable_text(value) if value is not None else None

    metadata = {k: {n: text(x) if isinstance(x, str) else x for n, x in asdict(v).items()}
                for k, v in document.metadata.items()}
    return dict(
        id=document.id,
        content_hash=document.content_hash,
        origin=storable_name(document.origin),
        version=document.version,
        supersedes=document.supersedes,
        media_type=document.media_type,
        text=storable_text(document.text),
        title=text(document.title),
        outlet=text(document.outlet),
        author=text(document.author),
        url=text(document.url),
        published=document.published,
        published_precision=document.published_precision,
        language=text(document.language),
        metadata_json=json.dumps(metadata, sort_keys=True),
        near_duplicate_of=document.near_duplicate_of,
        near_duplicate_score=document.near_duplicate_score,
        ingested_at=document.ingested_at,
    )


def _document_from_row(row: Any, *, with_text: bool) -> Document:
    values = {name: row[name] for name in t.documents.c.keys() if name not in ("metadata_json", "text")}
    values["text"] = row["text"] if with_text else ""
    if "metadata_json" in row:
        values["metadata"] = {k: MetaValue(**v) for k, v in json.loads(row["metadata_json"]).items()}
    return Document(**values)


def _claim_row(document_id: str, claim: Claim) -> dict[str, Any]:
    row = asdict(claim)
    row["document_id"] = document_id
    row["chain_json"] = json.dumps(row.pop("chain"))
    row["entities_json"] = json.dumps(row.pop("entities"))
    row["times_json"] = json.dumps(row.pop("times"))
    return row


def _claim_from_row(row: Any) -> Claim:
    values = {k: v for k, v in dict(row).items() if k not in ("document_id", "chain_json", "entities_json", "times_json")}
    return Claim(
        **values,
        chain=json.loads(row["chain_json"]),
        entities=json.loads(row["entities_json"]),
        times=[TimeExpression(**x) for x in json.loads(row["times_json"])],
    )
