"""Fusion of rankings (reciprocal rank fusion), calibration across languages, the event a question names, and scopes.

RRF is from Cormack, Clarke and Buettcher, "Reciprocal Rank Fusion outperforms Condorcet and
individual Rank Learning Methods" (SIGIR 2009): score = sum of weight / (k + rank).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence

import numpy as np

from confbot.records import Chunk


def rrf(rankings: Sequence[Sequence[str]], weights: Sequence[float], k: int = 60) -> dict[str, float]:
    """Reciprocal rank fusion: sum of weight / (k + rank) over the rankings (ranks start at 1)."""
    fused: dict[str, float] = {}
    for ranking, w in zip(rankings, weights, strict=True):
        for r, cid in enumerate(ranking, start=1):
            fused[cid] = fused.get(cid, 0.0) + w / (k + r)
    return fused


def scope_key(scope: str) -> str:
    """A scope as sources are written: project-relative, forward slashes, no ``./`` or trailing slash."""
    key = scope.strip().replace("\\", "/")
    while key.startswith("./"):
        key = key[2:]
    key = key.rstrip("/")
    return "" if key == "." else key


def in_scope(source: str, key: str) -> bool:
    return not key or source == key or source.startswith(key + "/")


#: how many of a language's best cosines set its baseline in :func:`calibrate_languages`
LANGUAGE_BASELINE_TOP = 10


def calibrate_languages(
    ranked: Sequence[tuple[str, float]], langs: Mapping[str, str], query_lang: str
) -> list[tuple[str, float]]:
    """A dense ranking where passages of each language compete on how far they stand above their own
    language's baseline (the mean of its :data:`LANGUAGE_BASELINE_TOP` best cosines), not on raw cosine.

    Measured on multilingual-e5-small: a Chinese question scores the English passage that answers it
    about 0.05 below Chinese passages that do not, so raw cosine ranks it 20th or lower. ``langs``
    maps chunk id -> ``zh``/``en`` (unknown ids count as the query's language); scores are returned
    unchanged, only the order moves. One language only: the ranking as given.
    """
    groups: dict[str, list[float]] = {}
    for cid, s in ranked:
        groups.setdefault(langs.get(cid) or query_lang, []).append(s)
    if len(groups) < 2:
        return list(ranked)
    base = {lang: float(np.mean(sorted(v, reverse=True)[:LANGUAGE_BASELINE_TOP])) for lang, v in groups.items()}
    return sorted(ranked, key=lambda cs: -(cs[1] - base[langs.get(cs[0]) or query_lang]))


def calibrate_bm25_languages(
    ranked: Sequence[tuple[str, float]], langs: Mapping[str, str], query_lang: str
) -> list[tuple[str, float]]:
    """A BM25 ranking where passages of each language compete on their score as a share of their own
    language's best, not on the raw score: a Chinese question matches a Chinese passage by many terms and an
    English one only by the few dictionary translations of its words, so raw scores put every English passage
    below every Chinese one (the argument :func:`calibrate_languages` makes for cosines). ``langs``: chunk id ->
    ``zh``/``en`` (unknown ids count as the query's language); scores are returned unchanged, only the order
    moves. One language only: the ranking as given. Measured on the 13-corpus dev suite: answer accuracy 0.817
    -> 0.824, refusal recall 0.840 -> 0.847, zh -> en hit@3 0.64 -> 0.66, hit@1 0.728 -> 0.721."""
    best: dict[str, float] = {}
    for cid, s in ranked:
        lang = langs.get(cid) or query_lang
        best[lang] = max(best.get(lang, 0.0), s)
    if len(best) < 2:
        return list(ranked)
    return sorted(ranked, key=lambda cs: -(cs[1] / (best[langs.get(cs[0]) or query_lang] or 1.0)))


def event_ranking(
    ranked: Sequence[str], chunks: Mapping[str, Chunk], years: Collection[int], editions: Collection[int]
) -> list[str]:
    """The ids of ``ranked`` (in its order) whose document is about a year or an edition the question names.

    A document's years and editions come from ingest (:func:`confbot.text.events.document_event`). An
    edition also stands for the years of the candidates' documents about it, so "第12届" finds the
    English release of that year that never writes "12th" (a document whose own edition is known matches by
    that edition, or by a year the question names outright: the next edition's release that names this
    year's figures is not about this edition). Empty when the question names neither, or
    when every candidate (or none) matches: such a ranking would add nothing but the fused order.
    """
    if not years and not editions:
        return []
    about = event_filter(((c.years, c.editions) for c in chunks.values()), years, editions)
    matches = [cid for cid in ranked if cid in chunks and about(chunks[cid].years, chunks[cid].editions)]
    return matches if 0 < len(matches) < len(ranked) else []


def event_filter(
    known: Iterable[tuple[Sequence[int], Sequence[int]]], years: Collection[int], editions: Collection[int]
) -> Callable[[Sequence[int], Sequence[int]], bool]:
    """Whether a document with given (years, editions) is about the years or editions a question names.

    ``known``: the (years, editions) of the documents at hand; an asked edition also stands for the years of
    those among them about it. A document whose own edition is known matches by that edition, or by a year the
    question names outright (the next edition's release naming this year's figures is not about this edition);
    any other by a year, asked or standing for an asked edition."""
    wanted_years, wanted_editions = set(years), set(editions)
    for ys, eds in known:
        if wanted_editions & set(eds):
            wanted_years.update(ys)

    def about(ys: Sequence[int], eds: Sequence[int]) -> bool:
        if wanted_editions and eds:
            return bool(wanted_editions & set(eds) or set(years) & set(ys))
        return bool(wanted_years & set(ys))

    return about
