"""Text repair for press material as it arrives: pure functions, no I/O.

Received press releases carry these kinds of damage:

* pinyin annotations after characters, toned or not, in ASCII or full-width parentheses: ``聯(lián)``,
  ``东（dong） 盟`` (:mod:`confbot.text.pinyin`);
* mojibake, UTF-8 once read as GBK, Big5 or latin-1: ``鍖椾含`` (:mod:`confbot.text.mojibake`);
* ASCII punctuation inside Chinese text: ``11月5日,2024``;
* damage no rule can undo, fixed by the press office's own corrections (``corrections``: damaged -> repaired).

:func:`normalize` repairs them and converts traditional to simplified Chinese; :func:`repair` also says
what it repaired.
:func:`canonical` is the comparison form used by the eval and by citation checks.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field

from confbot.text.cjk import CJK_RANGES, is_cjk, to_simplified
from confbot.text.cjk import has_cjk as has_cjk  # re-exported: the answer modules import it from here
from confbot.text.mojibake import MojibakeReport, repair_mojibake
from confbot.text.pinyin import strip_annotations

#: Bump when the output of :func:`normalize` changes: indexes built with another version are rebuilt.
NORMALIZATION_VERSION = (  # 3: toned pinyin glued after its character (博bó览会) removed; 4: also before a digit or a
    "5"  # line end; 5: a word's toned pinyin in one pair of parentheses (主宾国（zhǔ bīn guó）, 博览会(bólǎnhuì))
)


_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ"

_HALF_TO_FULL = {",": "，", ";": "；", ":": "：", "?": "？", "!": "！"}
_PUNCT_RE = re.compile(r"[,;:?!]")
_PAREN_RE = re.compile(r"\(([^()\n]*)\)")
_SENTENCE_DOT_RE = re.compile(rf"(?<=[{CJK_RANGES}”」』）])\.(?!\d)")
_ZERO_WIDTH_RE = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")
_SPACES_RE = re.compile(r"[ \t\u00a0\u3000]+")
_BLANK_LINES_RE = re.compile(r"\n{3,}")
_FULLWIDTH_ALNUM = {
    c: c - 0xFEE0 for c in list(range(0xFF10, 0xFF1A)) + list(range(0xFF21, 0xFF3B)) + list(range(0xFF41, 0xFF5B))
}
# Damage no rule repaired, looked for in normalized text: a stray ?/;/� between CJK characters, a
# leftover pinyin fragment, a replacement character.
_SUSPICIOUS_RE = re.compile(
    rf"[{CJK_RANGES}][?;�？][{CJK_RANGES}]|[{CJK_RANGES}][(（]?[a-zü ]*[{_TONED}][a-zü ]*[)）]?|�"
)  # a stray ? between Han characters, toned letters after one (in any parentheses), a replacement character

#: a clause asking something: a question word or a closing particle (吗, 呢) of Chinese
_QUESTION_CLAUSE = re.compile(r"哪|什么|谁|怎|如何|多少|几[个位家项届年天]|为何|为什么|是否|吗|呢|么$")


@dataclass
class Repairs:
    """What :func:`repair` did to one text."""

    pinyin: int = 0
    mojibake: MojibakeReport = field(default_factory=MojibakeReport)
    corrected: int = 0

    def summary(self) -> list[str]:
        """Human-readable lines, e.g. ``3 pinyin annotations removed``; empty when nothing was repaired."""
        out = []
        if self.corrected:
            out.append(f"{self.corrected} span{'s' * (self.corrected != 1)} fixed from the corrections file")
        if self.pinyin:
            out.append(f"{self.pinyin} pinyin annotation{'s' * (self.pinyin != 1)} removed")
        if self.mojibake.repaired:
            n = self.mojibake.repaired
            out.append(f"{n} mojibake span{'s' * (n != 1)} repaired")
        for bad, kept in zip(self.mojibake.dropped, self.mojibake.partly, strict=True):
            if kept:
                out.append(f"1 mojibake span partly dropped (bytes lost in {bad!r}): kept {kept!r}, dropped the rest")
            else:
                out.append(f"1 mojibake span dropped (bytes lost in {bad!r})")
        return out


def apply_corrections(text: str, corrections: Mapping[str, str] | None) -> tuple[str, int]:
    """Replace each damaged span the press office listed (``corrections``: damaged -> repaired); (text, count)."""
    n = 0
    for bad, good in (corrections or {}).items():
        if bad and bad in text:
            n += text.count(bad)
            text = text.replace(bad, good)
    return text, n


def strip_pinyin(text: str) -> str:
    """Drop ``(pīn)`` annotations after CJK characters; keep real parentheses such as ``(2024—2026年)``."""
    return strip_annotations(text)[0]


def _touches_cjk(text: str, start: int, end: int) -> bool:
    """Whether the nearest non-space character before ``start`` or after ``end`` is CJK."""
    i = start - 1
    while i >= 0 and text[i] == " ":
        i -= 1
    j = end
    while j < len(text) and text[j] == " ":
        j += 1
    before = text[i] if i >= 0 else ""
    after = text[j] if j < len(text) else ""
    return bool(before and (is_cjk(before) or before in "”」』）》")) or bool(after and is_cjk(after))


def fullwidth_punctuation(text: str) -> str:
    """ASCII punctuation inside Chinese text becomes full-width; English text and numbers keep theirs."""

    def paren(m: re.Match[str]) -> str:
        inner = m.group(1)
        if _touches_cjk(text, m.start(), m.end()) or (inner and (is_cjk(inner[0]) or is_cjk(inner[-1]))):
            return f"（{inner}）"
        return m.group(0)

    text = _PAREN_RE.sub(paren, text)

    def punct(m: re.Match[str]) -> str:
        c = m.group(0)
        prev = text[m.start() - 1] if m.start() > 0 else ""
        nxt = text[m.end()] if m.end() < len(text) else ""
        if c in ",:" and prev.isdigit() and nxt.isdigit():
            return c  # 1,000 or 10:30
        if _touches_cjk(text, m.start(), m.end()):
            return _HALF_TO_FULL[c]
        return c

    text = _PUNCT_RE.sub(punct, text)
    return _SENTENCE_DOT_RE.sub("。", text)


def clean_whitespace(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _ZERO_WIDTH_RE.sub("", text)
    lines = [_SPACES_RE.sub(" ", line).strip() for line in text.split("\n")]
    return _BLANK_LINES_RE.sub("\n\n", "\n".join(lines)).strip()


def repair(text: str, into: Repairs | None = None, corrections: Mapping[str, str] | None = None) -> tuple[str, Repairs]:
    """Repair received text into clean simplified Chinese (English passes through), saying what was repaired.

    ``into``: add the counts to these repairs (a file repaired page by page) instead of new ones;
    ``corrections``: the press office's own fixes for damage no rule can undo (damaged -> repaired)."""
    fixed, _, repairs = repair_aligned(text, into, corrections)
    return fixed, repairs


