"""Wiring of the stages: ingest files into the store, and open a ready retrieval pipeline."""

from __future__ import annotations

import concurrent.futures
import contextlib
import logging
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from confbot.chunking import Chunk, chunk_document
from confbot.embeddings import Embedder, load_embedder
from confbot.errors import ConfbotError, InputError, LoaderError
from confbot.loaders import Document, discover, load, relative_source
from confbot.retrieval import HybridRetriever, in_scope, scope_key
from confbot.settings import Settings
from confbot.store import ChunkStore, SourceInfo, committed_versions, failpoint, make_client

log = logging.getLogger(__name__)


@contextlib.contextmanager
def ingest_lock(settings: Settings) -> Iterator[None]:
    """One ingest at a time per index: a second one fails at once with a clear message."""
    import fcntl
    import hashlib
    import os

    if settings.chroma_url:
        tag = hashlib.sha256(f"{settings.chroma_url}/{settings.collection}".encode()).hexdigest()[:16]
        path = settings.cache_dir / "locks" / f"ingest-{tag}.lock"
    else:
        path = settings.index_path / ".confbot-ingest.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            holder = fh.read().strip() or "another process"
            raise ConfbotError(
                f"another ingest is running on this index ({holder}); wait for it to finish, then run this again."
            ) from None
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid {os.getpid()}")
        fh.flush()
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


@dataclass
class IngestReport:
    files: int = 0
    chunks: int = 0
    added: int = 0
    unchanged: int = 0
    removed: int = 0
    seconds: float = 0.0
    failed: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        d = asdict(self)
        d["seconds"] = round(self.seconds, 3)
        return d


def _progress(total: int, desc: str, enabled: bool):  # type: ignore[no-untyped-def]
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit="chunk", disable=not enabled, leave=False)


def load_documents(
    settings: Settings, paths: Sequence[Path], skip_bad: bool = False, known: Mapping[str, str] | None = None
) -> tuple[list[Document], list[str]]:
    """Load every file; with ``skip_bad`` unreadable files are reported, else the first batch of errors is raised.

    ``known`` (source -> sha256 of the indexed version): a file with the same bytes is not normalized again."""
    import hashlib

    files = discover(list(paths))
    if not files:
        where = ", ".join(str(p) for p in paths)
        raise InputError(f"no .txt, .md, .html, .pdf or .docx files found in {where}; add press releases there.")
    docs, errors = [], []
    corpus = settings.corpus_path.resolve()
    for f in files:
        try:
            real = f.resolve()
            if corpus != real and corpus not in real.parents:
                raise LoaderError(
                    f"{f}: resolves to {real}, outside the corpus folder {corpus} (a symlink or '..'); "
                    "copy the file into the corpus folder to index it."
                )
            source = relative_source(f, settings.project_root)
            if known and source in known and f.stat().st_size <= settings.max_file_bytes:
                data = f.read_bytes()
                sha = hashlib.sha256(data).hexdigest()
                if known[source] == sha:
                    docs.append(Document(source, "", sha, len(data), unchanged=True))
                    continue
            docs.append(load(f, settings.project_root, settings.max_file_bytes, settings.max_text_chars))
        except LoaderError as exc:
            errors.append(str(exc))
    if errors and not skip_bad:
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise LoaderError(f"{errors[0]}{more}. Nothing was indexed; fix the file or pass --skip-bad.")
    return docs, errors


def ingest(
    settings: Settings,
    paths: Sequence[Path] | None = None,
    embedder: Embedder | None = None,
    *,
    rebuild: bool = False,
    skip_bad: bool = False,
    progress: bool = False,
) -> IngestReport:
    """Bring the index in line with the files: add new chunks, keep unchanged ones, drop stale ones."""
    t0 = time.perf_counter()
    paths = list(paths or [settings.corpus_path])
    known: dict[str, str] = {}
    client = None
    if not rebuild and (settings.chroma_url or (settings.index_path / "chroma.sqlite3").exists()):
        client = make_client(settings.index_path, settings.chroma_url, timeout=settings.chroma_timeout)
        known = committed_versions(client, settings.collection)
    docs, errors = load_documents(settings, paths, skip_bad, known)
    emb = embedder or load_embedder(settings)
    if client is None:  # the index is created only once every file has loaded
        client = make_client(settings.index_path, settings.chroma_url, create=True, timeout=settings.chroma_timeout)
    with ingest_lock(settings):
        return _ingest(settings, paths, docs, errors, emb, client, rebuild, progress, t0)


