"""confbot benchmarks: figures are measured in one run and reported next to their comparison, as ratios.

    .venv/bin/python benchmarks/bench.py [--sizes 1000,10000,100000] [--ingest-sizes 1000] [--queries 200]

Writes benchmarks/results.json, benchmarks/latency.png and BENCHMARKS.md.

Everything beyond the real press release is SYNTHETIC benchmark text, generated per run into a
cache folder (``~/.cache/confbot/bench``, never committed): sentences of the release with their
cities, technologies, event names and numbers swapped, recombined into files. The real release is
inside every corpus, so the dev QA set's retrieval accuracy is measured at every size (a hit counts
only on a chunk of the real release).

Ingest speed is measured with the real model at ``--ingest-sizes``. The larger indexes are built
through the same ingest code with vectors from a cache: every distinct synthetic sentence is
embedded once by the real model, and a synthetic chunk's vector is the normalized mean of its
sentences' vectors (the real release's chunks are embedded by the model). The run reports how
close that approximation is on real chunks. Query latency does not depend on where vectors come
from; accuracy at scale is measured against these distractors.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import random
import re
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from confbot.settings import Settings, set_runtime_env  # noqa: E402

set_runtime_env()
BIN = ROOT / ".venv" / "bin"
REAL = next((ROOT / "corpus").glob("*.txt"))
DEV_QA = ROOT / "tests" / "data" / "dev_qa.jsonl"
GENERATOR_VERSION = 3

SWAPS = {
    "武汉": ["成都", "西安", "南京", "长沙", "合肥", "郑州", "重庆", "杭州", "青岛", "苏州"],
    "湖北省": ["四川省", "陕西省", "江苏省", "湖南省", "安徽省", "河南省", "浙江省"],
    "湖北": ["四川", "陕西", "江苏", "湖南", "安徽", "河南", "浙江"],
    "5G": ["6G", "4G", "F5G", "千兆光网"],
    "工业互联网": ["车联网", "物联网", "数字孪生", "人工智能", "区块链", "卫星互联网"],
    "大会": ["论坛", "峰会", "博览会", "年会", "研讨会"],
    "中国": ["全球", "亚洲", "长江", "中部"],
    "光谷": ["高新区", "软件园", "科学城"],
    "工业和信息化部": ["科学技术部", "商务部", "国家发展改革委"],
    "新闻发布会": ["媒体见面会", "推介会", "通气会"],
}
_SWAP_RE = re.compile("|".join(sorted(map(re.escape, SWAPS), key=len, reverse=True)))


# ---------------------------------------------------------------------------------------------- corpora
def real_sentences() -> list[str]:
    from confbot.ingest.chunker import sentence_spans
    from confbot.text.normalize import normalize

    text = normalize(REAL.read_text(encoding="utf-8"))
    return [text[s:e] for s, e in sentence_spans(text) if len(text[s:e]) > 8]


def sentence_pool(n: int, seed: int = 7) -> list[str]:
    """SYNTHETIC sentences: real ones with names, places and numbers swapped."""
    rng = random.Random(seed)
    real = real_sentences()
    pool: dict[str, None] = {}
    phrases = [p for s in real for p in re.findall(r"[\u4e00-\u9fff]{2,4}", s)]
    while len(pool) < n:
        s = rng.choice(real)
        if not _SWAP_RE.search(s):  # every synthetic sentence is about another event, city or technology
            continue
        s = _SWAP_RE.sub(lambda m: rng.choice(SWAPS[m.group(0)]), s)
        s = re.sub(r"“[^”]{2,20}”", lambda m: f"“{rng.choice(phrases)}{rng.choice(phrases)}”", s)  # other themes
        s = re.sub(r"\d+", lambda m: str(rng.randint(1, 999)), s)
        pool[s] = None
    return list(pool)


def synthetic_corpus(dest: Path, target_chunks: int, pool: Sequence[str], seed: int = 7) -> int:
    """The real release plus SYNTHETIC files of about 9 chunks each; returns the number of files."""
    if (dest / ".complete").exists():
        return sum(1 for _ in dest.glob("*.txt"))
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    shutil.copy(REAL, dest / REAL.name)
    rng = random.Random(seed)
    n_files = max(1, target_chunks // 9)
    for i in range(n_files):
        body = "".join(rng.sample(pool, k=18))
        (dest / f"synthetic_{i:06d}.txt").write_text("【SYNTHETIC benchmark text, not a real release】\n" + body,
                                                       encoding="utf-8")  # fmt: skip
    (dest / ".complete").write_text("")
    return n_files + 1


# ---------------------------------------------------------------------------------------------- vectors
class CachedEmbedder:
    """Vectors from a table (text -> vector), the real model for anything else."""

    def __init__(self, inner: Any, table: dict[str, np.ndarray]) -> None:
        self.inner, self.table, self.name, self.misses = inner, table, inner.name, 0

    @property
    def dim(self) -> int:
        return int(self.inner.dim)

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        missing = [t for t in texts if t not in self.table]
        if missing:
            self.misses += len(missing)
            for t, v in zip(missing, self.inner.embed_documents(missing), strict=True):
                self.table[t] = v
        return np.stack([self.table[t] for t in texts])

    def embed_query(self, text: str) -> np.ndarray:
        return self.inner.embed_query(text)


def approx_vector(text: str, sentence_vecs: dict[str, np.ndarray]) -> np.ndarray | None:
    from confbot.ingest.chunker import sentence_spans

    vs = [sentence_vecs[text[s:e]] for s, e in sentence_spans(text) if text[s:e] in sentence_vecs]
    if not vs:
        return None
    v = np.sum(vs, axis=0)
    return v / np.linalg.norm(v)


def vector_table(corpus: Path, emb: Any, pool_vecs: dict[str, np.ndarray], settings: Settings) -> dict[str, np.ndarray]:
    """Chunk text -> vector for a synthetic corpus (approximations; real-release chunks left to the model)."""
    from confbot.ingest.chunker import chunk_document
    from confbot.ingest.loaders import load

    table: dict[str, np.ndarray] = {}
    for f in sorted(corpus.glob("synthetic_*.txt")):
        doc = load(f, settings.project_root)
        for c in chunk_document(doc.source, doc.text, settings.chunk_size, settings.chunk_overlap, doc.sha256):
            v = approx_vector(c.text, pool_vecs)
            if v is not None:
                table[c.text] = v
    return table


# ---------------------------------------------------------------------------------------------- helpers
def pct(xs: Sequence[float], p: float) -> float:
    return round(float(np.percentile(np.asarray(xs) * 1000, p)), 2)


def child_run(cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[float, float, str]:
    """Run a command; (seconds, peak RSS in MB of that child, stdout)."""
    import tempfile

    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env={**os.environ, **(env or {})}, stdout=out, stderr=err, text=True)
        _, status, usage = os.wait4(proc.pid, 0)
        dt = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if proc.returncode != 0:
            raise RuntimeError(f"{cmd}: exit {proc.returncode}: {err.read()[-2000:]}")
        return dt, usage.ru_maxrss / 1024, out.read()


def peak_rss_mb() -> float:
    """This process's peak RSS (VmHWM: unlike ru_maxrss, not inherited from the parent at fork)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def hit_rank(hits: Sequence[Any], evidence: Sequence[str], real_source: str) -> int | None:
    from confbot.text.normalize import canonical

    ev = [canonical(e) for e in evidence]
    for r, h in enumerate(hits, start=1):
        if h.chunk.source == real_source and any(e in canonical(h.chunk.text) for e in ev):
            return r
    return None


