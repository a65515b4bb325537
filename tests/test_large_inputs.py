"""Hostile sizes and reverts (issue 17, items 7, 8, 9 and 12): limits checked before the work, so
reading and analysing stay linear, and a file back at an earlier content is current again."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from claimgraph.analyse import analyse_document, load_nlp
from claimgraph.analyse.claims import MAX_SPLIT_TOKENS, split_units
from claimgraph.analyse.pipeline import text_chunks
from claimgraph.pipeline import ingest_paths
from claimgraph.ingest.readers import MAX_HTML_ATTRIBUTES, _check_attributes, read_path
from claimgraph.ledger import analyse_store, current_documents
from claimgraph.models import Document

ARTICLE = "The minister said on Tuesday that the talks had failed. {extra}\n"


@pytest.fixture(scope="module")
def nlp():  # type: ignore[no-untyped-def]
    return load_nlp()


def _document(text: str) -> Document:
    return Document(id="dtest", content_hash="x", origin="x.txt", version=1, supersedes=None,
                    media_type="text/plain", text=text)


def _current_ids(store) -> set[str]:  # type: ignore[no-untyped-def]
    documents = store.documents(with_text=False)
    superseded = {d.supersedes for d in documents if d.supersedes}
    return {d.id for d in documents if d.id not in superseded}


def test_a_file_back_at_an_earlier_content_is_current_again(store, tmp_path: Path) -> None:
    a = tmp_path / "a.txt"
    other = tmp_path / "b.txt"
    other.write_text(ARTICLE.format(extra="Another file stays as it is."), encoding="utf-8")
    a.write_text(ARTICLE.format(extra=""), encoding="utf-8")
    ingest_paths(store, [tmp_path])
    first = store.get_document("a.txt").id
    a.write_text(ARTICLE.format(extra="The opposition denied it."), encoding="utf-8")
    assert ingest_paths(store, [tmp_path]).counts["new_version"] == 1
    edited = store.get_document("a.txt").id

    a.write_text(ARTICLE.format(extra=""), encoding="utf-8")  # reverted
    back = ingest_paths(store, [tmp_path])
    assert back.counts["new_version"] == 1 and back.counts["duplicate"] == 0 and back.counts["unchanged"] == 1
    assert store.count_documents() == 3  # nothing stored twice, nothing lost
    assert store.get_document("a.txt").id == first
    current = _current_ids(store)
    assert first in current and edited not in current and len(current) == 2
    # The history shows both changes: the edit and the return.
    versions = {d.id: d for d in store.documents(with_text=False)}
    assert versions[first].supersedes == edited and versions[edited].supersedes is None
    assert store.newest_for_origin(str(a)) == (first, 3)
    assert ingest_paths(store, [tmp_path]).counts["unchanged"] == 2  # a rerun changes nothing

    a.write_text(ARTICLE.format(extra="The opposition denied it."), encoding="utf-8")  # and forth again
    assert ingest_paths(store, [a]).counts["new_version"] == 1
    assert store.get_document("a.txt").id == edited
    assert _current_ids(store) == current - {first} | {edited}
    assert store.newest_for_origin(str(a)) == (edited, 4)
    assert current_documents(store) == {}  # nothing analysed yet; the helper still agrees with no cycle


def _page(attributes: str) -> str:
    return (f"<html><body><div {attributes}>The minister said on Tuesday that the talks had failed.</div>"
            "<p>The opposition denied it on Wednesday in a statement.</p></body></html>")


def test_a_tag_with_too_many_attributes_is_refused_before_parsing(tmp_path: Path) -> None:
    # 20,000 attributes took 5 s in lxml (quadratic: 100,000 took 527 s); the limit is checked first.
    many = " ".join(f'a{i}="x>y"' for i in range(20_000))  # a quoted ">" does not end the tag
    (tmp_path / "many.html").write_text(_page(many), encoding="utf-8")
    (tmp_path / "fine.html").write_text(_page(" ".join(f"a{i}=x" for i in range(MAX_HTML_ATTRIBUTES))), encoding="utf-8")
    started = time.perf_counter()
    bad = read_path(tmp_path / "many.html")
    assert time.perf_counter() - started < 1.0
    assert [e.reason for e in bad.errors] == [
        "a <div> tag with 20,000 attributes, over the 1,000-attribute limit; refused"]
    assert not bad.documents
    fine = read_path(tmp_path / "fine.html")
    assert not fine.errors and "talks had failed" in fine.documents[0].text


def test_the_attribute_scan_is_linear_on_large_ordinary_pages() -> None:
    page = "<html><body>" + "<p class=\"x\" id='y'>The minister said the talks had failed.</p>\n" * 100_000 + "</body></html>"
    started = time.perf_counter()
    _check_attributes("big.html", page)
    assert time.perf_counter() - started < 2.0


def test_a_run_on_sentence_is_one_claim_unit_in_linear_time(nlp) -> None:
    # 4,000 tokens of "said" took 5.7 s in split_units alone (quadratic: 100,000 characters, 258 s).
    text = "The minister " + " ".join(["said"] * 4_000) + ".\n"
    started = time.perf_counter()
    analysis = analyse_document(_document(text), nlp=nlp)
    assert time.perf_counter() - started < 4.0
    assert len(analysis.claims) == 1  # over MAX_SPLIT_TOKENS: not split, the whole sentence


def test_split_units_is_unchanged_below_the_cap(nlp) -> None:
    doc = nlp("The minister, who spoke on Tuesday, said the talks had failed and the opposition denied it, "
              "while officials, asked about it, declined to comment.")
    sentence = next(iter(doc.sents))
    units = split_units(sentence, {"say", "deny"})
    assert len(sentence) < MAX_SPLIT_TOKENS and len(units) > 1
    assert sorted(i for u in units for i in u.tokens) == [t.i for t in sentence]


def test_a_long_document_is_parsed_in_chunks_with_exact_offsets(nlp, monkeypatch) -> None:
    # Over nlp.max_length spaCy refused the whole document (E088); now it is parsed in chunks.
    paragraph = ("The minister said on Tuesday that the talks had failed. The opposition denied it, "
                 "and officials said a new round would start in May.\n\n")
    text = paragraph * 60  # about 9,000 characters
    monkeypatch.setattr(nlp, "max_length", 2_000)
    chunks = text_chunks(text, 1_999)
    assert "".join(chunks) == text and all(len(c) <= 1_999 and c.endswith("\n\n") for c in chunks)
    analysis = analyse_document(_document(text), nlp=nlp)
    assert len(analysis.claims) >= 120
    assert all(text[c.start:c.end] == c.text for c in analysis.claims)
    assert all(text[s.start:s.end] for s in analysis.sentences)
    whole = analyse_document(_document(paragraph), nlp=nlp)
    assert [c.text for c in analysis.claims[:len(whole.claims)]] == [c.text for c in whole.claims]


def test_a_paragraph_longer_than_the_limit_is_cut_at_a_sentence_or_a_space() -> None:
    text = "Word " * 1_000 + "x" * 500
    chunks = text_chunks(text, 300)
    assert "".join(chunks) == text and all(len(c) <= 300 for c in chunks)
    assert all(c.endswith(" ") for c in chunks[:-3])


def test_an_analysis_failure_names_the_file(store, nlp, tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "a.txt").write_text(ARTICLE.format(extra=""), encoding="utf-8")
    ingest_paths(store, [tmp_path])

    def broken(document, *, nlp):  # type: ignore[no-untyped-def]
        raise ValueError("no parse\nsecond line")

    monkeypatch.setattr("claimgraph.analyse.analyse_document", broken)
    report = analyse_store(store, nlp=nlp)
    [(label, reason)] = report.failed
    document_id = store.get_document("a.txt").id
    assert label == f"{tmp_path / 'a.txt'} (document {document_id})"
    assert reason == "could not be analysed (ValueError: no parse)"
