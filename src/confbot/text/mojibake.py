"""Mojibake: UTF-8 bytes that were once decoded as GBK, Big5 or latin-1, and written back as text.

``鍖椾含`` is ``北京`` read with the wrong codec: encoding the span back with that codec gives bytes that
decode as UTF-8 into common text. That round trip *is* the detector: a span is mojibake when its
bytes in GBK (or Big5) are valid UTF-8, the UTF-8 text is Han characters or Chinese punctuation, and
those characters are far more common than the ones on the page. No list of damaged characters is used.

Bytes the wrong decoder could not read were replaced by U+FFFD, one byte each. Such a byte is filled in
only with a value that reproduces what the decoder wrote and gives clearly the most likely character
(character frequency from jieba's general dictionary, and the words it would form with its neighbours).
Otherwise the span is cut after its last whole clause before the doubtful character (or dropped whole),
and what was dropped is reported. The latin-1 family (``â€œ``, ``Ã©``) is left to ftfy.
"""

from __future__ import annotations

import functools
import itertools
import math
import re
from dataclasses import dataclass, field

from confbot.text.cjk import CJK_RANGES, is_cjk, to_simplified

#: codecs whose mojibake is looked for, in order
CODECS = ("gbk", "big5")
#: a repaired span must be this much more common, in mean log10 frequency per character. Measured on the
#: development corpora: their six mojibake spans gain 1.7-2.2 when repaired, and no span of their clean text
#: (GBK, Big5 and UTF-8 files) round-trips at all, so the bar only guards against a chance fit.
MIN_GAIN = 1.0
#: a lost byte is filled in only when its best character beats the runner-up by this factor in likelihood.
#: On the development corpora the right characters won by x467 to x10^9, except twice by only x2 and x3
#: (the last character of a name with nothing after it): those spans are cut there instead of guessed.
MIN_ODDS = 20.0
#: at most this many lost bytes in one decoded character are searched (64 values each)
MAX_LOST_PER_CHAR = 2
#: consecutive damaged characters are filled in jointly, up to this many combinations
MAX_COMBINATIONS = 100_000
#: frequency given to Chinese punctuation, which jieba's dictionary lacks (about that of a common character)
PUNCT_FREQ = 100_000

_REPLACEMENT = "\ufffd"
# characters the wrong decoder can produce: anything beyond ASCII that is not a space
_RUN_RE = re.compile(r"[^\x00-\x7f\s]{2,}")
_PLAUSIBLE_RE = re.compile(f"[{CJK_RANGES}\u3000-\u303f\uff01-\uff5e\u2014\u2026\u201c\u201d\u2018\u2019\u00b7]")
_CLAUSE_PUNCT = "、，；：。"
_LATIN1_LINE_RE = re.compile(r"[\u00c0-\u00ff][\u0080-\u00bf\u2018-\u203a\u0152-\u0178\u02c6\u02dc]")


@dataclass
class MojibakeReport:
    repaired: int = 0
    #: spans (as found) that could not be repaired in full: dropped, or cut to their first clauses
    dropped: list[str] = field(default_factory=list)
    #: what was kept of each of those ("" when it was dropped whole)
    partly: list[str] = field(default_factory=list)


@functools.lru_cache(maxsize=1)
def _frequencies() -> tuple[dict[str, int], dict[str, int]]:
    """(character -> summed word frequency, word -> frequency) from jieba's general-domain dictionary."""
    import os

    import jieba

    chars: dict[str, int] = {}
    words: dict[str, int] = {}
    with open(os.path.join(os.path.dirname(jieba.__file__), "dict.txt"), encoding="utf-8") as fh:
        for line in fh:
            word, freq = line.split(" ", 2)[:2]
            n = int(freq)
            words[word] = n
            for ch in word:
                chars[ch] = chars.get(ch, 0) + n
    return chars, words


