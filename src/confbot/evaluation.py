"""QA-set format and retrieval metrics (hit@k, MRR@10), overall and per language.

QA format, one JSON object per line: ``id``, ``question``, ``evidence`` (short strings copied
from the corpus; an empty list means the corpus does not answer it), optional ``answer_keys``
(groups of alternatives), ``lang`` (zh, zh-Hant, en), ``type``, ``passage_lang`` (the language
of the answering passage), ``history`` (earlier turns of a follow-up dialogue) and
``superseded`` (for a conflict between releases: what the earlier one said).

Metrics: hit@k is the share of answerable questions with an evidence-bearing chunk in the top
k; MRR@10 the mean reciprocal rank of the first such chunk (0 beyond 10). Answer accuracy: the
answer is not refused and holds one alternative of every ``answer_keys`` group. Refusal
precision: refusals that were right / all refusals; recall: unanswerable questions refused /
unanswerable questions (a ``partial`` answer counts as answered).
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
    passage_lang: str = ""
    history: tuple[tuple[str, str], ...] = ()
    superseded: tuple[str, ...] = ()

    @property
    def answerable(self) -> bool:
        return bool(self.evidence)

    @property
    def history_messages(self) -> list[dict[str, str]]:
        """``history`` as ``[{"role", "content"}]`` messages."""
        return [{"role": r, "content": c} for r, c in self.history]


@dataclass
class ItemResult:
    item: QAItem
    rank: int | None
    top_ids: list[str]
    top_texts: list[str]
    top1_dense: float | None
    extra: dict[str, Any] = field(default_factory=dict)


def _strings(value: Any) -> tuple[str, ...]:
    """A QA field holding one string or a list of strings, as a tuple (a bare string is one entry, not its
    characters: ``"evidence": "2024年"`` would otherwise match any text holding a 2)."""
    return (value,) if isinstance(value, str) else tuple(str(x) for x in value)


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
                evidence=_strings(obj.get("evidence", [])),
                answer_keys=tuple(_strings(g) for g in obj.get("answer_keys", [])),
                lang=str(obj.get("lang", "zh")),
                type=str(obj.get("type", "")),
                passage_lang=str(obj.get("passage_lang", "")),
                history=tuple((str(m["role"]), str(m["content"])) for m in obj.get("history", [])),
                superseded=_strings(obj.get("superseded", [])),
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
    standalone: Callable[[QAItem], str] | None = None,
) -> tuple[dict[str, Any], list[ItemResult]]:
    """Run every question through ``retrieve`` and compute the metrics.

    ``standalone(item)`` rewrites a follow-up with its ``history`` first (default: the question as is).
    """
    results: list[ItemResult] = []
    depth = max(k, 10)
    for i, item in enumerate(items):
        query = standalone(item) if standalone and item.history else item.question
        hits = retrieve(query, depth)
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
    report["by_lang"] = _grouped(results, lambda r: r.item.lang, retrieval_metrics)
    report["by_type"] = _grouped(results, lambda r: r.item.type, retrieval_metrics)
    report["by_lang_passage"] = _grouped(
        [r for r in results if r.item.passage_lang],
        lambda r: f"{r.item.lang}->{r.item.passage_lang}",
        retrieval_metrics,
    )
    report["top1_dense_median"] = {
        "answerable": _median([r.top1_dense for r in results if r.item.answerable and r.top1_dense is not None]),
        "unanswerable": _median([r.top1_dense for r in results if not r.item.answerable and r.top1_dense is not None]),
    }
    return report, results


def _grouped(
    results: Sequence[ItemResult], key: Callable[[ItemResult], str], metrics: Callable[[Sequence[ItemResult]], Any]
) -> dict[str, Any]:
    groups: dict[str, list[ItemResult]] = {}
    for r in results:
        groups.setdefault(key(r), []).append(r)
    return {name: metrics(rs) for name, rs in sorted(groups.items())}


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
    answer: Callable[..., Any],
    chunk_lookup: Callable[[str], Chunk | None],
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Answer accuracy, refusal precision/recall and citation validity; adds each answer to ``extra``.

    ``answer(question, history)`` returns an :class:`~confbot.records.Answer`.
    """
    for i, r in enumerate(results):
        a = answer(r.item.question, r.item.history_messages)
        ok_cits = [citation_valid(c, chunk_lookup) for c in a.citations]
        correct = (not a.refused and answer_correct(r.item, a.text)) if r.item.answerable else None
        r.extra.update(
            {
                "answer": a.text,
                "refused": a.refused,
                "outcome": getattr(a, "outcome", ""),
                "notes": list(getattr(a, "notes", ())),  # why it was refused or marked partial
                "correct": correct,
                "citations": len(a.citations),
                "valid_citations": sum(ok_cits),
            }
        )
        if progress:
            progress(i + 1, len(results))
    report = answer_metrics(results)
    report["answers_by_lang"] = _grouped(results, lambda r: r.item.lang, answer_metrics)
    report["answers_by_type"] = _grouped(results, lambda r: r.item.type, answer_metrics)
    return report


def answer_metrics(results: Sequence[ItemResult]) -> dict[str, Any]:
    """Answer metrics over results that carry an answer in ``extra`` (see :func:`evaluate_answers`)."""
    answered = [r for r in results if "refused" in r.extra]
    answerable = [r for r in answered if r.item.answerable]
    unanswerable = [r for r in answered if not r.item.answerable]
    refused = [r for r in answered if r.extra["refused"]]
    cits = sum(r.extra["citations"] for r in answered)

    def share(num: int, den: int) -> float | None:
        return num / den if den else None

    return {
        "answer_accuracy": share(sum(bool(r.extra["correct"]) for r in answerable), len(answerable)),
        "refusal_precision": share(sum(not r.item.answerable for r in refused), len(refused)),
        "refusal_recall": share(sum(r.extra["refused"] for r in unanswerable), len(unanswerable)),
        "citation_validity": share(sum(r.extra["valid_citations"] for r in answered), cits),
    }
