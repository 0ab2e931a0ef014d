"""Ingest and the store, with a real embedded Chroma and the fake embedder."""

import json
from pathlib import Path

import pytest

from confbot.errors import IndexMismatchError, IndexMissingError, InputError, LoaderError, ServiceError
from confbot.ingest.indexer import ingest
from confbot.retrieve.pipeline import Pipeline
from confbot.settings import Settings
from fakes import FakeEmbedder


def test_ingest_is_idempotent_and_tracks_changes(settings: Settings, fake_embedder: FakeEmbedder) -> None:
    first = ingest(settings, embedder=fake_embedder)
    assert first.files == 1 and first.added == first.chunks > 10 and first.unchanged == 0
    again = ingest(settings, embedder=fake_embedder)
    assert (again.added, again.removed, again.unchanged, again.chunks) == (0, 0, first.chunks, first.chunks)

    release = next((settings.corpus_path).glob("*.txt"))
    text = release.read_text(encoding="utf-8")
    release.write_text(text.replace("舉行四屆", "舉行五屆"), encoding="utf-8")
    changed = ingest(settings, embedder=fake_embedder)
    assert changed.added >= 1 and changed.removed == changed.added
    assert changed.chunks == first.chunks
    p = Pipeline.open(settings, embedder=fake_embedder)
    texts = "".join(c.text for c in p.store.all_chunks())
    assert "五届" in texts and "四届" not in texts

    extra = settings.corpus_path / "second.md"
    extra.write_text("第二份新闻稿。大会设有创新成果展。", encoding="utf-8")
    added = ingest(settings, embedder=fake_embedder)
    assert added.files == 2 and added.added == 1 and added.chunks == first.chunks + 1

    extra.unlink()
    removed = ingest(settings, embedder=fake_embedder)
    assert removed.removed == 1 and removed.chunks == first.chunks
    assert set(Pipeline.open(settings, embedder=fake_embedder).store.sources()) == {"corpus/000_6ecf1ceda1c9a779.txt"}


def test_chunks_are_clean_and_offsets_exact(settings: Settings, fake_embedder: FakeEmbedder) -> None:
    from confbot.ingest.loaders import load, read_corrections
    from confbot.text.normalize import to_simplified

    ingest(settings, embedder=fake_embedder)
    chunks = Pipeline.open(settings, embedder=fake_embedder).store.all_chunks()
    doc = load(
        next(settings.corpus_path.glob("*.txt")),
        settings.project_root,
        corrections=read_corrections(settings.corpus_path),
    )
    for c in chunks:
        assert doc.text[c.start : c.end] == c.text
        assert "(" not in c.text or "（" not in c.text
        assert to_simplified(c.text) == c.text
        assert not any(ch in c.text for ch in "āáǎàēéěèīíǐìōóǒòūúǔù")


def test_bad_file_leaves_the_index_untouched(settings: Settings, fake_embedder: FakeEmbedder) -> None:
    ingest(settings, embedder=fake_embedder)
    before = Pipeline.open(settings, embedder=fake_embedder).store.count()
    (settings.corpus_path / "broken.txt").write_bytes(bytes(range(256)) * 20)
    (settings.corpus_path / "new.txt").write_text("新的一段。", encoding="utf-8")
    with pytest.raises(LoaderError, match=r"broken\.txt.*Nothing was indexed"):
        ingest(settings, embedder=fake_embedder)
    assert Pipeline.open(settings, embedder=fake_embedder).store.count() == before
    report = ingest(settings, embedder=fake_embedder, skip_bad=True)
    assert report.added == 1 and len(report.failed) == 1
    assert report.chunks == before + 1


def test_empty_corpus_creates_nothing(tmp_path: Path, fake_embedder: FakeEmbedder) -> None:
    (tmp_path / "corpus").mkdir()
    s = Settings(project_root=tmp_path)
    with pytest.raises(InputError, match=r"no \.txt"):
        ingest(s, embedder=fake_embedder)
    assert not (tmp_path / "index").exists()


def test_missing_index(tmp_path: Path, fake_embedder: FakeEmbedder) -> None:
    with pytest.raises(IndexMissingError, match="confbot ingest"):
        Pipeline.open(Settings(project_root=tmp_path), embedder=fake_embedder)


