"""The answer chain, a LangChain Runnable: condense -> retrieve -> select -> generate -> verify.

One :class:`Answerer` serves every backend. The extractive backend quotes the sentences that
answer the question; an LLM backend (a LangChain chat model) writes the answer from numbered
contexts. Both go through the same checks before anything is shown: citations are verified
against the sources, and a question whose key terms or expected kind of answer are not in the
passages is refused.
"""

from __future__ import annotations

import datetime as dt
import logging
import queue
import re
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.runnables import Runnable, RunnableConfig, RunnableLambda

from confbot.answer.citations import attach_markers, citations_from_markers, verify_citations
from confbot.answer.condense import condense_extractive, is_follow_up
from confbot.answer.dates import relative_note
from confbot.answer.generator import prompt
from confbot.answer.kinds import question_language
from confbot.answer.selector import (
    CONSTRAINT_KINDS,
    Assessment,
    Selector,
    Sentence,
    TermWeights,
    ends_in_list,
    list_continuation,
    split_sentences,
)
from confbot.answer.wording import extractive_text, refusal_text, shown
from confbot.errors import IndexMissingError, InputError, ServiceError
from confbot.ingest.metadata import is_dateline
from confbot.records import Answer, Citation, Hit, Turn
from confbot.retrieve.pipeline import Pipeline
from confbot.text.language import text_language
from confbot.text.normalize import normalize_query

log = logging.getLogger(__name__)

#: sentence vectors kept for answer selection (384 floats each: 20k ≈ 30 MB)
SENTENCE_CACHE = 20_000
#: how far below the context's last hit the best hit in the other language is looked for (:meth:`Answerer.retrieve`).
#: Development suite, 25 corpora: none 0.841 accuracy, 0.743 refusal precision, 0.811 recall; 3: 0.846 / 0.754 /
#: 0.811; 6 (and 10): 0.849 / 0.755 / 0.803, four more answers for three more made-up ones: 3 kept
OTHER_LANGUAGE_REACH = 3
#: the answer model's probability a second look (:meth:`Answerer._select_step`) needs: a sentence from below the context
#: must look more clearly like an answer than :data:`~confbot.answer.selector.ANSWER_THRESHOLD` asks of the context's.
#: Development suite, 41 corpora, round 17: taking any second look that answers gave 20 right answers for 6 answered
#: unanswerable questions and 2 wrong (accuracy 0.836 -> 0.843, refusal precision 0.709 -> 0.726, recall 0.779 ->
#: 0.769); the right ones' probabilities spread over 0.51-0.95, the made-up ones' over 0.60-0.76 but one (0.94).
#: At 0.7 (with 分论坛 counted as itself and a day of the course no date of another moment): 12 right, 1 wrong, no
#: unanswerable one answered (accuracy 0.836 -> 0.840, precision 0.709 -> 0.721, recall unchanged)
SECOND_LOOK_THRESHOLD = 0.7

