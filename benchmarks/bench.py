"""confbot benchmarks: figures are measured in one run and reported next to their comparison, as ratios.

    .venv/bin/python benchmarks/bench.py [--chunks 1000] [--queries 200]

Writes benchmarks/results.json and BENCHMARKS.md. The corpus beyond the real press release is SYNTHETIC:
sentences of the release recombined with varied numbers, generated into a temporary folder, never committed.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from confbot.settings import Settings, set_runtime_env  # noqa: E402

set_runtime_env()


def synthetic_corpus(dest: Path, target_chunks: int, seed: int = 7) -> int:
    """The real release plus SYNTHETIC files recombining its sentences with varied numbers."""
    from confbot.chunking import sentence_spans
    from confbot.normalize import normalize

    dest.mkdir(parents=True)
    real = next((ROOT / "corpus").glob("*.txt"))
    shutil.copy(real, dest / real.name)
    text = normalize(real.read_text(encoding="utf-8"))
    sentences = [text[s:e] for s, e in sentence_spans(text)]
    rng = random.Random(seed)
    n_files = max(1, target_chunks // 9)  # about 9 chunks a file
    for i in range(n_files):
        picked = rng.sample(sentences, k=min(len(sentences), 18))
        body = "".join(re.sub(r"\d+", lambda m: str(rng.randint(1, 999)), s) for s in picked)
        (dest / f"synthetic_{i:05d}.txt").write_text(
            "【SYNTHETIC benchmark text, not a real release】" + body, encoding="utf-8"
        )
    return n_files + 1


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(p / 100 * (len(xs) - 1)))]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--chunks", type=int, default=1000)
    ap.add_argument("--queries", type=int, default=200)
    args = ap.parse_args()

    from confbot.chain import Answerer
    from confbot.embeddings import load_embedder
    from confbot.evaluation import load_qa
    from confbot.pipeline import Pipeline, ingest

    results: dict[str, object] = {
        "date": time.strftime("%Y-%m-%d"), "machine": f"{platform.machine()}, {__import__('os').cpu_count()} cores",
        "python": platform.python_version(), "command": " ".join(sys.argv),
    }  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        files = synthetic_corpus(root / "corpus", args.chunks)
        s = Settings(project_root=root)
        emb = load_embedder(s)
        emb.embed_query("warm up")

        t0 = time.perf_counter()
        report = ingest(s, embedder=emb)
        ingest_s = time.perf_counter() - t0
        chunks = Pipeline.open(s, embedder=emb).store.all_chunks()
        texts = [c.text for c in chunks]
        t0 = time.perf_counter()
        emb.embed_documents(texts)
        bare_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        again = ingest(s, embedder=emb)
        reingest_s = time.perf_counter() - t0
        results["ingest"] = {
            "files": files, "chunks": report.chunks, "ingest_chunks_per_s": round(report.chunks / ingest_s, 2),
            "bare_encode_chunks_per_s": round(len(texts) / bare_s, 2),
            "ingest_vs_bare_encode": round((report.chunks / ingest_s) / (len(texts) / bare_s), 3),
            "reingest_unchanged_s": round(reingest_s, 3), "reingest_added": again.added,
        }  # fmt: skip

        p = Pipeline.open(s, embedder=emb)
        answerer = Answerer(p)
        qs = [i.question for i in load_qa(ROOT / "tests" / "data" / "dev_qa.jsonl")]
        rng = random.Random(1)
        # every query distinct, so the query-embedding cache never answers (a cold figure per query)
        queries = [f"{rng.choice(qs)} {i}" for i in range(args.queries)]
        ret, ask, split = [], [], {"embed": [], "dense": [], "bm25": [], "fusion": []}
        for q in queries:
            t0 = time.perf_counter()
            p.retriever.retrieve(q, 5)
            ret.append(time.perf_counter() - t0)
            t = p.retriever.last_timings
            for k in split:
                split[k].append(getattr(t, k))
            t0 = time.perf_counter()
            answerer.answer(q)
            ask.append(time.perf_counter() - t0)
        ms = lambda xs, q: round(1000 * pct(xs, q), 2)  # noqa: E731
        results["query"] = {
            "chunks": len(chunks), "queries": len(queries),
            "retrieve_ms": {"p50": ms(ret, 50), "p95": ms(ret, 95), "p99": ms(ret, 99)},
            "ask_extractive_ms": {"p50": ms(ask, 50), "p95": ms(ask, 95), "p99": ms(ask, 99)},
            "retrieve_split_p50_ms": {k: ms(v, 50) for k, v in split.items()},
        }  # fmt: skip

        t0 = time.perf_counter()
        subprocess.run([str(ROOT / ".venv" / "bin" / "confbot"), "ask", "大会在哪里举办？"], cwd=root,
                       check=True, capture_output=True)  # fmt: skip
        results["cold_start_ask_s"] = round(time.perf_counter() - t0, 2)

    (ROOT / "benchmarks" / "results.json").write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    ing, qry = results["ingest"], results["query"]
    md = f"""# Benchmarks

Measured by `{results["command"]}` on {results["date"]} ({results["machine"]}, Python {results["python"]}).
The corpus is the real press release plus SYNTHETIC files (its sentences recombined with other numbers),
generated for the run and not kept. Figures come from one run; compare the ratios, not the seconds.

| what | figure |
|---|---|
| ingest, chunks/s | {ing["ingest_chunks_per_s"]} ({ing["chunks"]} chunks) |
| bare `SentenceTransformer.encode`, chunks/s | {ing["bare_encode_chunks_per_s"]} |
| **ingest ÷ bare encode** | **{ing["ingest_vs_bare_encode"]}** |
| re-ingest, nothing changed | {ing["reingest_unchanged_s"]} s ({ing["reingest_added"]} added) |
| retrieve p50 / p95 / p99 | {qry["retrieve_ms"]["p50"]} / {qry["retrieve_ms"]["p95"]} / {qry["retrieve_ms"]["p99"]} ms ({qry["chunks"]} chunks, {qry["queries"]} queries) |
| retrieve p50 split | {", ".join(f"{k} {v} ms" for k, v in qry["retrieve_split_p50_ms"].items())} |
| extractive ask p50 / p95 / p99 (after a retrieve of the same question: its embedding is cached) | {qry["ask_extractive_ms"]["p50"]} / {qry["ask_extractive_ms"]["p95"]} / {qry["ask_extractive_ms"]["p99"]} ms |
| cold start, `confbot ask` with an existing index | {results["cold_start_ask_s"]} s |

Not measured yet (issue 6): 10k and 100k chunks, memory, concurrency, ONNX/int8 backends.
"""
    (ROOT / "BENCHMARKS.md").write_text(md, encoding="utf-8")
    print(md)


if __name__ == "__main__":
    main()
