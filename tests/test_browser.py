"""The web UI in a real browser: Debian's Chromium driven by Playwright, server on a loopback port.

Screenshots of every page go to test-artifacts/ (gitignored) for a person to look at.
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("playwright.sync_api")
import uvicorn  # noqa: E402
from playwright.sync_api import Browser, Page, expect, sync_playwright  # noqa: E402
from sqlalchemy import insert  # noqa: E402

from claimgraph.pipeline import ingest_paths  # noqa: E402
from claimgraph.ledger import analyse_store, link_store  # noqa: E402
from claimgraph.link import HashingEmbedder  # noqa: E402
from claimgraph.store import corrections as cx  # noqa: E402
from claimgraph.store import open_store  # noqa: E402
from claimgraph.store import schema as t  # noqa: E402
from claimgraph.web.app import WebOptions, asgi_app  # noqa: E402
from conftest import EXAMPLES  # noqa: E402
from test_api import XSS  # noqa: E402

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium (apt-get install chromium)")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _serve(store: object) -> Iterator[str]:
    port = free_port()
    app = asgi_app(WebOptions(), store=store, embedder=HashingEmbedder())  # type: ignore[arg-type]
    web = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=web.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not web.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert web.started, "the web server did not start"
    yield f"http://127.0.0.1:{port}"
    web.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The seeds, analysed and linked, plus one hand-made cluster and line so the click-through has a known path."""
    store = open_store(str(tmp_path_factory.mktemp("web") / "ledger.db"))
    ingest_paths(store, [EXAMPLES])
    analyse_store(store)
    link_store(store, embedder=HashingEmbedder())
    claims = store.claims()
    first, other = claims[0], next(c for c in claims if c[0] != claims[0][0])
    with store.transaction() as connection:
        connection.execute(insert(t.clusters).values(id="k-putin", anchor=first[1].content[:80], anchor_claim=first[1].id,
                                                     data_json=json.dumps({"documents": [first[0], other[0]]})))
        connection.execute(insert(t.cluster_members), [
            {"cluster_id": "k-putin", "claim_id": first[1].id, "relation": "same"},
            {"cluster_id": "k-putin", "claim_id": other[1].id, "relation": "same"}])
        connection.execute(insert(t.lines).values(id="L-guardian", root="The Guardian", data_json=json.dumps({"claims": 2})))
        connection.execute(t.claim_lines.delete().where(t.claim_lines.c.claim_id == first[1].id))
        connection.execute(insert(t.claim_lines).values(claim_id=first[1].id, document_id=first[0], line_id="L-guardian",
                                                        source="The Guardian"))
        connection.execute(insert(t.assessments).values(cluster_id="k-putin", credibility=3, data_json=json.dumps(
            {"cluster": "k-putin", "credibility": 3, "label": "F3", "reliability": "F",
             "reasons": ["1 independent line supports it", "hedged by every report"], "supporting_lines": ["L-guardian"]})))
    yield from _serve(store)
    store.close()


@pytest.fixture(scope="module")
def seeds_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    return str(tmp_path_factory.mktemp("seeds") / "ledger.db")


@pytest.fixture(scope="module")
def seeds_server(seeds_db: str) -> Iterator[str]:
    """The seeds as `claimgraph run` makes them: spaCy, the MiniLM and the judge; nothing hand-made."""
    store = open_store(seeds_db)
    ingest_paths(store, [EXAMPLES])
    analyse_store(store)
    link_store(store)
    yield from _serve(store)
    store.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.on("dialog", lambda dialog: errors.append(f"dialog: {dialog.message}") or dialog.dismiss())
    tab.errors = errors  # type: ignore[attr-defined]
    yield tab
    context.close()
    assert not errors, errors


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=False)


def test_every_page_opens(server: str, page: Page) -> None:
    for path, name, heading in [
        ("/", "story", "The story"), ("/overview", "overview", "Overview"), ("/documents", "documents", "Documents"), ("/claims", "claims", "Claims"),
        ("/entities", "entities", "Entities"), ("/clusters", "clusters", "Claim clusters"),
        ("/sources", "sources", "Sources and provenance"), ("/timeline", "timeline", "Timeline"),
        ("/ach", "ach", "Analysis of Competing Hypotheses"), ("/lines", "lines", "Independent lines of sourcing"),
        ("/search?q=Guardian", "search", "Search"), ("/upload", "upload", "Upload documents"),
    ]:
        response = page.goto(server + path)
        assert response is not None and response.ok, path
        expect(page.locator("h1")).to_have_text(heading)
        shot(page, name)


