"""The one definition of "a Han character" used by every text module, and conversion between the two scripts."""

from __future__ import annotations

import functools
import re

#: CJK Unified Ideographs with extension A, compatibility ideographs and the supplementary planes B-F.
CJK_RANGES = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff"
CJK_RE = re.compile(f"[{CJK_RANGES}]")


def is_cjk(ch: str) -> bool:
    return bool(CJK_RE.match(ch))


def has_cjk(text: str) -> bool:
    return bool(CJK_RE.search(text))


@functools.lru_cache(maxsize=1)
def _t2s_converter():  # type: ignore[no-untyped-def]
    from opencc import OpenCC

    return OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional → simplified Chinese (OpenCC ``t2s``); other text passes through."""
    if not has_cjk(text):
        return text
    return str(_t2s_converter().convert(text))


@functools.lru_cache(maxsize=1)
def _s2t_converter():  # type: ignore[no-untyped-def]
    from opencc import OpenCC

    return OpenCC("s2t")


def to_traditional(text: str) -> str:
    """Simplified → traditional Chinese (OpenCC ``s2t``, for showing text to a reader of traditional characters;
    never for matching, which is done in simplified); other text passes through."""
    if not has_cjk(text):
        return text
    return str(_s2t_converter().convert(text))
