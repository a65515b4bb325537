"""Hostile files for ingest (issue 17): generate thousands, run them as ONE batch, check the batch.

Usage:
  nice .venv/bin/python bench/fuzz_ingest.py [--count 10000] [--seed 17] [--db sqlite|postgres|URL]
                                             [--work /tmp/fuzz] [--analyse-sample 0] [--keep]

Writes --count files into a temporary folder (never into the repository): every hostile class
issue 17 lists (symbolic link loops, dangling links, links to /dev/zero, FIFOs, deep JSON nesting,
huge integers, NUL and lone surrogates, file names that are not UTF-8, 100,000 HTML attributes,
100,000-character run-on sentences, huge documents, UTF-16/32 with and without a byte-order
mark, malformed e-mails, PDFs, CSV and JSON, manifests naming impossible files), good files of
every format, and mutated copies (bit flips, truncation, splicing) of ../shared/corpus files and
of the good files. Then it runs `claimgraph ingest` once over the folder under /usr/bin/time -v
and checks: the batch did not crash (exit 0 or 1, no traceback), no file took 30 s or more
(the longest silence of the progress bar, which ticks once per file), peak RSS under 1.5 GB,
every file expected to be refused named with a reason and none named twice, every file
expected to be read stored, every mutated file either stored or named. With
--analyse-sample N, N stored files (and the run-on sentence and the largest document) are
ingested into a second store and `claimgraph analyse` runs on it, measured the same way.
The exit code is 1 when a check fails.
"""

from __future__ import annotations

import argparse
import codecs
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
PG_SERVER = "postgresql://postgres@127.0.0.1:5432/test"
GOOD, BAD, EITHER = "good", "bad", "either"  # stored / named with a reason / one of the two
FILE_SECONDS = 30.0
RSS_LIMIT_KB = 1_500_000

_WORDS = ("minister talks failed opposition denied report officials agency source claimed statement "
          "council election ministry spokesman inquiry committee evidence witness court document letter "
          "meeting border treaty budget protest police village harbour company contract audit").split()


def sentence(rng: random.Random) -> str:
    words = rng.sample(_WORDS, 6)
    return (f"The {words[0]} said on day {rng.randint(1, 99_999)} that the {words[1]} "
            f"{words[2]} the {words[3]}, and the {words[4]} {words[5]} it.")


def article(rng: random.Random, sentences: int = 4) -> str:
    return " ".join(sentence(rng) for _ in range(sentences)) + "\n"


