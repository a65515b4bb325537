"""The per-format readers, on real files made here and on the shared corpus."""

from __future__ import annotations

import json
import os
import re
from email.message import EmailMessage
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter

from claimgraph.errors import IngestError
from claimgraph.ingest.header import find_header, split_outlet_author
from claimgraph.ingest.readers import ReadResult, read_path
from claimgraph.ingest.textmeta import find_text_metadata, parse_date

SHARED = Path(__file__).resolve().parents[2] / "shared"


def shared(*parts: str) -> Path:
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent: the shared corpus lives beside the project")
    return path


def only_document(path: Path, **options: int):
    result = read_path(path, **options)
    assert isinstance(result, ReadResult)
    assert result.errors == []
    assert len(result.documents) == 1
    return result.documents[0]


def reason_of(path: Path, **options: int) -> str:
    with pytest.raises(IngestError) as caught:
        read_path(path, strict=True, **options)
    assert caught.value.origin == str(path)
    # Without strict, the same error is listed, so that a batch goes on.
    listed = read_path(path, **options)
    assert listed.documents == []
    assert [(e.origin, e.reason) for e in listed.errors] == [(str(path), caught.value.reason)]
    return caught.value.reason


# ---------------------------------------------------------------- plain text and Markdown


def test_text_is_the_file_exactly(tmp_path: Path) -> None:
    raw = "  Title line\r\n\r\nBody with trailing spaces   \n\n\n"
    path = tmp_path / "a.txt"
    path.write_bytes(raw.encode("utf-8"))
    document = only_document(path)
    assert document.text == raw
    assert document.media_type == "text/plain"
    assert document.origin == str(path)


def test_latin1_text_is_decoded(tmp_path: Path) -> None:
    raw = "Le café du Kremlin coûte £5 à Moscou, a déclaré le porte-parole. Über Straße.\n"
    path = tmp_path / "latin.txt"
    path.write_bytes(raw.encode("latin-1"))
    assert only_document(path).text == raw


def test_cp1252_quotes_are_decoded(tmp_path: Path) -> None:
    raw = "Peskov called it \u201cpulp fiction\u201d \u2013 and the Kremlin\u2019s denial stood.\n" * 3
    path = tmp_path / "quotes.txt"
    path.write_bytes(raw.encode("cp1252"))
    assert only_document(path).text == raw


def test_markdown_keeps_text_and_front_matter(tmp_path: Path) -> None:
    raw = '---\ntitle: "Leaked papers"\ndate: 2021-07-15\nauthor: A. Writer\n---\n\n# Leaked papers\n\nBody text here.\n'
    path = tmp_path / "story.md"
    path.write_text(raw, encoding="utf-8", newline="")
    document = only_document(path)
    assert document.text == raw
    assert document.media_type == "text/markdown"
    assert document.meta("title") == "Leaked papers"
    assert document.metadata["published"].precision == "day"
    assert document.zones[0].kind == "header"


def test_cp1251_text_is_decoded(tmp_path: Path) -> None:
    raw = "Представитель Кремля заявил, что доклад является вымыслом. Министр отказался комментировать.\n" * 3
    path = tmp_path / "ru.txt"
    path.write_bytes(raw.encode("cp1251"))
    assert only_document(path).text == raw


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-8-sig"])
def test_unicode_with_or_without_byte_order_mark_is_decoded(tmp_path: Path, encoding: str) -> None:
    raw = "The Kremlin\u2019s spokesman said the report was \u201cpulp fiction\u201d. Caf\u00e9 owners agreed.\n"
    path = tmp_path / "unicode.txt"
    path.write_bytes(raw.encode(encoding))  # "utf-16" and "utf-32" write a byte-order mark, -le/-be none
    assert only_document(path).text == raw


def test_utf16_cyrillic_needs_its_byte_order_mark(tmp_path: Path) -> None:
    raw = "Представитель Кремля заявил, что доклад является вымыслом.\n"
    path = tmp_path / "ru16.txt"
    path.write_bytes(raw.encode("utf-16"))
    assert only_document(path).text == raw
    path.write_bytes(raw.encode("utf-16-le"))  # without it, nothing says reliably which bytes are text
    assert reason_of(path) == "binary file, not text"


