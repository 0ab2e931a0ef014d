"""Which edition and which year of an event a text is about.

A press corpus often holds several years of one event, and the releases look alike to an embedding
model: a chunk about "the venues" rarely says which year's. What a *document* is about is clearer:
its title, its publication date and the year and edition its text names most often. Ingest records
these per document (:func:`document_event`); retrieval favours the documents of the year or edition
a question names (see :mod:`confbot.retrieve.fusion`), and the answer checks read them as context.
"""

from __future__ import annotations

import re
from collections import Counter

CN_NUMERALS = "〇零一二三四五六七八九十百千万亿两"

#: 第12届, or 第十二次 before a meeting's name (第一次 alone is "the first time", not an edition)
_EDITION_ZH = re.compile(rf"第([0-9{CN_NUMERALS}]{{1,4}})(?:届|屆|次(?=会议|大会|峰会|论坛|年会|博览会))")
_EDITION_EN = re.compile(r"\b(\d{1,3})(?:st|nd|rd|th)\b", re.I)
_FIRST_EDITION = re.compile(r"首届|首屆|\binaugural\b", re.I)
#: English ordinal words, first to tenth (index + 1 is the number)
ORDINAL_WORDS = ("first second third fourth fifth sixth seventh eighth ninth tenth").split()
#: "the third summit", "the fifth edition": an ordinal word before an event noun
_EDITION_EN_WORD = re.compile(
    rf"\b((?i:{'|'.join(ORDINAL_WORDS)}))\s+(?:(?:[A-Z][\w-]*\s+){{0,4}}"
    r"(?:[Ee]dition|[Ss]ession|[Ss]ummit|[Ee]xpo|[Ff]air|[Ff]orum|[Cc]onference|[Cc]ongress|[Cc]onvention|[Ff]estival"
    r"|[Ee]xhibition)\b|[A-Z]{2,}[a-z]?\b)",  # ... or before an event's acronym: "the seventh ABCX"
)
#: a year of this century or the last (not inside a longer number, a decimal or a percentage)
_YEAR = re.compile(r"(?<![\d.\-/])((?:19|20)\d{2})(?![\d.%])")

#: a document's lead: where it says which edition it reports on
LEAD_CHARS = 300

#: a year or edition a document names at least this often in its text counts as what it is about
DOMINANT_MIN_MENTIONS = 2


def cn_int(s: str) -> int | None:
    """An integer written in Arabic or Chinese numerals up to 99 (十七, 二十, 一七), or None."""
    if s.isdigit():
        return int(s)
    digits = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"〇": 0, "两": 2}
    if "十" in s:
        tens, _, ones = s.partition("十")
        t = digits.get(tens, 1) if tens else 1
        o = digits.get(ones, 0) if ones else 0
        return t * 10 + o if (not tens or tens in digits) and (not ones or ones in digits) else None
    if all(c in digits for c in s):
        return int("".join(str(digits[c]) for c in s))
    return None


def edition_mentions(text: str) -> list[int]:
    """Every edition ``text`` names, in order, repeats kept: 第十二届, 第12届, the 12th, the third summit, 首届."""
    found: list[tuple[int, int | None]] = [(m.start(), cn_int(m.group(1))) for m in _EDITION_ZH.finditer(text)]
    found += [(m.start(), int(m.group(1))) for m in _EDITION_EN.finditer(text)]
    found += [(m.start(), ORDINAL_WORDS.index(m.group(1).lower()) + 1) for m in _EDITION_EN_WORD.finditer(text)]
    found += [(m.start(), 1) for m in _FIRST_EDITION.finditer(text)]
    return [n for _, n in sorted(found, key=lambda pn: pn[0]) if n is not None and 0 < n < 1000]


def editions(text: str) -> set[int]:
    """The editions a text names: 第十二届, 第12届, the 12th, 首届 (1)."""
    return set(edition_mentions(text))


