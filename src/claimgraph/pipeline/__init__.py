"""The main job as registered steps and the runners that run them (see runners.py, steps.py).

DaskRunner (dask_runner.py) needs the optional extra `dask`; it is imported on first use.
"""

from typing import Any

from claimgraph.pipeline.runners import VOLATILE, LocalRunner, RunResult, comparable_export, make_runner
from claimgraph.pipeline.steps import READ_STEP, Step, all_steps, registered_names, step

__all__ = ["READ_STEP", "VOLATILE", "DaskRunner", "LocalRunner", "RunResult", "Step", "all_steps", "comparable_export",
           "make_runner", "registered_names", "step"]


def __getattr__(name: str) -> Any:
    if name == "DaskRunner":
        from claimgraph.pipeline.dask_runner import DaskRunner

        return DaskRunner
    raise AttributeError(name)
