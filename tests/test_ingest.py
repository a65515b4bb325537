"""The ingest stage end to end: dedup, versions, near-duplicates, bad input, interrupted runs."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from claimgraph.ingest import IngestOptions
from claimgraph.pipeline import ingest_paths
from claimgraph.store import open_store
from conftest import EXAMPLES, ROOT, shared_path

ARTICLE = "Title: A test\nOutlet/Author: Test Outlet / A Writer\nDate: 2021-07-15\nSource: https://example.org/a\n" + "=" * 30 + "\n\nThe minister said the talks failed on Tuesday. {extra}\n"


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_unchanged_duplicate_and_new_version(store, tmp_path: Path) -> None:
    tmp_path = tmp_path / "corpus"
    tmp_path.mkdir()
    a = _write(tmp_path, "a.txt", ARTICLE.format(extra=""))
    first = ingest_paths(store, [tmp_path])
    assert first.counts["ingested"] == 1
    again = ingest_paths(store, [tmp_path])
    assert again.counts == {"ingested": 0, "new_version": 0, "unchanged": 1, "duplicate": 0, "failed": 0, "manifest": 0}

    _write(tmp_path, "copy.txt", ARTICLE.format(extra=""))
    dup = ingest_paths(store, [tmp_path])
    assert dup.counts["duplicate"] == 1 and store.count_documents() == 1
    assert sorted(Path(o).name for o in store.documents()[0].origins) == ["a.txt", "copy.txt"]

    a.write_text(ARTICLE.format(extra="The opposition denied it."), encoding="utf-8")
    changed = ingest_paths(store, [a])
    assert changed.counts["new_version"] == 1
    versions = sorted(store.documents(), key=lambda d: d.version)
    assert [d.version for d in versions] == [1, 2]
    assert versions[1].supersedes == versions[0].id  # the old version is kept
    assert store.get_document("a.txt").version == 2


def test_header_metadata_is_stored_with_its_source(store, tmp_path: Path) -> None:
    ingest_paths(store, [_write(tmp_path, "a.txt", ARTICLE.format(extra=""))])
    document = store.get_document("a.txt")
    assert (document.title, document.outlet, document.published) == ("A test", "Test Outlet", "2021-07-15")
    assert document.metadata["published"].source == "header"
    assert document.text.startswith("Title: A test")  # the stored text IS the file's text
    assert any(zone.kind == "header" for zone in document.zones)


def test_a_folder_manifest_fills_what_its_documents_do_not_say(store, tmp_path: Path) -> None:
    import json

    folder = tmp_path / "corpus"
    folder.mkdir()
    _write(folder, "bare.txt", "The minister said the talks failed on Tuesday.\n")
    _write(folder, "headed.txt", ARTICLE.format(extra=""))
    (folder / "index.json").write_text(json.dumps([
        {"file": "bare.txt", "title": "Talks fail", "outlet": "Wire Service", "date": "2019-03-04 (from the URL)",
         "source": "https://example.org/bare"},
        {"file": "headed.txt", "title": "Another title", "outlet": "Another Outlet", "date": "2001-01-01"},
        {"file": "gone.txt", "title": "No such file"},
    ]))
    report = ingest_paths(store, [folder])
    assert report.counts["ingested"] == 2 and report.counts["manifest"] == 1 and not report.failed
    bare = store.get_document("bare.txt")
    assert (bare.title, bare.outlet, bare.published, bare.url) == ("Talks fail", "Wire Service", "2019-03-04", "https://example.org/bare")
    assert bare.metadata["published"].source == "manifest"
    headed = store.get_document("headed.txt")  # what the document says of itself wins
    assert (headed.title, headed.outlet, headed.published) == ("A test", "Test Outlet", "2021-07-15")
    # A record list with texts is a dump, one without texts or file names is neither.
    (folder / "index.json").write_text(json.dumps([{"title": "A"}]))
    assert [o.status for o in ingest_paths(store, [folder / "index.json"]).outcomes] == ["failed"]


READ_WITHOUT_A_STORE = """
import json, sys
from claimgraph.ingest import read_paths
read = read_paths([sys.argv[1]])
loaded = sorted(m for m in sys.modules if m.startswith(("sqlalchemy", "alembic", "claimgraph.store", "claimgraph.pipeline")))
print(json.dumps({"loaded": loaded, "outcomes": [[o.origin, o.status, o.reason] for o in read.outcomes],
                  "documents": [[d.id, d.origin, d.title, d.outlet, d.published, d.content_hash] for d in read.documents]}))
