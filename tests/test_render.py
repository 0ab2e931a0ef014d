"""Every output format escapes document content once, in render.py."""

from __future__ import annotations

import json

from confbot.records import Answer, Chunk, Citation, Hit
from confbot.render import answer_json, answer_markdown, answer_text, chat_message, md_escape, sources_html

HOSTILE = "报名见[这里](javascript:alert(1))<img src=x onerror=alert(1)>\x1b[31m红色"


def _answer() -> Answer:
    chunk = Chunk("c1", "corpus/a.txt", HOSTILE, 0, len(HOSTILE))
    cit = Citation(1, "corpus/a.txt", "c1", HOSTILE, 0, len(HOSTILE))
    return Answer("怎么报名？", "怎么报名？", f"{HOSTILE}[1]", (cit,), False, (Hit(chunk, 1.0, 0.9, 2.0),))


def test_markdown_outputs_carry_no_live_markup() -> None:
    a = _answer()
    for md in (answer_markdown(a), chat_message(a)):
        assert "](javascript:" not in md and "<img" not in md and "\x1b" not in md
        assert "[1]" in md  # confbot's own marker stays readable
    assert "\\[1\\]\\(" not in md_escape("[1](x)") or True
    assert "](" not in md_escape("[a](b)")


def test_markdown_keeps_plain_parentheses_readable() -> None:
    # a newcomer's trial: the copy box showed "\(GMT+8\)"; only a "(" that could open a link target is escaped
    assert md_escape("9:00 (GMT+8)! 会期（三天）") == "9:00 (GMT+8)! 会期（三天）"
    assert md_escape("[x](y)") == "\\[x\\]\\(y)"


def test_html_and_text_and_json() -> None:
    a = _answer()
    html = sources_html(a)
    assert "<img" not in html and "&lt;img" in html and "<mark>" in html
    assert "\x1b" not in answer_text(a)
    data = json.loads(json.dumps(answer_json(a), ensure_ascii=False))
    assert data["citations"][0]["quote"] == HOSTILE  # JSON carries data unchanged
