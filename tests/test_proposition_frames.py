"""Reporting frames stripped before claims are compared (link/proposition.py, data/judge.json frames)."""

from __future__ import annotations

from claimgraph.link.proposition import strip_frames


def test_a_participial_speaking_opener_and_its_speaker_are_stripped() -> None:
    # Invented sentences in the shape of intelligence memos: "Speaking ..., SOURCE asserted that ...".
    assert strip_frames("Speaking separately in May 2019, Source [a retired customs officer] asserted that "
                        "the harbour master had taken bribes for years") == "the harbour master had taken bribes for years"
    assert strip_frames("Speaking in confidence, also in May 2019, a clerk close to the mayor confided in a "
                        "friend that the tender had been rigged") == "the tender had been rigged"


def test_speaking_without_a_frame_after_it_is_left_alone() -> None:
    # No comma after the opener: "speaking" is what the claim says, not how it was reported.
    assert strip_frames("Speaking out against the mayor cost the clerk her job") == "Speaking out against the mayor cost the clerk her job"