#: the name after a Chinese edition (第6届星河会的…: 星河会), up to a particle, punctuation or a table row's cell
#: separator (｜, the loaders' ``TABLE_CELL_SEP``: "届次：第12届｜季节：秋季" names no event called 季节)
_EDITION_NAME = re.compile(
    rf"(?:第[0-9{CN_NUMERALS}]{{1,4}}(?:届|屆)|首届|首屆)([^\s\d，。、；：？！“”（）()的上在期时第暨｜|]{{0,10}})"
)
#: the last character of an event's name, simplified and traditional (大会, 博览会, 艺术节, 论坛, 大赛, 展)
EVENT_NOUNS = "会會展节節坛壇赛賽"
#: what follows an event's name in a question (星河会签约项目… -> 星河会): after its last event noun
_EVENT_NAME_END = re.compile(rf"(?<=[{EVENT_NOUNS}])[^{EVENT_NOUNS}]*$")
_EVENT_NOUN = re.compile(rf"[{EVENT_NOUNS}]")
#: characters of event names that say nothing of which event (届, 会, 大…)
_GENERIC_NAME_CHARS = set("届屆会會大第年度暨和与及中国")
#: an edition named as what this one is compared with: 比首届增长, 较第五届, 与上一届相比
_COMPARED = re.compile(r"(?:比|较|與|与|同)[^，。；！？]{0,6}$")


def edition_names(text: str) -> list[tuple[int, str, int]]:
    """The Chinese editions ``text`` names, each with the words after it and its offset:
    "第七届星河会专题馆" -> [(7, "星河会专题馆", 0)]."""
    found = []
    for m in _EDITION_NAME.finditer(text):
        head = m.group(0)[: len(m.group(0)) - len(m.group(1))]
        n = 1 if head.startswith("首") else cn_int(head[1:-1])
        if n is not None:
            found.append((n, m.group(1), m.start()))
    return found


def several_events(question: str) -> bool:
    """Whether a question names editions of two events or more ("第十四届星河会期间召开的第三届月湖论坛…": the
    fair's 14th and the forum's 3rd), each name ending in an event noun and neither's telling characters (those not
    in :data:`_GENERIC_NAME_CHARS`) inside the other's. A passage about one of them then need not name both."""
    names = [set(_EVENT_NAME_END.sub("", name)) - _GENERIC_NAME_CHARS for _, name, _ in edition_names(question)]
    names = [
        chars
        for (_, name, _), chars in zip(edition_names(question), names, strict=True)
        if chars and _EVENT_NOUN.search(name)
    ]
    return any(not (a <= b or b <= a) for i, a in enumerate(names) for b in names[i + 1 :])


def editions_of_event(text: str, question: str) -> set[int]:
    """The editions ``text`` names as its subject, of the event the question names (:func:`editions` less two kinds
    of mention). An edition compared with (比首届增长, 较第五届) is not the subject. The question's event: "第6届星河会…"
    asks of 星河会, so "第七届月湖交易会专题馆" names no edition of it: its own name (up to its last event noun,
    :data:`_GENERIC_NAME_CHARS` aside) has two telling characters or more and shares fewer than half of either's
    with the asked one (an abbreviation, 星河会 for 星河国际博览会, keeps its characters; "首届峰会" is too short to
    tell). English mentions all count."""
    asked = [set(_EVENT_NAME_END.sub("", name)) - _GENERIC_NAME_CHARS for _, name, _ in edition_names(question)]
    asked = [chars for chars in asked if chars]

    def of_other(name: str, start: int) -> bool:
        if _COMPARED.search(text[:start]):
            return True
        if not (asked and _EVENT_NOUN.search(name)):  # 第135届增长…: no event named
            return False
        own = set(_EVENT_NAME_END.sub("", name)) - _GENERIC_NAME_CHARS - set("—-·")
        return len(own) >= 2 and all(len(chars & own) * 2 < min(len(chars), len(own)) for chars in asked)

    verdicts = [(n, of_other(name, at)) for n, name, at in edition_names(text)]
    other = {n for n, is_other in verdicts if is_other} - {n for n, is_other in verdicts if not is_other}
    return editions(text) - other


#: a year naming an event's edition: "2027年大会", "2027年的博览会", "the 2027 conference" (not "2027年产值")
_EVENT_YEAR = re.compile(
    r"(?<![\d.\-/])((?:19|20)\d{2})\s*年?(?:的)?[^\s\d，。、；：？！“”（）()的]{0,8}?(?:大会|博览会|论坛|峰会|展会|交易会|洽谈会|年会|博会)"
    r"|\b((?:19|20)\d{2})\s+(?:edition|conference|expo|summit|forum|fair|convention|session)\b",
    re.I,
)


def event_years(text: str) -> set[int]:
    """The years ``text`` names as editions of an event ("2027年大会的闭幕式", "the 2027 conference"), less those
    only compared with (比2027年大会增长): a sentence naming them is about those editions, whatever its document."""
    return {
        int(m.group(1) or m.group(2)) for m in _EVENT_YEAR.finditer(text) if not _COMPARED.search(text[: m.start()])
    }


