"""The command line: a thin skin over the library; every command calls one public function."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from collections.abc import Sequence
from typing import Any

import click

from claimgraph.entity_cli import entity
from claimgraph.export_cli import brief_command, export_command
from claimgraph.errors import ClaimgraphError
from claimgraph.cli_options import DB_HELP, db_option, who_option
from claimgraph.cli_options import open_cli_store as _store
from claimgraph.store import Store
from claimgraph.web.cli import serve_command

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # models load from installed packages, never a hub
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

class _Group(click.Group):
    """Turns every ClaimgraphError into one clear line and exit code 2."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ClaimgraphError as error:
            click.echo(f"error: {error}", err=True)
            ctx.exit(2)


@click.group(cls=_Group)
@click.option("--db", "db", envvar="CLAIMGRAPH_DB", default=None, help=DB_HELP)
@click.version_option(package_name="claimgraph")
@click.pass_context
def main(ctx: click.Context, db: str | None) -> None:
    """claimgraph: an evidence ledger of who claims what, on whose authority."""
    ctx.ensure_object(dict)
    ctx.obj["db"] = db


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--max-bytes", default=20_000_000, show_default=True, help="Refuse files larger than this.")
@click.option("--progress/--no-progress", default=None, help="Progress bar (default: on a terminal).")
@db_option
@click.pass_context
def ingest(ctx: click.Context, paths: tuple[Path, ...], max_bytes: int, progress: bool | None, db: str | None) -> None:
    """Read files and folders (recursively) into the ledger."""
    from claimgraph.ingest import IngestOptions

    report = _ingest(_store(ctx, db), paths, IngestOptions(max_bytes=max_bytes), progress)
    if report.failed:
        ctx.exit(1)


def _ingest(store: Store, paths: tuple[Path, ...], options: Any, progress: bool | None) -> Any:
    from claimgraph.pipeline import ingest_paths

    show, bar = _ingest_progress(progress)
    report = ingest_paths(store, paths, options=options, on_outcome=show)
    bar.close()
    return _ingested(report)


def _ingest_progress(progress: bool | None) -> tuple[Any, Any]:
    """The progress bar of ingest and the callback that moves it and prints a file's problem."""
    from tqdm import tqdm

    from claimgraph.ingest import IngestOutcome

    bar = tqdm(desc="ingest", unit="doc", disable=None if progress is None else not progress, file=sys.stderr)

    def show(outcome: IngestOutcome) -> None:
        bar.update(1)
        if outcome.status == "failed":
            bar.write(f"failed: {outcome.origin}: {outcome.reason}", file=sys.stderr)
        elif outcome.status == "manifest":
            bar.write(f"manifest: {outcome.origin}: {outcome.reason}", file=sys.stderr)
        elif outcome.near_duplicate_of:
            bar.write(f"near-duplicate: {outcome.origin} ~ {outcome.near_duplicate_of}", file=sys.stderr)

    return show, bar


def _ingested(report: Any) -> Any:
    counts = report.counts
    click.echo(
        f"ingested {counts['ingested']}, new versions {counts['new_version']}, unchanged {counts['unchanged']}, "
        f"duplicates {counts['duplicate']}, failed {counts['failed']}"
        + (f", manifests {counts['manifest']}" if counts["manifest"] else "")
    )
    if report.failed:
        click.echo(f"{len(report.failed)} input(s) failed; see the lines above", err=True)
    return report


@main.command()
@click.option("--force", is_flag=True, help="Re-analyse documents already analysed by this version.")
@db_option
@click.pass_context
def analyse(ctx: click.Context, force: bool, db: str | None) -> None:
    """Find sentences, entities, dates and attributed claims in every stored document."""
    report = _analyse(_store(ctx, db), force)
    if report.failed:
        ctx.exit(1)


def _analyse(store: Store, force: bool) -> Any:
    from claimgraph.ledger import AnalyseOptions, analyse_store

    return _analysed(analyse_store(store, options=AnalyseOptions(force=force)))


