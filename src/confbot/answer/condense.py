"""Follow-up questions -> standalone questions.

The extractive path carries the subject of earlier turns forward: "那它什么时候举办？" after
"2025星河论坛的主题是什么？" becomes "那2025星河论坛什么时候举办？".
LLM backends rewrite the question with the condense prompt, under the same sanity checks.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from confbot.records import Turn
from confbot.text.events import CN_NUMERALS, ORDINAL_WORDS, edition_mentions, year_mentions
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
#: an ordinal right before an English event's name ("the third ABCX", "the 5th …"): part of the subject
_EN_ORDINAL_BEFORE = re.compile(rf"\b((?i:{'|'.join(ORDINAL_WORDS)})|\d{{1,3}}(?:st|nd|rd|th))\s+$")
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
_FOLLOW_UP_START = re.compile(r"^(那|那么|还有|另外|其中|其他|其余|and|what about|how about)", re.I)
#: pronouns for people or things named earlier (他们来自哪里): a follow-up, but not a name for the event
_ZH_OTHER_PRONOUNS = re.compile(r"他们|他們|她们|她們|他|她")
#: a comparison that leans on the previous question: "比上届增长了多少？"
_COMPARISON_START = re.compile(r"^(?:那)?(?:比|较|較|同比|环比|環比|和上|与上|與上)")
#: what a count question ends with: 有多少人？, 到会多少？, 是多少个？
_COUNT_END = re.compile(
    r"(?:一共|总共|共)?(?:有|是|为|達|达)?(?:多少|几)(?:个|個|家|名|位|人次|人|场|場|项|項|次)?[？?]?$"
)


def _without_leads(run: str) -> str:
    """A capitalised run without the question words opening it ("When Is The 2030 Fair" -> "2030 Fair")."""
    words = run.split()
    while words and words[0].lower() in _EN_LEADS:
        words = words[1:]
    return " ".join(words)


def subject_of(question: str) -> str:
    """The event a question is about (its subject), e.g. 2025星河论坛, or "" when it names none.

    Chinese: the first span ending like an event's name (…大会, …论坛, …峰会, …博览会, 第N届…会), cut at
    particles and punctuation; English: the longest run of capitalised words that is not the question's
    own first words. A question that names no event has no subject: its follow-ups stay as asked."""
    if not has_cjk(question):
        runs = list(re.finditer(r"[A-Z0-9][\w+\-]*(?:\s+(?:of\s+|on\s+|for\s+|the\s+)?[A-Z0-9][\w+\-]*)*", question))
        named = [(_without_leads(m.group()), m.start()) for m in runs]
        best = max((n for n in named if len(n[0]) >= 3), key=lambda n: len(n[0]), default=("", 0))
        ordinal = _EN_ORDINAL_BEFORE.search(question[: best[1]]) if best[0] else None
        return f"{ordinal.group(1)} {best[0]}" if ordinal else best[0]  # "the third ABCX": its edition too
    simple = to_simplified(question)  # 博覽會 is a 博览会; the span is returned as the question wrote it
    m = _ZH_EVENT.search(simple)
    if not m:
        return ""
    return question[m.start() : m.end()] if len(simple) == len(question) else m.group(0)


def is_follow_up(question: str) -> bool:
    return (
        bool(
            _ZH_PRONOUNS.search(question)
            or _ZH_OTHER_PRONOUNS.search(question)
            or _EN_PRONOUNS.search(question)
            or _FOLLOW_UP_START.search(question)
        )
        or len(question.strip()) <= 6
    )


def compare_with_previous(question: str, previous: str) -> str | None:
    """A comparison asked of the previous count: after "第8届星河会到会多少人？", "比上届增长了多少？" ->
    "第8届星河会到会比上届增长了多少？"; None when ``question`` is no comparison or the previous question no count."""
    if not _COMPARISON_START.match(question.strip()) or not has_cjk(previous):
        return None
    stem = _COUNT_END.sub("", previous.strip())
    if stem == previous.strip() or len(stem) < 2:
        return None
    return stem + re.sub(r"^那", "", question.strip())


#: what a follow-up that only names another year or edition says besides it ("那2018年的呢？", "And in 2018?")
_SWAP_FILLER = re.compile(
    r"[那这這]一?[届屆次]|那么|那|呢|的|吗|啊|届|年|\b(?:and|in|at|of|on|what|how|about|the|edition|session|year|for|then|that|one)\b"
    r"|[？?。.!！,，、\s]",
    re.I,
)
_YEAR_RE = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")
_EDITION_ZH_RE = re.compile(rf"第[0-9{CN_NUMERALS}]{{1,4}}[届屆]|首届|首屆")
_EDITION_EN_RE = re.compile(r"\b\d{1,3}(?:st|nd|rd|th)\b", re.I)


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _without_years(text: str) -> str:
    return re.sub(r"\s{2,}", " ", re.sub(rf"(?:(?<=\s)in\s+)?{_YEAR_RE.pattern}\s*年?", "", text)).strip()


def _without_editions(text: str) -> str:
    text = _EDITION_EN_RE.sub("", _EDITION_ZH_RE.sub("", text))
    return re.sub(r"\bthe\s+(?=[a-z])", "the ", re.sub(r"\s{2,}", " ", text)).strip()


def swap_event(question: str, previous: str) -> str | None:
    """The previous question asked again of another year or edition, when ``question`` says nothing else
    ("那2018年呢？", "And in 2018?", "那第五届呢？", "What about the 5th?"); None otherwise."""
    years, named = year_mentions(question), edition_mentions(question)
    if len(years) > 1 or len(named) > 1 or not (years or named):
        return None
    rest = _EDITION_EN_RE.sub("", _EDITION_ZH_RE.sub("", _YEAR_RE.sub("", to_simplified(question))))
    rest = _SWAP_FILLER.sub("", re.sub(rf"\b(?:{'|'.join(ORDINAL_WORDS)})\b", "", rest, flags=re.I))
    if rest and rest not in to_simplified(previous):
        return None  # it asks something of its own (not "那第二届的主题呢" after a question about the theme)
    zh = has_cjk(previous)
    if years and named:  # "那2020年第四届呢？": both, where the previous question named its edition or year
        base = _without_years(previous)
        if _EDITION_ZH_RE.search(base):
            return _EDITION_ZH_RE.sub(f"{years[0]}年第{named[0]}届", base, count=1)
        base = _without_editions(previous)
        return _YEAR_RE.sub(str(years[0]), base) if _YEAR_RE.search(base) else None
    if years:  # another year: the previous question's edition goes too (it named that year's)
        previous = _without_editions(previous)
        y = str(years[0])
        if _YEAR_RE.search(previous):
            return _YEAR_RE.sub(y, previous)
        return f"{y}年{previous}" if zh else f"{previous.rstrip('?？')} in {y}?"
    n = named[0]
    previous = _without_years(previous)
    if _EDITION_ZH_RE.search(previous):
        return _EDITION_ZH_RE.sub(f"第{n}届", previous, count=1)
    if _EDITION_EN_RE.search(previous):
        return _EDITION_EN_RE.sub(_ordinal(n), previous, count=1)
    return f"第{n}届{previous}" if zh else f"{previous.rstrip('?？')} (the {_ordinal(n)} edition)?"


#: a year or edition named relative to the previous question's: (pattern, year or edition, step)
_RELATIVE = [
    (
        re.compile(r"前一年|上一年|头一年|the year before|the previous year|the prior year|a year earlier", re.I),
        "year",
        -1,
    ),
    (
        re.compile(
            r"第二年|次年|后一年|下一年|转年|the year after|the following year|the next year|a year later", re.I
        ),
        "year",
        1,
    ),
    (
        re.compile(
            r"(?<![和与與比较較同跟])(?:上一|前一|上)[届屆](?!相?比)|the previous (?:edition|session)"
            r"|the edition before|the session before|the one before",
            re.I,
        ),
        "edition",
        -1,
    ),
    (
        re.compile(
            r"(?<![和与與比较較同跟])(?:下一|后一|後一|下)[届屆](?!相?比)|the next (?:edition|session)"
            r"|the following (?:edition|session)|the edition after|the session after|the one after",
            re.I,
        ),
        "edition",
        1,
    ),
]


def resolve_relative(question: str, previous: str) -> str:
    """``question`` with a year or edition named relative to the previous question's made absolute (a comparison
    such as 和上届比 stays): after "2024年有多少个国家参会？", "那前一年呢？" -> "那2023年呢？"; after a question about
    the 23rd edition, "And the next edition?" -> "And the 24th?". A year step after a question naming only an
    edition steps to the next or previous edition (most events are yearly); an edition step after one naming only
    a year is left as it is (how many years lie between two editions is not known here). The question is returned
    unchanged when the previous question names no single year or edition."""
    years, named = year_mentions(previous), edition_mentions(previous)
    zh = has_cjk(question)
    for pattern, unit, step in _RELATIVE:
        m = pattern.search(question)
        if not m:
            continue
        if unit == "year" and len(set(years)) == 1:
            y = years[0] + step
            return pattern.sub(f"{y}年" if zh else str(y), question, count=1)
        if len(set(named)) == 1 and (unit == "edition" or not years):  # "the year after" the 23rd: the 24th
            n = named[0] + step
            return pattern.sub(f"第{n}届" if zh else f"the {_ordinal(n)}", question, count=1) if n >= 1 else question
        if unit == "edition" and not named and len(set(years)) == 1 and "年" not in m.group(0):
            return question  # an edition before a year: annual or not is not known
    return question


#: "那Y呢？" / "Y呢？": a follow-up that names one thing and asks nothing of its own
_ZH_WHAT_ABOUT = re.compile(r"^(?:那么|那|还有|另外)?\s*([^\s，,。？?！!和与比跟同较]{2,12}?)(?:的)?呢[？?]?$")
_DAY = re.compile(r"(?:(\d{1,2})月)?(\d{1,2})[日号]")


def swap_term(question: str, previous: str) -> str | None:
    """The previous question asked of another thing of the same kind, when ``question`` only names that thing:
    after "星河会的主宾省是哪个？", "那主题省呢？" -> "星河会的主题省是哪个？" (the word sharing its last character, the
    head of a Chinese noun, is swapped); after "5月7日那天入馆的有多少人？", "那8号呢？" -> "5月8日那天…" (a day for a
    day). None when the follow-up asks something of its own or nothing in the previous question matches."""
    m = _ZH_WHAT_ABOUT.match(to_simplified(question).strip())
    if not m or not has_cjk(previous):
        return None
    new = m.group(1)
    day = _DAY.fullmatch(new)
    if day:
        old = _DAY.search(previous)
        if not old:
            return None
        month = day.group(1) or old.group(1)
        return previous[: old.start()] + (f"{month}月" if month else "") + f"{day.group(2)}日" + previous[old.end() :]
    if not has_cjk(new[-1]) or new in previous:
        return None
    simple, n = to_simplified(previous), len(new)
    # the span of the previous question as long as the new word and ending in the same character (its head)
    spans = [i - n + 1 for i, ch in enumerate(simple) if ch == new[-1] and i - n + 1 >= 0]
    spans = [i for i in spans if all(has_cjk(c) for c in simple[i : i + n])]
    if len(spans) != 1:
        return None  # no word of the same head, or several: which one is meant is not known
    return previous[: spans[0]] + new + previous[spans[0] + n :]


def condense_extractive(question: str, history: Sequence[Turn]) -> str:
    """Replace the pronoun of a follow-up with the subject of the latest earlier question that has one; a year or
    edition named relative to the previous question's is made absolute (:func:`resolve_relative`); a follow-up that
    only names another year or edition asks the previous question of that one (:func:`swap_event`)."""
    if not history:
        return question
    previous = next((t.content for t in reversed(history) if t.role == "user"), "")
    question = resolve_relative(question, previous)
    if previous and (
        swapped := swap_event(question, previous)
        or swap_term(question, previous)
        or compare_with_previous(question, previous)
    ):
        return swapped
    if not is_follow_up(question):
        return question
    subject = ""
    for turn in reversed(history):
        if turn.role == "user":
            subject = subject_of(turn.content)
            if len(subject) >= 2:
                break
    if year_mentions(question):  # "那2018年的主题呢？" after a 2019 question: the event, not its year
        subject = _without_years(subject)
    if edition_mentions(question):
        subject = _without_editions(subject)
    if len(subject) < 2:
        return question
    if subject in question:
        return question  # it already names its subject
    if has_cjk(question):
        if to_simplified(question) == question:  # a simplified question after a traditional one: its script
            subject = to_simplified(subject)
        if _ZH_PRONOUNS.search(question):
            return _ZH_PRONOUNS.sub(subject, question, count=1)
        asked = question.strip()
        simple = to_simplified(asked)
        what = _ZH_WHAT_ABOUT.match(simple)
        if what and not year_mentions(question) and not any(p.search(asked) for p, _, _ in _RELATIVE):
            thing = asked[what.start(1) : what.end(1)] if len(simple) == len(asked) else what.group(1)
            what_is = "是什么？" if simple == asked else "是什麼？"
            return f"{subject}的{thing}{what_is}"  # "那主题呢？": what is the subject's theme
        return f"{subject} {question}"  # elliptical: the subject, never the whole earlier question
    if m := _EN_PRONOUNS.search(question):  # "its opening ceremony": the subject's
        named = f"the {subject}'s" if m.group(1).lower() in ("its", "their") else f"the {subject}"
        return question[: m.start()] + named + question[m.end() :]
    return f"{question} ({subject})"
