import json
from collections import Counter
from pathlib import Path

import pytest

from confbot.errors import InputError
from confbot.evaluation import ItemResult, QAItem, evaluate_retrieval, is_hit, load_qa, retrieval_metrics
from confbot.ingest.loaders import read_corrections
from confbot.records import Chunk, Hit
from confbot.text.normalize import canonical, repair
from conftest import CORPUS, DEV_QA, RAW_RELEASE


def test_dev_set_shape() -> None:
    items = load_qa(DEV_QA)
    assert len(items) >= 40
    assert sum(not i.answerable for i in items) >= 6
    langs = Counter(i.lang for i in items)
    assert langs["zh"] and langs["zh-Hant"] >= 5 and langs["en"] >= 5
    assert {"factoid", "list", "numeric", "paraphrase"} <= {i.type for i in items}
    corpus = canonical(repair(RAW_RELEASE.read_text(encoding="utf-8"), corrections=read_corrections(CORPUS))[0])
    for i in items:
        for e in i.evidence:
            assert canonical(e) in corpus, f"{i.id}: evidence not copied from the corpus: {e}"
        assert all(group for group in i.answer_keys)


def test_is_hit_uses_canonical_forms() -> None:
    assert is_hit("本屆大會(huì)以“實(shí)數(shù)融合 智造翹楚”為主題", ["以实数融合 智造翘楚为主题"])
    assert not is_hit("湖北省", ["武汉"])
    assert not is_hit("anything", [""])


def _result(rank: int | None, answerable: bool = True, lang: str = "zh") -> ItemResult:
    item = QAItem(id=str(id(object())), question="q", evidence=("e",) if answerable else (), lang=lang)
    return ItemResult(item=item, rank=rank, top_ids=[], top_texts=[], top1_dense=0.5)


def test_metrics() -> None:
    m = retrieval_metrics([_result(1), _result(2), _result(4), _result(None), _result(None, answerable=False)])
    assert m["n"] == 4
    assert m["hit@1"] == 0.25 and m["hit@3"] == 0.5 and m["hit@5"] == 0.75
    assert m["mrr"] == pytest.approx((1 + 0.5 + 0.25) / 4)


def test_evaluate_with_a_fixed_retriever() -> None:
    chunks = [Chunk(id=str(i), source="s", text=t, start=0, end=len(t)) for i, t in enumerate(["甲乙", "丙丁"])]

    def retrieve(q: str, k: int) -> list[Hit]:
        order = chunks if "甲" in q else chunks[::-1]
        return [Hit(chunk=c, score=1.0, dense_score=0.9, bm25_score=0.0) for c in order][:k]

    items = [
        QAItem("1", "甲?", ("甲乙",), lang="zh"),
        QAItem("2", "丁?", ("甲乙",), lang="en"),
        QAItem("3", "x?", (), lang="en"),
    ]
    report, results = evaluate_retrieval(items, retrieve, 5)
    assert report["hit@1"] == 0.5 and report["mrr"] == 0.75
    assert report["by_lang"]["en"]["hit@1"] == 0.0 and report["by_lang"]["zh"]["hit@1"] == 1.0
    assert [r.rank for r in results] == [1, 2, None]


def test_bad_qa_files(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such QA file"):
        load_qa(tmp_path / "missing.jsonl")
    f = tmp_path / "bad.jsonl"
    f.write_text('{"id": 1, "question": "q", "evidence": []}\n{"question": "no id"}\n')
    with pytest.raises(InputError, match=":2:"):
        load_qa(f)
    f.write_text(
        json.dumps({"id": 1, "question": "q", "evidence": []}) * 1
        + "\n"
        + json.dumps({"id": 1, "question": "q", "evidence": []})
    )
    with pytest.raises(InputError, match="duplicate"):
        load_qa(f)


def test_a_bare_string_is_one_evidence_not_its_characters(tmp_path: Path) -> None:
    """A hand-written QA line may give one string where a list is expected (round 15's held-out helpers wrote
    "superseded" so): it is one entry; split into characters, an evidence "2024年" would hit any text with a 2."""
    f = tmp_path / "qa.jsonl"
    row = {"id": "a", "question": "q", "evidence": "开幕于2024年", "superseded": "约2万名", "answer_keys": ["2024年"]}
    f.write_text(json.dumps(row, ensure_ascii=False) + "\n", encoding="utf-8")
    (item,) = load_qa(f)
    assert item.evidence == ("开幕于2024年",) and item.superseded == ("约2万名",)
    assert not is_hit("2", item.evidence)
    assert item.answer_keys == (("2024年",),)  # a group given as one string is one alternative
