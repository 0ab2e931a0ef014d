"""Answers and hits -> text, JSON, Markdown and HTML. Escaping of document content lives here, once.

Document text is untrusted (a release can hold ``<script>``, ``[x](javascript:…)`` or terminal
escape codes). Every output format gets its own escape:

* plain text (CLI): control characters other than newline and tab are dropped;
* Markdown (chat, copy box, ``ask --format md``): HTML is entity-escaped and every Markdown
  metacharacter backslash-escaped, so no link, image, emphasis or tag survives; confbot's own
  ``[n]`` citation markers are restored, their brackets not followed by a live ``(``;
* HTML (sources panel): ``html.escape``;
* JSON (``--json``, the HTTP API in OpenAI's chat format): data, never markup (consumers escape for their own
  format); server-sent events carry compact JSON, which has no raw newline that could end an event.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from typing import Any

from confbot.records import Answer, Chunk, Hit

#: characters that start Markdown syntax anywhere in a line (links, images, emphasis, code, tables, HTML)
#: (a "(" only right after "]", where it would open a link's target: elsewhere it stays as written, so copied
#: text reads "(GMT+8)", not "\(GMT+8\)"; "!" only matters before "[", which is escaped)
_MD_SPECIAL = re.compile(r"([\\`*{}\[\]|<>~]|(?<=\])\(|(?<!\w)_|_(?!\w))")  # an intraword _ is no emphasis
#: what starts a heading, quote, list or rule only at the start of a line
_MD_LINE_START = re.compile(r"^(\s*)([#>+\-=]|\d+[.)])", re.M)
_ESCAPED_MARKER = re.compile(r"\\\[(\d{1,3})\\\]")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


# ---------------------------------------------------------------- escapes
def plain(text: str) -> str:
    """Text safe for a terminal: no control characters (ANSI escapes included) but newline and tab."""
    return _CONTROL.sub("", text)


def md_escape(text: str) -> str:
    """Document text as literal Markdown: no links, no images, no HTML, no emphasis."""
    escaped = _MD_SPECIAL.sub(r"\\\1", html.escape(plain(text), quote=False))
    return _MD_LINE_START.sub(lambda m: f"{m.group(1)}{m.group(2)[:-1]}\\{m.group(2)[-1]}", escaped)


def md_answer(text: str) -> str:
    """An answer's text as Markdown: escaped like :func:`md_escape`, with its ``[n]`` markers readable again
    (a marker cannot become a link: the ``(`` after it stays escaped)."""
    return _ESCAPED_MARKER.sub(r"[\1]", md_escape(text))


def html_escape(text: str) -> str:
    return html.escape(plain(text))


# ---------------------------------------------------------------- JSON
def hit_json(rank: int, h: Hit) -> dict[str, Any]:
    """One row of ``retrieve --json`` ``hits``: rank from 1, scores rounded to 6 places."""
    c = h.chunk
    return {
        "title": c.title or None,
        "published": c.published,
        "page": c.page,
        "rank": rank,
        "chunk_id": c.id,
        "source": c.source,
        "text": c.text,
        "start": c.start,
        "end": c.end,
        "score": round(h.score, 6),
        "dense_score": round(h.dense_score, 6),
        "bm25_score": round(h.bm25_score, 6),
    }


def citation_json(c: Any, chunks: dict[str, Chunk] | None = None) -> dict[str, Any]:
    """A citation with its document's ``title`` and ``published`` date (looked up in ``chunks`` by id), and
    ``original_quote``: the quote as its file writes it (traditional characters kept; else the same as ``quote``)."""
    chunk = (chunks or {}).get(c.chunk_id)
    return {
        "n": c.n,
        "source": c.source,
        "title": (chunk.title or None) if chunk else None,
        "published": chunk.published if chunk else None,
        "page": chunk.page if chunk else None,
        "chunk_id": c.chunk_id,
        "quote": c.quote,
        "original_quote": getattr(c, "original", "") or c.quote,
        "start": c.start,
        "end": c.end,
    }


def citations_json(a: Answer) -> list[dict[str, Any]]:
    """Every citation of ``a`` with its document's title, date and page (from the answer's hits)."""
    chunks = {h.chunk.id: h.chunk for h in a.hits}
    return [citation_json(c, chunks) for c in a.citations]


def answer_json(a: Answer) -> dict[str, Any]:
    """The ``confbot ask --json`` contract (also the app's /ask endpoint)."""
    return {
        "question": a.question,
        "standalone_question": a.standalone_question,
        "answer": a.text,
        "refused": a.refused,
        "outcome": a.outcome,
        "citations": citations_json(a),
        "hits": [hit_json(i, h) for i, h in enumerate(a.hits, start=1)],
        "backend": a.backend,
        "seconds": round(a.seconds, 3),
        **({"notes": list(a.notes)} if a.notes else {}),
    }


# ---------------------------------------------------------------- text
def answer_text(a: Answer) -> str:
    """The CLI's answer: the text, then one line per citation."""
    lines = [plain(a.text)]
    lines += [f"  [{c.n}] {plain(c.source)} [{c.start}:{c.end}] {plain(c.as_written)}" for c in a.citations]
    return "\n".join(lines)


def hits_text(hits: list[Hit]) -> str:
    """``confbot retrieve``'s listing: rank, source, range, scores, then the passage."""
    out = []
    for i, h in enumerate(hits, start=1):
        c = h.chunk
        out.append(
            f"[{i}] {plain(c.source)} [{c.start}:{c.end}]  fused {h.score:.4f}  dense {h.dense_score:.3f}  "
            f"bm25 {h.bm25_score:.2f}\n    {plain(c.text)}"
        )
    return "\n".join(out)


# ---------------------------------------------------------------- Markdown
def source_label(source: str, chunk: Chunk | None, escape: Callable[[str], str]) -> str:
    """``source``, then the document's title, date and page when known: ``a.pdf (2024 Fair Guide, 2024-08-01, p. 2)``."""
    extra = [x for x in (chunk.title if chunk else "", chunk.published if chunk else "") if x]
    if chunk is not None and chunk.page:
        extra.append(f"p. {chunk.page}")
    return escape(source) + (f" ({escape(', '.join(extra))})" if extra else "")


def answer_markdown(a: Answer) -> str:
    """An answer with its sources, as the press office pastes it into a reply (document text escaped)."""
    lines = [f"### {md_escape(a.question)}", "", md_answer(a.text), ""]
    chunks = {h.chunk.id: h.chunk for h in a.hits}
    if a.citations:
        lines.append("Sources / 来源:")
        for c in a.citations:
            lines.append(
                f"[{c.n}] {source_label(c.source, chunks.get(c.chunk_id), md_escape)}, characters "
                f"{c.start}–{c.end}: “{md_escape(c.as_written)}”"
            )
    lines.append("")
    return "\n".join(lines)


def chat_message(a: Answer) -> str:
    """The assistant message for an answer: escaped text, refusals marked, the rewritten question in small print."""
    body = md_answer(a.text).replace("\n", "  \n")
    if a.refused:
        body = f"⚠️ {body}"
    if a.standalone_question != a.question:
        body += f"\n\n<span class='standalone'>↳ {html_escape(a.standalone_question)}</span>"
    return body


# ---------------------------------------------------------------- HTML
def sources_html(a: Answer | None) -> str:
    """Every citation: source, character range, the quoted sentence highlighted inside its chunk, as its file
    writes them (a traditional-Chinese release in its own characters)."""
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
        text = chunk.original or chunk.text  # the passage as its file writes it (offsets align)
        body = f"{html_escape(text[:s])}<mark>{html_escape(text[s:e])}</mark>{html_escape(text[e:])}"
        parts.append(
            f"<div class='src' id='src-{c.n}'><b>[{c.n}]</b> <code>{source_label(c.source, chunk, html_escape)}</code> "
            f"chars {c.start}–{c.end}<br>{body}</div>"
        )
    return "\n".join(parts)


# ---------------------------------------------------------------- OpenAI chat format (the HTTP API)
#: the fields of a citation in the HTTP API (``quote`` is the document's text as data)
API_CITATION_FIELDS = ("n", "source", "title", "published", "quote", "original_quote", "start", "end")


def api_citations(a: Answer) -> list[dict[str, Any]]:
    """The answer's citations for the HTTP API: :func:`citation_json` cut to :data:`API_CITATION_FIELDS`."""
    return [{k: c[k] for k in API_CITATION_FIELDS} for c in citations_json(a)]


def api_extension(a: Answer) -> dict[str, Any]:
    """The ``confbot`` object beside OpenAI's fields: refused or not, the question that was searched."""
    out: dict[str, Any] = {
        "refused": a.refused,
        "outcome": a.outcome,
        "standalone_question": a.standalone_question,
        "backend": a.backend,
    }
    if a.notes:
        out["notes"] = list(a.notes)
    return out


def openai_completion(a: Answer, model: str, created: int, completion_id: str) -> dict[str, Any]:
    """An answer as an OpenAI ``chat.completion``: the text with its ``[n]`` markers, the citations in the
    message and at the top level (a refusal has none), and the ``confbot`` extension."""
    citations = api_citations(a)
    return {
        "id": completion_id,
        "object": "chat.completion",
        "created": created,
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": a.text, "refusal": None, "citations": citations},
                "finish_reason": "stop",
                "logprobs": None,
            }
        ],
        "citations": citations,
        "confbot": api_extension(a),
    }


