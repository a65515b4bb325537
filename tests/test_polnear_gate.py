"""The PolNeAR gate: attribution on the first dev articles (ingest, analyse, export, score) above its floors."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from conftest import ROOT, shared_path

FLOORS = Path(__file__).with_name("polnear_floors.json")


def _bench():
    spec = importlib.util.spec_from_file_location("bench_polnear", ROOT / "bench" / "bench_polnear.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def polnear_scores() -> dict:
    floors = json.loads(FLOORS.read_text(encoding="utf-8"))
    split = shared_path("data", "polnear", "dev")
    result, _missed = _bench().run(split, limit=floors["articles"])
    return result


def test_polnear_dev_meets_every_floor(polnear_scores: dict) -> None:
    floors = json.loads(FLOORS.read_text(encoding="utf-8"))
    scores = {
        "attributions_recalled": polnear_scores["attributions_recalled"],
        "content_f1": polnear_scores["content_tokens_PRF"][2],
        "cue_f1": polnear_scores["cue_tokens_PRF"][2],
        "source_acc_named": polnear_scores["source_acc_named"],
    }
    failures = [f"{name}: {scores[name]} < floor {floor}" for name, floor in floors["metrics"].items()
                if scores[name] < floor]
    assert polnear_scores["documents"] == floors["articles"]
    assert failures == [], "\n".join(failures)
