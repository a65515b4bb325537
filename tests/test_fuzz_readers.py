"""Property-based fuzzing of every reader and the claim splitter (issue 17): any bytes or text give
documents, or IngestErrors naming the input, never another exception, and within a time budget.

The fast version runs in CI (a few dozen examples per property). More examples:
    CLAIMGRAPH_FUZZ_EXAMPLES=2000 pytest -q tests/test_fuzz_readers.py
The generator of whole hostile batches is bench/fuzz_ingest.py.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import os
import tempfile
import time
from pathlib import Path

import pytest

os.environ.setdefault("HYPOTHESIS_STORAGE_DIRECTORY", str(Path(tempfile.gettempdir()) / "claimgraph-hypothesis"))

from hypothesis import HealthCheck, given, settings  # noqa: E402 - after the storage folder is set
from hypothesis import strategies as st  # noqa: E402

from claimgraph.errors import IngestError  # noqa: E402
from claimgraph.pipeline import ingest_document  # noqa: E402
from claimgraph.ingest.dedup import content_hash  # noqa: E402
from claimgraph.ingest.dumps import MAX_JSON_DEPTH, RECORD_READERS, load_json, read_manifest, read_records  # noqa: E402
from claimgraph.ingest.encoding import decode_text  # noqa: E402
from claimgraph.ingest.files import iter_files  # noqa: E402
from claimgraph.ingest.header import find_header  # noqa: E402
from claimgraph.ingest.readers import MEDIA_TYPES, read_path  # noqa: E402
from claimgraph.ingest.textmeta import find_text_metadata, parse_date  # noqa: E402
from claimgraph.ingest.zones import find_zones  # noqa: E402
from claimgraph.models import RawDocument  # noqa: E402
from claimgraph.text import storable_name, storable_text  # noqa: E402

EXAMPLES = int(os.environ.get("CLAIMGRAPH_FUZZ_EXAMPLES", "40"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                       HealthCheck.data_too_large, HealthCheck.large_base_example])
BUDGET_S = 3.0  # for one input of at most a few tens of KiB, on a loaded CI machine
_names = itertools.count()

# ---------------------------------------------------------------- strategies: raw, and almost valid

WORDS = st.sampled_from(["The", "minister", "said", "that", "talks", "failed", "denied", "it", "sources", "claim",
                         "“", "”", '"', "—", ",", ".", "\n", "\n\n", "Title:", "Date:", "=====", "---", "By",
                         "2019-10-01", "Tuesday", "\x00", "\ud800", "\ufeff", "é", "\u202e", "<", ">", "&amp;"])
TEXT = st.one_of(st.text(max_size=400), st.lists(WORDS, max_size=120).map(" ".join))
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TEXT,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(
        st.sampled_from(["text", "body", "title", "date", "author", "source", "file", "url", "lang"]) | st.text(max_size=5),
        children, max_size=5),
    max_leaves=20,
)


@st.composite
def mutated(draw, data: st.SearchStrategy[bytes]) -> bytes:  # type: ignore[no-untyped-def]
    """Bytes of an almost valid file: cut short, bits flipped, or spliced with random bytes."""
    raw = bytearray(draw(data))
    for _ in range(draw(st.integers(0, 3))):
        how = draw(st.sampled_from(["flip", "cut", "splice"]))
        at = draw(st.integers(0, len(raw)))
        if how == "flip" and raw:
            raw[min(at, len(raw) - 1)] ^= 1 << draw(st.integers(0, 7))
        elif how == "cut":
            del raw[at:]
        else:
            raw[at:at] = draw(st.binary(max_size=40))
    return bytes(raw)


def _encoded(text: str) -> st.SearchStrategy[bytes]:
    codecs_ = ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "latin-1", "cp1251"]
    return st.sampled_from(codecs_).map(lambda codec: text.encode(codec, "replace"))


def _csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8", "surrogatepass")


def _email(headers: list[tuple[str, str]], body: str) -> bytes:
    head = "".join(f"{name}: {value}\n" for name, value in headers)
    return (head + "\n" + body).encode("utf-8", "surrogatepass")


def _pdf(text: str) -> bytes:
    stream = f"BT /F1 11 Tf 40 760 Td ({text}) Tj ET".encode("latin-1", "replace")
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
               b"/Resources << /Font << /F1 5 0 R >> >> >>",
               b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 6\n0000000000 65535 f \n" + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    return bytes(out + b"trailer\n<< /Size 6 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % xref)


HEADER = st.tuples(st.sampled_from(["From", "Subject", "Date", "Content-Type", "Content-Transfer-Encoding",
                                    "MIME-Version", "Message-ID", "To"]),
                   st.one_of(st.text(max_size=60), st.sampled_from([
                       '"', " <", "multipart/mixed; boundary=x", "text/plain; charset=nope", "base64",
                       "=?utf-8?b?////?=", "Tue, 99 Foo 2019", "a@b", "text/html"])))
HTML = st.lists(st.one_of(WORDS, st.sampled_from(["<p>", "</p>", "<div class='a'>", "</div>", "<html lang='fr'>",
                                                  "<title>", "</title>", "<meta name='author' content='x'>",
                                                  "<script>", "</script>", "<!--", "-->", "<![CDATA[", "<table><tr><td>",
                                                  "<body", " a=1 b='2' c", ">"])), max_size=150).map(" ".join)

# What a file of each kind looks like, nearly: the reader for its extension gets it.
BY_SUFFIX: dict[str, st.SearchStrategy[bytes]] = {
    ".txt": st.one_of(st.binary(max_size=2000), TEXT.flatmap(_encoded)),
    ".md": TEXT.map(lambda t: ("---\ntitle: x\n---\n" + t).encode("utf-8", "surrogatepass")),
    ".html": mutated(HTML.map(lambda t: t.encode("utf-8", "surrogatepass"))),
    ".eml": mutated(st.builds(_email, st.lists(HEADER, max_size=8), TEXT)),
    ".pdf": mutated(st.text(st.characters(min_codepoint=32, max_codepoint=126, exclude_characters="()\\"),
                            max_size=200).map(_pdf)),
    ".json": mutated(JSON_VALUES.map(lambda v: json.dumps(v).encode())),
    ".jsonl": mutated(st.lists(JSON_VALUES, max_size=5).map(lambda vs: "\n".join(map(json.dumps, vs)).encode())),
    ".csv": mutated(st.lists(st.lists(TEXT, min_size=1, max_size=4), max_size=6).map(_csv)),
    "": st.binary(max_size=2000),
}


# ---------------------------------------------------------------- checks shared by the properties


def _timed(call, *args, **kwargs):  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    result = call(*args, **kwargs)
    elapsed = time.perf_counter() - started
    assert elapsed < BUDGET_S, f"{getattr(call, '__name__', call)} took {elapsed:.1f} s"
    return result


def _assert_document_sound(document: RawDocument, origin: str) -> None:
    assert document.origin == origin or document.origin.startswith(origin + "#")
    assert document.text.strip(), "a document with no text"
    assert storable_text(document.text) == document.text, "NUL or a lone surrogate left in the text"
    assert all(0 <= zone.start <= zone.end <= len(document.text) for zone in document.zones)
    for value in document.metadata.values():
        assert not isinstance(value.value, str) or storable_text(value.value) == value.value


def _assert_errors_name(errors: list[IngestError], origin: str) -> None:
    for error in errors:
        assert isinstance(error, IngestError)
        assert error.origin == origin or error.origin.startswith(origin + "#"), error.origin
        assert error.reason.strip()


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


# ---------------------------------------------------------------- every reader, through read_path


@pytest.mark.parametrize("suffix", sorted(set(MEDIA_TYPES) | {""}))
def test_any_bytes_give_documents_or_errors_naming_the_file(folder: Path, suffix: str) -> None:
    strategy = BY_SUFFIX[suffix if suffix in BY_SUFFIX else ".txt" if MEDIA_TYPES[suffix].startswith("text/") else ""]

    @FUZZ
    @given(data=strategy)
    def check(data: bytes) -> None:
        path = folder / f"f{next(_names)}{suffix}"
        path.write_bytes(data)
        result = _timed(read_path, path)
        _assert_errors_name(result.errors + result.warnings, str(path))
        for document in result.documents:
            _assert_document_sound(document, str(path))
        whole_file = [error.reason for error in result.errors if error.origin == str(path)]
        if whole_file:  # strict: the file's own failure is raised, as the same IngestError
            assert not result.documents and len(result.errors) == 1
            with pytest.raises(IngestError) as raised:
                read_path(path, strict=True)
            assert raised.value.reason == whole_file[0]

    check()


# ---------------------------------------------------------------- the parts on their own


@FUZZ
@given(data=st.one_of(st.binary(max_size=3000), TEXT.flatmap(_encoded), mutated(TEXT.flatmap(_encoded))))
def test_decode_text_gives_text_or_an_error_naming_the_input(data: bytes) -> None:
    try:
        text = _timed(decode_text, "in.txt", data)
    except IngestError as error:
        assert error.origin == "in.txt" and error.reason
    else:
        assert isinstance(text, str)


@FUZZ
@given(text=TEXT, codec=st.sampled_from(["utf-16", "utf-32", "utf-8-sig"]))
def test_text_with_a_byte_order_mark_decodes_exactly(text: str, codec: str) -> None:
    text = storable_text(text).replace("\ufeff", "")
    data = text.encode(codec)
    try:
        assert decode_text("in.txt", data) == text
    except IngestError as error:  # refused only as binary: mostly control characters
        assert error.reason == "binary file, not text"
        assert sum(ch < " " and ch not in "\t\n\r\x0b\x0c" or "\x7f" <= ch <= "\x9f" for ch in text) > len(text) * 0.05


@FUZZ
@given(text=st.one_of(TEXT, JSON_VALUES.map(json.dumps), st.integers(0, 30_000).map(lambda d: "[" * d + "]" * d),
                      st.integers(0, 30_000).map(lambda d: '{"a":' * d + "1" + "}" * d),
                      st.integers(1, 20_000).map(lambda d: "9" * d)))
def test_load_json_gives_a_value_or_a_value_error(text: str) -> None:
    try:
        _timed(load_json, text)
    except ValueError as error:  # JSONDecodeError and the refusals over a limit are ValueErrors
        assert str(error)


def test_the_json_depth_limit_is_exact() -> None:
    assert load_json("[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH) is not None
    with pytest.raises(ValueError, match="deeper than"):
        load_json("[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1))
    with pytest.raises(ValueError, match="deeper than"):
        load_json('{"text": "%s", "x": %s}' % ("[" * 500, "[" * 200 + "]" * 200))


@pytest.mark.parametrize("media_type", sorted(RECORD_READERS))
def test_any_dump_gives_records_or_errors_naming_the_dump(media_type: str) -> None:
    suffix = {"application/json": ".json", "application/x-ndjson": ".jsonl", "text/csv": ".csv"}[media_type]

    @FUZZ
    @given(data=BY_SUFFIX[suffix])
    def check(data: bytes) -> None:
        try:
            documents, errors = _timed(read_records, "dump" + suffix, data, media_type)
        except IngestError as error:
            assert error.origin == "dump" + suffix and error.reason
            return
        _assert_errors_name(errors, "dump" + suffix)
        assert all(d.origin.startswith("dump" + suffix + "#record-") and d.text.strip() for d in documents)

    check()


@FUZZ
@given(records=st.lists(st.dictionaries(st.sampled_from(["file", "path", "title", "date", "text"]),
                                        st.one_of(TEXT, st.sampled_from(["good.txt", "../x", "/etc/passwd", "a\x00b",
                                                                          "n" * 5000, "sub/good.txt", ".", ""]))),
                        max_size=5),
       suffix=st.sampled_from([".json", ".jsonl", ".csv"]))
def test_any_manifest_is_a_manifest_or_none(folder: Path, records: list[dict[str, str]], suffix: str) -> None:
    case = folder / f"m{next(_names)}"
    (case / "sub").mkdir(parents=True)
    (case / "good.txt").write_text("A file a manifest can describe.\n")
    (case / "sub" / "good.txt").write_text("Another one.\n")
    if suffix == ".csv":
        data = _csv([["file", "title", "date", "path"]] + [[r.get(k, "") for k in ("file", "title", "date", "path")]
                                                              for r in records])
    else:
        encoded = [json.dumps(r) for r in records]
        data = ("\n".join(encoded) if suffix == ".jsonl" else "[" + ",".join(encoded) + "]").encode()
    path = case / f"index{suffix}"
    path.write_bytes(data)
    manifest = _timed(read_manifest, path, media_type={".json": "application/json", ".jsonl": "application/x-ndjson",
                                                      ".csv": "text/csv"}[suffix])
    if manifest is not None:
        _assert_errors_name(manifest.errors, str(path))
        for target in manifest.described:
            assert target.is_file() and target.is_relative_to(case.resolve()), target


@FUZZ
@given(text=st.one_of(TEXT, st.text(max_size=3000)))
def test_header_metadata_and_zones_of_any_text(text: str) -> None:
    header = _timed(find_header, text)
    if header is not None:
        assert 0 <= header.end <= header.body_start <= len(text)
    _timed(find_text_metadata, text, start=header.body_start if header else 0)
    zones = _timed(find_zones, text, header_end=header.end if header else None, title=text[:40] or None)
    assert all(0 <= z.start < z.end <= len(text) for z in zones)
    assert all(a.end <= b.start for a, b in zip(zones, zones[1:])), "zones overlap"


@FUZZ
@given(value=st.one_of(st.text(max_size=80), st.lists(WORDS, max_size=10).map(" ".join),
                       st.sampled_from(["2019-02-30", "99/99/9999", "0000-00-00", "1 Jan 99999", "-1", "Tuesday"])))
def test_parse_date_gives_an_iso_date_or_none(value: str) -> None:
    parsed = _timed(parse_date, value, source="fuzz")
    if parsed is not None:
        assert parsed.precision in ("day", "month", "year")
        assert parsed.value[:4].isdigit()


@pytest.mark.parametrize("make", [
    lambda n: "said " * n,
    lambda n: "The minister said, " * (n // 3),
    lambda n: "Title: x\n" * (n // 2),
    lambda n: "=" * (5 * n),
    lambda n: "\n" * (5 * n),
    lambda n: "“" * n + "”" * n,
    lambda n: "By " * n,
    lambda n: ("x" * 60 + "\n") * (n // 10),
], ids=["run-on", "commas", "header-lines", "rule", "blank-lines", "quotes", "bylines", "short-lines"])
def test_text_metadata_and_zones_stay_linear_on_long_inputs(make) -> None:  # type: ignore[no-untyped-def]
    small, large = make(5_000), make(50_000)

    def cost(text: str) -> float:
        started = time.perf_counter()
        header = find_header(text)
        find_text_metadata(text, start=header.body_start if header else 0)
        find_zones(text, header_end=header.end if header else None, title=None)
        return time.perf_counter() - started

    cost(small)  # warm the lexicon
    assert cost(large) < max(30 * cost(small), 0.5), "ten times the text, more than thirty times the time"


@FUZZ
@given(text=TEXT)
def test_any_text_is_stored_as_every_backend_can_hold_it(store, text: str) -> None:
    origin = storable_name(f"fuzz/{next(_names)}-\udce9\x00.txt")
    outcome = _timed(ingest_document, store, RawDocument(origin=f"fuzz/{origin}", media_type="text/plain", text=text))
    if not storable_text(text).strip():
        assert outcome.status == "failed"
        return
    assert outcome.status in ("ingested", "duplicate")
    stored = store.get_document(outcome.document_id).text
    if outcome.status == "ingested":
        assert stored == storable_text(text)
    else:  # the same content (whitespace aside) was stored before, by an earlier example
        assert content_hash(stored) == content_hash(storable_text(text))


# ---------------------------------------------------------------- a walk over any tree


ENTRY = st.tuples(st.sampled_from(["file", "dir", "link", "fifo"]), st.binary(min_size=1, max_size=8),
                  st.sampled_from([".", "..", "/dev/zero", "/dev/null", "/nonexistent", "self", "0", "0/0"]))


@FUZZ
@given(entries=st.lists(ENTRY, max_size=12))
def test_a_walk_over_any_tree_ends_and_names_each_entry_once(folder: Path, entries) -> None:  # type: ignore[no-untyped-def]
    root = folder / f"tree{next(_names)}"
    root.mkdir()
    made: set[Path] = set()
    parent = root
    for kind, raw_name, target in entries:
        name = raw_name.replace(b"/", b"_").replace(b"\x00", b"_").lstrip(b".") or b"x"
        path = parent / os.fsdecode(name)
        if path.exists() or path.is_symlink():
            continue
        if kind == "file":
            path.write_bytes(b"Some text.\n")
        elif kind == "dir":
            path.mkdir()
            parent = path
            continue
        elif kind == "fifo":
            os.mkfifo(path)
        else:
            path.symlink_to(path.name if target == "self" else target)
        made.add(path)
    found = list(_timed(lambda: list(iter_files([root]))))
    origins = [str(item) if isinstance(item, Path) else item.origin for item in found]
    assert len(origins) == len(set(origins)), "an entry named twice"
    assert {str(p) for p in made} <= set(origins), "an entry neither read nor named"
    for item in found:
        if isinstance(item, Path):
            assert item.is_file()  # only regular files (or links to them) are read
            read = read_path(item)
            _assert_errors_name(read.errors, storable_name(str(item)))


# ---------------------------------------------------------------- the claim splitter


@pytest.fixture(scope="module")
def nlp():  # type: ignore[no-untyped-def]
    from claimgraph.analyse import load_nlp

    return load_nlp()


@pytest.fixture(scope="module")
def reporting() -> set[str]:
    from claimgraph.analyse.cue_lexicon import load_lexicon

    lexicon = load_lexicon()
    return set(lexicon.reporting) - lexicon.state_verbs


SENTENCES = st.lists(st.sampled_from(["The", "minister", "said", "who", "spoke", ",", "and", "denied", "that",
                                      "the", "talks", "failed", "while", "officials", "claimed", "—", "–", "--",
                                      "“", "”", "(", ")", "it", "was", "reported", "by", "sources", ";", "but",
                                      "according", "to", "asked", "declined", "Speaking", "in", "June", "."]),
                     min_size=1, max_size=80).map(" ".join)


@FUZZ
@given(text=st.one_of(SENTENCES, st.text(max_size=300)))
def test_split_units_partitions_any_sentence(nlp, reporting: set[str], text: str) -> None:
    from claimgraph.analyse.claims import split_units

    for sentence in nlp(text).sents:
        units = _timed(split_units, sentence, reporting)
        owned = sorted(i for unit in units for i in unit.tokens)
        assert owned == [token.i for token in sentence], "a token in no unit, or in two"
        assert all(sentence.start <= unit.head.i < sentence.end for unit in units)


@pytest.mark.parametrize("word", ["said", "and", ",", "—", "who"])
def test_split_units_is_fast_on_a_sentence_at_the_cap(nlp, reporting: set[str], word: str) -> None:
    from claimgraph.analyse.claims import MAX_SPLIT_TOKENS, split_units

    doc = nlp("The minister " + " ".join([word, "officials", "said"] * 400) + ".")
    for sentence in doc.sents:
        if len(sentence) <= MAX_SPLIT_TOKENS:
            units = _timed(split_units, sentence, reporting)
            assert sorted(i for u in units for i in u.tokens) == [t.i for t in sentence]
