"""The OpenAPI document of the JSON API, kept in the repository as docs/openapi.json.

    python -m claimgraph.web.openapi docs/openapi.json
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from fastapi import FastAPI


def openapi_text(app: FastAPI) -> str:
    """The spec as stable text (sorted keys, two-space indent, final newline)."""
    return json.dumps(app.openapi(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> None:
    from claimgraph.web.app import WebOptions, create_app

    with tempfile.TemporaryDirectory() as folder:
        app = create_app(WebOptions(db=str(Path(folder) / "spec.db")))
        text = openapi_text(app)
        app.state.store.close()
    if argv:
        Path(argv[0]).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main(sys.argv[1:])
