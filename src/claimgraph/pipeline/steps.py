"""The registered steps of the main job: what each reads and writes, under a versioned name.

A step's registered name is its code's step constant (bumped by hand when a rule changes)
followed by the hash of the lexicon and model files it reads: editing data/lexicon.json gives
the analyse step a new name even where nobody bumped its rules' version, so rules cannot change
under an old name. Analyses are stored under the analyse step's registered name (analyse.pipeline.
STEP): an edited lexicon or a retrained cue model makes every document analysed again. The
saved linker is keyed by the link steps' registered names (`link_step_names`): an edited
data/judge.json, pair model or provenance lexicon, or a bumped rules constant, relinks from
scratch. Lines, provenance edges and events carry their step's registered name (LINES_STEP,
PROVENANCE_STEP, EVENTS_STEP in link/ are built as analyse's STEP is).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, cached_property
from typing import Any

from claimgraph.datahash import data_hash, package_root

__all__ = ["READ_STEP", "Step", "all_steps", "link_step_names", "registered_names", "step"]

# Reading files into documents (readers, header, zones: data/furniture.json); no constant
# existed before the runners, since nothing stored names it.
READ_STEP = "claimgraph.ingest.read.v1"


@dataclass(frozen=True)
class Step:
    """One stage: `base` is the code's step constant, `data` the packaged files its rules read
    (paths under the claimgraph package), `reads`/`writes` the records it consumes and makes."""

    key: str
    base: str
    data: tuple[str, ...]
    reads: tuple[str, ...]
    writes: tuple[str, ...]
    pure: bool  # a function of its input alone: a runner may run it anywhere (no store)

    @cached_property
    def data_hash(self) -> str:
        """sha256 over the data files' names and bytes, in order (a missing file counts as empty)."""
        return data_hash(self.data, _package_root())

    @property
    def name(self) -> str:
        """The registered name: the step constant and the first 12 hex digits of the data hash."""
        return f"{self.base}+data.{self.data_hash[:12]}"


def _package_root() -> Any:
    """Where the data files' paths start: the installed claimgraph package."""
    return package_root()


@cache
def all_steps() -> dict[str, Step]:
    """Every registered step by key (built on first use: it imports the step modules)."""
    from claimgraph.analyse.pipeline import ANALYSE_DATA, RULES as ANALYSE_RULES
    from claimgraph.link.clusters import CLUSTER_STEP
    from claimgraph.link.corpus import LINK_STEP
    from claimgraph.link.events import EVENTS_DATA, EVENTS_RULES
    from claimgraph.link.judge import JUDGE_STEP
    from claimgraph.link.lines import LINES_DATA, LINES_RULES
    from claimgraph.link.provenance import PROVENANCE_DATA, PROVENANCE_RULES
    from claimgraph.link.readout import READOUT_STEP

    layer = ("clusters", "links", "lines", "events", "assessments", "provenance", "canonical_entities")
    steps = [
        Step("read", READ_STEP, ("data/furniture.json",), ("paths",), ("documents",), pure=True),
        Step("analyse", ANALYSE_RULES, ANALYSE_DATA,
             ("documents",), ("sentences", "entities", "mentions", "claims", "times"), pure=True),
        # The link steps run together, over the whole store, in the one writer.
        Step("link", LINK_STEP, ("data/judge.json", "data/models/minilm-l6-v2-int8.onnx"),
             ("documents", "claims"), layer, pure=False),
        Step("link.judge", JUDGE_STEP, ("data/judge.json", "data/pair_model.json"), ("claims",), ("links",),
             pure=False),
        Step("link.clusters", CLUSTER_STEP, ("data/judge.json",), ("claims", "links"), ("clusters", "assessments"),
             pure=False),
        # parents, families and denials hung on clusters, and their assessments
        Step("link.readout", READOUT_STEP, ("data/judge.json",), ("clusters", "links"), ("clusters", "assessments"),
             pure=False),
        Step("link.provenance", PROVENANCE_RULES, PROVENANCE_DATA, ("claims",), ("provenance",), pure=False),
        Step("link.lines", LINES_RULES, LINES_DATA, ("clusters", "provenance"), ("lines",), pure=False),
        Step("link.events", EVENTS_RULES, EVENTS_DATA, ("claims", "times"), ("events",), pure=False),
    ]
    return {s.key: s for s in steps}


def step(key: str) -> Step:
    return all_steps()[key]


def registered_names() -> dict[str, str]:
    """key -> registered name of every step."""
    return {key: s.name for key, s in all_steps().items()}


def link_step_names() -> dict[str, str]:
    """key -> registered name of every link step: what the saved linker is keyed by, so a linker
    saved under other rules or other data is not restored (link_store relinks in full)."""
    return {key: s.name for key, s in all_steps().items() if key == "link" or key.startswith("link.")}
