"""Chroma storage of chunks: embedded (``index/``) or a Chroma server (``CONFBOT_CHROMA_URL``).

Chunk ids are content hashes, so upserting the same chunks twice is a no-op. The collection
records the embedding model and the normalization/chunker versions; opening an index built
with another model is an :class:`IndexMismatchError` that says to re-ingest.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import numpy as np

from confbot.embed.embedder import Embedder
from confbot.errors import IndexMismatchError, IndexMissingError, ServiceError
from confbot.ingest.chunker import CHUNKER_VERSION
from confbot.records import Chunk, SourceInfo
from confbot.store.failpoints import failpoint
from confbot.text.normalize import NORMALIZATION_VERSION

log = logging.getLogger(__name__)


LAYOUT = 2  # 2: chunk ids carry the file version; the manifest of committed sources is in the collection
REBUILD_SUFFIX = "__rebuild"
_MANIFEST = "confbot_manifest"
_GENERATION = "confbot_generation"
CLEAN_KEY = "confbot_clean"
_COMPLETE = "confbot_complete"


@dataclass(frozen=True)
class IndexState:
    """What readers need to know of the collection: which one, which generation, which file versions."""

    collection_id: str
    generation: int
    raw_manifest: str

    @functools.cached_property
    def manifest(self) -> dict[str, SourceInfo]:
        """Parsed on demand: a reader checking the generation does not parse a large manifest."""
        return _manifest({_MANIFEST: self.raw_manifest})

    def versions(self) -> dict[str, str]:
        return _versions(self.manifest)


def index_signature(embed_model: str, dim: int | None) -> dict[str, str | int]:
    sig: dict[str, str | int] = {
        "confbot_embed_model": embed_model,
        "confbot_normalization": NORMALIZATION_VERSION,
        "confbot_chunker": CHUNKER_VERSION,
        "confbot_layout": LAYOUT,
    }
    if dim is not None:
        sig["confbot_dim"] = dim
    return sig


def make_client(index_dir: Path, chroma_url: str | None = None, create: bool = False, timeout: float = 10.0) -> Any:
    """A Chroma client: HTTP when ``chroma_url`` is set (requests time out after ``timeout`` s), else persistent."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if chroma_url:
        u = urlparse(chroma_url if "//" in chroma_url else f"http://{chroma_url}")
        try:
            _probe(f"{u.scheme}://{u.hostname}:{u.port or 8000}/api/v2/heartbeat", timeout)
            client = chromadb.HttpClient(
                host=u.hostname or "127.0.0.1", port=u.port or 8000, ssl=u.scheme == "https", settings=chroma_settings
            )
            _set_timeout(client, timeout)
            client.heartbeat()
        except Exception as exc:  # connection errors come in many types
            raise ServiceError(
                f"cannot reach the Chroma server at {chroma_url} ({type(exc).__name__}); "
                "start it (`chroma run --path DIR --host 127.0.0.1 --port N`) or unset CONFBOT_CHROMA_URL."
            ) from exc
        return client
    if not create and not (index_dir / "chroma.sqlite3").exists():
        raise IndexMissingError(f"no index at {index_dir}; build it with `confbot ingest` (or pass --index DIR).")
    index_dir.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(index_dir), settings=chroma_settings)


def _probe(url: str, timeout: float) -> None:
    """One heartbeat with a deadline (Chroma's client would wait forever on a server that accepts and hangs)."""
    import urllib.request

    with urllib.request.urlopen(url, timeout=timeout) as resp:
        resp.read()


def _set_timeout(client: Any, seconds: float) -> None:
    """Chroma's HTTP client waits forever by default; a dead or hung server must fail in ``seconds``."""
    import httpx

    session = getattr(getattr(client, "_server", None), "_session", None)
    if session is not None:
        session.timeout = httpx.Timeout(seconds, connect=min(seconds, 5.0))
    else:
        log.warning("could not set a timeout on the Chroma HTTP client; requests may wait indefinitely")