def test_document_claim_cluster_line(server: str, page: Page) -> None:
    page.goto(server + "/documents")
    page.locator("table.list a").first.click()
    expect(page.locator("article.doctext")).to_be_visible()
    first_claim = page.locator("a.claim[data-claim]").first
    first_claim.click()
    detail = page.locator("section.claim-detail.shown")
    expect(detail).to_be_visible()
    expect(detail.locator("dd.chain")).to_be_visible()
    shot(page, "document")
    # keyboard: j moves to the next claim; Enter on a focused claim opens it
    page.locator("body").press("j")
    expect(page.locator("section.claim-detail.shown")).to_have_count(1)
    second = page.locator("a.claim[id^='at-']").nth(2)
    second.focus()
    page.keyboard.press("Enter")
    expect(page.locator("section.claim-detail.shown")).to_have_attribute("id", "claim-" + (second.get_attribute("data-claim") or ""))
    # a cluster (hand-made in the fixture) → one of its claims → back to its cluster → its line
    page.goto(server + "/clusters/k-putin")
    shot(page, "cluster")
    page.locator("table.list tbody tr td:first-child a").first.click()
    expect(page.locator(".claim-page blockquote")).to_be_visible()
    shot(page, "claim")
    page.locator("dt:text-is('Cluster') + dd a").first.click()
    assert page.url.endswith("/clusters/k-putin")
    page.locator("a[href^='/lines#line-']").first.click()
    expect(page.locator("#line-L-guardian")).to_be_visible()


def test_source_graph_click_and_grade(server: str, page: Page) -> None:
    page.goto(server + "/sources")
    node = page.locator("a.node[data-name='source:guardian']")
    node.click()
    expect(page.locator("#nodepanel h3")).to_have_text("The Guardian")
    expect(page.locator("#nodepanel")).to_contain_text("Reliability F")
    assert page.url.endswith("/sources")  # the panel opened in place
    page.get_by_role("button", name="Zoom in").click()
    shot(page, "sources-clicked")
    page.goto(server + "/source?name=The%20Guardian")
    page.select_option("#grade", "B")
    page.get_by_role("button", name="Set grade").click()
    expect(page.locator("p.meta .grade")).to_have_text("B")
    shot(page, "source")
    page.get_by_role("button", name="Undo").first.click()
    expect(page.locator("p.meta .grade")).to_have_text("F")


def test_upload_and_correct(server: str, page: Page, tmp_path: Path) -> None:
    story = tmp_path / "story.txt"
    story.write_text("Title: A leak\nOutlet: Test Times\n=====\n\nThe minister said the talks had reportedly failed.\n")
    page.goto(server + "/upload")
    page.set_input_files("#files", str(story))
    page.get_by_role("button", name="Upload").click()
    expect(page.locator("tr.status-ingested")).to_have_count(1)
    shot(page, "upload-result")
    page.locator("tr.status-ingested a").click()
    expect(page.locator("h1")).to_have_text("A leak")
    claim = page.locator("a.claim[data-claim]").first
    claim.click()
    detail = page.locator("section.claim-detail.shown")
    detail.locator("summary").click()
    detail.get_by_role("button", name="Mark as wrong").click()
    expect(page.locator("a.claim.is-wrong").first).to_be_visible()
    shot(page, "corrected")


def test_hostile_document_runs_nothing(server: str, page: Page, tmp_path: Path) -> None:
    hostile = tmp_path / "hostile.txt"
    hostile.write_text(XSS)
    page.goto(server + "/upload")
    page.set_input_files("#files", str(hostile))
    page.get_by_role("button", name="Upload").click()
    page.locator("tr.status-ingested a").click()
    expect(page.locator("article.doctext")).to_contain_text("<script>document.title='pwned'</script>")
    shot(page, "xss-document")
    assert page.evaluate("window.__xss") is None and page.title() != "pwned"
    page.locator("a.claim[data-claim]").first.click()
    for path in ("/documents", "/", "/search?q=minister", "/sources", "/timeline"):
        page.goto(server + path)
    assert page.evaluate("window.__xss") is None
    assert page.title() != "pwned"
    page.goto(server + "/documents")
    assert page.evaluate("window.__xss") is None


