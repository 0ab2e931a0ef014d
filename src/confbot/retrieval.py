"""Hybrid retrieval: dense (e5 via Chroma) + BM25 over jieba tokens, fused by reciprocal rank fusion.

Queries get the same normalization as documents (t2s, pinyin stripped), so a question in
traditional Chinese matches the simplified corpus. :class:`HybridRetriever` is plain Python;
:func:`langchain_retriever` wraps it as a LangChain ``BaseRetriever``.
"""

from __future__ import annotations

import functools
import logging
import math
import re
import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from confbot.chunking import Chunk
from confbot.embeddings import Embedder
from confbot.lexicon import EN_STOPWORDS, ZH_STOPWORDS
from confbot.normalize import normalize_query
from confbot.store import ChunkStore

log = logging.getLogger(__name__)

STOPWORDS = ZH_STOPWORDS | EN_STOPWORDS
_LATIN_WORD_RE = re.compile(r"[A-Za-z]{3,}")
_TOKEN_RE = re.compile(r"[a-z0-9]+(?:[.+\-][a-z0-9]+)*|[\u3400-\u9fff\uf900-\ufaff]+")


@dataclass(frozen=True)
class Hit:
    """A retrieved chunk with every score that ranked it."""

    chunk: Chunk
    score: float
    dense_score: float
    bm25_score: float
    dense_rank: int | None = None
    bm25_rank: int | None = None


@dataclass
class RetrievalTimings:
    embed: float = 0.0
    dense: float = 0.0
    bm25: float = 0.0
    fusion: float = 0.0
    extra: dict[str, float] = field(default_factory=dict)


@functools.lru_cache(maxsize=1)
def _jieba(cache_dir: str | None = None) -> Any:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    if cache_dir:
        Path(cache_dir).mkdir(parents=True, exist_ok=True)
        jieba.dt.tmp_dir = cache_dir
    jieba.initialize()
    return jieba


def tokenize(text: str, cache_dir: str | None = None) -> list[str]:
    """BM25 tokens: jieba search-mode words for Chinese, lower-cased words and numbers otherwise; no stopwords."""
    jb = _jieba(cache_dir)
    out: list[str] = []
    for m in _TOKEN_RE.finditer(text.lower()):
        piece = m.group(0)
        if piece[0].isascii():
            out.append(piece)
        else:
            out.extend(w for w in jb.cut_for_search(piece) if w.strip())
    return [t for t in out if t not in STOPWORDS]


class BM25:
    """Okapi BM25 over pre-tokenized documents, scored through postings (no per-query O(N) Python loop)."""

    def __init__(self, docs: Sequence[Sequence[str]], k1: float = 1.2, b: float = 0.75) -> None:
        self.n = len(docs)
        lengths = np.array([len(d) for d in docs], dtype=np.float32)
        avg = float(lengths.mean()) if self.n else 1.0
        self.norm = k1 * (1 - b + b * lengths / max(avg, 1e-9))
        self.k1 = k1
        tf: dict[str, dict[int, int]] = {}
        for i, d in enumerate(docs):
            for t in d:
                row = tf.setdefault(t, {})
                row[i] = row.get(i, 0) + 1
        self.postings: dict[str, tuple[np.ndarray, np.ndarray, float]] = {}
        for t, row in tf.items():
            idx = np.fromiter(row.keys(), dtype=np.int64, count=len(row))
            cnt = np.fromiter(row.values(), dtype=np.float32, count=len(row))
            idf = math.log(1 + (self.n - len(row) + 0.5) / (len(row) + 0.5))
            self.postings[t] = (idx, cnt, idf)

    def scores(self, query: Sequence[str]) -> np.ndarray:
        s = np.zeros(self.n, dtype=np.float32)
        for t in dict.fromkeys(query):
            p = self.postings.get(t)
            if p is None:
                continue
            idx, cnt, idf = p
            s[idx] += idf * cnt * (self.k1 + 1) / (cnt + self.norm[idx])
        return s


def rrf(rankings: Sequence[Sequence[str]], weights: Sequence[float], k: int = 60) -> dict[str, float]:
    """Reciprocal rank fusion: sum of weight / (k + rank) over the rankings (ranks start at 1)."""
    fused: dict[str, float] = {}
    for ranking, w in zip(rankings, weights, strict=True):
        for r, cid in enumerate(ranking, start=1):
            fused[cid] = fused.get(cid, 0.0) + w / (k + r)
    return fused