def _manifest(meta: Mapping[str, Any]) -> dict[str, SourceInfo]:
    raw = json.loads(str(meta.get(_MANIFEST) or "{}"))
    # [sha256, chunks, size, ingested_at, title, published, path]; indexes written before titles have four fields,
    # before paths six
    return {
        s: SourceInfo(
            s,
            v[0],
            int(v[1]),
            int(v[2]),
            float(v[3]),
            str(v[4]) if len(v) > 4 else "",
            (v[5] or None) if len(v) > 5 else None,
            str(v[6]) if len(v) > 6 else "",
        )
        for s, v in raw.items()
    }


class ChunkStore:
    """One Chroma collection of chunks with their embeddings, and the manifest of committed file versions.

    Writers upsert a file's new chunks (invisible: their version is not in the manifest), commit
    the manifest (one metadata write, so a file switches versions atomically), then delete the old
    chunks. Readers keep only chunks whose (source, sha256) the manifest names, so a killed ingest
    leaves every file at its old or its new version; the next ingest removes the leftovers.
    """

    def __init__(self, client: Any, name: str, collection: Any) -> None:
        self.client = client
        self.name = name
        self.collection = collection
        self._meta: dict[str, Any] = dict(collection.metadata or {})
        self._seen_generation = self.generation

    @property
    def collection_metadata(self) -> dict[str, Any]:
        """The collection's metadata as last read: signature, manifest, generation (a copy)."""
        return dict(self._meta)

    @property
    def embedded(self) -> bool:
        return getattr(self.client, "_server", None).__class__.__name__ != "FastAPI"

    def reopen(self) -> None:
        """Drop this process's cached view of an embedded index, so it reads what another process wrote.

        Embedded Chroma keeps its vector index in memory per process; after an ingest by another
        process the cached one no longer knows the new ids. (A Chroma server has no such problem.)
        """
        if not self.embedded:
            return
        import chromadb
        from chromadb.api.shared_system_client import SharedSystemClient

        ident = getattr(self.client, "_identifier", None)
        if ident is None:
            return
        SharedSystemClient._identifier_to_system.pop(ident, None)  # clients of this path get the new system
        self.client = chromadb.PersistentClient(path=ident, settings=self.client.get_settings())
        col = _get(self.client, self.name) or _get_complete(self.client, self.name + REBUILD_SUFFIX)
        if col is not None:
            self.collection = col
        log.info("reopened the embedded index at %s to see another process's changes", ident)

    def _unavailable(self, exc: Exception) -> ServiceError:
        if self.embedded:
            return ServiceError(
                f"the index could not be read ({type(exc).__name__}: {str(exc)[:120]}); if another process is "
                "ingesting into it, try again in a moment (for ingest while serving, a Chroma server is safer)."
            )
        return ServiceError(
            f"the Chroma server is not answering ({type(exc).__name__}: {str(exc)[:120]}); check that it runs "
            "(CONFBOT_CHROMA_URL); answers resume when it is back."
        )

    @classmethod
    def open(cls, client: Any, name: str, embedder: Embedder, create: bool = False) -> ChunkStore:
        """Open (or with ``create``, create) the collection; a finished rebuild that was cut short is completed."""
        if create:  # a writer (it holds the ingest lock): complete a rebuild whose swap was cut short
            _finish_swap(client, name)
            tmp = _get(client, name + REBUILD_SUFFIX)
            if tmp is not None and _get(client, name) is not None:
                client.delete_collection(name + REBUILD_SUFFIX)  # a rebuild that never completed
        # a reader follows a complete rebuild even before it is renamed
        col = _get(client, name) or _get_complete(client, name + REBUILD_SUFFIX)
        if col is None:
            if not create:
                raise IndexMissingError(f"the index has no collection {name!r}; build it with `confbot ingest`.")
            meta = {**index_signature(embedder.name, embedder.dim), _MANIFEST: "{}", _GENERATION: 0, CLEAN_KEY: True}
            col = client.create_collection(name, configuration={"hnsw": {"space": "cosine"}}, metadata=meta)
            return cls(client, name, col)
        check_signature(col.metadata or {}, embedder.name)
        return cls(client, name, col)

    @classmethod
    def start_rebuild(cls, client: Any, name: str, embedder: Embedder) -> ChunkStore:
        """An empty collection beside the current one; :meth:`finish_rebuild` swaps it in when complete."""
        _finish_swap(client, name)
        tmp = name + REBUILD_SUFFIX
        if _get(client, tmp) is not None:
            client.delete_collection(tmp)  # a rebuild that did not finish
        meta = {
            **index_signature(embedder.name, embedder.dim),
            _MANIFEST: "{}",
            _GENERATION: 0,
            CLEAN_KEY: True,
            _COMPLETE: False,
        }
        col = client.create_collection(tmp, configuration={"hnsw": {"space": "cosine"}}, metadata=meta)
        return cls(client, tmp, col)

    def finish_rebuild(self, name: str) -> None:
        """Mark this rebuilt collection complete, drop the old one, and give this one its name."""
        self._write({_COMPLETE: True})
        _finish_swap(self.client, name)
        self.collection = self.client.get_collection(name)
        self.name = name

    # ------------------------------------------------------------------ manifest
    def state(self) -> IndexState:
        """A fresh read of the collection (follows a rebuild swapped in by another process)."""
        try:
            col = _get(self.client, self.name) or _get_complete(self.client, self.name + REBUILD_SUFFIX)
        except Exception as exc:  # connection errors come in many types
            raise self._unavailable(exc) from exc
        if col is None:
            raise IndexMissingError(f"the index has no collection {self.name!r}; build it with `confbot ingest`.")
        self.collection = col
        self._meta = dict(col.metadata or {})
        state = IndexState(str(col.id), int(self._meta.get(_GENERATION, 0)), str(self._meta.get(_MANIFEST) or "{}"))
        if state.generation != self._seen_generation:
            self._seen_generation = state.generation
            if _OWN_GENERATIONS.get(self._key) != state.generation:  # written by another process
                self.reopen()
        return state

    def sources(self) -> dict[str, SourceInfo]:
        """Every committed source (fresh from the collection)."""
        return self.state().manifest

    @property
    def clean(self) -> bool:
        return bool(self._meta.get(CLEAN_KEY, True))

    def commit(self, changes: Mapping[str, SourceInfo | None], clean: bool | None = None) -> None:
        """Switch the given sources to their new versions (None: remove them) in one write."""
        manifest = _manifest(self._meta)
        for src, info in changes.items():
            if info is None:
                manifest.pop(src, None)
            else:
                manifest[src] = info
        raw = {
            s: [i.sha256, i.chunks, i.size, round(i.ingested_at, 3), i.title, i.published or "", i.path]
            for s, i in sorted(manifest.items())
        }
        update: dict[str, Any] = {_MANIFEST: json.dumps(raw, ensure_ascii=False), _GENERATION: self.generation + 1}
        if clean is not None:
            update[CLEAN_KEY] = clean
        self._write(update)

    def mark(self, clean: bool) -> None:
        if self.clean != clean:
            self._write({CLEAN_KEY: clean})

    @property
    def generation(self) -> int:
        return int(self._meta.get(_GENERATION, 0))

    def _write(self, update: Mapping[str, Any]) -> None:
        meta = {**self._meta, **update}
        self.collection.modify(metadata=meta)
        self._meta = meta
        _OWN_GENERATIONS[self._key] = self.generation

    @property
    def _key(self) -> tuple[str, str]:
        return (str(getattr(self.client, "_identifier", id(self.client))), str(self.collection.id))

    # ------------------------------------------------------------------ records
    def count(self) -> int:
        """Records in the collection (leftovers of an interrupted ingest included)."""
        return int(self.collection.count())

    def _batches(self, n: int) -> Iterable[slice]:
        size = max(1, min(int(self.client.get_max_batch_size()), 2000))
        for i in range(0, n, size):
            yield slice(i, i + size)

    def records_for(self, source: str, include: Sequence[str] = ("metadatas",)) -> dict[str, Any]:
        """Every record of ``source``, whatever its version."""
        return dict(self.collection.get(where={"source": source}, include=list(include)))

    def committed_records(self, source: str, sha256: str) -> list[tuple[str, list[str]]]:
        """``(id, tokens)`` of the committed version of ``source``, for BM25."""
        got = self.collection.get(
            where={"$and": [{"source": source}, {"sha256": sha256}]}, include=["metadatas", "documents"]
        )
        rows = sorted(
            zip(got["ids"], got["metadatas"] or [], got["documents"] or [], strict=True),
            key=lambda r: int(r[1].get("index", 0)),
        )
        return [(cid, _tokens(meta, doc)) for cid, meta, doc in rows]

    def committed_records_many(self, versions: Mapping[str, str]) -> dict[str, list[tuple[str, list[str]]]]:
        """:meth:`committed_records` for many sources at once: the whole collection read in pages, not a query
        per source (11k files: seconds instead of minutes)."""
        out: dict[str, list[tuple[int, str, list[str]]]] = {s: [] for s in versions}
        offset, page = 0, 5000
        while True:
            got = self.collection.get(include=["metadatas", "documents"], limit=page, offset=offset)
            for cid, meta, doc in zip(got["ids"], got["metadatas"] or [], got["documents"] or [], strict=True):
                src = str(meta.get("source"))
                if src in out and versions[src] == meta.get("sha256"):
                    out[src].append((int(meta.get("index", 0)), cid, _tokens(meta, doc)))  # type: ignore[arg-type]
            if len(got["ids"]) < page:
                break
            offset += page
        return {s: [(cid, w) for _, cid, w in sorted(rows)] for s, rows in out.items()}

    def leftovers(self) -> list[str]:
        """Ids of records no committed version names (left by an interrupted ingest)."""
        versions = _versions(_manifest(self._meta))
        got = self.collection.get(include=["metadatas"])
        return [cid for cid, m in zip(got["ids"], got["metadatas"] or [], strict=True) if not is_committed(m, versions)]

    def upsert(
        self,
        chunks: Sequence[Chunk],
        embeddings: np.ndarray,
        extras: dict[str, Any] | Sequence[dict[str, Any]],
        tokens: Sequence[Sequence[str]] | None = None,
    ) -> None:
        """Write chunks (``extras``: metadata for all, or one dict per chunk; ``tokens``: BM25 tokens per chunk)."""
        per = [extras] * len(chunks) if isinstance(extras, dict) else list(extras)
        for sl in self._batches(len(chunks)):
            part = chunks[sl]
            toks = tokens[sl] if tokens is not None else None
            self.collection.upsert(
                ids=[c.id for c in part],
                embeddings=np.asarray(embeddings[sl], dtype=np.float32),
                documents=[c.text for c in part],
                metadatas=[_meta(c, per[sl][j], toks[j] if toks is not None else None) for j, c in enumerate(part)],
            )

    def remove_source(self, source: str) -> int:
        """Uncommit ``source``, then delete its records; returns how many were deleted."""
        self.commit({source: None})
        ids = self.records_for(source)["ids"]
        self.delete(ids)
        return len(ids)

    def delete(self, ids: Sequence[str]) -> None:
        ids = list(ids)
        for sl in self._batches(len(ids)):
            self.collection.delete(ids=ids[sl])

    def get(self, ids: Sequence[str]) -> dict[str, Chunk]:
        """Chunks by id (their vectors: :meth:`vectors`)."""
        if not ids:
            return {}
        try:
            got = self.collection.get(ids=list(ids), include=["documents", "metadatas"])
        except Exception as exc:  # chromadb raises many types
            raise self._unavailable(exc) from exc
        return {
            i: _chunk(i, d, m)
            for i, d, m in zip(got["ids"], got["documents"] or [], got["metadatas"] or [], strict=True)
        }

    def vectors(self, ids: Sequence[str]) -> dict[str, np.ndarray]:
        """Embeddings by id, nothing else (a record's metadata carries its BM25 tokens: costly to read)."""
        if not ids:
            return {}
        ids = list(ids)
        out: dict[str, np.ndarray] = {}
        for sl in self._batches(len(ids)):
            try:
                got = self.collection.get(ids=ids[sl], include=["embeddings"])
            except Exception as exc:  # chromadb raises many types
                raise self._unavailable(exc) from exc
            out.update((i, np.asarray(e, dtype=np.float32)) for i, e in zip(got["ids"], got["embeddings"], strict=True))
        return out

    def all_chunks(self) -> list[Chunk]:
        """Every committed chunk, in document order."""
        versions = _versions(_manifest(self._meta))
        got = self.collection.get(include=["documents", "metadatas"])
        chunks = [
            _chunk(i, d, m)
            for i, d, m in zip(got["ids"], got["documents"] or [], got["metadatas"] or [], strict=True)
            if is_committed(m, versions)
        ]
        chunks.sort(key=lambda c: (c.source, c.start, c.id))
        return chunks

    def query(
        self,
        vector: np.ndarray,
        n: int,
        versions: Mapping[str, str],
        sources: Sequence[str] | None = None,
        exclude_lang: str | None = None,
    ) -> list[tuple[Chunk, float]]:
        """The ``n`` nearest committed chunks (``versions``: source -> sha256; ``sources``: only these files)
        with their cosine similarity.

        (No ``count()`` first: on 100k chunks it costs more than the search; Chroma returns fewer when it has fewer.)"""
        want = n
        while True:
            got = self._query(vector, want, _where(sources, exclude_lang))
            rows = list(zip(got["ids"][0], got["documents"][0], got["metadatas"][0], got["distances"][0], strict=True))
            hits = [(_chunk(i, d, m), 1.0 - float(dist)) for i, d, m, dist in rows if is_committed(m, versions)]
            if len(hits) >= n or len(rows) < want or want >= 64 * n:
                return hits[:n]
            want *= 4  # uncommitted records (an ingest in progress) took places: ask for more

    def _query(self, vector: np.ndarray, n: int, where: dict[str, Any] | None = None) -> Any:
        for attempt in (1, 2):
            try:
                return self.collection.query(
                    query_embeddings=[np.asarray(vector, dtype=np.float32)],
                    n_results=n,
                    include=["documents", "metadatas", "distances"],
                    where=where,
                )
            except Exception as exc:  # chromadb raises many types
                if attempt == 2 or not self.embedded:
                    raise self._unavailable(exc) from exc
                self.reopen()  # another process changed the index under us
        raise AssertionError("unreachable")


