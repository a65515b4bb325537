"""A property-based run over the OpenAPI schema (schemathesis): 0 server errors, 0 schema violations.

Bounded to FUZZ_SECONDS here; bench/bench_api_fuzz.py runs it longer on an analysed corpus.
"""

from __future__ import annotations

import time

import pytest

pytest.importorskip("schemathesis")
from fastapi.testclient import TestClient  # noqa: E402

from api_fuzz import fuzz_api  # noqa: E402
from claimgraph.pipeline import ingest_paths  # noqa: E402
from claimgraph.ledger import link_store  # noqa: E402
from claimgraph.link import HashingEmbedder  # noqa: E402
from claimgraph.store import open_store  # noqa: E402
from claimgraph.web.app import WebOptions, asgi_app  # noqa: E402
from conftest import EXAMPLES  # noqa: E402
from test_api import hand_made_analysis, national_id  # noqa: E402

FUZZ_SECONDS = 25  # the whole test stays under 60 s on a loaded machine (52 s seen with 30)


def test_the_api_answers_random_requests_as_its_schema_says(tmp_path) -> None:
    store = open_store(str(tmp_path / "ledger.db"))
    ingest_paths(store, [EXAMPLES])
    document = store.get_document(national_id(store))
    store.save_analysis(hand_made_analysis(document.id, document.text), analysed_at="2026-01-01T00:00:00+00:00")
    link_store(store, embedder=HashingEmbedder())  # clusters, lines, assessments for the read routes to serve
    app = asgi_app(WebOptions(allowed_hosts=None), store=store, embedder=HashingEmbedder())
    began = time.monotonic()
    report = fuzz_api(app, seconds=FUZZ_SECONDS)
    assert time.monotonic() - began < FUZZ_SECONDS + 20, report.summary()
    assert report.requests > 200 and report.operations >= 30, report.summary()
    assert {200, 201, 404, 422} <= set(report.statuses), report.summary()  # reads, writes, misses and refusals were all met
    assert report.server_errors == 0 and report.violations == 0, (report.summary(), report.failures[:10])
    with TestClient(app) as client:  # the fuzzed ledger still serves its pages
        assert client.get("/").status_code == 200
    store.close()