def _commonness(text: str) -> float:
    """Mean log10 frequency of the Han characters in ``text`` (simplified first)."""
    chars, _ = _frequencies()
    han = [c for c in to_simplified(text) if is_cjk(c)]
    if not han:
        return 0.0
    return sum(math.log10(chars.get(c, 0) + 1) for c in han) / len(han)


def _utf8_length(lead: int) -> int:
    if 0xC2 <= lead <= 0xDF:
        return 2
    if 0xE0 <= lead <= 0xEF:
        return 3
    return 0


def _char_bytes(ch: str, codec: str) -> list[int | None] | None:
    if ch == _REPLACEMENT:
        return [None]
    try:
        return list(ch.encode(codec))
    except UnicodeEncodeError:
        return None


@dataclass
class _Span:
    start: int  # offsets into the run
    end: int
    data: list[int | None]  # bytes, None where the decoder lost one


def _longest_utf8(run: str, i: int, codec: str) -> _Span | None:
    """The longest span from ``run[i]`` whose bytes are well-formed UTF-8 of plausible characters."""
    data: list[int | None] = []
    best: _Span | None = None
    char: list[int | None] = []  # the UTF-8 character being read
    for k in range(i, len(run)):
        b = _char_bytes(run[k], codec)
        if b is None:
            break
        for byte in b:
            if char:
                if byte is not None and not 0x80 <= byte <= 0xBF:
                    return best
            elif byte is not None and not _utf8_length(byte):
                return best
            char.append(byte)
            data.append(byte)
            if len(char) == (3 if char[0] is None else _utf8_length(char[0])):
                if None not in char and not _PLAUSIBLE_RE.match(bytes(char).decode("utf-8", errors="replace")):  # type: ignore[arg-type]
                    return best
                char = []
        if not char:
            best = _Span(i, k + 1, list(data))
    return best


def _decode_chars(data: list[int | None]) -> list[list[int | None]]:
    """Split well-formed UTF-8 bytes (with holes) into one byte list per character."""
    out: list[list[int | None]] = []
    j = 0
    while j < len(data):
        lead = data[j]
        n = 3 if lead is None else _utf8_length(lead)
        out.append(data[j : j + n])
        j += n
    return out


def _candidates(chars: list[list[int | None]], idx: int, observed: str, codec: str) -> list[str]:
    """Characters for ``chars[idx]`` whose lost bytes, filled in, reproduce what the wrong decoder wrote."""
    holes = [p for p, b in enumerate(chars[idx]) if b is None]
    if len(holes) > MAX_LOST_PER_CHAR:
        return []
    found = []
    for combo in _combos(len(holes)):
        cand = list(chars[idx])
        for p, v in zip(holes, combo, strict=True):
            cand[p] = v
        try:
            ch = bytes(cand).decode("utf-8")  # type: ignore[arg-type]
        except UnicodeDecodeError:
            continue
        if not _PLAUSIBLE_RE.match(ch):
            continue
        # the other holes as 0x80, a byte GBK and Big5 always replace on its own
        trial = [b if b is not None else 0x80 for c in chars[:idx] for b in c] + cand
        trial += [b if b is not None else 0x80 for c in chars[idx + 1 :] for b in c]
        if bytes(trial).decode(codec, errors="replace") == observed:  # type: ignore[arg-type]
            found.append(ch)
    return found


def _log_freq(ch: str) -> float:
    chars, _ = _frequencies()
    return math.log((chars.get(ch, 0) if is_cjk(ch) else PUNCT_FREQ) + 1)


def _fill_group(options: list[list[str]], prev: str, nxt: str) -> list[str] | None:
    """The likeliest characters for consecutive holes (each with its candidates) between ``prev`` and ``nxt``.

    Score: log character frequency plus twice the log frequency of the words formed with the neighbours."""
    _, words = _frequencies()
    scored: list[tuple[float, list[str]]] = []
    for combo in itertools.islice(itertools.product(*options), MAX_COMBINATIONS):
        seq = [prev, *combo, nxt]
        score = sum(_log_freq(c) for c in combo)
        score += 2 * sum(math.log(words.get(a + b, 0) + 1) for a, b in itertools.pairwise(seq) if a and b)
        scored.append((score, list(combo)))
    scored.sort(key=lambda t: -t[0])
    if not scored or (len(scored) > 1 and scored[0][0] - scored[1][0] < math.log(MIN_ODDS)):
        return None
    return scored[0][1]


