"""The Gradio app. Only this module imports Gradio: ``create_app(answerer)`` builds, ``launch`` serves.

Three tabs: Chat (attendees), Documents (press office, behind ``CONFBOT_ADMIN_TOKEN``) and
Retrieval lab (testers). Document text is escaped everywhere it is shown.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import json
import logging
import re
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from confbot.answer import Answer
from confbot.chain import Answerer
from confbot.errors import ConfbotError, InputError
from confbot.loaders import SUPPORTED_SUFFIXES
from confbot.settings import Settings

log = logging.getLogger(__name__)

EXAMPLES = [
    "2024中国5G+工业互联网大会的主题是什么？",
    "大會將在什麼時候舉行？",
    "How many 5G base stations has Hubei built?",
    "大会由哪些单位联合主办？",
    "大会门票多少钱？",
]
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~])")
CSS = """
.refusal { border-left: 4px solid #d97706; padding-left: .6em; }
.src mark { background: #fde68a; padding: 0 .1em; }
.src { border: 1px solid #e5e7eb; border-radius: 6px; padding: .5em .8em; margin: .4em 0; }
.standalone { font-size: .8em; color: #6b7280; }
"""


_LABELS: dict[str, str] = {}


def tr(bilingual: str) -> Any:
    """A UI string written "English / 中文", shown in the browser's language (zh-TW/zh-HK get traditional)."""
    from gradio.i18n import I18nData

    key = "confbot_" + hashlib.sha1(bilingual.encode()).hexdigest()[:12]
    _LABELS[key] = bilingual
    return I18nData(key)


def make_i18n() -> Any:
    """Translations for every string passed through :func:`tr` (call after :func:`create_app`)."""
    import gradio as gr
    from opencc import OpenCC

    s2t = OpenCC("s2t")
    en: dict[str, str] = {}
    zh: dict[str, str] = {}
    for key, text in _LABELS.items():
        english, _, chinese = text.partition(" / ")
        en[key], zh[key] = english, chinese or english
    hant = {k: str(s2t.convert(v)) for k, v in zh.items()}
    return gr.I18n(en=en, zh=zh, **{"zh-CN": zh, "zh-TW": hant, "zh-HK": hant})


def launch_options() -> dict[str, Any]:
    """What ``launch()`` needs besides host and port (the app's CSS and translations)."""
    return {"css": CSS, "i18n": make_i18n()}


def md_escape(text: str) -> str:
    """Document text as literal Markdown: no links, no HTML, no emphasis."""
    return _MD_SPECIAL.sub(r"\\\1", html.escape(text, quote=False))


def chat_message(a: Answer) -> str:
    """The assistant message for an answer: escaped text, refusals marked, the rewritten question in small print."""
    body = md_escape(a.text).replace("\n", "  \n")
    if a.refused:
        body = f"⚠️ {body}"
    if a.standalone_question != a.question:
        body += f"\n\n<span class='standalone'>↳ {html.escape(a.standalone_question)}</span>"
    return body


def sources_html(a: Answer | None) -> str:
    """Every citation: source, character range, the quoted sentence highlighted inside its chunk."""
    if a is None:
        return ""
    if not a.citations:
        return "<p>No sources cited. / 未引用来源。</p>"
    chunks = {h.chunk.id: h.chunk for h in a.hits}
    parts = []
    for c in a.citations:
        chunk = chunks.get(c.chunk_id)
        if chunk is None:
            continue
        s, e = c.start - chunk.start, c.end - chunk.start
        body = (
            html.escape(chunk.text[:s]) + f"<mark>{html.escape(chunk.text[s:e])}</mark>" + html.escape(chunk.text[e:])
        )
        parts.append(
            f"<div class='src' id='src-{c.n}'><b>[{c.n}]</b> <code>{html.escape(c.source)}</code> "
            f"chars {c.start}–{c.end}<br>{body}</div>"
        )
    return "\n".join(parts)


class AppState:
    """What the app callbacks share: the answerer, a lock for index changes, the feedback log."""

    def __init__(self, answerer: Answerer | Callable[[], Answerer], settings: Settings | None = None) -> None:
        """``answerer`` or a factory of one: with a factory the app starts even while the index's
        server is down, says so on each question, and connects at the first one after it is back."""
        self._answerer = answerer if isinstance(answerer, Answerer) else None
        self._factory = None if isinstance(answerer, Answerer) else answerer
        self.settings = settings or self.answerer.pipeline.settings
        self.lock = threading.RLock()

    @property
    def answerer(self) -> Answerer:
        if self._answerer is None:
            with self.lock:
                if self._answerer is None:
                    assert self._factory is not None
                    self._answerer = self._factory()
        return self._answerer

    def status(self) -> str:
        try:
            a = self.answerer
            r = a.pipeline.retriever
            scope = f" · answering from / 仅依据: **{html.escape(r.scope)}**" if r.scope else ""
            return f"Backend / 回答方式: **{html.escape(a.backend)}** · index: {r.lexical.n} chunks{scope}"
        except ConfbotError as exc:
            return f"⚠️ {html.escape(str(exc))}"

    # ---------------------------------------------------------------- access
    def admin_enabled(self) -> bool:
        return self.settings.admin_token is not None and bool(self.settings.admin_token.get_secret_value())

    def check_token(self, token: str | None) -> None:
        if not self.admin_enabled():
            raise InputError("changing the index is disabled: start the app with CONFBOT_ADMIN_TOKEN set.")
        expected = self.settings.admin_token.get_secret_value()  # type: ignore[union-attr]
        if not token or not hmac.compare_digest(token.encode(), expected.encode()):
            raise InputError("wrong admin token; nothing was changed.")

    # ---------------------------------------------------------------- chat
    def answer(self, question: str, history: list[Any]) -> Iterator[str | Answer]:
        # no lock: answers go on during an upload or re-index (readers see committed file versions only)
        yield from self.answerer.stream(question, history)

    def feedback(self, liked: bool | None, a: dict[str, Any]) -> None:
        path = self.settings.feedback_path
        path.parent.mkdir(parents=True, exist_ok=True)
        record = {"time": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "liked": liked, **a}
        with path.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")

    # ---------------------------------------------------------------- documents
    def documents(self) -> list[list[Any]]:
        rows: list[list[Any]] = []
        try:
            infos = self.answerer.pipeline.store.sources()
        except ConfbotError as exc:  # the index's server is down: say so in the table
            return [[f"⚠️ {exc}", 0, 0, ""]]
        for info in sorted(infos.values(), key=lambda i: i.source):
            when = time.strftime("%Y-%m-%d %H:%M", time.localtime(info.ingested_at)) if info.ingested_at else ""
            rows.append([info.source, info.chunks, info.size, when])
        return rows

    def _refresh(self) -> None:
        self.answerer.pipeline.retriever.refresh()
        self.answerer.refresh()

    def upload(self, token: str | None, files: list[str], show_progress: bool = False) -> str:
        from confbot.pipeline import ingest

        self.check_token(token)
        if not files:
            raise InputError("choose one or more files to upload.")
        dest_dir = self.settings.uploads_path
        staged: list[tuple[Path, Path]] = []
        for f in files:
            src = Path(f)
            name = re.sub(r"[^\w.\-\u4e00-\u9fff ]", "_", src.name).strip(" .") or "upload.txt"
            if Path(name).suffix.lower() not in SUPPORTED_SUFFIXES:
                raise InputError(f"{name}: unsupported type; upload {', '.join(sorted(SUPPORTED_SUFFIXES))}.")
            if src.stat().st_size > self.settings.max_upload_bytes:
                raise InputError(f"{name}: over the {self.settings.max_upload_bytes // 1_000_000} MB upload limit.")
            staged.append((src, dest_dir / name))
        with self.lock:
            dest_dir.mkdir(parents=True, exist_ok=True)
            written: list[tuple[Path, bytes | None]] = []
            try:
                for src, dest in staged:
                    existed = dest.exists()
                    backup = dest.read_bytes() if existed else None
                    shutil.copyfile(src, dest)
                    written.append((dest, backup))
                report = ingest(
                    self.settings, [d for d, _ in written], self.answerer.pipeline.embedder, progress=show_progress
                )
            except ConfbotError:
                for dest, backup in written:  # leave the corpus as it was
                    if backup is None:
                        dest.unlink(missing_ok=True)
                    else:
                        dest.write_bytes(backup)
                raise
            self._refresh()
        return (
            f"{report.files} file(s): {report.added} chunks added, {report.unchanged} unchanged, "
            f"{report.removed} removed. The index holds {report.chunks} chunks."
        )

    def remove(self, token: str | None, source: str | None) -> str:
        self.check_token(token)
        if not source:
            raise InputError("choose a document to remove.")
        from confbot.pipeline import ingest_lock

        with self.lock, ingest_lock(self.settings):
            store = self.answerer.pipeline.store
            if source not in store.sources():
                raise InputError(f"{source} is not in the index.")
            n = store.remove_source(source)
            path = self.settings.resolve(Path(source))
            if path.is_file() and self.settings.uploads_path.resolve() in path.resolve().parents:
                path.unlink()
            self._refresh()
        return f"Removed {source} ({n} chunks)."

    def reindex(self, token: str | None) -> str:
        from confbot.pipeline import ingest

        self.check_token(token)
        with self.lock:
            report = ingest(self.settings, [self.settings.corpus_path], self.answerer.pipeline.embedder)
            self._refresh()
        return f"Re-indexed: {report.added} added, {report.unchanged} unchanged, {report.removed} removed."


def create_app(answerer: Answerer | Callable[[], Answerer], settings: Settings | None = None) -> Any:
    """Build the Blocks (no server is started)."""
    import gradio as gr

    from confbot.cli import answer_json, answer_markdown

    try:  # Gradio imports matplotlib in every request when it is installed; racing first imports fail requests
        import matplotlib

        matplotlib.use("agg")
    except ImportError:
        pass
    state = AppState(answerer, settings)
    settings = state.settings

    with gr.Blocks(title="confbot") as app:
        gr.Markdown("# confbot · 会议问答\nAnswers from the conference's own press materials, with their sources. "
                    "/ 依据大会新闻材料作答，并给出出处。")  # fmt: skip
        with gr.Tab(tr("Chat / 问答")):
            answers = gr.State([])
            chatbot = gr.Chatbot(
                label=tr("Chat / 对话"), height=420, elem_id="chat", feedback_options=("Like", "Dislike")
            )
            with gr.Row():
                question = gr.Textbox(label=tr("Question / 问题"), placeholder=EXAMPLES[0], scale=5, elem_id="question")
                ask = gr.Button(tr("Ask / 提问"), variant="primary", scale=1, elem_id="ask")
            gr.Examples(EXAMPLES, inputs=question, label=tr("Examples / 示例"))
            sources = gr.HTML(label=tr("Sources / 来源"), elem_id="sources")
            markdown = gr.Textbox(label=tr("Answer with sources (Markdown) / 带出处的答案"), lines=4, buttons=["copy"],
                                  elem_id="markdown")  # fmt: skip
            clear = gr.Button(tr("Clear / 清空"))
            gr.Markdown(lambda: f"<small>{state.status()}</small>")  # on each page load

            def respond(message: str, history: list[dict[str, Any]], done: list[dict[str, Any]]):  # type: ignore[no-untyped-def]
                history = list(history or [])
                prior = list(history)
                history.append({"role": "user", "content": md_escape(message or "")})
                try:
                    partial = ""
                    for item in state.answer(message, prior):
                        if isinstance(item, str):
                            partial += item
                            yield (
                                [*history, {"role": "assistant", "content": md_escape(partial)}],
                                "",
                                done,
                                gr.skip(),
                                gr.skip(),
                            )
                        else:
                            history.append({"role": "assistant", "content": chat_message(item)})
                            done = [*done, answer_json(item)]
                            yield history, "", done, sources_html(item), answer_markdown(item)
                except ConfbotError as exc:
                    history.append({"role": "assistant", "content": f"⚠️ {md_escape(str(exc))}"})
                    yield history, "", done, "", ""

            outputs = [chatbot, question, answers, sources, markdown]
            question.submit(respond, [question, chatbot, answers], outputs, api_visibility="private")
            ask.click(respond, [question, chatbot, answers], outputs, api_visibility="private")
            clear.click(lambda: ([], [], "", ""), None, [chatbot, answers, sources, markdown], api_visibility="private")

            def on_like(done: list[dict[str, Any]], data: gr.LikeData) -> None:
                idx = data.index if isinstance(data.index, int) else data.index[0]
                n = (idx - 1) // 2  # user, assistant, user, assistant...
                if 0 <= n < len(done):
                    a = done[n]
                    state.feedback(bool(data.liked), {k: a[k] for k in ("question", "answer", "refused", "citations")})

            on_like.__annotations__["data"] = gr.LikeData  # resolved here: gradio is imported lazily
            chatbot.like(on_like, [answers], None, api_visibility="private")

        with gr.Tab(tr("Documents / 文档")):
            if not state.admin_enabled():
                gr.Markdown(tr("Changing the index is disabled: start the app with `CONFBOT_ADMIN_TOKEN` set. / "
                               "未设置 CONFBOT_ADMIN_TOKEN，无法修改索引。"))  # fmt: skip
            token = gr.Textbox(label=tr("Admin token / 管理口令"), type="password")
            files = gr.File(label=tr("Upload press releases (txt, md, html, pdf, docx) / 上传新闻稿（txt、md、html、pdf、docx）"), file_count="multiple",
                            file_types=sorted(SUPPORTED_SUFFIXES))  # fmt: skip
            with gr.Row():
                upload = gr.Button(tr("Upload and index / 上传并索引"), variant="primary")
                reindex = gr.Button(tr("Re-index all / 全部重建"))
            status = gr.Markdown()
            docs = gr.Dataframe(
                headers=["source", "chunks", "bytes", "ingested"],
                value=state.documents,
                label=tr("Indexed documents / 已索引文档"),
            )
            with gr.Row():
                pick = gr.Dropdown(label=tr("Document / 文档"), choices=[r[0] for r in state.documents() if r[1]])
                remove = gr.Button(tr("Remove / 删除"), variant="stop")

            def guarded(fn: Any) -> Any:
                def run(*args: Any) -> tuple[str, Any, Any]:
                    try:
                        msg = fn(*args)
                    except ConfbotError as exc:
                        msg = f"⚠️ {html.escape(str(exc))}"
                    rows = state.documents()
                    return msg, rows, gr.update(choices=[r[0] for r in rows])

                return run

            def upload_with_progress(token: str, files: list[str], progress: Any = gr.Progress(track_tqdm=True)) -> Any:  # noqa: B008
                progress(0, desc="Indexing / 正在索引")
                return guarded(state.upload)(token, files, True)

            upload.click(upload_with_progress, [token, files], [status, docs, pick], api_name="upload")
            reindex.click(guarded(state.reindex), [token], [status, docs, pick], api_visibility="private")
            remove.click(guarded(state.remove), [token, pick], [status, docs, pick], api_visibility="private")

        with gr.Tab(tr("Retrieval lab / 检索实验")):
            lab_q = gr.Textbox(label=tr("Question / 问题"))
            lab_btn = gr.Button(tr("Retrieve / 检索"))
            hits_df = gr.Dataframe(
                headers=["rank", "fused", "dense", "bm25", "dense rank", "bm25 rank", "source", "range", "text"]
            )
            verdict = gr.JSON(label=tr("Answer check / 回答判定"))

            def lab(q: str) -> tuple[list[list[Any]], dict[str, Any]]:
                try:
                    qq = state.answerer.pipeline.check_question(q)
                except ConfbotError as exc:
                    return [], {"error": str(exc)}
                hits = state.answerer.pipeline.retriever.retrieve(qq, 10)
                _, asm = state.answerer.select(qq, hits[: settings.context_k])
                rows = [
                    [i, round(h.score, 4), round(h.dense_score, 4), round(h.bm25_score, 3), h.dense_rank, h.bm25_rank,
                     h.chunk.source, f"{h.chunk.start}–{h.chunk.end}", h.chunk.text]
                    for i, h in enumerate(hits, start=1)
                ]  # fmt: skip
                return rows, {
                    "expected kinds": asm.kinds, "missing kinds": asm.missing_kinds, "key terms": asm.terms,
                    "covered": asm.covered_terms, "coverage": round(asm.coverage, 3),
                    "threshold": state.answerer.selector.coverage_threshold, "refused": asm.refused, "reason": asm.reason,
                }  # fmt: skip

            lab_btn.click(lab, lab_q, [hits_df, verdict], api_name="lab")
            lab_q.submit(lab, lab_q, [hits_df, verdict], api_visibility="private")

            gr.Markdown(tr("### Evaluate a QA set / ### 评测问答集"))
            qa_file = gr.File(
                label=tr("QA JSONL, empty = the bundled dev set / 问答集 JSONL，留空则用自带开发集"),
                file_types=[".jsonl"],
            )
            run_eval = gr.Button(tr("Run eval / 运行评测"))
            metrics = gr.Dataframe(
                headers=["scope", "n", "hit@1", "hit@3", "hit@5", "MRR@10"], label=tr("Metrics / 指标")
            )
            answers_box = gr.JSON(label=tr("Answer metrics / 回答指标"))
            curve = gr.LinePlot(x="k", y="hit rate", title="hit@k", label="hit@k")
            failing = gr.Dataframe(
                headers=["id", "question", "rank", "retrieved instead"], label=tr("Failing items / 未命中的问题")
            )

            def evaluate(path: str | None, progress: Any = gr.Progress()) -> tuple[Any, Any, Any, Any]:  # noqa: B008
                import pandas as pd

                from confbot.evaluation import evaluate_answers, evaluate_retrieval, load_qa

                qa = Path(path) if path else Path(__file__).resolve().parents[2] / "tests" / "data" / "dev_qa.jsonl"
                try:
                    items = load_qa(qa)
                except ConfbotError as exc:
                    return [["error", str(exc), "", "", "", ""]], {}, None, []
                r = state.answerer.pipeline.retriever
                report, results = evaluate_retrieval(items, r.retrieve, 10, lambda i, n: progress(i / n / 2))
                lookup = {c.id: c for c in r.chunks}.get
                am = evaluate_answers(results, state.answerer.answer, lookup, lambda i, n: progress(0.5 + i / n / 2))
                rows = [["all", report["n"], report["hit@1"], report["hit@3"], report["hit@5"], report["mrr"]]]
                rows += [
                    [lang, m["n"], m["hit@1"], m["hit@3"], m["hit@5"], m["mrr"]]
                    for lang, m in report["by_lang"].items()
                ]
                answerable = [x for x in results if x.item.answerable]
                ks = range(1, 11)
                hit = [sum(1 for x in answerable if x.rank and x.rank <= k) / max(len(answerable), 1) for k in ks]
                fails = [[x.item.id, x.item.question, x.rank, (x.top_texts[0][:80] if x.top_texts else "")]
                         for x in answerable if not x.rank or x.rank > 3]  # fmt: skip
                return rows, am, pd.DataFrame({"k": list(ks), "hit rate": hit}), fails

            run_eval.click(evaluate, qa_file, [metrics, answers_box, curve, failing], api_visibility="private")

        def chat(question: str) -> str:
            """Answer one question; the text carries [n] markers."""
            try:
                return state.answerer.answer(question).text
            except ConfbotError as exc:
                return f"Error: {exc}"

        def ask_json(question: str, history: list[dict[str, str]] | None = None) -> dict[str, Any]:
            """The same JSON as `confbot ask --json`."""
            try:
                return answer_json(state.answerer.answer(question, history or []))
            except ConfbotError as exc:
                return {"error": str(exc)}

        gr.api(chat, api_name="chat")
        gr.api(ask_json, api_name="ask")
    app.queue(default_concurrency_limit=4)
    return app


def launch(answerer: Answerer | Callable[[], Answerer], settings: Settings, host: str = "127.0.0.1",
           port: int = 7860) -> None:  # fmt: skip
    import gradio as gr

    app = create_app(answerer, settings)
    app.launch(server_name=host, server_port=port, share=False, theme=gr.themes.Soft(),
               max_file_size=settings.max_upload_bytes, **launch_options())  # fmt: skip