def _analysed(report: Any) -> Any:
    for document_id, reason in report.failed:
        click.echo(f"failed: {document_id}: {reason}", err=True)
    click.echo(
        f"analysed {len(report.analysed)} document(s), {report.claims} claims; "
        f"{len(report.skipped)} already analysed; {len(report.failed)} failed"
    )
    return report


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--progress/--no-progress", default=None)
@click.option("--runner", "runner_name", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help="local: this process; dask: read and analyse on Dask workers, write and link here.")
@click.option("--workers", type=click.IntRange(min=1), default=2, show_default=True,
              help="Workers of the LocalCluster --runner dask starts when no --scheduler is given.")
@click.option("--scheduler", default=None, help="A running Dask scheduler (tcp://host:8786) for --runner dask.")
@db_option
@click.pass_context
def run(ctx: click.Context, paths: tuple[Path, ...], progress: bool | None, runner_name: str, workers: int,
        scheduler: str | None, db: str | None) -> None:
    """The main job: ingest PATHS, analyse and link them, and print the report's top clusters."""
    from claimgraph.ingest import IngestOptions
    from claimgraph.pipeline import make_runner

    store = _store(ctx, db)
    show, bar = _ingest_progress(progress)

    def ingested(report: Any) -> None:
        bar.close()
        _ingested(report)

    # One call for analyse + link: each document's claims are embedded while the next is parsed.
    with make_runner(runner_name, workers=workers, scheduler=scheduler) as runner:
        result = runner.run(store, paths, options=IngestOptions(), on_outcome=show, on_ingested=ingested)
    _analysed(result.analysed)
    _linked(result.linked)
    from claimgraph.report import build_report, render_report

    click.echo(render_report(build_report(store, top=10), "text"))
    if result.ingested.failed or result.analysed.failed:
        ctx.exit(1)


@main.command()
@click.option("--full", is_flag=True, help="Relink every document instead of only the new ones.")
@click.option("--judge-model", type=click.Path(path_type=Path), default=None, help="A locally supplied NLI model (ONNX file or transformers folder).")
@db_option
@click.pass_context
def link(ctx: click.Context, full: bool, judge_model: Path | None, db: str | None) -> None:
    """Cluster claims across documents; build provenance, independent lines, timeline, credibility."""
    _link(_store(ctx, db), full, judge_model)


def _link(store: Store, full: bool, judge_model: Path | None) -> Any:
    from claimgraph.ledger import LinkStoreOptions, link_store

    return _linked(link_store(store, options=LinkStoreOptions(full=full, judge_model=str(judge_model) if judge_model else None)))


def _linked(report: Any) -> Any:
    how = "incrementally" if report.incremental else "from scratch"
    click.echo(
        f"linked {report.documents} document(s) {how} ({len(report.added)} new): {report.clusters} clusters, "
        f"{report.lines} independent lines, {report.events} events"
    )
    return report


@main.command()
@click.option("--format", "fmt", type=click.Choice(["text", "md", "html", "json"]), default="text", show_default=True)
@click.option("--top", type=int, default=None, help="Only the N best-supported clusters.")
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None)
@db_option
@click.pass_context
def report(ctx: click.Context, fmt: str, top: int | None, output: Path | None, db: str | None) -> None:
    """The story: clusters ranked by independent support, lines, denials, credibility, timeline."""
    from claimgraph.report import build_report, render_report

    text = render_report(build_report(_store(ctx, db), top=top), fmt)
    if output:
        output.write_text(text, encoding="utf-8")
        click.echo(f"wrote {output}", err=True)
    else:
        click.echo(text)


@main.group()
def source() -> None:
    """Analyst input about sources."""