def _ingest(
    settings: Settings,
    paths: list[Path],
    docs: list[Document],
    errors: list[str],
    emb: Embedder,
    client: object,
    rebuild: bool,
    progress: bool,
    t0: float,
) -> IngestReport:
    """Each file switches from its old to its new version in one manifest write (see :class:`ChunkStore`)."""
    from confbot.lexical import tokenize

    if rebuild:  # built beside the current collection, which stays usable until the new one is complete
        store = ChunkStore.start_rebuild(client, settings.collection, emb)
    else:
        store = ChunkStore.open(client, settings.collection, emb, create=True)
    report = IngestReport(files=len(docs), failed=errors)
    indexed = store.sources()
    if not store.clean:  # an earlier ingest was interrupted: drop what it wrote but never committed
        junk = store.leftovers()
        store.delete(junk)
        if junk:
            report.warnings.append(f"removed {len(junk)} uncommitted chunks left by an interrupted ingest")
    now = time.time()
    pending: list[tuple[Document, list[Chunk]]] = []
    for doc in docs:
        report.warnings.extend(doc.warnings)
        info = indexed.get(doc.source)
        if doc.unchanged and info and info.sha256 == doc.sha256:
            report.unchanged += info.chunks
            continue
        if doc.unchanged:  # changed by another ingest meanwhile: load it after all
            doc = load(settings.resolve(Path(doc.source)), settings.project_root, settings.max_file_bytes,
                       settings.max_text_chars)  # fmt: skip
        chunks = chunk_document(doc.source, doc.text, settings.chunk_size, settings.chunk_overlap, doc.sha256)
        if info and info.sha256 == doc.sha256 and info.chunks == len(chunks):
            report.unchanged += len(chunks)
            continue
        pending.append((doc, chunks))
    # files gone from the ingested folders lose their chunks
    present = {d.source for d in docs} | {e.split(":", 1)[0] for e in errors}
    roots = [scope_key(relative_source(p, settings.project_root)) for p in paths if p.is_dir()]
    gone = [src for src in indexed if src not in present and any(in_scope(src, r) for r in roots)]
    if pending or gone:
        store.mark(clean=False)  # until the end, a crash may leave uncommitted records behind
    failpoint("ingest-start")
    bar = _progress(sum(len(p[1]) for p in pending), "embedding", progress)
    step = max(1, settings.embed_batch_size)
    # files are embedded in groups of about ingest_group_chunks (sentence-transformers sorts a call's texts by
    # length, so larger groups pad less; small files share batches); a group's files are committed together
    group: list[tuple[Document, list[Chunk]]] = []
    jieba_dir = str(settings.cache_dir / "jieba")
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=1)
    for n, item in enumerate(pending):
        group.append(item)
        if sum(len(g[1]) for g in group) < settings.ingest_group_chunks and n + 1 < len(pending):
            continue
        old: dict[str, dict[str, Any]] = {}  # source -> its records (any version), to reuse and then delete
        reuse: dict[tuple[str, str], np.ndarray] = {}
        for doc, _ in group:
            if doc.source in indexed:
                got = store.records_for(doc.source, include=["documents", "embeddings"])
                old[doc.source] = got
                for text, vec in zip(got["documents"] or [], got["embeddings"], strict=True):
                    reuse[(doc.source, text)] = np.asarray(vec, dtype=np.float32)
        todo = [c for _, chunks in group for c in chunks if (c.source, c.text) not in reuse]
        # sorted by length across the whole group, so each encode call's batches pad as little as one call would
        todo.sort(key=lambda c: len(c.text))
        # jieba tokenizes the group in a thread while the model embeds it (torch releases the GIL)
        tokens = pool.submit(lambda g: [tokenize(c.text, jieba_dir) for _, chunks in g for c in chunks], group)
        vectors: dict[tuple[str, str], np.ndarray] = {}
        call = 8 * step  # one encode call sorts its texts by length; a few calls per group keep the bar moving
        for i in range(0, len(todo), call):
            part = todo[i : i + call]
            for c, v in zip(part, emb.embed_documents([c.text for c in part]), strict=True):
                vectors[(c.source, c.text)] = v
            bar.update(len(part))
        # the group's files in one upsert (Chroma's cost is per call), committed together below
        batch = [c for _, chunks in group for c in chunks]
        store.upsert(
            batch,
            np.stack([reuse[(c.source, c.text)] if (c.source, c.text) in reuse else vectors[(c.source, c.text)]
                      for c in batch]),
            [{"sha256": doc.sha256} for doc, chunks in group for _ in chunks],
            tokens.result(),
        )  # fmt: skip
        failpoint("ingest-upserted")
        for doc, chunks in group:
            kept = sum((c.source, c.text) in reuse for c in chunks)
            report.added += len(chunks) - kept
            report.unchanged += kept
            report.removed += len(
                {t for t in old.get(doc.source, {}).get("documents") or []} - {c.text for c in chunks}
            )
        store.commit(
            {doc.source: SourceInfo(doc.source, doc.sha256, len(chunks), doc.size, now) for doc, chunks in group}
        )
        failpoint("ingest-committed")
        for doc, chunks in group:
            ids = {c.id for c in chunks}
            store.delete([i for i in old.get(doc.source, {}).get("ids", []) if i not in ids])
        group = []
    bar.close()
    pool.shutdown()
    if gone:
        store.commit(dict.fromkeys(gone))
        for src in gone:
            ids = store.records_for(src)["ids"]
            store.delete(ids)
            report.removed += len(ids)
    store.mark(clean=True)
    if rebuild:
        failpoint("rebuild-complete")
        store.finish_rebuild(settings.collection)
    report.chunks = sum(i.chunks for i in store.sources().values())
    report.seconds = time.perf_counter() - t0
    return report


