"""Zones: furniture, captions, links, memo sections and datelines, on made-up and real text."""

from __future__ import annotations

import json
from pathlib import Path
from typing import get_args

import pytest

from claimgraph.ingest.readers import read_path
from claimgraph.ingest.zones import content_lines, find_zones, load_lexicon
from claimgraph.models import ZoneKind, Zone

SHARED = Path(__file__).resolve().parents[2] / "shared"
KINDS = set(get_args(ZoneKind))


def shared(*parts: str) -> Path:
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent: the shared corpus and gold live beside the project")
    return path


def check_well_formed(text: str, zones: list[Zone]) -> None:
    """Zones lie in the text, in order, never overlap, and cover every non-blank line."""
    assert all(zone.kind in KINDS for zone in zones)
    assert all(0 <= zone.start < zone.end <= len(text) for zone in zones)
    assert all(a.end <= b.start for a, b in zip(zones, zones[1:]))
    for start, end in content_lines(text):
        covered = [zone for zone in zones if zone.start < end and zone.end > start]
        assert covered, f"line not covered: {text[start:end]!r}"
        for position in range(start, end):
            if not text[position].isspace():
                assert any(z.start <= position < z.end for z in covered), f"gap in {text[start:end]!r}"


def kinds_by_line(text: str, **options: object) -> list[tuple[str, str]]:
    zones = find_zones(text, header_end=None, **options)  # type: ignore[arg-type]
    check_well_formed(text, zones)
    return [(text[zone.start : zone.end], zone.kind) for zone in zones]


def test_lexicon_is_versioned_and_explained() -> None:
    lexicon = load_lexicon()
    assert lexicon.version == "furniture.v1"
    assert lexicon.entries and all(entry.why and entry.kind in KINDS for entry in lexicon.entries)
    assert len({entry.id for entry in lexicon.entries}) == len(lexicon.entries)


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("PA Images", "furniture"),
        ("Getty Images", "furniture"),
        ("AFP/Getty Images", "furniture"),
        ("Picture: Reuters", "furniture"),
        ("Photo: AP", "furniture"),
        ("(Image: Getty)", "furniture"),
        ("Share this article", "furniture"),
        ("Share", "furniture"),
        ("Tweet", "furniture"),
        ("Sign up to our daily newsletter", "furniture"),
        ("Advertisement", "furniture"),
        ("Follow us on Twitter", "furniture"),
        ("Act Now", "furniture"),
        ("Tell Speaker Pelosi: Do not limit the scope of impeachment.", "furniture"),
        ("By Jane Smith and John Doe", "furniture"),
        ("SECRET//NOFORN", "furniture"),
        ("Page 3 of 12", "furniture"),
        ("READ MORE: Trump Organisation CFO caught amid tax evasion claims", "related_link"),
        ("Related: Kremlin denies everything", "related_link"),
        ("MORE: How the leak happened", "related_link"),
        ("The National: Trump meets Putin at the G20 in Hamburg. Picture: AP.", "caption"),
        ("Trump and Putin in Helsinki in 2018 (Image: Getty)", "caption"),
        ("Company Intelligence Report 2016/130", "headline"),
        ("AFP via Getty Images", "furniture"),
        ("Reuters", "furniture"),
        ("SPUTNIK/AFP", "furniture"),
        ("Image source, Getty Images", "furniture"),
        ("Image caption, Putin at the Kremlin in 2016", "caption"),
        ("FOR IMMEDIATE RELEASE", "furniture"),
        ("###", "furniture"),
        ("Click to play video", "furniture"),
        ("Last modified on Thu 15 Jul 2021 10.20 BST", "dateline"),
    ],
)
def test_lexicon_lines(line: str, kind: str) -> None:
    text = f"Body sentence one.\n\n{line}\n\nBody sentence two.\n"
    assert kinds_by_line(text)[1] == (line, kind)


@pytest.mark.parametrize(
    "line",
    [
        "By the time Trump was the frontrunner, the expert department recommended force.",
        "More than that, a Republican victory, it says, could lead to a social explosion.",
        "Share prices in Moscow fell sharply after the report was published.",
        "Picture this: a closed session of the national security council in January.",
        "He told The Guardian: “They reflect the sort of discussion you would expect.",
        "The paper says: \"It is acutely necessary to use all possible force.\"",
        "May 2016 was when the first approach was made, the source said.",
        "Reuters reported that the Kremlin had denied the claims.",
        "Contacts between the campaign and Moscow were frequent, he said.",
    ],
)
def test_body_lines_stay_body(line: str) -> None:
    text = f"First paragraph of the story.\n\n{line}\n\nLast paragraph.\n"
    assert kinds_by_line(text)[1] == (line, "body")


def test_dateline_and_credit_share_a_line() -> None:
    text = " date 2021-07-15 PA Images\n\nPutin authorised the plot, documents claim.\n"
    assert kinds_by_line(text) == [
        ("date 2021-07-15", "dateline"),
        ("PA Images", "furniture"),
        ("Putin authorised the plot, documents claim.", "body"),
    ]


def test_caption_prefix_carries_to_captions_without_credit() -> None:
    text = (
        "Body one.\n\nThe Herald: Putin at the Kremlin. Picture: PA.\n\nBody two.\n\n"
        "The Herald: Trump said Putin was strong in his denial\n"
    )
    assert kinds_by_line(text)[-1][1] == "caption"


