"""A property-based run over the API's OpenAPI schema (schemathesis), bounded in time.

Every operation gets requests drawn from its schema, valid ones and then invalid ones; each
answer is checked: no 5xx, a status code, content type, headers and body that the schema
declares. Used by tests/test_api_schema.py (a short run) and bench/bench_api_fuzz.py (a long one).
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance]
HEADERS = {"X-Claimgraph-CSRF": "1"}  # writes are tested, not the CSRF guard (tests/test_api.py does)


class _TimeUp(Exception):
    """This operation's share of the time is spent."""


@dataclass(kw_only=True)
class FuzzReport:
    operations: int = 0
    requests: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    failures: list[tuple[str, str, str]] = field(default_factory=list)  # (mode, operation, what failed)
    timeouts: list[tuple[str, str, str]] = field(default_factory=list)  # requests unanswered in the client's 10 s
    seconds: float = 0.0

    @property
    def server_errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status >= 500)

    @property
    def violations(self) -> int:
        """Answers that broke a schema check (a 5xx is counted apart, in server_errors)."""
        return sum(1 for _, _, what in self.failures if "Server error" not in what)

    def summary(self) -> str:
        return (f"{self.requests} requests over {self.operations} operations in {self.seconds:.0f} s: "
                f"{self.server_errors} server errors, {self.violations} schema violations, "
                f"{len(self.timeouts)} timeouts ({', '.join(sorted({op for _, op, _ in self.timeouts})) or 'none'}); "
                f"statuses {dict(sorted(self.statuses.items()))}")


def fuzz_api(app: Any, *, seconds: float, seed: int = 0) -> FuzzReport:
    """Fuzz every operation of `app` (an ASGI app serving /api/openapi.json) for about `seconds`,
    the time shared evenly among operations and modes."""
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    runs = [(mode, operation) for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE) for operation in operations]
    report = FuzzReport(operations=len(operations))
    began = time.monotonic()
    for index, (mode, operation) in enumerate(runs):
        left = seconds - (time.monotonic() - began)
        if left <= 0:
            break
        stop = time.monotonic() + left / (len(runs) - index)

        @settings(max_examples=10_000, deadline=None, database=None, phases=[Phase.generate], derandomize=False,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy(generation_mode=mode))
        def run(case: Any) -> None:
            if time.monotonic() > stop:
                raise _TimeUp
            report.requests += 1
            try:
                response = case.call(headers=HEADERS)
            except Exception as error:  # noqa: BLE001 - the app raised: what a server answers 500 to
                if "Timeout" in error.__class__.__name__:  # slow, not broken: counted apart
                    report.timeouts.append((mode.value, operation.label, str(error)))
                    return
                report.statuses[500] += 1
                report.failures.append((mode.value, operation.label, f"Server error: {error.__class__.__name__}: {error}"))
                return
            report.statuses[response.status_code] += 1
            try:
                case.validate_response(response, checks=CHECKS, headers=HEADERS)
            except (AssertionError, FailureGroup) as error:
                first = str(error).strip().splitlines()
                report.failures.append((mode.value, operation.label, " | ".join(first[:6])))

        _seeded(run, seed)
        try:
            run()
        except (_TimeUp, Unsatisfiable):  # time spent, or nothing to make invalid (no parameters)
            pass
        except Exception as error:  # noqa: BLE001 - a strategy that cannot be drawn is a finding, not a crash
            report.failures.append((mode.value, operation.label, f"could not generate: {error.__class__.__name__}: {error}"))
    report.seconds = time.monotonic() - began
    return report


def _seeded(test: Any, seed: int) -> None:
    from hypothesis import seed as hypothesis_seed

    hypothesis_seed(seed)(test)
