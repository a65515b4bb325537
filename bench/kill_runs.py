"""kill -9 during ingest, analyse and link (issue 17): rerun, then nothing is lost or duplicated and
the store's integrity holds.

Usage:
  nice .venv/bin/python bench/kill_runs.py [--rounds 10] [--seed 17] [--stages ingest,analyse,link]
                                           [--work /tmp/kill]

For each stage, a reference store is built without interruption. Then, `--rounds` times, the stage
runs as a subprocess (`claimgraph ingest|analyse|link` on a SQLite store) and gets SIGKILL at a
random moment (while it writes, where writes can be seen: after a random number of documents are
stored or analysed; for link, a random share of the reference run's time), is rerun to the end,
and the store is compared with the reference: the same documents, origins, analyses, claims,
clusters (as sets of claims), links and lines, `PRAGMA integrity_check` ok, no foreign key or
orphan row. The corpus: the seed examples plus short synthetic reports. tests/test_fuzz_kill.py
runs one round of each stage.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "examples" / "seeds"
STAGES = ("ingest", "analyse", "link")


def write_corpus(folder: Path, *, files: int, seed: int) -> Path:
    """The seed examples plus `files` short synthetic reports with attributed claims."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for path in sorted(SEEDS.glob("*.txt")):
        shutil.copyfile(path, folder / path.name)
    people = ["the minister", "a spokesman", "the mayor", "two officials", "the agency", "a witness"]
    verbs = ["said", "claimed", "denied", "told reporters", "reportedly said", "insisted"]
    events = ["the bridge was closed", "the contract was cancelled", "the vote was postponed", "the talks failed",
              "the border reopened", "the audit found losses"]
    for n in range(files):
        lines = [f"Report {n}: {rng.choice(people).capitalize()} {rng.choice(verbs)} that {rng.choice(events)} "
                 f"on day {rng.randint(1, 30)}." for _ in range(rng.randint(2, 5))]
        (folder / f"report-{n:03}.txt").write_text(f"Title: Report {n}\n=====\n\n" + " ".join(lines) + "\n")
    return folder


def command(db: Path, stage: str, corpus: Path) -> list[str]:
    args = ["ingest", "--no-progress", str(corpus)] if stage == "ingest" else [stage]
    return [sys.executable, "-m", "claimgraph", "--db", str(db), *args]


def environment() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT / "src"), "HF_HUB_OFFLINE": "1"}