#: a year opening a clause as the time of what the clause states: "2029年星河省贸易额…", "统计显示，2028年…",
#: "In 2020, …"; not a date (2020年8月, an announcement's day), a span (2020年以来) or a comparison (比2020年)
_FACT_YEAR = re.compile(
    r"(?:^|[，。；：:、,]|显示|表明|数据|统计)\s*(?:在|于)?((?:19|20)\d{2})\s*年"
    r"(?!\s*(?:\d|[一二三四五六七八九十]+月|以来|至今|起|开始|来|前|后|之前|之后|至|到|[—\-~～]))"
    r"|(?:^|[.;,]\s)[Ii]n ((?:19|20)\d{2}),"
)


def fact_years(text: str) -> set[int]:
    """The years ``text`` opens a clause with as the time of what it states (:data:`_FACT_YEAR`): a figure given
    "for 2020" is no figure for 2021, whatever release carries it."""
    return {int(m.group(1) or m.group(2)) for m in _FACT_YEAR.finditer(text) if not _COMPARED.search(text[: m.start()])}


def year_mentions(text: str) -> list[int]:
    """Every four-digit year (1900-2099) ``text`` names, in order, repeats kept; dates' years included."""
    return [int(y) for y in _YEAR.findall(text)]


def _dominant(counts: Counter[int]) -> set[int]:
    """The most named value(s), when named at least :data:`DOMINANT_MIN_MENTIONS` times."""
    if not counts:
        return set()
    top = max(counts.values())
    return {v for v, c in counts.items() if c == top and c >= DOMINANT_MIN_MENTIONS}


def document_event(title: str, published: str | None, text: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """The years and editions a document is about: ``(years, editions)``, each sorted, possibly empty.

    Years: those its title names, its publication year, and the year its text names most often (at
    least twice). Editions: the first its title names, else the first its lead (the first :data:`LEAD_CHARS`
    characters) names, else the one its text names most often (at least twice): a history paragraph
    further down ("since the first summit in 2014") does not make a release about the first edition.
    A first edition (首届, "the first") gives way to a numbered one the title or lead also names: "first online fair"
    in a release about the 127th is about the 127th. A release dated 2030 about "第6届" gives ``((2030,), (6,))``.
    """
    years = set(year_mentions(title)) | _dominant(Counter(year_mentions(text)))
    if published and published[:4].isdigit():
        years.add(int(published[:4]))
    # the first the title (else the lead) names: "第五届开幕 首届配套展同期举行" is about the 5th
    first = edition_mentions(title)[:1] or edition_mentions(text[:LEAD_CHARS])[:1]
    # 首届 / "the first" is often a first of its kind ("首届网上…", "first online fair"), not the event's edition
    if first == [1]:
        numbered = [n for n in edition_mentions(title + "\n" + text[:LEAD_CHARS]) if n > 1]
        first = numbered[:1] or first
    named = set(first) or _dominant(Counter(edition_mentions(text)))
    return tuple(sorted(years)), tuple(sorted(named))


#: a part of one edition: 第二期 (phase), 第三天 (day), 第一阶段 (stage); phase 2, day 3, the second phase
_PART_ZH = re.compile(rf"第([0-9{CN_NUMERALS}]{{1,3}})(期|天|日|阶段|階段)")
_PART_EN = re.compile(
    rf"\b(?:(phase|day|stage)\s+(\d{{1,2}}|{'|'.join(ORDINAL_WORDS[:5])})\b"
    rf"|(?:the\s+)?({'|'.join(ORDINAL_WORDS)}|\d{{1,2}}(?:st|nd|rd|th))\s+(?:and\s+(?:final|last)\s+)?(phase|day|stage)\b)",
    re.I,
)
_PART_UNITS = {"期": "phase", "阶段": "stage", "階段": "stage", "天": "day", "日": "day"}


def parts_named(text: str) -> set[tuple[str, int]]:
    """The parts of an edition a text names, as (unit, number): 第二期 -> ("phase", 2), "day 3" -> ("day", 3),
    "the second phase" -> ("phase", 2). A question about phase 2 is not answered by phase 1's figures."""
    out: set[tuple[str, int]] = set()
    for num, unit in _PART_ZH.findall(text):
        n = cn_int(num)
        if n is not None:
            out.add((_PART_UNITS[unit], n))
    for m in _PART_EN.finditer(text):
        unit = (m.group(1) or m.group(4)).lower()
        raw = (m.group(2) or m.group(3)).lower()
        n = ORDINAL_WORDS.index(raw) + 1 if raw in ORDINAL_WORDS else int(re.sub(r"\D", "", raw))
        out.add((unit, n))
    return out
