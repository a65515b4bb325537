"""The timeline: events dated by their claims' own times, by temporal anaphors, and per cluster."""

from __future__ import annotations

import pytest

from claimgraph.link.clusters import Cluster, ClusterMember
from claimgraph.link.events import ANAPHOR_WINDOW, build_events
from claimgraph.models import Analysis, Claim, Document, Sentence, TimeExpression
from conftest import EXAMPLES, shared_path


def document(doc_id: str, sentences: list[str | tuple[str, str]], *, times: dict[str, tuple[str, str]],
             claims: list[tuple[int, str]], published: str | None = None,
             speakers: dict[int, str] | None = None) -> tuple[Document, Analysis]:
    """A document of one sentence per entry ((text, zone) for a zone other than body).

    `times` maps a time's text to (value, precision); `claims` are (sentence number, span text);
    `speakers` gives claim number -> speaker for attributed claims.
    """
    text, spans = "", []
    for entry in sentences:
        sentence, zone = (entry, "body") if isinstance(entry, str) else entry
        spans.append((len(text), len(text) + len(sentence), zone))
        text += sentence + " "
    found = []
    for time_text, (value, precision) in times.items():
        start = text.index(time_text)
        found.append(TimeExpression(start=start, end=start + len(time_text), text=time_text, value=value,
                                    precision=precision))
    built = []
    for number, (index, span_text) in enumerate(claims):
        sentence_start, sentence_end, _ = spans[index]
        start = text.index(span_text, sentence_start)
        end = start + len(span_text)
        speaker = (speakers or {}).get(number)
        built.append(Claim(
            id=f"{doc_id}-C{number}", sentence_index=index, start=start, end=end, sentence_start=sentence_start,
            sentence_end=sentence_end, text=span_text, content=span_text, speaker=speaker,
            attribution="explicit" if speaker else "unattributed",
            times=[t for t in found if start <= t.start and t.end <= end],
        ))
    analysis = Analysis(document_id=doc_id, claims=built, times=found,
                        sentences=[Sentence(index=i, start=s, end=e, zone=z) for i, (s, e, z) in enumerate(spans)])
    doc = Document(id=doc_id, content_hash=doc_id, origin=doc_id, version=1, media_type="text/plain", text=text,
                   published=published)
    return doc, analysis


def propositions(inputs, clusters=()) -> dict[str, tuple[str | None, str | None, str]]:
    """claim id -> (date, precision, qualifier) of the proposition event holding it."""
    return {claim: (e.date, e.precision, e.qualifier)
            for e in build_events(list(inputs), list(clusters)) if e.kind == "proposition" for claim in e.claims}


MEETING = "The council met on January 22, 2016 with the spy chiefs present."


def test_then_takes_the_time_of_an_earlier_sentence_as_a_lower_bound() -> None:
    pair = document("d", [MEETING, ("READ MORE: an unrelated story", "related_link"),
                          "The spy agencies were then ordered to support him."],
                    times={"January 22, 2016": ("2016-01-22", "day")},
                    claims=[(0, MEETING[:-1]), (2, "The spy agencies were then ordered to support him")])
    events = propositions([pair])
    assert events["d-C1"] == ("2016-01-22", "day", "on_or_after")
    expression = next(e for e in build_events([pair], []) if "d-C1" in e.claims).expressions[0]
    assert expression["source"] == "context" and expression["anaphor"] == "then"


def test_at_the_time_takes_the_time_of_its_own_sentence_and_keeps_its_precision() -> None:
    sentence = "The meeting took place in January 2016, as an official photo was released at the time."
    pair = document("d", [sentence], times={"January 2016": ("2016-01", "month")},
                    claims=[(0, "The meeting took place in January 2016"),
                            (0, "an official photo was released at the time")])
    assert propositions([pair])["d-C1"] == ("2016-01", "month", "exact")


def test_then_in_the_sentence_of_its_time_means_at_that_time() -> None:
    sentence = "The application was filed in October 2016, even though the origins were then known to officials."
    pair = document("d", [sentence], times={"October 2016": ("2016-10", "month")},
                    claims=[(0, "even though the origins were then known to officials")])
    assert propositions([pair])["d-C0"] == ("2016-10", "month", "exact")


