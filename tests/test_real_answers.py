"""Answers with the real model over the real press release (the extractive default)."""

import pytest

from confbot.answer.chain import Answerer
from confbot.evaluation import evaluate_answers, evaluate_retrieval, load_qa
from conftest import DEV_QA

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def answerer(real_pipeline):  # type: ignore[no-untyped-def]
    return Answerer(real_pipeline)


def test_dev_set_answer_targets(answerer) -> None:  # type: ignore[no-untyped-def]
    items = load_qa(DEV_QA)
    _, results = evaluate_retrieval(items, answerer.pipeline.retriever.retrieve, 5)
    lookup = {c.id: c for c in answerer.pipeline.retriever.chunks}.get
    m = evaluate_answers(results, answerer.answer, lookup)
    wrong = [(r.item.id, r.extra["answer"][:60]) for r in results if r.extra["correct"] is False]
    assert m["answer_accuracy"] >= 0.9, wrong
    # one of its ten unanswerable questions (a keynote guest) is answered with the guests invited since the answer
    # threshold became 0.5 on nineteen corpora (ANSWER_THRESHOLD); the rest are refused
    assert m["refusal_recall"] >= 0.9, [r.item.id for r in results if not r.item.answerable and not r.extra["refused"]]
    assert m["refusal_precision"] >= 0.9
    assert m["citation_validity"] == 1.0
    # a refused item says why (the notes eval --json reports); an answered one carries none of a refusal's
    refused = [r for r in results if r.extra["refused"]]
    assert refused and all(r.extra["notes"] for r in refused)
    # every answerable dev question is answered
    assert not [r.item.id for r in results if r.item.answerable and r.extra["refused"]]


def test_follow_up_retrieves_dates_and_city(answerer) -> None:  # type: ignore[no-untyped-def]
    history = [
        {"role": "user", "content": "2024中国5G+工业互联网大会的主题是什么？"},
        {"role": "assistant", "content": "本届大会以“实数融合 智造翘楚”为主题。[1]"},
    ]
    a = answerer.answer("那它什么时候举办？", history)
    assert a.standalone_question != a.question and "大会" in a.standalone_question
    assert any("11月19日至21日在武汉举行" in h.chunk.text for h in a.hits)
    assert not a.refused and "11月19日" in a.text


@pytest.mark.parametrize(
    ("question", "must", "lead"),
    [
        ("湖北國家級專精特新中小企業有多少家？", "678", "根據"),
        ("How many 5G base stations has Hubei built?", "16.38万", "According"),
        ("当前“5G+工业互联网”发展呈现哪六大创新发展特征？", "梯次推进", "根据"),
    ],
)
def test_languages_and_lists(answerer, question: str, must: str, lead: str) -> None:  # type: ignore[no-untyped-def]
    a = answerer.answer(question)
    assert not a.refused and must in a.text and a.text.startswith(lead)
    assert a.citations


@pytest.mark.parametrize(
    "question",
    ["大会门票多少钱？", "What is the street address of the venue?", "大会的报名网址是什么？", "2023年大会的主题是什么？",
     "Who gives the keynote speech at the opening ceremony?"],
)  # fmt: skip
def test_refusals(answerer, question: str) -> None:  # type: ignore[no-untyped-def]
    a = answerer.answer(question)
    assert a.refused and not a.citations
