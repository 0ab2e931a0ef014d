"""Wiring of the stages: ingest files into the store, and open a ready retrieval pipeline."""

from __future__ import annotations

import concurrent.futures
import contextlib
import logging
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from confbot.embed.embedder import Embedder
from confbot.embed.provision import load_embedder
from confbot.errors import ConfbotError, InputError, LoaderError
from confbot.ingest.chunker import chunk_document, contextual_text
from confbot.ingest.loaders import discover, load, read_corrections, relative_source, unsupported
from confbot.ingest.metadata import describe
from confbot.records import Chunk, Document, IngestReport, SourceInfo
from confbot.settings import Settings
from confbot.store.chroma import ChunkStore, committed_files, make_client, older_build
from confbot.store.failpoints import failpoint
from confbot.text.events import document_event
from confbot.text.language import text_language

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


def _progress(total: int, desc: str, enabled: bool):  # type: ignore[no-untyped-def]
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit="chunk", disable=not enabled, leave=False)


def _confined(paths: Sequence[Path], confine: Path | None) -> list[tuple[Path, Path | None, str]]:
    """(file, the folder it must resolve inside or None, what that folder is) for every file to load.

    A file named on its own may be anywhere. A file found in a folder must stay inside that folder (a symlink
    or '..' may not lead out of it); with ``confine`` (uploads through the app) every file must stay inside it."""
    out: list[tuple[Path, Path | None, str]] = []
    for p in paths:
        root = confine if confine is not None else (p if p.is_dir() else None)
        what = "the corpus folder" if confine is not None else "the folder being ingested"
        for f in discover([p]):
            out.append((f, root.resolve() if root is not None else None, what))
    return list({f: (f, r, w) for f, r, w in out}.values())


def _some(names: Sequence[str], shown: int = 5) -> str:
    """The first ``shown`` of ``names``, comma-separated, and how many more there are."""
    more = f" and {len(names) - shown} more" if len(names) > shown else ""
    return ", ".join(names[:shown]) + more


#: what to do about an unreadable file, for the command line and for the app's uploads
SKIP_BAD_HINT = "fix the file or pass --skip-bad"
UPLOAD_HINT = "remove that file from the chosen files (its ×) or fix it, then upload again"


def load_documents(
    settings: Settings,
    paths: Sequence[Path],
    skip_bad: bool = False,
    known: Mapping[str, str] | None = None,
    confine: Path | None = None,
    places: Mapping[str, Path] | None = None,
) -> tuple[list[Document], list[str], list[str]]:
    """(documents, errors, warnings): load every file, each content once (:func:`drop_duplicates`).

    With ``skip_bad`` unreadable files are reported, else the first batch of errors is raised.

    ``known`` (source -> sha256 of the indexed version): a file with the same bytes is not normalized again.
    ``confine``: every file must resolve inside this folder (see :func:`_confined`)."""
    import hashlib

    files = _confined(paths, confine)
    if not files:
        where = ", ".join(str(p) for p in paths)
        raise InputError(f"no .txt, .md, .html, .pdf or .docx files found in {where}; add press releases there.")
    docs, errors = [], []
    fixes = read_corrections(settings.corpus_path)  # the press office's fixes for damage no rule undoes
    # an indexed file keeps its name when named another way (from another working directory, or by absolute path)
    places = places or {}  # indexed source -> its file (see :func:`indexed_path`)
    named = {path: src for src, path in places.items() if path.is_file()}
    for f, root, what in sorted(files):
        try:
            real = f.resolve()
            if root is not None and root != real and root not in real.parents:
                raise LoaderError(
                    f"{f}: resolves to {real}, outside {what} {root} (a symlink or '..' leads out of it); "
                    "name the file itself to index it, or copy it into the folder."
                )
            source = named.get(real) or relative_source(f, settings.project_root)
            if known and source in known and f.stat().st_size <= settings.max_file_bytes:
                data = f.read_bytes()
                sha = hashlib.sha256(data).hexdigest()
                if known[source] == sha:
                    docs.append(Document(source, "", sha, len(data), unchanged=True, path=real.as_posix()))
                    continue
            doc = load(f, settings.project_root, settings.max_file_bytes, settings.max_text_chars, fixes)
            docs.append(replace(doc, source=source, path=real.as_posix()))
        except LoaderError as exc:
            errors.append(str(exc))
    if errors and not skip_bad:
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise LoaderError(f"{errors[0].rstrip('.')}{more}. Nothing was indexed; {SKIP_BAD_HINT}.")
    loading = {d.source for d in docs}
    indexed = {  # files already indexed that this ingest does not load, and that are still there
        sha: src
        for src, sha in (known or {}).items()
        if src not in loading and (places.get(src) or indexed_path(settings, src)).is_file()
    }
    kept, notes = drop_duplicates(docs, indexed)
    if skipped := unsupported(list(paths)):
        notes.append(
            f"skipped {len(skipped)} file(s) of a type confbot does not read ({_some([f.name for f in skipped])}): "
            "save them as .docx, .pdf, .html, .md or .txt to index them"
        )
    return kept, errors, notes


