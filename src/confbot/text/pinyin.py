"""Pinyin annotations left in reprinted text: ``會(huì)``, ``东（dong） 盟``, ``显(xian) 示``, ``博bó览会``.

An annotation is one pinyin syllable, toned or toneless, lower case, in ASCII or full-width parentheses,
right after a Han character (traditional or simplified). It counts only when the syllable is in the
standard inventory (``data/pinyin_syllables.txt``), so ``(WAIC 2022)``, ``(2024—2026年)``, ``(英文版)``
and ``(Shanghai)`` are real parentheses and stay. Spaces the annotation left before the next Han
character or Chinese punctuation go with it.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from importlib import resources

from confbot.text.cjk import CJK_RANGES

# A run of letters that might be one syllable: a-z, ü/v, and the toned vowels (decomposed or not).
_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ"
_ANNOTATION_RE = re.compile(
    rf"(?<=[{CJK_RANGES}])(?:\(|（)([a-zü{_TONED}\u0300-\u0304\u030c]{{1,6}})(?:\)|）)([ \t\u00a0\u3000]*)"
)
# what may follow an annotation's trailing spaces for them to be dropped: a Han character or Chinese punctuation
_JOINS_RE = re.compile(rf"[{CJK_RANGES}，。、；：？！“”‘’（）《》「」『』【】—…·]")


@functools.lru_cache(maxsize=1)
def syllables() -> frozenset[str]:
    """The standard toneless pinyin syllables (ü written ``v``)."""
    data = resources.files("confbot").joinpath("data/pinyin_syllables.txt").read_text(encoding="utf-8")
    return frozenset(w for line in data.splitlines() if not line.startswith("#") for w in line.split())


def toneless(syllable: str) -> str:
    """``lǘ`` -> ``lv``, ``huì`` -> ``hui``: tone marks dropped, ü written ``v``."""
    decomposed = unicodedata.normalize("NFD", syllable)
    base = "".join(ch for ch in decomposed if not unicodedata.combining(ch) or ch == "\u0308")
    return unicodedata.normalize("NFC", base).replace("ü", "v").replace("u\u0308", "v")


def is_syllable(word: str) -> bool:
    plain = toneless(word)
    if plain in syllables():
        return True
    # lüe / nüe are also written lue / nue
    return plain in {"lue", "nue"}


#: pinyin written straight after its character, no parentheses: 博bó览会, 各gè方，, 派出chū120名 (a whole word:
#: no Latin letter on either side)
_BARE_RE = re.compile(
    rf"(?<=[{CJK_RANGES}])([a-zü{_TONED}\u0300-\u0304\u030c]{{1,6}})(?![A-Za-zü{_TONED}\u0300-\u0304\u030c])"
)
_TONE_MARK_RE = re.compile(rf"[{_TONED}\u0300-\u0304\u030c]")


#: a word's pinyin in one pair of parentheses after it: 博览会（bó lǎn huì）, 博览会(bólǎnhuì)
_WORD_ANNOTATION_RE = re.compile(
    rf"(?<=[{CJK_RANGES}])(?:\(|（)((?:[a-zü{_TONED}\u0300-\u0304\u030c]+[ \u00a0'’-]?){{2,12}})(?:\)|）)([ \t\u00a0\u3000]*)"
)


def split_syllables(word: str) -> list[str] | None:
    """A run of pinyin written together (``bólǎnhuì``) as its syllables (``bó lǎn huì``), or None when it is not
    one; the longest syllable first, backtracking (``xian`` before ``xi an``)."""
    plain = toneless(word)
    if len(plain) != len(word):
        return None

    @functools.cache
    def rest(i: int) -> tuple[str, ...] | None:
        if i == len(plain):
            return ()
        for j in range(min(len(plain), i + 6), i, -1):
            if is_syllable(plain[i:j]) and (tail := rest(j)) is not None:
                return (word[i:j], *tail)
        return None

    got = rest(0)
    return list(got) if got else None


def _strip_word_annotations(text: str) -> tuple[str, int]:
    """Remove a whole word's toned pinyin in parentheses (several syllables, spaced or not); toneless runs stay:
    "(shanghai)" may be a name."""
    removed = 0

    def drop(m: re.Match[str]) -> str:
        nonlocal removed
        inner = m.group(1).strip()
        if not _TONE_MARK_RE.search(inner):
            return m.group(0)
        pieces = [p for p in re.split(r"[ \u00a0'’-]+", inner) if p]
        sylls = [s for p in pieces for s in (split_syllables(p) or [""])]
        if len(sylls) < 2 or not all(sylls):
            return m.group(0)
        removed += 1
        nxt = text[m.end()] if m.end() < len(text) else ""
        return "" if (not m.group(2) or _JOINS_RE.match(nxt)) else m.group(2)

    return _WORD_ANNOTATION_RE.sub(drop, text), removed


def strip_annotations(text: str) -> tuple[str, int]:
    """(text without pinyin annotations, how many were removed): a syllable in parentheses after a Han character,
    a word's toned syllables in one pair of parentheses after it (博览会（bó lǎn huì）, 博览会(bólǎnhuì)),
    or a toned one glued as a whole word after a Han character (博bó览会, 派出chū120名; a toneless one stays:
    "人工智能ai技术" is no annotation)."""
    text, removed = _strip_bare(text)
    text, words = _strip_word_annotations(text)
    removed += words

    def drop(m: re.Match[str]) -> str:
        nonlocal removed
        if not is_syllable(m.group(1)):
            return m.group(0)
        removed += 1
        spaces = m.group(2)
        nxt = text[m.end()] if m.end() < len(text) else ""
        return "" if (not spaces or _JOINS_RE.match(nxt)) else spaces

    return _ANNOTATION_RE.sub(drop, text), removed


def _strip_bare(text: str) -> tuple[str, int]:
    removed = 0

    def drop(m: re.Match[str]) -> str:
        nonlocal removed
        word = m.group(1)
        if not is_syllable(word) or not _TONE_MARK_RE.search(word):
            return word
        removed += 1
        return ""

    return _BARE_RE.sub(drop, text), removed
