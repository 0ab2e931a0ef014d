"""Evaluation over many corpora: a suite file lists, per entry, a corpus folder and its QA file.

Suite format (JSON; paths relative to the suite file)::

    {"name": "dev", "corpora": [{"name": "caexpo", "corpus": "caexpo/docs", "qa": "caexpo/qa.jsonl"}, ...]}

Each corpus gets an index of its own in the cache (``<cache>/eval-index/<name>-<hash>``), keyed by
the corpus files' bytes and the normalization/chunker/model versions, so a second run reuses it.
The report holds each corpus's retrieval and answer metrics (overall, per language, per question
type, per question x passage language) and their macro average over corpora (each corpus counts
once, whatever its size).
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from confbot.errors import InputError
from confbot.settings import Settings

#: the metrics averaged over corpora
MACRO_KEYS = (
    "hit@1",
    "hit@3",
    "hit@5",
    "mrr",
    "answer_accuracy",
    "refusal_precision",
    "refusal_recall",
    "citation_validity",
)


@dataclass(frozen=True)
class SuiteEntry:
    """One corpus of a suite: its name, its folder of documents and its QA file."""

    name: str
    corpus: Path
    qa: Path


def load_suite(path: Path) -> list[SuiteEntry]:
    """Read a suite file; raises :class:`InputError` naming what is wrong (missing folder or QA file)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        raw = data["corpora"]
    except (OSError, json.JSONDecodeError, KeyError, TypeError) as exc:
        raise InputError(
            f'{path}: not a suite file ({exc}); expected {{"corpora": [{{"name", "corpus", "qa"}}]}}.'
        ) from exc
    entries = []
    for e in raw:
        entry = SuiteEntry(str(e["name"]), (path.parent / e["corpus"]).resolve(), (path.parent / e["qa"]).resolve())
        if not entry.corpus.is_dir():
            raise InputError(f"{path}: corpus {entry.name!r}: no folder {entry.corpus}.")
        if not entry.qa.is_file():
            raise InputError(f"{path}: corpus {entry.name!r}: no QA file {entry.qa}.")
        entries.append(entry)
    if not entries:
        raise InputError(f"{path}: the suite lists no corpora.")
    return entries


def corpus_key(folder: Path, settings: Settings) -> str:
    """A hash of every file under ``folder`` (names and bytes) and of what shapes an index built from them."""
    from confbot.ingest.chunker import CHUNKER_VERSION
    from confbot.text.normalize import NORMALIZATION_VERSION

    h = hashlib.sha256(
        f"{NORMALIZATION_VERSION}|{CHUNKER_VERSION}|{settings.embed_model}|"
        f"{settings.chunk_size}|{settings.chunk_overlap}".encode()
    )
    for f in sorted(p for p in folder.rglob("*") if p.is_file()):
        h.update(str(f.relative_to(folder)).encode() + b"\0" + hashlib.sha256(f.read_bytes()).digest())
    return h.hexdigest()[:16]


def corpus_settings(base: Settings, entry: SuiteEntry) -> Settings:
    """Settings that index ``entry.corpus`` into its own cached index (sources relative to its parent)."""
    index = base.cache_dir / "eval-index" / f"{entry.name}-{corpus_key(entry.corpus, base)}"
    return base.model_copy(
        update={
            "project_root": entry.corpus.parent,
            "corpus_dir": Path(entry.corpus.name),
            "index_dir": index,
            "scope": None,
        }
    )


def run_suite(
    path: Path, base: Settings, k: int = 5, answers: bool = True, log: Callable[[str], None] | None = None
) -> dict[str, Any]:
    """Index (or reuse) and evaluate every corpus of the suite; returns per-corpus reports and the macro average."""
    from confbot.answer.chain import Answerer
    from confbot.answer.generator import make_chat_model
    from confbot.embed.provision import load_embedder
    from confbot.retrieve.pipeline import Pipeline
    from confbot.service import Service

    entries = load_suite(path)
    emb = load_embedder(base)
    reports: dict[str, Any] = {}
    for entry in entries:
        t0 = time.perf_counter()
        s = corpus_settings(base, entry)
        _ingest(s, emb)
        service = Service(s, Answerer(Pipeline.open(s, embedder=emb), make_chat_model(s), s.llm))
        report, results = service.evaluate(entry.qa, k, answers=answers)
        report["seconds"] = round(time.perf_counter() - t0, 1)
        report["per_item"] = results
        reports[entry.name] = report
        if log:
            log(f"{entry.name}: {summary_line(report)}")
    return {"suite": str(path), "corpora": reports, "macro": macro(reports)}


def _ingest(settings: Settings, emb: Any) -> None:
    from confbot.ingest.indexer import ingest

    ingest(settings, [settings.corpus_path], emb)


def macro(reports: dict[str, Any]) -> dict[str, float | None]:
    """The unweighted mean over corpora of each metric in :data:`MACRO_KEYS` (corpora lacking it are skipped)."""
    out: dict[str, float | None] = {}
    for key in MACRO_KEYS:
        vals = [r[key] for r in reports.values() if r.get(key) is not None]
        out[key] = round(sum(vals) / len(vals), 4) if vals else None
    return out


def summary_line(r: dict[str, Any]) -> str:
    def f(key: str) -> str:
        v = r.get(key)
        return "  n/a" if v is None else f"{v:5.3f}"

    return (
        f"n={r['n_total']:<4} hit@1 {f('hit@1')} hit@3 {f('hit@3')} MRR {f('mrr')} | acc {f('answer_accuracy')} "
        f"refusal P {f('refusal_precision')} R {f('refusal_recall')} cit {f('citation_validity')}"
    )