def drop_duplicates(docs: list[Document], indexed: Mapping[str, str] | None = None) -> tuple[list[Document], list[str]]:
    """Each content once: (the documents to index, a warning per copy left out naming both files).

    A file whose bytes or normalized text equal an earlier file's is left out. ``indexed`` (sha256 -> source):
    files already in the index and not loaded now; a file with the same bytes as one of them is left out too
    (an upload of a file the corpus already holds)."""
    import hashlib

    first: dict[str, str] = {}  # content key -> source of the first file with it
    kept: list[Document] = []
    notes: list[str] = []
    for doc in docs:
        keys = [f"bytes:{doc.sha256}"]
        if doc.text:
            keys.append("text:" + hashlib.sha256(doc.text.encode()).hexdigest())
        orig = next((first[k] for k in keys if k in first), None)
        if orig is None and indexed and doc.sha256 in indexed and not doc.unchanged:
            orig = f"{indexed[doc.sha256]} (already indexed)"
        if orig is None:
            first.update(dict.fromkeys(keys, doc.source))
            kept.append(doc)
            continue
        notes.append(f"{doc.source}: same content as {orig}; indexed once, not as {doc.source}")
        log.info(notes[-1])  # a warning the caller shows (the CLI prints it): logged as one would show it twice
    return kept, notes


def ingest(
    settings: Settings,
    paths: Sequence[Path] | None = None,
    embedder: Embedder | None = None,
    *,
    rebuild: bool = False,
    skip_bad: bool = False,
    progress: bool = False,
    confine: Path | None = None,
) -> IngestReport:
    """Bring the index in line with the files: add new chunks, keep unchanged ones, drop stale ones.

    ``paths`` may be anywhere: sources inside the project are recorded relative to it, others by absolute
    path; a file already indexed keeps the name it was indexed under. ``rebuild`` without ``paths`` rebuilds from
    the corpus and every other indexed file still there; with ``paths``, from those only (the files left out are
    named in the report's warnings). ``confine`` (the app's uploads): refuse any file that resolves outside that
    folder."""
    t0 = time.perf_counter()
    everything = not paths
    paths = list(paths or [settings.corpus_path])
    known: dict[str, str] = {}
    before: dict[str, str] = {}
    places: dict[str, Path] = {}
    client = None
    upgrade = ""
    if settings.chroma_url or (settings.index_path / "chroma.sqlite3").exists():
        client = make_client(settings.index_path, settings.chroma_url, timeout=settings.chroma_timeout)
        files = committed_files(client, settings.collection)
        places = {src: indexed_path(settings, src, info.path) for src, info in files.items()}
        known = before = {src: info.sha256 for src, info in files.items()}
        upgrade = "" if rebuild else older_build(client, settings.collection)
        if upgrade:  # built by an older confbot: rebuilt from every file it holds that still exists
            log.warning("the index was built by an older confbot (%s): rebuilding it; it answers until then", upgrade)
        if upgrade or (rebuild and everything):
            paths = _with_indexed_files(paths, places)
        if upgrade or rebuild:
            rebuild, known = True, {}
    docs, errors, notes = load_documents(settings, paths, skip_bad, known, confine, places)
    emb = embedder or load_embedder(settings)
    if client is None:  # the index is created only once every file has loaded
        client = make_client(settings.index_path, settings.chroma_url, create=True, timeout=settings.chroma_timeout)
    with ingest_lock(settings):
        report = _ingest(settings, paths, docs, errors, emb, client, rebuild, progress, t0)
    report.warnings.extend(notes)
    if rebuild and (left := sorted(set(before) - {d.source for d in docs})):
        report.warnings.append(
            f"the rebuilt index no longer holds {len(left)} file(s) indexed before ({_some(left)}): they are gone or "
            "were not among the paths given; `confbot ingest` them to add them back"
        )
    if upgrade:
        report.warnings.append(f"rebuilt the index made by an older confbot ({upgrade})")
    return report