def test_binary_with_zero_bytes_is_not_taken_for_utf16(tmp_path: Path) -> None:
    path = tmp_path / "shorts.txt"
    path.write_bytes(bytes(b for n in range(2048) for b in (n % 32, 0)))  # little-endian 16-bit control codes
    assert reason_of(path) == "binary file, not text"
    path.write_bytes(b"\xff\xfe" + b"\x00\xd8" * 50)  # a BOM, then lone surrogates
    assert reason_of(path).startswith("undecodable UTF-16 text")


def test_binary_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "blob.txt"
    path.write_bytes(bytes(range(256)) * 40)
    assert reason_of(path) == "binary file, not text"


def test_control_character_garbage_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "garbage.dat"
    path.write_bytes(b"\x01\x02\x03\x1b[0m\x07\x08" * 200)
    assert "binary" in reason_of(path)


def test_empty_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    assert reason_of(path) == "empty file"


def test_whitespace_only_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "blank.txt"
    path.write_text("\n \n\t\n")
    assert "whitespace" in reason_of(path)


def test_size_limit(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_text("word " * 100)
    assert "over the 100-byte limit" in reason_of(path, max_bytes=100)


def test_missing_and_directory_paths(tmp_path: Path) -> None:
    assert reason_of(tmp_path / "nope.txt") == "no such file"
    assert reason_of(tmp_path) == "not a regular file"


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads any file; needs POSIX permissions")
def test_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "secret.txt"
    path.write_text("text")
    path.chmod(0)
    try:
        assert reason_of(path) == "permission denied"
    finally:
        path.chmod(0o600)


def test_unknown_extension_is_sniffed(tmp_path: Path) -> None:
    text_file = tmp_path / "notes.log"
    text_file.write_text("Plain notes about the story.\n")
    assert only_document(text_file).media_type == "text/plain"
    html_file = tmp_path / "page.data"
    html_file.write_text(HTML_PAGE)
    assert only_document(html_file).media_type == "text/html"


# ---------------------------------------------------------------- HTML

HTML_PAGE = """<!DOCTYPE html>
<html lang="en-GB">
<head>
  <title>Leaked papers suggest Putin helped Trump | The Daily Example</title>
  <meta name="author" content="Jane Reporter">
  <meta property="article:published_time" content="2021-07-15T09:30:00+00:00">
  <meta property="og:site_name" content="The Daily Example">
  <meta property="og:title" content="Leaked papers suggest Putin helped Trump">
  <link rel="canonical" href="https://example.org/news/leaked-papers">
</head>
<body>
  <nav><ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li><li><a href="/sport">Sport</a></li></ul></nav>
  <header><p>Subscribe to our newsletter for daily updates and offers</p></header>
  <article>
    <h1>Leaked papers suggest Putin helped Trump</h1>
    <p>Russian president Vladimir Putin personally authorised a secret spy agency operation to support
    Donald Trump in the 2016 US presidential election, according to leaked Kremlin documents.</p>
    <p>The documents, seen by The Guardian, appear to show that the decision was taken during a closed
    session of Russia's national security council on 22 January 2016.</p>
    <p>Kremlin spokesman Dmitry Peskov dismissed the report as "pulp fiction" and said it was a
    fabrication intended to damage relations between Moscow and Washington.</p>
    <p>Western intelligence agencies are understood to have been aware of the documents for some months
    and to have examined them carefully before the story was published.</p>
  </article>
  <footer><p>Copyright The Daily Example 2021. All rights reserved.</p><p>Cookie policy</p></footer>
</body>
</html>
"""


def test_html_main_text_and_metadata(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(HTML_PAGE, encoding="utf-8")
    document = only_document(path)
    assert document.media_type == "text/html"
    assert "personally authorised a secret spy agency operation" in document.text
    assert "pulp fiction" in document.text
    assert "Subscribe to our newsletter" not in document.text
    assert "All rights reserved" not in document.text
    assert "Leaked papers suggest Putin helped Trump" in document.meta("title")
    assert document.meta("author") == "Jane Reporter"
    assert document.metadata["published"].value == "2021-07-15"
    assert document.metadata["published"].source == "html-meta"
    assert document.meta("outlet") == "The Daily Example"
    assert document.meta("language") == "en"
    assert all(zone.end <= len(document.text) for zone in document.zones)


def test_html_date_is_never_guessed_from_a_copyright_line(tmp_path: Path) -> None:
    path = tmp_path / "undated.html"
    path.write_text(HTML_PAGE.replace('<meta property="article:published_time" content="2021-07-15T09:30:00+00:00">', ""))
    document = only_document(path)
    assert "published" not in document.metadata


def test_tiny_html_still_gives_its_text(tmp_path: Path) -> None:
    path = tmp_path / "tiny.htm"
    path.write_text("<html><body><p>The Kremlin denied the report.</p></body></html>")
    assert "The Kremlin denied the report." in only_document(path).text


def test_zero_byte_html_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "zero.html"
    path.write_bytes(b"")
    assert reason_of(path) == "empty file"


def test_html_without_text_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notext.html"
    path.write_text("<html><head><script>var x = 1;</script></head><body><div><img src='a.png'></div></body></html>")
    assert reason_of(path) == "HTML page has no extractable text"


def test_broken_markup_with_no_text_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "broken.html"
    path.write_text("<<<>>></ </ <html <body")
    with pytest.raises(IngestError):
        read_path(path, strict=True)


# ---------------------------------------------------------------- PDF


def minimal_pdf(text: str | None, *, title: str = "Kremlin papers") -> bytes:
    """A one-page PDF written by hand, with a text object (or none) and a correct xref."""
    content = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("latin-1") if text is not None else b""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Title (%s) /Author (A. Analyst) /CreationDate (D:20161012093000Z) >>" % title.encode("latin-1"),
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info 6 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def test_pdf_text_layer_and_info(tmp_path: Path) -> None:
    path = tmp_path / "memo.pdf"
    path.write_bytes(minimal_pdf("Putin authorised the operation."))
    document = only_document(path)
    assert document.media_type == "application/pdf"
    assert "Putin authorised the operation." in document.text
    assert document.meta("title") == "Kremlin papers"
    assert document.meta("author") == "A. Analyst"
    assert document.metadata["published"].value == "2016-10-12"
    assert document.metadata["published"].source == "pdf-info"


def test_truncated_pdf_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "cut.pdf"
    path.write_bytes(minimal_pdf("Putin authorised the operation.")[:300])
    assert reason_of(path).startswith("broken PDF")


def test_pdf_with_garbage_body_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "junk.pdf"
    path.write_bytes(b"%PDF-1.4\n" + b"\x8f\x00garbage" * 50 + b"\n%%EOF\n")
    assert reason_of(path).startswith("broken PDF") or "no text layer" in reason_of(path)


def test_not_a_pdf_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "fake.pdf"
    path.write_text("this is not a pdf")
    assert reason_of(path) == "broken PDF: no %PDF header"


def test_encrypted_pdf_is_refused(tmp_path: Path) -> None:
    plain = tmp_path / "plain.pdf"
    plain.write_bytes(minimal_pdf("Secret text."))
    writer = PdfWriter(clone_from=PdfReader(plain))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="RC4-128")
    path = tmp_path / "locked.pdf"
    with path.open("wb") as handle:
        writer.write(handle)
    assert reason_of(path) == "encrypted PDF (needs a password)"


def test_pdf_with_empty_user_password_is_read(tmp_path: Path) -> None:
    plain = tmp_path / "plain.pdf"
    plain.write_bytes(minimal_pdf("Open for reading."))
    writer = PdfWriter(clone_from=PdfReader(plain))
    writer.encrypt(user_password="", owner_password="owner", algorithm="RC4-128")
    path = tmp_path / "owner-only.pdf"
    with path.open("wb") as handle:
        writer.write(handle)
    assert "Open for reading." in only_document(path).text


def test_pdf_without_text_layer_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "scan.pdf"
    path.write_bytes(minimal_pdf(None))
    assert reason_of(path) == "PDF has no text layer (scanned?)"


# ---------------------------------------------------------------- e-mail


def make_email(tmp_path: Path) -> Path:
    message = EmailMessage()
    message["From"] = "Source Desk <desk@example.org>"
    message["To"] = "analyst@example.org"
    message["Subject"] = "Kremlin papers: the leak"
    message["Date"] = "Thu, 15 Jul 2021 10:20:00 +0100"
    message.set_content("The documents appear to show Putin authorised the operation.\n\nRegards\n")
    message.add_attachment(
        "Notes on the national security council meeting of 22 January 2016.\n",
        subtype="plain",
        filename="notes.txt",
    )
    message.add_attachment(b"\x89PNG\r\n\x1a\n" + bytes(64), maintype="image", subtype="png", filename="photo.png")
    path = tmp_path / "leak.eml"
    path.write_bytes(message.as_bytes())
    return path


def test_email_body_headers_and_text_attachment(tmp_path: Path) -> None:
    path = make_email(tmp_path)
    result = read_path(path)
    assert result.errors == []
    body, attachment = result.documents
    assert body.origin == str(path)
    assert body.media_type == "message/rfc822"
    assert "Putin authorised the operation" in body.text
    assert body.meta("title") == "Kremlin papers: the leak"
    assert "desk@example.org" in body.meta("author")
    assert body.metadata["published"].value == "2021-07-15"
    assert body.metadata["published"].source == "eml-header"
    assert body.metadata["published"].precision == "day"
    assert attachment.origin == f"{path}#attachment-notes.txt"
    assert attachment.media_type == "text/plain"
    assert "22 January 2016" in attachment.text


def test_html_only_email_is_converted(tmp_path: Path) -> None:
    message = EmailMessage()
    message["From"] = "desk@example.org"
    message["Subject"] = "HTML only"
    message["Date"] = "Fri, 16 Jul 2021 08:00:00 +0000"
    message.set_content(HTML_PAGE, subtype="html")
    path = tmp_path / "html.eml"
    path.write_bytes(message.as_bytes())
    document = only_document(path)
    assert "personally authorised a secret spy agency operation" in document.text
    assert "<p>" not in document.text


def test_not_an_email_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "fake.eml"
    path.write_text("just some words, no headers at all\n")
    assert "not an e-mail" in reason_of(path)


# ---------------------------------------------------------------- JSONL and CSV


def test_jsonl_dump_records(tmp_path: Path) -> None:
    lines = [
        {"headline": "Kremlin denies", "body": "Peskov called it pulp fiction.", "published_at": "2021-07-15T12:00:00Z",
         "source": "TASS", "author": "Staff", "url": "https://tass.com/x"},
        {"title": "No text here", "date": "2021-07-16"},
        "not json at all {",
        {"content": "Second story text.", "date": "July 2021"},
    ]  # fmt: skip
    path = tmp_path / "dump.jsonl"
    path.write_text("\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines) + "\n\n")
    result = read_path(path)
    assert [d.origin for d in result.documents] == [f"{path}#record-1", f"{path}#record-4"]
    first, second = result.documents
    assert first.media_type == "application/x-ndjson"
    assert first.text == "Peskov called it pulp fiction."
    assert (first.meta("title"), first.meta("outlet"), first.meta("author")) == ("Kremlin denies", "TASS", "Staff")
    assert first.meta("url") == "https://tass.com/x"
    assert first.metadata["published"].value == "2021-07-15"
    assert first.metadata["published"].source == "record-field"
    assert (second.metadata["published"].value, second.metadata["published"].precision) == ("2021-07", "month")
    assert {e.origin: e.reason.split(":")[0] for e in result.errors} == {
        f"{path}#record-2": "record has no text (text, body or content field)",
        f"{path}#record-3": "invalid JSON",
    }


def test_csv_dump_records(tmp_path: Path) -> None:
    path = tmp_path / "dump.csv"
    path.write_text(
        'title,text,date,outlet\n"Leak","Putin ""authorised"" it,\nreportedly.",2021-07-15,The National\n'
        '"Empty","",2021-07-16,UNILAD\n',
        encoding="utf-8",
    )
    result = read_path(path)
    (document,) = result.documents
    assert document.origin == f"{path}#record-1"
    assert document.media_type == "text/csv"
    assert document.text == 'Putin "authorised" it,\nreportedly.'
    assert document.meta("outlet") == "The National"
    assert [e.origin for e in result.errors] == [f"{path}#record-2"]


def test_json_dumps(tmp_path: Path) -> None:
    listed = tmp_path / "list.json"
    listed.write_text(json.dumps([{"text": "One.", "outlet": "A"}, {"body": "Two.", "date": "2016"}]))
    result = read_path(listed)
    assert [d.origin for d in result.documents] == [f"{listed}#record-1", f"{listed}#record-2"]
    assert result.documents[0].media_type == "application/json"
    wrapped = tmp_path / "wrapped.json"
    wrapped.write_text(json.dumps({"articles": [{"content": "Three."}]}))
    assert read_path(wrapped).documents[0].text == "Three."


def test_json_without_texts_is_not_a_dump(tmp_path: Path) -> None:
    path = tmp_path / "MANIFEST.json"
    path.write_text(json.dumps([{"file": "a.txt", "title": "A"}, {"file": "b.txt", "title": "B"}]))
    assert reason_of(path).startswith("not an article dump")
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    assert reason_of(broken).startswith("invalid JSON")


def test_json_over_the_limits_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text('{"articles": ' + "[" * 5000 + "]" * 5000 + "}")
    assert reason_of(deep) == "JSON nested deeper than the 100-level limit; refused"
    brackets_in_text = tmp_path / "text.json"  # brackets inside strings are text, not nesting
    brackets_in_text.write_text(json.dumps([{"text": "The minister [said] " + "[{" * 3000 + " it."}]))
    assert only_document(brackets_in_text).text.endswith(" it.")
    huge = tmp_path / "huge.json"
    huge.write_text('[{"text": "The minister said it.", "views": -%s}]' % ("7" * 5000))
    assert reason_of(huge) == "a number of 5,000 digits, over the 1,000-digit limit; refused"


def test_jsonl_refuses_only_the_line_over_a_limit(tmp_path: Path) -> None:
    path = tmp_path / "dump.jsonl"
    lines = [json.dumps({"text": "The minister said it."}), "[" * 200 + "]" * 200, '{"text": "x", "n": %s}' % ("1" * 2000)]
    path.write_text("\n".join(lines) + "\n")
    result = read_path(path)
    assert [d.origin for d in result.documents] == [f"{path}#record-1"]
    assert [(e.origin, e.reason) for e in result.errors] == [
        (f"{path}#record-2", "JSON nested deeper than the 100-level limit; refused"),
        (f"{path}#record-3", "a number of 2,000 digits, over the 1,000-digit limit; refused"),
    ]


def test_empty_dump_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "empty.jsonl"
    path.write_text("\n\n")
    assert reason_of(path) == "dump holds no records"


# ---------------------------------------------------------------- metadata helpers


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("20 June 2016 (date line at the end of the memo)", ("2016-06-20", "day")),
        ("2017-01-10", ("2017-01-10", "day")),
        ('2017-01-06 (page: "January 6, 2017, 4:48 PM")', ("2017-01-06", "day")),
        ("January 6, 2017, 4:48 PM", ("2017-01-06", "day")),
        ("June 2016", ("2016-06", "month")),
        ("2016", ("2016", "year")),
        ("2021-07", ("2021-07", "month")),
    ],
)
def test_parse_date_keeps_precision(value: str, expected: tuple[str, str]) -> None:
    found = parse_date(value, source="header")
    assert found is not None
    assert (found.value, found.precision) == expected