def test_prior_to_that_bounds_the_claim_from_above() -> None:
    pair = document("d", ["His role grew after the manager left in August 2016.", "Prior to that the manager led."],
                    times={"August 2016": ("2016-08", "month")}, claims=[(1, "Prior to that the manager led")])
    assert propositions([pair])["d-C0"] == ("2016-08", "month", "on_or_before")


def test_a_date_modifying_a_noun_is_no_antecedent() -> None:
    # "his 2016 election bid" dates the bid, not the sentence's event.
    pair = document("d", ["Putin backed his 2016 election bid.", "Officials were then told to help."],
                    times={"2016": ("2016", "year")}, claims=[(1, "Officials were then told to help")])
    assert "d-C0" not in propositions([pair])


def test_the_antecedent_must_be_within_the_window_of_narrative_sentences() -> None:
    filler = [f"Filler sentence number {i} says nothing of time." for i in range(ANAPHOR_WINDOW)]
    far = document("d", [MEETING, *filler, "The agencies were then ordered to act."],
                   times={"January 22, 2016": ("2016-01-22", "day")},
                   claims=[(ANAPHOR_WINDOW + 1, "The agencies were then ordered to act")])
    assert "d-C0" not in propositions([far])
    # Captions and credits between do not count against the window.
    captions = [(f"Picture caption {i}", "caption") for i in range(3)]
    near = document("d", [MEETING, *filler[:-1], *captions, "The agencies were then ordered to act."],
                    times={"January 22, 2016": ("2016-01-22", "day")},
                    claims=[(ANAPHOR_WINDOW + 3, "The agencies were then ordered to act")])
    assert propositions([near])["d-C0"] == ("2016-01-22", "day", "on_or_after")


@pytest.mark.parametrize("sentence", [
    "The then president signed it.",
    "It was signed by then-president Obama.",
    "Control moved to the FSB and then to the presidential administration.",
    "The paper then lists a number of American weaknesses.",
    "If he wins, then sanctions would be lifted.",
])
def test_then_that_does_not_point_back_in_time_dates_nothing(sentence: str) -> None:
    pair = document("d", [MEETING, sentence], times={"January 22, 2016": ("2016-01-22", "day")},
                    claims=[(1, sentence[:-1])])
    assert "d-C0" not in propositions([pair])


def test_first_then_orders_steps_and_dates_nothing() -> None:
    pair = document("d", [MEETING, "The application had to be first certified by the director.",
                          "It then required the approval of the Attorney General."],
                    times={"January 22, 2016": ("2016-01-22", "day")},
                    claims=[(2, "It then required the approval of the Attorney General")])
    assert "d-C0" not in propositions([pair])


def test_a_cluster_is_dated_by_its_members_own_times_before_any_anaphor() -> None:
    a = document("a", [MEETING, "Agencies were then ordered to help."],
                 times={"January 22, 2016": ("2016-01-22", "day")}, claims=[(1, "Agencies were then ordered to help")])
    b = document("b", ["Putin ordered the agencies to help in January 2016."],
                 times={"January 2016": ("2016-01", "month")},
                 claims=[(0, "Putin ordered the agencies to help in January 2016")])
    c = document("c", ["Putin ordered the agencies to help."], times={},
                 claims=[(0, "Putin ordered the agencies to help")])
    cluster = Cluster(id="K1", anchor="c-C0", anchor_text="", members=[
        ClusterMember(claim="a-C0", relation="same"), ClusterMember(claim="b-C0", relation="same"),
        ClusterMember(claim="c-C0", relation="same")])
    # b's own month outranks a's anaphor day, and dates c, which states no time at all.
    assert propositions([a, b, c], [cluster]) == {m: ("2016-01", "month", "exact") for m in ("a-C0", "b-C0", "c-C0")}
    # Without b, the time a's anaphor points to dates the whole cluster.
    cluster.members = [m for m in cluster.members if m.claim != "b-C0"]
    assert propositions([a, c], [cluster]) == {m: ("2016-01-22", "day", "on_or_after") for m in ("a-C0", "c-C0")}