def test_other_model_is_a_clear_error(settings: Settings, fake_embedder: FakeEmbedder) -> None:
    ingest(settings, embedder=fake_embedder)
    with pytest.raises(IndexMismatchError, match="--rebuild"):
        Pipeline.open(settings, embedder=FakeEmbedder(name="another-model"))
    report = ingest(settings, embedder=FakeEmbedder(name="another-model"), rebuild=True)
    assert report.added == report.chunks
    assert Pipeline.open(settings, embedder=FakeEmbedder(name="another-model")).store.count() == report.chunks


def test_an_index_built_by_an_older_version_is_rebuilt_by_ingest_losing_no_file(
    settings: Settings, fake_embedder: FakeEmbedder, tmp_path: Path
) -> None:
    from confbot.store.chroma import make_client

    outside = tmp_path / "elsewhere" / "note.txt"  # indexed from outside the corpus folder
    outside.parent.mkdir()
    outside.write_text("星河论坛新闻稿\n星河论坛将于11月19日开幕。\n", encoding="utf-8")
    ingest(settings, embedder=fake_embedder)
    ingest(settings, [outside], embedder=fake_embedder)
    col = make_client(settings.index_path).get_collection(settings.collection)
    col.modify(metadata={**(col.metadata or {}), "confbot_chunker": "0"})  # as an older confbot left it
    with pytest.raises(IndexMismatchError, match="chunker"):
        Pipeline.open(settings, embedder=fake_embedder)  # answering from it: a clear error
    report = ingest(settings, embedder=fake_embedder)  # what `make run` does: rebuilt, nothing lost
    assert any("older confbot (chunker 0 -> " in w for w in report.warnings)
    sources = set(Pipeline.open(settings, embedder=fake_embedder).store.sources())
    assert "corpus/000_6ecf1ceda1c9a779.txt" in sources and any(s.endswith("elsewhere/note.txt") for s in sources)
    assert not any("older" in w for w in ingest(settings, embedder=fake_embedder).warnings)  # once only


def test_several_indexes_side_by_side(project: Path, fake_embedder: FakeEmbedder) -> None:
    a = Settings(project_root=project, index_dir=Path("idx_a"))
    b = Settings(project_root=project, index_dir=Path("idx_b"))
    ingest(a, embedder=fake_embedder)
    assert (project / "idx_a" / "chroma.sqlite3").exists()
    with pytest.raises(IndexMissingError):
        Pipeline.open(b, embedder=fake_embedder)


def test_hybrid_retrieval_with_fake_embedder(settings: Settings, fake_embedder: FakeEmbedder) -> None:
    ingest(settings, embedder=fake_embedder)
    p = Pipeline.open(settings, embedder=fake_embedder)
    hits = p.retriever.retrieve("湖北省累計建成多少個5G基站？", 3)
    assert len(hits) == 3
    assert "16.38万" in hits[0].chunk.text
    assert hits[0].bm25_score > 0 and hits[0].dense_score > 0
    assert hits == sorted(hits, key=lambda h: -h.score)
    assert json.dumps([h.chunk.id for h in hits])


