"""PolNeAR-side attribution: typewriter quotes ('' ... '') and the claim-unit ceiling of the PolNeAR score."""

from __future__ import annotations

from pathlib import Path

import pytest
from spacy.language import Language

from claimgraph.analyse import analyse_document, load_nlp
from claimgraph.analyse.claims import balance_quotes
from claimgraph.eval.polnear import oracle_export, score_polnear
from claimgraph.models import Document


@pytest.fixture(scope="module")
def nlp() -> Language:
    return load_nlp()


def _document(text: str) -> Document:
    return Document(id="t", content_hash="h", origin="t.txt", version=1, media_type="text/plain", text=text)


def test_typewriter_quotation_keeps_its_speaker_over_sentences(nlp: Language) -> None:
    text = "''We will fight it in court,'' Mr. Smith said. ''They know the bill is dead.''\n\nThe council met on Tuesday.\n"
    claims = analyse_document(_document(text), nlp=nlp).claims
    second = next(c for c in claims if c.text.startswith("They know"))
    assert second.speaker == "Smith"  # the quoted speaker, not "They" inside the quotation
    assert second.attribution == "explicit" and second.quote == "direct"
    assert next(c for c in claims if c.text.startswith("The council")).attribution == "unattributed"


def test_a_dangling_typewriter_quote_leaves_the_span() -> None:
    text = "''The bill is dead, he said."
    assert text[slice(*balance_quotes(text, 0, text.index(",")))] == "The bill is dead"
    closed = "''The bill is dead,'' he said."
    assert closed[slice(*balance_quotes(closed, 0, closed.index(" he")))] == "''The bill is dead,''"


def _split(tmp_path: Path) -> Path:
    text = "The mayor said the plan would fail. The council met on Tuesday.\n"
    (tmp_path / "text").mkdir()
    (tmp_path / "attributions").mkdir()
    (tmp_path / "text" / "a.txt").write_text(text, encoding="utf-8")
    content = text.index("the plan"), text.index(" would fail") + len(" would fail")
    (tmp_path / "attributions" / "a_x.ann").write_text(
        "T1\tSource 0 9\tThe mayor\nT2\tCue 10 14\tsaid\n"
        f"T3\tContent {content[0]} {content[1]}\t{text[content[0]:content[1]]}\n"
        "E1\tAttribution:T2 Source:T1 Cue:T2 Content:T3\n", encoding="utf-8")
    return tmp_path


def test_oracle_attributes_a_claim_by_its_share_of_gold_content(tmp_path: Path) -> None:
    split = _split(tmp_path)
    text = (split / "text" / "a.txt").read_text(encoding="utf-8")
    export = {"documents": [{"id": "d", "origin": "a.txt", "text": text}], "claims": [
        # The claim carries its frame ("The mayor said"), as the seeds' claim spans do; both unattributed.
        {"document_id": "d", "start": 0, "end": 34, "attribution": "unattributed", "speaker": None, "chain": []},
        {"document_id": "d", "start": 36, "end": 62, "attribution": "unattributed", "speaker": None, "chain": []},
    ]}
    assert score_polnear(export, split).as_dict()["attributions_recalled"] == 0.0
    best = score_polnear(oracle_export(export, split, share=0.5), split).as_dict()
    assert best["attributions_recalled"] == 1.0
    # The frame ("The mayor said") counts against content precision even for the oracle: 4 of 7 words.
    assert best["content_tokens_PRF"][0] == round(4 / 7, 3)
    assert score_polnear(oracle_export(export, split, share=0.8), split).as_dict()["attributions_recalled"] == 0.0


def test_the_cue_model_reads_the_complements_word_never_a_name(nlp: Language) -> None:
    from claimgraph.analyse.cue_model import cue_features

    doc = nlp("The governor unleashed withering attacks on the senator and praised Alvarez for his vote.")
    features = {t.lemma_: cue_features(t) for t in doc if t.pos_ == "VERB"}
    assert "cw=dobj|attack" in features["unleash"]  # what the verb does lies in its object
    praised = [f for f in features["praise"] if f.startswith("cw=")]
    assert praised and not any("alvarez" in f.lower() for f in praised)  # a name is only its kind


def _cue_text(text: str, claim) -> str | None:  # type: ignore[no-untyped-def]
    return None if claim.cue_start is None else text[claim.cue_start:claim.cue_end]


def test_the_cue_leaves_out_a_trailing_source(nlp: Language) -> None:
    # PolNeAR's cue is the verb; the source is a span of its own ('"...," the senator said').
    text = '"The bill is dead," the senator said.'
    claim = analyse_document(_document(text), nlp=nlp).claims[0]
    assert claim.speaker == "the senator"
    assert _cue_text(text, claim) == "said"


def test_the_cue_takes_in_its_auxiliaries_and_preposition(nlp: Language) -> None:
    from claimgraph.analyse.cue_model import cue_extent

    doc = nlp("The mayor has also talked about the new budget with reporters.")
    verb = next(t for t in doc if t.lower_ == "talked")
    assert sorted(t.text for t in cue_extent(verb)) == ["about", "also", "has", "talked"]
    doc = nlp("The mayor said in Chicago that the budget is balanced.")
    verb = next(t for t in doc if t.lower_ == "said")
    assert [t.text for t in cue_extent(verb)] == ["said"]  # a place stays out, as PolNeAR leaves it


def test_a_cue_participle_after_its_clause_is_a_claim_of_its_own(nlp: Language) -> None:
    text = "The governor left the meeting early, saying that the talks had failed."
    claims = analyse_document(_document(text), nlp=nlp).claims
    saying = next(c for c in claims if c.text.startswith("saying"))
    assert saying.attribution == "explicit" and saying.speaker == "The governor"
    assert next(c for c in claims if c.text.startswith("The governor left")).attribution == "unattributed"


def test_a_relative_clause_a_frame_reads_as_a_cue_is_a_claim_of_its_own(nlp: Language) -> None:
    text = "She met the donors who have backed the governor since 2010."
    claims = analyse_document(_document(text), nlp=nlp).claims
    backed = next(c for c in claims if c.text.startswith("who have backed"))
    assert backed.attribution == "explicit" and backed.speaker == "the donors"
    assert next(c for c in claims if c.text.startswith("She met")).attribution == "unattributed"


def test_the_cue_takes_in_when_and_where_the_words_were_said(nlp: Language) -> None:
    from claimgraph.analyse.cue_model import cue_extent

    for sentence, expected in (("The senator said Thursday that the bill is dead.", "said Thursday"),
                               ("He said in an interview with CNN that it was over.", "said in an interview with CNN")):
        doc = nlp(sentence)
        tokens = cue_extent(next(t for t in doc if t.lower_ == "said"))
        assert sentence[min(t.idx for t in tokens):max(t.idx + len(t.text) for t in tokens)] == expected


def test_a_relative_clause_on_the_source_is_its_own_report(nlp: Language) -> None:
    text = ("Senator Cruz, who last year threatened to shut down the federal government, said on Monday "
            "that the budget was a disgrace.")
    claims = analyse_document(_document(text), nlp=nlp).claims
    threat = next(c for c in claims if c.text.startswith("who last year threatened"))
    assert threat.attribution == "explicit" and threat.speaker == "Cruz"
    assert _cue_text(text, threat) == "threatened"
    said = next(c for c in claims if "disgrace" in c.text)
    assert _cue_text(text, said) == "said on Monday"
