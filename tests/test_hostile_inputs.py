"""Hostile inputs (issue 17) beside good files in one batch: each bad one is named once with its
reason, the good ones are stored, the exit code is 1, and a rerun stores nothing twice, on
SQLite and on PostgreSQL."""

from __future__ import annotations

import inspect
import json
import logging
import os
import re
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from claimgraph.cli import main
from claimgraph.ingest import iter_files
from claimgraph.pipeline import ingest_document, ingest_paths
from claimgraph.ingest.dedup import content_hash
from claimgraph.ingest.readers import read_path
from claimgraph.models import RawDocument
from claimgraph.text import storable_name, storable_text

NEWS = "The minister said on Tuesday that the talks had failed. The opposition denied it."
BAD_NAME = os.fsdecode(b"caf\xe9.txt")  # a file name that is not UTF-8


def _good(name: str) -> str:
    return f"{name}: {NEWS} The {name} detail was given by an official.\n"


def build_hostile_folder(root: Path) -> tuple[dict[str, str], set[str]]:
    """Hostile and good files side by side: (origin relative to root -> expected reason, good origins)."""
    root.mkdir()
    (root / "good.txt").write_text(_good("plain"), encoding="utf-8")
    (root / "good.md").write_text("# Markdown\n\n" + _good("markdown"), encoding="utf-8")
    (root / "target.txt").write_text(_good("target"), encoding="utf-8")
    (root / "loop").symlink_to("loop")
    (root / "dangling.txt").symlink_to("nowhere.txt")
    (root / "zero.txt").symlink_to("/dev/zero")
    os.mkfifo(root / "fifo.txt")
    (root / "deep.json").write_text("[" * 5000 + "]" * 5000)
    (root / "deep.jsonl").write_text(json.dumps({"text": _good("jsonl")}) + "\n" + "[" * 5000 + "]" * 5000 + "\n")
    (root / "hugeint.jsonl").write_text('{"text": %s, "n": %s}\n' % (json.dumps(_good("huge")), "9" * 5000))
    # Manifests naming impossible files; their good records still describe target.txt.
    (root / "nulpath.jsonl").write_text(
        json.dumps({"file": "tar\u0000get.txt", "title": "x"}) + "\n" + json.dumps({"file": "target.txt", "title": "Described"}) + "\n")
    (root / "longname.csv").write_text("file,title\n" + "a" * 5000 + ".txt,Long\ntarget.txt,Described\n")
    (root / "locked.csv").write_text("file,title\nlocked/secret.txt,Secret\n")
    (root / BAD_NAME).write_text(_good("badname"), encoding="utf-8")
    (root / "surrogate.jsonl").write_text('{"text": "Lone \\ud800 surrogate. %s"}\n' % NEWS)
    (root / "nul.jsonl").write_text('{"text": "NUL \\u0000 inside. %s", "title": "N\\u0000UL"}\n' % NEWS)
    (root / "nul.txt").write_bytes((_good("nul-late") * 200).encode() + b"\x00 after eight KiB.\n")
    (root / "utf16bom.txt").write_text(_good("utf16-bom"), encoding="utf-16")
    (root / "utf16le.txt").write_bytes(_good("utf16-le").encode("utf-16-le"))
    (root / "utf16be.txt").write_bytes(_good("utf16-be").encode("utf-16-be"))
    (root / "utf32.txt").write_text(_good("utf32"), encoding="utf-32")
    bad = {
        "loop": "symbolic link loop (too many levels of symbolic links); skipped",
        "dangling.txt": "dangling symbolic link (its target nowhere.txt does not exist); skipped",
        "zero.txt": "not a regular file: a symbolic link to /dev/zero, a character device; skipped",
        "fifo.txt": "not a regular file: a named pipe (FIFO); skipped",
        "deep.json": "JSON nested deeper than the 100-level limit; refused",
        "deep.jsonl#record-2": "JSON nested deeper than the 100-level limit; refused",
        "hugeint.jsonl#record-1": "a number of 5,000 digits, over the 1,000-digit limit; refused",
        "nulpath.jsonl#record-1": 'names a file that cannot be opened ("tar\\x00get.txt"): the name holds a NUL character',
        "longname.csv#record-1": f'names a file that cannot be opened ("{"a" * 60}…"): File name too long',
        "locked.csv#record-1": 'names a file that cannot be opened ("locked/secret.txt"): Permission denied',
    }
    good = {"good.txt", "good.md", "target.txt", "deep.jsonl#record-1", "caf\\xe9.txt", "surrogate.jsonl#record-1",
            "nul.jsonl#record-1", "nul.txt", "utf16bom.txt", "utf16le.txt", "utf16be.txt", "utf32.txt"}
    return bad, good