def test_a_chunk_the_vector_index_misses_is_ranked_by_its_exact_cosine(
    settings: Settings, fake_embedder: FakeEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    """HNSW is approximate, and a Chroma server can answer before it has indexed an upsert: a BM25 candidate
    left out of the dense results still gets its cosine, and its dense rank when the cosine earns one."""
    (settings.corpus_path / "late.md").write_text("晚到的新闻稿：闭幕式在光谷科技会展中心举行。", encoding="utf-8")
    ingest(settings, embedder=fake_embedder)
    p = Pipeline.open(settings, embedder=fake_embedder)
    p.retriever.candidates = 5
    exact = p.retriever.retrieve("闭幕式在哪里举行", 3)
    assert exact[0].chunk.source == "corpus/late.md" and exact[0].dense_rank == exact[0].bm25_rank == 1

    real_query = p.store.query

    def without_late(
        vec: object, n: int, versions: object, sources: object = None, exclude_lang: object = None
    ) -> list[tuple[object, float]]:
        found = real_query(vec, n + 1, versions, sources, exclude_lang)  # type: ignore[arg-type]
        return [(c, s) for c, s in found if c.source != "corpus/late.md"][:n]

    monkeypatch.setattr(p.store, "query", without_late)
    missed = p.retriever.retrieve("闭幕式在哪里举行", 3)
    assert [(h.chunk.id, h.dense_rank, h.bm25_rank) for h in missed] == [
        (h.chunk.id, h.dense_rank, h.bm25_rank) for h in exact
    ]
    assert missed[0].dense_score == pytest.approx(exact[0].dense_score, abs=1e-5)

    # a dense search that fails (an embedded index rewritten by another process) still ranks BM25's candidates
    def fail(*_: object) -> None:
        raise ServiceError("index being rewritten")

    monkeypatch.setattr(p.store, "query", fail)
    monkeypatch.setattr(type(p.store), "embedded", property(lambda self: True))
    alone = p.retriever.retrieve("闭幕式在哪里举行", 3)
    assert alone[0].chunk.source == "corpus/late.md" and alone[0].dense_rank == 1 and alone[0].dense_score > 0.5


def test_a_scope_limits_retrieval_and_answers_to_one_events_files(
    settings: Settings, fake_embedder: FakeEmbedder
) -> None:
    """An index with several events' releases: a scope (a folder of the project) answers from that event only."""
    from confbot.answer.chain import Answerer

    for folder, text in (
        ("2023-beijing", "2023年大会的闭幕式在北京国家会议中心举行。"),
        ("2024-wuhan", "2024年大会的闭幕式在武汉光谷科技会展中心举行。"),
    ):
        (settings.corpus_path / folder).mkdir()
        (settings.corpus_path / folder / "closing.md").write_text(text, encoding="utf-8")
    ingest(settings, embedder=fake_embedder)
    p = Pipeline.open(settings, embedder=fake_embedder)
    q = "闭幕式在哪里举行？"
    everything = {h.chunk.source for h in p.retriever.retrieve(q, 5)}
    assert {"corpus/2023-beijing/closing.md", "corpus/2024-wuhan/closing.md"} <= everything
    assert {h.chunk.source for h in p.retriever.retrieve(q, 5, scope="./corpus/2024-wuhan/")} == {
        "corpus/2024-wuhan/closing.md"
    }
    exact = [(h.chunk.id, round(h.dense_score, 5)) for h in p.retriever.retrieve(q, 5, scope="corpus/2024-wuhan")]
    p.retriever.exact_scope_max = 0  # a large scope goes through Chroma's metadata filter instead: same hits
    assert [
        (h.chunk.id, round(h.dense_score, 5)) for h in p.retriever.retrieve(q, 5, scope="corpus/2024-wuhan")
    ] == exact
    with pytest.raises(InputError, match=r"no ingested file is under 'corpus/2024'.*corpus/2024-wuhan"):
        p.retriever.retrieve(q, 5, scope="corpus/2024")  # a folder name's prefix is not the folder

    scoped = Pipeline.open(settings.model_copy(update={"scope": "corpus/2023-beijing"}), embedder=fake_embedder)
    assert {h.chunk.source for h in scoped.retriever.retrieve(q, 5)} == {"corpus/2023-beijing/closing.md"}
    assert len({h.chunk.source for h in scoped.retriever.retrieve(q, 5, scope="")}) >= 2  # "": every file
    a = Answerer(scoped).answer(q)
    assert not a.refused and "北京国家会议中心" in a.text and "光谷" not in a.text
    assert a.citations and {c.source for c in a.citations} == {"corpus/2023-beijing/closing.md"}
    w = Answerer(scoped).answer(q, scope="corpus/2024-wuhan")
    assert "光谷科技会展中心" in w.text and {c.source for c in w.citations} == {"corpus/2024-wuhan/closing.md"}

    # BM25 candidates' vectors are read from Chroma once, then from memory
    calls: list[int] = []
    real_vectors = p.store.vectors
    p.store.vectors = lambda ids: calls.append(len(ids)) or real_vectors(ids)  # type: ignore[method-assign]
    p.retriever.candidates = 3  # fewer than the index holds: BM25 brings candidates the dense side did not
    first = [h.chunk.id for h in p.retriever.retrieve("大会的主题是什么", 5)]
    assert [h.chunk.id for h in p.retriever.retrieve("大会的主题是什么", 5)] == first
    assert len(calls) == 1 and calls[0] > 0

    # a file added to the scope later is found (the mask follows the index)
    (settings.corpus_path / "2023-beijing" / "venue.md").write_text("2023年大会主会场设在北京。", encoding="utf-8")
    ingest(settings, embedder=fake_embedder)
    scoped.retriever.refresh()
    assert "corpus/2023-beijing/venue.md" in {h.chunk.source for h in scoped.retriever.retrieve("主会场设在哪里", 3)}


def test_langchain_retriever(settings: Settings, fake_embedder: FakeEmbedder) -> None:
    from langchain_core.retrievers import BaseRetriever

    from confbot.retrieve.retriever import langchain_retriever

    ingest(settings, embedder=fake_embedder)
    lc = langchain_retriever(Pipeline.open(settings, embedder=fake_embedder).retriever, k=2)
    assert isinstance(lc, BaseRetriever)
    docs = lc.invoke("新闻发布会由谁主持？")
    assert len(docs) == 2
    assert "胡从东" in docs[0].page_content
    assert {"source", "start", "end", "score", "dense_score", "bm25_score"} <= set(docs[0].metadata)


def test_question_checks(settings: Settings, fake_embedder: FakeEmbedder) -> None:
    ingest(settings, embedder=fake_embedder)
    p = Pipeline.open(settings, embedder=fake_embedder)
    for bad in ("", "   \n", "\x00\x01"):
        with pytest.raises(InputError, match="empty"):
            p.check_question(bad)
    with pytest.raises(InputError, match="20000 characters"):
        p.check_question("问" * 20000)
    assert p.check_question("  大会\x07在哪里？ ") == "大会在哪里？"


def test_a_second_concurrent_ingest_is_refused(settings: Settings, fake_embedder: FakeEmbedder) -> None:
    from confbot.errors import ConfbotError
    from confbot.ingest.indexer import ingest_lock

    ingest(settings, embedder=fake_embedder)
    with ingest_lock(settings), pytest.raises(ConfbotError, match="another ingest is running"):
        ingest(settings, embedder=fake_embedder)
    assert ingest(settings, embedder=fake_embedder).added == 0  # the lock is released


def test_export_import_round_trip(settings: Settings, fake_embedder: FakeEmbedder, tmp_path: Path) -> None:
    from confbot.store.chroma import make_client
    from confbot.store.transfer import export_index, import_index

    ingest(settings, embedder=fake_embedder)
    src = Pipeline.open(settings, embedder=fake_embedder)
    n = export_index(src.store, tmp_path / "idx.jsonl.gz")
    assert n == src.store.count()
    target = settings.model_copy(update={"index_dir": tmp_path / "moved"})
    name, m = import_index(make_client(target.index_path, None, create=True), tmp_path / "idx.jsonl.gz")
    assert (name, m) == (settings.collection, n)
    moved = Pipeline.open(target, embedder=fake_embedder)
    assert [c.id for c in moved.store.all_chunks()] == [c.id for c in src.store.all_chunks()]
    q = "湖北省累计建成多少个5G基站？"
    assert [h.chunk.id for h in moved.retriever.retrieve(q, 3)] == [h.chunk.id for h in src.retriever.retrieve(q, 3)]
    assert ingest(target, embedder=fake_embedder).added == 0  # the moved index is complete
    with pytest.raises(InputError, match="already has a collection"):
        import_index(make_client(target.index_path, None), tmp_path / "idx.jsonl.gz")
    (tmp_path / "junk.gz").write_bytes(b"not gzip")
    with pytest.raises(InputError, match="not a confbot export"):
        import_index(make_client(target.index_path, None), tmp_path / "junk.gz", "other")


def test_a_symlink_out_of_an_ingested_folder_is_refused(
    settings: Settings, fake_embedder: FakeEmbedder, tmp_path: Path
) -> None:
    secret = tmp_path / "outside" / "secret.txt"
    secret.parent.mkdir()
    secret.write_text("不应被索引的内部文件。", encoding="utf-8")
    (settings.corpus_path / "link.txt").symlink_to(secret)
    with pytest.raises(LoaderError, match=r"link\.txt: resolves to .*outside the folder being ingested"):
        ingest(settings, embedder=fake_embedder)
    report = ingest(settings, embedder=fake_embedder, skip_bad=True)  # the rest is indexed, the link reported
    assert any("link.txt" in f for f in report.failed)
    texts = "".join(c.text for c in Pipeline.open(settings, embedder=fake_embedder).store.all_chunks())
    assert "内部文件" not in texts
    # uploads through the app stay confined to the corpus folder, even for a file named on its own
    with pytest.raises(LoaderError, match="outside the corpus folder"):
        ingest(settings, [secret], embedder=fake_embedder, confine=settings.corpus_path)


def test_files_and_folders_outside_the_corpus_can_be_ingested(
    settings: Settings, fake_embedder: FakeEmbedder, tmp_path_factory: pytest.TempPathFactory
) -> None:
    outside = tmp_path_factory.mktemp("outside")  # outside the project: recorded by absolute path
    assert settings.project_root.resolve() not in outside.resolve().parents
    elsewhere = outside / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "a.txt").write_text("外部文件夹里的新闻稿。展会共设五个展区。", encoding="utf-8")
    single = outside / "single.md"
    single.write_text("单独指定的文件。论坛于周五举行。", encoding="utf-8")
    dotdot = settings.corpus_path / ".." / "beside.txt"  # named on its own: the user chose it
    dotdot.write_text("语料库旁边的文件。", encoding="utf-8")
    ingest(settings, [elsewhere, single, dotdot], embedder=fake_embedder)
    sources = set(Pipeline.open(settings, embedder=fake_embedder).store.sources())
    assert {(elsewhere / "a.txt").resolve().as_posix(), single.resolve().as_posix(), "beside.txt"} <= sources
    # a file gone from an outside folder loses its chunks when that folder is ingested again
    (elsewhere / "b.txt").write_text("第二份外部新闻稿。", encoding="utf-8")
    ingest(settings, [elsewhere], embedder=fake_embedder)
    (elsewhere / "a.txt").unlink()
    report = ingest(settings, [elsewhere], embedder=fake_embedder)
    sources = set(Pipeline.open(settings, embedder=fake_embedder).store.sources())
    assert report.removed >= 1 and (elsewhere / "a.txt").resolve().as_posix() not in sources
    assert (elsewhere / "b.txt").resolve().as_posix() in sources and single.resolve().as_posix() in sources


