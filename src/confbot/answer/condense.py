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
from confbot.text.normalize import has_cjk

_ZH_PRONOUNS = re.compile(r"它们|它|其|该会|该活动|这个会|这次会|这个活动|本次会议|这个大会|那个大会|该大会|这届|这次")
_EN_PRONOUNS = re.compile(r"\b(it|its|they|them|their|there|this event|that event|the event)\b", re.I)
_NOUN_TAGS = ("n", "nr", "ns", "nt", "nz", "eng", "m", "x", "vn", "j", "nrt")
_FOLLOW_UP_START = re.compile(r"^(那|那么|还有|另外|and|what about|how about)", re.I)


@functools.lru_cache(maxsize=1)
def _posseg() -> Any:
    from confbot.retrieve.bm25 import jieba_tokenizer

    jieba_tokenizer()  # quiet logging, shared initialisation
    import jieba.posseg

    return jieba.posseg


def subject_of(question: str) -> str:
    """The longest run of noun-like words in a question (its subject), e.g. 2025星河论坛."""
    if not has_cjk(question):
        words = re.findall(r"[A-Z0-9][\w+\-]*(?:\s+[A-Z0-9][\w+\-]*)*", question)
        return max(words, key=len, default="")
    best, run = "", ""
    for w in _posseg().cut(question):
        tag = w.flag
        if tag.startswith(_NOUN_TAGS) or w.word in "+-":
            run += w.word
        else:
            best = max(best, run, key=len)
            run = ""
    best = max(best, run, key=len)
    return best.strip("+- ")


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
    if has_cjk(question):
        if _ZH_PRONOUNS.search(question):
            return _ZH_PRONOUNS.sub(subject, question, count=1)
        return subject + " " + question
    if _EN_PRONOUNS.search(question):
        return _EN_PRONOUNS.sub(subject, question, count=1)
    return f"{question} ({subject})"
