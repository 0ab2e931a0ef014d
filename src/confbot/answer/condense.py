"""Follow-up questions -> standalone questions.

The extractive path carries the subject of earlier turns forward: "那它什么时候举办？" after
"2025星河论坛的主题是什么？" becomes "那2025星河论坛什么时候举办？".
LLM backends rewrite the question with the condense prompt, under the same sanity checks.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from typing import Any

from confbot.records import Turn
from confbot.text.normalize import has_cjk, to_simplified

# 其 alone is a pronoun; 其他, 其中, 其余, 其实 and 尤其 are words of their own
_ZH_PRONOUNS = re.compile(
    r"它们|它|(?<!尤)其(?![他中余实它次])|该会|该活动|这个会|这次会|这个活动|本次会议|这个大会|那个大会|该大会|这届|这次"
)
# "there" is not a pronoun for a subject ("Is there a …?"), nor is "it" in "is it true that"
_EN_PRONOUNS = re.compile(r"\b(it|its|they|them|their|this event|that event|the event)\b", re.I)
#: an event's name: a run without particles or punctuation ending like an event (not 会展, 会场, 会期…)
_ZH_EVENT = re.compile(
    r"[^的是在和与及、，。？！?!：:\s那这它其了吗呢哪什么谁几多少]{0,24}?"
    r"(?:论坛|峰会|博览会|展览会|交易会|大会|年会|会议|发布会|[^\W\d_]会(?![展场期上后馆所员长议])|展会|节|大赛)(?![展场期馆])"
)
#: an English question's first words, never a subject
_EN_LEADS = {
    "when",
    "what",
    "where",
    "who",
    "whom",
    "which",
    "why",
    "how",
    "is",
    "are",
    "was",
    "were",
    "do",
    "does",
    "did",
    "can",
    "could",
    "will",
    "and",
    "the",
    "a",
    "an",
    "there",
    "in",
    "on",
    "at",
    "for",
    "of",
}
_FOLLOW_UP_START = re.compile(r"^(那|那么|还有|另外|and|what about|how about)", re.I)


@functools.lru_cache(maxsize=1)
def _posseg() -> Any:
    from confbot.retrieve.bm25 import jieba_tokenizer

    jieba_tokenizer()  # quiet logging, shared initialisation
    import jieba.posseg

    return jieba.posseg


def subject_of(question: str) -> str:
    """The event a question is about (its subject), e.g. 2025星河论坛, or "" when it names none.

    Chinese: the first span ending like an event's name (…大会, …论坛, …峰会, …博览会, 第N届…会), cut at
    particles and punctuation; English: the longest run of capitalised words that is not the question's
    own first words. A question that names no event has no subject: its follow-ups stay as asked."""
    if not has_cjk(question):
        runs = re.findall(r"[A-Z0-9][\w+\-]*(?:\s+(?:of\s+|the\s+)?[A-Z0-9][\w+\-]*)*", question)
        words = [" ".join(w for w in r.split() if w.lower() not in _EN_LEADS) for r in runs]
        return max((w for w in words if len(w) >= 3), key=len, default="")
    simple = to_simplified(question)  # 博覽會 is a 博览会; the span is returned as the question wrote it
    m = _ZH_EVENT.search(simple)
    if not m:
        return ""
    return question[m.start() : m.end()] if len(simple) == len(question) else m.group(0)


def is_follow_up(question: str) -> bool:
    return (
        bool(_ZH_PRONOUNS.search(question) or _EN_PRONOUNS.search(question) or _FOLLOW_UP_START.search(question))
        or len(question.strip()) <= 6
    )


def condense_extractive(question: str, history: Sequence[Turn]) -> str:
    """Replace the pronoun of a follow-up with the subject of the latest earlier question that has one."""
    if not history or not is_follow_up(question):
        return question
    subject = ""
    for turn in reversed(history):
        if turn.role == "user":
            subject = subject_of(turn.content)
            if len(subject) >= 2:
                break
    if not subject:
        return question
    if subject in question:
        return question  # it already names its subject
    if has_cjk(question):
        if _ZH_PRONOUNS.search(question):
            return _ZH_PRONOUNS.sub(subject, question, count=1)
        return f"{subject} {question}"  # elliptical ("那主题呢？"): the subject, never the whole earlier question
    if _EN_PRONOUNS.search(question):
        return _EN_PRONOUNS.sub(subject, question, count=1)
    return f"{question} ({subject})"
