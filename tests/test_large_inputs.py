"""Hostile sizes and reverts (issue 17, items 7, 8, 9 and 12): limits checked before the work, so
reading and analysing stay linear, and a file back at an earlier content is current again."""

from __future__ import annotations

from pathlib import Path

from claimgraph.ingest import ingest_paths
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