class HybridRetriever:
    """Dense + BM25 retrieval over one :class:`ChunkStore`."""

    def __init__(self, store: ChunkStore, embedder: Embedder, *, candidates: int = 30, rrf_k: int = 60,
                 dense_weight: float = 1.0, bm25_weight: float = 1.0, cache_dir: str | None = None,
                 crosslingual: bool = True) -> None:  # fmt: skip
        self.store = store
        self.embedder = embedder
        self.candidates = candidates
        self.rrf_k = rrf_k
        self.dense_weight = dense_weight
        self.bm25_weight = bm25_weight
        self.cache_dir = cache_dir
        self.crosslingual = crosslingual
        self._query_cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self.last_timings = RetrievalTimings()
        self.refresh()

    def refresh(self) -> None:
        """Reload the chunk list and BM25 statistics from the store (after an ingest)."""
        self.chunks = self.store.all_chunks()
        self.by_id = {c.id: i for i, c in enumerate(self.chunks)}
        self.bm25 = BM25([tokenize(c.text, self.cache_dir) for c in self.chunks])

    def embed_query(self, text: str) -> np.ndarray:
        vec = self._query_cache.get(text)
        if vec is None:
            vec = self.embedder.embed_query(text)
            self._query_cache[text] = vec
            if len(self._query_cache) > 512:
                self._query_cache.popitem(last=False)
        else:
            self._query_cache.move_to_end(text)
        return vec

    def query_terms(self, normalized_query: str) -> list[str]:
        """BM25 terms of a normalized query; English words also bring their Chinese key terms."""
        terms = tokenize(normalized_query, self.cache_dir)
        if self.crosslingual and _LATIN_WORD_RE.search(normalized_query):
            from confbot.crosslingual import expand

            terms += expand(normalized_query, self.bm25.postings, self.cache_dir)
        return terms

    def retrieve(self, query: str, k: int = 5) -> list[Hit]:
        t = RetrievalTimings()
        q = normalize_query(query)
        t0 = time.perf_counter()
        vec = self.embed_query(q)
        t1 = time.perf_counter()
        dense = self.store.query(vec, self.candidates)
        t2 = time.perf_counter()
        bm = self.bm25.scores(self.query_terms(q))
        order = np.argsort(-bm, kind="stable")[: self.candidates]
        bm_ranking = [self.chunks[i].id for i in order if bm[i] > 0]
        t3 = time.perf_counter()
        dense_ranking = [c.id for c, _ in dense]
        fused = rrf([dense_ranking, bm_ranking], [self.dense_weight, self.bm25_weight], self.rrf_k)
        top = sorted(fused, key=lambda cid: -fused[cid])[:k]
        dense_scores = {c.id: s for c, s in dense}
        chunks = {c.id: c for c, _ in dense}
        missing = [cid for cid in top if cid not in dense_scores]
        if missing:  # BM25-only hits: compute their cosine too, so every hit shows both scores
            got = self.store.collection.get(ids=missing, include=["embeddings"])
            for cid, emb in zip(got["ids"], got["embeddings"], strict=True):
                dense_scores[cid] = float(np.dot(np.asarray(emb, dtype=np.float32), vec))
        hits = []
        for cid in top:
            i = self.by_id.get(cid)
            chunk = chunks.get(cid) or (self.chunks[i] if i is not None else None)
            if chunk is None:
                continue
            hits.append(
                Hit(
                    chunk=chunk,
                    score=fused[cid],
                    dense_score=dense_scores.get(cid, 0.0),
                    bm25_score=float(bm[i]) if i is not None else 0.0,
                    dense_rank=dense_ranking.index(cid) + 1 if cid in dense_scores and cid in dense_ranking else None,
                    bm25_rank=bm_ranking.index(cid) + 1 if cid in bm_ranking else None,
                )
            )
        t4 = time.perf_counter()
        t.embed, t.dense, t.bm25, t.fusion = t1 - t0, t2 - t1, t3 - t2, t4 - t3
        self.last_timings = t
        return hits


def langchain_retriever(retriever: HybridRetriever, k: int = 5) -> Any:
    """The hybrid retriever as a LangChain ``BaseRetriever`` (composes with any LangChain chain)."""
    from langchain_core.callbacks import CallbackManagerForRetrieverRun
    from langchain_core.documents import Document
    from langchain_core.retrievers import BaseRetriever

    class ConfbotRetriever(BaseRetriever):
        hybrid: Any
        k: int = 5

        def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
            return [
                Document(
                    page_content=h.chunk.text,
                    id=h.chunk.id,
                    metadata={
                        "source": h.chunk.source,
                        "chunk_id": h.chunk.id,
                        "start": h.chunk.start,
                        "end": h.chunk.end,
                        "score": h.score,
                        "dense_score": h.dense_score,
                        "bm25_score": h.bm25_score,
                    },
                )
                for h in self.hybrid.retrieve(query, self.k)
            ]

    return ConfbotRetriever(hybrid=retriever, k=k)
