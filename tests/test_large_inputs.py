"""Hostile sizes and reverts (issue 17, items 7, 8, 9 and 12): limits checked before the work, so
reading and analysing stay linear, and a file back at an earlier content is current again."""

from __future__ import annotations

import time
from pathlib import Path

from claimgraph.ingest import ingest_paths
from claimgraph.ingest.readers import MAX_HTML_ATTRIBUTES, _check_attributes, read_path
from claimgraph.ledger import current_documents

ARTICLE = "The minister said on Tuesday that the talks had failed. {extra}\n"


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