@pytest.fixture
def hostile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, dict[str, str], set[str]]:
    root = tmp_path / "hostile"
    bad, good = build_hostile_folder(root)
    (root / "locked").mkdir()
    (root / "locked" / "secret.txt").write_text(_good("locked"), encoding="utf-8")
    good.add("locked/secret.txt")  # the folder is read; only the manifest's look at it is refused
    real_is_file = Path.is_file

    def is_file(path: Path) -> bool:  # root reads any folder: refuse the way the kernel would for a user
        if path.parent.name == "locked":
            raise PermissionError(13, "Permission denied", str(path))
        return real_is_file(path)

    monkeypatch.setattr(Path, "is_file", is_file)
    return root, bad, good


def _relative(origin: str, root: Path) -> str:
    return origin.removeprefix(str(root) + os.sep)


def test_one_batch_of_every_hostile_input(store, hostile) -> None:
    root, bad, good = hostile
    report = ingest_paths(store, [root])
    failed = [(_relative(o.origin, root), o.reason) for o in report.failed]
    assert sorted(failed) == sorted(bad.items())  # each bad input once, with its reason; the folder "locked" is walked
    stored = {_relative(origin, root) for d in store.documents() for origin in d.origins}
    assert good <= stored
    assert report.counts["manifest"] == 3 and store.get_document("target.txt").title == "Described"

    count = store.count_documents()
    again = ingest_paths(store, [root])
    assert sorted((_relative(o.origin, root), o.reason) for o in again.failed) == sorted(bad.items())
    assert again.counts["ingested"] == again.counts["new_version"] == again.counts["duplicate"] == 0
    assert store.count_documents() == count


def test_stored_text_is_normalised_the_same_on_every_backend(store, hostile) -> None:
    root, _, _ = hostile
    ingest_paths(store, [root])
    nul = store.get_document(str(root / "nul.jsonl#record-1"))
    assert nul.text == f"NUL  inside. {NEWS}" and nul.title == "NUL"  # NUL removed
    assert nul.id == "d" + content_hash(nul.text)[:15]  # hashed as stored: the same id on every backend
    assert "\x00" not in store.get_document(str(root / "nul.txt")).text
    assert store.get_document(str(root / "surrogate.jsonl#record-1")).text.startswith("Lone \ufffd surrogate.")
    assert store.get_document("caf\\xe9.txt").text == _good("badname")
    for name in ("utf16bom", "utf16-le", "utf16-be", "utf32"):
        file = {"utf16-le": "utf16le", "utf16-be": "utf16be"}.get(name, name) + ".txt"
        expected = _good("utf16-bom" if name == "utf16bom" else name)
        assert store.get_document(file).text == expected


def test_the_command_line_names_each_bad_input_once_and_exits_1(store_url: str, hostile) -> None:
    root, bad, good = hostile
    runner = CliRunner()
    result = runner.invoke(main, ["--db", store_url, "ingest", "--no-progress", str(root)], catch_exceptions=False)
    assert result.exit_code == 1, result.output
    lines = [line for line in result.output.splitlines() if line.startswith("failed: ")]
    assert sorted(lines) == sorted(f"failed: {root / origin}: {reason}" for origin, reason in bad.items())
    assert f"{len(bad)} input(s) failed" in result.output
    rerun = runner.invoke(main, ["--db", store_url, "ingest", "--no-progress", str(root)], catch_exceptions=False)
    assert rerun.exit_code == 1 and f"ingested 0, new versions 0, unchanged {len(good)}, duplicates 0" in rerun.output


