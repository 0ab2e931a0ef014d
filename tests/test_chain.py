"""The answer chain as a LangChain Runnable: child runs in callbacks, batch, streaming through callbacks."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.language_models.fake_chat_models import FakeListChatModel

from confbot.answer.chain import Answerer
from confbot.errors import IndexMissingError, InputError
from confbot.ingest.indexer import ingest
from confbot.records import Answer
from confbot.retrieve.pipeline import Pipeline
from confbot.service import Service
from confbot.settings import Settings
from fakes import FakeEmbedder


class RunNames(BaseCallbackHandler):
    """Records the name of every chain run LangChain starts, with its parent."""

    def __init__(self) -> None:
        self.runs: list[tuple[str, UUID | None]] = []
        self.ids: dict[UUID, str] = {}

    def on_chain_start(self, serialized: Any, inputs: Any, *, run_id: UUID, parent_run_id: UUID | None = None,
                       **kwargs: Any) -> None:  # fmt: skip
        name = kwargs.get("name") or (serialized or {}).get("name", "")
        self.runs.append((name, parent_run_id))
        self.ids[run_id] = name


@pytest.fixture
def service(settings: Settings) -> Service:
    fake = FakeEmbedder()
    ingest(settings, embedder=fake)
    return Service(settings, Answerer(Pipeline.open(settings, embedder=fake)))


def test_steps_are_child_runs_in_order(service: Service) -> None:
    rec = RunNames()
    a = service.chain().invoke({"question": "湖北省累计建成多少个5G基站？", "history": []}, {"callbacks": [rec]})
    assert isinstance(a, Answer) and not a.refused and a.citations
    names = [n for n, _ in rec.runs]
    steps = [n for n in names if n in ("condense", "retrieve", "select", "generate", "verify")]
    assert steps == ["condense", "retrieve", "select", "generate", "verify"]
    root = next(run_id for run_id, n in rec.ids.items() if n == "confbot")
    children = {n for n, parent in rec.runs if parent is not None}
    assert {"condense", "retrieve", "select", "generate", "verify"} <= children
    assert all(parent is not None for n, parent in rec.runs if n in steps) and root is not None


def test_batch_and_history(service: Service) -> None:
    chain = service.chain()
    out = chain.batch(
        [
            {"question": "湖北省累计建成多少个5G基站？", "history": []},
            {"question": "大会门票多少钱？"},
        ]
    )
    assert [type(a) for a in out] == [Answer, Answer]
    assert not out[0].refused and out[1].refused
    follow = chain.invoke(
        {
            "question": "那它的主题是什么？",
            "history": [{"role": "user", "content": "2024中国5G+工业互联网大会在哪里举行？"}],
        }
    )
    assert follow.standalone_question != follow.question


def test_bad_input_is_a_clear_error(service: Service) -> None:
    with pytest.raises(InputError, match="question"):
        service.chain().invoke({"history": []})
    with pytest.raises(InputError, match="empty"):
        service.chain().invoke({"question": "   "})


def test_llm_tokens_stream_through_the_chain(settings: Settings) -> None:
    fake = FakeEmbedder()
    ingest(settings, embedder=fake)
    reply = "湖北省累计建成5G基站16.38万个[1]。"
    answerer = Answerer(Pipeline.open(settings, embedder=fake), FakeListChatModel(responses=[reply]), "openai")
    parts = list(Service(settings, answerer).stream("湖北省累计建成多少个5G基站？"))
    deltas = [p for p in parts if isinstance(p, str)]
    assert len(deltas) > 1 and "".join(deltas) == reply  # token by token, as the model produced them
    assert isinstance(parts[-1], Answer) and "16.38万" in parts[-1].text


def test_a_sentence_in_the_other_language_is_scored_through_the_translated_question(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An English sentence's similarity to a Chinese question mixes its cosine to the question put word by word into
    English with its cosine to the question (``translated_mix``), as retrieval does; a Chinese sentence keeps its
    plain cosine, and with cross-language retrieval off every sentence does."""
    import numpy as np

    import confbot.retrieve.crosslingual as crosslingual
    from confbot.answer.selector import Sentence
    from confbot.records import Chunk

    monkeypatch.setattr(crosslingual, "translate_query", lambda text, vocabulary, cache_dir=None: "exhibition city")
    answerer = service.answerer
    retriever = answerer.pipeline.retriever
    zh, en = "展会在星河市举行。", "The exhibition is held in Xinghe City."
    chunk = Chunk(id="c", source="r.txt", text=zh + en, start=0, end=len(zh + en))
    sentences = [Sentence(text=t, chunk=chunk, rank=1, start=0, end=len(t)) for t in (zh, en)]
    question = "展会在哪座城市举行？"
    got = answerer.similarities(question, sentences)
    embed = answerer.pipeline.embedder
    q, t = retriever.embed_query(question), retriever.embed_query("exhibition city")
    vz, ve = (np.asarray(v) for v in embed.embed_documents([zh, en]))
    mix = retriever.translated_mix
    assert 0 < mix < 1 and got[0] == pytest.approx(float(np.dot(q, vz)), abs=1e-5)
    assert got[1] == pytest.approx(mix * float(np.dot(t, ve)) + (1 - mix) * float(np.dot(q, ve)), abs=1e-5)
    assert got[1] != pytest.approx(float(np.dot(q, ve)), abs=1e-5)
    retriever.crosslingual = False
    assert answerer.similarities(question, sentences)[1] == pytest.approx(float(np.dot(q, ve)), abs=1e-5)


def test_an_index_with_no_passages_is_an_error_not_a_refusal(service: Service) -> None:
    """Every file removed: "the materials don't say" would hide that there are no materials."""
    store = service.answerer.pipeline.store
    store.delete(store.collection.get(include=[])["ids"])
    with pytest.raises(IndexMissingError, match="holds no passages"):
        service.ask("湖北省累计建成多少个5G基站？")
