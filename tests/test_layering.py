"""Layers: the library never imports its surfaces (the CLI, the web app, click, FastAPI), and the
store is persistence only: it never imports a stage (ingest, analyse, link, assess), the pipeline
that runs them, or the web app; no stage imports the pipeline that runs it, nor the store. A stage
meets the store in pipeline/ and nowhere else (pipeline/ingest_step.py, link_step.py,
entity_step.py, ach_step.py); the records both sides share live in models.py, the text both
clean in text.py.

Read from the source (every import statement, inside functions and TYPE_CHECKING blocks too), not
from sys.modules: spaCy itself loads click through typer, which is no import of ours.
"""

from __future__ import annotations

import ast
from pathlib import Path

import claimgraph

PACKAGE = Path(claimgraph.__file__).parent
# The command-line surface: click lives here and nowhere else outside web/.
CLI = ("claimgraph.cli", "claimgraph.cli_options", "claimgraph.entity_cli", "claimgraph.export_cli", "claimgraph.__main__")
WEB = "claimgraph.web"
FRAMEWORKS = ("click", "fastapi", "starlette", "uvicorn", "jinja2")
# The stages and what runs them: the store imports none of them.
STAGES = ("claimgraph.ingest", "claimgraph.analyse", "claimgraph.link", "claimgraph.assess", "claimgraph.pipeline",
          "claimgraph.ledger")


def _within(name: str, prefixes: tuple[str, ...] | str) -> bool:
    prefixes = (prefixes,) if isinstance(prefixes, str) else prefixes
    return any(name == p or name.startswith(p + ".") for p in prefixes)


