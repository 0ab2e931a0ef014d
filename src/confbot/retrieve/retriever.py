"""Hybrid retrieval: dense (e5 via Chroma) + BM25 over jieba tokens, fused by reciprocal rank fusion.

Queries get the same normalization as documents (t2s, pinyin stripped), so a question in
traditional Chinese matches the simplified corpus. :class:`HybridRetriever` is plain Python;
:func:`langchain_retriever` wraps it as a LangChain ``BaseRetriever``.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Container, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from confbot.embed.embedder import Embedder
from confbot.errors import InputError, ServiceError
from confbot.ingest.tables import TABLE_CELL_SEP
from confbot.records import Chunk, Hit
from confbot.retrieve.bm25 import BM25, STOPWORDS, BM25Index, jieba_tokenizer, tokenize
from confbot.retrieve.fusion import (
    calibrate_bm25_languages,
    calibrate_languages,
    event_filter,
    event_ranking,
    in_scope,
    rrf,
    scope_key,
)
from confbot.store.chroma import ChunkStore
from confbot.text.cjk import has_cjk
from confbot.text.events import editions, year_mentions
from confbot.text.language import text_language
from confbot.text.lexicon import TABLE_QUESTION
from confbot.text.normalize import normalize_query

log = logging.getLogger(__name__)

__all__ = ["BM25", "STOPWORDS", "Hit", "HybridRetriever", "langchain_retriever", "rrf", "tokenize"]
_LATIN_WORD_RE = re.compile(r"[A-Za-z]{3,}")


@dataclass(frozen=True)
class TermStatistics:
    """``doc_freq(term)`` -> chunks holding it, ``n_docs`` chunks in all, ``vocabulary`` every indexed term."""

    doc_freq: Callable[[str], int]
    n_docs: int
    vocabulary: Container[str]


@dataclass
class RetrievalTimings:
    embed: float = 0.0
    dense: float = 0.0
    bm25: float = 0.0
    fusion: float = 0.0
    extra: dict[str, float] = field(default_factory=dict)


class HybridRetriever:
    """Dense + BM25 retrieval over one :class:`ChunkStore`.

    The BM25 side follows the store: before a query it checks the collection's generation (at
    most every ``sync_interval`` seconds) and fetches only the sources that changed, so several
    app processes over one Chroma server stay fresh without rebuilding. With ``index_cache`` the
    BM25 index is saved there after each change and loaded at start instead of being rebuilt.
    """

    def __init__(
        self,
        store: ChunkStore,
        embedder: Embedder,
        *,
        candidates: int = 30,
        rrf_k: int = 60,
        dense_weight: float = 1.0,
        bm25_weight: float = 1.0,
        event_weight: float = 1.0,
        translated_mix: float = 0.5,
        cache_dir: str | None = None,
        crosslingual: bool = True,
        index_cache: Path | None = None,
        sync_interval: float = 1.0,
        scope: str | None = None,
        exact_scope_max: int = 50_000,
        vector_cache: int = 20_000,
    ) -> None:
        self.store = store
        self.scope = scope
        self.exact_scope_max = exact_scope_max
        self.embedder = embedder
        self.candidates = candidates
        self.rrf_k = rrf_k
        self.dense_weight = dense_weight
        self.bm25_weight = bm25_weight
        self.event_weight = event_weight
        self.translated_mix = translated_mix
        self.cache_dir = cache_dir
        self.crosslingual = crosslingual
        self.index_cache = index_cache
        self.sync_interval = sync_interval
        self._query_cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self.last_timings = RetrievalTimings()
        self.lexical = BM25Index()
        self.versions: dict[str, str] = {}
        self.revision = 0  # bumped whenever the BM25 side changed (answer term weights follow it)
        self._synced_at = -1e9
        self._sync_lock = threading.Lock()
        self._cache_lock = threading.Lock()
        self._masks: dict[tuple[str, int], tuple[list[str], np.ndarray]] = {}
        # question language -> the index revision at which no chunk of another language was found
        self._monolingual: dict[str, int] = {}
        # (scope, revision) -> the scope's ids, their row numbers and vectors: an exact search in memory
        self._scope_vectors: dict[tuple[str, int], tuple[list[str], dict[str, int], np.ndarray]] = {}
        # chunk id -> vector, for rescoring BM25 candidates (an id names one version of a file: never stale)
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self.vector_cache = vector_cache
        self._source_events: tuple[int, dict[str, tuple[tuple[int, ...], tuple[int, ...]]]] | None = None
        self.refresh()

    @property
    def bm25(self) -> BM25Index:
        return self.lexical

    def term_statistics(self) -> TermStatistics:
        """The BM25 side's document frequencies, for weighting a question's terms (follows :attr:`revision`)."""
        lex = self.lexical
        return TermStatistics(lex.doc_freq, lex.n, lex.postings)

    @property
    def size(self) -> int:
        """Committed chunks the retriever searches."""
        return self.lexical.n

    def refresh(self) -> None:
        """Bring the BM25 side in line with the store now (after an ingest in this process)."""
        self.sync(force=True)

    def sync(self, force: bool = False) -> bool:
        """Follow the store's changes; True when something changed."""
        now = time.monotonic()
        if not force and now - self._synced_at < self.sync_interval:
            return False
        if not self._sync_lock.acquire(blocking=force):  # one thread syncs; the others go on meanwhile
            return False
        try:
            return self._sync(now)
        finally:
            self._sync_lock.release()

    def _sync(self, now: float) -> bool:
        self._synced_at = now
        state = self.store.state()
        key = {"collection": state.collection_id, "generation": state.generation}
        if self.lexical.key == key:
            return False
        lex = self.lexical
        if lex.key.get("collection") != state.collection_id:
            cached = BM25Index.load(self._cache_path(state.collection_id)) if self.index_cache else None
            lex = cached if cached is not None and cached.key.get("collection") == state.collection_id else BM25Index()
        versions = state.versions()
        lex.sync(versions, self.store.committed_records, self.store.committed_records_many)
        lex.key = key
        self.lexical, self.versions = lex, versions
        self.revision += 1
        if self.index_cache:
            try:
                lex.save(self._cache_path(state.collection_id))
            except OSError as exc:
                log.warning("could not save the BM25 cache (%s); it will be rebuilt next time", exc)
        return True

    def _cache_path(self, collection_id: str) -> Path:
        assert self.index_cache is not None
        return self.index_cache / f"bm25-{collection_id}.npz"

    @property
    def chunks(self) -> list[Chunk]:
        """Every committed chunk (fetched from the store: for tools and tests, not the query path)."""
        return self.store.all_chunks()

    def following(self, chunk: Chunk) -> Chunk | None:
        """The chunk after ``chunk`` in its document (``index`` + 1), read from the store; None at the document's end,
        for a source the index no longer holds, or when the store cannot be read (one Chroma call over the
        document's chunk ids: BM25 keeps them per source, not in order)."""
        lex = self.lexical
        ids = [lex.ids[i] for i in lex.by_source.get(chunk.source, []) if lex.alive[i]]
        if chunk.id not in ids:
            return None
        try:
            found = self.store.get(ids)
        except ServiceError as exc:
            log.warning("could not read the chunk after %s: %s", chunk.id, exc)
            return None
        return next((c for c in found.values() if c.index == chunk.index + 1), None)

    def translated_vector(self, normalized_query: str) -> np.ndarray | None:
        """The query vector of the question put word by word into the index's other language
        (:func:`~confbot.retrieve.crosslingual.translate_query`, over the index's own words; cached as any query
        vector); None when no word of it translates. Retrieval and the selector's sentence similarity both use it."""
        from confbot.retrieve.crosslingual import translate_query

        text = translate_query(normalized_query, self.lexical.postings, self.cache_dir)
        return self.embed_query(text) if text else None

    def embed_query(self, text: str) -> np.ndarray:
        with self._cache_lock:
            vec = self._query_cache.get(text)
            if vec is not None:
                self._query_cache.move_to_end(text)
                return vec
        vec = self.embedder.embed_query(text)
        with self._cache_lock:
            self._query_cache[text] = vec
            if len(self._query_cache) > 512:
                self._query_cache.popitem(last=False)
        return vec

    def query_terms(self, normalized_query: str) -> list[str]:
        """BM25 terms of a normalized query; English words also bring their Chinese key terms."""
        terms = tokenize(normalized_query, self.cache_dir)
        if self.crosslingual and _LATIN_WORD_RE.search(normalized_query):
            from confbot.retrieve.crosslingual import expand

            terms += expand(normalized_query, self.lexical.postings, self.cache_dir)
        elif self.crosslingual and self._monolingual.get("zh") != self.revision and has_cjk(normalized_query):
            from confbot.retrieve.crosslingual import expand_to_english

            words = jieba_tokenizer(self.cache_dir).lcut(normalized_query)  # whole words: 论坛, not 论 + 坛
            terms += expand_to_english(words, self.lexical.postings, self.cache_dir)
        return terms

    def _rescore(
        self,
        dense: list[tuple[str, float]],
        bm_ranking: Sequence[str],
        vec: np.ndarray,
        known: Callable[[str], float | None] | None = None,
    ) -> tuple[list[tuple[str, float]], dict[str, float]]:
        """Give BM25's candidates their exact cosine, and a place in the dense ranking when they earn one.

        The dense search is approximate (HNSW): a Chroma server answering while it indexes an upsert, or a
        large index, can leave out a chunk that is in fact among the nearest. A BM25 candidate whose cosine
        beats the dense list's last place takes its place, so a lexical match the vector index missed is
        still ranked by meaning; every hit then shows both scores. Vectors come from ``known`` (an exact
        scoped search has them all), an LRU of recent ones, or Chroma (vectors only: no texts)."""
        dense_scores = dict(dense)
        extra = [cid for cid in bm_ranking if cid not in dense_scores]
        if not extra:
            return dense, dense_scores
        scores: dict[str, float] = {}
        if known is not None:
            scores = {cid: s for cid in extra if (s := known(cid)) is not None}
        try:
            vecs = self._cached_vectors([cid for cid in extra if cid not in scores])
        except ServiceError as exc:  # the hits keep their BM25 rank; the next read reports an outage
            log.warning("could not read the vectors of %d BM25 candidates: %s", len(extra), exc)
            vecs = {}
        scores.update((cid, float(np.dot(v, vec))) for cid, v in vecs.items())
        dense_scores.update(scores)
        floor = dense[-1][1] if len(dense) >= self.candidates else -np.inf
        earned = [(cid, cos) for cid, cos in scores.items() if cos > floor]
        if not earned:
            return dense, dense_scores
        ranked = sorted([*dense, *earned], key=lambda cs: -cs[1])
        return ranked[: self.candidates], dense_scores

    def _cached_vectors(self, ids: Sequence[str]) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        with self._cache_lock:
            for cid in ids:
                v = self._vectors.get(cid)
                if v is not None:
                    self._vectors.move_to_end(cid)
                    out[cid] = v
        need = [cid for cid in ids if cid not in out]
        if need:
            got = self.store.vectors(need)
            out.update(got)
            with self._cache_lock:
                self._vectors.update(got)
                while len(self._vectors) > self.vector_cache:
                    self._vectors.popitem(last=False)
        return out

    def _scope_search(
        self,
        key: str,
        mask: np.ndarray,
        vec: np.ndarray,
    ) -> tuple[list[tuple[str, float]], Callable[[str], float | None]]:
        """Exact cosine search over a scope's vectors, held in memory per index revision (fetched once)."""
        cache_key = (key, self.revision)
        cached = self._scope_vectors.get(cache_key)
        if cached is None:
            lex = self.lexical
            ids = [lex.ids[i] for i in np.flatnonzero(mask[: len(lex.ids)])]
            got = self.store.vectors(ids)
            ids = [cid for cid in ids if cid in got]
            mat = np.stack([got[cid] for cid in ids]) if ids else np.zeros((0, self.embedder.dim), np.float32)
            cached = (ids, {cid: i for i, cid in enumerate(ids)}, mat)
            # other scopes of this revision stay (a few); an older revision's vectors go
            kept = [(k, v) for k, v in self._scope_vectors.items() if k[1] == self.revision][:3]
            self._scope_vectors = {**dict(kept), cache_key: cached}
        ids, rows, mat = cached
        if not ids:
            return [], lambda cid: None
        sims = mat @ np.asarray(vec, dtype=np.float32)
        n = min(self.candidates, len(ids))
        part = np.argpartition(-sims, n - 1)[:n]
        order = part[np.argsort(-sims[part], kind="stable")]

        def known(cid: str) -> float | None:
            row = rows.get(cid)
            return None if row is None else float(sims[row])

        return [(ids[i], float(sims[i])) for i in order], known

    def scope_sources(self, scope: str) -> tuple[list[str], np.ndarray]:
        """The committed sources under ``scope`` (a folder or a file of the project), and BM25's mask of them."""
        lex, revision = self.lexical, self.revision
        key = scope_key(scope)
        cached = self._masks.get((key, revision))
        if cached is not None:
            return cached
        sources = sorted(s for s in lex.versions if in_scope(s, key))
        if not sources:
            folders = sorted({s.rsplit("/", 1)[0] for s in lex.versions})[:12]
            raise InputError(
                f"no ingested file is under {scope!r}; the index holds files in: {', '.join(folders) or 'nothing yet'}. "
                "Use one of those folders (or a file) as the scope, or none for every file."
            )
        mask = self._source_mask(lex, sources)
        if len(self._masks) > 64:
            self._masks.clear()
        self._masks[(key, revision)] = (sources, mask)
        return sources, mask

    def retrieve(self, query: str, k: int = 5, scope: str | None = None) -> list[Hit]:
        """The ``k`` best chunks for ``query``; ``scope`` (default: the retriever's) limits them to files under a
        folder of the project ("" for every file)."""
        t = RetrievalTimings()
        ts = time.perf_counter()
        self.sync()
        scope = (self.scope if scope is None else scope) or ""
        key = scope_key(scope)
        sources, mask = self.scope_sources(scope) if key else (None, None)
        q = normalize_query(query)
        qlang = text_language(q)
        t0 = time.perf_counter()
        vec = self.embed_query(q)
        t1 = time.perf_counter()
        known: Callable[[str], float | None] | None = None
        try:
            if sources is not None and mask is not None and int(mask.sum()) <= self.exact_scope_max:
                pairs, known = self._scope_search(key, mask, vec)
                dense: list[tuple[Chunk, float]] = []
            else:
                dense = self.store.query(vec, self.candidates, self.versions, sources)
                seen = {c.id for c, _ in dense}
                # the nearest chunks in other languages: their cosines run lower, so they are ranked apart
                # (not asked again while the index, unchanged, is known to hold none)
                if self._monolingual.get(qlang) != self.revision:
                    other = self.store.query(vec, self.candidates, self.versions, sources, exclude_lang=qlang)
                    if not other and sources is None:
                        self._monolingual[qlang] = self.revision
                    dense += [(c, s) for c, s in other if c.id not in seen]
                pairs = sorted(((c.id, s) for c, s in dense), key=lambda cs: -cs[1])
        except ServiceError as exc:
            if not self.store.embedded:
                raise  # a Chroma server down: the caller says so
            # embedded index being rewritten by another process: answer from BM25 for this question
            log.warning("dense search failed during another process's ingest, using BM25 only: %s", exc)
            dense, pairs = [], []
            t.extra["dense_failed"] = 1.0
        t2 = time.perf_counter()
        bm_top = self.lexical.top(self.query_terms(q), self.candidates, mask)
        bm_ranking = [cid for cid, _ in bm_top]
        bm_scores = dict(bm_top)
        t3 = time.perf_counter()
        chunks = {c.id: c for c, _ in dense}
        if self._monolingual.get(qlang) != self.revision and len(bm_top) > 1:  # passages of two languages
            bm_ranking = self._bm25_by_language(bm_top, chunks, qlang)
        ranked, dense_scores = self._rescore(pairs, bm_ranking, vec, known)
        ranked = self._translated_scores(q, qlang, vec, sources, chunks, ranked, dense_scores)
        dense_ranking = [cid for cid, _ in calibrate_languages(ranked, {c.id: c.lang for c in chunks.values()}, qlang)]
        fused = rrf([dense_ranking, bm_ranking], [self.dense_weight, self.bm25_weight], self.rrf_k)
        years, named_editions = set(year_mentions(q)), editions(q)
        if self.event_weight and (years or named_editions):  # favour the documents of the year/edition asked about
            self._read_missing(list(fused), chunks)
            order = sorted(fused, key=lambda cid: -fused[cid])
            event = self._event_search(q, vec, qlang, years, named_editions, sources, chunks)
            event = event or event_ranking(order, chunks, years, named_editions)
            if event:
                weights = [self.dense_weight, self.bm25_weight, self.event_weight]
                fused = rrf([dense_ranking, bm_ranking, event], weights, self.rrf_k)
                t.extra["event_matches"] = float(len(event))
        if self.event_weight and TABLE_QUESTION.search(q):  # "according to the table…": favour table rows
            self._favour_table_rows(fused, chunks, years, named_editions)
        top = sorted(fused, key=lambda cid: -fused[cid])[:k]
        self._read_missing(top, chunks)  # hits the dense search did not return: their texts (few rows, read once)
        hits = [
            Hit(
                chunk=chunks[cid],
                score=fused[cid],
                dense_score=dense_scores.get(cid, 0.0),
                bm25_score=bm_scores.get(cid, 0.0),
                dense_rank=dense_ranking.index(cid) + 1 if cid in dense_ranking else None,
                bm25_rank=bm_ranking.index(cid) + 1 if cid in bm_ranking else None,
            )
            for cid in top
            if cid in chunks
        ]
        t4 = time.perf_counter()
        t.embed, t.dense, t.bm25, t.fusion = t1 - t0, t2 - t1, t3 - t2, t4 - t3
        t.extra["sync"] = t0 - ts
        self.last_timings = t
        return hits

    def _translated_scores(
        self,
        q: str,
        qlang: str,
        vec: np.ndarray,
        sources: Sequence[str] | None,
        chunks: dict[str, Chunk],
        ranked: list[tuple[str, float]],
        dense_scores: dict[str, float],
    ) -> list[tuple[str, float]]:
        """The dense ranking ``ranked`` ([(id, cosine)]) with the chunks in another language than the question's
        scored by ``translated_mix`` x their cosine to the question put word by word into their language
        (:func:`~confbot.retrieve.crosslingual.translate_query`) + (1 - ``translated_mix``) x their cosine to the
        question, and that translated query's nearest chunks added; unchanged when the index holds one language,
        the mix is 0 or no word of the question translates. New chunks join ``chunks``, their cosine to the
        question ``dense_scores``.

        multilingual-e5-small ranks passages across languages poorly (:func:`calibrate_languages`), a bag of a
        passage's own words in its own language much better: on the 29-corpus dev suite (mix 0.5) hit@3 en -> zh
        0.74 -> 0.82, zh -> en 0.56 -> 0.78, macro hit@3 0.873 -> 0.893, answer accuracy 0.839 -> 0.844. The
        mix keeps the question's own meaning in the score (the translation alone: accuracy 0.841, refusal
        precision 0.739 rather than 0.748)."""
        if not (self.crosslingual and self.translated_mix) or self._monolingual.get(qlang) == self.revision:
            return ranked
        tvec = self.translated_vector(q)
        if tvec is None:
            return ranked
        try:
            found = self.store.query(tvec, self.candidates, self.versions, sources, exclude_lang=qlang)
            for c, _ in found:
                chunks.setdefault(c.id, c)
            other = [cid for cid, _ in ranked if cid in chunks and chunks[cid].lang != qlang]
            vecs = self._cached_vectors(list(dict.fromkeys([*(c.id for c, _ in found), *other])))
        except ServiceError as exc:  # the question's own ranking still answers
            log.warning("the translated question's dense search failed: %s", exc)
            return ranked
        own = {cid: float(np.dot(v, vec)) for cid, v in vecs.items()}  # cosine to the question itself
        for cid, cos in own.items():
            dense_scores.setdefault(cid, cos)
        mix = self.translated_mix
        scored = {cid: mix * float(np.dot(v, tvec)) + (1 - mix) * own[cid] for cid, v in vecs.items()}
        same = [(cid, s) for cid, s in ranked if cid not in scored]
        return sorted([*same, *scored.items()], key=lambda cs: -cs[1])

    @staticmethod
    def _source_mask(lex: BM25Index, sources: Iterable[str]) -> np.ndarray:
        """``lex``'s mask (one bool per indexed chunk) of the chunks of ``sources``."""
        mask = np.zeros(len(lex.ids), dtype=bool)
        for src in sources:
            mask[lex.by_source.get(src, [])] = True
        return mask

    def _bm25_by_language(self, bm_top: Sequence[tuple[str, float]], chunks: dict[str, Chunk], qlang: str) -> list[str]:
        """BM25's candidate ids ordered by :func:`calibrate_bm25_languages` (their chunks read into ``chunks``)."""
        self._read_missing([cid for cid, _ in bm_top], chunks)
        langs = {cid: chunks[cid].lang for cid, _ in bm_top if cid in chunks}
        return [cid for cid, _ in calibrate_bm25_languages(bm_top, langs, qlang)]

    def _favour_table_rows(
        self, fused: dict[str, float], chunks: dict[str, Chunk], years: set[int], named_editions: set[int]
    ) -> None:
        """Add to ``fused`` (in place) one more RRF list, weighted like the event ranking: the candidates that
        are table rows, in fused order, for a question that points at a table ("一览表里…", "per the schedule
        table"); rows naming the year or edition asked about come first (an overview page's document is about its
        latest edition, its rows each about their own). Nothing when every candidate (or none) is a table row."""
        self._read_missing(list(fused), chunks)
        order = sorted(fused, key=lambda cid: -fused[cid])
        rows = [cid for cid in order if cid in chunks and TABLE_CELL_SEP in chunks[cid].text]
        if years or named_editions:

            def names_event(cid: str) -> bool:
                text = chunks[cid].text
                return bool(named_editions & editions(text) or years & set(year_mentions(text)))

            rows.sort(key=lambda cid: not names_event(cid))  # stable: fused order within each group
        if 0 < len(rows) < len(order):
            for cid, extra in rrf([rows], [self.event_weight], self.rrf_k).items():
                fused[cid] += extra

    def source_events(self) -> dict[str, tuple[tuple[int, ...], tuple[int, ...]]]:
        """Each committed source's (years, editions), as ingest learned them (read from one chunk of each, once
        per index revision)."""
        cached = self._source_events
        if cached is not None and cached[0] == self.revision:
            return cached[1]
        lex = self.lexical
        first = {src: lex.ids[pos[0]] for src, pos in lex.by_source.items() if pos}
        got: dict[str, Chunk] = {}
        try:
            got = self.store.get(list(first.values()))
        except ServiceError as exc:
            if not self.store.embedded:
                raise
            log.warning("could not read the documents' years and editions: %s", exc)
        events = {src: (got[cid].years, got[cid].editions) for src, cid in first.items() if cid in got}
        self._source_events = (self.revision, events)
        return events

    def _event_search(
        self,
        q: str,
        vec: np.ndarray,
        qlang: str,
        years: set[int],
        named_editions: set[int],
        sources: Sequence[str] | None,
        chunks: dict[str, Chunk],
    ) -> list[str]:
        """The best chunks of the documents about the year or edition a question names, searched among those
        documents alone (dense and BM25, fused): their chunks enter the candidates even when other years' chunks
        outrank them everywhere, as an English release about the asked edition under a Chinese question does.
        Which documents: as :func:`confbot.retrieve.fusion.event_ranking` judges them. [] when every document
        (or none) is about it."""
        events = self.source_events()
        about = event_filter(events.values(), years, named_editions)
        chosen = [src for src, (ys, eds) in events.items() if about(ys, eds) and (sources is None or src in sources)]
        if not chosen or len(chosen) == len(events):
            return []
        dense = self.store.query(vec, self.candidates, self.versions, chosen)
        for c, _ in dense:
            chunks.setdefault(c.id, c)
        langs = {c.id: c.lang for c, _ in dense}
        dense_ids = [cid for cid, _ in calibrate_languages([(c.id, sc) for c, sc in dense], langs, qlang)]
        mask = self._source_mask(self.lexical, chosen)
        bm_ids = [cid for cid, _ in self.lexical.top(self.query_terms(q), self.candidates, mask)]
        fused = rrf([dense_ids, bm_ids], [self.dense_weight, self.bm25_weight], self.rrf_k)
        order = sorted(fused, key=lambda cid: -fused[cid])
        self._read_missing(order, chunks)
        return [cid for cid in order if cid in chunks]

    def _read_missing(self, ids: Sequence[str], chunks: dict[str, Chunk]) -> None:
        """Add to ``chunks`` those of ``ids`` it lacks, read from the store (one call)."""
        missing = [cid for cid in ids if cid not in chunks]
        if not missing:
            return
        try:
            chunks.update(self.store.get(missing))
        except ServiceError as exc:
            if not self.store.embedded:
                raise
            log.warning("could not read %d hits during another process's ingest: %s", len(missing), exc)


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