def _combos(n: int) -> list[tuple[int, ...]]:
    if n == 0:
        return [()]
    return [(v, *rest) for v in range(0x80, 0x100) for rest in _combos(n - 1)]


def _decode_span(span: _Span, observed: str, codec: str) -> tuple[str, bool]:
    """(UTF-8 text of a span with its holes filled, whether all of it was).

    At a hole that cannot be filled with confidence the text stops after the last punctuation before it
    (whole names and phrases only, the punctuation left out), or is empty."""
    chars = _decode_chars(span.data)
    known = ["" if None in c else bytes(c).decode("utf-8", errors="replace") for c in chars]  # type: ignore[arg-type]
    options = [[] if k else _candidates(chars, i, observed, codec) for i, k in enumerate(known)]
    i = 0
    while i < len(known):
        if known[i]:
            i += 1
            continue
        j = i
        while j < len(known) and not known[j]:
            j += 1
        filled = _fill_group(options[i:j], known[i - 1] if i else "", known[j] if j < len(known) else "")
        if filled is None:
            cut = max((n for n, c in enumerate(known[:i]) if c in _CLAUSE_PUNCT), default=0)
            return "".join(known[:cut]), False
        known[i:j] = filled
        i = j
    return "".join(known), True


def _repair_run(run: str, codec: str, report: MojibakeReport) -> str:
    out: list[str] = []
    i = 0
    while i < len(run):
        span = _longest_utf8(run, i, codec)
        if span is None or span.end - span.start < 2:
            out.append(run[i])
            i += 1
            continue
        observed = run[span.start : span.end]
        if None in span.data:
            decoded, complete = _decode_span(span, observed, codec)
            readable = bytes(b for b in span.data if b is not None).decode("utf-8", errors="ignore")
        else:
            decoded, complete = bytes(span.data).decode("utf-8"), True  # type: ignore[arg-type]
            readable = decoded
        # a span holding U+FFFD is damaged anyway: there the byte fit alone decides when no character survived
        unmeasurable = None in span.data and not any(is_cjk(c) for c in readable)
        if not unmeasurable and _commonness(readable) - _commonness(observed) < MIN_GAIN:
            out.append(run[i])
            i += 1
            continue
        out.append(decoded)
        if complete:
            report.repaired += 1
        else:
            report.dropped.append(observed)
            report.partly.append(decoded)
        i = span.end
    return "".join(out)


def repair_mojibake(text: str, report: MojibakeReport | None = None) -> str:
    """Repair (or drop, reporting it in ``report``) every mojibake span of ``text``."""
    report = report if report is not None else MojibakeReport()
    for codec in CODECS:
        text = _RUN_RE.sub(lambda m, c=codec: _repair_run(m.group(0), c, report), text)  # type: ignore[misc]
    return _repair_latin1(text, report)


def _repair_latin1(text: str, report: MojibakeReport) -> str:
    if not _LATIN1_LINE_RE.search(text):
        return text
    import ftfy

    lines = text.split("\n")
    for n, line in enumerate(lines):
        if _LATIN1_LINE_RE.search(line):
            fixed = ftfy.fix_encoding(line)
            if fixed != line:
                lines[n] = fixed
                report.repaired += 1
    return "\n".join(lines)


def looks_like_mojibake(text: str) -> list[str]:
    """Spans of ``text`` that the detector would repair or drop (empty for clean text)."""
    found: list[str] = []
    for codec in CODECS:
        for m in _RUN_RE.finditer(text):
            probe = MojibakeReport()
            if _repair_run(m.group(0), codec, probe) != m.group(0) or probe.dropped:
                found.append(m.group(0))
    return found
