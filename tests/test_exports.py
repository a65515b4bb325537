"""Every export read back by its format's own library: FollowTheMoney's model, networkx, a JSON-LD
parser (rdflib) and the csv module; the JSON export byte for byte as before."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import networkx as nx
import pytest
import rdflib
from click.testing import CliRunner
from followthemoney import model

from claimgraph.cli import main
from claimgraph.export import export_ledger
from claimgraph.exports import claim_reviews, read_view, write_export
from claimgraph.exports.graphml import Graph, graphml
from claimgraph.exports.tables import CLAIM_COLUMNS, CLUSTER_COLUMNS, LINE_COLUMNS
from claimgraph.store import open_store
from seeds_ledger import linked_seeds


@pytest.fixture(scope="module")
def seeds() -> str:
    return linked_seeds()


def invoke(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_json_export_is_byte_identical_to_the_ledger_dump(seeds: str, tmp_path: Path) -> None:
    store = open_store(seeds)
    expected = json.dumps(export_ledger(store), ensure_ascii=False, indent=1) + "\n"  # what `export` always wrote
    store.close()
    assert invoke("--db", seeds, "export", "--format", "json", str(tmp_path / "a.json")).exit_code == 0
    assert invoke("--db", seeds, "export", "-o", str(tmp_path / "b.json")).exit_code == 0
    stdout = invoke("--db", seeds, "export").stdout
    assert (tmp_path / "a.json").read_text("utf-8") == expected == (tmp_path / "b.json").read_text("utf-8") == stdout


def test_ftm_entities_validate_against_the_followthemoney_model(seeds: str, tmp_path: Path) -> None:
    assert invoke("--db", seeds, "export", "--format", "ftm", str(tmp_path / "ledger.ftm.json")).exit_code == 0
    entities = [json.loads(line) for line in (tmp_path / "ledger.ftm.json").read_text("utf-8").splitlines()]
    ids = {e["id"] for e in entities}
    assert len(ids) == len(entities)
    proxies = []
    for entity in entities:
        proxy = model.get_proxy(entity, cleaned=False)  # raises on an unknown schema or property
        cleaned = model.get_proxy(entity)  # FtM's own cleaning keeps every value: nothing was malformed
        assert {p: sorted(v) for p, v in cleaned.to_dict()["properties"].items()} == \
               {p: sorted(v) for p, v in entity["properties"].items()}, entity["id"]
        for prop in proxy.schema.required:
            assert proxy.get(prop), f"{entity['id']} lacks required {prop}"
        for prop, values in entity["properties"].items():
            if proxy.schema.get(prop).type.name == "entity":
                assert set(values) <= ids, f"{entity['id']}.{prop} points outside the export"
        proxies.append(proxy)
    store = open_store(seeds)
    ledger = export_ledger(store)
    store.close()
    documents = [p for p in proxies if p.schema.is_a("Document")]
    assert len(documents) == len(ledger["documents"])
    parties = {p.id: p for p in proxies if p.schema.name in ("Person", "Organization")}
    mentioned_in = {}
    for mention in (p for p in proxies if p.schema.name == "Mention"):
        for party in mention.get("resolved"):
            mentioned_in.setdefault(party, set()).update(mention.get("document"))
    # the entities resolved across documents are one party named in several documents
    assert any(len(docs) >= 2 and parties[party].schema.name == "Person" for party, docs in mentioned_in.items())
    notes = [p for p in proxies if p.schema.name == "Note"]
    assert len(notes) == len([c for c in ledger["claims"] if not c["wrong"]]) + len(ledger["assessments"])
    # a denial by a person the ledger resolved is a Documentation of that person, role "denial"
    denials = [p for p in proxies if p.schema.name == "Documentation" and "denial" in p.get("role")]
    assert denials and all(parties[e].schema.name in ("Person", "Organization") for d in denials for e in d.get("entity"))


def test_graphml_opens_in_networkx(seeds: str, tmp_path: Path) -> None:
    assert invoke("--db", seeds, "export", "--format", "graphml", str(tmp_path / "graphs")).exit_code == 0
    provenance = nx.read_graphml(tmp_path / "graphs" / "provenance.graphml")
    entities = nx.read_graphml(tmp_path / "graphs" / "entities.graphml")
    store = open_store(seeds)
    ledger = export_ledger(store)
    store.close()
    assert provenance.is_directed() and not entities.is_directed()
    kinds = nx.get_node_attributes(provenance, "kind")
    assert {d["id"] for d in ledger["documents"]} <= {n for n, k in kinds.items() if k == "document"}
    for line in ledger["lines"]:
        assert kinds[line["id"]] == "line" and provenance.has_edge(line["id"], line["root"])
        assert provenance.edges[line["id"], line["root"]]["relation"] == "origin"
    for edge in ledger["provenance"]:
        assert provenance.edges[edge["child"], edge["parent"]]["relation"] == edge["relation"]
    # names, never hashes: every node has a label in words
    assert all(not label.startswith(("source:", "L-")) for label in nx.get_node_attributes(provenance, "label").values())
    assert entities.number_of_nodes() == len(ledger["canonical_entities"])
    assert all(w > 0 for w in nx.get_edge_attributes(entities, "weight").values()) and entities.number_of_edges() > 0


def test_graphml_survives_characters_xml_cannot_hold(tmp_path: Path) -> None:
    graph = Graph(directed=True)
    graph.node("a<&>\"", label="bell\x07 and <b>bold</b>", kind="source")
    graph.node("b", label="plain", kind="document", published="2021")
    graph.edge("a<&>\"", "b", relation="re_reports", weight=2.0)
    (tmp_path / "g.graphml").write_bytes(graphml(graph, "g"))
    read = nx.read_graphml(tmp_path / "g.graphml")
    assert read.nodes["a<&>\""]["label"] == "bell  and <b>bold</b>" and read.edges["a<&>\"", "b"]["weight"] == 2.0


def test_claimreview_is_schema_org_json_ld(seeds: str, tmp_path: Path) -> None:
    assert invoke("--db", seeds, "export", "--format", "claimreview", str(tmp_path / "reviews.jsonld")).exit_code == 0
    reviews = json.loads((tmp_path / "reviews.jsonld").read_text("utf-8"))
    store = open_store(seeds)
    assessments = {a["cluster"]: a for a in export_ledger(store)["assessments"]}
    assert reviews == claim_reviews(read_view(store))
    store.close()
    assert len(reviews) == len(assessments)
    for review in reviews:
        assert review["@context"] == "https://schema.org" and review["@type"] == "ClaimReview"
        assert isinstance(review["claimReviewed"], str) and review["claimReviewed"].strip()
        rating = review["reviewRating"]
        assessment = assessments[review["@id"].rsplit(":", 1)[-1]]
        assert rating["@type"] == "Rating" and rating["ratingValue"] == assessment["credibility"]
        assert rating["bestRating"] == 1 and rating["worstRating"] == 6 and assessment["label"] in rating["alternateName"]
        item = review["itemReviewed"]
        assert item["@type"] == "Claim" and item["appearance"]
        assert all(a["@type"] in ("NewsArticle", "CreativeWork") and a["headline"] for a in item["appearance"])
        assert review["author"]["@type"] == "Organization" and review["author"]["name"]
    # a JSON-LD processor reads them as schema.org ClaimReviews (the remote context replaced by its vocabulary)
    local = [{**r, "@context": {"@vocab": "https://schema.org/"}} for r in reviews]
    graph = rdflib.Graph().parse(data=json.dumps(local), format="json-ld")
    schema = rdflib.Namespace("https://schema.org/")
    typed = set(graph.subjects(rdflib.RDF.type, schema.ClaimReview))
    assert len(typed) == len(reviews)
    assert all(graph.value(r, schema.reviewRating) is not None and graph.value(r, schema.itemReviewed) is not None for r in typed)


def test_csv_tables_read_back_with_their_documented_columns(seeds: str, tmp_path: Path) -> None:
    assert invoke("--db", seeds, "export", "--format", "csv", str(tmp_path / "tables")).exit_code == 0
    store = open_store(seeds)
    ledger = export_ledger(store)
    store.close()
    expected = {"claims.csv": (CLAIM_COLUMNS, len(ledger["claims"])), "clusters.csv": (CLUSTER_COLUMNS, len(ledger["clusters"])),
                "lines.csv": (LINE_COLUMNS, len(ledger["lines"]))}
    for name, (columns, count) in expected.items():
        with (tmp_path / "tables" / name).open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            rows = list(reader)
        assert tuple(reader.fieldnames or ()) == columns and len(rows) == count
    claims = {c["id"]: c for c in ledger["claims"]}
    with (tmp_path / "tables" / "claims.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            claim = claims[row["claim_id"]]
            assert (row["text"], int(row["start"]), int(row["end"])) == (claim["text"], claim["start"], claim["end"])
    assessed = {a["cluster"]: a for a in ledger["assessments"]}
    with (tmp_path / "tables" / "clusters.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            a = assessed[row["cluster_id"]]
            assert row["grade"] == f"{a['reliability']}{a['credibility']}" and int(row["supporting_lines"]) == len(a["supporting_lines"])


def test_export_refuses_what_it_cannot_write(seeds: str, tmp_path: Path) -> None:
    missing = CliRunner().invoke(main, ["--db", seeds, "export", "--format", "csv"])
    assert missing.exit_code == 2 and "give OUT" in missing.output
    (tmp_path / "taken").write_text("x")
    store = open_store(seeds)
    try:
        with pytest.raises(Exception, match="give a folder"):
            write_export(store, "graphml", tmp_path / "taken")
    finally:
        store.close()