def repair_aligned(
    text: str, into: Repairs | None = None, corrections: Mapping[str, str] | None = None
) -> tuple[str, str, Repairs]:
    """:func:`repair`, and the repaired text in its own script: (simplified, original, repairs), where
    ``original`` is the same repaired text with its traditional characters kept, offset for offset with
    ``simplified`` (a citation's ``[start:end]`` quotes the file as written), or "" when it would be the same text
    or when OpenCC's phrase conversion changed a length (no offset map then: quotes stay simplified)."""
    repairs = into if into is not None else Repairs()
    text, repairs.corrected = apply_corrections(text, corrections)  # first: the damage exactly as received
    text = repair_mojibake(text, repairs.mojibake)  # on the characters exactly as the wrong codec wrote them
    text = unicodedata.normalize("NFC", text)
    text = text.translate(_FULLWIDTH_ALNUM)
    text, n = strip_annotations(text)
    repairs.pinyin += n
    simplified = to_simplified(text)
    fixed = fullwidth_punctuation(clean_whitespace(simplified))
    if simplified == text:
        return fixed, "", repairs
    original = fullwidth_punctuation(clean_whitespace(text))  # the steps after t2s work character by character
    return fixed, original if len(original) == len(fixed) else "", repairs


def normalize(text: str) -> str:
    """Repair received text into clean simplified Chinese (English passes through)."""
    return repair(text)[0]


def normalize_query(text: str) -> str:
    """Questions get the same repair as documents, so traditional questions match simplified text."""
    return normalize(text)


@functools.lru_cache(maxsize=32768)
def canonical(text: str) -> str:
    """Comparison form: pinyin stripped, t2s, NFKC, lower-cased, punctuation and whitespace dropped.

    Memoized: answers compare the same retrieved sentences and question terms again and again, and OpenCC
    costs most of an extractive answer otherwise."""
    text = strip_pinyin(unicodedata.normalize("NFC", text))
    text = unicodedata.normalize("NFKC", to_simplified(text)).lower()
    return "".join(ch for ch in text if not (ch.isspace() or unicodedata.category(ch).startswith("P")))


def suspicious_spans(text: str, context: int = 6) -> list[str]:
    """Spans of raw text that look damaged but no rule repaired (reported at ingest, never silently dropped).

    A question mark between Han characters is damage unless it closes a question (本届星河会有哪些看点？据了解…):
    the clause before it holds a question word (:data:`_QUESTION_CLAUSE`)."""
    found = []
    for m in _SUSPICIOUS_RE.finditer(text):
        if m.group()[1:2] in ("?", "？"):  # not "" (a lone replacement character)
            clause = text[max(text.rfind(c, 0, m.start() + 1) for c in "。！？!?\n；") + 1 : m.start() + 1]
            if _QUESTION_CLAUSE.search(clause):
                continue
        found.append(text[max(0, m.start() - context) : m.end() + context])
    return found