# (which modules, what they may not import, why)
RULES: list[tuple[str, object, tuple[str, ...]]] = [
    ("the library does not import the CLI or the web app",
     lambda module: not _within(module, CLI) and not _within(module, WEB), CLI + (WEB,) + FRAMEWORKS),
    ("the store does not import a stage or the web app",
     lambda module: _within(module, "claimgraph.store"), STAGES + (WEB,)),
    ("a stage does not import the pipeline that runs it",
     lambda module: _within(module, STAGES[:4]), ("claimgraph.pipeline", "claimgraph.ledger")),
    ("a stage does not import the store: it meets the store in pipeline/",
     lambda module: _within(module, STAGES[:4]), ("claimgraph.store",)),
]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported(module: str, source: str, *, package: bool = False) -> list[tuple[int, str]]:
    """(line, module) for every import in the source, relative ones resolved."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module.split(".")[: len(module.split(".")) - node.level + (1 if package else 0)]
                base = ".".join(anchor + ([base] if base else []))
            # `from claimgraph import web` imports claimgraph.web
            found += [(node.lineno, f"{base}.{alias.name}") for alias in node.names] + [(node.lineno, base)]
    return found


def violations(sources: dict[str, tuple[str, bool]]) -> list[str]:
    """'module:line imports X (rule)' for each import that breaks a rule; sources: module -> (text, is a package)."""
    out = []
    for module, (source, package) in sorted(sources.items()):
        for line, name in imported(module, source, package=package):
            for rule, applies, forbidden in RULES:
                if applies(module) and _within(name, forbidden):  # type: ignore[operator]
                    out.append(f"{module}:{line} imports {name} ({rule})")
    return sorted(set(out))


def _tree() -> dict[str, tuple[str, bool]]:
    return {module_name(path): (path.read_text(encoding="utf-8"), path.name == "__init__.py")
            for path in PACKAGE.rglob("*.py")}


def test_the_tree_keeps_its_layers() -> None:
    sources = _tree()
    assert len(sources) > 50 and "claimgraph.store.sql" in sources and "claimgraph.web.app" in sources
    assert violations(sources) == []


def test_a_layer_violation_is_found() -> None:
    sources = {
        "claimgraph.report": ("import click\nfrom claimgraph.cli import main\n", False),
        "claimgraph.store.sql": ("def f():\n    from claimgraph.analyse.roles import parse_role\n", False),
        "claimgraph.store": ("from .. import web\nfrom .sql import Store\n", True),  # a package: .. is claimgraph
        "claimgraph.store.ach": ("from claimgraph import web\nfrom claimgraph.link import Linker\n", False),
        "claimgraph.web.app": ("import fastapi\nfrom claimgraph.cli import main\n", False),  # the web may
        "claimgraph.cli": ("import click\nfrom claimgraph.web.cli import serve_command\n", False),  # so may the CLI
    }
    found = violations(sources)
    assert found == [
        "claimgraph.report:1 imports click (the library does not import the CLI or the web app)",
        "claimgraph.report:2 imports claimgraph.cli (the library does not import the CLI or the web app)",
        "claimgraph.report:2 imports claimgraph.cli.main (the library does not import the CLI or the web app)",
        "claimgraph.store.ach:1 imports claimgraph.web (the library does not import the CLI or the web app)",
        "claimgraph.store.ach:1 imports claimgraph.web (the store does not import a stage or the web app)",
        "claimgraph.store.ach:2 imports claimgraph.link (the store does not import a stage or the web app)",
        "claimgraph.store.ach:2 imports claimgraph.link.Linker (the store does not import a stage or the web app)",
        "claimgraph.store.sql:2 imports claimgraph.analyse.roles (the store does not import a stage or the web app)",
        "claimgraph.store.sql:2 imports claimgraph.analyse.roles.parse_role (the store does not import a stage or the web app)",
        "claimgraph.store:1 imports claimgraph.web (the library does not import the CLI or the web app)",
        "claimgraph.store:1 imports claimgraph.web (the store does not import a stage or the web app)",
    ]


def test_the_store_importing_a_stage_is_found() -> None:
    """The store reaching for link/, the pipeline or the ledger again (as store/linker.py and
    store/entities.py did) breaks the rule, whether at the top, in a function or for typing only;
    so does a stage reaching for the pipeline that runs it."""
    sources = {
        "claimgraph.store.linker": ("from claimgraph.link.readout import Layer\n", False),
        "claimgraph.store.entities": (
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from claimgraph.link.entities import CanonicalEntity\n"
            "def f():\n    from claimgraph.pipeline.link_step import load_head\n", False),
        "claimgraph.store.links": ("from ..assess import credibility\nfrom claimgraph import ledger\n", False),
        "claimgraph.store.sql": ("from claimgraph.models import Claim\nfrom claimgraph.sources import source_key\n", False),
        "claimgraph.link.lines": ("from claimgraph.pipeline.steps import step\n", False),  # nor a stage the pipeline
    }
    found = {line.split(" (")[0] for line in violations(sources)}
    assert found == {
        "claimgraph.store.linker:1 imports claimgraph.link.readout", "claimgraph.store.linker:1 imports claimgraph.link.readout.Layer",
        "claimgraph.store.entities:3 imports claimgraph.link.entities",
        "claimgraph.store.entities:3 imports claimgraph.link.entities.CanonicalEntity",
        "claimgraph.store.entities:5 imports claimgraph.pipeline.link_step",
        "claimgraph.store.entities:5 imports claimgraph.pipeline.link_step.load_head",
        "claimgraph.store.links:1 imports claimgraph.assess", "claimgraph.store.links:1 imports claimgraph.assess.credibility",
        "claimgraph.store.links:2 imports claimgraph.ledger",
        "claimgraph.link.lines:1 imports claimgraph.pipeline.steps", "claimgraph.link.lines:1 imports claimgraph.pipeline.steps.step",
    }


# What the store may import of claimgraph: itself, the errors, the records and the source keys
# they are stored under (leaf modules that import no stage). A new top-level module the store
# reaches for is a stage until it is listed here.
STORE_MAY_IMPORT = ("claimgraph.store", "claimgraph.errors", "claimgraph.models", "claimgraph.sources", "claimgraph.text")


def test_the_store_imports_only_persistence_and_records() -> None:
    sources = _tree()
    found = sorted({f"{module}:{line} imports {name}"
                    for module, (source, package) in sources.items() if _within(module, "claimgraph.store")
                    for line, name in imported(module, source, package=package)
                    if _within(name, "claimgraph") and name != "claimgraph" and not _within(name, STORE_MAY_IMPORT)})
    assert found == []
    for leaf in STORE_MAY_IMPORT[1:]:  # and those reach no stage through their own imports
        source, package = sources[leaf]
        reached = {name for _, name in imported(leaf, source, package=package) if _within(name, "claimgraph")}
        assert all(_within(name, STORE_MAY_IMPORT[1:]) for name in reached), (leaf, reached)


def test_a_stage_importing_the_store_is_found() -> None:
    """ingest, analyse, link and assess reaching for the store again (as ingest/pipeline.py and
    assess/matrix.py did) breaks the rule, whether at the top, in a function, relative or for
    typing only; the pipeline may."""
    sources = {
        "claimgraph.ingest.pipeline": ("from claimgraph.store import Store\nfrom claimgraph.store.sql import storable_name\n",
                                       False),
        "claimgraph.assess.matrix": (
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from claimgraph.store import Store\n"
            "def f():\n    from ..store import ach\n", False),
        "claimgraph.analyse": ("import claimgraph.store.schema\n", True),
        "claimgraph.link.corpus": ("from claimgraph import store\n", False),
        "claimgraph.pipeline.ingest_step": ("from claimgraph.store import Store\n", False),  # the pipeline may
    }
    found = {line.split(" (")[0] for line in violations(sources)}
    assert found == {
        "claimgraph.ingest.pipeline:1 imports claimgraph.store", "claimgraph.ingest.pipeline:1 imports claimgraph.store.Store",
        "claimgraph.ingest.pipeline:2 imports claimgraph.store.sql",
        "claimgraph.ingest.pipeline:2 imports claimgraph.store.sql.storable_name",
        "claimgraph.assess.matrix:3 imports claimgraph.store", "claimgraph.assess.matrix:3 imports claimgraph.store.Store",
        "claimgraph.assess.matrix:5 imports claimgraph.store", "claimgraph.assess.matrix:5 imports claimgraph.store.ach",
        "claimgraph.analyse:1 imports claimgraph.store.schema",
        "claimgraph.link.corpus:1 imports claimgraph.store",
    }
    assert all("(a stage does not import the store" in line for line in violations(sources))