@source.command(name="grade")
@click.argument("name")
@click.argument("grade")
@who_option
@click.option("--note", default=None)
@db_option
@click.pass_context
def source_grade(ctx: click.Context, name: str, grade: str, who: str, note: str | None, db: str | None) -> None:
    """Set a source's reliability on the Admiralty scale (A reliable … F cannot be judged)."""
    from claimgraph.store.corrections import grade_source
    from claimgraph.web.stages import clean_name, require_known_source

    store = _store(ctx, db)
    name = clean_name(name)
    require_known_source(store, name)  # as the API and the pages: only a source the ledger names
    correction = grade_source(store, source=name, grade=grade, author=clean_name(who) or who, note=note)
    click.echo(f"{correction.source} graded {correction.value} by {who} (correction #{correction.id})")
    if store.analysed():
        _link(store, False, None)  # credibility depends on the grade: reassess now


@main.group()
def ach() -> None:
    """Analysis of Competing Hypotheses: hypotheses x claim clusters, scored by inconsistency."""


@ach.command(name="add")
@click.argument("text")
@who_option
@db_option
@click.pass_context
def ach_add(ctx: click.Context, text: str, who: str, db: str | None) -> None:
    """Enter a hypothesis; its cells are pre-filled by the judge on `ach show`."""
    from claimgraph.store.ach import add_hypothesis

    click.echo(add_hypothesis(_store(ctx, db), text, who=who))


@ach.command(name="rate")
@click.argument("hypothesis")
@click.argument("cluster")
@click.argument("rating", type=click.Choice(["CC", "C", "N", "NA", "I", "II"], case_sensitive=False))
@who_option
@click.option("--reason", default=None)
@db_option
@click.pass_context
def ach_rate(ctx: click.Context, hypothesis: str, cluster: str, rating: str, who: str, reason: str | None, db: str | None) -> None:
    """Set one cell (the analyst's rating overrides the judge's)."""
    from claimgraph.store.ach import set_cell

    set_cell(_store(ctx, db), hypothesis, cluster, rating, who=who, reason=reason)
    click.echo(f"{hypothesis} x {cluster}: {rating.upper()} (by {who})")


@ach.command(name="remove")
@click.argument("hypothesis")
@db_option
@click.pass_context
def ach_remove(ctx: click.Context, hypothesis: str, db: str | None) -> None:
    """Remove a hypothesis and its cells."""
    from claimgraph.store.ach import remove_hypothesis

    remove_hypothesis(_store(ctx, db), hypothesis)
    click.echo(f"removed {hypothesis}")


@ach.group(name="evidence")
def ach_evidence() -> None:
    """The evidence set: the clusters that are the matrix's rows (until any is chosen, the proposed ones)."""


@ach_evidence.command(name="add")
@click.argument("cluster")
@who_option
@db_option
@click.pass_context
def ach_evidence_add(ctx: click.Context, cluster: str, who: str, db: str | None) -> None:
    """Put a cluster in the evidence set."""
    from claimgraph.store.ach import add_evidence

    add_evidence(_store(ctx, db), cluster, who=who)
    click.echo(f"{cluster} is evidence (by {who})")


@ach_evidence.command(name="remove")
@click.argument("cluster")
@db_option
@click.pass_context
def ach_evidence_remove(ctx: click.Context, cluster: str, db: str | None) -> None:
    """Take a cluster out of the evidence set (its ratings are kept)."""
    from claimgraph.store.ach import remove_evidence

    remove_evidence(_store(ctx, db), cluster)
    click.echo(f"{cluster} is no longer evidence")


