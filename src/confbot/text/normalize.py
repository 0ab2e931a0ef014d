"""Text repair for press material as it arrives: pure functions, no I/O.

The received press release carries three kinds of damage:

* every traditional character is followed by a toned-pinyin annotation: ``聯(lián)``;
* ASCII punctuation inside Chinese text: ``11月5日,2024``;
* a few spans mangled by a bad re-encoding: ``規(guī);瘧(yīng)用`` is 规模化应用.

:func:`normalize` repairs all three and converts traditional to simplified Chinese.
:func:`canonical` is the comparison form used by the eval and by citation checks.
"""

from __future__ import annotations

import functools
import re
import unicodedata

#: Bump when the output of :func:`normalize` changes: indexes built with another version are rebuilt.
NORMALIZATION_VERSION = "1"

#: the CJK ideograph ranges (unified, extension A, compatibility, extensions B and later): the one definition
CJK_CLASS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff"
_CJK_RE = re.compile(f"[{CJK_CLASS}]")

# Spans mangled beyond the pinyin pattern, seen in received material, with their repair.
# Keys are the raw damaged text; values are the simplified repair.
MANGLED_SPANS: dict[str, str] = {
    "規(guī);瘧(yīng)用": "规模化应用",
    "鏈?zhǔn)絽f(xié)同": "链式协同",
}

_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ"
# Pinyin syllables written without a tone mark (neutral tone) that appear as annotations.
_NEUTRAL = "de|le|me|men|ma|ne|ba|zi|zhe|guo|la|ya|wa|na|a|o|er|tou|li|shang|xia"
_PINYIN_ANNOTATION = re.compile(rf"(?<=[{CJK_CLASS}])\((?:[a-zü]*[{_TONED}][a-zü]*|(?:{_NEUTRAL}))\)")

_HALF_TO_FULL = {",": "，", ";": "；", ":": "：", "?": "？", "!": "！"}
_PUNCT_RE = re.compile(r"[,;:?!]")
_PAREN_RE = re.compile(r"\(([^()\n]*)\)")
_SENTENCE_DOT_RE = re.compile(rf"(?<=[{CJK_CLASS}”」』）])\.(?!\d)")
_ZERO_WIDTH_RE = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")
_SPACES_RE = re.compile(r"[ \t\u00a0\u3000]+")
_BLANK_LINES_RE = re.compile(r"\n{3,}")
_FULLWIDTH_ALNUM = {
    c: c - 0xFEE0 for c in list(range(0xFF10, 0xFF1A)) + list(range(0xFF21, 0xFF3B)) + list(range(0xFF41, 0xFF5B))
}
# Damage no rule repaired, looked for in normalized text: a stray ?/;/� between CJK characters, a
# leftover pinyin fragment, a replacement character.
_SUSPICIOUS_RE = re.compile(rf"[{CJK_CLASS}][?;�？][{CJK_CLASS}]|[{CJK_CLASS}]\(?[a-zü]*[{_TONED}][a-zü]*\)?|�")


def is_cjk(ch: str) -> bool:
    return bool(_CJK_RE.match(ch))


def has_cjk(text: str) -> bool:
    return bool(_CJK_RE.search(text))


def repair_mangled(text: str) -> str:
    """Replace the known mangled spans with their repair."""
    for bad, good in MANGLED_SPANS.items():
        text = text.replace(bad, good)
    return text


def strip_pinyin(text: str) -> str:
    """Drop ``(pīn)`` annotations after CJK characters; keep real parentheses such as ``(2024—2026年)``."""
    return _PINYIN_ANNOTATION.sub("", text)


@functools.lru_cache(maxsize=1)
def _t2s_converter():  # type: ignore[no-untyped-def]
    from opencc import OpenCC

    return OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional → simplified Chinese (OpenCC ``t2s``); other text passes through."""
    if not has_cjk(text):
        return text
    return str(_t2s_converter().convert(text))


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


def normalize(text: str) -> str:
    """Repair received text into clean simplified Chinese (English passes through)."""
    text = unicodedata.normalize("NFC", text)
    text = text.translate(_FULLWIDTH_ALNUM)
    text = repair_mangled(text)
    text = strip_pinyin(text)
    text = to_simplified(text)
    text = clean_whitespace(text)
    return fullwidth_punctuation(text)


def normalize_query(text: str) -> str:
    """Questions get the same repair as documents, so traditional questions match simplified text."""
    return normalize(text)


@functools.lru_cache(maxsize=32768)
def canonical(text: str) -> str:
    """Comparison form: pinyin stripped, t2s, NFKC, lower-cased, punctuation and whitespace dropped.

    Memoized: answers compare the same retrieved sentences and question terms again and again, and OpenCC
    costs most of an extractive answer otherwise."""
    text = strip_pinyin(repair_mangled(unicodedata.normalize("NFC", text)))
    text = unicodedata.normalize("NFKC", to_simplified(text)).lower()
    return "".join(ch for ch in text if not (ch.isspace() or unicodedata.category(ch).startswith("P")))


def suspicious_spans(text: str, context: int = 6) -> list[str]:
    """Spans of raw text that look damaged but no rule repaired (reported at ingest, never silently dropped)."""
    found = []
    for m in _SUSPICIOUS_RE.finditer(text):
        found.append(text[max(0, m.start() - context) : m.end() + context])
    return found