def test_a_named_path_that_is_special_is_named_too(tmp_path: Path) -> None:
    (tmp_path / "loop").symlink_to("loop")
    os.mkfifo(tmp_path / "pipe")
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "a.txt").write_text("text")
    (tmp_path / "walked").mkdir()
    (tmp_path / "walked" / "link").symlink_to(tmp_path / "real")
    found = list(iter_files([tmp_path / "loop", tmp_path / "pipe", tmp_path / "walked", tmp_path / "missing"]))
    assert [(Path(e.origin).name, e.reason) for e in found] == [
        ("loop", "symbolic link loop (too many levels of symbolic links); skipped"),
        ("pipe", "not a regular file: a named pipe (FIFO); skipped"),
        ("link", "symbolic link to a folder, not followed; name the folder itself to ingest it"),
        ("missing", "no such file or folder"),
    ]
    assert read_path(tmp_path / "pipe").errors[0].reason == "not a regular file: a named pipe (FIFO); skipped"


def test_a_folder_tree_deeper_than_the_recursion_limit_is_walked(tmp_path: Path) -> None:
    folder = tmp_path.joinpath(*["d"] * 200)
    folder.mkdir(parents=True)
    (folder / "deep.txt").write_text("text")
    # A tree deeper than the recursion limit, without one so deep that clean-up (shutil.rmtree
    # recurses too) would fail: the limit is brought down to just above this frame instead.
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(len(inspect.stack()) + 100)
    try:
        found = list(iter_files([tmp_path]))
    finally:
        sys.setrecursionlimit(limit)
    assert found == [folder / "deep.txt"]


def test_a_document_given_by_a_caller_is_normalised_before_it_is_hashed(store) -> None:
    raw = RawDocument(origin="api:\udcff\x00", media_type="text/plain", text=f"One\x00 {NEWS} \ud800")
    outcome = ingest_document(store, raw)
    document = store.get_document(outcome.document_id)
    assert (document.origin, document.text) == ("api:\\xff\\x00", f"One {NEWS} \ufffd")
    assert ingest_document(store, RawDocument(origin="api:\udcff\x00", media_type="text/plain",
                                              text=f"One\x00 {NEWS} \ud800")).status == "unchanged"


def test_storable_text_and_names() -> None:
    assert storable_text("plain") == "plain"
    assert storable_text("a\x00b\ud800c\udcff") == "ab\ufffdc\ufffd"
    assert storable_name(os.fsdecode(b"/x/caf\xe9.txt")) == "/x/caf\\xe9.txt"
    assert storable_name(os.fsdecode(b"a\xe9")) != storable_name(os.fsdecode(b"a\xe8"))  # two files stay two