@ach.command(name="show")
@click.option("--json", "as_json", is_flag=True)
@db_option
@click.pass_context
def ach_show(ctx: click.Context, as_json: bool, db: str | None) -> None:
    """The matrix with scores (least inconsistent first); rows most diagnostic first, then most relevant."""
    from claimgraph.pipeline.ach_step import ach_matrix

    matrix = ach_matrix(_store(ctx, db))
    if as_json:
        click.echo(json.dumps(matrix, indent=1, ensure_ascii=False))
        return
    for score in matrix["hypotheses"]:
        click.echo(f"{score['id']}  weighted inconsistency {score['weighted_inconsistency']:<6} "
                   f"consistency {score['consistency']:<6} {score['text']}")
    click.echo("rows: the evidence set" if matrix["evidence_chosen"] else
               "rows: proposed by relevance (choose with `claimgraph ach evidence add CLUSTER`)")
    ids = [h["id"] for h in matrix["hypotheses"]]
    rows = [(c["id"], f"{c['diagnosticity']:.2f}", f"{c['relevance']:.2f}", *[matrix["matrix"][h].get(c["id"], "N") for h in ids],
             (c["anchor"] or "")[:70]) for c in matrix["clusters"]]
    _table(("cluster", "diag", "relevance", *ids, "evidence"), rows)
    if matrix.get("not_judged"):
        click.echo(f"{matrix['not_judged']} hypothesis x cluster pair(s) not judged (NA): the judge reads the clusters "
                   "nearest each hypothesis; add a cluster to the evidence set to have it judged")


@main.command()
@db_option
@click.pass_context
def documents(ctx: click.Context, db: str | None) -> None:
    """List the stored documents."""
    rows = [
        (
            d.id,
            f"v{d.version}",
            d.published or "-",
            (d.outlet or "-")[:24],
            (d.title or Path(d.origin).name)[:60],
            f"~{d.near_duplicate_of}" if d.near_duplicate_of else "",
        )
        for d in _store(ctx, db).documents(with_text=False)
    ]
    _table(("id", "ver", "published", "outlet", "title", "near-dup"), rows)


@main.command()
@click.argument("document")
@db_option
@click.pass_context
def show(ctx: click.Context, document: str, db: str | None) -> None:
    """Show one document: metadata, zones, and its text with claims marked [[...]]."""
    from claimgraph.present import render_document

    from claimgraph.store.corrections import corrected_analysis

    store = _store(ctx, db)
    found = store.get_document(document)
    analysis = store.load_analysis(found.id)
    click.echo(render_document(found, corrected_analysis(store, analysis)[0] if analysis else None))


@main.command()
@click.option("--document", "document", default=None, help="Only claims of this document (id, path or file name).")
@click.option("--speaker", default=None, help="Speaker contains this text (case-insensitive).")
@click.option("--denied", is_flag=True, help="Only denied claims.")
@click.option("--hedging", type=click.Choice(["none", "low", "medium", "high"]), default=None)
@db_option
@click.pass_context
def claims(ctx: click.Context, document: str | None, speaker: str | None, denied: bool, hedging: str | None, db: str | None) -> None:
    """List attributed claims (as the analyst corrected them; claims marked wrong left out)."""
    from claimgraph.web.queries import ClaimFilter, PageRequest, list_claims

    wanted = ClaimFilter(document=document, speaker=speaker, hedging=hedging,
                         polarity="denied" if denied else None, wrong=False)
    found = list_claims(_store(ctx, db), wanted, PageRequest(limit=2**31 - 1, offset=0))
    rows = [
        (
            claim["id"].split(":")[-1],
            claim["document_id"],
            (claim["speaker"] or "(author)")[:28],
            claim["hedging"],
            "DENIED" if claim["polarity"] == "denied" else "",
            claim["text"].replace("\n", " ")[:90],
        )
        for claim in found.items
    ]
    _table(("claim", "document", "speaker", "hedging", "polarity", "text"), rows)
    click.echo(f"{found.total} claim(s)")