@pytest.mark.parametrize("value", ["[no date]", "12 October", "yesterday", "", "2016-13-45"])
def test_parse_date_never_invents(value: str) -> None:
    assert parse_date(value, source="header") is None


def test_split_outlet_author() -> None:
    assert split_outlet_author("BuzzFeed News / Ken Bensinger, Miriam Elder; reposted") == (
        "BuzzFeed News",
        "Ken Bensinger, Miriam Elder",
    )
    assert split_outlet_author("TASS (Russian state news agency)") == ("TASS", None)
    assert split_outlet_author("U.S. Senate Committee (press release; Chairman X)") == ("U.S. Senate Committee", None)


def test_text_metadata_dateline_closing_date_and_caption() -> None:
    assert find_text_metadata(" date 2021-07-15 PA Images\n\nBody.\n")["published"].source == "text:dateline"
    closing = find_text_metadata("Summary\n\nBody text.\n\n12 October 2016\n")["published"]
    assert (closing.value, closing.source, closing.precision) == ("2016-10-12", "text:closing-date", "day")
    month = find_text_metadata("Body text.\n\nOctober 2016\n")["published"]
    assert (month.value, month.precision) == ("2016-10", "month")
    caption = "Body.\n\nThe National: Trump meets Putin in Hamburg. Picture: AP.\n"
    assert find_text_metadata(caption)["outlet"].value == "The National"
    assert find_text_metadata(caption, known={"outlet": parse_date("2016", source="x")}) == {}