_INJECTION_RE = re.compile(
    r"ignore (all |any )?(the )?(previous|prior|above|earlier) (instructions|rules|prompts)|disregard (the|all|previous)"
    r"|system prompt|\byou are now (?:a|an|the|my|in|dan)\b|\bact as (?:a|an|the|my)\b|new instructions"
    r"|忽略(之前|以上|上面|前面|所有)?的?(所有)?(指令|指示|规则|提示)|无视(之前|以上)?的?(指令|规则)"
    r"|(?:请你?|你(?:现在)?(?:要|需要|必须)?|从现在起你?)扮演|从现在起你是|越狱|jailbreak",
    re.I,
)
_LLM_REFUSAL_RE = re.compile(
    r"材料中没有|没有提到|未提及|无法回答|沒有提到|未提到|do(es)? not (say|mention|contain)|no information|not mentioned",
    re.I,
)
#: a question about the release itself ("发布时间是哪天?"): its dateline is then an answer like any sentence
_RELEASE_WORDS = re.compile(r"发布|发稿|新闻稿|release|publish", re.I)
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
    """Answers questions over one :class:`Pipeline` with the extractive backend or a chat model.

    :meth:`runnable` is the chain itself (each step a named child run in LangChain callbacks);
    :meth:`answer` and :meth:`stream` call it.
    """

    def __init__(self, pipeline: Pipeline, chat_model: Any | None = None, backend: str | None = None) -> None:
        self.pipeline = pipeline
        self.chat_model = chat_model
        self.backend = backend or ("extractive" if chat_model is None else pipeline.settings.llm)
        self.refresh()
        self._runnable: Runnable[dict[str, Any], Answer] | None = None
        self._sentence_vectors: dict[str, np.ndarray] = {}

    def refresh(self) -> None:
        """Re-read term statistics after the index changed."""
        r = self.pipeline.retriever
        stats = r.term_statistics()
        self.selector = Selector(TermWeights(stats.doc_freq, stats.n_docs), stats.vocabulary, r.cache_dir)
        self._revision = r.revision

    # ------------------------------------------------------------ the chain
    def runnable(self) -> Runnable[dict[str, Any], Answer]:
        """``{"question": str, "history": [{"role", "content"}, ...], "scope"?: str}`` -> :class:`Answer`.

        Child runs, in order: ``condense``, ``retrieve``, ``select``, ``generate``, ``verify``.
        """
        if self._runnable is None:
            steps: list[Runnable[Any, Any]] = [
                RunnableLambda(self._condense_step, name="condense"),
                RunnableLambda(self._retrieve_step, name="retrieve"),
                RunnableLambda(self._select_step, name="select"),
                RunnableLambda(self._generate_step, name="generate"),
                RunnableLambda(self._verify_step, name="verify"),
            ]
            chain = steps[0] | steps[1] | steps[2] | steps[3] | steps[4]
            self._runnable = chain.with_config(run_name="confbot")
        return self._runnable

    def _condense_step(self, inputs: Mapping[str, Any]) -> dict[str, Any]:
        if not isinstance(inputs, Mapping) or "question" not in inputs:
            raise InputError('the chain takes {"question": str, "history": [...]}; "question" is missing.')
        q = self.pipeline.check_question(str(inputs["question"]))
        turns = parse_history(inputs.get("history") or ())
        return {
            "t0": time.perf_counter(),
            "question": q,
            "scope": inputs.get("scope"),
            "standalone": self.standalone(q, turns),
            "lang": question_language(q),
        }

    def _retrieve_step(self, state: dict[str, Any]) -> dict[str, Any]:
        hits, reserve = self.retrieve_with_reserve(state["standalone"], state["scope"])
        return {**state, "hits": hits, "reserve": reserve}

    def _select_step(self, state: dict[str, Any]) -> dict[str, Any]:
        """Select from the context's hits; after a hard refusal (:attr:`Assessment.hard`: the count, role, year... asked
        for is in none of them), a second look over the reserve hits too (:meth:`retrieve_with_reserve`), taken only
        when its answer model's probability reaches :data:`SECOND_LOOK_THRESHOLD`; the hits it chose from are then the
        answer's passages."""
        chosen, assessment = self.select(state["standalone"], state["hits"])
        if assessment.refused and assessment.hard and state["reserve"]:
            wider = [*state["hits"], *state["reserve"]]
            chosen2, assessment2 = self.select(state["standalone"], wider)
            if not assessment2.refused and assessment2.probability >= SECOND_LOOK_THRESHOLD:
                return {**state, "hits": wider, "chosen": chosen2, "assessment": assessment2}
        return {**state, "chosen": chosen, "assessment": assessment}

    def _generate_step(self, state: dict[str, Any], config: RunnableConfig) -> dict[str, Any]:
        """The LLM's draft, streamed token by token to the callbacks (extractive: no draft)."""
        asm = state["assessment"]
        if self.chat_model is None or (asm.refused and (asm.hard or not state["chosen"])):
            return {**state, "draft": None, "notes": []}
        draft, notes = "", []
        try:
            for delta in self._generate(state["question"], state["standalone"], state["hits"], state["lang"], config):
                draft += delta
        except ServiceError as exc:
            notes.append(str(exc))
            draft = ""
        return {**state, "draft": draft, "notes": notes}

    def _verify_step(self, state: dict[str, Any]) -> Answer:
        q, standalone, hits, lang = state["question"], state["standalone"], state["hits"], state["lang"]
        chosen, assessment, notes = state["chosen"], state["assessment"], list(state["notes"])
        seconds = lambda: time.perf_counter() - state["t0"]  # noqa: E731
        draft = self._checked_draft(state) if state["draft"] is not None else None
        if assessment.refused and draft is not None:  # the LLM judges passages the answer model doubted
            text, cits, problem = draft
            if not problem:
                note = "answered by the LLM where the extractive check doubted the passages"
                return Answer(
                    q, standalone, text, tuple(cits), False, tuple(hits), self.backend, seconds(), (note,), "answered"
                )
            notes.append(f"the LLM's answer was not used: {problem}")
        if assessment.refused:
            text = refusal_text(lang, assessment.missing_kinds, shown(chosen[0], lang) if chosen else None)
            return Answer(
                q,
                standalone,
                text,
                (),
                True,
                tuple(hits),
                self.backend,
                seconds(),
                (assessment.reason, *notes),
                "refused",
            )
        outcome = assessment.outcome
        ext_text, ext_cits = extractive_text(lang, chosen, partial=outcome == "partial")
        chunks = {h.chunk.id: h.chunk for h in hits}
        more = {s.chunk.id: s.chunk for s in chosen if s.chunk.id not in chunks}  # a list's next chunk: shown too
        hits = [*hits, *(Hit(chunk=c, score=0.0, dense_score=0.0, bm25_score=0.0) for c in more.values())]
        chunks |= more
        if chosen:  # "明天开幕吗？": the event's dates, and what they mean today
            ext_text += relative_note(q, chosen[0].text, chosen[0].chunk.published, self.today(), lang)
        if draft is None:
            text, cits = verify_citations(ext_text, ext_cits, chunks)
            return Answer(q, standalone, text, tuple(cits), False, tuple(hits), self.backend, seconds(), (), outcome)
        text, cits, problem = draft
        if problem:
            notes.append(f"LLM answer replaced by the extractive one: {problem}")
            text, cits = verify_citations(ext_text, ext_cits, chunks)
        return Answer(
            q, standalone, text, tuple(cits), False, tuple(hits), self.backend, seconds(), tuple(notes), outcome
        )

    def _checked_draft(self, state: dict[str, Any]) -> tuple[str, list[Citation], str]:
        """The LLM's draft with its verified citations, and why it cannot be shown ("" when it can: real
        citations, no number absent from the passages, the kind of answer asked for)."""
        hits = state["hits"]
        text, cits = citations_from_markers(attach_markers(state["draft"], hits), list(hits))
        problem = self._llm_problem(text, cits, hits) or self._llm_misses(
            text, state["assessment"], state["standalone"]
        )
        return text, cits, problem

    def today(self) -> dt.date:
        """The system clock's date, or ``CONFBOT_TODAY`` (ISO) when set."""
        fixed = self.pipeline.settings.today
        return dt.date.fromisoformat(fixed) if fixed else dt.date.today()

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
        """The ``context_k`` best hits, and, when none of them is in the other language, the best hit in it among the
        next :data:`OTHER_LANGUAGE_REACH` (an English release ranks below Chinese ones under a Chinese question
        even when it alone answers: it gets a place the selector can choose from)."""
        return self.retrieve_with_reserve(standalone, scope)[0]

    def retrieve_with_reserve(self, standalone: str, scope: str | None = None) -> tuple[list[Hit], list[Hit]]:
        """:meth:`retrieve`'s hits, and the rest of the next :data:`OTHER_LANGUAGE_REACH` (best first). Raises
        :class:`IndexMissingError` when the index holds no chunk at all (an empty index is no ordinary miss)."""
        k = self.pipeline.settings.context_k
        hits = self.pipeline.retriever.retrieve(standalone, k + OTHER_LANGUAGE_REACH, scope)
        if not hits and self.pipeline.store.count() == 0:  # not "the materials don't say": there are no materials
            raise IndexMissingError(
                f"the index {self.pipeline.settings.collection!r} holds no passages: every file was removed or none "
                "was added; add press releases with `confbot ingest PATH` (or the app's upload box)."
            )
        qlang = text_language(normalize_query(standalone))
        top = hits[:k]
        if all(h.chunk.lang == qlang for h in top):
            top += [h for h in hits[k:] if h.chunk.lang and h.chunk.lang != qlang][:1]
        taken = {h.chunk.id for h in top}
        return top, [h for h in hits[k:] if h.chunk.id not in taken]

    def select(self, standalone: str, hits: Sequence[Hit]) -> tuple[list[Sentence], Assessment]:
        if self._revision != self.pipeline.retriever.revision:  # the index changed: new term weights
            self.refresh()
        about_release = bool(_RELEASE_WORDS.search(normalize_query(standalone)))  # "when was the release published?"
        sentences = [
            s for s in split_sentences(hits) if not is_injection(s.text) and (about_release or not is_dateline(s.text))
        ]
        chosen, assessment = self.selector.select(standalone, sentences, self.similarities(standalone, sentences))
        return self.continue_lists(chosen), assessment

    def continue_lists(self, chosen: Sequence[Sentence]) -> list[Sentence]:
        """``chosen`` with the rest of a list that runs past its chunk's end (:func:`ends_in_list`) quoted right
        after it, from the document's next chunk (:func:`list_continuation`, read by
        :meth:`Retriever.following`), so an answer never stops at "…three segments:" or after two of them."""
        out: list[Sentence] = []
        for s in chosen:
            out.append(s)
            following = self.pipeline.retriever.following(s.chunk) if ends_in_list(s) else None
            more = list_continuation(s, following) if following else None
            if more and all(m.text != more.text for m in chosen):
                out.append(more)
        return out

    def similarities(self, question: str, sentences: Sequence[Sentence]) -> list[float]:
        """The embedding model's cosine between the question and each sentence (sentence vectors cached); for a
        sentence in the other language than the question's (English against Chinese), ``translated_mix`` x its
        cosine to the question put word by word into its language + (1 - ``translated_mix``) x its cosine to the
        question, as the retriever scores such passages (``Retriever._translated_scores``).

        multilingual-e5-small's cosine across languages sits lower than within one, so an English sentence that
        answers a Chinese question lost to a Chinese sentence that did not. On the 47-corpus dev suite (round 20)
        answer accuracy 0.8444 -> 0.8463, refusal precision 0.7253 -> 0.7332, recall 0.7790 -> 0.7804 (16 answers newly
        right, 10 no longer); set against a per-language baseline as well it lost (round 19: accuracy 0.840)."""
        if not sentences:
            return []
        retriever = self.pipeline.retriever
        normalized = normalize_query(question)
        q = retriever.embed_query(normalized)
        todo = [s.text for s in sentences if s.text not in self._sentence_vectors]
        if todo:
            for text, vec in zip(todo, self.pipeline.embedder.embed_documents(todo), strict=True):
                self._sentence_vectors[text] = np.asarray(vec, dtype=np.float32)
            while len(self._sentence_vectors) > SENTENCE_CACHE:
                self._sentence_vectors.pop(next(iter(self._sentence_vectors)))
        sims = [float(np.dot(q, self._sentence_vectors[s.text])) for s in sentences]
        english = text_language(normalized) == "en"
        other = [i for i, s in enumerate(sentences) if (text_language(s.text) == "en") != english]
        mix = retriever.translated_mix if retriever.crosslingual else 0.0
        tq = retriever.translated_vector(normalized) if other and mix else None
        if tq is not None:
            for i in other:
                sims[i] = mix * float(np.dot(tq, self._sentence_vectors[sentences[i].text])) + (1 - mix) * sims[i]
        return sims

    # ------------------------------------------------------------ answers
    def _generate(
        self, question: str, standalone: str, hits: Sequence[Hit], lang: str, config: RunnableConfig | None = None
    ) -> Iterator[str]:
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
            for chunk in self.chat_model.stream(msgs, config=config):  # type: ignore[union-attr]
                if chunk.content:
                    yield str(chunk.content)
        except Exception as exc:  # network errors, timeouts, server errors
            raise ServiceError(
                f"the LLM server did not answer ({type(exc).__name__}: {str(exc)[:160]}); check that it is running "
                "(CONFBOT_LLM_BASE_URL) or use CONFBOT_LLM=extractive."
            ) from exc

    def _llm_misses(self, text: str, assessment: Assessment, question: str) -> str:
        """An LLM answer must say something, and contain the kind of answer the question asks for."""
        bare = re.sub(r"\[\d+\]|[\W_]", "", text)
        if len(bare) < 2:
            return "the answer is empty"
        missing = [
            k for k in assessment.kinds if k not in CONSTRAINT_KINDS and not self.selector.has_kind(k, text, question)
        ]
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
        # the passages' figures as written (canonical() drops the decimal point: 3.25 would read 325)
        body = "".join(h.chunk.text for h in hits).replace(",", "").replace("，", "")
        for n in _NUMBER_RE.findall(text.replace(",", "")):
            if re.fullmatch(r"\d{1,2}", n) and int(n) <= len(hits):
                continue  # citation numbers and small counts
            if n not in body:
                return f"the number {n} is not in the passages"
        return ""

    # ------------------------------------------------------------ answers
    def answer(
        self, question: str, history: Sequence[Any] = (), scope: str | None = None, config: RunnableConfig | None = None
    ) -> Answer:
        """The verified :class:`Answer` (``scope``: only files under this folder; default the settings'
        scope, "" for every file). Raises :class:`InputError` for an empty or over-long question."""
        return self.runnable().invoke({"question": question, "history": list(history), "scope": scope}, config)

    def stream(self, question: str, history: Sequence[Any] = (), scope: str | None = None) -> Iterator[str | Answer]:
        """Text deltas as the LLM writes them, then the final, verified :class:`Answer`.

        The chain runs in a worker thread; its chat model's tokens reach this generator through a
        callback handler (the extractive backend yields the answer's text once, then the Answer).
        """
        tokens: queue.Queue[tuple[str, Any]] = queue.Queue()
        relay = _TokenRelay(tokens)

        def work() -> None:
            try:
                tokens.put(("done", self.answer(question, history, scope, {"callbacks": [relay]})))
            except BaseException as exc:  # handed to the caller's thread
                tokens.put(("error", exc))

        threading.Thread(target=work, name="confbot-answer", daemon=True).start()
        streamed = False
        while True:
            kind, item = tokens.get()
            if kind == "token":
                streamed = True
                yield item
            elif kind == "error":
                raise item
            else:
                if not streamed:
                    yield item.text
                yield item
                return


class _TokenRelay(BaseCallbackHandler):
    """Puts each new LLM token on a queue (LangChain calls this from the chat model's stream)."""

    def __init__(self, tokens: queue.Queue[tuple[str, Any]]) -> None:
        self.tokens = tokens

    def on_llm_new_token(self, token: Any, **kwargs: Any) -> None:
        if isinstance(token, str) and token:
            self.tokens.put(("token", token))