def test_ach_matrix_add_rate_remove(server: str, page: Page) -> None:
    page.goto(server + "/ach")
    expect(page.locator("h1")).to_have_text("Analysis of Competing Hypotheses")
    for text in ("Russia plotted to put Trump in the White House", "The leaked documents are a forgery"):
        page.fill("#hyp-text", text)
        page.fill("#ach-author", "ann")
        page.get_by_role("button", name="Add hypothesis").click()
        expect(page.locator("th.hyp .htext", has_text=text)).to_have_count(1)
    matrix = page.locator("#ach-matrix")
    expect(matrix.locator("th.hyp")).to_have_count(2)
    rows = matrix.locator("tbody tr")
    assert rows.count() >= 2
    expect(matrix.locator("td.cell.o-judge").first).to_be_visible()
    assert matrix.locator("td.cell.o-analyst").count() == 0
    assert (matrix.locator("td.cell.o-judge").first.get_attribute("title") or "").startswith("Pre-filled by the judge: ")
    assert not matrix.locator(".cellform .set").first.is_visible()  # with JS the change saves itself
    shot(page, "ach-matrix")

    # keyboard: focus the first cell of the first hypothesis column, pick II, the score updates in place
    first_hyp = matrix.locator("th.hyp").first.get_attribute("data-h")
    score = matrix.locator(f"td[data-score='weighted_inconsistency'][data-h='{first_hyp}']")
    before = float(score.inner_text())
    select = matrix.locator(f"select[data-h='{first_hyp}']").first
    cluster = select.get_attribute("data-cluster")
    select.focus()
    select.select_option("II")
    expect(page.locator("#ach-status")).to_contain_text("Saved II")
    cell = matrix.locator(f"select[data-h='{first_hyp}'][data-cluster='{cluster}']").locator("xpath=ancestor::td")
    expect(cell).to_have_class("cell s-II o-analyst")
    expect(score).not_to_have_text(str(before))
    assert float(score.inner_text()) > before
    shot(page, "ach-rated")

    # the rating is stored: after a reload the cell is the analyst's
    page.reload()
    expect(matrix.locator(f"select[data-h='{first_hyp}'][data-cluster='{cluster}']")).to_have_value("II")
    expect(matrix.locator("td.cell.o-analyst")).to_have_count(1)
    # keyboard only: Tab reaches a cell's select, an arrow key picks the neighbouring rating, which saves
    second = matrix.locator("tbody tr").nth(1).locator(f"select[data-h='{first_hyp}']")
    second.focus()
    start = second.input_value()
    page.keyboard.press("ArrowUp" if start not in ("CC", "") else "ArrowDown")
    expect(page.locator("#ach-status")).to_contain_text("Saved")
    expect(matrix.locator("td.cell.o-analyst")).to_have_count(2)
    page.evaluate("window.scrollTo(0, 0)")
    shot(page, "ach-reloaded")

    # remove a hypothesis (two steps, no dialog)
    header = matrix.locator(f"th.hyp[data-h='{first_hyp}']")
    header.locator("summary").click()
    header.get_by_role("button", name=f"Remove hypothesis {first_hyp} and its ratings").click()
    expect(matrix.locator("th.hyp")).to_have_count(1)
    expect(matrix.locator("td.cell.o-analyst")).to_have_count(0)