def test_filenames_with_spaces_and_cjk(settings: Settings, fake_embedder: FakeEmbedder) -> None:
    name = settings.corpus_path / "新闻 稿 (第二版) 2024.md"
    name.write_text("# 第二份\n\n分论坛将在光谷举行。", encoding="utf-8")
    ingest(settings, embedder=fake_embedder)
    p = Pipeline.open(settings, embedder=fake_embedder)
    assert "corpus/新闻 稿 (第二版) 2024.md" in p.store.sources()
    hits = p.retriever.retrieve("分论坛在光谷举行", 3)
    assert hits[0].chunk.source == "corpus/新闻 稿 (第二版) 2024.md"


def test_a_50_mb_text_file_is_refused_with_the_limit_to_raise(settings: Settings, fake_embedder: FakeEmbedder) -> None:
    big = settings.corpus_path / "dump.txt"
    line = ("大会新闻稿的重复内容。" * 1000 + "\n").encode()
    big.write_bytes(line * (50_000_000 // len(line)))  # 50 MB: under the byte limit, far over the text limit
    with pytest.raises(
        LoaderError, match=r"dump\.txt: .* characters of text is more than a press release.*MAX_TEXT_CHARS"
    ):
        ingest(settings, embedder=fake_embedder)
    big.write_bytes(line * (60_000_000 // len(line)))  # 60 MB: refused before it is read
    with pytest.raises(LoaderError, match=r"dump\.txt: .* MB is over the 52 MB limit.*Nothing was indexed"):
        ingest(settings, embedder=fake_embedder)
    assert not settings.index_path.joinpath("chroma.sqlite3").exists()


def test_identical_content_under_another_name_is_indexed_once(settings: Settings, fake_embedder: FakeEmbedder) -> None:
    body = "本届展会将于6月1日开幕，展期三天。展馆共设八个展区。".encode()
    (settings.corpus_path / "release.txt").write_bytes(body)
    (settings.corpus_path / "uploads").mkdir()
    (settings.corpus_path / "uploads" / "release_copy.txt").write_bytes(body)
    report = ingest(settings, embedder=fake_embedder)
    sources = Pipeline.open(settings, embedder=fake_embedder).store.sources()
    assert "corpus/release.txt" in sources and "corpus/uploads/release_copy.txt" not in sources
    assert any("release_copy.txt" in w and "corpus/release.txt" in w and "once" in w for w in report.warnings)
    # the copy named on its own later (as an upload is) is recognised against the index
    again = ingest(settings, [settings.corpus_path / "uploads" / "release_copy.txt"], embedder=fake_embedder)
    assert any("same content as corpus/release.txt (already indexed)" in w for w in again.warnings)
    assert "corpus/uploads/release_copy.txt" not in Pipeline.open(settings, embedder=fake_embedder).store.sources()


def test_ingesting_a_folder_from_inside_it_loses_nothing(
    settings: Settings, fake_embedder: FakeEmbedder, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """A newcomer's trial: a folder indexed by absolute path, then ``confbot ingest .`` run from inside it, printed
    "8 removed; the index holds 0 chunks" (the files looked like copies of themselves under new names, and "." took
    in every indexed file). Each file keeps the name it was indexed under, and only files gone from the folder go."""
    outside = tmp_path_factory.mktemp("press")
    (outside / "a.txt").write_text("外部新闻稿一。展会共设五个展区。", encoding="utf-8")
    (outside / "b.txt").write_text("外部新闻稿二。论坛于周五举行。", encoding="utf-8")
    ingest(settings, embedder=fake_embedder)
    ingest(settings, [outside], embedder=fake_embedder)
    before = Pipeline.open(settings, embedder=fake_embedder).store.sources()
    inside = settings.model_copy(
        update={"project_root": outside, "index_dir": settings.index_path, "corpus_dir": settings.corpus_path}
    )
    report = ingest(inside, [Path(outside)], embedder=fake_embedder)  # `cd press && confbot ingest .`
    assert (report.added, report.removed, report.chunks) == (0, 0, sum(i.chunks for i in before.values()))
    assert not report.warnings
    (outside / "b.txt").unlink()
    report = ingest(inside, [Path(outside)], embedder=fake_embedder)
    after = set(Pipeline.open(settings, embedder=fake_embedder).store.sources())
    assert report.removed == 1 and after == set(before) - {(outside / "b.txt").resolve().as_posix()}


def test_a_rebuild_keeps_every_indexed_file_or_names_those_it_leaves_out(
    settings: Settings, fake_embedder: FakeEmbedder, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """``confbot ingest --rebuild`` without paths dropped the files indexed from outside the corpus and reported
    "0 removed"; it now rebuilds from them too. A rebuild from named paths says which indexed files it left out."""
    outside = tmp_path_factory.mktemp("press") / "note.txt"
    outside.write_text("星河论坛新闻稿\n星河论坛将于11月19日开幕。\n", encoding="utf-8")
    ingest(settings, embedder=fake_embedder)
    ingest(settings, [outside], embedder=fake_embedder)
    before = set(Pipeline.open(settings, embedder=fake_embedder).store.sources())
    report = ingest(settings, embedder=fake_embedder, rebuild=True)
    assert set(Pipeline.open(settings, embedder=fake_embedder).store.sources()) == before and not report.warnings
    report = ingest(settings, [settings.corpus_path], embedder=fake_embedder, rebuild=True)
    assert outside.resolve().as_posix() not in Pipeline.open(settings, embedder=fake_embedder).store.sources()
    assert any("no longer holds 1 file(s)" in w and "note.txt" in w for w in report.warnings)


def test_a_folder_ingest_names_the_files_it_cannot_read(settings: Settings, fake_embedder: FakeEmbedder) -> None:
    """A folder holding a .doc and an .xlsx beside the releases was reported as "1 files" with no word about them."""
    (settings.corpus_path / "old.doc").write_bytes(b"\xd0\xcf\x11\xe0 legacy word")
    (settings.corpus_path / "agenda.xlsx").write_bytes(b"PK\x03\x04 sheet")
    report = ingest(settings, embedder=fake_embedder)
    assert report.files == 1
    assert any("skipped 2 file(s)" in w and "old.doc" in w and "agenda.xlsx" in w for w in report.warnings)


def test_embedding_progress_is_logged_without_a_terminal(
    settings: Settings, fake_embedder: FakeEmbedder, caplog: pytest.LogCaptureFixture
) -> None:
    """A large file embedded with no progress bar (stderr not a terminal) printed nothing for minutes: each encode
    call now logs how far it got (shown with --log-level INFO)."""
    import logging

    with caplog.at_level(logging.INFO, logger="confbot.ingest.indexer"):
        report = ingest(settings, embedder=fake_embedder)
    counts = [r.getMessage() for r in caplog.records if r.getMessage().startswith("embedded ")]
    assert counts and counts[-1] == f"embedded {report.added} of {report.added} chunks"


def test_ingest_report_lists_repairs_per_file(settings: Settings, fake_embedder: FakeEmbedder) -> None:
    (settings.corpus_path / "reprint.txt").write_text("展（zhan）馆(guan) 开放。", encoding="utf-8")
    report = ingest(settings, embedder=fake_embedder)
    assert report.repairs["corpus/reprint.txt"] == ["2 pinyin annotations removed"]
    assert report.as_json()["repairs"]["corpus/reprint.txt"] == ["2 pinyin annotations removed"]  # type: ignore[index]
