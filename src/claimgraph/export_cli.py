"""`claimgraph export` and `claimgraph brief`: the ledger handed on, as files other tools read and as a brief.

Registered on the main group (cli.py), like entity_cli; the store comes from --db here or on the main group.
"""

from __future__ import annotations

from pathlib import Path

import click

from claimgraph.cli_options import db_option
from claimgraph.cli_options import open_cli_store as _store

EXPORT_FORMATS = ("json", "ftm", "graphml", "claimreview", "csv")


@click.command(name="export")
@click.argument("out", required=False, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(EXPORT_FORMATS), default="json", show_default=True,
              help="json: the whole ledger; ftm: FollowTheMoney JSON lines; graphml: a folder with provenance.graphml "
                   "and entities.graphml; claimreview: schema.org JSON-LD; csv: a folder with claims, clusters, lines.")
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None, help="Same as OUT.")
@db_option
@click.pass_context
def export_command(ctx: click.Context, out: Path | None, fmt: str, output: Path | None, db: str | None) -> None:
    """Export the ledger to OUT (docs/exports.md; the json schema: src/claimgraph/schema/ledger.schema.json)."""
    from claimgraph.export import ledger_json
    from claimgraph.exports import write_export

    if out and output and out != output:
        raise click.UsageError("give OUT or -o, not two different paths")
    target = out or output
    if target is None:
        if fmt != "json":
            raise click.UsageError(f"--format {fmt} writes files: give OUT (a {'folder' if fmt in ('graphml', 'csv') else 'file'})")
        click.echo(ledger_json(_store(ctx, db)))
        return
    for path in write_export(_store(ctx, db), fmt, target):
        click.echo(f"wrote {path}", err=True)


@click.command(name="brief")
@click.option("--format", "fmt", type=click.Choice(["md", "html"]), default="md", show_default=True)
@click.option("--top", type=int, default=None, help="Only the N strongest key judgements (default: every assessed allegation).")
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None, help="Write here instead of stdout.")
@db_option
@click.pass_context
def brief_command(ctx: click.Context, fmt: str, top: int | None, output: Path | None, db: str | None) -> None:
    """An intelligence-style brief: key judgements in estimative language, their sourcing, the detail (docs/brief.md)."""
    from claimgraph.brief import BriefOptions, render_brief

    text = render_brief(_store(ctx, db), fmt, options=BriefOptions(top=top))
    if output:
        output.write_text(text, encoding="utf-8")
        click.echo(f"wrote {output}", err=True)
    else:
        click.echo(text)
