"""The Gradio app. Only this module imports Gradio: ``create_app(answerer)`` builds, ``launch`` serves.

Three tabs: Chat (attendees), Documents (press office, behind ``CONFBOT_ADMIN_TOKEN``) and
Retrieval lab (testers). Document text is escaped everywhere it is shown.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from confbot.errors import ConfbotError, InputError
from confbot.ingest.loaders import SUPPORTED_SUFFIXES
from confbot.render import answer_json, answer_markdown, chat_message, html_escape, md_answer, md_escape, sources_html
from confbot.service import Service
from confbot.settings import Settings

log = logging.getLogger(__name__)

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

    from confbot.text.cjk import to_traditional

    en: dict[str, str] = {}
    zh: dict[str, str] = {}
    for key, text in _LABELS.items():
        english, _, chinese = text.partition(" / ")
        en[key], zh[key] = english, chinese or english
    hant = {k: to_traditional(v) for k, v in zh.items()}
    return gr.I18n(en=en, zh=zh, **{"zh-CN": zh, "zh-TW": hant, "zh-HK": hant})


def launch_options() -> dict[str, Any]:
    """What ``launch()`` needs besides host and port (the app's CSS and translations)."""
    return {"css": CSS, "i18n": make_i18n()}


def _status(service: Service) -> str:
    try:
        st = service.status()
    except ConfbotError as exc:
        return f"⚠️ {html_escape(str(exc))}"
    scope = f" · answering from / 仅依据: **{html_escape(st.scope)}**" if st.scope else ""
    return f"Backend / 回答方式: **{html_escape(st.backend)}** · index: {st.chunks} chunks{scope}"


def _document_rows(service: Service) -> list[list[Any]]:
    try:
        infos = service.documents()
    except ConfbotError as exc:  # the index's server is down: say so in the table
        return [[f"⚠️ {exc}", "", "", 0, 0, ""]]
    return [
        [
            i.source,
            i.title,
            i.published or "",
            i.chunks,
            i.size,
            time.strftime("%Y-%m-%d %H:%M", time.localtime(i.ingested_at)) if i.ingested_at else "",
        ]
        for i in infos
    ]


def create_app(service: Service | Any, settings: Settings | None = None) -> Any:
    """Build the Blocks over ``service`` (no server is started). An Answerer, or a factory of one, is
    wrapped in a :class:`Service` (a factory lets the app start while the index's server is down)."""
    import gradio as gr

    try:  # Gradio imports matplotlib in every request when it is installed; racing first imports fail requests
        import matplotlib

        matplotlib.use("agg")
    except ImportError:
        pass
    if not isinstance(service, Service):
        service = Service(settings, service)
    with gr.Blocks(title=service.settings.app_title) as app:
        gr.Markdown(f"# {html_escape(service.settings.app_title)}\n{html_escape(service.settings.app_description)}")
        with gr.Tab(tr("Chat / 问答")):
            _chat_tab(service)
        with gr.Tab(tr("Documents / 文档")):
            _documents_tab(service)
        with gr.Tab(tr("Retrieval lab / 检索实验")):
            _lab_tab(service)
        _api(service)
    app.queue(default_concurrency_limit=4)
    return app


def _respond(
    service: Service, message: str, history: list[dict[str, Any]], done: list[dict[str, Any]]
) -> Iterator[Any]:
    """One chat turn: stream the draft, then the verified answer with its sources and Markdown."""
    import gradio as gr

    history = list(history or [])
    prior = list(history)
    history.append({"role": "user", "content": md_escape(message or "")})
    try:
        partial = ""
        for item in service.stream(message, prior):
            if isinstance(item, str):
                partial += item
                yield [*history, {"role": "assistant", "content": md_answer(partial)}], "", done, gr.skip(), gr.skip()
            else:
                history.append({"role": "assistant", "content": chat_message(item)})
                done = [*done, answer_json(item)]
                yield history, "", done, sources_html(item), answer_markdown(item)
    except ConfbotError as exc:
        history.append({"role": "assistant", "content": f"⚠️ {md_escape(str(exc))}"})
        yield history, "", done, "", ""


def _chat_tab(service: Service) -> None:
    import gradio as gr

    examples = service.settings.example_questions()
    answers = gr.State([])
    chatbot = gr.Chatbot(label=tr("Chat / 对话"), height=420, elem_id="chat", feedback_options=("Like", "Dislike"))
    with gr.Row():
        question = gr.Textbox(
            label=tr("Question / 问题"), placeholder=service.settings.app_placeholder, scale=5, elem_id="question"
        )
        ask = gr.Button(tr("Ask / 提问"), variant="primary", scale=1, elem_id="ask")
    if examples:
        gr.Examples(examples, inputs=question, label=tr("Examples / 示例"))
    sources = gr.HTML(label=tr("Sources / 来源"), elem_id="sources")
    markdown = gr.Textbox(
        label=tr("Answer with sources (Markdown) / 带出处的答案"), lines=4, buttons=["copy"], elem_id="markdown"
    )
    clear = gr.Button(tr("Clear / 清空"))
    gr.Markdown(lambda: f"<small>{_status(service)}</small>")  # on each page load

    def respond(message: str, history: list[dict[str, Any]], done: list[dict[str, Any]]) -> Iterator[Any]:
        yield from _respond(service, message, history, done)

    outputs = [chatbot, question, answers, sources, markdown]
    question.submit(respond, [question, chatbot, answers], outputs, api_visibility="private")
    ask.click(respond, [question, chatbot, answers], outputs, api_visibility="private")
    clear.click(lambda: ([], [], "", ""), None, [chatbot, answers, sources, markdown], api_visibility="private")

    def on_like(done: list[dict[str, Any]], data: gr.LikeData) -> None:
        idx = data.index if isinstance(data.index, int) else data.index[0]
        n = (idx - 1) // 2  # user, assistant, user, assistant...
        if 0 <= n < len(done):
            a = done[n]
            service.feedback(bool(data.liked), {k: a[k] for k in ("question", "answer", "refused", "citations")})

    on_like.__annotations__["data"] = gr.LikeData  # resolved here: gradio is imported lazily
    chatbot.like(on_like, [answers], None, api_visibility="private")


def _documents_tab(service: Service) -> None:
    import gradio as gr

    if not service.admin_enabled():
        gr.Markdown(
            tr(
                "Changing the index is disabled: start the app with `CONFBOT_ADMIN_TOKEN` set. / "
                "未设置 CONFBOT_ADMIN_TOKEN，无法修改索引。"
            )
        )
    token = gr.Textbox(label=tr("Admin token / 管理口令"), type="password")
    files = gr.File(
        label=tr("Upload press releases (txt, md, html, pdf, docx) / 上传新闻稿（txt、md、html、pdf、docx）"),
        file_count="multiple",
        file_types=sorted(SUPPORTED_SUFFIXES),
    )
    with gr.Row():
        upload = gr.Button(tr("Upload and index / 上传并索引"), variant="primary")
        reindex = gr.Button(tr("Re-index all / 全部重建"))
    status = gr.Markdown()
    docs = gr.Dataframe(
        headers=["source", "title", "published", "chunks", "bytes", "ingested"],
        value=lambda: _document_rows(service),
        label=tr("Indexed documents / 已索引文档"),
        elem_id="documents",
        wrap=True,  # long file names and titles wrap inside the page instead of widening the table past it
        column_widths=["25%", "30%", "12%", "9%", "10%", "14%"],
    )
    with gr.Row():
        pick = gr.Dropdown(label=tr("Document / 文档"), choices=[r[0] for r in _document_rows(service) if r[3]])
        remove = gr.Button(tr("Remove / 删除"), variant="stop")

    def guarded(fn: Callable[..., str]) -> Callable[..., tuple[str, Any, Any]]:
        def run(token: str | None, *args: Any) -> tuple[str, Any, Any]:
            try:
                service.authorize_admin(token)
                msg = fn(*args)
            except ConfbotError as exc:
                msg = f"⚠️ {html_escape(str(exc))}"
            rows = _document_rows(service)
            return msg, rows, gr.update(choices=[r[0] for r in rows])

        return run

    def do_upload(paths: list[str] | None) -> str:
        r = service.upload([Path(f) for f in paths or []], progress=True)
        return (
            f"{r.files} file(s): {r.added} chunks added, {r.unchanged} unchanged, {r.removed} removed. "
            f"The index holds {r.chunks} chunks."
        )

    def do_reindex() -> str:
        r = service.ingest([service.settings.corpus_path])
        return f"Re-indexed: {r.added} added, {r.unchanged} unchanged, {r.removed} removed."

    def do_remove(source: str | None) -> str:
        if not source:
            raise InputError("choose a document to remove.")
        return f"Removed {source} ({service.remove(source)} chunks)."

    def upload_with_progress(token: str, paths: list[str], progress: Any = gr.Progress(track_tqdm=True)) -> Any:  # noqa: B008
        """The upload's outcome; the chosen files are cleared once indexed (the next choice starts afresh) and
        kept when anything went wrong, so nothing chosen is lost."""
        progress(0, desc="Indexing / 正在索引")
        msg, rows, choices = guarded(do_upload)(token, paths)
        return msg, rows, choices, (gr.update() if msg.startswith("⚠️") else None)

    upload.click(upload_with_progress, [token, files], [status, docs, pick, files], api_name="upload")
    reindex.click(guarded(do_reindex), [token], [status, docs, pick], api_visibility="private")
    remove.click(guarded(do_remove), [token, pick], [status, docs, pick], api_visibility="private")


def _lab_tab(service: Service) -> None:
    import gradio as gr

    lab_q = gr.Textbox(label=tr("Question / 问题"))
    lab_btn = gr.Button(tr("Retrieve / 检索"))
    hits_df = gr.Dataframe(
        headers=["rank", "fused", "dense", "bm25", "dense rank", "bm25 rank", "source", "range", "text"],
        wrap=True,  # a passage wraps in its cell rather than pushing the table past the page
    )
    verdict = gr.JSON(label=tr("Answer check / 回答判定"))

    def lab(q: str) -> tuple[list[list[Any]], dict[str, Any]]:
        try:
            hits, check = service.inspect(q, 10)
        except ConfbotError as exc:
            return [], {"error": str(exc)}
        rows = [
            [
                i,
                round(h.score, 4),
                round(h.dense_score, 4),
                round(h.bm25_score, 3),
                h.dense_rank,
                h.bm25_rank,
                h.chunk.source,
                f"{h.chunk.start}–{h.chunk.end}",
                h.chunk.text,
            ]
            for i, h in enumerate(hits, start=1)
        ]
        return rows, check

    lab_btn.click(lab, lab_q, [hits_df, verdict], api_name="lab")
    lab_q.submit(lab, lab_q, [hits_df, verdict], api_visibility="private")
    _eval_panel(service)


def _eval_panel(service: Service) -> None:
    import gradio as gr

    gr.Markdown(tr("### Evaluate a QA set / ### 评测问答集"))
    qa_file = gr.File(
        label=tr("QA JSONL, empty = the bundled dev set / 问答集 JSONL，留空则用自带开发集"), file_types=[".jsonl"]
    )
    run_eval = gr.Button(tr("Run eval / 运行评测"))
    metrics = gr.Dataframe(headers=["scope", "n", "hit@1", "hit@3", "hit@5", "MRR@10"], label=tr("Metrics / 指标"))
    answers_box = gr.JSON(label=tr("Answer metrics / 回答指标"))
    curve = gr.LinePlot(x="k", y="hit rate", title="hit@k", label="hit@k")
    failing = gr.Dataframe(
        headers=["id", "question", "rank", "retrieved instead"], label=tr("Failing items / 未命中的问题"), wrap=True
    )

    def evaluate(path: str | None, progress: Any = gr.Progress()) -> tuple[Any, Any, Any, Any]:  # noqa: B008
        import pandas as pd

        qa = Path(path) if path else Path(__file__).resolve().parents[2] / "tests" / "data" / "dev_qa.jsonl"
        try:
            report, results = service.evaluate(qa, 10, progress=lambda i, n: progress(i / max(n, 1)))
        except ConfbotError as exc:
            return [["error", str(exc), "", "", "", ""]], {}, None, []
        rows = [
            [name, m["n"], m["hit@1"], m["hit@3"], m["hit@5"], m["mrr"]]
            for name, m in [("all", report), *report["by_lang"].items()]
        ]
        answerable = [x for x in results if x.item.answerable]
        ks = range(1, 11)
        hit = [sum(1 for x in answerable if x.rank and x.rank <= k) / max(len(answerable), 1) for k in ks]
        fails = [
            [x.item.id, x.item.question, x.rank, (x.top_texts[0][:80] if x.top_texts else "")]
            for x in answerable
            if not x.rank or x.rank > 3
        ]
        am = {k: v for k, v in report.items() if k.startswith(("answer", "refusal", "citation"))}
        return rows, am, pd.DataFrame({"k": list(ks), "hit rate": hit}), fails

    run_eval.click(evaluate, qa_file, [metrics, answers_box, curve, failing], api_visibility="private")


def _api(service: Service) -> None:
    import gradio as gr

    def chat(question: str) -> str:
        """Answer one question; the text carries [n] markers."""
        try:
            return service.ask(question).text
        except ConfbotError as exc:
            return f"Error: {exc}"

    def ask_json(question: str, history: list[dict[str, str]] | None = None) -> dict[str, Any]:
        """The same JSON as `confbot ask --json`."""
        try:
            return answer_json(service.ask(question, history or []))
        except ConfbotError as exc:
            return {"error": str(exc)}

    gr.api(chat, api_name="chat")
    gr.api(ask_json, api_name="ask")


def mount(app: Any, service: Service, path: str = "/") -> Any:
    """Mount the Gradio app on a FastAPI ``app`` at ``path`` (beside its other routes), as :func:`launch` would
    serve it; returns ``app``."""
    import gradio as gr

    return gr.mount_gradio_app(
        app,
        create_app(service),
        path=path,
        theme=gr.themes.Soft(),
        max_file_size=service.settings.max_upload_bytes,
        **launch_options(),
    )


def launch(service: Service, host: str = "127.0.0.1", port: int = 7860) -> None:
    """Serve the app on ``host:port`` until interrupted."""
    import gradio as gr

    app = create_app(service)
    app.launch(
        server_name=host,
        server_port=port,
        share=False,
        theme=gr.themes.Soft(),
        max_file_size=service.settings.max_upload_bytes,
        **launch_options(),
    )
