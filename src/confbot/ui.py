"""The Gradio app. Only this module imports Gradio: ``create_app(pipeline)`` builds, ``launch`` serves."""

from __future__ import annotations

import html
from typing import Any

from confbot.errors import ConfbotError
from confbot.pipeline import Pipeline


def render_hits(pipeline: Pipeline, question: str) -> str:
    """Markdown of the passages a question retrieves (document text escaped)."""
    try:
        q = pipeline.check_question(question)
        hits = pipeline.retriever.retrieve(q, pipeline.settings.top_k)
    except ConfbotError as exc:
        return f"**Error:** {html.escape(str(exc))}"
    if not hits:
        return "The index is empty."
    lines = []
    for i, h in enumerate(hits, start=1):
        c = h.chunk
        lines.append(
            f"**[{i}]** `{html.escape(c.source)}` [{c.start}:{c.end}] · score {h.score:.4f}\n\n"
            f"> {html.escape(c.text)}\n"
        )
    return "\n".join(lines)


def create_app(pipeline: Pipeline) -> Any:
    import gradio as gr

    with gr.Blocks(title="confbot") as app:
        gr.Markdown("# confbot\nAsk about the conference; the passages that answer it are shown with their sources.")
        question = gr.Textbox(label="Question / 问题", placeholder="2024中国5G+工业互联网大会在哪里举办？")
        out = gr.Markdown()
        question.submit(lambda q: render_hits(pipeline, q), question, out, api_name="retrieve")
        gr.Button("Search / 检索").click(lambda q: render_hits(pipeline, q), question, out)
    return app


def launch(pipeline: Pipeline, host: str = "127.0.0.1", port: int = 7860) -> None:
    create_app(pipeline).launch(server_name=host, server_port=port, share=False)
