"""Hybrid retrieval: dense (e5 via Chroma) + BM25 over jieba tokens, fused by reciprocal rank fusion.

Queries get the same normalization as documents (t2s, pinyin stripped), so a question in
traditional Chinese matches the simplified corpus. :class:`HybridRetriever` is plain Python;
:func:`langchain_retriever` wraps it as a LangChain ``BaseRetriever``.
"""

from __future__ import annotations

from collections.abc import Sequence


def rrf(rankings: Sequence[Sequence[str]], weights: Sequence[float], k: int = 60) -> dict[str, float]:
    """Reciprocal rank fusion: sum of weight / (k + rank) over the rankings (ranks start at 1)."""
    fused: dict[str, float] = {}
    for ranking, w in zip(rankings, weights, strict=True):
        for r, cid in enumerate(ranking, start=1):
            fused[cid] = fused.get(cid, 0.0) + w / (k + r)
    return fused


def scope_key(scope: str) -> str:
    """A scope as sources are written: project-relative, forward slashes, no ``./`` or trailing slash."""
    key = scope.strip().replace("\\", "/")
    while key.startswith("./"):
        key = key[2:]
    key = key.rstrip("/")
    return "" if key == "." else key


def in_scope(source: str, key: str) -> bool:
    return not key or source == key or source.startswith(key + "/")
