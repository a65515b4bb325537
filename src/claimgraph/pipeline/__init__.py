"""The main job as registered steps and the runners that run them (see runners.py, steps.py),
and the only place where a stage meets the store: ingest_step.py (what ingest/ reads, stored
and deduplicated), link_step.py (the saved linker), entity_step.py (entities across
documents) and ach_step.py (the ACH matrix read and pre-filled). store/ imports no stage, and
no stage imports the store.

DaskRunner (dask_runner.py) needs the optional extra `dask`; it is imported on first use.
"""

from typing import Any

from claimgraph.pipeline.ingest_step import ingest_document, ingest_paths
from claimgraph.pipeline.runners import VOLATILE, LocalRunner, RunResult, comparable_export, make_runner
from claimgraph.pipeline.steps import READ_STEP, Step, all_steps, link_step_names, registered_names, step

__all__ = ["READ_STEP", "VOLATILE", "DaskRunner", "LocalRunner", "RunResult", "Step", "all_steps", "comparable_export",
           "ingest_document", "ingest_paths", "link_step_names", "make_runner", "registered_names", "step"]


def __getattr__(name: str) -> Any:
    if name == "DaskRunner":
        from claimgraph.pipeline.dask_runner import DaskRunner

        return DaskRunner
    raise AttributeError(name)
