"""Retrieved passages -> an :class:`Answer` with verified citations, or an honest refusal.

Every backend's answer goes through the same checks:

* :func:`verify_citations` keeps a citation only if its quote really is in the cited chunk
  (exactly ``normalized_source[start:end]``), repairs offsets that drifted, drops markers that
  point at nothing (``[7]`` of 5 contexts) and renumbers the rest;
* :func:`assess` decides whether the selected sentences contain what the question asks for:
  its key terms (across languages) and the kind of answer it expects (a number, date, price,
  person, place, URL). Retrieval scores alone cannot decide this.
"""

from __future__ import annotations

from collections.abc import Sequence

from confbot.answer.selector import Sentence
from confbot.records import Citation
from confbot.text.cjk import to_traditional

FRAMING = {
    "zh": ("根据新闻材料：", "抱歉，现有新闻材料中没有找到这个问题的答案{why}。", "材料中与此最接近的内容是：「{hint}」"),
    "zh-Hant": ("根據新聞材料：", "抱歉，現有新聞材料中沒有找到這個問題的答案{why}。", "材料中與此最接近的內容是：「{hint}」"),
    "en": ("According to the press materials:", "Sorry, the press materials do not say{why}.",
           "The closest thing they cover is: “{hint}”"),
}  # fmt: skip


_WHY = {
    "zh": {"price": "（材料未提及价格或门票信息）", "url": "（材料未提供网址或报名方式）", "address": "（材料未提供具体地址）",
           "year": "（材料未涉及该年份）", "date": "（材料未提及相关时间）", "person": "（材料未提及相关人员）", "person_or_org": "（材料未提及相关人员或单位）"},
    "zh-Hant": {"price": "（材料未提及價格或門票資訊）", "url": "（材料未提供網址或報名方式）", "address": "（材料未提供具體地址）",
                "year": "（材料未涉及該年份）", "date": "（材料未提及相關時間）", "person": "（材料未提及相關人員）", "person_or_org": "（材料未提及相關人員或單位）"},
    "en": {"price": " (no prices or ticket information)", "url": " (no web address or registration details)",
           "address": " (no street address or venue)", "year": " (nothing about that year)",
           "date": " (no such date)", "person": " (no such person)", "person_or_org": " (no such person or organisation)"},
}  # fmt: skip


def refusal_text(lang: str, missing: Sequence[str], hint: str | None) -> str:
    _, refuse, closest = FRAMING.get(lang, FRAMING["zh"])
    why = next((_WHY[lang if lang in _WHY else "zh"][k] for k in missing if k in _WHY["zh"]), "")
    text = refuse.format(why=why)
    if hint:
        short = hint if len(hint) <= 60 else hint[:60] + "…"
        text += "\n" + closest.format(hint=short)
    return text


#: before a sentence of an earlier release than the answer's latest one: its date, so a statement a later release
#: changed can be told apart, worded neutrally ("an earlier release said" read as "superseded" beside unrelated facts)
EARLIER = {
    "zh": "（{date}的发布：）",
    "zh-Hant": "（{date}的發布：）",
    "en": "(Release of {date}:) ",
}

#: the lead of a partial answer: the materials hold what was asked about, not exactly what was asked
PARTIAL = {
    "zh": "材料没有明确给出所问的内容，相关的说法是：",
    "zh-Hant": "材料沒有明確給出所問的內容，相關的說法是：",
    "en": "The press materials do not state exactly that; what they do say:",
}


def as_written(s: Sentence) -> str:
    """A sentence as its file writes it (a traditional-Chinese release's own characters; ``Chunk.original``)."""
    c = s.chunk
    return c.original[s.start - c.start : s.end - c.start] if c.original else s.text


def shown(s: Sentence, lang: str) -> str:
    """A sentence as the answer shows it, in the asker's script: to a question in traditional characters, a
    traditional release's sentence as written, any other converted (OpenCC s2t); else the normalized text."""
    if lang != "zh-Hant":
        return s.text
    return as_written(s) if s.chunk.original else to_traditional(s.text)


def extractive_text(lang: str, chosen: Sequence[Sentence], partial: bool = False) -> tuple[str, list[Citation]]:
    """The chosen sentences, each followed by its ``[n]`` marker, after a lead in the question's language; the
    sentences in the asker's script (:func:`shown`), their citations quoting the normalized text."""
    lead = PARTIAL.get(lang, PARTIAL["zh"]) if partial else FRAMING.get(lang, FRAMING["zh"])[0]
    citations: list[Citation] = []
    parts = []
    latest = max((s.chunk.published or "" for s in chosen), default="")
    for i, s in enumerate(chosen, start=1):
        citations.append(Citation(i, s.chunk.source, s.chunk.id, s.text, s.start, s.end))
        earlier = s.chunk.published and s.chunk.published < latest
        mark = EARLIER.get(lang, EARLIER["zh"]).format(date=s.chunk.published) if earlier else ""
        parts.append(f"{mark}{shown(s, lang)}[{i}]")
    sep = "\n" if lang == "en" else ""
    return lead + sep + ("\n" if lang == "en" else "").join(parts), citations
