"""Wiring of the stages: ingest files into the store, and open a ready retrieval pipeline."""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from confbot.chunking import Chunk, chunk_document
from confbot.embeddings import Embedder, load_embedder
from confbot.errors import ConfbotError, InputError, LoaderError
from confbot.loaders import Document, discover, load, relative_source
from confbot.retrieval import HybridRetriever
from confbot.settings import Settings
from confbot.store import ChunkStore, make_client

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
    settings: Settings, paths: Sequence[Path], skip_bad: bool = False
) -> tuple[list[Document], list[str]]:
    """Load every file; with ``skip_bad`` unreadable files are reported, else the first batch of errors is raised."""
    files = discover(list(paths))
    if not files:
        where = ", ".join(str(p) for p in paths)
        raise InputError(f"no .txt, .md, .html, .pdf or .docx files found in {where}; add press releases there.")
    docs, errors = [], []
    for f in files:
        try:
            docs.append(load(f, settings.project_root, settings.max_file_bytes))
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
    docs, errors = load_documents(settings, paths, skip_bad)
    emb = embedder or load_embedder(settings)
    client = make_client(settings.index_path, settings.chroma_url, create=True)
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
    if rebuild:
        store = ChunkStore.rebuild(client, settings.collection, emb)
    else:
        store = ChunkStore.open(client, settings.collection, emb, create=True)
    report = IngestReport(files=len(docs), failed=errors)
    indexed = store.sources()
    now = time.time()
    pending: list[tuple[Document, list[Chunk], list[Chunk], list[str]]] = []
    for doc in docs:
        report.warnings.extend(doc.warnings)
        chunks = chunk_document(doc.source, doc.text, settings.chunk_size, settings.chunk_overlap)
        info = indexed.get(doc.source)
        if info and info.sha256 == doc.sha256 and info.chunks == len(chunks):
            report.unchanged += len(chunks)
            continue
        have = store.ids_for(doc.source) if info else {}
        new = [c for c in chunks if c.id not in have]
        kept = [c for c in chunks if c.id in have]
        stale = [i for i in have if i not in {c.id for c in chunks}]
        pending.append((doc, new, kept, stale))
        report.unchanged += len(kept)
    total_new = sum(len(p[1]) for p in pending)
    bar = _progress(total_new, "embedding", progress)
    step = max(1, settings.embed_batch_size)
    # files are embedded in groups of up to 32 batches (sentence-transformers sorts a call's texts by length,
    # so larger groups pad less; small files share batches), and a file is written only
    # after all its chunks are embedded: a failure leaves its old chunks in place
    group: list[tuple[Document, list[Chunk], list[Chunk], list[str]]] = []
    for n, item in enumerate(pending):
        group.append(item)
        if sum(len(g[1]) for g in group) < 32 * step and n + 1 < len(pending):
            continue
        texts = [c.text for g in group for c in g[1]]
        vectors: list[np.ndarray] = []
        call = 8 * step  # one encode call sorts its texts by length; a few calls per group keep the bar moving
        for i in range(0, len(texts), call):
            vectors.extend(emb.embed_documents(texts[i : i + call]))
            bar.update(len(texts[i : i + call]))
        offset = 0
        for doc, new, kept, stale in group:
            extra = {"sha256": doc.sha256, "size": doc.size, "ingested_at": now}
            if new:
                store.upsert(new, np.stack(vectors[offset : offset + len(new)]), extra)
                offset += len(new)
            if kept:
                store.update_metadata(kept, extra)
            if stale:
                store.delete(stale)
            report.added += len(new)
            report.removed += len(stale)
        group = []
    bar.close()
    # files gone from the ingested folders lose their chunks
    present = {d.source for d in docs} | {e.split(":", 1)[0] for e in errors}
    roots = [relative_source(p, settings.project_root) for p in paths if p.is_dir()]
    for src in indexed:
        if src in present:
            continue
        if any(src == r or src.startswith(r.rstrip("/") + "/") or r == "." for r in roots):
            ids = list(store.ids_for(src))
            store.delete(ids)
            report.removed += len(ids)
    report.chunks = store.count()
    report.seconds = time.perf_counter() - t0
    return report


@dataclass
class Pipeline:
    """Everything a question needs, loaded once per process."""

    settings: Settings
    embedder: Embedder
    store: ChunkStore
    retriever: HybridRetriever

    @classmethod
    def open(cls, settings: Settings, embedder: Embedder | None = None) -> Pipeline:
        client = make_client(settings.index_path, settings.chroma_url)
        emb = embedder or load_embedder(settings)
        store = ChunkStore.open(client, settings.collection, emb)
        retriever = HybridRetriever(
            store, emb, candidates=settings.candidates, rrf_k=settings.rrf_k,
            dense_weight=settings.dense_weight, bm25_weight=settings.bm25_weight,
            cache_dir=str(settings.cache_dir / "jieba"),
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
