"""analyse: the per-document step (sentences, entities, attribution, hedging, denials, dates).

    nlp = load_nlp()
    analysis = analyse_document(document, nlp=nlp)
"""

from __future__ import annotations

from claimgraph.analyse.pipeline import MODEL_PACKAGE, STEP, analyse_document, load_nlp, model_name

__all__ = ["MODEL_PACKAGE", "STEP", "analyse_document", "load_nlp", "model_name"]