"""


def test_a_folder_is_read_into_documents_without_a_store(store, tmp_path: Path) -> None:
    """Ingest as a pure function: a folder (its manifest, a copy, an empty and a broken file, a
    dot-file) becomes documents and per-file failures in a process that never loads the store;
    stored, the same files give the same documents."""
    import json

    import claimgraph

    folder = tmp_path / "corpus"
    folder.mkdir()
    _write(folder, "bare.txt", "The minister said the talks failed on Tuesday.\n")
    _write(folder, "headed.txt", ARTICLE.format(extra=""))
    _write(folder, "copy.txt", ARTICLE.format(extra=""))
    _write(folder, "empty.txt", "  \n")
    _write(folder, ".hidden.txt", "Never read.\n")
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog")
    (folder / "index.json").write_text(json.dumps([{"file": "bare.txt", "title": "Talks fail", "outlet": "Wire Service"}]))
    code = str(Path(claimgraph.__file__).parents[1])  # the code under test, not an installed copy
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [code, os.environ.get("PYTHONPATH")]))}
    run = subprocess.run([sys.executable, "-c", READ_WITHOUT_A_STORE, str(folder)], capture_output=True, text=True,
                         env=env, timeout=120)
    assert run.returncode == 0, run.stderr
    read = json.loads(run.stdout)
    assert read["loaded"] == []  # neither the store nor SQLAlchemy nor the pipeline
    statuses = {(Path(origin).name, status) for origin, status, _ in read["outcomes"]}
    assert statuses == {("index.json", "manifest"), ("empty.txt", "failed"), ("broken.pdf", "failed")}
    documents = {Path(origin).name: (id_, title, outlet, published, digest)
                 for id_, origin, title, outlet, published, digest in read["documents"]}
    assert sorted(documents) == ["bare.txt", "copy.txt", "headed.txt"]  # a copy is its own document, one id
    assert documents["bare.txt"][1:3] == ("Talks fail", "Wire Service")  # the manifest fills what the file does not say
    assert documents["headed.txt"] == documents["copy.txt"] and documents["headed.txt"][1:4] == ("A test", "Test Outlet",
                                                                                                    "2021-07-15")
    # Stored, the same files are the same documents (the copy a duplicate of its original) and the same failures.
    report = ingest_paths(store, [folder])
    assert {(Path(o.origin).name, o.status) for o in report.outcomes if o.status in ("manifest", "failed")} == statuses
    assert report.counts["ingested"] == 2 and report.counts["duplicate"] == 1
    for document in store.documents():
        assert documents[Path(document.origin).name] == (document.id, document.title, document.outlet, document.published,
                                                         document.content_hash)


def test_ids_are_stable_across_stores(tmp_path: Path) -> None:
    ids = []
    for name in ("one.db", "two.db"):
        with open_store(str(tmp_path / name)) as store:
            ingest_paths(store, [EXAMPLES])
            ids.append(sorted(d.id for d in store.documents()))
    assert ids[0] == ids[1] and len(ids[0]) == 3


def test_bad_files_each_fail_once_and_the_batch_goes_on(store, tmp_path: Path) -> None:
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "binary.txt").write_bytes(bytes(range(256)) * 20)
    (bad / "empty.txt").write_bytes(b"")
    (bad / "latin1.txt").write_bytes("Le ministre a déclaré que les négociations ont échoué à Genève.".encode("latin-1"))
    (bad / "truncated.pdf").write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog")
    (bad / "empty.html").write_bytes(b"")
    (bad / "big.txt").write_text("word " * 5000, encoding="utf-8")
    shutil.copy(EXAMPLES / "000_d4f6d949c34f33dc.txt", bad / "good.txt")
    locked = bad / "locked"
    locked.mkdir()
    (locked / "inside.txt").write_text("never read", encoding="utf-8")
    locked.chmod(0)
    try:
        report = ingest_paths(store, [bad], options=IngestOptions(max_bytes=10_000))
    finally:
        locked.chmod(0o755)
    failed = {Path(o.origin).name: o.reason for o in report.failed}
    expected = {"binary.txt", "empty.txt", "truncated.pdf", "empty.html", "big.txt"}
    if os.geteuid() != 0:  # root reads any folder, so the permission case needs a normal user
        expected.add("locked")
    assert expected <= set(failed), failed
    assert all(reason for reason in failed.values())
    stored = {Path(o).name for d in store.documents() for o in d.origins}
    assert {"latin1.txt", "good.txt"} <= stored
    assert "déclaré" in store.get_document("latin1.txt").text


def test_unreadable_folder_is_one_error_even_as_root(store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    corpus = tmp_path / "corpus"
    (corpus / "locked").mkdir(parents=True)
    (corpus / "locked" / "secret.txt").write_text("never read", encoding="utf-8")
    _write(corpus, "open.txt", ARTICLE.format(extra=""))
    real_scandir = os.scandir

    def scandir(path):  # root ignores permissions, so refuse the way the kernel would for a user
        if Path(path).name == "locked":
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    report = ingest_paths(store, [corpus])
    assert [(Path(o.origin).name, o.reason) for o in report.failed] == [("locked", "cannot read folder: Permission denied")]
    assert report.counts["ingested"] == 1


def test_interrupted_ingest_resumes_without_duplicates(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for n in range(400):
        _write(corpus, f"doc{n:03}.txt", f"Report number {n}. The source said event {n} happened on day {n}.\n")
    db = tmp_path / "ledger.db"
    command = [sys.executable, "-m", "claimgraph", "--db", str(db), "ingest", "--no-progress", str(corpus)]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    stored = 0
    deadline = time.monotonic() + 60
    while stored < 20 and time.monotonic() < deadline:  # kill it mid-run, not before or after
        time.sleep(0.05)
        if db.exists():
            try:
                with sqlite3.connect(db, timeout=1) as probe:
                    stored = probe.execute("SELECT count(*) FROM documents").fetchone()[0]
            except sqlite3.Error:
                pass
    process.kill()
    process.wait()
    finished = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    assert finished.returncode == 0, finished.stderr
    with open_store(str(db)) as store:
        assert 0 < stored < 400, "the first run was not killed mid-way"
        assert store.count_documents() == 400
        assert len({o for d in store.documents() for o in d.origins}) == 400


def test_seed_and_buzzfeed_transcript_are_near_duplicates(store) -> None:
    seed = EXAMPLES / "002_446e0afcbd5d0a9b.txt"
    transcript = shared_path("corpus", "dev", "steele_2016-130_buzzfeed-transcript.txt")
    ingest_paths(store, [seed])
    report = ingest_paths(store, [transcript])
    assert report.outcomes[0].near_duplicate_of == store.get_document(seed.name).id
    assert store.get_document(transcript.name).near_duplicate_score >= 0.6
    assert store.get_document(seed.name).near_duplicate_of == store.get_document(transcript.name).id


@pytest.mark.corpus
def test_whole_shared_corpus_ingests(tmp_path: Path) -> None:
    corpus = shared_path("corpus")
    with open_store(str(tmp_path / "c.db")) as store:
        report = ingest_paths(store, [corpus])
        names = {Path(o.origin).name for o in report.outcomes}
        assert report.counts["failed"] == 0 and report.counts["manifest"] == 1  # MANIFEST.json describes dev/
        assert report.counts["ingested"] == 30
        assert len(names) == 31


def test_a_reader_crash_is_one_failure_and_the_batch_goes_on(store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from claimgraph.ingest import documents

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    _write(corpus, "a.txt", ARTICLE.format(extra=""))
    _write(corpus, "b.txt", ARTICLE.format(extra="Another sentence."))
    real = documents.read_path

    def flaky(path, **options):
        if Path(path).name == "a.txt":
            raise ValueError("parser blew up")
        return real(path, **options)

    monkeypatch.setattr(documents, "read_path", flaky)
    report = ingest_paths(store, [corpus])
    assert [(Path(o.origin).name, o.reason) for o in report.failed] == [
        ("a.txt", "could not be read (ValueError: parser blew up); please report this file")]
    assert report.counts["ingested"] == 1
