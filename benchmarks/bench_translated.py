"""What the translated question costs a retrieval: one more query embedding and one more Chroma query.

    .venv/bin/python benchmarks/bench_translated.py [CORPUS_FOLDER] [QA.jsonl]

Builds (or reuses, from the eval cache) the index of a bilingual development corpus, then retrieves every question
of its QA file with ``translated_mix`` 0 (off) and 0.5 (the default), in turns, twice each, and prints the median
and 95th-percentile retrieval time of each and their ratio (one run, one machine: a ratio, not a target). The
first pass warms the model and the caches and is not counted.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

from confbot.embed.provision import load_embedder
from confbot.ingest.indexer import ingest
from confbot.retrieve.pipeline import Pipeline
from confbot.settings import Settings
from confbot.suite import SuiteEntry, corpus_settings

ROOT = Path(__file__).resolve().parent.parent


def timings(pipeline: Pipeline, questions: list[str]) -> list[float]:
    out = []
    for q in questions:
        t0 = time.perf_counter()
        pipeline.retriever.retrieve(q, 5)
        out.append(time.perf_counter() - t0)
    return out


def main() -> None:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "tests/corpora/wtc/docs"
    qa = Path(sys.argv[2]) if len(sys.argv) > 2 else folder.parent / "qa.jsonl"
    questions = [json.loads(line)["question"] for line in qa.read_text(encoding="utf-8").splitlines() if line.strip()]
    base = Settings()
    emb = load_embedder(base)
    settings = corpus_settings(base, SuiteEntry(folder.parent.name, folder, qa))
    ingest(settings, [settings.corpus_path], emb)
    off = Pipeline.open(settings.model_copy(update={"translated_mix": 0.0}), embedder=emb)
    on = Pipeline.open(settings, embedder=emb)
    timings(off, questions)  # warm-up: model, BM25 index, vector caches
    timings(on, questions)
    runs: dict[str, list[float]] = {"off": [], "on": []}
    for _ in range(2):
        runs["off"] += timings(off, questions)
        runs["on"] += timings(on, questions)
    print(f"{folder.parent.name}: {len(questions)} questions x 2 per setting")
    for name, ts in runs.items():
        p95 = statistics.quantiles(ts, n=20)[-1]
        print(
            f"translated_mix {'0.5' if name == 'on' else '0  '}: median {1000 * statistics.median(ts):.1f} ms, p95 {1000 * p95:.1f} ms"
        )
    ratio = statistics.median(runs["on"]) / statistics.median(runs["off"])
    print(f"ratio of medians (with / without the translated question): {ratio:.2f}x")


if __name__ == "__main__":
    main()
