"""Chroma storage of chunks: embedded (``index/``) or a Chroma server (``CONFBOT_CHROMA_URL``).

Chunk ids are content hashes, so upserting the same chunks twice is a no-op. The collection
records the embedding model and the normalization/chunker versions; opening an index built
with another model is an :class:`IndexMismatchError` that says to re-ingest.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import numpy as np

from confbot.chunking import CHUNKER_VERSION, Chunk
from confbot.embeddings import Embedder
from confbot.errors import IndexMismatchError, IndexMissingError, ServiceError
from confbot.normalize import NORMALIZATION_VERSION

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SourceInfo:
    """What the index holds of one source file."""

    source: str
    sha256: str
    chunks: int
    size: int
    ingested_at: float


def index_signature(embed_model: str, dim: int | None) -> dict[str, str | int]:
    sig: dict[str, str | int] = {
        "confbot_embed_model": embed_model,
        "confbot_normalization": NORMALIZATION_VERSION,
        "confbot_chunker": CHUNKER_VERSION,
    }
    if dim is not None:
        sig["confbot_dim"] = dim
    return sig


def make_client(index_dir: Path, chroma_url: str | None = None, create: bool = False) -> Any:
    """A Chroma client: HTTP when ``chroma_url`` is set, else persistent at ``index_dir``."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if chroma_url:
        u = urlparse(chroma_url if "//" in chroma_url else f"http://{chroma_url}")
        try:
            client = chromadb.HttpClient(
                host=u.hostname or "127.0.0.1", port=u.port or 8000, ssl=u.scheme == "https", settings=chroma_settings
            )
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


class ChunkStore:
    """One Chroma collection of chunks with their embeddings."""

    def __init__(self, client: Any, name: str, collection: Any) -> None:
        self.client = client
        self.name = name
        self.collection = collection

    @classmethod
    def open(cls, client: Any, name: str, embedder: Embedder, create: bool = False) -> ChunkStore:
        """Open (or with ``create``, create) the collection; the model is loaded only to create one."""
        from chromadb.errors import NotFoundError

        signature = index_signature(embedder.name, None)
        try:
            col = client.get_collection(name)
        except NotFoundError:
            if not create:
                raise IndexMissingError(
                    f"the index has no collection {name!r}; build it with `confbot ingest`."
                ) from None
            col = client.create_collection(
                name, configuration={"hnsw": {"space": "cosine"}}, metadata=index_signature(embedder.name, embedder.dim)
            )
            return cls(client, name, col)
        have = col.metadata or {}
        # the dimension follows from the model; it is recorded, compared only when both are known
        diff = {k: (have.get(k), v) for k, v in signature.items() if have.get(k) != v and k != "confbot_dim"}
        if diff:
            what = ", ".join(
                f"{k.removeprefix('confbot_')}: index has {a!r}, settings say {b!r}" for k, (a, b) in diff.items()
            )
            raise IndexMismatchError(
                f"the index was built differently ({what}); re-ingest with `confbot ingest --rebuild`, "
                "or use the settings it was built with."
            )
        return cls(client, name, col)

    @classmethod
    def rebuild(cls, client: Any, name: str, embedder: Embedder) -> ChunkStore:
        """Drop the collection and start an empty one."""
        from chromadb.errors import NotFoundError

        with contextlib.suppress(NotFoundError):
            client.delete_collection(name)
        return cls.open(client, name, embedder, create=True)

    def count(self) -> int:
        return int(self.collection.count())

    def _batches(self, n: int) -> Iterable[slice]:
        size = max(1, min(int(self.client.get_max_batch_size()), 2000))
        for i in range(0, n, size):
            yield slice(i, i + size)

    def sources(self) -> dict[str, SourceInfo]:
        """Every indexed source with its chunk count."""
        got = self.collection.get(include=["metadatas"])
        out: dict[str, SourceInfo] = {}
        for meta in got["metadatas"] or []:
            src = str(meta["source"])
            prev = out.get(src)
            out[src] = SourceInfo(
                source=src,
                sha256=str(meta.get("sha256", "")),
                chunks=(prev.chunks if prev else 0) + 1,
                size=int(meta.get("size", 0)),  # type: ignore[arg-type]
                ingested_at=float(meta.get("ingested_at", 0.0)),  # type: ignore[arg-type]
            )
        return out

    def ids_for(self, source: str) -> dict[str, dict[str, Any]]:
        got = self.collection.get(where={"source": source}, include=["metadatas"])
        return {i: dict(m) for i, m in zip(got["ids"], got["metadatas"] or [], strict=True)}

    def upsert(self, chunks: Sequence[Chunk], embeddings: np.ndarray, extra: dict[str, Any]) -> None:
        for sl in self._batches(len(chunks)):
            part = chunks[sl]
            self.collection.upsert(
                ids=[c.id for c in part],
                embeddings=np.asarray(embeddings[sl], dtype=np.float32),
                documents=[c.text for c in part],
                metadatas=[_meta(c, extra) for c in part],
            )

    def update_metadata(self, chunks: Sequence[Chunk], extra: dict[str, Any]) -> None:
        for sl in self._batches(len(chunks)):
            part = chunks[sl]
            self.collection.update(ids=[c.id for c in part], metadatas=[_meta(c, extra) for c in part])

    def delete(self, ids: Sequence[str]) -> None:
        ids = list(ids)
        for sl in self._batches(len(ids)):
            self.collection.delete(ids=ids[sl])

    def all_chunks(self) -> list[Chunk]:
        got = self.collection.get(include=["documents", "metadatas"])
        chunks = [
            _chunk(i, d, m) for i, d, m in zip(got["ids"], got["documents"] or [], got["metadatas"] or [], strict=True)
        ]
        chunks.sort(key=lambda c: (c.source, c.start, c.id))
        return chunks

    def query(self, vector: np.ndarray, n: int) -> list[tuple[Chunk, float]]:
        """The ``n`` nearest chunks with their cosine similarity."""
        total = self.count()
        if total == 0:
            return []
        got = self.collection.query(
            query_embeddings=[np.asarray(vector, dtype=np.float32)],
            n_results=min(n, total),
            include=["documents", "metadatas", "distances"],
        )
        return [
            (_chunk(i, d, m), 1.0 - float(dist))
            for i, d, m, dist in zip(
                got["ids"][0], got["documents"][0], got["metadatas"][0], got["distances"][0], strict=True
            )
        ]


