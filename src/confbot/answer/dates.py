"""Relative dates: "大会明天开幕吗？" answered with the event's dates and what they mean today.

The event's dates are read from the answer's best sentence (``11月19日至21日``, ``11月19日``,
``November 19``); the year from that sentence or else its release's date. Today comes from the
system clock, or ``CONFBOT_TODAY`` (an ISO date) for tests and replays.
"""

from __future__ import annotations

import datetime as dt
import re

RELATIVE = re.compile(
    r"今天|明天|后天|昨天|下周|本周|这周|周末|今年|明年|today|tomorrow|yesterday|this week|next week"
    r"|this weekend|this year|next year",
    re.I,
)
_RANGE = re.compile(
    r"(?:((?:19|20)\d{2})年)?(\d{1,2})月(\d{1,2})日(?:\s*(?:至|到|-|—|–|~)\s*(?:(\d{1,2})月)?(\d{1,2})日)?"
)
_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
_EN_RANGE = re.compile(
    r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+(\d{1,2})(?:\s*(?:-|–|to)\s*(\d{1,2}))?"
    r"(?:,?\s+((?:19|20)\d{2}))?",
    re.I,
)
_NOTE = {
    "zh": "（今天是{today}。按材料，活动{span}{state}。）",
    "zh-Hant": "（今天是{today}。按材料，活動{span}{state}。）",
    "en": " (Today is {today}. By the materials the event {span_en}{state}.)",
}
_STATE = {
    "zh": {"before": "，还有{n}天开始", "during": "，正在进行", "after": "，已经结束", "tomorrow": "，明天开始"},
    "en": {
        "before": ", {n} days from now",
        "during": ", and it is on now",
        "after": ", and it is over",
        "tomorrow": ", starting tomorrow",
    },
}


def event_span(text: str, published: str | None, today: dt.date) -> tuple[dt.date, dt.date] | None:
    """The first date or date range in ``text`` as (start, end); None when it names no full day."""
    year_hint = int(published[:4]) if published else today.year
    m = _RANGE.search(text)
    try:
        if m:
            year = int(m.group(1) or year_hint)
            start = dt.date(year, int(m.group(2)), int(m.group(3)))
            end = dt.date(year, int(m.group(4) or m.group(2)), int(m.group(5))) if m.group(5) else start
            return start, max(start, end)
        e = _EN_RANGE.search(text)
        if e:
            year = int(e.group(4) or year_hint)
            month = _MONTHS.index(e.group(1).lower()[:3]) + 1
            start = dt.date(year, month, int(e.group(2)))
            end = dt.date(year, month, int(e.group(3))) if e.group(3) else start
            return start, max(start, end)
    except ValueError:
        return None
    return None


def relative_note(question: str, text: str, published: str | None, today: dt.date, lang: str) -> str:
    """What the event's dates mean relative to ``today``, when the question asks relative to today; else ""."""
    if not RELATIVE.search(question):
        return ""
    span = event_span(text, published, today)
    if span is None:
        return ""
    start, end = span
    key = "zh" if lang != "en" else "en"
    if start == today + dt.timedelta(days=1):
        state = _STATE[key]["tomorrow"]
    elif today < start:
        state = _STATE[key]["before"].format(n=(start - today).days)
    elif today <= end:
        state = _STATE[key]["during"]
    else:
        state = _STATE[key]["after"]
    span_zh = f"于{start.isoformat()}" + (f"至{end.isoformat()}" if end != start else "") + "举行"
    span_en = f"runs {start.isoformat()}" + (f" to {end.isoformat()}" if end != start else "")
    return _NOTE.get(lang, _NOTE["zh"]).format(today=today.isoformat(), span=span_zh, span_en=span_en, state=state)
