"""The API's hygiene (bounded integers, known sources, Allow on 405, the upload's schema) and edits
that take effect: a grade reassesses, an upload is analysed and linked, freshness says when not."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from claimgraph.pipeline import ingest_paths
from claimgraph.ledger import link_store
from claimgraph.link import HashingEmbedder
from claimgraph.models import Analysis, Claim, Sentence
from claimgraph.store import open_store
from claimgraph.web.app import WebOptions, asgi_app
from claimgraph.web.stages import clean_name
from test_api import WRITE, client, ledger  # noqa: F401 - fixtures

HUGE = "99999999999999999999999"
# Two outlets re-reporting one newspaper: one cluster, one line, whose reliability is the paper's grade.
REPORT = "The minister approved the harbour plan in secret, the Daily Ledger reported."


def _claim(document_id: str, text: str) -> Analysis:
    start = text.index(REPORT)
    end = start + len(REPORT)
    claim = Claim(id=f"{document_id}:c000", sentence_index=0, start=start, end=end, sentence_start=start, sentence_end=end,
                  text=REPORT, content="The minister approved the harbour plan in secret", speaker="the Daily Ledger",
                  chain=["the Daily Ledger"], step="test.v1", model="hand")
    return Analysis(document_id=document_id, sentences=[Sentence(index=0, start=start, end=end, zone="body")],
                    claims=[claim], step="test.v1", model="hand")


def _write(folder: Path, name: str, outlet: str, date: str) -> None:
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(f"Title: {name}\nOutlet: {outlet}\nDate: {date}\n=====\n\n{REPORT}\n", encoding="utf-8")


@pytest.fixture
def linked(tmp_path: Path):
    store = open_store(str(tmp_path / "ledger.db"))
    _write(tmp_path / "in", "a.txt", "Coastal Times", "2024-03-01")
    _write(tmp_path / "in", "b.txt", "River Post", "2024-03-02")
    ingest_paths(store, [tmp_path / "in"])
    for document in store.documents():
        store.save_analysis(_claim(document.id, document.text), analysed_at="2026-01-01T00:00:00+00:00")
    link_store(store, embedder=HashingEmbedder())
    with TestClient(asgi_app(WebOptions(allowed_hosts=None), store=store, embedder=HashingEmbedder())) as test_client:
        yield store, test_client
    store.close()


def _reliability(client: TestClient) -> list[str]:
    return [a["reliability"] for a in client.get("/api/assessments").json()["items"]]


# ---------------------------------------------------------------------- hygiene


def test_every_integer_parameter_is_bounded_and_out_of_range_is_422(client) -> None:
    spec = client.get("/api/openapi.json").json()
    asked = 0
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                if parameter["schema"].get("type") != "integer":
                    continue
                assert "maximum" in parameter["schema"], (method, path, parameter["name"])
                url = path.replace("{" + parameter["name"] + "}", HUGE) if parameter["in"] == "path" else path
                for name in ("claim_id", "cluster_id", "ref", "entity_id"):
                    url = url.replace("{" + name + "}", "x")
                query = {} if parameter["in"] == "path" else {parameter["name"]: HUGE}
                query |= {"name": "x"} if path == "/api/source" else {"q": "x"} if path == "/api/search" else {}
                answer = client.request(method.upper(), url, params=query, headers=WRITE)
                assert answer.status_code == 422, (method, path, parameter["name"], answer.text)
                assert parameter["name"] in answer.json()["error"]["message"]
                asked += 1
    assert asked >= 20  # every listing's offset and limit, and the correction ids


def test_405_says_which_methods_are_allowed(client) -> None:
    for path, allowed in (("/api/documents", "GET, POST"), ("/api/claims", "GET"), ("/api/sources/grade", "POST"),
                          ("/api/ach/hypotheses/H-1", "DELETE")):
        answer = client.request("TRACE", path)  # no CSRF header: a method no route answers is not a write
        assert answer.status_code == 405 and answer.headers["allow"] == allowed, path
        assert allowed in answer.json()["error"]["message"]
    assert client.request("PUT", "/api/documents").status_code == 403  # a write method still needs the CSRF header
    assert client.request("PUT", "/api/documents", headers=WRITE).headers["allow"] == "GET, POST"


def test_the_upload_schema_says_a_file_is_needed_and_an_empty_request_is_a_clear_422(client) -> None:
    operation = client.get("/api/openapi.json").json()["paths"]["/api/documents"]["post"]
    assert set(operation["responses"]) >= {"200", "201", "422"}
    schema_name = operation["requestBody"]["content"]["multipart/form-data"]["schema"]["$ref"].rsplit("/", 1)[1]
    body = client.get("/api/openapi.json").json()["components"]["schemas"][schema_name]
    assert body["required"] == ["files"] and body["properties"]["files"]["minItems"] == 1
    empty = client.post("/api/documents", content=b"--x--\r\n", headers={**WRITE, "Content-Type": "multipart/form-data; boundary=x"})
    assert empty.status_code == 422 and "files" in empty.json()["error"]["message"]
    unbounded = client.post("/api/documents", content=b"", headers={**WRITE, "Content-Type": "multipart/form-data"})
    assert unbounded.status_code == 422 and "boundary" in unbounded.json()["error"]["message"]


def test_grades_only_for_sources_the_ledger_names_and_names_lose_control_characters(client) -> None:
    unknown = client.post("/api/sources/grade", json={"source": "A Paper Nobody Cites", "grade": "B"}, headers=WRITE)
    assert unknown.status_code == 404 and "no source" in unknown.json()["error"]["message"]
    assert client.get("/api/sources?q=nobody").json()["total"] == 0
    blank = client.post("/api/sources/grade", json={"source": "\x00\x1b\u200b", "grade": "B"}, headers=WRITE)
    assert blank.status_code == 422 and "source" in blank.json()["error"]["message"]
    made = client.post("/api/sources/grade", json={"source": "The\x00Guardian\u200b\x1b", "grade": "B", "author": "ann\x07"}, headers=WRITE)
    assert made.status_code == 201 and made.json()["source"] == "source:guardian" and made.json()["author"] == "ann"
    assert clean_name("a\tb\u202e c\x7f") == "a b c"


# ---------------------------------------------------------------------- edits that take effect


def test_a_grade_reassesses_the_clusters_and_its_undo_too(linked) -> None:
    _, client = linked
    assert _reliability(client) == ["F"]
    made = client.post("/api/sources/grade", json={"source": "the Daily Ledger\u2019s", "grade": "B"}, headers=WRITE)
    assert made.status_code == 201 and made.json()["reassessed"] is True
    assert _reliability(client) == ["B"]  # no `claimgraph link` in between
    undone = client.post(f"/api/corrections/{made.json()['id']}/undo", headers=WRITE)
    assert undone.json()["reassessed"] is True and _reliability(client) == ["F"]


def test_freshness_says_when_the_link_is_behind(linked, tmp_path: Path) -> None:
    store, client = linked
    fresh = client.get("/api/freshness").json()
    assert fresh == {"documents": 2, "analysed": 2, "linked": 2, "unanalysed": 0, "unlinked": 0, "ever_linked": True,
                     "link_stale": False, "stale": False}
    _write(tmp_path / "more", "c.txt", "Harbour Gazette", "2024-03-03")
    uploaded = client.post("/api/documents", files=[("files", ("c.txt", (tmp_path / "more" / "c.txt").read_bytes(), "text/plain"))],
                           headers=WRITE)
    assert uploaded.status_code == 201 and uploaded.json()["freshness"]["unanalysed"] == 1
    assert uploaded.json()["freshness"]["stale"] is True and uploaded.json()["linked"] is False
    new = uploaded.json()["outcomes"][0]["document_id"]
    store.save_analysis(_claim(new, store.get_document(new).text), analysed_at="2026-01-02T00:00:00+00:00")
    behind = client.get("/api/overview").json()["freshness"]
    assert behind["link_stale"] is True and behind["unlinked"] == 1 and behind["unanalysed"] == 0
    link_store(store, embedder=HashingEmbedder())
    assert client.get("/api/freshness").json()["link_stale"] is False


def test_an_upload_with_analyse_is_analysed_and_linked_through_the_library(linked) -> None:
    store, client = linked
    text = (f"Title: Harbour follow-up\nOutlet: Harbour Gazette\nDate: 2024-03-04\n=====\n\n"
            f"The harbour plan was approved in secret, the Daily Ledger reported on Monday. {REPORT}\n").encode()
    broken = b"\x00\x01\x02" * 50
    answer = client.post("/api/documents", data={"analyse": "true"}, headers=WRITE,
                         files=[("files", ("follow-up.txt", text, "text/plain")), ("files", ("broken.txt", broken, "text/plain"))])
    body = answer.json()
    assert answer.status_code == 201, answer.text
    assert [o["status"] for o in body["outcomes"]] == ["ingested", "failed"]  # a bad file does not stop the good one
    assert body["analysed_claims"] >= 1 and body["analysis_failed"] == [] and body["linked"] is True
    assert body["freshness"]["stale"] is False and body["freshness"]["linked"] == 3
    new = body["outcomes"][0]["document_id"]
    clusters = client.get("/api/clusters").json()["items"]
    assert any(new in c.get("documents", []) for c in clusters), clusters
