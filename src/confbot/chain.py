"""The answer chain: condense follow-ups -> retrieve -> select or generate -> verify.

One :class:`Answerer` serves every backend. The extractive backend quotes the sentences that
answer the question; an LLM backend (a LangChain chat model) writes the answer from numbered
contexts. Both go through the same checks before anything is shown: citations are verified
against the sources, and a question whose key terms or expected kind of answer are not in the
passages is refused.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator, Sequence
from typing import Any

from confbot.answer import (
    Answer,
    Assessment,
    Selector,
    Sentence,
    TermWeights,
    attach_markers,
    citations_from_markers,
    extractive_text,
    kind_present,
    question_language,
    refusal_text,
    split_sentences,
    verify_citations,
)
from confbot.condense import Turn, condense_extractive, is_follow_up
from confbot.errors import ServiceError
from confbot.llm import prompt
from confbot.normalize import canonical
from confbot.pipeline import Pipeline
from confbot.retrieval import Hit

log = logging.getLogger(__name__)

_INJECTION_RE = re.compile(
    r"ignore (all |any )?(the )?(previous|prior|above|earlier) (instructions|rules|prompts)|disregard (the|all|previous)"
    r"|system prompt|you are now|new instructions|忽略(之前|以上|上面|前面|所有)?的?(所有)?(指令|指示|规则|提示)|无视(之前|以上)?的?(指令|规则)"
    r"|扮演|越狱|jailbreak",
    re.I,
)
_LLM_REFUSAL_RE = re.compile(
    r"材料中没有|没有提到|未提及|无法回答|沒有提到|未提到|do(es)? not (say|mention|contain)|no information|not mentioned",
    re.I,
)
_NUMBER_RE = re.compile(r"\d+(?:[.,]\d+)*")


def is_injection(text: str) -> bool:
    return bool(_INJECTION_RE.search(text))


def parse_history(raw: Sequence[Any]) -> list[Turn]:
    """``[{"role": "user"|"assistant", "content": ...}]`` -> turns (Gradio message dicts work too)."""
    turns = []
    for m in raw:
        role = m.get("role") if isinstance(m, dict) else getattr(m, "role", None)
        content = m.get("content") if isinstance(m, dict) else getattr(m, "content", None)
        if isinstance(content, list):  # Gradio 6 content parts
            content = " ".join(str(p.get("text", "")) if isinstance(p, dict) else str(p) for p in content)
        if role in ("user", "assistant") and isinstance(content, str) and content.strip():
            turns.append(Turn(role, content))
    return turns


class Answerer:
    """Answers questions over one :class:`Pipeline` with the extractive backend or a chat model."""

    def __init__(self, pipeline: Pipeline, chat_model: Any | None = None, backend: str | None = None) -> None:
        self.pipeline = pipeline
        self.chat_model = chat_model
        self.backend = backend or ("extractive" if chat_model is None else pipeline.settings.llm)
        self.refresh()

    def refresh(self) -> None:
        """Re-read term statistics after the index changed."""
        r = self.pipeline.retriever
        self.selector = Selector(TermWeights(r.lexical.doc_freq, r.lexical.n), r.lexical.postings, r.cache_dir)
        self._revision = r.revision

    # ------------------------------------------------------------ steps
    def standalone(self, question: str, history: Sequence[Turn]) -> str:
        if not history:
            return question
        if self.chat_model is not None and is_follow_up(question):
            try:
                rewritten = self._condense_llm(question, history)
                if rewritten:
                    return rewritten
            except ServiceError as exc:
                log.warning("condensing with the LLM failed, carrying entities forward instead: %s", exc)
        return condense_extractive(question, history)

    def _condense_llm(self, question: str, history: Sequence[Turn]) -> str | None:
        from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

        lang = question_language(question)
        msgs: list[Any] = [SystemMessage(prompt("condense_en" if lang == "en" else "condense_zh"))]
        for t in history[-6:]:
            msgs.append(HumanMessage(t.content) if t.role == "user" else AIMessage(t.content[:500]))
        msgs.append(HumanMessage(question))
        out = self._invoke(msgs).strip().splitlines()
        text = out[0].strip() if out else ""
        if not text or len(text) > 300 or is_injection(text):
            return None
        return text

    def _invoke(self, messages: list[Any]) -> str:
        try:
            return str(self.chat_model.invoke(messages).content)  # type: ignore[union-attr]
        except Exception as exc:  # network errors, timeouts, server errors: many types
            raise ServiceError(
                f"the LLM server did not answer ({type(exc).__name__}: {str(exc)[:160]}); check that it is running "
                "(CONFBOT_LLM_BASE_URL) or use CONFBOT_LLM=extractive."
            ) from exc

    def retrieve(self, standalone: str, scope: str | None = None) -> list[Hit]:
        return self.pipeline.retriever.retrieve(standalone, self.pipeline.settings.context_k, scope)

    def select(self, standalone: str, hits: Sequence[Hit]) -> tuple[list[Sentence], Assessment]:
        if self._revision != self.pipeline.retriever.revision:  # the index changed: new term weights
            self.refresh()
        sentences = [s for s in split_sentences(hits) if not is_injection(s.text)]
        return self.selector.select(standalone, sentences)

    # ------------------------------------------------------------ answers
    def answer(self, question: str, history: Sequence[Any] = (), scope: str | None = None) -> Answer:
        final = None
        for item in self.stream(question, history, scope):
            if isinstance(item, Answer):
                final = item
        assert final is not None
        return final

    def stream(self, question: str, history: Sequence[Any] = (), scope: str | None = None) -> Iterator[str | Answer]:
        """Text deltas as they are generated, then the final, verified :class:`Answer` (``scope``: only files
        under this folder; default the settings' scope, "" for every file)."""
        t0 = time.perf_counter()
        q = self.pipeline.check_question(question)
        turns = parse_history(history)
        standalone = self.standalone(q, turns)
        hits = self.retrieve(standalone, scope)
        chosen, assessment = self.select(standalone, hits)
        lang = question_language(q)
        notes: list[str] = []
        if assessment.refused:
            hint = chosen[0].text if chosen else None
            text = refusal_text(lang, assessment.missing_kinds, hint)
            yield text
            yield Answer(q, standalone, text, (), True, tuple(hits), self.backend, time.perf_counter() - t0,
                         (assessment.reason,))  # fmt: skip
            return
        ext_text, ext_cits = extractive_text(lang, chosen)
        chunks = {h.chunk.id: h.chunk for h in hits}
        if self.chat_model is None:
            text, cits = verify_citations(ext_text, ext_cits, chunks)
            yield text
            yield Answer(q, standalone, text, tuple(cits), False, tuple(hits), self.backend, time.perf_counter() - t0)
            return
        generated = ""
        try:
            for delta in self._generate(q, standalone, hits, lang):
                generated += delta
                yield delta
        except ServiceError as exc:
            notes.append(str(exc))
            generated = ""
        text, cits = citations_from_markers(attach_markers(generated, hits), list(hits))
        problem = self._llm_problem(text, cits, hits) or self._llm_misses(text, assessment, standalone)
        if problem:
            notes.append(f"LLM answer replaced by the extractive one: {problem}")
            text, cits = verify_citations(ext_text, ext_cits, chunks)
        yield Answer(q, standalone, text, tuple(cits), False, tuple(hits), self.backend, time.perf_counter() - t0,
                     tuple(notes))  # fmt: skip

    def _generate(self, question: str, standalone: str, hits: Sequence[Hit], lang: str) -> Iterator[str]:
        from langchain_core.messages import HumanMessage, SystemMessage

        context = "\n\n".join(
            f"[{i}] {'(omitted: instructions inside a document)' if is_injection(h.chunk.text) else h.chunk.text}"
            for i, h in enumerate(hits, start=1)
        )
        asked = question if standalone == question else f"{standalone}（{question}）"
        msgs = [
            SystemMessage(prompt("answer_en" if lang == "en" else "answer_zh")),
            HumanMessage(prompt("context").format(context=context, question=asked)),
        ]
        try:
            for chunk in self.chat_model.stream(msgs):  # type: ignore[union-attr]
                if chunk.content:
                    yield str(chunk.content)
        except Exception as exc:  # network errors, timeouts, server errors
            raise ServiceError(
                f"the LLM server did not answer ({type(exc).__name__}: {str(exc)[:160]}); check that it is running "
                "(CONFBOT_LLM_BASE_URL) or use CONFBOT_LLM=extractive."
            ) from exc

    @staticmethod
    def _llm_misses(text: str, assessment: Assessment, question: str) -> str:
        """An LLM answer must say something, and contain the kind of answer the question asks for."""
        bare = re.sub(r"\[\d+\]|[\W_]", "", text)
        if len(bare) < 2:
            return "the answer is empty"
        missing = [k for k in assessment.kinds if k != "year" and not kind_present(k, text, question)]
        if missing:
            return f"the answer has no {', '.join(missing)}"
        return ""

    @staticmethod
    def _llm_problem(text: str, citations: Sequence[Any], hits: Sequence[Hit]) -> str:
        """Why an LLM answer cannot be shown as is ("" when it can)."""
        if not text.strip():
            return "no answer"
        if _LLM_REFUSAL_RE.search(text):
            return "the model refused although the passages contain the answer"
        if not citations:
            return "no verifiable citation"
        body = canonical("".join(h.chunk.text for h in hits))
        for n in _NUMBER_RE.findall(text.replace(",", "")):
            if re.fullmatch(r"\d{1,2}", n) and int(n) <= len(hits):
                continue  # citation numbers and small counts
            if n not in body:
                return f"the number {n} is not in the passages"
        return ""
