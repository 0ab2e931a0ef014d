"""The lexical side of retrieval: jieba tokens and an incremental, persisted BM25 index.

Tokens are computed once, at ingest, and stored with each chunk in Chroma, so an app process
never runs jieba over the corpus. :class:`BM25Index` keeps postings as numpy arrays per term,
adds and removes whole sources (a removed document is masked, and compacted away later), and
saves itself to an ``.npz`` file (no pickle) keyed by the collection id and generation, so a
restart or a second app process on the same machine loads it instead of rebuilding.
"""

from __future__ import annotations

import functools
import json
import logging
import math
import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from confbot.text.cjk import CJK_RANGES
from confbot.text.english import stem
from confbot.text.lexicon import EN_STOPWORDS, ZH_STOPWORDS

log = logging.getLogger(__name__)

STOPWORDS = ZH_STOPWORDS | EN_STOPWORDS
_TOKEN_RE = re.compile(rf"[a-z0-9]+(?:[.+\-][a-z0-9]+)*|[{CJK_RANGES}]+")
CACHE_FORMAT = 2  # 2: English words stemmed


@functools.lru_cache(maxsize=1)
def jieba_tokenizer(cache_dir: str | None = None) -> Any:
    """The jieba module, initialised once with its dictionary cache in ``cache_dir``."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    if cache_dir:
        Path(cache_dir).mkdir(parents=True, exist_ok=True)
        jieba.dt.tmp_dir = cache_dir
    jieba.initialize()
    return jieba


def jieba_posseg(cache_dir: str | None = None) -> Any:
    """jieba's part-of-speech tagger (``jieba.posseg``: ``lcut(text)`` -> pairs with ``.word`` and ``.flag``), after
    :func:`jieba_tokenizer`'s initialisation."""
    jieba_tokenizer(cache_dir)
    import jieba.posseg

    return jieba.posseg


def tokenize(text: str, cache_dir: str | None = None) -> list[str]:
    """BM25 tokens: jieba search-mode words for Chinese, lower-cased English words by their Snowball stem, numbers;
    no stopwords."""
    jb = jieba_tokenizer(cache_dir)
    out: list[str] = []
    for m in _TOKEN_RE.finditer(text.lower()):
        piece = m.group(0)
        if piece[0].isascii():
            if piece not in STOPWORDS:  # before stemming: "during" is a stopword, its stem "dure" is not
                out.append(stem(piece) if piece.isalpha() else piece)
        else:
            out.extend(w for w in jb.cut_for_search(piece) if w.strip())
    return [t for t in out if t not in STOPWORDS and not any(ch.isspace() for ch in t)]


class BM25:
    """Okapi BM25 over a fixed list of tokenized documents (kept for small, one-off uses)."""

    def __init__(self, docs: Sequence[Sequence[str]], k1: float = 1.2, b: float = 0.75) -> None:
        self.index = BM25Index(k1=k1, b=b)
        self.index.add("", "", [(str(i), list(d)) for i, d in enumerate(docs)])
        self.n = len(docs)
        self.postings = self.index.postings

    def scores(self, query: Sequence[str]) -> np.ndarray:
        return self.index.scores(query)


