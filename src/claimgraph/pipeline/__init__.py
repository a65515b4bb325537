"""The main job as registered steps and the runners that run them (see runners.py, steps.py),
and where the store-wide stages meet the store: link_step.py (the saved linker) and
entity_step.py (entities across documents). store/ itself imports no stage.

DaskRunner (dask_runner.py) needs the optional extra `dask`; it is imported on first use.
"""

from typing import Any

from claimgraph.pipeline.runners import VOLATILE, LocalRunner, RunResult, comparable_export, make_runner
from claimgraph.pipeline.steps import READ_STEP, Step, all_steps, link_step_names, registered_names, step

__all__ = ["READ_STEP", "VOLATILE", "DaskRunner", "LocalRunner", "RunResult", "Step", "all_steps", "comparable_export",
           "link_step_names", "make_runner", "registered_names", "step"]


def __getattr__(name: str) -> Any:
    if name == "DaskRunner":
        from claimgraph.pipeline.dask_runner import DaskRunner

        return DaskRunner
    raise AttributeError(name)
