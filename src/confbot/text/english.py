"""English word stems (Snowball's English stemmer, via ``snowballstemmer``).

BM25 and the answer selector compare English words by stem, so "forums" finds "forum" and
"exhibited" finds "exhibitors": an English question over an English release is judged on the
same footing as a Chinese one over a Chinese release.
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Set as AbstractSet

_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")
_LOCAL = threading.local()


def _stemmer():  # type: ignore[no-untyped-def]
    """This thread's stemmer: a Snowball stemmer keeps the word being stemmed in itself, so threads sharing one
    (the app's and the API's worker threads) corrupt each other's words (IndexError: string index out of range)."""
    found = getattr(_LOCAL, "stemmer", None)
    if found is None:
        import snowballstemmer

        found = _LOCAL.stemmer = snowballstemmer.stemmer("english")
    return found


@functools.lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The Snowball (Porter2) stem of one lower-case English word: ``forums`` -> ``forum``; other text unchanged."""
    if not word.isascii() or not word.isalpha():
        return word
    return str(_stemmer().stemWord(word))


def stems(text: str) -> set[str]:
    """The stems of the English words of ``text`` (lower-cased; possessive 's dropped)."""
    return {stem(w.removesuffix("'s")) for w in _WORD.findall(text.lower().replace("’", "'"))}


def phrase_in(phrase: str, text_stems: AbstractSet[str]) -> bool:
    """Whether every word of an English ``phrase`` is in ``text_stems`` (a sentence's :func:`stems`)."""
    words = [stem(w) for w in _WORD.findall(phrase.lower())]
    return bool(words) and all(w in text_stems for w in words)