# ---------------------------------------------------------------------------------------------- stages
def bench_ingest(size: int, pool: Sequence[str], emb: Any, st_emb: Any, work: Path) -> dict[str, Any]:
    """Real model: confbot ingest vs bare encode (same backend, and sentence-transformers) vs the naive pipeline."""
    from confbot.ingest.chunker import chunk_document
    from confbot.ingest.indexer import ingest, load_documents

    root = work / f"ingest-{size}"
    shutil.rmtree(root / "index", ignore_errors=True)
    files = synthetic_corpus(root / "corpus", size, pool)
    s = Settings(project_root=root)

    docs, _, _ = load_documents(s, [s.corpus_path])
    texts = [c.text for d in docs for c in chunk_document(d.source, d.text, s.chunk_size, s.chunk_overlap, d.sha256)]
    # the bare encode runs before and after the ingest (noise and warm-up fall on both sides); ratio to the mean
    t0 = time.perf_counter()
    emb.embed_documents(texts)
    bare_before_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    report = ingest(s, embedder=emb)
    ingest_s = time.perf_counter() - t0
    assert report.chunks == len(texts), (report.chunks, len(texts))
    t0 = time.perf_counter()
    emb.embed_documents(texts)
    bare_after_s = time.perf_counter() - t0
    bare_s = (bare_before_s + bare_after_s) / 2
    t0 = time.perf_counter()
    st_emb.embed_documents(texts)
    st_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    again = ingest(s, embedder=emb)
    reingest_s = time.perf_counter() - t0
    naive = naive_ingest(root, emb)
    rate = report.chunks / ingest_s
    chars = sum(len(t) for t in texts)
    return {
        "files": files, "chunks": report.chunks, "ingest_chunks_per_s": round(rate, 2),
        "bare_encode_chunks_per_s": round(len(texts) / bare_s, 2),
        "bare_encode_before_after_s": [round(bare_before_s, 1), round(bare_after_s, 1)],
        "ingest_vs_bare_encode": round(rate / (len(texts) / bare_s), 3),
        "bare_st_encode_chunks_per_s": round(len(texts) / st_s, 2),
        "ingest_vs_bare_st_encode": round(rate / (len(texts) / st_s), 3),
        "ingest_s": round(ingest_s, 1), "naive_s": round(naive["seconds"], 1), "naive_chunks": naive["chunks"],
        "chars_per_s": round(chars / ingest_s), "naive_chars_per_s": round(naive["chars"] / naive["seconds"]),
        "naive_time_vs_ingest_time": round(naive["seconds"] / ingest_s, 3),
        "reingest_unchanged_s": round(reingest_s, 3),
        "reingest_unchanged_s_per_1k_chunks": round(reingest_s / report.chunks * 1000, 3),
        "reingest_added": again.added,
    }  # fmt: skip