def older_build(client: Any, name: str) -> str:
    """What an older confbot built differently in collection ``name`` (normalization, chunker or layout version,
    e.g. ``"chunker 3 -> 4"``), or "" when it matches this version or does not exist. The embedding model is not
    compared here: another model is a setting to check, not an upgrade."""
    col = _get(client, name)
    if col is None:
        return ""
    have = col.metadata or {}
    now = index_signature("", None)
    keys = ("confbot_normalization", "confbot_chunker", "confbot_layout")
    return ", ".join(f"{k.removeprefix('confbot_')} {have.get(k)} -> {now[k]}" for k in keys if have.get(k) != now[k])


def committed_files(client: Any, name: str) -> dict[str, SourceInfo]:
    """source -> what collection ``name`` holds of it, for each committed file (empty when there is none)."""
    col = _get(client, name)
    return {} if col is None else _manifest(col.metadata or {})


#: the last generation this process wrote, per (index, collection): its own changes need no reopen
_OWN_GENERATIONS: dict[tuple[str, str], int] = {}


def _get(client: Any, name: str) -> Any | None:
    from chromadb.errors import NotFoundError

    try:
        return client.get_collection(name)
    except (NotFoundError, ValueError):
        return None


def _get_complete(client: Any, name: str) -> Any | None:
    col = _get(client, name)
    return col if col is not None and (col.metadata or {}).get(_COMPLETE) else None