def _with_indexed_files(paths: list[Path], places: Mapping[str, Path]) -> list[Path]:
    """``paths`` and every indexed file outside them that still exists (an upgrade rebuild loses no file)."""
    given = [p.resolve() for p in paths]
    extra = []
    for path in places.values():
        if path.is_file() and not any(path == g or g in path.parents for g in given):
            extra.append(path)
    return [*paths, *extra]


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
    report = IngestReport(files=len(docs), failed=errors)
    store = _open_store(settings, client, emb, rebuild, report)
    indexed = store.sources()
    pending = _plan(settings, docs, indexed, report)
    gone = _gone(settings, paths, docs, errors, indexed)
    if pending or gone:
        store.mark(clean=False)  # until the end, a crash may leave uncommitted records behind
    failpoint("ingest-start")
    bar = _progress(sum(len(p[1]) for p in pending), "embedding", progress)
    # files are embedded in groups of about ingest_group_chunks (sentence-transformers sorts a call's texts by
    # length, so larger groups pad less; small files share batches); a group's files are committed together
    group: list[tuple[Document, list[Chunk]]] = []
    writer = _GroupWriter(settings, store, emb, indexed, report, bar)
    for n, item in enumerate(pending):
        group.append(item)
        if sum(len(g[1]) for g in group) < settings.ingest_group_chunks and n + 1 < len(pending):
            continue
        writer.write(group)
        group = []
    bar.close()
    writer.close()
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


def _open_store(settings: Settings, client: object, emb: Embedder, rebuild: bool, report: IngestReport) -> ChunkStore:
    """The collection to write (a new one beside the old for a rebuild), cleaned of an interrupted ingest's leftovers."""
    if rebuild:  # built beside the current collection, which stays usable until the new one is complete
        store = ChunkStore.start_rebuild(client, settings.collection, emb)
    else:
        store = ChunkStore.open(client, settings.collection, emb, create=True)
    if not store.clean:  # an earlier ingest was interrupted: drop what it wrote but never committed
        junk = store.leftovers()
        store.delete(junk)
        if junk:
            report.warnings.append(f"removed {len(junk)} uncommitted chunks left by an interrupted ingest")
    return store


def _plan(
    settings: Settings, docs: list[Document], indexed: dict[str, SourceInfo], report: IngestReport
) -> list[tuple[Document, list[Chunk]]]:
    """The files whose chunks must be written (new or changed), chunked; unchanged ones are counted in ``report``."""
    pending: list[tuple[Document, list[Chunk]]] = []
    for doc in docs:
        report.warnings.extend(doc.warnings)
        if doc.repairs:
            report.repairs[doc.source] = list(doc.repairs)
        info = indexed.get(doc.source)
        if doc.unchanged and info and info.sha256 == doc.sha256:
            report.unchanged += info.chunks
            continue
        if doc.unchanged:  # changed by another ingest meanwhile: load it after all
            path = settings.resolve(Path(doc.source))
            doc = load(
                path,
                settings.project_root,
                settings.max_file_bytes,
                settings.max_text_chars,
                read_corrections(settings.corpus_path),
            )
        chunks = _described(
            settings, doc, chunk_document(doc.source, doc.text, settings.chunk_size, settings.chunk_overlap, doc.sha256)
        )
        if info and info.sha256 == doc.sha256 and info.chunks == len(chunks):
            report.unchanged += len(chunks)
            continue
        pending.append((doc, chunks))
    return pending


def _described(settings: Settings, doc: Document, chunks: list[Chunk]) -> list[Chunk]:
    """The chunks with their document's title, date, years and editions (see :mod:`confbot.ingest.metadata` and
    :mod:`confbot.text.events`), their language and their text as the file writes it (``Document.original``)."""
    info = describe(doc.text, file_name=doc.source.rsplit("/", 1)[-1])
    # a date the text states or the file's name: a file's time says when it was copied, not when it was published
    published = info.published if info.published_from in ("text", "file-name") else None
    years, editions = document_event(info.title, published, doc.text)
    return [
        replace(
            c,
            title=info.title,
            published=published,
            lang=text_language(c.text),
            page=doc.page_of(c.start),
            years=years,
            editions=editions,
            original=doc.original[c.start : c.end] if doc.original else "",
        )
        for c in chunks
    ]


def indexed_path(settings: Settings, source: str, recorded: str = "") -> Path:
    """The file an indexed ``source`` was read from: the path recorded at ingest, else (indexes written before
    paths were recorded) the name resolved against the project root."""
    return Path(recorded) if recorded else settings.resolve(Path(source)).resolve()