def _meta(c: Chunk, extra: dict[str, Any]) -> dict[str, Any]:
    return {"source": c.source, "start": c.start, "end": c.end, "index": c.index, **extra}


def _chunk(cid: str, text: str, meta: Any) -> Chunk:
    return Chunk(
        id=cid, source=str(meta["source"]), text=text, start=int(meta["start"]), end=int(meta["end"]),
        index=int(meta.get("index", 0)),
    )  # fmt: skip


EXPORT_FORMAT = 1


def export_index(store: ChunkStore, path: Path) -> int:
    """Write every chunk with its embedding and metadata, and the index signature, to a gzipped JSONL file."""
    import gzip
    import json

    got = store.collection.get(include=["documents", "metadatas", "embeddings"])
    meta = dict(store.collection.metadata or {})
    tmp = path.with_name(path.name + ".part")
    with gzip.open(tmp, "wt", encoding="utf-8") as fh:
        fh.write(json.dumps({"confbot_export": EXPORT_FORMAT, "collection": store.name, "metadata": meta}) + "\n")
        for i, d, m, e in zip(got["ids"], got["documents"], got["metadatas"], got["embeddings"], strict=True):
            fh.write(json.dumps({"id": i, "document": d, "metadata": m, "embedding": [float(x) for x in e]},
                                ensure_ascii=False) + "\n")  # fmt: skip
    tmp.replace(path)
    return len(got["ids"])


def import_index(client: Any, path: Path, name: str | None = None) -> tuple[str, int]:
    """Load an export into ``client`` (the collection must not exist yet). Returns (collection, chunks)."""
    import gzip
    import json

    from confbot.errors import InputError

    with gzip.open(path, "rt", encoding="utf-8") as fh:
        try:
            header = json.loads(fh.readline())
        except (OSError, json.JSONDecodeError) as exc:
            raise InputError(f"{path}: not a confbot export ({exc}); create one with `confbot export FILE`.") from exc
        if not isinstance(header, dict) or header.get("confbot_export") != EXPORT_FORMAT:
            raise InputError(f"{path}: not a confbot export of format {EXPORT_FORMAT}.")
        name = name or header["collection"]
        existing = [c.name if hasattr(c, "name") else str(c) for c in client.list_collections()]
        if name in existing:
            raise InputError(f"the target index already has a collection {name!r}; import into an empty --index DIR.")
        col = client.create_collection(name, configuration={"hnsw": {"space": "cosine"}}, metadata=header["metadata"])
        store = ChunkStore(client, name, col)
        n = 0
        batch: list[dict[str, Any]] = []
        for line in fh:
            batch.append(json.loads(line))
            if len(batch) >= 1000:
                n += _import_batch(store, batch)
                batch = []
        n += _import_batch(store, batch)
    return name, n


def _import_batch(store: ChunkStore, batch: list[dict[str, Any]]) -> int:
    if batch:
        store.collection.upsert(
            ids=[r["id"] for r in batch],
            documents=[r["document"] for r in batch],
            metadatas=[r["metadata"] for r in batch],
            embeddings=np.asarray([r["embedding"] for r in batch], dtype=np.float32),
        )
    return len(batch)