def naive_ingest(root: Path, emb: Any) -> dict[str, Any]:
    """The tutorial pipeline on the same files and model: RecursiveCharacterTextSplitter + Chroma.from_documents."""
    import chromadb
    from langchain_chroma import Chroma
    from langchain_core.documents import Document
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    from confbot.naive import _lc_embeddings

    shutil.rmtree(root / "naive-index", ignore_errors=True)
    t0 = time.perf_counter()
    docs = [Document(page_content=f.read_text(encoding="utf-8"), metadata={"source": f.name})
            for f in sorted((root / "corpus").glob("*.txt"))]  # fmt: skip
    splits = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200).split_documents(docs)
    client = chromadb.PersistentClient(path=str(root / "naive-index"),
                                       settings=chromadb.config.Settings(anonymized_telemetry=False))  # fmt: skip
    Chroma.from_documents(splits, _lc_embeddings(emb), client=client, collection_name="naive",
                          collection_configuration={"hnsw": {"space": "cosine"}})  # fmt: skip
    return {"seconds": time.perf_counter() - t0, "chunks": len(splits),
            "chars": sum(len(d.page_content) for d in splits)}  # fmt: skip


def build_scale_index(size: int, pool: Sequence[str], pool_vecs: dict[str, np.ndarray], emb: Any,
                      work: Path) -> tuple[Path, dict[str, Any]]:  # fmt: skip
    """The corpus of ``size`` chunks indexed through confbot's ingest with cached vectors (built once)."""
    from confbot.ingest.indexer import ingest

    root = work / f"scale-{size}"
    done = root / ".index-complete"
    info: dict[str, Any] = json.loads(done.read_text()) if done.exists() else {}
    if info:
        return root, info
    shutil.rmtree(root / "index", ignore_errors=True)
    files = synthetic_corpus(root / "corpus", size, pool)
    s = Settings(project_root=root)
    cached = CachedEmbedder(emb, vector_table(root / "corpus", emb, pool_vecs, s))
    t0 = time.perf_counter()
    report = ingest(s, embedder=cached)
    info = {"files": files, "chunks": report.chunks, "build_s": round(time.perf_counter() - t0, 1),
            "embedded_by_model": cached.misses, "build_peak_rss_mb": round(peak_rss_mb(), 1)}  # fmt: skip
    done.write_text(json.dumps(info))
    return root, info