def test_an_anaphor_in_a_contradicting_member_does_not_date_the_cluster() -> None:
    anchor = document("a", ["The application relied on his record."], times={},
                      claims=[(0, "The application relied on his record")])
    rival = document("b", ["His bias was noted in September 2016.", "It was recorded at the time in the files."],
                     times={"September 2016": ("2016-09", "month")},
                     claims=[(1, "It was recorded at the time in the files")])
    cluster = Cluster(id="K1", anchor="a-C0", anchor_text="", members=[
        ClusterMember(claim="a-C0", relation="same"), ClusterMember(claim="b-C0", relation="contradicts")])
    assert propositions([anchor, rival], [cluster]) == {}
    # A time in a contradicting member's own span still dates it: a denial names the time of
    # what it denies ("it had happened in 2013").
    denial = document("c", ["S/he believed it had happened in 2013."], times={"2013": ("2013", "year")},
                      claims=[(0, "S/he believed it had happened in 2013")])
    cluster.members[1] = ClusterMember(claim="c-C0", relation="contradicts")
    assert propositions([anchor, denial], [cluster]) == {m: ("2013", "year", "exact") for m in ("a-C0", "c-C0")}


def test_statements_stay_dated_by_their_frame_or_the_report() -> None:
    sentence = "Speaking in early October 2016, a senior figure said the operation had stalled."
    pair = document("d", [sentence, "The official said heads would roll."], published="2016-10-12",
                    times={"early October 2016": ("2016-10", "month")},
                    claims=[(0, "the operation had stalled"), (1, "heads would roll")],
                    speakers={0: "a senior figure", 1: "The official"})
    statements = {e.what.split(":")[0]: (e.date, e.precision, e.qualifier)
                  for e in build_events([pair], []) if e.kind == "statement"}
    assert statements == {"a senior figure": ("2016-10", "month", "exact"),
                          "The official": ("2016-10-12", "day", "on_or_before")}


@pytest.fixture(scope="module")
def seeds_ledger(tmp_path_factory: pytest.TempPathFactory):
    from claimgraph.eval import evaluate, load_gold
    from claimgraph.export import export_ledger
    from claimgraph.pipeline import ingest_paths
    from claimgraph.ledger import analyse_store, link_store
    from claimgraph.store import open_store

    gold = load_gold(shared_path("gold", "seeds.json"))
    with open_store(str(tmp_path_factory.mktemp("events") / "seeds.db")) as store:
        ingest_paths(store, [EXAMPLES])
        analyse_store(store)
        link_store(store)
        ledger = export_ledger(store)
    return ledger, evaluate(ledger, gold)


def test_seed_events_dated_by_anaphors(seeds_ledger) -> None:
    ledger, report = seeds_ledger
    claims = {c["id"]: c["text"] for c in ledger["claims"]}
    dated = {claims[x["claim"]]: (e["date"], e["precision"], e["qualifier"])
             for e in ledger["events"] for x in e["expressions"] if x.get("source") == "context"}
    # The gold's EV03, EV04 and EV07: dated by "then", "at the point of" and "at the time".
    assert dated["Russia's three spy agencies were then ordered to find ways to support Trump in a decree"] == (
        "2016-01-22", "day", "on_or_after")
    assert dated["At the point of Putin giving these orders, Trump was already winning the Republican party’s "
                 "national race"] == ("2016-01", "month", "exact")
    assert dated["an official photo of them was released at the time"] == ("2016-01", "month", "exact")
    assert report.events.dated.correct >= 10
    assert report.events.dated_in_text.correct == report.events.dated_in_text.total == 7  # every date the texts give


def test_a_range_keeps_its_end_on_the_event_and_in_the_report() -> None:
    from dataclasses import replace

    from claimgraph.report import render_markdown

    doc, analysis = document("a", ["Govorun delivered cash to Putin throughout the 1990s."],
                             times={"the 1990s": ("1990", "year")}, claims=[(0, "Govorun delivered cash to Putin throughout the 1990s")])
    decade = replace(analysis.times[0], qualifier="range", range_end="1999")
    analysis.times[:] = [decade]
    analysis.claims[0].times[:] = [decade]
    event = next(e for e in build_events([(doc, analysis)], []) if e.kind == "proposition")
    assert (event.date, event.range_end, event.qualifier) == ("1990", "1999", "range")
    report = {"clusters": [], "lines": [], "provenance": [], "entities": [], "documents": 1, "claims": 1,
              "timeline": [{"date": event.date, "range_end": event.range_end, "precision": event.precision,
                            "qualifier": event.qualifier, "what": event.what, "reported": [], "spoken": []}]}
    assert "- **1990–1999** (year, range) Govorun delivered cash" in render_markdown(report)
