"""Retrieved passages -> an :class:`Answer` with verified citations, or an honest refusal.

Every backend's answer goes through the same checks:

* :func:`verify_citations` keeps a citation only if its quote really is in the cited chunk
  (exactly ``normalized_source[start:end]``), repairs offsets that drifted, drops markers that
  point at nothing (``[7]`` of 5 contexts) and renumbers the rest;
* :func:`assess` decides whether the selected sentences contain what the question asks for:
  its key terms (across languages) and the kind of answer it expects (a number, date, price,
  person, place, URL). Retrieval scores alone cannot decide this.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from confbot.answer.selector import bigrams
from confbot.ingest.chunker import sentence_spans
from confbot.records import Chunk, Citation, Hit
from confbot.text.normalize import canonical

_MARKER_RE = re.compile(r"\[(\d{1,3})\]")


_QUOTED_RE = re.compile(r"[“\"「『]([^”\"」』]{6,})[”\"」』]")


def verify_citations(
    text: str, citations: Sequence[Citation], chunks: Mapping[str, Chunk]
) -> tuple[str, list[Citation]]:
    """Keep the citations whose quote is in their chunk (repairing offsets), drop the rest and their
    markers, and renumber the survivors by first appearance; each kept one carries its span as the file writes it
    (:func:`written`). Pure: values in, values out."""
    valid: dict[int, Citation] = {}
    for c in citations:
        chunk = chunks.get(c.chunk_id)
        if chunk is None or not c.quote or chunk.source != c.source:
            continue
        local = c.start - chunk.start
        if local >= 0 and chunk.text[local : local + len(c.quote)] == c.quote and c.end - c.start == len(c.quote):
            valid[c.n] = c
            continue
        at = chunk.text.find(c.quote)
        if at >= 0:  # the quote is there, its offsets were not: repair them
            valid[c.n] = Citation(c.n, c.source, c.chunk_id, c.quote, chunk.start + at, chunk.start + at + len(c.quote))
    order: list[int] = []
    for m in _MARKER_RE.finditer(text):
        n = int(m.group(1))
        if n in valid and n not in order:
            order.append(n)
    renumber = {old: new for new, old in enumerate(order, start=1)}

    def repl(m: re.Match[str]) -> str:
        n = int(m.group(1))
        return f"[{renumber[n]}]" if n in renumber else ""

    new_text = _MARKER_RE.sub(repl, text)
    new_text = re.sub(r"(\[\d+\])(\1)+", r"\1", new_text)
    new_text = re.sub(r"[ \t]{2,}", " ", new_text).strip()
    out = [
        Citation(renumber[c.n], c.source, c.chunk_id, c.quote, c.start, c.end, written(c, chunks[c.chunk_id]))
        for c in sorted(valid.values(), key=lambda c: renumber.get(c.n, 1 << 30))
        if c.n in renumber
    ]
    return new_text, out


def written(c: Citation, chunk: Chunk) -> str:
    """The citation's span as its file writes it (``Chunk.original``: a traditional-Chinese release's own
    characters), or "" when that is the quote itself."""
    original = chunk.original[c.start - chunk.start : c.end - chunk.start] if chunk.original else ""
    return original if original != c.quote else ""


def quote_for(answer_sentence: str, chunk: Chunk) -> tuple[str, int, int] | None:
    """The sentence of ``chunk`` that best supports ``answer_sentence`` (by character bigrams)."""
    best, best_score = None, 0.0
    a = bigrams(answer_sentence)
    for s, e in sentence_spans(chunk.text):
        b = bigrams(chunk.text[s:e])
        score = len(a & b) / (len(b) ** 0.5 or 1)
        if score > best_score:
            best, best_score = (s, e), score
    if best is None:
        s, e = sentence_spans(chunk.text)[0] if chunk.text.strip() else (0, len(chunk.text))
        best = (s, e)
    s, e = best
    return chunk.text[s:e], chunk.start + s, chunk.start + e


def made_up_quotes(sentence: str, chunk: Chunk) -> list[str]:
    """Quoted spans of ``sentence`` that are not in ``chunk`` (canonical comparison)."""
    body = canonical(chunk.text)
    return [q for q in _QUOTED_RE.findall(sentence) if canonical(q) and canonical(q) not in body]


def attach_markers(text: str, hits: Sequence[Hit], min_overlap: float = 0.5) -> str:
    """Add a ``[n]`` marker to each sentence of ``text`` that has none but is clearly supported by context n
    (at least ``min_overlap`` of its character bigrams are in one context sentence). Small models often
    drop markers; a sentence no context supports gets none, and is then left uncited."""
    out = []
    for piece in re.split(r"(?<=[。！？!?\n])", text):
        core = _MARKER_RE.sub("", piece).strip()
        if not core or _MARKER_RE.search(piece):
            out.append(piece)
            continue
        a = bigrams(core)
        best, best_n = 0.0, 0
        for n, h in enumerate(hits, start=1):
            for s, e in sentence_spans(h.chunk.text):
                b = bigrams(h.chunk.text[s:e])
                score = len(a & b) / len(a) if a else 0.0
                if score > best:
                    best, best_n = score, n
        if best >= min_overlap:
            stripped = piece.rstrip()
            end = len(stripped)
            while end and stripped[end - 1] in "。！？!?":
                end -= 1
            piece = stripped[:end] + f"[{best_n}]" + stripped[end:] + piece[len(stripped) :]
        out.append(piece)
    return "".join(out)


def citations_from_markers(text: str, hits: Sequence[Hit]) -> tuple[str, list[Citation]]:
    """Turn an LLM's ``[n]`` markers (n = context number) into citations, then verify them.

    A marker beyond the contexts, or on a sentence whose quoted text is not in its context, is dropped."""
    citations: list[Citation] = []
    used: dict[int, int] = {}
    pieces = re.split(r"(?<=[。！？!?])", text)
    out_pieces = []
    for piece in pieces:

        def repl(m: re.Match[str], piece: str = piece) -> str:
            n = int(m.group(1))
            if not 1 <= n <= len(hits):
                return ""
            chunk = hits[n - 1].chunk
            if made_up_quotes(_MARKER_RE.sub("", piece), chunk):
                return ""
            q = quote_for(_MARKER_RE.sub("", piece), chunk)
            if q is None:
                return ""
            if n not in used:
                used[n] = len(used) + 1
                citations.append(Citation(used[n], chunk.source, chunk.id, q[0], q[1], q[2]))
            return f"[{used[n]}]"

        out_pieces.append(_MARKER_RE.sub(repl, piece))
    chunks = {h.chunk.id: h.chunk for h in hits}
    return verify_citations("".join(out_pieces), citations, chunks)