def test_story_answers_the_four_questions(seeds_server: str, page: Page) -> None:
    """What is alleged, by how many independent lines, who denies it, how credible: on the home page."""
    page.goto(seeds_server + "/")
    expect(page.locator("h1")).to_have_text("The story")
    first = page.locator("article.allegation").first
    lines = first.locator(".support li.line-name")
    expect(lines).to_have_count(2)
    names = lines.all_inner_texts()
    assert any("Guardian" in name for name in names), names  # the Guardian's line, by name
    assert any("Company Intelligence Report" in name for name in names), names  # the Steele memo's line
    assert not any(re.search(r"\b(?:L-|source:)|[0-9a-f]{12}", name) for name in names), names  # names, never keys
    denials = first.locator("li.denial", has_text="Peskov")
    assert denials.count() >= 1
    dates = [denials.nth(i).locator(".when").inner_text() for i in range(denials.count())]
    assert any(re.fullmatch(r"\d{4}-\d{2}-\d{2}", d) for d in dates), dates
    expect(first.locator(".grade-code")).to_have_text(re.compile(r"^[A-F][1-6]$"))
    expect(first.locator(".grade-words")).to_have_text(re.compile(r"\w+"))
    shot(page, "story")
    # every allegation on the page is a statement, not a fragment or a denial heading its own block
    for heading in page.locator("article.allegation h3").all_inner_texts():
        assert len(heading.split()) >= 4, heading
    # the denial's quote opens the document reader at its span
    denials.first.locator("a.quote").click()
    expect(page.locator("section.claim-detail:target")).to_be_visible()
    # the same block heads the cluster page; the raw links wait behind "show the evidence"
    page.goto(seeds_server + "/")
    first.locator("h3 a").click()
    expect(page.locator("article.allegation .support li.line-name")).to_have_count(2)
    table = page.locator("details.evidence table")
    expect(table).to_be_hidden()
    page.locator("details.evidence summary").click()
    expect(table).to_be_visible()
    shot(page, "story-cluster")


def test_a_page_on_stale_analysis_says_so(seeds_server: str, seeds_db: str, page: Page) -> None:
    page.goto(seeds_server + "/")
    expect(page.locator(".stale")).to_have_count(0)
    # A grade set on the page takes effect at once: the clusters are reassessed, nothing is stale.
    page.goto(seeds_server + "/source?name=The%20Guardian")
    page.select_option("#grade", "B")
    page.get_by_role("button", name="Set grade").click()
    expect(page.locator("p.meta .grade")).to_have_text("B")
    page.goto(seeds_server + "/")
    expect(page.locator(".stale")).to_have_count(0)
    # A grade written to the ledger by another tool, without reassessing: the pages say so.
    with open_store(seeds_db) as other:
        cx.grade_source(other, source="The Guardian", grade="C", author="another tool")
    page.goto(seeds_server + "/")
    expect(page.locator(".stale")).to_contain_text("source grades changed since (The Guardian)")
    shot(page, "story-stale")
    # Undoing on the page reassesses too: both grades undone, the banner goes.
    for _ in range(2):
        page.goto(seeds_server + "/source?name=The%20Guardian")
        page.get_by_role("button", name="Undo").first.click()
    page.goto(seeds_server + "/")
    expect(page.locator(".stale")).to_have_count(0)


def test_no_hashes_or_server_paths_in_names(seeds_server: str, page: Page) -> None:
    """Documents are titled by their header or their headline; no page shows a server path."""
    page.goto(seeds_server + "/documents")
    titles = page.locator("table.list tbody tr td:first-child a").all_inner_texts()
    assert titles and not any(t.endswith(".txt") for t in titles), titles
    for path in ("/", "/documents", "/lines", "/clusters", "/sources"):
        page.goto(seeds_server + path)
        assert str(EXAMPLES) not in page.content(), path


def test_entities_across_documents_rename_and_undo(seeds_server: str, page: Page) -> None:
    """One row per entity across documents; a rename shows at once and its undo restores the name."""
    page.goto(seeds_server + "/entities")
    names = page.locator("table.list tbody tr td:first-child a").all_inner_texts()
    assert names and len(names) == len(set(names)), names  # resolved across documents: no name listed twice
    page.locator("table.list tbody tr td:first-child a").first.click()
    original = page.locator("h1").inner_text().rsplit(" ", 1)[0]
    assert page.locator("table.members tbody tr").count() >= 2  # the seeds name it in more than one document
    shot(page, "entity")
    page.fill("#rename-name", "Analyst's name for it")
    page.get_by_role("button", name="Rename").click()
    expect(page.locator("h1")).to_contain_text("Analyst's name for it")
    expect(page.locator("ul.history li").first).to_contain_text("rename")
    page.locator("ul.history li").first.get_by_role("button", name="Undo").click()
    page.goto(seeds_server + "/entities")
    expect(page.locator("table.list tbody tr td:first-child a", has_text=original).first).to_be_visible()
