"""`claimgraph entity …`: canonical cross-document entities and the analyst's corrections.

Registered on the main group with `main.add_command(entity)` (cli.py). This module does not
import claimgraph.cli, so either may be imported first; the store comes from --db here or on
the main group (ctx.obj["db"]), as everywhere else.
"""

from __future__ import annotations

import json
from typing import Any

import click

from claimgraph.cli_options import db_option as _db_option
from claimgraph.cli_options import open_cli_store as _store
from claimgraph.cli_options import who_option as _who
from claimgraph.store import Store

def _report_line(report: Any) -> str:
    stale = f", {len(report.corrections_stale)} stale correction(s)" if report.corrections_stale else ""
    return (f"{report.entities} entities ({report.cross_document} across documents) from "
            f"{report.document_entities} document entities in {report.documents} documents{stale}")


@click.group()
def entity() -> None:
    """Canonical entities across documents; merge, split, rename, undo (recorded, replayed on re-resolution)."""


@entity.command(name="list")
@click.option("--type", "entity_type", default=None, help="Only entities of this type (PER, ORG, GPE, ...).")
@click.option("--all", "show_all", is_flag=True, help="Also entities seen in one document only.")
@click.option("--json", "as_json", is_flag=True)
@_db_option
@click.pass_context
def entity_list(ctx: click.Context, entity_type: str | None, show_all: bool, as_json: bool, db: str | None) -> None:
    """List canonical entities (by default those seen in two documents or more)."""
    from claimgraph.pipeline.entity_step import resolve_store_entities
    from claimgraph.store.entities import canonical_entity_records, count_canonical_entities

    store = _store(ctx, db)
    if count_canonical_entities(store) == 0 and store.analysed():
        resolve_store_entities(store)
    entities = canonical_entity_records(store, entity_type=entity_type)
    if not show_all:
        entities = [e for e in entities if len(e.documents) > 1]
    if as_json:
        click.echo(json.dumps([e.to_dict() for e in entities], indent=1, ensure_ascii=False))
        return
    if not entities:
        click.echo("no entities" + ("" if show_all else " across documents (--all shows every entity)"))
        return
    rows = [(e.id, e.type, str(len(e.documents)), str(len(e.members)), e.name[:60], ", ".join(e.aliases[:4])[:60])
            for e in sorted(entities, key=lambda e: (-len(e.documents), e.name.casefold()))]
    header = ("id", "type", "docs", "members", "name", "aliases")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, tuple("-" * w for w in widths), *rows]:
        click.echo("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())


@entity.command(name="show")
@click.argument("name")
@click.option("--json", "as_json", is_flag=True)
@_db_option
@click.pass_context
def entity_show(ctx: click.Context, name: str, as_json: bool, db: str | None) -> None:
    """One entity (by name, alias or id): its aliases and each document's entity that is it."""
    from claimgraph.pipeline.entity_step import current_entity
    from claimgraph.store.entities import list_entity_corrections

    store = _store(ctx, db)
    found = current_entity(store, name)
    members = set(found.members)
    history = [c for c in list_entity_corrections(store)
               if found.id in c.entities or any(m in members for side in c.members for m in side)]
    if as_json:
        click.echo(json.dumps({**found.to_dict(), "corrections": [c.to_dict() for c in history]},
                              indent=1, ensure_ascii=False))
        return
    click.echo(f"{found.name}  [{found.type}]  {found.id}")
    if found.aliases:
        click.echo("aliases: " + "; ".join(found.aliases))
    names = _member_names(store, found.members)
    click.echo(f"members ({len(found.members)} in {len(found.documents)} documents):")
    for document_id, key in found.members:
        click.echo(f"  {document_id} {key}  {names.get((document_id, key), '')}")
    for correction in history:
        click.echo(correction.describe())


def _member_names(store: Store, members: list[tuple[str, str]]) -> dict[tuple[str, str], str]:
    from sqlalchemy import select

    from claimgraph.store import schema as t

    documents = sorted({d for d, _ in members})
    with store.engine.connect() as connection:
        rows = connection.execute(select(t.entities.c.document_id, t.entities.c.key, t.entities.c.name, t.entities.c.type)
                                  .where(t.entities.c.document_id.in_(documents))).all()
    return {(r.document_id, r.key): f"{r.name} ({r.type})" for r in rows}


@entity.command(name="merge")
@click.argument("a")
@click.argument("b")
@_who
@_db_option
@click.pass_context
def entity_merge(ctx: click.Context, a: str, b: str, who: str, db: str | None) -> None:
    """Record that entities A and B are one (names, aliases or ids)."""
    from claimgraph.pipeline.entity_step import merge_entities

    record, report = merge_entities(_store(ctx, db), a, b, author=who)
    click.echo(f"{record.describe()}\n{_report_line(report)}")


@entity.command(name="split")
@click.argument("entity_ref", metavar="ENTITY")
@click.argument("document")
@click.argument("key")
@_who
@_db_option
@click.pass_context
def entity_split(ctx: click.Context, entity_ref: str, document: str, key: str, who: str, db: str | None) -> None:
    """Record that DOCUMENT's entity KEY (e.g. E7) is not ENTITY: it becomes an entity of its own."""
    from claimgraph.pipeline.entity_step import split_entity

    record, report = split_entity(_store(ctx, db), entity_ref, document, key, author=who)
    click.echo(f"{record.describe()}\n{_report_line(report)}")


@entity.command(name="rename")
@click.argument("entity_ref", metavar="ENTITY")
@click.argument("new")
@_who
@_db_option
@click.pass_context
def entity_rename(ctx: click.Context, entity_ref: str, new: str, who: str, db: str | None) -> None:
    """Give ENTITY the analyst's name NEW (its id stays)."""
    from claimgraph.pipeline.entity_step import rename_entity

    record, report = rename_entity(_store(ctx, db), entity_ref, new, author=who)
    click.echo(f"{record.describe()}\n{_report_line(report)}")


@entity.command(name="undo")
@click.argument("correction_id", metavar="ID", type=int)
@_who
@_db_option
@click.pass_context
def entity_undo(ctx: click.Context, correction_id: int, who: str, db: str | None) -> None:
    """Undo entity correction ID (kept in the history, no longer applied)."""
    from claimgraph.pipeline.entity_step import undo_entity_correction

    record, report = undo_entity_correction(_store(ctx, db), correction_id, author=who)
    click.echo(f"{record.describe()}\n{_report_line(report)}")


@entity.command(name="history")
@_db_option
@click.pass_context
def entity_history(ctx: click.Context, db: str | None) -> None:
    """Every entity correction, oldest first, with who made or undid it and when."""
    from claimgraph.store.entities import list_entity_corrections

    records = list_entity_corrections(_store(ctx, db))
    for record in records:
        click.echo(record.describe())
    if not records:
        click.echo("no entity corrections")
