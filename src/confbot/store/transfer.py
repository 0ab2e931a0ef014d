"""Move an index between machines without re-embedding: export to gzipped JSONL, import into an empty index."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from confbot.errors import IndexMissingError
from confbot.settings import Settings
from confbot.store.chroma import CLEAN_KEY, EXPORT_FORMAT, ChunkStore, is_committed, make_client


def export_index(store: ChunkStore, path: Path) -> int:
    """Write every chunk with its embedding and metadata, and the index signature, to a gzipped JSONL file."""
    import gzip
    import json

    versions = store.state().versions()
    meta = {**store.collection_metadata, CLEAN_KEY: True}
    got = store.collection.get(include=["documents", "metadatas", "embeddings"])
    tmp = path.with_name(path.name + ".part")
    n = 0
    with gzip.open(tmp, "wt", encoding="utf-8") as fh:
        fh.write(json.dumps({"confbot_export": EXPORT_FORMAT, "collection": store.name, "metadata": meta}) + "\n")
        for i, d, m, e in zip(got["ids"], got["documents"], got["metadatas"], got["embeddings"], strict=True):
            if not is_committed(m, versions):
                continue  # not committed: left by an interrupted ingest
            n += 1
            fh.write(
                json.dumps(
                    {"id": i, "document": d, "metadata": m, "embedding": [float(x) for x in e]}, ensure_ascii=False
                )
                + "\n"
            )
    tmp.replace(path)
    return n


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


def export_collection(settings: Settings, path: Path) -> int:
    """Export the settings' index to ``path``; raises :class:`IndexMissingError` when it has no collection."""
    from chromadb.errors import NotFoundError

    client = make_client(settings.index_path, settings.chroma_url, timeout=settings.chroma_timeout)
    try:
        store = ChunkStore(client, settings.collection, client.get_collection(settings.collection))
    except NotFoundError:
        raise IndexMissingError(f"the index has no collection {settings.collection!r}; nothing to export.") from None
    return export_index(store, path)