# ---------------------------------------------------------------- the shared corpus


def _manifest_date(value: str) -> str | None:
    iso = re.match(r"\d{4}-\d{2}-\d{2}", value)
    if iso:
        return iso.group(0)
    found = parse_date(value, source="manifest")
    return found.value if found else None


@pytest.mark.corpus
def test_dev_corpus_metadata_matches_manifest() -> None:
    directory = shared("corpus", "dev")
    manifest = json.loads((directory / "MANIFEST.json").read_text(encoding="utf-8"))
    assert len(manifest) == 27
    checked = 0
    for entry in manifest:
        path = directory / entry["file"]
        document = only_document(path)
        assert document.text == path.read_text(encoding="utf-8")
        assert document.meta("title") == entry["title"], entry["file"]
        expected_outlet = split_outlet_author(entry["outlet"])[0]
        assert document.meta("outlet") == expected_outlet, entry["file"]
        assert entry["outlet"].startswith(document.meta("outlet"))
        published = document.metadata.get("published")
        expected_date = _manifest_date(entry["date"])
        assert (published.value if published else None) == expected_date, entry["file"]
        if published:
            assert published.source == "header"
        header = find_header(document.text)
        assert header is not None and document.zones[0].kind == "header"
        assert document.zones[0].end == header.end
        assert set(document.text[header.end - 5 : header.end]) == {"="}
        checked += 1
    assert checked == 27