def openai_chunk(
    completion_id: str, model: str, created: int, delta: dict[str, Any], finish_reason: str | None = None
) -> dict[str, Any]:
    """One ``chat.completion.chunk`` of a streamed answer."""
    return {
        "id": completion_id,
        "object": "chat.completion.chunk",
        "created": created,
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason, "logprobs": None}],
    }


def openai_final_chunk(a: Answer, streamed: str, completion_id: str, model: str, created: int) -> dict[str, Any]:
    """The last chunk: what the deltas lacked of the verified text, ``finish_reason`` stop, the citations.

    When the verified text does not continue what was streamed (an LLM draft replaced by the checked
    answer), the ``confbot.answer`` field carries the verified text to show instead.
    """
    rest = a.text[len(streamed) :] if a.text.startswith(streamed) else ""
    chunk = openai_chunk(completion_id, model, created, {"content": rest} if rest else {}, "stop")
    citations = api_citations(a)
    chunk["choices"][0]["delta"]["citations"] = citations
    chunk["citations"] = citations
    chunk["confbot"] = {**api_extension(a), "answer": a.text, "draft_replaced": not a.text.startswith(streamed)}
    return chunk


def openai_error(message: str, kind: str, code: str | None = None) -> dict[str, Any]:
    """An error body as OpenAI's clients expect it (``kind``: invalid_request_error, authentication_error, ...)."""
    return {"error": {"message": message, "type": kind, "param": None, "code": code}}


def sse(data: dict[str, Any] | str) -> str:
    """One server-sent event: ``data: <compact JSON>`` (or a literal such as ``[DONE]``) and a blank line."""
    body = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return f"data: {body}\n\n"
