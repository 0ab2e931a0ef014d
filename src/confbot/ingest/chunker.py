"""Sentence-aware chunking that keeps character offsets into the normalized source.

Every chunk's ``text`` is exactly ``normalized_source[start:end]``, so a citation can point at
the span it quotes. Chunks end at sentence ends (Chinese and English), fall back to clause
boundaries for long sentences, and never cut inside a number such as ``3.2万``.

A line holding ``｜`` is a table row (the loaders write one row per line, cells joined by ``｜``): it is
one unbreakable sentence, never split across chunks, even when it is longer than the chunk size.
"""

from __future__ import annotations

import hashlib
import re

from confbot.ingest.tables import TABLE_CELL_SEP
from confbot.records import Chunk
from confbot.text.language import text_language

#: Bump when the chunker's output changes: indexes built with another version are rebuilt.
CHUNKER_VERSION = (
    # 2: table rows unbreakable; 3: chunks carry title, date and language, embedded with a context header;
    # 4: chunks carry their document's years and editions; 5: a numbered edition wins over "the first";
    # 6: table captions kept as a line, sideways tables one line per column, placeholder cells (—) left out;
    # 7: a date opening the file name dates a release that states none; a page date only from its markup;
    # 8: no English sentence ends at an abbreviation (Dec. 1, U.S. dollars, Mr. Li) or before a lower-case word;
    # 9: an English document's chunks hold ENGLISH_SIZE_FACTOR times the characters (about as many tokens);
    # 10: a Chinese first line whose only Latin letters are capitals (5G) is a title, not a PRESS RELEASE banner
    "10"
)

#: an English document's chunk size and overlap, in characters, are this many times the settings' (which are counted
#: in Chinese characters): with the embedding model's tokenizer (multilingual-e5-small) the development corpora's
#: English text measured 4.54 characters a token and Chinese 1.58, a ratio of 2.9. Chunks of either language then hold
#: about as many tokens, and an English sentence of 200 to 600 characters is no longer cut in pieces.
ENGLISH_SIZE_FACTOR = 3

_SENTENCE_END = "。！？!?…"
_CLOSERS = "”’」』）)》】\"'"
_CLAUSE_END = "，；、,;：:"


def is_table_row(line: str) -> bool:
    """Whether a line is a table row as the loaders write it (cells joined by ``TABLE_CELL_SEP``)."""
    return TABLE_CELL_SEP in line


def chunk_id(source: str, text: str, occurrence: int = 0, version: str = "") -> str:
    """Content hash: the same text of the same version of a source always gets the same id."""
    h = hashlib.sha256(f"{source}\0{text}\0{occurrence}\0{version}".encode()).hexdigest()
    return h[:32]


#: English words whose full stop ends no sentence: months, titles, company suffixes (Dec. 1, Mr. Li, Co. Ltd.)
_ABBREVIATIONS = frozenset(
    "jan feb mar apr jun jul aug sep sept oct nov dec mr mrs ms dr prof st no nos vol inc co corp ltd jr sr vs".split()
)
_WORD_BEFORE = re.compile(r"([A-Za-z]+)$")


def _is_sentence_dot(text: str, i: int) -> bool:
    """Whether the full stop at ``i`` ends a sentence: whitespace (or the end) follows, and it closes neither an
    abbreviation (:data:`_ABBREVIATIONS`) nor an initial ("U.S.", "J."), nor comes before a lower-case word."""
    nxt = text[i + 1] if i + 1 < len(text) else ""
    if not (nxt == "" or nxt.isspace()):
        return False
    word = _WORD_BEFORE.search(text[max(0, i - 12) : i])
    if word and (word.group(1).lower() in _ABBREVIATIONS or (len(word.group(1)) == 1 and word.group(1).isupper())):
        return False
    after = text[i + 1 : i + 40].lstrip(" \t")
    return not (after[:1].islower() and after[:1].isascii())