def minimal_pdf(text: str) -> bytes:
    """A one-page PDF whose text layer is `text` (ASCII), with a correct xref table."""
    escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    stream = f"BT /F1 11 Tf 40 760 Td ({escaped}) Tj ET".encode("latin-1", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def email_message(rng: random.Random, body: str) -> bytes:
    return (f"From: Desk {rng.randint(1, 999)} <desk@example.org>\nTo: list@example.org\n"
            f"Subject: Report {rng.randint(1, 10**6)}\nDate: Tue, 1{rng.randint(0, 9)} Oct 2019 10:00:00 +0000\n"
            f"Message-ID: <{uuid.UUID(int=rng.getrandbits(128))}@example.org>\n\n{body}").encode()


def html_page(body: str, extra: str = "") -> str:
    return f"<!doctype html><html lang=\"en\"><head><title>Report</title></head><body{extra}><p>{body}</p></body></html>"


@dataclass
class Plan:
    """What was written: path -> (expectation, class), plus origins the batch may add (records)."""

    root: Path
    expected: dict[Path, tuple[str, str]] = field(default_factory=dict)

    def add(self, name: str | bytes, data: bytes | str, expect: str, kind: str) -> Path:
        path = self.root / (os.fsdecode(name) if isinstance(name, bytes) else name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        self.expected[path] = (expect, kind)
        return path

    def special(self, name: str, make, kind: str) -> None:  # type: ignore[no-untyped-def]
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        make(path)
        self.expected[path] = (BAD, kind)


# ---------------------------------------------------------------- good files of every format


def good_file(plan: Plan, rng: random.Random, n: int, folder: str) -> Path:
    text = article(rng)
    kind = rng.choice(["txt", "md", "html", "eml", "pdf", "json", "jsonl", "csv", "utf16", "utf16le", "utf32",
                       "latin1", "cp1251", "header", "noext"])
    name = f"{folder}/good-{n:05}"
    if kind == "txt":
        return plan.add(f"{name}.txt", text, GOOD, "good-txt")
    if kind == "md":
        return plan.add(f"{name}.md", f"# Report {n}\n\n{text}", GOOD, "good-md")
    if kind == "html":
        return plan.add(f"{name}.html", html_page(text), GOOD, "good-html")
    if kind == "eml":
        return plan.add(f"{name}.eml", email_message(rng, text), GOOD, "good-eml")
    if kind == "pdf":
        return plan.add(f"{name}.pdf", minimal_pdf(text.strip()), GOOD, "good-pdf")
    if kind == "json":
        records = [{"title": f"R{n}-{i}", "text": article(rng), "published": "2019-10-01"} for i in range(2)]
        return plan.add(f"{name}.json", json.dumps({"articles": records}), GOOD, "good-json")
    if kind == "jsonl":
        return plan.add(f"{name}.jsonl", "".join(json.dumps({"body": article(rng)}) + "\n" for _ in range(2)), GOOD,
                        "good-jsonl")
    if kind == "csv":
        rows = "".join(f'"{article(rng).strip()}",R{n}-{i}\n' for i in range(2))
        return plan.add(f"{name}.csv", "text,title\n" + rows, GOOD, "good-csv")
    if kind == "utf16":
        return plan.add(f"{name}.txt", text.encode("utf-16"), GOOD, "utf16-bom")
    if kind == "utf16le":
        return plan.add(f"{name}.txt", text.encode(rng.choice(["utf-16-le", "utf-16-be"])), GOOD, "utf16-no-bom")
    if kind == "utf32":
        return plan.add(f"{name}.txt", text.encode(rng.choice(["utf-32", "utf-32"])), GOOD, "utf32-bom")
    if kind == "latin1":
        return plan.add(f"{name}.txt", ("Le ministre a déclaré à la presse que les négociations ont échoué. "
                                        + text).encode("latin-1"), GOOD, "latin1")
    if kind == "cp1251":
        return plan.add(f"{name}.txt", ("Министр заявил во вторник, что переговоры провалились. Оппозиция это "
                                        "отрицает. Источник в ведомстве подтвердил сообщение. " + text)
                        .encode("cp1251"), GOOD, "cp1251")
    if kind == "header":
        return plan.add(f"{name}.txt", f"Title: Report {n}\nOutlet: Desk\nDate: 2019-10-01\n=====\n\n{text}", GOOD,
                        "header-block")
    return plan.add(name, text, GOOD, "no-extension")


# ---------------------------------------------------------------- hostile classes


def _unclosed_quote_csv(rng: random.Random) -> str:
    """A good record, then one whose quote never closes (the lenient reader would run it to the end)."""
    return f'text,title\n"{article(rng).strip()}",closed\n"{article(rng).strip()},open\nmore,rows\n'


def hostile_file(plan: Plan, rng: random.Random, n: int, folder: str) -> None:  # noqa: C901 - a list of cases
    name = f"{folder}/h-{n:05}"
    text = article(rng)
    kind = rng.randrange(30)
    if kind == 0:
        plan.special(f"{name}-loop", lambda p: p.symlink_to(p.name), "symlink-loop")
    elif kind == 1:
        other = plan.root / f"{name}-loopb"
        plan.special(f"{name}-loopa", lambda p: (p.symlink_to(other.name), other.symlink_to(p.name)), "symlink-loop-2")
        plan.expected[other] = (BAD, "symlink-loop-2")
    elif kind == 2:
        plan.special(f"{name}-dangling.txt", lambda p: p.symlink_to(f"gone-{n}.txt"), "dangling-symlink")
    elif kind == 3:
        plan.special(f"{name}-zero.txt", lambda p: p.symlink_to("/dev/zero"), "link-to-dev-zero")
    elif kind == 4:
        plan.special(f"{name}-fifo.txt", lambda p: os.mkfifo(p), "fifo")
    elif kind == 5:
        depth = rng.choice([101, 5_000, 50_000])
        plan.add(f"{name}-deep.json", "[" * depth + "]" * depth, BAD, "deep-json")
    elif kind == 6:
        depth = rng.choice([5_000, 100_000])
        plan.add(f"{name}-deep.jsonl", json.dumps({"text": text}) + "\n" + '{"a":' * depth + "1" + "}" * depth + "\n",
                 GOOD, "deep-jsonl-line")  # the good record is stored, the deep one named
    elif kind == 7:
        plan.add(f"{name}-hugeint.jsonl", '{"text": %s, "n": -%s}\n' % (json.dumps(text), "9" * rng.choice([1001, 5000, 100_000])),
                 BAD, "huge-integer")
    elif kind == 8:
        plan.add(f"{name}-nul.jsonl", json.dumps({"text": "NUL \u0000 here. " + text, "title": "a\u0000b"}), GOOD, "nul-json")
    elif kind == 9:
        plan.add(f"{name}-surrogate.jsonl", '{"text": "lone \\ud800 and \\udfff. %s"}\n' % text.strip(), GOOD,
                 "lone-surrogate")
    elif kind == 10:
        raw = os.fsencode(f"{name}-") + bytes([rng.randrange(0x80, 0x100)]) + b"\xff.txt"
        plan.add(raw, text, GOOD, "non-utf8-name")
    elif kind == 11:
        attributes = " ".join(f'a{i}="{i}"' for i in range(rng.choice([1_001, 100_000])))
        plan.add(f"{name}-attrs.html", html_page(text, " " + attributes), BAD, "html-100k-attributes")
    elif kind == 12:
        run_on = "The minister " + " ".join(["said"] * 25_000) + ".\n"  # 125,000 characters, one sentence
        plan.add(f"{name}-runon.txt", run_on, GOOD, "run-on-sentence")
    elif kind == 13:
        size = rng.choice([300_000, 1_000_000])
        body = "".join(article(rng, 10) + "\n" for _ in range(size // 1200 + 1))
        plan.add(f"{name}-large.txt", body, GOOD, "large-document")
    elif kind == 14:
        def sparse(p: Path) -> None:  # over --max-bytes, but no disk used
            with open(p, "wb") as f:
                f.truncate(25_000_000)
        plan.special(f"{name}-huge.txt", sparse, "over-max-bytes")
    elif kind == 15:
        plan.add(f"{name}-binary.txt", rng.randbytes(rng.randint(1, 20_000)), BAD, "binary")
    elif kind == 16:
        plan.add(f"{name}-empty.txt", b"", BAD, "empty")
    elif kind == 17:
        plan.add(f"{name}-blank.md", " \n\t\n" * rng.randint(1, 100), BAD, "whitespace-only")
    elif kind == 18:
        bad = rng.choice([
            b"From: \"\nSubject: x\nDate: nope\n\n",  # header only, no body
            b"From: a@b\nSubject: s\nContent-Type: multipart/mixed; boundary=\"x\"\n\n--x\nContent-Type: text/plain; charset=nope\n\n--x--",
            b"Subject: s\nFrom: a@b\nContent-Type: multipart/mixed\n\nno boundary",
            b"Subject: \nFrom:  <\nDate: Mon, 99 Foo 2019\n\n\x00\x01binary",
        ])
        plan.add(f"{name}-bad.eml", bad, BAD, "malformed-email")
    elif kind == 19:
        body = email_message(rng, text)
        plan.add(f"{name}-odd.eml", body.replace(b"From: ", b"From: \"unterminated ", 1), GOOD, "odd-email-header")
    elif kind == 20:
        pdf = minimal_pdf(text.strip())
        bad = rng.choice([pdf[: len(pdf) // 2], b"%PDF-1.4\n" + rng.randbytes(2000), pdf.replace(b"%PDF-", b"%PDX-"),
                          b"%PDF-1.4\n%%EOF\n", pdf.replace(b"stream\n", b"stream\n\xff\xfe", 1) + b"%%EOF"])
        plan.add(f"{name}-bad.pdf", bad, EITHER, "malformed-pdf")
    elif kind == 21:
        if rng.random() < 0.3:
            plan.add(f"{name}-unclosed.csv", _unclosed_quote_csv(rng), GOOD, "csv-unclosed-quote")  # and named
        else:
            plan.add(f"{name}-bad.csv", rng.choice(["a,b\n1,2\n", "\n\n", "text\n\n", 'text\n"' + "x" * 50]), BAD,
                     "malformed-csv")
    elif kind == 22:
        plan.add(f"{name}-bad.json", rng.choice(['{"text": "unterminated', "[1, 2, 3]", '{"articles": [{"title": "x"}]}',
                                                  "nan", '"just a string"', "{" * 99 + "}" * 99]), BAD, "malformed-json")
    elif kind == 23:
        lines = [json.dumps({"text": text}), "{not json", "[1,2]", '"text"', json.dumps({"title": "no text"})]
        plan.add(f"{name}-mixed.jsonl", "\n".join(lines) + "\n", GOOD, "jsonl-some-bad-records")
    elif kind == 24:
        target = good_file(plan, rng, n, folder)
        manifest = rng.choice([
            json.dumps({"file": "x\u0000y.txt", "title": "t"}) + "\n",
            "file,title\n" + "n" * 5000 + ".txt,t\n",
            "file,title\n" + "../" * 2000 + "etc/passwd,t\n",
        ]) + (json.dumps({"file": target.name, "title": "Described"}) + "\n" if rng.random() < 0.5 else "")
        suffix = ".csv" if manifest.startswith("file,") else ".jsonl"
        plan.add(f"{name}-manifest{suffix}", manifest, EITHER, "manifest-impossible-name")
    elif kind == 25:
        plan.add(f"{name}-utf16-bad.txt", codecs.BOM_UTF16_LE + text.encode("utf-16-le") + b"\x00\xd8", BAD,
                 "utf16-bom-truncated-surrogate")
    elif kind == 26:
        plan.add(f"{name}-nul.txt", text.encode() + b"\x00" + text.encode(), EITHER, "nul-in-text")
    elif kind == 27:
        plan.add(f"{name}-nested.html", html_page("<div>" * 20_000 + text + "</div>" * 20_000), EITHER, "deep-html")
    elif kind == 28:
        plan.add(f"{name}-noise.html", "<" * 50_000 + ">" * 50_000, BAD, "markup-without-text")
    else:
        plan.add(f"{name}-surrogate-bytes.txt", text.encode() + b"\xed\xa0\x80" + text.encode(), EITHER,
                 "surrogate-bytes-in-utf8")


# ---------------------------------------------------------------- mutated copies


def mutate(data: bytes, rng: random.Random, donors: list[bytes]) -> tuple[bytes, str]:
    how = rng.choice(["flip", "truncate", "splice", "flip+truncate"])
    out = bytearray(data)
    if "flip" in how and out:
        for _ in range(rng.randint(1, 20)):
            i = rng.randrange(len(out))
            out[i] ^= 1 << rng.randrange(8)
    if "truncate" in how and out:
        del out[rng.randrange(len(out)):]
    if how == "splice":
        donor = rng.choice(donors)
        cut, at = rng.randrange(len(out) + 1), rng.randrange(len(donor) + 1)
        out = out[:cut] + donor[at:at + rng.randint(1, 4000)]
    return bytes(out), how


def generate(root: Path, count: int, seed: int) -> Plan:
    """Write `count` files (or special entries) under root: a third good, a third hostile, a third mutated."""
    rng = random.Random(seed)
    plan = Plan(root)
    corpus = sorted(p for p in CORPUS.rglob("*") if p.is_file()) if CORPUS.exists() else []
    n = 0
    while len(plan.expected) < count // 3:
        good_file(plan, rng, n, f"g{n // 500:02}")
        n += 1
    while len(plan.expected) < 2 * count // 3:
        hostile_file(plan, rng, n, f"h{n // 500:02}")
        n += 1
    samples = [p for p, (expect, _) in plan.expected.items() if expect == GOOD and p.is_file() and not p.is_symlink()
               and p.stat().st_size < 200_000]
    donors = [p.read_bytes() for p in corpus] + [p.read_bytes() for p in rng.sample(samples, min(50, len(samples)))]
    while len(plan.expected) < count:
        source = rng.choice(corpus) if corpus and rng.random() < 0.5 else rng.choice(samples)
        data, how = mutate(source.read_bytes(), rng, donors)
        suffix = source.suffix if rng.random() < 0.8 else rng.choice([".txt", ".html", ".eml", ".pdf", ".json", ".jsonl", ".csv", ""])
        origin = "corpus" if source.is_relative_to(CORPUS) else "generated"
        plan.add(f"m{n // 500:02}/mut-{n:05}{suffix}", data, EITHER, f"mutated-{origin}-{how}")
        n += 1
    return plan


# ---------------------------------------------------------------- running one batch


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str
    wall_s: float
    max_rss_kb: int
    longest_silence_s: float
    first_output_s: float


def run_measured(command: list[str], env: dict[str, str]) -> Run:
    """Run under /usr/bin/time -v, timestamping stderr as it arrives (the progress bar ticks per file)."""
    timed = ["nice", "/usr/bin/time", "-v", *command]
    started = time.monotonic()
    process = subprocess.Popen(timed, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    chunks: list[bytes] = []
    stamps: list[float] = []

    def pump() -> None:
        assert process.stderr is not None
        while chunk := process.stderr.read1(65536):  # type: ignore[attr-defined]
            stamps.append(time.monotonic())
            chunks.append(chunk)

    reader = threading.Thread(target=pump)
    reader.start()
    stdout = process.stdout.read() if process.stdout else b""
    process.wait()
    reader.join()
    ended = time.monotonic()
    stderr = b"".join(chunks).decode("utf-8", "replace")
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", stderr)
    marks = [started, *stamps, ended]
    # The first output comes after the walk and the manifest pre-pass; from then on the bar ticks per file.
    silences = [b - a for a, b in zip(marks[1:], marks[2:])]
    return Run(process.returncode, stdout.decode("utf-8", "replace"), stderr, ended - started,
               int(rss.group(1)) if rss else -1, max(silences, default=0.0), (stamps[0] if stamps else ended) - started)


def store_url(db: str, work: Path) -> tuple[str, str | None]:
    """The store URL for --db, and the PostgreSQL schema created for it (dropped afterwards)."""
    if db == "sqlite":
        return str(work / "fuzz.db"), None
    if db == "postgres":
        import sqlalchemy

        schema = f"fuzz_{uuid.uuid4().hex[:12]}"
        engine = sqlalchemy.create_engine(PG_SERVER.replace("postgresql://", "postgresql+psycopg://"))
        with engine.begin() as connection:
            connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
        engine.dispose()
        return f"{PG_SERVER}?options=-csearch_path%3D{schema}", schema
    return db, None


def drop_schema(schema: str) -> None:
    import sqlalchemy

    engine = sqlalchemy.create_engine(PG_SERVER.replace("postgresql://", "postgresql+psycopg://"))
    with engine.begin() as connection:
        connection.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
    engine.dispose()


def failed_lines(stderr: str, root: Path, status: str = "failed") -> list[tuple[str, str]]:
    """(origin, reason) of every `failed:` (or `manifest:`) line; origins under root (whose names hold no ': ')."""
    prefix = f"{status}: {root}"
    found = []
    for line in re.split(r"[\r\n]", stderr):
        at = line.find(prefix)
        if at < 0:
            continue
        origin, _, reason = line[at + len(status) + 2:].partition(": ")
        found.append((origin, reason))
    return found


def stored_origins(url: str) -> set[str]:
    from claimgraph.store import open_store

    with open_store(url) as store:
        return {origin for document in store.documents(with_text=False) for origin in document.origins}


def _owner(origin: str) -> str:
    return origin.split("#", 1)[0]


def check(plan: Plan, run: Run, failed: list[tuple[str, str]], manifests: set[str],
          stored: set[str]) -> tuple[dict[str, object], list[str]]:
    from claimgraph.text import storable_name

    problems: list[str] = []
    crashed = run.returncode not in (0, 1) or "Traceback" in run.stderr
    if crashed:
        problems.append(f"batch crashed (exit {run.returncode}): {run.stderr[-2000:]}")
    if run.longest_silence_s >= FILE_SECONDS:
        problems.append(f"a file took {run.longest_silence_s:.1f} s (no progress for that long)")
    if run.max_rss_kb >= RSS_LIMIT_KB:
        problems.append(f"peak RSS {run.max_rss_kb / 1e6:.2f} GB")
    named = Counter(origin for origin, _ in failed)
    problems += [f"named {times} times: {origin}" for origin, times in named.items() if times > 1]
    problems += [f"named without a reason: {origin}" for origin, reason in failed if not reason.strip()]
    failed_files = {_owner(origin) for origin in named} | manifests  # a manifest is named too, as one
    stored_files = {_owner(origin) for origin in stored}
    problems += [f"both stored and refused: {origin}" for origin in set(named) & stored]
    outcomes: Counter[str] = Counter()
    for path, (expect, kind) in plan.expected.items():
        origin = storable_name(str(path))
        is_stored, is_named = origin in stored_files, origin in failed_files
        outcomes[f"{kind}: {'stored' if is_stored else ''}{'+' if is_stored and is_named else ''}{'named' if is_named else ''}"
                 or "lost"] += 1
        if expect == GOOD and not is_stored:
            problems.append(f"good file not stored ({kind}): {origin}")
        elif expect == BAD and not is_named:
            problems.append(f"bad file not named ({kind}): {origin}")
        elif expect == EITHER and not (is_stored or is_named):
            problems.append(f"file neither stored nor named ({kind}): {origin}")
    figures = {
        "inputs": len(plan.expected),
        "exit_code": run.returncode,
        "batch_crashes": int(crashed),
        "wall_s": round(run.wall_s, 1),
        "walk_and_manifest_prepass_s": round(run.first_output_s, 1),
        "longest_file_s_upper_bound": round(run.longest_silence_s, 2),
        "files_over_30s": int(run.longest_silence_s >= FILE_SECONDS),
        "peak_rss_mb": round(run.max_rss_kb / 1000),
        "failed_lines": len(failed),
        "files_named": len(failed_files),
        "manifests": len(manifests),
        "origins_stored": len(stored),
        "files_stored": len(stored_files),
        "summary": run.stdout.strip().splitlines()[-1:] ,
        "outcomes_by_class": dict(sorted(outcomes.items())),
    }
    return figures, problems


def ingest_command(url: str, paths: list[Path]) -> list[str]:
    return [sys.executable, "-m", "claimgraph", "--db", url, "ingest", "--progress", *map(str, paths)]


def analyse_sample(plan: Plan, stored: set[str], work: Path, size: int, db: str, env: dict[str, str]) -> dict[str, object]:
    """Ingest a sample of the stored files (with the run-on sentence and the largest document) into
    a second store and analyse it under /usr/bin/time -v (analyse prints nothing per document, so
    its time is the whole run's)."""
    from claimgraph.text import storable_name

    rng = random.Random(size)
    files = sorted({p for p, (_, kind) in plan.expected.items()
                    if storable_name(str(p)) in {_owner(o) for o in stored} and not p.is_symlink()}, key=str)
    chosen = rng.sample(files, min(size, len(files)))
    for kind in ("run-on-sentence", "large-document"):
        of_kind = [p for p in files if plan.expected[p][1] == kind]
        if of_kind:
            chosen.append(max(of_kind, key=lambda p: p.stat().st_size))
    folder = work / "analyse-sample"
    folder.mkdir(exist_ok=True)
    for number, path in enumerate(dict.fromkeys(chosen)):
        shutil.copyfile(path, folder / f"{number:04}{path.suffix}")
    url, schema = store_url(db, work) if db != "sqlite" else (str(work / "sample.db"), None)
    try:
        ingested = run_measured(ingest_command(url, [folder]), env)
        analysed = run_measured([sys.executable, "-m", "claimgraph", "--db", url, "analyse"], env)
    finally:
        if schema:
            drop_schema(schema)
    crashed = analysed.returncode not in (0, 1) or "Traceback" in analysed.stderr
    return {
        "files": len(set(chosen)),
        "largest_file_bytes": max(path.stat().st_size for path in chosen),
        "ingest_exit": ingested.returncode,
        "analyse_exit": analysed.returncode,
        "analyse_crashed": int(crashed),
        "analyse_wall_s": round(analysed.wall_s, 1),
        "analyse_peak_rss_mb": round(analysed.max_rss_kb / 1000),
        "analyse_failed_lines": [line for line in analysed.stderr.splitlines() if line.startswith("failed:")][:20],
        "analyse_summary": analysed.stdout.strip().splitlines()[-1:],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--db", default="sqlite", help="sqlite, postgres (a fresh schema on 127.0.0.1:5432/test) or a URL")
    parser.add_argument("--work", type=Path, help="folder for the files and the store (default: a new temporary one)")
    parser.add_argument("--analyse-sample", type=int, default=0, help="analyse this many stored files (0: no analysis)")
    parser.add_argument("--keep", action="store_true", help="keep the generated files")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="claimgraph-fuzz-", dir=args.work))
    if work.resolve().is_relative_to(ROOT):
        sys.exit("refusing to write hostile files into the repository")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "HF_HUB_OFFLINE": "1"}
    schema = None
    try:
        started = time.monotonic()
        plan = generate(work / "inputs", args.count, args.seed)
        print(f"generated {len(plan.expected)} inputs in {time.monotonic() - started:.0f} s under {work / 'inputs'}",
              flush=True)
        url, schema = store_url(args.db, work)
        run = run_measured(ingest_command(url, [work / "inputs"]), env)
        failed = failed_lines(run.stderr, work / "inputs")
        stored = stored_origins(url)
        manifests = {origin for origin, _ in failed_lines(run.stderr, work / "inputs", "manifest")}
        figures, problems = check(plan, run, failed, manifests, stored)
        figures["backend"] = args.db
        if args.analyse_sample:
            figures["analyse_sample"] = analyse_sample(plan, stored, work, args.analyse_sample, args.db, env)
        print(json.dumps(figures, indent=1, ensure_ascii=False))
        reasons = Counter(re.sub(r"\d[\d,.]*", "N", reason)[:90] for _, reason in failed)
        print("reasons (digits as N):")
        for reason, times in reasons.most_common(40):
            print(f"  {times:6}  {reason}")
        for problem in problems[:50]:
            print("PROBLEM:", problem[:300])
        print(f"{len(problems)} problem(s)")
    finally:
        if schema:
            drop_schema(schema)
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
