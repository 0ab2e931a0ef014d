"""The command line: ``confbot setup | ingest | retrieve | eval | serve``.

Results go to stdout (``--json`` for machines), progress and logs to stderr. Errors are
printed as one line without a traceback, with a non-zero exit code.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from confbot.errors import ConfbotError
from confbot.settings import Settings, set_runtime_env

log = logging.getLogger("confbot")


def _settings(args: argparse.Namespace) -> Settings:
    overrides: dict[str, Any] = {}
    if getattr(args, "index", None):
        overrides["index_dir"] = Path(args.index)
    if getattr(args, "scope", None) is not None:
        overrides["scope"] = args.scope
    return Settings(**overrides)


def _print_json(obj: Any) -> None:
    print(json.dumps(obj, ensure_ascii=False, indent=2))


def cmd_setup(args: argparse.Namespace) -> int:
    s = _settings(args)
    if args.llm:
        from confbot.answer.generator import provision_test_gguf

        print(provision_test_gguf(s.cache_dir))
        return 0
    from confbot.embed.provision import export_onnx, resolve_model

    folder = resolve_model(s)
    if s.embed_backend == "onnx" and Path(folder).is_dir():
        export_onnx(Path(folder))  # once; checked against the torch model
    print(folder)
    return 0


def _service(args: argparse.Namespace) -> Any:
    from confbot.service import Service

    return Service(_settings(args))


def cmd_ingest(args: argparse.Namespace) -> int:
    service = _service(args)
    paths = [Path(p) for p in args.paths] or None  # None: the corpus (and, for --rebuild, every indexed file)
    progress = (not args.json and sys.stderr.isatty()) or args.progress
    report = service.ingest(paths, rebuild=args.rebuild, skip_bad=args.skip_bad, progress=progress)
    for w in report.warnings:
        print(f"warning: {w}", file=sys.stderr)
    for f in report.failed:
        print(f"skipped: {f}", file=sys.stderr)
    if not args.json:
        for src, done in sorted(report.repairs.items()):
            print(f"repaired: {src}: {'; '.join(done)}", file=sys.stderr)
    if args.json:
        d = report.as_json()
        _print_json(
            {k: d[k] for k in ("files", "chunks", "added", "unchanged", "removed", "seconds")}
            | {"repairs": [{"source": src, "repairs": done} for src, done in sorted(report.repairs.items())]}
            | ({"failed": report.failed} if report.failed else {})
        )
    else:
        print(
            f"{report.files} files: {report.added} chunks added, {report.unchanged} unchanged, "
            f"{report.removed} removed; the index holds {report.chunks} chunks ({report.seconds:.1f} s)."
        )
    return 0


def cmd_retrieve(args: argparse.Namespace) -> int:
    from confbot.render import hit_json, hits_text

    q, hits = _service(args).retrieve(args.question, args.k)
    if args.json:
        _print_json({"query": q, "hits": [hit_json(i, h) for i, h in enumerate(hits, start=1)]})
    else:
        print(hits_text(hits))
    return 0


def _load_history(path: str | None) -> list[dict[str, str]]:
    if not path:
        return []
    from confbot.errors import InputError

    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise InputError(f"--history {path}: not a readable JSON file ({exc}).") from exc
    if not isinstance(data, list) or not all(isinstance(m, dict) and "role" in m and "content" in m for m in data):
        raise InputError(f'--history {path}: expected a JSON list of {{"role": "user"|"assistant", "content": ...}}.')
    return data


def _ask_batch(args: argparse.Namespace) -> int:
    from confbot.errors import ConfbotError, InputError
    from confbot.render import answer_json, answer_markdown

    try:
        questions = [q.strip() for q in Path(args.batch).read_text(encoding="utf-8-sig").splitlines() if q.strip()]
    except OSError as exc:
        raise InputError(f"--batch {args.batch}: cannot be read ({exc.strerror}).") from exc
    if not questions:
        raise InputError(f"--batch {args.batch}: no questions in the file (one question per line).")
    service = _service(args)
    failed = 0
    for q in questions:
        try:
            a = service.ask(q)
        except ConfbotError as exc:  # one bad line must not lose the others
            failed += 1
            print(f"confbot: skipped {q[:40]!r}: {exc}", file=sys.stderr)
            continue
        print(answer_markdown(a) if args.format == "md" else json.dumps(answer_json(a), ensure_ascii=False))
    return 1 if failed else 0


def cmd_ask(args: argparse.Namespace) -> int:
    from confbot.errors import InputError
    from confbot.render import answer_json, answer_markdown, answer_text, plain

    if args.batch:
        return _ask_batch(args)
    if not args.question:
        raise InputError("ask needs a QUESTION (or --batch FILE).")
    a = _service(args).ask(args.question, _load_history(args.history))
    if args.json:
        _print_json(answer_json(a))
    elif args.format == "md":
        print(answer_markdown(a))
    else:
        if a.standalone_question != a.question:
            print(f"({plain(a.standalone_question)})", file=sys.stderr)
        print(answer_text(a))
    return 0


def _print_eval(report: dict[str, Any], results: list[Any], pipeline: str) -> None:
    print(f"pipeline: {pipeline}   answerable: {report['n']} of {report['n_total']}")
    print(f"{'':10} {'n':>4} {'hit@1':>7} {'hit@3':>7} {'hit@5':>7} {'MRR@10':>7}")
    for name, m in [("all", report), *report["by_lang"].items()]:
        print(f"{name:10} {m['n']:>4} {m['hit@1']:>7.3f} {m['hit@3']:>7.3f} {m['hit@5']:>7.3f} {m['mrr']:>7.3f}")
    if "answer_accuracy" in report:

        def fmt(x: Any) -> str:
            return "n/a" if x is None else f"{x:.3f}"

        print(
            f"answers ({report['backend']}): accuracy {fmt(report['answer_accuracy'])}, refusal precision "
            f"{fmt(report['refusal_precision'])}, recall {fmt(report['refusal_recall'])}, "
            f"citation validity {fmt(report['citation_validity'])}"
        )
        for r in results:
            if r.extra.get("correct") is False or (not r.item.answerable and not r.extra.get("refused")):
                print(f"wrong {r.item.id}: {r.item.question} -> {str(r.extra.get('answer'))[:80]!r}")
    med = report["top1_dense_median"]
    print(f"median top-1 cosine: answerable {med['answerable']}, unanswerable {med['unanswerable']}")
    for r in results:
        if r.item.answerable and (r.rank is None or r.rank > 3):
            print(f"miss@3 {r.item.id}: {r.item.question} (rank {r.rank})")


def _eval_suite(args: argparse.Namespace) -> int:
    from confbot.evaluation import per_item_json
    from confbot.suite import run_suite, summary_line

    def log(line: str) -> None:
        print(line, file=sys.stderr)

    out = run_suite(Path(args.qa), _settings(args), args.k, answers=not args.retrieval_only, log=log)
    for report in out["corpora"].values():
        report["per_item"] = [per_item_json(r) for r in report["per_item"]]
    if args.json:
        _print_json(out)
        return 0
    for name, report in out["corpora"].items():
        print(f"{name:12} {summary_line(report)}")
        for key in ("by_lang", "by_type", "by_lang_passage"):
            cells = ", ".join(f"{k} {v['hit@3']:.2f} (n={v['n']})" for k, v in report[key].items() if v["n"])
            print(f"{'':12}   hit@3 {key[3:]}: {cells}")
    m = out["macro"]
    print("macro        " + "  ".join(f"{k} {'n/a' if v is None else f'{v:.3f}'}" for k, v in m.items()))
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from confbot.evaluation import per_item_json

    if args.qa.endswith(".json"):
        return _eval_suite(args)
    t0 = time.perf_counter()
    naive = args.pipeline == "naive"
    report, results = _service(args).evaluate(Path(args.qa), args.k, naive=naive, answers=not args.retrieval_only)
    report["seconds"] = round(time.perf_counter() - t0, 2)
    if args.json:
        _print_json({**report, "per_item": [per_item_json(r) for r in results]})
    else:
        _print_eval(report, results, args.pipeline)
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    n = _service(args).export_index(Path(args.file))
    print(f"exported {n} chunks to {args.file}")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    service = _service(args)
    s = service.settings
    name, n = service.import_index(Path(args.file))
    print(f"imported {n} chunks into {s.index_path if not s.chroma_url else s.chroma_url} ({name})")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from confbot.errors import ServiceError
    from confbot.server import serve
    from confbot.service import Service

    s = _settings(args)
    service = Service(s)
    try:
        service.connect()
    except ServiceError as exc:  # the app starts anyway, says what is wrong, and connects when it can
        print(f"confbot: warning: {exc} The app starts and will connect at the next question.", file=sys.stderr)
    url = f"http://{args.host}:{args.port}"
    extra = f", MCP at {url}/mcp" if args.mcp else ""
    print(f"confbot: serving on {url} (backend {s.llm}; OpenAI API at {url}/v1{extra})", file=sys.stderr)
    serve(service, host=args.host, port=args.port, mcp=args.mcp)
    return 0


def cmd_soak(args: argparse.Namespace) -> int:
    from confbot.errors import InputError
    from confbot.soak import load_questions, run_load

    if not Path(args.qa).is_file():
        raise InputError(f"{args.qa}: no such QA file; pass --qa FILE.")
    report = run_load(args.url, load_questions(Path(args.qa)), args.clients, args.seconds, args.pid)
    if args.json:
        _print_json(report.as_json())
    else:
        print(
            f"{report.requests} requests from {report.clients} clients in {report.seconds:.0f} s: "
            f"{report.errors} errors, {report.refused_input} hostile inputs refused; "
            f"p50 {report.p50_ms} ms, p95 {report.p95_ms} ms, {report.questions_per_s}/s; RSS {report.rss_mb or 'n/a'}"
        )
        for e in report.error_samples:
            print(f"  error: {e}")
    return 0 if report.errors == 0 else 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="confbot", description="Grounded Q&A over conference press materials.")
    parser.add_argument("--log-level", default="WARNING", help="logging level on stderr (default WARNING)")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--index", help="index folder (env CONFBOT_INDEX_DIR, default index/)")
    scoped = argparse.ArgumentParser(add_help=False)
    scoped.add_argument(
        "--scope",
        help="answer only from files under this folder, e.g. corpus/2024-autumn "
        "(one event in an index of several; env CONFBOT_SCOPE)",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("setup", parents=[common], help="provision the embedding model (offline) and print its folder")
    p.add_argument("--llm", action="store_true", help="instead, assemble the small test GGUF (after `make llm`)")
    p.set_defaults(func=cmd_setup)

    p = sub.add_parser("ingest", parents=[common], help="index press releases (default: corpus/)")
    p.add_argument(
        "paths",
        nargs="*",
        help="files or folders, anywhere (default: corpus/); files outside the project are recorded by absolute path",
    )
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.add_argument(
        "--rebuild",
        action="store_true",
        help="build the index again beside the old one, which is replaced when the new one is complete",
    )
    p.add_argument("--skip-bad", action="store_true", help="index the readable files, report the others")
    p.add_argument("--progress", action="store_true", help="show a progress bar even when stderr is not a terminal")
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("retrieve", parents=[common, scoped], help="show the passages a question retrieves")
    p.add_argument("question")
    p.add_argument("--k", type=int, default=None, help="number of passages (default 5)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_retrieve)

    p = sub.add_parser("ask", parents=[common, scoped], help="answer a question with cited sources")
    p.add_argument("question", nargs="?")
    p.add_argument("--history", help='JSON file: [{"role": "user"|"assistant", "content": ...}, ...]')
    p.add_argument("--batch", help="a file with one question per line (a journalist's list)")
    p.add_argument(
        "--format",
        choices=["text", "jsonl", "md"],
        default=None,
        help="--batch output: jsonl (default) or md (Markdown drafts with sources)",
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_ask)

    p = sub.add_parser(
        "eval",
        parents=[common, scoped],
        help="retrieval and answer accuracy on a QA set (JSONL) or a suite of corpora (JSON)",
    )
    p.add_argument("qa", help="a QA file (tests/data/dev_qa.jsonl) or a suite (tests/corpora/dev.suite.json)")
    p.add_argument("--k", type=int, default=5)
    p.add_argument("--json", action="store_true")
    p.add_argument(
        "--pipeline",
        choices=["confbot", "naive"],
        default="confbot",
        help="naive = the tutorial baseline (RecursiveCharacterTextSplitter + MiniLM + Chroma)",
    )
    p.add_argument("--retrieval-only", action="store_true", help="skip answering (retrieval metrics only)")
    p.set_defaults(func=cmd_eval)

    _add_admin_commands(sub, common, scoped)
    return parser


def _add_admin_commands(sub: Any, common: argparse.ArgumentParser, scoped: argparse.ArgumentParser) -> None:
    """export, import, serve and soak."""
    p = sub.add_parser("export", parents=[common], help="write the index (chunks, embeddings, metadata) to a file")
    p.add_argument("file", help="e.g. confbot-index.jsonl.gz")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("import", parents=[common], help="load an exported index into an empty --index DIR")
    p.add_argument("file")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("serve", parents=[common, scoped], help="start the web app")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=7860)
    p.add_argument("--mcp", action="store_true", help="also serve the MCP tools ask and retrieve at /mcp")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("soak", help="load a running app with concurrent sessions and report errors, latency, memory")
    p.add_argument("url", help="the app, e.g. http://127.0.0.1:7860/")
    p.add_argument("--clients", type=int, default=4)
    p.add_argument("--seconds", type=float, default=120.0, help="stop after this long (default 120)")
    p.add_argument("--pid", type=int, help="the server's pid, to follow its memory (RSS)")
    p.add_argument("--qa", default="tests/data/dev_qa.jsonl", help="questions to ask (JSONL with a question field)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_soak)


def main(argv: Sequence[str] | None = None) -> int:
    set_runtime_env()
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    for noisy in ("chromadb", "httpx", "sentence_transformers", "transformers", "jieba"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLogger().level))
    try:
        return int(args.func(args))
    except ConfbotError as exc:
        print(f"confbot: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("confbot: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader stopped early (`confbot eval ... --json | head`): no traceback
        # Python flushes stdout again at exit and would raise once more: point it at /dev/null first (the recipe
        # of the `signal` module's documentation, "Note on SIGPIPE"); 141 is what a shell reports for SIGPIPE
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141


if __name__ == "__main__":
    sys.exit(main())