def _finish_swap(client: Any, name: str) -> Any | None:
    """If a complete rebuild waits beside ``name``, drop ``name`` and rename the rebuild to it."""
    col = _get_complete(client, name + REBUILD_SUFFIX)
    if col is None:
        return None
    if _get(client, name) is not None:
        client.delete_collection(name)
        failpoint("rebuild-swapped-out")
    col.modify(name=name)  # one write: the rebuilt collection keeps its id, data and "complete" flag
    log.info("swapped the rebuilt index in as %r", name)
    return client.get_collection(name)


def check_signature(have: Mapping[str, Any], embed_model: str) -> None:
    """Raise :class:`IndexMismatchError` when the index was built with another model, chunker or layout."""
    signature = index_signature(embed_model, None)
    # the dimension follows from the model; it is recorded, compared only when both are known
    diff = {k: (have.get(k), v) for k, v in signature.items() if have.get(k) != v}
    if diff:
        what = ", ".join(
            f"{k.removeprefix('confbot_')}: index has {a!r}, settings say {b!r}" for k, (a, b) in diff.items()
        )
        raise IndexMismatchError(
            f"the index was built differently ({what}); re-ingest with `confbot ingest --rebuild` (the old index "
            "stays usable until the new one is complete), or use the settings it was built with."
        )