def test_memo_sections_and_closing_date() -> None:
    text = (
        "Company Intelligence Report 2016/999\n\nRUSSIA: KREMLIN VIEW OF THE ELECTION CAMPAIGN\n\nSummary\n\n"
        "  • Kremlin disappointed. More to come\n\nDetail\n\n  1. A source said so.\n    Another point.\n\n"
        "3 March 2016\n"
    )
    assert [kind for _, kind in kinds_by_line(text)] == [
        "headline", "headline", "summary", "summary", "detail", "detail", "detail", "dateline",
    ]  # fmt: skip


def test_headline_from_title_and_leading_labels() -> None:
    text = "Skip to content\n\nWorld News\n\nKremlin denies the leaked papers\n\nThe Kremlin denied it.\n"
    kinds = kinds_by_line(text, title="Kremlin denies the leaked papers | Example")
    assert kinds == [
        ("Skip to content", "furniture"),
        ("World News", "furniture"),
        ("Kremlin denies the leaked papers", "headline"),
        ("The Kremlin denied it.", "body"),
    ]


def test_header_zone_spans_the_block() -> None:
    text = "Title: T\nDate: 2016\n\n=====\n\nBody.\n"
    zones = find_zones(text, header_end=text.index("=====") + 5)
    assert (zones[0].kind, zones[0].start, zones[0].end) == ("header", 0, text.index("=====") + 5)
    assert zones[1].kind == "body"
    check_well_formed(text, zones)


def test_markdown_quote_block() -> None:
    assert kinds_by_line("Intro line here.\n\n> Quoted passage.\n")[1][1] == "quote_block"


# ---------------------------------------------------------------- the shared corpus


def zones_of(path: Path) -> tuple[str, list[Zone]]:
    document = read_path(path).documents[0]
    check_well_formed(document.text, document.zones)
    return document.text, document.zones


@pytest.mark.corpus
def test_seed_000_furniture_and_dateline() -> None:
    (path,) = shared("corpus", "seeds").glob("000_*.txt")
    text, zones = zones_of(path)
    marked = [(text[z.start : z.end], z.kind) for z in zones if z.kind != "body"]
    assert marked == [("date 2021-07-15", "dateline")] + [("PA Images", "furniture")] * 4


@pytest.mark.corpus
def test_seed_001_links_and_captions() -> None:
    (path,) = shared("corpus", "seeds").glob("001_*.txt")
    text, zones = zones_of(path)
    marked = [(text[z.start : z.end][:14], z.kind) for z in zones if z.kind != "body"]
    assert marked == [
        ("READ MORE:\xa0Don", "related_link"),
        ("READ MORE: Tru", "related_link"),
        ("The National: ", "caption"),
        ("The National: ", "caption"),
        ("READ MORE:\xa0New", "related_link"),
    ]


@pytest.mark.corpus
def test_seed_002_memo() -> None:
    (path,) = shared("corpus", "seeds").glob("002_*.txt")
    text, zones = zones_of(path)
    first = [(text[z.start : z.end], z.kind) for z in zones[:6]]
    assert first == [
        ("Act Now", "furniture"),
        ("Tell Speaker Pelosi: Do not limit the scope of impeachment.", "furniture"),
        ("Tweet", "furniture"),
        ("Steele Memos", "furniture"),
        ("Company Intelligence Report 2016/130", "headline"),
        ("RUSSIA: KREMLIN ASSESSMENT OF TRUMP AND RUSSIAN INTERFERENCE IN US PRESIDENTIAL ELECTION", "headline"),
    ]
    assert [z.kind for z in zones[6:11]] == ["summary"] * 5
    assert [z.kind for z in zones[11:-1]] == ["detail"] * 5
    assert (text[zones[-1].start : zones[-1].end], zones[-1].kind) == ("12 October 2016", "dateline")


@pytest.mark.corpus
def test_seed_zones_agree_with_gold() -> None:
    gold = json.loads(shared("gold", "seeds.json").read_text(encoding="utf-8"))
    directory = shared("corpus", "seeds")
    zones = {path.name: zones_of(path)[1] for path in directory.glob("*.txt")}

    def kind_at(doc_id: str, start: int, end: int) -> set[str]:
        return {z.kind for z in zones[doc_id] if z.start < end and z.end > start}

    checked = 0
    for claim in gold["claims"]:
        assert kind_at(claim["doc_id"], claim["span_start"], claim["span_end"]) == {claim["zone"]}, claim["id"]
        checked += 1
    names = {path.name[:3]: path.name for path in directory.glob("*.txt")}
    for entity in gold["entities"]:
        for short, mentions in entity["mentions"].items():
            for mention in mentions["instances"]:
                assert kind_at(names[short], mention["start"], mention["end"]) == {mention["zone"]}, mention
                checked += 1
    assert checked > 123


@pytest.mark.corpus
def test_dev_corpus_zones() -> None:
    directory = shared("corpus", "dev")
    paths = sorted(directory.glob("*.txt"))
    assert len(paths) == 27
    for path in paths:
        text, zones = zones_of(path)
        assert zones[0].kind == "header"
        assert any(zone.kind in ("body", "detail") for zone in zones), path.name
        if path.name.startswith("steele_"):
            kinds = [zone.kind for zone in zones]
            assert kinds[1:3] == ["headline", "headline"], path.name
            assert "summary" in kinds and "detail" in kinds, path.name
            assert kinds[-1] == "dateline", path.name