class BM25Index:
    """BM25 postings over documents grouped by source; sources are added and removed as a whole."""

    def __init__(self, k1: float = 1.2, b: float = 0.75) -> None:
        self.k1, self.b = k1, b
        self.ids: list[str] = []
        self.lengths = np.zeros(0, dtype=np.float32)
        self.alive = np.zeros(0, dtype=bool)
        self.postings: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self.by_source: dict[str, list[int]] = {}
        self.versions: dict[str, str] = {}  # source -> sha256 of the indexed version
        self.key: dict[str, Any] = {}  # what this index reflects (collection id, generation)
        self._changed()

    # ------------------------------------------------------------------ state
    @property
    def n(self) -> int:
        return int(self.alive.sum())

    def doc_freq(self, term: str) -> int:
        cached = self._tf.get(term)  # a term BM25 scored since the last change: its live postings are counted
        if cached is not None:
            return cached[2]
        p = self.postings.get(term)
        return int(self.alive[p[0]].sum()) if p is not None else 0

    def position(self) -> dict[str, int]:
        return {cid: i for i, cid in enumerate(self.ids) if self.alive[i]}

    # ------------------------------------------------------------------ changes
    def add(self, source: str, version: str, docs: Sequence[tuple[str, Sequence[str]]]) -> None:
        """Add one source's documents ``(id, tokens)``; an earlier version of the source is removed first."""
        self.add_many([(source, version, docs)])

    def add_many(self, items: Sequence[tuple[str, str, Sequence[tuple[str, Sequence[str]]]]]) -> None:
        """Add several sources at once: every array grows once, not once per source."""
        for source, _, _ in items:
            self.remove(source)
        self._changed()
        base = len(self.ids)
        rows: dict[str, dict[int, int]] = {}
        lengths: list[int] = []
        for source, version, docs in items:
            start = base + len(lengths)
            for j, (cid, toks) in enumerate(docs):
                self.ids.append(cid)
                lengths.append(len(toks))
                for t in toks:
                    row = rows.setdefault(t, {})
                    row[start + j] = row.get(start + j, 0) + 1
            self.by_source[source] = list(range(start, start + len(docs)))
            self.versions[source] = version
        self.lengths = np.concatenate([self.lengths, np.array(lengths, dtype=np.float32)])
        self.alive = np.concatenate([self.alive, np.ones(len(lengths), dtype=bool)])
        for t, row in rows.items():
            idx = np.fromiter(row.keys(), dtype=np.int32, count=len(row))
            cnt = np.fromiter(row.values(), dtype=np.float32, count=len(row))
            old = self.postings.get(t)
            self.postings[t] = (np.concatenate([old[0], idx]), np.concatenate([old[1], cnt])) if old else (idx, cnt)

    def remove(self, source: str) -> None:
        self._changed()
        for i in self.by_source.pop(source, []):
            self.alive[i] = False
        self.versions.pop(source, None)
        dead = len(self.ids) - self.n
        if dead > 1000 and dead > len(self.ids) // 3:
            self.compact()

    def compact(self) -> None:
        """Drop masked documents from every array (positions are renumbered)."""
        self._changed()
        keep = self.alive
        new_pos = np.cumsum(keep, dtype=np.int64) - 1
        self.ids = [cid for cid, k in zip(self.ids, keep, strict=True) if k]
        self.lengths = self.lengths[keep]
        postings = {}
        for t, (idx, cnt) in self.postings.items():
            m = keep[idx]
            if m.any():
                postings[t] = (new_pos[idx[m]].astype(np.int32), cnt[m])
        self.postings = postings
        self.by_source = {s: [int(new_pos[i]) for i in pos if keep[i]] for s, pos in self.by_source.items()}
        self.alive = np.ones(len(self.ids), dtype=bool)

    def sync(
        self,
        manifest: Mapping[str, str],
        fetch: Callable[[str, str], Iterable[tuple[str, Sequence[str]]]],
        fetch_many: Callable[[Mapping[str, str]], Mapping[str, Iterable[tuple[str, Sequence[str]]]]] | None = None,
    ) -> bool:
        """Bring the index in line with ``manifest`` (source -> sha256), fetching changed sources (one by one, or
        with ``fetch_many`` all at once when there are many); True if it changed."""
        changed = False
        for src in [s for s in self.versions if s not in manifest]:
            self.remove(src)
            changed = True
        todo = {src: sha for src, sha in manifest.items() if self.versions.get(src) != sha}
        if fetch_many is not None and len(todo) > 20:
            got = fetch_many(todo)
            self.add_many([(src, sha, list(got.get(src, []))) for src, sha in todo.items()])
        elif todo:
            self.add_many([(src, sha, list(fetch(src, sha))) for src, sha in todo.items()])
        return changed or bool(todo)

    # ------------------------------------------------------------------ scoring
    def _changed(self) -> None:
        self._stats: tuple[int, float, bool] | None = None
        self._tf: dict[str, tuple[np.ndarray, np.ndarray, int]] = {}

    def scores(self, query: Sequence[str]) -> np.ndarray:
        """BM25 score of every position (masked documents score 0).

        Each term's live postings and length-normalized tf weights are cached until the index changes, so
        frequent terms cost one numpy add per query instead of several passes over their postings."""
        s = np.zeros(len(self.ids), dtype=np.float32)
        if self._stats is None:
            n = self.n
            self._stats = (n, float(self.lengths[self.alive].mean()) if n else 1.0, n == len(self.ids))
        n, avg, all_alive = self._stats
        if not n:
            return s
        for t in dict.fromkeys(query):
            cached = self._tf.get(t)
            if cached is None:
                p = self.postings.get(t)
                if p is None:
                    continue
                idx, cnt = p
                if not all_alive:
                    live = self.alive[idx]
                    idx, cnt = idx[live], cnt[live]
                norm = self.k1 * (1 - self.b + self.b * self.lengths[idx] / max(avg, 1e-9))
                cached = (idx, (cnt * (self.k1 + 1) / (cnt + norm)).astype(np.float32), len(idx))
                if len(self._tf) > 20000:
                    self._tf.clear()
                self._tf[t] = cached
            idx, weight, df = cached
            if df:
                s[idx] += math.log(1 + (n - df + 0.5) / (df + 0.5)) * weight
        return s

    def top(self, query: Sequence[str], k: int, allowed: np.ndarray | None = None) -> list[tuple[str, float]]:
        """The ``k`` best documents (``allowed``: a mask over positions, e.g. one event's files)."""
        s = self.scores(query)
        if not len(s):
            return []
        if allowed is not None:  # (a mask made before the index grew leaves the new documents out)
            m = np.zeros(len(s), dtype=bool)
            m[: min(len(s), len(allowed))] = allowed[: len(s)]
            s = np.where(m, s, np.float32(0.0))
        k = min(k, len(s))
        part = np.argpartition(-s, k - 1)[:k]
        order = part[np.argsort(-s[part], kind="stable")]
        return [(self.ids[i], float(s[i])) for i in order if s[i] > 0]

    # ------------------------------------------------------------------ persistence
    def save(self, path: Path) -> None:
        """Write to ``path`` atomically (a temporary file renamed over it)."""
        terms = list(self.postings)
        sizes = np.array([len(self.postings[t][0]) for t in terms], dtype=np.int64)
        flat_idx = np.concatenate([self.postings[t][0] for t in terms]) if terms else np.zeros(0, np.int32)
        flat_cnt = np.concatenate([self.postings[t][1] for t in terms]) if terms else np.zeros(0, np.float32)
        sources = list(self.by_source)
        doc_source = np.full(len(self.ids), -1, dtype=np.int32)
        for k, src in enumerate(sources):
            doc_source[self.by_source[src]] = k
        header = {
            "format": CACHE_FORMAT,
            "k1": self.k1,
            "b": self.b,
            "key": self.key,
            "versions": self.versions,
            "sources": sources,
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.part.npz")
        np.savez(
            tmp,
            header=np.array(json.dumps(header)),
            ids=np.array(self.ids, dtype=str),
            lengths=self.lengths,
            alive=self.alive,
            terms=np.array(terms, dtype=str),
            sizes=sizes,
            idx=flat_idx,
            cnt=flat_cnt,
            doc_source=doc_source,
        )
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path) -> BM25Index | None:
        """The saved index, or None when there is none or it is unreadable (it is then rebuilt)."""
        try:
            with np.load(path, allow_pickle=False) as z:
                header = json.loads(str(z["header"]))
                if header.get("format") != CACHE_FORMAT:
                    return None
                self = cls(k1=header["k1"], b=header["b"])
                self.key, self.versions = header["key"], header["versions"]
                doc_source = z["doc_source"]
                order = np.argsort(doc_source, kind="stable")
                bounds = np.searchsorted(doc_source[order], np.arange(len(header["sources"]) + 1))
                self.by_source = {
                    src: order[bounds[k] : bounds[k + 1]].tolist() for k, src in enumerate(header["sources"])
                }
                self.ids = [str(x) for x in z["ids"]]
                self.lengths, self.alive = z["lengths"], z["alive"].copy()
                idx, cnt = z["idx"], z["cnt"]
                ends = np.cumsum(z["sizes"])
                starts = ends - z["sizes"]
                self.postings = {str(t): (idx[a:e], cnt[a:e]) for t, a, e in zip(z["terms"], starts, ends, strict=True)}
                return self
        except (OSError, ValueError, KeyError, json.JSONDecodeError) as exc:
            if path.exists():
                log.warning("ignoring the unreadable BM25 cache %s (%s); rebuilding it", path, exc)
            return None
