"""Fit the answer model (answer or refuse) on the development suite, with leave-one-corpus-out validation.

    .venv/bin/python benchmarks/fit_answer_model.py tests/corpora/dev.suite.json

For every question of every corpus it runs condense -> retrieve -> select and records the selector's
features (:func:`confbot.answer.selector.answer_features`) and a label: 1 when answering with the chosen
sentences would be right (the question is answerable and they hold every answer key), 0 otherwise
(unanswerable, or the chosen sentences are wrong). A logistic regression (L2, Newton's method) is
fitted on all corpora but one and scored on the one left out, for each corpus in turn; then on all
of them. It prints the weights to copy into ``ANSWER_WEIGHTS`` and the validation figures. The held-out
suite is never read here.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

FEATURES = ("coverage", "similarity", "missing_kind", "english", "log_rank")


def collect(suite: Path) -> list[tuple[str, dict[str, float], int, bool]]:
    """(corpus, features, label, answerable) per question."""
    from confbot.answer.chain import Answerer, parse_history
    from confbot.embed.provision import load_embedder
    from confbot.evaluation import answer_correct, load_qa
    from confbot.ingest.indexer import ingest
    from confbot.retrieve.pipeline import Pipeline
    from confbot.settings import Settings
    from confbot.suite import corpus_settings, load_suite

    base = Settings()
    emb = load_embedder(base)
    rows = []
    for entry in load_suite(suite):
        s = corpus_settings(base, entry)
        ingest(s, [s.corpus_path], emb)
        answerer = Answerer(Pipeline.open(s, embedder=emb))
        for item in load_qa(entry.qa):
            q = answerer.standalone(item.question, parse_history(item.history_messages))
            hits = answerer.retrieve(q, "")
            chosen, asm = answerer.select(q, hits)
            text = "".join(c.text for c in chosen)
            label = int(item.answerable and bool(chosen) and answer_correct(item, text))
            rows.append((entry.name, asm.features, label, item.answerable))
    return rows


def fit(x: np.ndarray, y: np.ndarray, l2: float = 1.0, steps: int = 50) -> np.ndarray:
    """Logistic regression by Newton's method with an L2 penalty (bias unpenalized); x has a leading 1s column."""
    w = np.zeros(x.shape[1])
    reg = np.eye(x.shape[1]) * l2
    reg[0, 0] = 0.0
    for _ in range(steps):
        p = 1 / (1 + np.exp(-np.clip(x @ w, -50, 50)))
        grad = x.T @ (p - y) + reg @ w
        hess = (x.T * (p * (1 - p))) @ x + reg
        w -= np.linalg.solve(hess + 1e-9 * np.eye(len(w)), grad)
    return w


def scores(w: np.ndarray, x: np.ndarray, y: np.ndarray, answerable: np.ndarray, threshold: float) -> dict[str, float]:
    """Refusal precision/recall (unanswerable = should refuse) and right answers among answerable ones."""
    answer = (1 / (1 + np.exp(-(x @ w)))) >= threshold
    refused = ~answer
    unans = ~answerable
    prec = float((refused & unans).sum() / max(refused.sum(), 1))
    rec = float((refused & unans).sum() / max(unans.sum(), 1))
    acc = float((answer & (y == 1) & answerable).sum() / max(answerable.sum(), 1))
    return {"refusal_precision": round(prec, 3), "refusal_recall": round(rec, 3), "accuracy_if_answered": round(acc, 3)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("suite", nargs="?", default="tests/corpora/dev.suite.json")
    ap.add_argument("--threshold", type=float, default=0.4)
    ap.add_argument("--l2", type=float, default=0.01)
    ap.add_argument("--rows", type=Path, help="also write each question's corpus, features and label (JSON lines)")
    ap.add_argument("--from-rows", type=Path, help="fit on rows written by --rows instead of running the suite")
    ap.add_argument("--features", default=",".join(FEATURES), help="comma-separated features to fit (default: all)")
    args = ap.parse_args()
    features = [f for f in args.features.split(",") if f]
    if unknown := set(features) - set(FEATURES):
        print(f"unknown features: {sorted(unknown)}; known: {', '.join(FEATURES)}", file=sys.stderr)
        return 2
    if "heldout" in args.suite:
        print("refusing to fit on a held-out suite", file=sys.stderr)
        return 2
    if args.from_rows:
        rows = [
            (r["corpus"], r["features"], r["label"], r["answerable"]) for r in map(json.loads, args.from_rows.open())
        ]
    else:
        rows = collect(Path(args.suite))
    if args.rows:
        args.rows.write_text(
            "".join(json.dumps({"corpus": c, "features": f, "label": y, "answerable": a}) + "\n" for c, f, y, a in rows)
        )
    names = sorted({r[0] for r in rows})
    x = np.array([[1.0, *(r[1].get(f, 0.0) for f in features)] for r in rows])
    y = np.array([r[2] for r in rows], dtype=float)
    answerable = np.array([r[3] for r in rows])
    corpus = np.array([r[0] for r in rows])
    report: dict[str, object] = {"n": len(rows), "features": ["bias", *features], "loco": {}}
    for name in names:
        train, test = corpus != name, corpus == name
        w = fit(x[train], y[train], args.l2)
        report["loco"][name] = scores(w, x[test], y[test], answerable[test], args.threshold)  # type: ignore[index]
    w = fit(x, y, args.l2)
    report["weights"] = {k: round(float(v), 3) for k, v in zip(["bias", *features], w, strict=True)}
    report["all"] = scores(w, x, y, answerable, args.threshold)
    print(json.dumps(report, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