def query_child(root: Path, queries: int) -> dict[str, Any]:
    """Run in a fresh process per index (``bench.py --query-child ROOT``): latency split, accuracy, RSS."""
    from confbot.answer.chain import Answerer
    from confbot.embed.provision import load_embedder
    from confbot.evaluation import load_qa
    from confbot.retrieve.pipeline import Pipeline

    t0 = time.perf_counter()
    s = Settings(project_root=root)
    emb = load_embedder(s)
    p = Pipeline.open(s, embedder=emb)  # as a restarted app would: the saved BM25 index is loaded
    emb.embed_query("warm up")
    open_s = time.perf_counter() - t0
    shutil.rmtree(s.bm25_cache_path, ignore_errors=True)
    t0 = time.perf_counter()
    p = Pipeline.open(s, embedder=emb)  # as the first app process: BM25 built from the tokens stored in Chroma
    first_open_s = time.perf_counter() - t0
    answerer = Answerer(p)
    from confbot.ingest.indexer import ingest

    t0 = time.perf_counter()
    again = ingest(s, embedder=emb)  # nothing changed: every file is skipped on its hash
    reingest_s = time.perf_counter() - t0
    assert again.added == 0, again
    items = load_qa(DEV_QA)
    real_source = f"corpus/{REAL.name}"
    ranks, scoped_ranks = [], []
    for it in items:
        if it.answerable:
            ranks.append(hit_rank(p.retriever.retrieve(it.question, 10), it.evidence, real_source))
            # the same question scoped to the event's files (here the one real release: CONFBOT_SCOPE)
            scoped_ranks.append(hit_rank(p.retriever.retrieve(it.question, 10, scope=real_source), it.evidence,
                                         real_source))  # fmt: skip
    rng = random.Random(1)
    # every query distinct, so the query-embedding cache never answers: a cold figure per query
    qs = [f"{rng.choice(items).question} {i}" for i in range(queries)]
    split: dict[str, list[float]] = {
        k: [] for k in ("retrieve", "embed", "dense", "bm25", "fusion", "ask", "answer", "retrieve_scoped")
    }
    for q in qs:
        t0 = time.perf_counter()
        hits = p.retriever.retrieve(q, s.context_k)
        split["retrieve"].append(time.perf_counter() - t0)
        t = p.retriever.last_timings
        for k in ("embed", "dense", "bm25", "fusion"):
            split[k].append(getattr(t, k))
        t0 = time.perf_counter()
        answerer.select(q, hits)  # the extractive answer itself (sentence selection, checks, citations)
        split["answer"].append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        p.retriever.retrieve(q, s.context_k, scope=real_source)
        split["retrieve_scoped"].append(time.perf_counter() - t0)
        q2 = q + " ?"
        t0 = time.perf_counter()
        answerer.answer(q2)
        split["ask"].append(time.perf_counter() - t0)
    n = len(ranks)
    from confbot.soak import rss_mb

    rss_now = rss_mb(os.getpid()) or 0.0
    return {
        "chunks": p.retriever.lexical.n, "open_s": round(open_s, 2), "first_open_s": round(first_open_s, 2), "reingest_unchanged_s": round(reingest_s, 2),
        "reingest_unchanged_s_per_1k_chunks": round(reingest_s / max(p.retriever.lexical.n, 1) * 1000, 3),
        "ms": {k: {"p50": pct(v, 50), "p95": pct(v, 95), "p99": pct(v, 99)} for k, v in split.items()},
        "dev_hit@1": round(sum(1 for r in ranks if r and r <= 1) / n, 3),
        "dev_hit@3": round(sum(1 for r in ranks if r and r <= 3) / n, 3),
        "dev_mrr": round(sum(1 / r for r in ranks if r) / n, 3),
        "dev_hit@3_scoped": round(sum(1 for r in scoped_ranks if r and r <= 3) / n, 3),
        "dev_mrr_scoped": round(sum(1 / r for r in scoped_ranks if r) / n, 3),
        "serving_peak_rss_mb": round(peak_rss_mb(), 1),
        "serving_rss_mb": round(float(rss_now), 1),
    }  # fmt: skip


def bench_throughput(root: Path, seconds: float) -> dict[str, Any]:
    """Questions per second from 1, 4 and 16 concurrent gradio_client sessions against `confbot serve`."""
    import urllib.request

    from confbot.soak import load_questions, run_load

    sys.path.insert(0, str(ROOT / "tests"))
    from conftest import free_port

    port = free_port()
    log = (root / "serve.log").open("w")
    proc = subprocess.Popen([str(BIN / "confbot"), "serve", "--port", str(port)], cwd=root, stdout=log,
                            stderr=subprocess.STDOUT)  # fmt: skip
    t0 = time.perf_counter()
    url = f"http://127.0.0.1:{port}/"
    try:
        while True:
            try:
                urllib.request.urlopen(url, timeout=2).read()
                break
            except OSError:
                if proc.poll() is not None or time.perf_counter() - t0 > 300:
                    raise RuntimeError("the app did not start") from None
                time.sleep(0.2)
        ready_s = time.perf_counter() - t0
        qs = load_questions(DEV_QA)
        run_load(url, qs, clients=1, seconds=5, hostile=False)  # warm up (model loaded)
        out: dict[str, Any] = {"app_ready_s": round(ready_s, 2)}
        for clients in (1, 4, 16):
            r = run_load(url, qs, clients=clients, seconds=seconds, pid=proc.pid, hostile=False)
            out[f"clients_{clients}"] = {"questions_per_s": r.questions_per_s, "p50_ms": r.p50_ms, "p95_ms": r.p95_ms,
                                         "errors": r.errors, "rss_mb": r.rss_mb.get("peak")}  # fmt: skip
        return out
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()


_CLI_WITH_RSS = (
    "import sys; from confbot.cli import main; rc = main(sys.argv[1:]); "
    "print([l for l in open('/proc/self/status') if l.startswith('VmHWM')][0].split()[1], file=sys.stderr); "
    "sys.exit(rc)"
)


