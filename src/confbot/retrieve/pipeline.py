"""Open an index ready for questions: the embedder, the Chroma store and the hybrid retriever, loaded once."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from confbot.embed.embedder import Embedder
from confbot.embed.provision import load_embedder
from confbot.errors import InputError
from confbot.retrieve.retriever import HybridRetriever
from confbot.settings import Settings
from confbot.store.chroma import ChunkStore, make_client

log = logging.getLogger(__name__)


@dataclass
class Pipeline:
    """Everything a question needs, loaded once per process."""

    settings: Settings
    embedder: Embedder
    store: ChunkStore
    retriever: HybridRetriever

    @classmethod
    def open(cls, settings: Settings, embedder: Embedder | None = None) -> Pipeline:
        emb = embedder or load_embedder(settings)
        if settings.chroma_url or (settings.index_path / "chroma.sqlite3").exists():
            prefetch(emb, str(settings.cache_dir / "jieba"))
        client = make_client(settings.index_path, settings.chroma_url, timeout=settings.chroma_timeout)
        store = ChunkStore.open(client, settings.collection, emb)
        retriever = HybridRetriever(
            store,
            emb,
            candidates=settings.candidates,
            rrf_k=settings.rrf_k,
            dense_weight=settings.dense_weight,
            bm25_weight=settings.bm25_weight,
            event_weight=settings.event_weight,
            translated_mix=settings.translated_mix,
            cache_dir=str(settings.cache_dir / "jieba"),
            index_cache=settings.bm25_cache_path,
            sync_interval=settings.sync_seconds,
            scope=settings.scope,
            exact_scope_max=settings.exact_scope_max,
        )
        return cls(settings, emb, store, retriever)

    def check_question(self, question: str) -> str:
        q = "".join(ch for ch in question if ch.isprintable() or ch in "\n\t").strip()
        if not q:
            raise InputError("the question is empty; type a question about the conference.")
        if len(q) > self.settings.max_question_chars:
            raise InputError(
                f"the question is {len(q)} characters long; the limit is {self.settings.max_question_chars}. "
                "Ask about one thing at a time."
            )
        return q


def prefetch(emb: Embedder, jieba_dir: str) -> None:
    """Load the model and jieba's dictionary in background threads while Chroma opens: a CLI answers sooner.
    (The model's own lock makes a question that arrives first wait for the same load, not start another.)"""
    import threading

    from confbot.embed.embedder import LazyEmbedder
    from confbot.retrieve.bm25 import jieba_tokenizer

    def load() -> None:
        try:
            emb.dim  # noqa: B018 - loads a lazy model
        except Exception as exc:  # the first real use raises it again, with its message
            log.debug("prefetching the model failed: %s", exc)

    # not daemons: native code (onnxruntime, torch) must not be torn down mid-load at exit
    if isinstance(emb, LazyEmbedder):
        threading.Thread(target=load, name="confbot-model").start()
    threading.Thread(target=jieba_tokenizer, args=(jieba_dir,), name="confbot-jieba").start()
