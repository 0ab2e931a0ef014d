"""Crash safety: a real SIGKILL at several points of an ingest, in a subprocess, against a real embedded Chroma.

Each file must be at its old or its new version afterwards (never half of each), readers must
see only committed chunks, and the next ingest must complete the job and leave no leftovers.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from confbot.errors import IndexMismatchError
from confbot.ingest.chunker import chunk_document
from confbot.ingest.indexer import ingest
from confbot.ingest.loaders import load
from confbot.retrieve.pipeline import Pipeline
from confbot.settings import Settings
from confbot.store.chroma import REBUILD_SUFFIX, ChunkStore, make_client
from fakes import FakeEmbedder

SCRIPT = """
import sys
from pathlib import Path
from fakes import FakeEmbedder
from confbot.ingest.indexer import ingest
from confbot.settings import Settings
ingest(Settings(project_root=Path(sys.argv[1])), embedder=FakeEmbedder(name=sys.argv[3]), rebuild=sys.argv[2] == "rebuild")
"""


def run_ingest(root: Path, failpoint: str | None = None, rebuild: bool = False, model: str = "fake-ngram-embedder",
               wait: bool = True) -> subprocess.Popen[bytes]:  # fmt: skip
    env = {**os.environ, "CONFBOT_INGEST_GROUP_CHUNKS": "10"}  # the release is one group, the other files another
    # the child imports the test fakes from tests/ (pytest puts it on sys.path only for itself)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(Path(__file__).parent), os.environ.get("PYTHONPATH")) if p)
    env.pop("CONFBOT_FAILPOINT", None)
    if failpoint:
        env["CONFBOT_FAILPOINT"] = failpoint
    cmd = [sys.executable, "-c", SCRIPT, str(root), "rebuild" if rebuild else "update", model]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if wait:
        proc.wait(timeout=300)
    return proc


def versions(settings: Settings) -> dict[str, list[str]]:
    """The chunk texts of every file as it is on disk now."""
    from confbot.ingest.loaders import discover, read_corrections

    out = {}
    fixes = read_corrections(settings.corpus_path)
    for f in discover([settings.corpus_path]):
        doc = load(f, settings.project_root, corrections=fixes)
        out[doc.source] = [c.text for c in chunk_document(doc.source, doc.text)]
    return out


def committed(settings: Settings, model: str = "fake-ngram-embedder") -> dict[str, list[str]]:
    store = Pipeline.open(settings, embedder=FakeEmbedder(name=model)).store
    out: dict[str, list[str]] = {}
    for c in store.all_chunks():
        out.setdefault(c.source, []).append(c.text)
    return out


def change_corpus(settings: Settings) -> None:
    corpus = settings.corpus_path
    release = next(corpus.glob("000_*.txt"))
    release.write_text(release.read_text(encoding="utf-8").replace("舉行四屆", "舉行五屆"), encoding="utf-8")
    (corpus / "a.md").write_text("# 甲\n\n甲文件的第二版。新增一句话。", encoding="utf-8")
    (corpus / "b.md").unlink()
    (corpus / "d.md").write_text("丁文件：新加入的新闻稿。", encoding="utf-8")


@pytest.fixture
def before(settings: Settings, fake_embedder: FakeEmbedder) -> dict[str, list[str]]:
    (settings.corpus_path / "a.md").write_text("# 甲\n\n甲文件的第一版。", encoding="utf-8")
    (settings.corpus_path / "b.md").write_text("乙文件，稍后会被删除。", encoding="utf-8")
    (settings.corpus_path / "c.md").write_text("丙文件，一直不变。", encoding="utf-8")
    ingest(settings, embedder=fake_embedder)
    return versions(settings)


@pytest.mark.parametrize(
    "point",
    [
        "ingest-start",
        "ingest-upserted:1",
        "ingest-upserted:2",
        "ingest-committed:1",
        "rebuild-complete",
        "rebuild-swapped-out",
    ],
)
def test_sigkill_leaves_every_file_old_or_new(point: str, settings: Settings, before: dict[str, list[str]]) -> None:
    change_corpus(settings)
    after = versions(settings)
    proc = run_ingest(settings.project_root, failpoint=point, rebuild=point.startswith("rebuild"))
    assert proc.returncode == -signal.SIGKILL, proc.stderr.read().decode()[-2000:]

    seen = committed(settings)
    for src, texts in seen.items():
        assert texts in (before.get(src), after.get(src)), f"{src} is neither its old nor its new version"
    assert set(seen) <= set(before) | set(after)
    p = Pipeline.open(settings, embedder=FakeEmbedder())
    for q in ["大会在哪里举办", "甲文件", "乙文件", "丁文件"]:
        for h in p.retriever.retrieve(q, 10):
            assert h.chunk.text in seen[h.chunk.source], "a reader saw an uncommitted chunk"

    report = ingest(settings, embedder=FakeEmbedder())  # the next ingest completes the job
    assert committed(settings) == after
    store = Pipeline.open(settings, embedder=FakeEmbedder()).store
    assert store.count() == sum(len(t) for t in after.values()), "leftover records"
    assert store.leftovers() == [] and store.clean
    assert report.chunks == store.count()


def test_rebuild_keeps_the_old_index_until_the_new_one_is_complete(settings: Settings,
                                                                    fake_embedder: FakeEmbedder) -> None:  # fmt: skip
    ingest(settings, embedder=fake_embedder)
    with pytest.raises(IndexMismatchError, match="--rebuild"):
        Pipeline.open(settings, embedder=FakeEmbedder(name="fake-v2"))

    proc = run_ingest(settings.project_root, failpoint="rebuild-complete", rebuild=True, model="fake-v2")
    assert proc.returncode == -signal.SIGKILL
    old = Pipeline.open(settings, embedder=fake_embedder)  # the old index still answers
    assert old.retriever.retrieve("大会在哪里举办", 3)
    with pytest.raises(IndexMismatchError):
        Pipeline.open(settings, embedder=FakeEmbedder(name="fake-v2"))

    proc = run_ingest(settings.project_root, rebuild=True, model="fake-v2")
    assert proc.returncode == 0, proc.stderr.read().decode()[-2000:]
    new = Pipeline.open(settings, embedder=FakeEmbedder(name="fake-v2"))
    assert new.retriever.retrieve("大会在哪里举办", 3)
    names = [c.name for c in make_client(settings.index_path).list_collections()]
    assert names == [settings.collection], "the rebuild collection is renamed into place, the old one dropped"
    # the app process that had the old index open follows the swap at its next query
    with pytest.raises(IndexMismatchError):
        Pipeline.open(settings, embedder=fake_embedder)


def test_reader_follows_a_rebuild_whose_swap_was_cut_short(settings: Settings, fake_embedder: FakeEmbedder) -> None:
    ingest(settings, embedder=fake_embedder)
    proc = run_ingest(settings.project_root, failpoint="rebuild-swapped-out", rebuild=True)
    assert proc.returncode == -signal.SIGKILL
    client = make_client(settings.index_path)
    assert [c.name for c in client.list_collections()] == [settings.collection + REBUILD_SUFFIX]
    reader = Pipeline.open(settings, embedder=fake_embedder)
    assert reader.retriever.retrieve("大会在哪里举办", 3)
    ingest(settings, embedder=fake_embedder)  # a writer completes the swap
    assert [c.name for c in make_client(settings.index_path).list_collections()] == [settings.collection]


def test_queries_during_an_ingest_see_committed_chunks_only(settings: Settings, fake_embedder: FakeEmbedder) -> None:
    ingest(settings, embedder=fake_embedder)
    reader = Pipeline.open(settings, embedder=fake_embedder)
    reader.retriever.sync_interval = 0.0
    for i in range(40):
        (settings.corpus_path / f"extra_{i:02d}.md").write_text(f"第{i}号补充稿：分论坛{i}在武汉举办。" * 5, "utf-8")
    errors: list[BaseException] = []
    asked = 0
    proc = run_ingest(settings.project_root, wait=False)

    def ask() -> None:
        nonlocal asked
        while proc.poll() is None:
            try:
                for h in reader.retriever.retrieve("分论坛在哪里举办", 5):
                    v = reader.retriever.versions.get(h.chunk.source)
                    assert v is not None, "an uncommitted source was returned"
                asked += 1
            except BaseException as exc:
                errors.append(exc)
                return

    t = threading.Thread(target=ask)
    t.start()
    proc.wait(timeout=300)
    t.join(timeout=60)
    assert proc.returncode == 0, proc.stderr.read().decode()[-2000:]
    assert not errors, errors[0]
    assert asked > 0
    reader.retriever.sync(force=True)
    assert len(reader.retriever.versions) == 41
    assert {h.chunk.source for h in reader.retriever.retrieve("第7号补充稿", 3)} & {"corpus/extra_07.md"}


def test_the_bm25_index_is_saved_and_loaded(settings: Settings, fake_embedder: FakeEmbedder) -> None:
    ingest(settings, embedder=fake_embedder)
    first = Pipeline.open(settings, embedder=fake_embedder)
    files = list(settings.bm25_cache_path.glob("bm25-*.npz"))
    assert len(files) == 1
    second = Pipeline.open(settings, embedder=fake_embedder)
    assert second.retriever.lexical.key == first.retriever.lexical.key
    q = first.retriever.query_terms("大会在哪里举办")
    assert list(second.retriever.lexical.scores(q)) == list(first.retriever.lexical.scores(q))
    # an unreadable cache is rebuilt, not trusted
    files[0].write_bytes(b"not an npz")
    third = Pipeline.open(settings, embedder=fake_embedder)
    assert list(third.retriever.lexical.scores(q)) == list(first.retriever.lexical.scores(q))


def test_store_open_without_manifest_layout_asks_for_a_rebuild(settings: Settings, fake_embedder: FakeEmbedder) -> None:
    ingest(settings, embedder=fake_embedder)
    col = make_client(settings.index_path).get_collection(settings.collection)
    meta = dict(col.metadata)
    meta["confbot_layout"] = 1
    col.modify(metadata=meta)
    with pytest.raises(IndexMismatchError, match="layout"):
        ChunkStore.open(make_client(settings.index_path), settings.collection, fake_embedder)
