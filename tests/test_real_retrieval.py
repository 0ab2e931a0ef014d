"""Retrieval with the real model over the real press release."""

import pytest

from confbot.evaluation import evaluate_retrieval, is_hit, load_qa
from conftest import DEV_QA

pytestmark = pytest.mark.model


def test_dev_set_meets_targets(real_pipeline) -> None:  # type: ignore[no-untyped-def]
    items = load_qa(DEV_QA)
    report, results = evaluate_retrieval(items, real_pipeline.retriever.retrieve, 5)
    assert report["n"] >= 34
    assert report["hit@3"] >= 0.95, [(r.item.id, r.rank) for r in results if r.item.answerable and (r.rank or 9) > 3]
    assert report["mrr"] >= 0.88
    for lang in ("zh", "zh-Hant", "en"):
        assert report["by_lang"][lang]["hit@5"] >= 0.9


@pytest.mark.parametrize(
    ("question", "evidence"),
    [
        ("How many 5G base stations has Hubei built?", "16.38万"),
        ("Who presided over the press conference?", "胡从东"),
        ("湖北國家級專精特新中小企業有多少家？", "678家"),
        ("湖北省下一步打算怎样提升实数融合发展水平？", "链式协同"),
    ],
)
def test_questions_find_their_passage(real_pipeline, question: str, evidence: str) -> None:  # type: ignore[no-untyped-def]
    hits = real_pipeline.retriever.retrieve(question, 3)
    assert any(is_hit(h.chunk.text, [evidence]) for h in hits)
    h = hits[0]
    assert h.dense_score > 0 and h.score > 0