@main.command(name="eval")
@click.argument("gold", type=click.Path(path_type=Path), required=False)
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
@click.option("--floors", type=click.Path(path_type=Path), default=None, help="Fail (exit 1) when a score is below these floors.")
@click.option("--lines", is_flag=True, help="Without GOLD: score against the packaged lines gold over shared/corpus.")
@click.option("--news", is_flag=True, help="Without GOLD: score per-document claims against the packaged news gold (shared/corpus/dev).")
@db_option
@click.pass_context
def evaluate_command(
    ctx: click.Context, gold: Path | None, as_json: bool, floors: Path | None, lines: bool, news: bool, db: str | None
) -> None:
    """Score the ledger against a gold file (format: shared/gold/seeds.json, or claimgraph.lines-gold.v1)."""
    from claimgraph.eval import evaluate, format_report, gold_hash, load_gold
    from claimgraph.eval.lines_gold import find_corpus_root, format_lines_report, packaged_lines_gold, read_lines_gold, score_lines_gold
    from claimgraph.export import export_ledger

    if gold is None and not lines and not news:
        raise click.UsageError("give a GOLD file, --lines for the packaged lines gold, or --news for the packaged news gold")
    if lines and news:
        raise click.UsageError("--lines and --news name different golds: give one")
    if gold is None and news:
        _evaluate_news(ctx, as_json, floors, db)
        return
    gold = gold or packaged_lines_gold()
    lines_gold = read_lines_gold(gold)
    if lines_gold is not None:  # the independent-lines gold: its own scorer, no floors
        ledger = export_ledger(_store(ctx, db))
        result = score_lines_gold(ledger, lines_gold, find_corpus_root(lines_gold, ledger))
        result["gold_hash"] = gold_hash(gold)
        click.echo(json.dumps(result, indent=1, ensure_ascii=False) if as_json else format_lines_report(result))
        return
    report = evaluate(export_ledger(_store(ctx, db)), load_gold(gold))
    report.gold_hash = gold_hash(gold)
    click.echo(json.dumps(report.to_dict(), indent=1) if as_json else format_report(report))
    _check_floors(ctx, report, floors)


def _check_floors(ctx: click.Context, report: Any, floors: Path | None) -> None:
    """Exit 1 naming every score below its floor (the floors file of `eval --floors`)."""
    from claimgraph.eval import check_floors

    if floors:
        failures = check_floors(report, json.loads(floors.read_text(encoding="utf-8")))
        for failure in failures:
            click.echo(f"below floor: {failure}", err=True)
        if failures:
            ctx.exit(1)


def _evaluate_news(ctx: click.Context, as_json: bool, floors: Path | None, db: str | None) -> None:
    """`eval --news`: the seeds scorer over the packaged per-document news gold; claims and labels only."""
    from claimgraph.eval import format_report, gold_hash
    from claimgraph.eval.news_gold import evaluate_news, packaged_news_gold
    from claimgraph.export import export_ledger

    report, root, problems = evaluate_news(export_ledger(_store(ctx, db)))
    report.gold_hash = gold_hash(packaged_news_gold())
    note = (
        "news gold: per-document claims and their labels only; mentions, dates, clusters, lines and events"
        " are not annotated in it, so their rows say nothing"
    )
    if as_json:
        result = report.to_dict()
        result["news_gold"] = {"note": note, "corpus_root": str(root) if root else None, "file_mismatch": problems}
        click.echo(json.dumps(result, indent=1))
    else:
        click.echo(format_report(report))
        click.echo(note)
        click.echo(f"corpus: {root if root else 'not found from the ledger (files not checked)'}")
        if problems:
            click.echo(f"files missing or differing from the gold's sha1 (their claims will not line up): {', '.join(problems)}")
    _check_floors(ctx, report, floors)


def _table(header: tuple[str, ...], rows: Sequence[tuple[str, ...]]) -> None:
    widths = [max([len(h)] + [len(str(r[i])) for r in rows]) for i, h in enumerate(header)]
    line = lambda cells: "  ".join(str(c).ljust(w) for c, w in zip(cells, widths)).rstrip()  # noqa: E731
    click.echo(line(header))
    click.echo(line(["-" * w for w in widths]))
    for row in rows:
        click.echo(line(row))


main.add_command(serve_command)
main.add_command(entity)
main.add_command(export_command)
main.add_command(brief_command)
