"""The same ingest and retrieval against a real `chroma run` server on 127.0.0.1, surviving a restart."""

from __future__ import annotations

import shutil
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from confbot.errors import ServiceError
from confbot.ingest.indexer import ingest
from confbot.retrieve.pipeline import Pipeline
from confbot.settings import Settings
from conftest import free_port
from fakes import FakeEmbedder

pytestmark = pytest.mark.server


def start(path: Path, port: int) -> subprocess.Popen[bytes]:
    chroma = shutil.which("chroma") or str(Path(__import__("sys").executable).parent / "chroma")
    proc = subprocess.Popen(
        [chroma, "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=2):
                return proc
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError("chroma run did not answer its heartbeat in 60 s")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[Path, int, list[subprocess.Popen[bytes]]]]:
    port = free_port()
    procs = [start(tmp_path / "chroma-data", port)]
    yield tmp_path / "chroma-data", port, procs
    for p in procs:
        p.terminate()
        p.wait(timeout=20)


def test_ingest_retrieve_restart(settings: Settings, server) -> None:  # type: ignore[no-untyped-def]
    data, port, procs = server
    s = settings.model_copy(update={"chroma_url": f"http://127.0.0.1:{port}"})
    fake = FakeEmbedder()
    first = ingest(s, embedder=fake)
    assert first.added == first.chunks > 10
    assert not (settings.index_path / "chroma.sqlite3").exists()  # nothing embedded locally
    assert ingest(s, embedder=fake).added == 0
    hits = Pipeline.open(s, embedder=fake).retriever.retrieve("湖北省累计建成多少个5G基站？", 3)
    assert "16.38万" in hits[0].chunk.text and hits[0].bm25_score > 0

    procs[0].terminate()
    procs[0].wait(timeout=20)
    with pytest.raises(ServiceError, match="chroma run"):
        Pipeline.open(s, embedder=fake)
    procs.append(start(data, port))
    again = Pipeline.open(s, embedder=fake)
    assert again.store.count() == first.chunks
    assert "16.38万" in again.retriever.retrieve("湖北省累计建成多少个5G基站？", 3)[0].chunk.text


def test_app_processes_follow_each_others_ingest(settings: Settings, server) -> None:  # type: ignore[no-untyped-def]
    """Two serving pipelines on one server: an ingest by a third party reaches both without a rebuild."""
    _, port, _ = server
    s = settings.model_copy(update={"chroma_url": f"http://127.0.0.1:{port}", "sync_seconds": 0.0,
                                    "cache_dir": settings.project_root / "cache"})  # fmt: skip
    fake = FakeEmbedder()
    ingest(s, embedder=fake)
    a = Pipeline.open(s, embedder=fake)
    b = Pipeline.open(s, embedder=fake)
    assert list((settings.project_root / "cache" / "bm25").glob("bm25-*.npz")), "the BM25 index is saved"
    (settings.corpus_path / "late.md").write_text("晚到的新闻稿：闭幕式在光谷科技会展中心举行。", encoding="utf-8")
    ingest(s, embedder=fake)
    for p in (a, b):
        hits = p.retriever.retrieve("闭幕式在哪里举行", 3)
        seen = [(h.chunk.source, h.dense_rank, h.bm25_rank) for h in hits]
        lex = p.retriever.lexical
        why = (seen, lex.key, sorted(lex.versions))
        assert hits[0].chunk.source == "corpus/late.md" and hits[0].bm25_score > 0, why
    (settings.corpus_path / "late.md").unlink()
    ingest(s, embedder=fake)
    assert all(h.chunk.source != "corpus/late.md" for h in a.retriever.retrieve("闭幕式在哪里举行", 5))