def run_stage(db: Path, stage: str, corpus: Path) -> float:
    started = time.monotonic()
    done = subprocess.run(command(db, stage, corpus), cwd=ROOT, env=environment(), capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{stage} failed (exit {done.returncode}): {done.stderr[-2000:]}")
    return time.monotonic() - started


def _count(db: Path, table: str) -> int:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as probe:
            return probe.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    except sqlite3.Error:
        return 0


def killed_run(db: Path, stage: str, corpus: Path, rng: random.Random, reference_s: float, total: int) -> dict[str, object]:
    """Run `stage` and SIGKILL it at a random moment; say when."""
    watched = {"ingest": "documents", "analyse": "analyses"}.get(stage)
    before = _count(db, watched) if watched else 0
    target = before + rng.randint(1, max(1, total - before - 1)) if watched else None
    # Link's writes cannot be counted as they happen: half its kills come at a random share of the
    # reference time, half as soon as the write-ahead log grows (it is writing), after a random pause.
    on_write = not watched and rng.random() < 0.5
    wal = Path(f"{db}-wal")
    wal_before = wal.stat().st_size if wal.exists() else 0
    delay = rng.uniform(0.3, 0.95) * reference_s
    process = subprocess.Popen(command(db, stage, corpus), cwd=ROOT, env=environment(),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    started = time.monotonic()
    progress = before
    while process.poll() is None:
        time.sleep(0.01)
        if watched:
            progress = _count(db, watched)
            if progress >= target:  # type: ignore[operator]
                # and then anywhere in the next write, but before the last row is in: a run that
                # writes its last rows within the pause would end before the kill
                pause_ends = time.monotonic() + rng.uniform(0, 0.2)
                while time.monotonic() < pause_ends and _count(db, watched) < total:
                    time.sleep(0.01)
                break
        elif on_write:
            if wal.exists() and wal.stat().st_size > wal_before:
                time.sleep(rng.uniform(0, 0.05))
                break
        elif time.monotonic() - started >= delay:
            break
        if time.monotonic() - started > 20 * reference_s + 60:
            break
    finished_first = process.poll() is not None
    if not finished_first:
        process.send_signal(signal.SIGKILL)
    process.wait()
    return {"stage": stage, "killed": not finished_first, "after_s": round(time.monotonic() - started, 2),
            "moment": "after documents were written" if watched else "once writing began" if on_write else "at a random time",
            "progress_at_kill": progress if watched else None, "of": total if watched else None}


def snapshot(db: Path) -> dict[str, object]:
    """What must be the same after a rerun, and the store's integrity."""
    with sqlite3.connect(db) as connection:
        rows = lambda sql: sorted(tuple(r) for r in connection.execute(sql))  # noqa: E731
        clusters: dict[str, set[str]] = {}
        for cluster, claim in connection.execute("SELECT cluster_id, claim_id FROM cluster_members"):
            clusters.setdefault(cluster, set()).add(claim)
        return {
            "documents": rows("SELECT id, content_hash FROM documents"),
            "origins": rows("SELECT origin, document_id FROM origins"),
            "analyses": rows("SELECT document_id FROM analyses"),
            "sentences": rows("SELECT document_id, count(*) FROM sentences GROUP BY document_id"),
            "claims": rows("SELECT id, document_id, start, \"end\" FROM claims"),
            "clusters": sorted(sorted(members) for members in clusters.values()),
            "links": rows("SELECT a, b, relation FROM links"),
            "lines": _count(db, "lines"),
            "integrity": connection.execute("PRAGMA integrity_check").fetchone()[0],
            "foreign_keys": rows("PRAGMA foreign_key_check"),
            "orphans": rows("SELECT 'claim', id FROM claims WHERE document_id NOT IN (SELECT id FROM documents) "
                            "UNION ALL SELECT 'member', claim_id FROM cluster_members "
                            "WHERE claim_id NOT IN (SELECT id FROM claims) "
                            "UNION ALL SELECT 'unanalysed claim', id FROM claims "
                            "WHERE document_id NOT IN (SELECT document_id FROM analyses)"),
        }


def differences(got: dict[str, object], want: dict[str, object]) -> list[str]:
    found = []
    if got["integrity"] != "ok":
        found.append(f"integrity_check: {got['integrity']}")
    if got["foreign_keys"] or got["orphans"]:
        found.append(f"foreign keys {got['foreign_keys'][:3]}, orphans {got['orphans'][:3]}")  # type: ignore[index]
    for key in ("documents", "origins", "analyses", "sentences", "claims", "clusters", "links", "lines"):
        if got[key] != want[key]:
            a, b = got[key], want[key]
            detail = f"{len(a)} vs {len(b)} expected" if isinstance(a, list) and isinstance(b, list) else f"{a} vs {b}"
            found.append(f"{key} differ: {detail}")
    return found


def prepare(work: Path, *, files: int, seed: int) -> dict[str, object]:
    """Reference stores after each stage (ingested, analysed, linked) and each stage's time."""
    corpus = write_corpus(work / "corpus", files=files, seed=seed)
    stores = {}
    previous = None
    times = {}
    for stage in STAGES:
        db = work / f"reference-{stage}.db"
        if previous:
            _copy_store(previous, db)
        times[stage] = run_stage(db, stage, corpus)
        stores[stage] = db
        previous = db
    return {"corpus": corpus, "stores": stores, "times": times, "documents": _count(stores["ingest"], "documents")}


def _copy_store(source: Path, target: Path) -> None:
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)


def kill_round(work: Path, reference: dict[str, object], stage: str, rng: random.Random, number: int) -> dict[str, object]:
    """One kill of `stage` and the rerun; the differences from the reference (empty when all holds)."""
    stores: dict[str, Path] = reference["stores"]  # type: ignore[assignment]
    db = work / f"round-{stage}-{number}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    start_from = {"ingest": None, "analyse": stores["ingest"], "link": stores["analyse"]}[stage]
    if start_from:
        _copy_store(start_from, db)
    outcome = killed_run(db, stage, reference["corpus"], rng, reference["times"][stage],  # type: ignore[index,arg-type]
                         reference["documents"])  # type: ignore[arg-type]
    rerun_s = run_stage(db, stage, reference["corpus"])  # type: ignore[arg-type]
    if not start_from or stage == "link":
        # A rerun from scratch times the stage again: timed kills follow the machine's load.
        times: dict[str, float] = reference["times"]  # type: ignore[assignment]
        times[stage] = min(times[stage], rerun_s) if outcome["killed"] else rerun_s
    outcome["problems"] = differences(snapshot(db), snapshot(stores[stage]))
    return outcome


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--files", type=int, default=40, help="synthetic reports beside the seed examples")
    parser.add_argument("--stages", default=",".join(STAGES))
    parser.add_argument("--work", type=Path, default=None)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="claimgraph-kill-", dir=args.work))
    rng = random.Random(args.seed)
    try:
        reference = prepare(work, files=args.files, seed=args.seed)
        print(f"reference: {reference['documents']} documents; stage times "
              f"{ {k: round(v, 1) for k, v in reference['times'].items()} } s", flush=True)  # type: ignore[union-attr]
        results = []
        for stage in args.stages.split(","):
            for number in range(args.rounds):
                outcome = kill_round(work, reference, stage, rng, number)
                results.append(outcome)
                print(json.dumps(outcome), flush=True)
        for stage in args.stages.split(","):
            mine = [r for r in results if r["stage"] == stage]
            print(f"{stage}: {sum(bool(r['killed']) for r in mine)} killed of {len(mine)} runs, "
                  f"{sum(bool(r['problems']) for r in mine)} with lost, duplicated or broken rows after the rerun")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    sys.exit(1 if any(r["problems"] for r in results) else 0)


if __name__ == "__main__":
    main()
