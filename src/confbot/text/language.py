"""The language of a passage (zh or en), for ranking passages of each language apart."""

from __future__ import annotations

import re

from confbot.text.normalize import has_cjk

#: a chunk whose share of CJK characters among its letters is below this is English (measured: English
#: releases quoting a Chinese name stay under 0.05, Chinese text with English acronyms over 0.6)
CJK_SHARE_FOR_ZH = 0.3


def text_language(text: str) -> str:
    """``zh`` or ``en``: by the share of CJK characters among the letters (see :data:`CJK_SHARE_FOR_ZH`)."""
    if not has_cjk(text):
        return "en" if re.search(r"[A-Za-z]{2,}", text) else "zh"
    letters = [ch for ch in text if ch.isalpha()]
    cjk = sum(1 for ch in letters if has_cjk(ch))
    return "zh" if cjk / max(len(letters), 1) >= CJK_SHARE_FOR_ZH else "en"
