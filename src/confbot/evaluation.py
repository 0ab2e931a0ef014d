"""QA-set format and retrieval metrics (hit@k, MRR@10), overall and per language.

QA format, one JSON object per line: ``id``, ``question``, ``evidence`` (short strings copied
from the corpus; an empty list means the corpus does not answer it), optional ``answer_keys``
(groups of alternatives), ``lang`` and ``type``.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from confbot.errors import InputError
from confbot.records import Chunk, Hit
from confbot.text.normalize import canonical


@dataclass(frozen=True)
class QAItem:
    id: str
    question: str
    evidence: tuple[str, ...]
    answer_keys: tuple[tuple[str, ...], ...] = ()
    lang: str = "zh"
    type: str = ""

    @property
    def answerable(self) -> bool:
        return bool(self.evidence)


@dataclass
class ItemResult:
    item: QAItem
    rank: int | None
    top_ids: list[str]
    top_texts: list[str]
    top1_dense: float | None
    extra: dict[str, Any] = field(default_factory=dict)


def load_qa(path: Path) -> list[QAItem]:
    if not path.exists():
        raise InputError(f"{path}: no such QA file; pass a JSONL file (one question object per line).")
    items = []
    seen = set()
    for n, line in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            item = QAItem(
                id=str(obj["id"]),
                question=str(obj["question"]),
                evidence=tuple(str(e) for e in obj.get("evidence", [])),
                answer_keys=tuple(tuple(str(a) for a in g) for g in obj.get("answer_keys", [])),
                lang=str(obj.get("lang", "zh")),
                type=str(obj.get("type", "")),
            )
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise InputError(
                f'{path}:{n}: not a QA item ({exc}); each line needs at least "id", "question" and "evidence".'
            ) from exc
        if item.id in seen:
            raise InputError(f"{path}:{n}: duplicate id {item.id!r}; ids must be unique.")
        seen.add(item.id)
        items.append(item)
    if not items:
        raise InputError(f"{path}: the QA file has no items.")
    return items


def is_hit(text: str, evidence: Sequence[str]) -> bool:
    """A chunk answers an item when its canonical text contains the canonical form of any evidence string."""
    body = canonical(text)
    return any(canonical(e) and canonical(e) in body for e in evidence)


def first_hit_rank(hits: Sequence[Hit], evidence: Sequence[str]) -> int | None:
    for r, h in enumerate(hits, start=1):
        if is_hit(h.chunk.text, evidence):
            return r
    return None


def retrieval_metrics(results: Sequence[ItemResult]) -> dict[str, Any]:
    answerable = [r for r in results if r.item.answerable]
    n = len(answerable)

    def hit_at(k: int) -> float:
        return sum(1 for r in answerable if r.rank is not None and r.rank <= k) / n if n else 0.0

    mrr = sum(1.0 / r.rank for r in answerable if r.rank is not None and r.rank <= 10) / n if n else 0.0
    return {"n": n, "hit@1": hit_at(1), "hit@3": hit_at(3), "hit@5": hit_at(5), "mrr": mrr}


def _median(xs: list[float]) -> float | None:
    return round(statistics.median(xs), 4) if xs else None


def evaluate_retrieval(
    items: Sequence[QAItem],
    retrieve: Callable[[str, int], list[Hit]],
    k: int = 5,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[dict[str, Any], list[ItemResult]]:
    """Run every question through ``retrieve`` and compute the metrics."""
    results: list[ItemResult] = []
    depth = max(k, 10)
    for i, item in enumerate(items):
        hits = retrieve(item.question, depth)
        results.append(
            ItemResult(
                item=item,
                rank=first_hit_rank(hits, item.evidence) if item.answerable else None,
                top_ids=[h.chunk.id for h in hits[:k]],
                top_texts=[h.chunk.text for h in hits[:k]],
                top1_dense=hits[0].dense_score if hits else None,
            )
        )
        if progress:
            progress(i + 1, len(items))
    report: dict[str, Any] = {**retrieval_metrics(results), "n_total": len(results), "k": k}
    report["by_lang"] = {
        lang: retrieval_metrics([r for r in results if r.item.lang == lang])
        for lang in sorted({r.item.lang for r in results})
    }
    report["top1_dense_median"] = {
        "answerable": _median([r.top1_dense for r in results if r.item.answerable and r.top1_dense is not None]),
        "unanswerable": _median([r.top1_dense for r in results if not r.item.answerable and r.top1_dense is not None]),
    }
    return report, results


def per_item_json(r: ItemResult) -> dict[str, Any]:
    return {
        "id": r.item.id,
        "question": r.item.question,
        "lang": r.item.lang,
        "type": r.item.type,
        "answerable": r.item.answerable,
        "rank": r.rank,
        "top1_dense": None if r.top1_dense is None else round(r.top1_dense, 4),
        "top_chunk_ids": r.top_ids,
        **r.extra,
    }


def answer_correct(item: QAItem, text: str) -> bool:
    """Every group of ``answer_keys`` has one alternative in the answer (canonical comparison)."""
    body = canonical(text)
    return all(any(canonical(alt) in body for alt in group) for group in item.answer_keys)


def citation_valid(c: Any, chunk_text: Callable[[str], Chunk | None]) -> bool:
    """The quote is exactly the normalized source at [start, end), read back from the index."""
    chunk = chunk_text(c.chunk_id)
    if chunk is None:
        return False
    return bool(c.quote) and chunk.text[c.start - chunk.start : c.end - chunk.start] == c.quote


def evaluate_answers(
    results: Sequence[ItemResult],
    answer: Callable[[str], Any],
    chunk_lookup: Callable[[str], Chunk | None],
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Answer accuracy, refusal precision/recall and citation validity; adds each answer to ``extra``."""
    right = answerable = refused_right = refused = unanswerable = 0
    cits = valid = 0
    for i, r in enumerate(results):
        a = answer(r.item.question)
        ok_cits = [citation_valid(c, chunk_lookup) for c in a.citations]
        cits += len(ok_cits)
        valid += sum(ok_cits)
        refused += a.refused
        correct = None
        if r.item.answerable:
            answerable += 1
            correct = (not a.refused) and answer_correct(r.item, a.text)
            right += correct
        else:
            unanswerable += 1
            refused_right += a.refused
        r.extra.update({"answer": a.text, "refused": a.refused, "correct": correct, "citations": len(a.citations)})
        if progress:
            progress(i + 1, len(results))
    return {
        "answer_accuracy": right / answerable if answerable else None,
        "refusal_precision": refused_right / refused if refused else None,
        "refusal_recall": refused_right / unanswerable if unanswerable else None,
        "citation_validity": valid / cits if cits else None,
    }