@pytest.mark.corpus
def test_seeds_read_with_text_dates_and_outlets() -> None:
    directory = shared("corpus", "seeds")
    seeds = sorted(directory.glob("*.txt"))
    assert len(seeds) == 3
    documents = {path.name[:3]: only_document(path) for path in seeds}
    for path in seeds:
        assert documents[path.name[:3]].text == path.read_text(encoding="utf-8")
    dateline = documents["000"].metadata["published"]
    assert (dateline.value, dateline.source, dateline.precision) == ("2021-07-15", "text:dateline", "day")
    assert documents["001"].metadata["outlet"].value == "The National"
    assert documents["001"].metadata["outlet"].source == "text:caption-prefix"
    assert "published" not in documents["001"].metadata
    closing = documents["002"].metadata["published"]
    assert (closing.value, closing.source, closing.precision) == ("2016-10-12", "text:closing-date", "day")


def test_a_csv_listing_files_beside_it_is_a_manifest(tmp_path: Path) -> None:
    from claimgraph.ingest.readers import read_manifest

    (tmp_path / "a.txt").write_text("Some text.")
    listing = tmp_path / "files.csv"
    listing.write_text("filename,headline,publisher,published\na.txt,A headline,The Outlet,2016-10-12\nmissing.txt,B,C,2016\n")
    manifest = read_manifest(listing)
    assert manifest is not None and manifest.errors == []
    described = manifest.described
    assert list(described) == [(tmp_path / "a.txt").resolve()]
    metadata = described[(tmp_path / "a.txt").resolve()]
    assert (metadata["title"].value, metadata["outlet"].value, metadata["published"].value) == ("A headline", "The Outlet", "2016-10-12")
    dump = tmp_path / "dump.csv"
    dump.write_text("filename,text\na.txt,An article body.\n")
    assert read_manifest(dump) is None  # records with texts are articles
    assert read_manifest(tmp_path / "a.txt") is None


def test_text_metadata_byline() -> None:
    from claimgraph.ingest.textmeta import find_text_metadata

    found = find_text_metadata("Kremlin papers appear to show a plot\nBy Anna Harlow and Piet Brandt, Moscow\nThe papers ...")
    assert found["author"].value == "Anna Harlow, Piet Brandt" and found["author"].source == "text:byline"
    assert "author" not in find_text_metadata("By the way, nobody signed this.\nText.")
    assert "author" not in find_text_metadata("Title\nBy Anna Harlow\nText.", known={"author": found["author"]})