def test_a_document_the_store_refuses_is_one_failure(store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from claimgraph.pipeline import ingest_step

    tmp_path = tmp_path / "corpus"
    tmp_path.mkdir()
    (tmp_path / "a.txt").write_text(_good("a"))
    (tmp_path / "b.txt").write_text(_good("b"))
    real = ingest_step.ingest_document

    def refusing(store, raw, **options):  # type: ignore[no-untyped-def]
        if raw.origin.endswith("a.txt"):
            raise ValueError("value out of range")
        return real(store, raw, **options)

    monkeypatch.setattr(ingest_step, "ingest_document", refusing)
    report = ingest_paths(store, [tmp_path])
    assert [(Path(o.origin).name, o.reason) for o in report.failed] == [
        ("a.txt", "could not be stored (ValueError: value out of range); please report this file")]
    assert report.counts["ingested"] == 1


def test_pypdf_warnings_are_one_line_naming_the_file(store, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    from test_readers import minimal_pdf

    path = tmp_path / "damaged.pdf"
    path.write_bytes(re.sub(rb"startxref\n\d+", b"startxref\n999", minimal_pdf("Putin authorised the operation.")))
    with caplog.at_level(logging.WARNING):
        report = ingest_paths(store, [path])
    assert report.counts["ingested"] == 1
    assert [(r.name, r.getMessage()) for r in caplog.records] == [
        ("claimgraph.ingest.documents", f"warning: {path}: damaged PDF, read anyway (pypdf: incorrect startxref pointer(2); and 1 more)")]


def test_malformed_e_mails_are_read_or_refused_with_a_reason(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from email.message import EmailMessage

    body = "Date: Tue, 1 Jun 2021 10:00:00 +0000\nSubject: Talks\n\nThe minister said the talks failed.\n"
    for number, sender in enumerate(['"', " <", "():]@", "\\@[ "]):  # the standard library's parser fails on each
        path = tmp_path / f"m{number}.eml"
        path.write_text(f"From: {sender}\n{body}")
        result = read_path(path)
        assert result.errors == [] and result.documents[0].meta("title") == "Talks", sender
        assert result.documents[0].meta("author") == sender.strip()  # the header as written

    def broken(self, preferencelist=()):  # type: ignore[no-untyped-def]
        raise IndexError("list index out of range")

    monkeypatch.setattr(EmailMessage, "get_body", broken)
    result = read_path(tmp_path / "m0.eml")
    assert [e.reason for e in result.errors] == [
        "malformed e-mail: its MIME parts or their headers cannot be parsed (IndexError: list index out of range)"]


def test_a_manifest_describes_only_files_in_its_own_folder(store, tmp_path: Path) -> None:
    # Found by bench/fuzz_ingest.py: "../../etc/passwd" in a manifest gave metadata to a file outside
    # the batch, and the manifest was neither stored nor refused.
    root = tmp_path / "batch"
    (root / "sub").mkdir(parents=True)
    (root / "sub" / "inner.txt").write_text(_good("inner"), encoding="utf-8")
    (tmp_path / "outside.txt").write_text(_good("outside"), encoding="utf-8")
    (root / "index.csv").write_text("file,title\n../outside.txt,Stolen\nsub/inner.txt,Inner\n")
    (root / "escape.csv").write_text("file,title\n" + "../" * 40 + "etc/passwd,Passwd\n")
    report = ingest_paths(store, [root, tmp_path / "outside.txt"])
    failed = {_relative(o.origin, root): o.reason for o in report.failed}
    assert failed == {
        "index.csv#record-1": 'names a file outside the manifest\'s folder ("../outside.txt"); ignored',
        "escape.csv#record-1": f'names a file outside the manifest\'s folder ("{("../" * 20)[:60]}…"); ignored',
    }
    assert store.get_document("inner.txt").title == "Inner"
    assert store.get_document("outside.txt").title is None


def test_invalid_json_is_refused_with_its_position(tmp_path: Path) -> None:
    # The decoder's message ends "starting at": the reason gave "starting at at line 1".
    (tmp_path / "a.json").write_text('{"text": "unterminated')
    (tmp_path / "a.jsonl").write_text('{"text": "fine and long enough to read"}\n{"text": "unterminated\n')
    assert [e.reason for e in read_path(tmp_path / "a.json").errors] == [
        "invalid JSON: Unterminated string starting at (line 1, column 10)"]
    assert [(e.origin.rsplit("#", 1)[1], e.reason) for e in read_path(tmp_path / "a.jsonl").errors] == [
        ("record-2", "invalid JSON: Unterminated string starting at (column 10)")]


def test_a_csv_quote_that_never_closes_is_one_bad_record(tmp_path: Path) -> None:
    # Found by bench/fuzz_ingest.py: the lenient csv reader ran the open quote to the end of the
    # file, so one record swallowed every row after it and was stored as one document.
    path = tmp_path / "dump.csv"
    path.write_text(f'text,title\n"{NEWS}",First\n"{NEWS} Open quote,Second\n{NEWS},Third\n')
    result = read_path(path)
    assert [d.origin.rsplit("#", 1)[1] for d in result.documents] == ["record-1"]
    assert [(e.origin.rsplit("#", 1)[1], e.reason) for e in result.errors] == [
        ("record-2", "malformed CSV: a quoted field is never closed (it runs to the end of the file); refused")]
    path.write_text(f'text,title\n"{NEWS} ""quoted"" inside",First\n{NEWS} a 5" screen,Second\n')
    assert read_path(path).errors == []  # closed quotes, and a quote inside an unquoted field, are fine


def test_html_nested_past_the_parser_limit_is_refused_with_that_reason(tmp_path: Path) -> None:
    # Found by bench/fuzz_ingest.py: 20,000 nested <div>s lost their text inside lxml and the page
    # was refused as "no extractable text", which sent the reader looking for an empty page.
    def page(depth: int) -> str:
        return "<html><body>" + "<div>" * depth + NEWS + "</div>" * depth + "</body></html>"

    (tmp_path / "deep.html").write_text(page(20_000))
    (tmp_path / "shallow.html").write_text(page(200))
    assert [e.reason for e in read_path(tmp_path / "deep.html").errors] == [
        "HTML nested 20,002 elements deep: the parser drops what lies below its limit of 255 and no text is left; refused"]
    assert NEWS in read_path(tmp_path / "shallow.html").documents[0].text