def _strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence; newlines always end one. Whitespace is not part of a span."""
    spans: list[tuple[int, int]] = []
    start = 0
    i = 0
    n = len(text)
    while i < n:
        c = text[i]
        cut = -1
        if i == start or text[i - 1] == "\n":  # a line starts: a table row is one sentence
            eol = text.find("\n", i)
            eol = n if eol < 0 else eol
            if is_table_row(text[i:eol]):
                s, e = _strip_span(text, i, eol)
                spans.append((s, e))
                start = i = eol
                continue
        if c == "\n":
            cut = i
        elif c in _SENTENCE_END or (c == "." and _is_sentence_dot(text, i)):
            j = i + 1
            while j < n and text[j] in _SENTENCE_END + _CLOSERS:
                j += 1
            cut = j
            i = j - 1
        if cut >= 0:
            s, e = _strip_span(text, start, cut)
            if e > s:
                spans.append((s, e))
            start = cut
        i += 1
    s, e = _strip_span(text, start, n)
    if e > s:
        spans.append((s, e))
    return spans


def _unsafe_cut(text: str, i: int) -> bool:
    """Whether a cut between ``text[i-1]`` and ``text[i]`` would split a number (with its unit) or a Latin word."""
    a, b = text[i - 1], text[i]
    if not (a.isascii() and (a.isalnum() or a in ".,")):
        return False
    return (b.isascii() and (b.isalnum() or b in ".,%")) or b in "万亿千百%‰"


def _safe_cut(text: str, start: int, limit: int) -> int:
    """A cut at or before ``limit`` that splits no number and no Latin word (falls back to ``limit``)."""
    cut = limit
    while cut > start + 1 and _unsafe_cut(text, cut):
        cut -= 1
    return cut if cut > start + 1 else limit


def split_long(text: str, start: int, end: int, size: int) -> list[tuple[int, int]]:
    """Split one over-long sentence at clause boundaries, then at safe points, into pieces of ≤ ``size``."""
    if end - start <= size:
        return [(start, end)]
    clauses: list[tuple[int, int]] = []
    s = start
    for i in range(start, end):
        if text[i] in _CLAUSE_END and not (
            text[i] in ",:" and 0 < i < end - 1 and text[i - 1].isdigit() and text[i + 1].isdigit()
        ):
            clauses.append((s, i + 1))
            s = i + 1
    if s < end:
        clauses.append((s, end))
    pieces: list[tuple[int, int]] = []
    cur_s, cur_e = clauses[0]
    for cs, ce in clauses[1:]:
        if ce - cur_s <= size:
            cur_e = ce
        else:
            pieces.append((cur_s, cur_e))
            cur_s, cur_e = cs, ce
    pieces.append((cur_s, cur_e))
    out: list[tuple[int, int]] = []
    for ps, pe in pieces:
        while pe - ps > size:
            cut = _safe_cut(text, ps, ps + size)
            out.append((ps, cut))
            ps = cut
        out.append((ps, pe))
    return [_strip_span(text, s, e) for s, e in out if _strip_span(text, s, e)[1] > _strip_span(text, s, e)[0]]


def chunk_spans(text: str, size: int = 200, overlap: int = 40) -> list[tuple[int, int]]:
    """Pack sentences into spans of about ``size`` characters; consecutive spans share up to
    ``overlap`` characters of whole trailing sentences."""
    if size < 20:
        raise ValueError("chunk size must be at least 20 characters")
    units: list[tuple[int, int]] = []
    for s, e in sentence_spans(text):
        units.extend([(s, e)] if is_table_row(text[s:e]) else split_long(text, s, e, size))
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(units):
        j = i
        while j + 1 < len(units) and units[j + 1][1] - units[i][0] <= size:
            j += 1
        spans.append((units[i][0], units[j][1]))
        if j + 1 >= len(units):
            break
        # start the next chunk with trailing sentences of this one that fit in the overlap
        # (only while the next sentence still fits, so no chunk is contained in its neighbour)
        k = j + 1
        while k - 1 > i and units[j][1] - units[k - 1][0] <= overlap and units[j + 1][1] - units[k - 1][0] <= size:
            k -= 1
        i = k
    return spans


def chunk_document(source: str, text: str, size: int = 200, overlap: int = 40, version: str = "") -> list[Chunk]:
    """Chunks of one normalized document, with content-hash ids and offsets into ``text``.

    ``version`` (the file's sha256) is part of each id, so two versions of a file never share a
    chunk id and the index can hold both while it switches from one to the other. ``size`` and ``overlap`` are
    characters of Chinese text; an English document takes :data:`ENGLISH_SIZE_FACTOR` times as many."""
    if text_language(text) == "en":
        size, overlap = size * ENGLISH_SIZE_FACTOR, overlap * ENGLISH_SIZE_FACTOR
    seen: dict[str, int] = {}
    chunks = []
    for idx, (s, e) in enumerate(chunk_spans(text, size, overlap)):
        piece = text[s:e]
        occ = seen.get(piece, 0)
        seen[piece] = occ + 1
        chunks.append(
            Chunk(id=chunk_id(source, piece, occ, version), source=source, text=piece, start=s, end=e, index=idx)
        )
    return chunks


#: characters of the title in a chunk's context header
HEADER_TITLE_CHARS = 24


def contextual_text(chunk: Chunk) -> str:
    """What is embedded and BM25-indexed for a chunk: its document's title and date, then its text.

    A chunk of a release about one year's edition often does not name the year or the edition; the
    header does (the "contextual chunk header" remedy). Citations still quote ``chunk.text`` only.
    """
    if not chunk.title and not chunk.published:
        return chunk.text
    return f"{chunk.title[:HEADER_TITLE_CHARS]} {chunk.published or ''}".strip() + "\n" + chunk.text