def bench_cold_start(root: Path) -> dict[str, float]:
    dt, _, _ = child_run([str(BIN / "confbot"), "ask", "大会在哪里举办？"], cwd=root)
    dt_r, _, _ = child_run([str(BIN / "confbot"), "retrieve", "大会在哪里举办？"], cwd=root)
    proc = subprocess.run([str(BIN / "python"), "-c", _CLI_WITH_RSS, "ask", "大会在哪里举办？"], cwd=root,
                          capture_output=True, text=True, check=True)  # fmt: skip
    rss = int(proc.stderr.strip().splitlines()[-1]) / 1024
    return {"ask_s": round(dt, 2), "retrieve_s": round(dt_r, 2), "ask_peak_rss_mb": round(rss, 1)}


def bench_backends(real_root: Path) -> dict[str, Any]:
    """Query embedding backends: torch fp32 (sentence-transformers), torch dynamic int8, onnxruntime fp32.

    Documents stay as indexed; each backend embeds the dev questions: speed, accuracy, closeness to torch fp32."""
    import torch

    from confbot.embed.embedder import OnnxEmbedder, SentenceTransformerEmbedder
    from confbot.embed.provision import export_onnx, resolve_model
    from confbot.evaluation import load_qa
    from confbot.retrieve.pipeline import Pipeline

    s = Settings(project_root=real_root)
    folder = resolve_model(s)
    export_onnx(Path(folder))
    fp32 = SentenceTransformerEmbedder(folder, name=s.embed_model)
    int8 = SentenceTransformerEmbedder(folder, name=s.embed_model)
    int8._model = torch.ao.quantization.quantize_dynamic(int8._model, {torch.nn.Linear}, dtype=torch.qint8)
    backends = {"torch fp32 (sentence-transformers)": fp32, "torch int8 (dynamic quantization)": int8,
                "onnxruntime fp32 (the default)": OnnxEmbedder(folder, name=s.embed_model)}  # fmt: skip
    items = [i for i in load_qa(DEV_QA) if i.answerable]
    real_source = f"corpus/{REAL.name}"
    ref = [fp32.embed_query(i.question) for i in items]
    docs_ref = fp32.embed_documents([i.question for i in items])
    out: dict[str, Any] = {}
    for label, e in backends.items():
        p = Pipeline.open(s, embedder=e)
        times = []
        for i in items:
            t0 = time.perf_counter()
            e.embed_query(i.question + " ")
            times.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        e.embed_documents([i.question * 4 for i in items])
        docs_rate = len(items) / (time.perf_counter() - t0)
        ranks = [hit_rank(p.retriever.retrieve(i.question, 10), i.evidence, real_source) for i in items]
        cos = [float(np.dot(e.embed_query(i.question), v)) for i, v in zip(items, ref, strict=True)]
        dcos = np.sum(e.embed_documents([i.question for i in items]) * docs_ref, axis=1)
        out[label] = {
            "query_embed_ms_p50": pct(times, 50), "query_embed_ms_p95": pct(times, 95),
            "passages_per_s": round(docs_rate, 1),
            "dev_hit@3": round(sum(1 for r in ranks if r and r <= 3) / len(ranks), 3),
            "dev_mrr": round(sum(1 / r for r in ranks if r) / len(ranks), 3),
            "min_cosine_to_torch_fp32": round(min(min(cos), float(dcos.min())), 5),
        }  # fmt: skip
    return out


def approximation_quality(pool: Sequence[str], emb: Any) -> dict[str, float]:
    """Cosine between the model's vector of a synthetic chunk and its mean-of-sentences approximation."""
    from confbot.ingest.chunker import chunk_document

    rng = random.Random(3)
    texts = []
    for _ in range(40):
        body = "".join(rng.sample(list(pool[:400]), k=18))
        texts.extend(c.text for c in chunk_document("x", body)[:2])
    sent = {t: v for t, v in zip(pool[:400], emb.embed_documents(list(pool[:400])), strict=True)}
    real = emb.embed_documents(texts)
    cos = [float(np.dot(approx_vector(t, sent), v)) for t, v in zip(texts, real, strict=True)
           if approx_vector(t, sent) is not None]  # fmt: skip
    return {"chunks": len(cos), "mean_cosine": round(float(np.mean(cos)), 4), "min_cosine": round(min(cos), 4)}