def _prefetch(emb: Embedder, jieba_dir: str) -> None:
    """Load the model and jieba's dictionary in background threads while Chroma opens: a CLI answers sooner.
    (The model's own lock makes a question that arrives first wait for the same load, not start another.)"""
    import threading

    from confbot.embeddings import LazyEmbedder
    from confbot.lexical import _jieba

    def load() -> None:
        try:
            emb.dim  # noqa: B018 - loads a lazy model
        except Exception as exc:  # the first real use raises it again, with its message
            log.debug("prefetching the model failed: %s", exc)

    # not daemons: native code (onnxruntime, torch) must not be torn down mid-load at exit
    if isinstance(emb, LazyEmbedder):
        threading.Thread(target=load, name="confbot-model").start()
    threading.Thread(target=_jieba, args=(jieba_dir,), name="confbot-jieba").start()


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
            _prefetch(emb, str(settings.cache_dir / "jieba"))
        client = make_client(settings.index_path, settings.chroma_url, timeout=settings.chroma_timeout)
        store = ChunkStore.open(client, settings.collection, emb)
        retriever = HybridRetriever(
            store, emb, candidates=settings.candidates, rrf_k=settings.rrf_k,
            dense_weight=settings.dense_weight, bm25_weight=settings.bm25_weight,
            cache_dir=str(settings.cache_dir / "jieba"), index_cache=settings.bm25_cache_path,
            sync_interval=settings.sync_seconds, scope=settings.scope, exact_scope_max=settings.exact_scope_max,
        )  # fmt: skip
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
