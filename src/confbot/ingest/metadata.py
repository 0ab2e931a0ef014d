"""What a document says about itself: its title and publication date, and each chunk's language.

Dates come from the document's own text, in this order: a labelled line (``发布时间：2024-08-01``,
``Release date: 2023-09-26``, ``日期：2024年8月1日``), then a full date in its first lines (a
Chinese ``2024年8月1日``, an ISO ``2024-08-01`` or an English dateline ``Shanghai, August 26, 2022
-``). A date inside the body (an event's dates) is not taken for the publication date. When the
text has none, a full date opening the file's name (``2024-08-14_closing.txt``, ``20240814-release.pdf``, as press
offices name their files) is taken, marked ``file-name``; the file's modification time is the last resort, marked
``file-time`` (and not used for events: it says when the file was copied).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

#: lines at the top of a document that may hold its dateline
HEAD_LINES = 6

_MONTHS = {
    m: i
    for i, m in enumerate(["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)
}
_LABEL = re.compile(
    r"(发布时间|发布日期|发稿时间|更新时间|release date|published|date of release)\s*[:：]\s*(.+)", re.I
)
_ZH_DATE = re.compile(r"((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_ISO_DATE = re.compile(r"\b((?:19|20)\d{2})[-/.](\d{1,2})[-/.](\d{1,2})\b")
_EN_DATE = re.compile(
    r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+(\d{1,2}),?\s+((?:19|20)\d{2})\b", re.I
)
_DATELINE_ONLY = re.compile(r"^[\W\d_]*$|^(发布时间|发布日期|日期|release date|published)|电[）)]?$|[—-]$", re.I)
#: "<City>, March 3, 2030 - " before an English release's first sentence
_EN_DATELINE = re.compile(r"^[A-Z][A-Za-z .]{1,30},\s+[A-Za-z]{3,9}\.?\s+\d{1,2},?\s+\d{4}\s*[-—–]+\s*")


@dataclass(frozen=True)
class DocumentInfo:
    """``title`` (≤ 80 characters), ``published`` (ISO date or None) and where the date came from
    (``text``, ``file-time`` or ``""`` when unknown)."""

    title: str
    published: str | None
    published_from: str


def find_date(text: str) -> str | None:
    """The first full date in ``text`` as ``YYYY-MM-DD`` (Chinese, ISO or English form), or None."""
    found: list[tuple[int, str]] = []
    for m in _ZH_DATE.finditer(text):
        found.append((m.start(), _iso(m.group(1), m.group(2), m.group(3))))
    for m in _ISO_DATE.finditer(text):
        found.append((m.start(), _iso(m.group(1), m.group(2), m.group(3))))
    for m in _EN_DATE.finditer(text):
        found.append((m.start(), _iso(m.group(3), str(_MONTHS[m.group(1).lower()[:3]]), m.group(2))))
    valid = [(pos, d) for pos, d in found if d]
    return min(valid)[1] if valid else None


def _iso(y: str, m: str, d: str) -> str:
    try:
        return dt.date(int(y), int(m), int(d)).isoformat()
    except ValueError:
        return ""


def published_date(text: str) -> str | None:
    """The publication date a document states at its top (see the module docstring), or None."""
    head = [ln.strip() for ln in text.strip().splitlines()[:HEAD_LINES] if ln.strip()]
    for line in head:
        m = _LABEL.search(line)
        if m and (d := find_date(m.group(2))):
            return d
    for line in head:
        dateline = _EN_DATELINE.match(line) or re.match(r".{0,16}\d{4}年\d{1,2}月\d{1,2}日电", line)
        starts = re.match(r"[\W_]{0,3}((19|20)\d{2}[年./-]|[A-Z][a-z]{2,8}\.? \d)", line)
        if (dateline or (starts and len(line) <= 30)) and (d := find_date(line[:60])):  # a dateline or a date line
            return d
    return None


def is_dateline(sentence: str) -> bool:
    """Whether a sentence is only a labelled publication date (``发布时间：2024-08-01``, ``Release date: …``):
    it says when the release appeared, not when anything it reports happens."""
    m = _LABEL.match(sentence.strip())
    return m is not None and find_date(m.group(2)) is not None and len(m.group(2).strip()) <= 30


def title_of(text: str) -> str:
    """The first line that is not a dateline, shortened to its first sentence and 80 characters."""
    for line in text.strip().splitlines()[:HEAD_LINES]:
        line = _EN_DATELINE.sub("", line.strip())
        # NEWS RELEASE, PRESS RELEASE (Latin only: str.isupper() is also true of 中国5G大会…, whose only cased letter is G)
        generic = line.isascii() and line.isupper() and len(line.split()) <= 4
        if len(line) < 4 or generic or _DATELINE_ONLY.search(line) or (find_date(line) and len(line) < 40):
            continue
        first = re.split(r"(?<=[。！？!?])|(?<=\.)\s", line, maxsplit=1)[0]
        return first[:80]
    return ""


#: a date opening a file's name: 2024-08-14_…, 2024_08_14-…, 20240814…
_NAME_DATE = re.compile(r"^((?:19|20)\d{2})[-_.]?(\d{2})[-_.]?(\d{2})(?!\d)")


def name_date(file_name: str) -> str | None:
    """The date a file's name opens with, as ``YYYY-MM-DD`` (``2024-08-14_closing.txt``), or None."""
    m = _NAME_DATE.match(file_name)
    return (_iso(m.group(1), m.group(2), m.group(3)) or None) if m else None


def describe(text: str, mtime: float | None = None, file_name: str = "") -> DocumentInfo:
    """Title and publication date of a normalized document: the date its text states, else the one its file's name
    opens with (``file-name``), else ``mtime`` (seconds since the epoch, marked ``file-time``)."""
    published = published_date(text)
    if published:
        return DocumentInfo(title_of(text), published, "text")
    if named := name_date(file_name):
        return DocumentInfo(title_of(text), named, "file-name")
    if mtime is not None:
        return DocumentInfo(title_of(text), dt.date.fromtimestamp(mtime).isoformat(), "file-time")
    return DocumentInfo(title_of(text), None, "")