def _versions(manifest: Mapping[str, SourceInfo]) -> dict[str, str]:
    """source -> sha256 of the committed version of each file."""
    return {src: info.sha256 for src, info in manifest.items()}


def is_committed(meta: Mapping[str, Any], versions: Mapping[str, str]) -> bool:
    """Whether a record belongs to the committed version (``versions``: source -> sha256) of its file."""
    return versions.get(str(meta.get("source"))) == meta.get("sha256")


def _tokens(meta: Mapping[str, Any], text: str) -> list[str]:
    """A record's BM25 tokens: stored at ingest, or computed now for records written without them."""
    toks = meta.get("tokens")
    if toks is None:
        from confbot.retrieve.bm25 import tokenize

        return tokenize(text)
    return str(toks).split()


def _where(sources: Sequence[str] | None, exclude_lang: str | None) -> dict[str, Any] | None:
    """Chroma's filter: only these files, only chunks not in this language (None: no condition)."""
    conds: list[dict[str, Any]] = []
    if sources is not None:
        conds.append({"source": {"$in": list(sources)}})
    if exclude_lang:
        conds.append({"lang": {"$ne": exclude_lang}})
    if not conds:
        return None
    return conds[0] if len(conds) == 1 else {"$and": conds}


def _meta(c: Chunk, extra: dict[str, Any], tokens: Sequence[str] | None) -> dict[str, Any]:
    m = {
        "source": c.source,
        "start": c.start,
        "end": c.end,
        "index": c.index,
        "title": c.title,
        "published": c.published or "",
        "lang": c.lang,
        "page": c.page or 0,
        "years": ",".join(map(str, c.years)),
        "editions": ",".join(map(str, c.editions)),
        **extra,
    }
    if c.original:  # only a traditional-Chinese file's chunks carry their text as written
        m["original"] = c.original
    if tokens is not None:
        m["tokens"] = " ".join(tokens)
    return m


def _chunk(cid: str, text: str, meta: Any) -> Chunk:
    return Chunk(
        id=cid,
        source=str(meta["source"]),
        text=text,
        start=int(meta["start"]),
        end=int(meta["end"]),
        index=int(meta.get("index", 0)),
        title=str(meta.get("title", "")),
        published=str(meta.get("published") or "") or None,
        lang=str(meta.get("lang", "")),
        page=int(meta.get("page") or 0) or None,
        years=_ints(meta.get("years")),
        editions=_ints(meta.get("editions")),
        original=str(meta.get("original") or ""),
    )


def _ints(value: Any) -> tuple[int, ...]:
    """``"2019,2020"`` (as stored) -> ``(2019, 2020)``; missing or empty -> ``()``."""
    return tuple(int(v) for v in str(value or "").split(",") if v.strip().isdigit())


EXPORT_FORMAT = 1