# ---------------------------------------------------------------------------------------------- report
def chart(results: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    scale = results["scale"]
    sizes = [scale[k]["chunks"] for k in scale]
    fig, ax = plt.subplots(figsize=(7, 4))
    for key, label in (("retrieve", "retrieve"), ("ask", "extractive ask")):
        for p, style in (("p50", "-o"), ("p95", "--o")):
            ax.plot(sizes, [scale[k]["ms"][key][p] for k in scale], style, label=f"{label} {p}")
    ax.plot(sizes, [scale[k]["ms"]["embed"]["p50"] for k in scale], ":x", label="query embedding p50")
    ax.set_xscale("log")
    ax.set_xlabel("chunks in the index (SYNTHETIC corpus + the real release)")
    ax.set_ylabel("ms (warm, 2 cores)")
    ax.set_title("confbot query latency against corpus size")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def _run(row: dict[str, Any], r: dict[str, Any]) -> str:
    run = row.get("run") or {"date": r.get("date", "?"), "commit": r.get("commit", "?")}
    return f"{run['date']} `{run['commit']}`"


def markdown(r: dict[str, Any]) -> str:
    lines = [
        "# Benchmarks",
        "",
        f"Measured by `{r['command']}` on {r['date']} ({r['machine']}, Python {r['python']}, torch {r['torch']}, "
        f"chromadb {r['chromadb']}). Each row names the run (date, commit) that measured it; a ratio is always "
        "measured within one run. Compare the ratios, not the seconds: these machines are noisy.",
        "",
        "Corpora: the real press release plus **SYNTHETIC** files (its sentences with cities, technologies, event "
        "names and numbers swapped, recombined), generated for the run in `~/.cache/confbot/bench`, never committed. "
        "Indexes beyond the ingest sizes are built through confbot's own ingest with vectors from a cache: each "
        "distinct synthetic sentence is embedded by the real model once and a synthetic chunk's vector is the "
        "normalized mean of its sentences' vectors "
        f"(cosine to the model's own vector: mean {r['approximation']['mean_cosine']}, "
        f"min {r['approximation']['min_cosine']} over {r['approximation']['chunks']} chunks). "
        "The real release is always embedded by the model.",
        "",
        "## Ingest (real model)",
        "",
        f"Backend: {r.get('backend', 'onnx')}. Bare encode = one `embed_documents` call of the same backend on the same "
        "chunk texts (in newer runs timed before and after the ingest, the mean taken: the order alone moved the "
        "ratio by about 10%); bare ST = `SentenceTransformer.encode` (torch) on them.",
        "",
        "| chunks | confbot ingest, chunks/s | bare encode, chunks/s | **ingest ÷ bare** | bare ST, chunks/s | "
        "**ingest ÷ bare ST** | "
        "naive LangChain on the same files and model (`RecursiveCharacterTextSplitter(1000, 200)` + "
        "`Chroma.from_documents`) | re-ingest, nothing changed | peak RSS of the benchmark process (both models, the naive index) "
        "| run |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for g in r["ingest"].values():
        lines.append(f"| {g['chunks']} | {g['ingest_chunks_per_s']} ({g['ingest_s']} s) | {g['bare_encode_chunks_per_s']} | "
                     f"**{g['ingest_vs_bare_encode']}** | {g['bare_st_encode_chunks_per_s']} | **{g['ingest_vs_bare_st_encode']}** | "
                     f"{g['naive_s']} s for {g['naive_chunks']} chunks of up to 1000 "
                     f"chars ({g['naive_time_vs_ingest_time']}× confbot's time) | {g['reingest_unchanged_s']} s "
                     f"({g['reingest_unchanged_s_per_1k_chunks']} s per 1k chunks) | {g.get('peak_rss_mb', r['ingest_peak_rss_mb'])} MB | "
                     f"{_run(g, r)} |")  # fmt: skip
    lines += [
        "",
        "## Queries (warm, one process per index, every query distinct so no cache answers)",
        "",
        "| chunks | retrieve p50 / p95 / p99 ms | split p50: embed · dense · BM25 · fusion | extractive answer step "
        "p50 / p95 | extractive ask (retrieve + answer) p50 / p95 / p99 | dev hit@1 · hit@3 · MRR | "
        "open (model load + saved BM25) / open again without the saved BM25 (built from Chroma) | "
        "serving RSS after the queries (peak, with the BM25 build) | re-ingest, nothing changed | index build (cached vectors): s, peak RSS "
        "| run |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for k, g in [("real", r["real_release"]), *r["scale"].items()]:
        m = g["ms"]
        label = f"{g['chunks']} (the real release only)" if k == "real" else str(g["chunks"])
        lines.append(
            f"| {label} | {m['retrieve']['p50']} / {m['retrieve']['p95']} / {m['retrieve']['p99']} | "
            f"{m['embed']['p50']} · {m['dense']['p50']} · {m['bm25']['p50']} · {m['fusion']['p50']} | "
            f"{m['answer']['p50']} / {m['answer']['p95']} | {m['ask']['p50']} / {m['ask']['p95']} / {m['ask']['p99']} | "
            f"{g['dev_hit@1']} · {g['dev_hit@3']} · {g['dev_mrr']} | {g['open_s']} s / {g['first_open_s']} s | "
            f"{g['serving_rss_mb']} MB ({g['serving_peak_rss_mb']} MB) | "
            f"{g['reingest_unchanged_s']} s ({g['reingest_unchanged_s_per_1k_chunks']} s/1k chunks) | "
            f"{g.get('build_s', '–')} s, {g.get('build_peak_rss_mb', '–')} MB | {_run(g, r)} |"
        )
    scoped = [(k, g) for k, g in [("real", r["real_release"]), *r["scale"].items()] if "dev_hit@3_scoped" in g]
    if scoped:
        lines += ["", "Scoped to the event (`--scope` / `CONFBOT_SCOPE`: here the real release's file, among the "
                  "synthetic events' files): dense search exact over the scope's vectors in memory (a scope over 50k chunks "
                  "goes through Chroma's `$in` filter), BM25 masked. The question's embedding is cached from the "
                  "unscoped query, so these times leave it out.", "",
                  "| chunks | dev hit@3 · MRR, whole index | dev hit@3 · MRR, scoped | scoped retrieve p50 / p95 ms | run |",
                  "|---|---|---|---|---|"]  # fmt: skip
        for _, g in scoped:
            m = g["ms"]["retrieve_scoped"]
            lines.append(f"| {g['chunks']} | {g['dev_hit@3']} · {g['dev_mrr']} | {g['dev_hit@3_scoped']} · "
                         f"{g['dev_mrr_scoped']} | {m['p50']} / {m['p95']} | {_run(g, r)} |")  # fmt: skip
    lines += ["", "![latency against corpus size](benchmarks/latency.png)", ""]
    if "throughput" in r:
        t = r["throughput"]
        lines += ["## Throughput of the app (`confbot serve`, /ask through gradio_client, real release index)", "",
                  f"App ready in {t['app_ready_s']} s. Run: {_run(t, r)}.", "",
                  "| concurrent clients | questions/s | p50 ms | p95 ms | errors | server RSS peak MB |",
                  "|---|---|---|---|---|---|"]  # fmt: skip
        for c in (1, 4, 16):
            g = t[f"clients_{c}"]
            lines.append(
                f"| {c} | {g['questions_per_s']} | {g['p50_ms']} | {g['p95_ms']} | {g['errors']} | {g['rss_mb']} |"
            )
        lines.append("")
    c = r["cold_start"]
    lines += ["## Cold start (existing index of the real release)", "",
              f"`confbot ask` from process start to the printed answer: **{c['ask_s']} s** (peak RSS {c['ask_peak_rss_mb']} MB); "
              f"`confbot retrieve`: {c['retrieve_s']} s. Run: {_run(c, r)}.", ""]  # fmt: skip
    if "backends" in r:
        lines += ["## Embedding backends (real release index, dev set; documents as indexed)", "",
                  "| backend | query embedding p50 / p95 ms | passages/s (~100 chars) | dev hit@3 | dev MRR | "
                  "min cosine to torch fp32 |", "|---|---|---|---|---|---|"]  # fmt: skip
        for k, g in r["backends"].items():
            lines.append(f"| {k} | {g['query_embed_ms_p50']} / {g['query_embed_ms_p95']} | {g['passages_per_s']} | "
                         f"{g['dev_hit@3']} | {g['dev_mrr']} | {g['min_cosine_to_torch_fp32']} |")  # fmt: skip
        lines.append("")
    return "\n".join(lines)


def merge_results(prev: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """``new`` over ``prev`` row by row (``--update``); a kept row names the run that measured it."""
    earlier = {"date": prev.get("date", "?"), "commit": prev.get("commit", "earlier run")}
    out = dict(new)
    for section in ("ingest", "scale"):
        rows = {k: {"run": earlier, "peak_rss_mb": prev.get("ingest_peak_rss_mb"), **v}
                for k, v in prev.get(section, {}).items()}  # fmt: skip
        out[section] = {**rows, **new.get(section, {})}
    for section in ("real_release", "cold_start", "backends", "throughput", "approximation"):
        if section not in new and section in prev:
            out[section] = {"run": earlier, **prev[section]}
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1000,10000,100000", help="index sizes for query latency (chunks)")
    ap.add_argument("--ingest-sizes", default="1000,10000", help="corpus sizes ingested with the real model")
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--load-seconds", type=float, default=20.0, help="per concurrency level; 0 skips throughput")
    ap.add_argument("--work", default=str(Path.home() / ".cache" / "confbot" / "bench"))
    ap.add_argument("--query-child", help=argparse.SUPPRESS)
    ap.add_argument("--build-child", type=int, help=argparse.SUPPRESS)
    ap.add_argument(
        "--update",
        action="store_true",
        help="keep the rows of benchmarks/results.json this run does not measure (each row names its run)",
    )
    ap.add_argument("--render", action="store_true", help="only rewrite BENCHMARKS.md and the chart from results.json")
    args = ap.parse_args()
    if args.query_child:
        print(json.dumps(query_child(Path(args.query_child), args.queries)))
        return
    if args.render:  # the Markdown and chart again from results.json (after a change of wording)
        results = json.loads((ROOT / "benchmarks" / "results.json").read_text())
        chart(results, ROOT / "benchmarks" / "latency.png")
        (ROOT / "BENCHMARKS.md").write_text(markdown(results) + "\n", encoding="utf-8")
        return
    if args.build_child:
        from confbot.embed.provision import load_embedder

        work = Path(args.work) / f"v{GENERATOR_VERSION}"
        pool = sentence_pool(6000)
        h = hashlib.sha256("\n".join(pool).encode()).hexdigest()[:12]
        pool_vecs = dict(zip(pool, np.load(work / f"pool-{h}.npy"), strict=True))
        build_scale_index(args.build_child, pool, pool_vecs, load_embedder(Settings()), work)
        return

    import chromadb
    import torch

    from confbot.embed.embedder import SentenceTransformerEmbedder
    from confbot.embed.provision import load_embedder, resolve_model
    from confbot.ingest.indexer import ingest

    work = Path(args.work) / f"v{GENERATOR_VERSION}"
    work.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {
        "date": time.strftime("%Y-%m-%d"), "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "python": platform.python_version(), "torch": torch.__version__, "chromadb": chromadb.__version__,
        "command": "benchmarks/bench.py " + " ".join(sys.argv[1:]), "backend": Settings().embed_backend,
    }  # fmt: skip
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    run = {"date": results["date"], "commit": commit.stdout.strip() or "?"}
    results["commit"] = run["commit"]
    emb = load_embedder(Settings())  # the default backend
    emb.embed_query("warm up")
    st_emb = SentenceTransformerEmbedder(resolve_model(Settings()), name="bare sentence-transformers")
    st_emb.embed_query("warm up")

    pool = sentence_pool(6000)
    results["approximation"] = approximation_quality(pool, emb)

    results["ingest"] = {}
    for size in [int(x) for x in args.ingest_sizes.split(",") if x]:
        print(f"ingest {size} ...", file=sys.stderr)
        results["ingest"][str(size)] = {**bench_ingest(size, pool, emb, st_emb, work), "run": run}
    results["ingest_peak_rss_mb"] = round(peak_rss_mb(), 1)  # this process: model, ingest, bare encode, naive
    for g in results["ingest"].values():
        g["peak_rss_mb"] = results["ingest_peak_rss_mb"]

    h = hashlib.sha256("\n".join(pool).encode()).hexdigest()[:12]
    vec_path = work / f"pool-{h}.npy"
    if not vec_path.exists():
        print("embedding the synthetic sentence pool once ...", file=sys.stderr)
        np.save(vec_path, emb.embed_documents(pool))
    pool_vecs = dict(zip(pool, np.load(vec_path), strict=True))

    real_root = work / "real"
    if not (real_root / "index").exists():
        shutil.rmtree(real_root, ignore_errors=True)
        (real_root / "corpus").mkdir(parents=True)
        shutil.copy(REAL, real_root / "corpus" / REAL.name)
        ingest(Settings(project_root=real_root), embedder=emb)

    results["scale"] = {}
    for size in [int(x) for x in args.sizes.split(",") if x]:
        print(f"index of {size} chunks ...", file=sys.stderr)
        root = work / f"scale-{size}"
        if not (root / ".index-complete").exists():  # built in a child process, for its own peak RSS
            child_run([sys.executable, __file__, "--build-child", str(size), "--work", args.work], ROOT)
        info = json.loads((root / ".index-complete").read_text())
        _, _, out = child_run(
            [sys.executable, __file__, "--query-child", str(root), "--queries", str(args.queries)], ROOT
        )
        results["scale"][str(size)] = {**info, **json.loads(out.strip().splitlines()[-1]), "run": run}
    _, _, out = child_run(
        [sys.executable, __file__, "--query-child", str(real_root), "--queries", str(args.queries)], ROOT
    )
    results["real_release"] = {**json.loads(out.strip().splitlines()[-1]), "run": run}

    results["cold_start"] = bench_cold_start(real_root)
    results["backends"] = bench_backends(real_root)
    if args.load_seconds > 0:
        print("throughput ...", file=sys.stderr)
        results["throughput"] = bench_throughput(real_root, args.load_seconds)

    out_path = ROOT / "benchmarks" / "results.json"
    if args.update and out_path.exists():
        results = merge_results(json.loads(out_path.read_text()), results)
    out_path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    chart(results, ROOT / "benchmarks" / "latency.png")
    md = markdown(results)
    (ROOT / "BENCHMARKS.md").write_text(md + "\n", encoding="utf-8")
    print(md)


if __name__ == "__main__":
    main()
