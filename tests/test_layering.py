"""Layers: the library never imports its surfaces (the CLI, the web app, click, FastAPI), and the
store never imports the analysis or the web app.

Read from the source (every import statement, inside functions and TYPE_CHECKING blocks too), not
from sys.modules: spaCy itself loads click through typer, which is no import of ours. The rules are
those the tree keeps today; store/ still imports link/ (store/linker.py, store/entities.py), which
issue 15 means to move out, so that is not a rule yet.
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


def _within(name: str, prefixes: tuple[str, ...] | str) -> bool:
    prefixes = (prefixes,) if isinstance(prefixes, str) else prefixes
    return any(name == p or name.startswith(p + ".") for p in prefixes)


# (which modules, what they may not import, why)
RULES: list[tuple[str, object, tuple[str, ...]]] = [
    ("the library does not import the CLI or the web app",
     lambda module: not _within(module, CLI) and not _within(module, WEB), CLI + (WEB,) + FRAMEWORKS),
    ("the store does not import the analysis or the web app",
     lambda module: _within(module, "claimgraph.store"), ("claimgraph.analyse", WEB)),
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
        "claimgraph.store.ach:1 imports claimgraph.web (the store does not import the analysis or the web app)",
        "claimgraph.store.sql:2 imports claimgraph.analyse.roles (the store does not import the analysis or the web app)",
        "claimgraph.store.sql:2 imports claimgraph.analyse.roles.parse_role (the store does not import the analysis or the web app)",
        "claimgraph.store:1 imports claimgraph.web (the library does not import the CLI or the web app)",
        "claimgraph.store:1 imports claimgraph.web (the store does not import the analysis or the web app)",
    ]
