"""Entity corrections through the HTTP API: list, merge, rename, split, undo; CSRF and errors."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from claimgraph.pipeline.entity_step import resolve_store_entities
from claimgraph.pipeline import ingest_paths
from claimgraph.link import HashingEmbedder
from claimgraph.models import Analysis, Entity
from claimgraph.store import open_store
from claimgraph.web.app import WebOptions, asgi_app
from conftest import EXAMPLES

WRITE = {"X-Claimgraph-CSRF": "1", "X-Claimgraph-User": "tester"}


@pytest.fixture
def client(store_url: str):
    store = open_store(store_url)
    ingest_paths(store, [EXAMPLES])
    entities = {
        "000_": [Entity(key="E1", name="Vladimir Putin", type="PER"), Entity(key="E2", name="The Kremlin", type="ORG")],
        "002_": [Entity(key="E1", name="Vladimir Putin", type="PER", aliases=["PUTIN"]), Entity(key="E2", name="FSB", type="ORG")],
    }
    for document in store.documents(with_text=False):
        for prefix, found in entities.items():
            if prefix in document.origin:
                store.save_analysis(Analysis(document_id=document.id, entities=found, step="t.v1", model="hand"), analysed_at="now")
    resolve_store_entities(store)
    with TestClient(asgi_app(WebOptions(allowed_hosts=None), store=store, embedder=HashingEmbedder())) as test_client:
        yield test_client
    store.close()


def names(client: TestClient) -> dict[str, dict]:
    return {e["name"]: e for e in client.get("/api/canonical-entities").json()["items"]}


def test_merge_rename_split_undo(client: TestClient) -> None:
    before = names(client)
    assert len(before["Vladimir Putin"]["members"]) == 2  # resolved across the two documents
    merged = client.post("/api/canonical-entities/merge", json={"a": "The Kremlin", "b": "FSB"}, headers=WRITE)
    assert merged.status_code == 201, merged.text
    assert merged.json()["correction"]["author"] == "tester"
    after = names(client)
    assert "FSB" not in after or "The Kremlin" not in after
    kremlin = next(e for e in after.values() if len(e["members"]) == 2 and e["type"] == "ORG")

    renamed = client.post("/api/canonical-entities/rename", json={"entity": kremlin["id"], "name": "Russian\x00 state\u200b organs\x1b"},
                          headers=WRITE)
    assert renamed.status_code == 201
    assert "Russian state organs" in names(client)  # control and format characters dropped
    blank = client.post("/api/canonical-entities/rename", json={"entity": kremlin["id"], "name": "\x07\u200b "}, headers=WRITE)
    assert blank.status_code == 422 and "name" in blank.json()["error"]["message"]

    member = kremlin["members"][0]
    split = client.post("/api/canonical-entities/split", headers=WRITE,
                        json={"entity": kremlin["id"], "document": member["document_id"], "key": member["key"]})
    assert split.status_code == 201
    assert all(len(e["members"]) == 1 for e in names(client).values() if e["type"] == "ORG")

    undone = client.post(f"/api/canonical-entities/corrections/{split.json()['correction']['id']}/undo", json={}, headers=WRITE)
    assert undone.status_code == 200 and undone.json()["correction"]["active"] is False
    assert any(len(e["members"]) == 2 for e in names(client).values() if e["type"] == "ORG")


def test_errors_and_csrf(client: TestClient) -> None:
    refused = client.post("/api/canonical-entities/merge", json={"a": "The Kremlin", "b": "FSB"})
    assert refused.status_code == 403
    missing = client.post("/api/canonical-entities/rename", json={"entity": "Nobody at all", "name": "x"}, headers=WRITE)
    assert missing.status_code == 404 and missing.json()["error"]["message"]
    same = client.post("/api/canonical-entities/merge", json={"a": "Vladimir Putin", "b": "Vladimir Putin"}, headers=WRITE)
    assert same.status_code == 422