def _gone(
    settings: Settings, paths: list[Path], docs: list[Document], errors: list[str], indexed: dict[str, SourceInfo]
) -> list[str]:
    """Indexed files that are gone from the folders being ingested (they lose their chunks): files no longer there
    whose recorded path lies inside one of those folders, compared as resolved paths (``ingest .`` from inside a
    folder, or a folder named by absolute path, removes only what is missing from it)."""
    present = {d.source for d in docs} | {e.split(":", 1)[0] for e in errors}
    folders = [p.resolve() for p in paths if p.is_dir()]
    gone = []
    for src, info in indexed.items():
        path = indexed_path(settings, src, info.path)
        if src in present or path.is_file():
            continue
        if any(path == d or d in path.parents for d in folders):
            gone.append(src)
    return gone


class _GroupWriter:
    """Embeds, upserts and commits one group of files at a time, reusing the vectors of unchanged chunks."""

    def __init__(
        self,
        settings: Settings,
        store: ChunkStore,
        emb: Embedder,
        indexed: dict[str, SourceInfo],
        report: IngestReport,
        bar: Any,
    ) -> None:
        self.store, self.emb, self.indexed, self.report, self.bar = store, emb, indexed, report, bar
        self.jieba_dir = str(settings.cache_dir / "jieba")
        #: one encode call sorts its texts by length; a few calls per group keep the progress bar moving
        self.call = 8 * max(1, settings.embed_batch_size)
        self.pool = concurrent.futures.ThreadPoolExecutor(max_workers=1)
        self.now = time.time()
        self.embedded = 0  # chunks embedded so far, logged (the bar shows only on a terminal or with --progress)

    def close(self) -> None:
        self.pool.shutdown()

    def _old_records(self, group: list[tuple[Document, list[Chunk]]]) -> tuple[dict[str, Any], dict[Any, np.ndarray]]:
        old: dict[str, dict[str, Any]] = {}  # source -> its records (any version), to reuse and then delete
        reuse: dict[tuple[str, str], np.ndarray] = {}
        for doc, _ in group:
            if doc.source in self.indexed:
                got = self.store.records_for(doc.source, include=["documents", "embeddings"])
                old[doc.source] = got
                for text, vec in zip(got["documents"] or [], got["embeddings"], strict=True):
                    reuse[(doc.source, text)] = np.asarray(vec, dtype=np.float32)
        return old, reuse

    def _embed(self, todo: list[Chunk]) -> dict[tuple[str, str], np.ndarray]:
        # sorted by length across the whole group, so each encode call's batches pad as little as one call would
        todo = sorted(todo, key=lambda c: len(c.text))
        vectors: dict[tuple[str, str], np.ndarray] = {}
        for i in range(0, len(todo), self.call):
            part = todo[i : i + self.call]
            for c, v in zip(part, self.emb.embed_documents([contextual_text(c) for c in part]), strict=True):
                vectors[(c.source, c.text)] = v
            self.bar.update(len(part))
            self.embedded += len(part)
            log.info("embedded %d of %s chunks", self.embedded, self.bar.total)
        return vectors

    def write(self, group: list[tuple[Document, list[Chunk]]]) -> None:
        from confbot.retrieve.bm25 import tokenize

        old, reuse = self._old_records(group)
        batch = [c for _, chunks in group for c in chunks]
        # jieba tokenizes the group in a thread while the model embeds it (torch releases the GIL)
        tokens = self.pool.submit(lambda b: [tokenize(contextual_text(c), self.jieba_dir) for c in b], batch)
        vectors = {**self._embed([c for c in batch if (c.source, c.text) not in reuse]), **reuse}
        # the group's files in one upsert (Chroma's cost is per call), committed together below
        self.store.upsert(
            batch,
            np.stack([vectors[(c.source, c.text)] for c in batch]),
            [{"sha256": doc.sha256} for doc, chunks in group for _ in chunks],
            tokens.result(),
        )
        failpoint("ingest-upserted")
        for doc, chunks in group:
            kept = sum((c.source, c.text) in reuse for c in chunks)
            self.report.added += len(chunks) - kept
            self.report.unchanged += kept
            self.report.removed += len(set(old.get(doc.source, {}).get("documents") or []) - {c.text for c in chunks})
        self.store.commit(
            {
                doc.source: SourceInfo(
                    doc.source,
                    doc.sha256,
                    len(chunks),
                    doc.size,
                    self.now,
                    chunks[0].title if chunks else "",
                    chunks[0].published if chunks else None,
                    doc.path,
                )
                for doc, chunks in group
            }
        )
        failpoint("ingest-committed")
        for doc, chunks in group:
            ids = {c.id for c in chunks}
            self.store.delete([i for i in old.get(doc.source, {}).get("ids", []) if i not in ids])
