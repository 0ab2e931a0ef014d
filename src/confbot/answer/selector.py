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

import math
import re
import statistics
from collections.abc import Callable, Container, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field

from confbot.answer.kinds import (
    BOUND_PREFIXES,
    COUNT_UNITS,
    LATIN_RE,
    asked_countries,
    asked_places,
    asked_thing,
    ceremony_asked,
    counted_modifier,
    counted_noun,
    counted_unit,
    countries_in,
    country_names,
    country_standing,
    expected_kinds,
    has_number,
    has_person_or_org,
    is_title,
    kind_present,
    moment_asked,
    names_other_ceremony,
    question_years,
    role_of,
)
from confbot.ingest.chunker import sentence_spans
from confbot.ingest.tables import TABLE_CELL_SEP, row_cells, says_unstated
from confbot.records import Chunk, Hit
from confbot.retrieve.bm25 import STOPWORDS, jieba_tokenizer, tokenize
from confbot.text.cjk import to_simplified
from confbot.text.english import phrase_in, stems
from confbot.text.events import (
    EVENT_NOUNS,
    editions,
    editions_of_event,
    event_years,
    fact_years,
    parts_named,
    year_mentions,
)
from confbot.text.lexicon import (
    EN_KIND_NOUNS,
    EN_QUESTION_WORDS,
    FINAL_QUESTION,
    FORECAST,
    FOREIGN_WORDS,
    PERSON_NOUNS,
    PERSON_UNITS,
    TABLE_QUESTION,
    ZH_KIND_NOUNS,
    ZH_QUESTION_WORDS,
)
from confbot.text.normalize import canonical, has_cjk, normalize_query

# ---------------------------------------------------------------- records


@dataclass(frozen=True)
class Sentence:
    """A sentence of a retrieved chunk, with its offsets into the normalized source."""

    text: str
    chunk: Chunk
    rank: int  # rank of its chunk in retrieval, from 1
    start: int
    end: int


@dataclass(frozen=True)
class Asked:
    """What a question asks of its answer beyond its kinds, worked out once per question: a count's noun and the
    English word narrowing it (:func:`counted_noun`, :func:`counted_modifier`), a person's role (:func:`role_of`);
    "" where it asks none; whether the count asked for is the final one (:data:`FINAL_QUESTION`: a forecast's
    figure, :data:`FORECAST`, does not answer it)."""

    noun: str = ""
    modifier: str = ""
    role: str = ""
    final: bool = False  # the final, counted figure is asked for (最终, "in the end"), not a forecast
    thing: str = ""  # the noun named as what is asked for (吉祥物是什么, 哪份白皮书: :func:`asked_thing`)
    unit: str = ""  # a measure word naming what is counted (多少支队伍: 支; :func:`counted_unit`)


def asked_of(question: str, kinds: Sequence[str]) -> Asked:
    """The :class:`Asked` of a (normalized) question whose :func:`expected_kinds` are ``kinds``."""
    noun = counted_noun(question) if "number" in kinds else ""
    role = role_of(question) if {"person", "person_or_org"} & set(kinds) else ""
    final = bool(noun and FINAL_QUESTION.search(question) and not FORECAST.search(question))
    thing = asked_thing(question)
    thing = "" if thing in (noun, role) else thing
    unit = counted_unit(question) if noun else ""
    return Asked(noun, counted_modifier(question, noun) if noun else "", role, final, thing, unit)


# ---------------------------------------------------------------- language and question analysis


_KIND_AFTER_QUESTION_WORD = re.compile(
    rf"(?:哪个|哪些|哪位|哪家|哪座|什么|哪一个)(?:{'|'.join(sorted(ZH_KIND_NOUNS, key=len, reverse=True))})"
)


#: Chinese interrogatives, kept apart from the words around them before tokenizing (jieba glues 哪天开 into 天开)
_INTERROGATIVE = re.compile(r"(哪一?[天年届些个位里儿家]|多少|什么)")
#: a clause opening a question with where its fact was published ("据2029年大会期间公布的数据，", "根据概览表，")
_ATTRIBUTION = re.compile(r"^(?:据|根据|依据|按照)[^，,。？?]{0,30}(?:数据|统计|介绍|报道|消息|表|资料)[，,]")
#: the most characters an abbreviation leaves out between two it keeps (数[字经济]博[览]会: 3)
ABBREVIATION_GAP = 4
#: one-character nouns that make a role of the word before them (主题 + 省, 主宾 + 国, 分 + 馆 aside: two characters)
_ROLE_SUFFIXES = frozenset("省国市")
#: what follows 第N in an ordinal jieba splits apart (第 12 届): an edition, a phase, a session
_ORDINAL_UNITS = frozenset("届期次")


def key_terms(question: str, cache_dir: str | None = None) -> list[str]:
    """Content terms of a normalized Chinese question: jieba's words (precise mode: fewer stray pieces
    across a figure's unit) minus stopwords, question words and the kind noun a question word names (哪个国家 -> 国家);
    a word with 省/国/市 split off by the tokenizer keeps it (主题省, 主宾国: a role, not 主题)."""
    question = _KIND_AFTER_QUESTION_WORD.sub("", question)
    question = _INTERROGATIVE.sub(r" \1 ", question)  # 哪天开到哪天: 开到, not 天开
    question = _ATTRIBUTION.sub("", question)  # 据…公布的数据，: where the asker read it
    words = jieba_tokenizer(cache_dir).lcut(question) if has_cjk(question) else tokenize(question, cache_dir)
    out: list[str] = []
    previous = ""
    kept_at = -2  # the index of the word the last term came from
    words = [w.strip().lower() for w in words]
    for i, t in enumerate(words):
        if t.isdigit() and 0 < i < len(words) - 1 and words[i - 1] == "第" and words[i + 1][:1] in _ORDINAL_UNITS:
            t = f"第{t}{words[i + 1][0]}"  # 第12届: the edition, as 第十二届 is one word (a bare 12 names no edition)
        after_figure, previous = previous.isdigit() or previous in ("多少", "几"), t or previous
        if after_figure and len(t) > 1 and t[0] in "年届月日号次期个家名位场项座条件所份种批" and has_cjk(t[1:]):
            t = t[1:]  # a unit glued to the next word's first character by the tokenizer (2021 + 年X…, 多少 + 项新…)
        if not t or not any(ch.isalnum() for ch in t):
            continue
        if t in ZH_QUESTION_WORDS or t in STOPWORDS or t in EN_QUESTION_WORDS:
            continue
        if len(t) == 1 and has_cjk(t):
            if t in _ROLE_SUFFIXES and kept_at == i - 1 and has_cjk(out[-1]):
                out[-1] += t  # 主题 + 省: the role 主题省, not the theme (a question about 主宾省 is not about 主宾国)
            continue
        out.append(t)
        kept_at = i
    terms = list(dict.fromkeys(out))
    # search-mode tokenizing yields 互联, 联网 and 互联网: count a word once, by its longest form
    return [t for t in terms if not any(t != o and t in o for o in terms)]


# ---------------------------------------------------------------- sentence selection


#: a line that is an item of a list: a dash or bullet, 1. / 1、 / (1) / ①, or 一、 / 一是 (Chinese enumerations)
_LIST_ITEM = re.compile(r"^(?:[-–—•●·*▪◆■]|\d{1,2}[.、)）]|[（(]\d{1,2}[)）]|[①-⑳]|[一二三四五六七八九十]{1,2}[、是])")
#: the most characters a sentence leading into a list is quoted with its items
LIST_SPAN_MAX = 600


def is_list_lead(text: str) -> bool:
    """Whether a sentence leads into a list: it ends in a colon ("…built on four pillars:", "主要有以下几个特点：")."""
    return text.endswith((":", "："))


def _list_end(text: str, spans: Sequence[tuple[int, int]], end: int, origin: int) -> int:
    """Where a list running on from ``end`` in ``text`` stops: through each of ``spans`` (the sentence spans after
    ``end``, in order) that goes on the line before it or starts a line with :data:`_LIST_ITEM`, while the quote
    from ``origin`` stays within :data:`LIST_SPAN_MAX` characters."""
    for s2, e2 in spans:
        starts_line = "\n" in text[end:s2]
        if (starts_line and not _LIST_ITEM.match(text[s2:e2])) or e2 - origin > LIST_SPAN_MAX:
            break  # a line that is no item, or too long a quote: the list (as far as it goes) ends here
        end = e2
    return end


def list_spans(text: str) -> list[tuple[int, int, bool]]:
    """:func:`~confbot.ingest.chunker.sentence_spans` of ``text``, except that a sentence ending in a colon
    (:func:`is_list_lead`) is one span with the list lines after it (each line starting with :data:`_LIST_ITEM`,
    whole; up to :data:`LIST_SPAN_MAX` characters): alone it says nothing, and the answer is what it leads into.
    The items, and the lead alone, stay sentences of their own too. Each span comes as (start, end, whether it is
    a lead with its list)."""
    spans = sentence_spans(text)
    out = []
    for i, (s, e) in enumerate(spans):
        end = _list_end(text, spans[i + 1 :], e, s) if is_list_lead(text[s:e]) else e
        if end != e:
            out.append((s, end, True))
        out.append((s, e, False))  # the lead alone too, for a question it answers by itself
    return out


def _inside(s: Sentence, other: Sentence) -> bool:
    """Whether ``s`` lies within ``other`` in the same source (an item quoted with its list's lead)."""
    same_place = s.chunk.source == other.chunk.source and other.start <= s.start and s.end <= other.end
    return same_place and s.text in other.text


#: the most characters of a section heading (:func:`is_title_line`): a sentence that long is a statement
HEADING_MAX_CHARS = 40
_SENTENCE_END = re.compile(r"[。！？!?.…；;）)\]」”\"]\s*$")


def is_title_line(s: Sentence) -> bool:
    """Whether ``s`` is its document's title or a section heading inside it: a whole line of at most
    :data:`HEADING_MAX_CHARS` characters ending in no sentence punctuation, neither a list item nor a table row
    nor a field ("会期：…"). A headline names the event and its gist, a heading its topic ("开幕式与主旨报告"),
    rarely the detail asked."""
    if s.chunk.title and canonical(s.text) == canonical(s.chunk.title):
        return True
    text, local = s.text.strip(), s.start - s.chunk.start
    whole_line = (local <= 0 or s.chunk.text[local - 1 : local] == "\n") and s.chunk.text[
        local + len(s.text) : local + len(s.text) + 1
    ] in ("", "\n")
    return (
        whole_line
        and 0 < len(text) <= HEADING_MAX_CHARS
        and not _SENTENCE_END.search(text)
        and not _LIST_ITEM.match(text)
        and not any(c in text for c in f"{TABLE_CELL_SEP}:：|")
    )


def with_items(chosen: Sequence[Sentence], candidates: Sequence[Sentence]) -> list[Sentence]:
    """``chosen`` with each list lead quoted alone ("The programme has three segments:") replaced by the same lead
    with its items (:func:`list_spans`) when ``candidates`` hold it: a reader given the lead alone must open the
    source to learn what it leads into (a newcomer's trial: "what three segments?" cited the bare lead). The order
    is kept; a lead already chosen with its items is not repeated."""
    longest: dict[tuple[str, int], Sentence] = {}
    for s in candidates:
        key = (s.chunk.source, s.start)
        if key not in longest or s.end > longest[key].end:
            longest[key] = s
    out: list[Sentence] = []
    for s in chosen:
        if is_list_lead(s.text):
            s = longest.get((s.chunk.source, s.start), s)
        if all(o is not s for o in out):
            out.append(s)
    return out


def ends_in_list(s: Sentence) -> bool:
    """Whether ``s`` is a list lead or a lead with its items (:func:`list_spans`) that ends its chunk: its list
    may go on in the document's next chunk."""
    last_line = s.text.rsplit("\n", 1)[-1]  # a sentence is a span: no whitespace at its ends
    is_list = is_list_lead(s.text) or ("\n" in s.text and bool(_LIST_ITEM.match(last_line)))
    return is_list and not s.chunk.text[s.end - s.chunk.start :].strip()


def list_continuation(s: Sentence, following: Chunk) -> Sentence | None:
    """The item lines that carry ``s``'s list (:func:`ends_in_list`) on in ``following``, the next chunk of its
    document: those right after ``s`` ends (past the chunks' overlap), as far as the list goes (as in
    :func:`list_spans`: a line that is no item ends it) and at most :data:`LIST_SPAN_MAX` characters, as a sentence
    of ``following``. None when ``following`` is another document's or goes on with no item. A reader of
    "…three segments:" and two items must not have to open the file for the third."""
    if following.source != s.chunk.source:
        return None
    text, offset = following.text, max(0, s.end - following.start)
    rest = [(a, b) for a, b in sentence_spans(text) if a >= offset]
    if not rest or not _LIST_ITEM.match(text[rest[0][0] : rest[0][1]]):
        return None
    start = rest[0][0]
    end = _list_end(text, rest[1:], rest[0][1], start)
    return Sentence(text[start:end], following, s.rank, following.start + start, following.start + end)


def split_sentences(hits: Sequence[Hit]) -> list[Sentence]:
    """Sentences of the retrieved chunks, each once: across overlapping chunks, and across reprints (a sentence
    whose canonical text an earlier one has is quoted once, from the higher-ranked chunk). A sentence leading
    into a list comes with its items (:func:`list_spans`)."""
    seen: set[tuple[str, int, bool]] = set()
    texts: set[str] = set()
    out = []
    for rank, h in enumerate(hits, start=1):
        c = h.chunk
        for s, e, with_list in list_spans(c.text):
            key = (c.source, c.start + s, with_list)
            same = canonical(c.text[s:e])
            if key in seen or (len(same) >= 8 and same in texts):
                continue
            seen.add(key)
            texts.add(same)
            out.append(Sentence(text=c.text[s:e], chunk=c, rank=rank, start=c.start + s, end=c.start + e))
    return out


#: The answer model: a logistic regression over the features of :func:`answer_features`, fitted by
#: ``benchmarks/fit_answer_model.py`` on the development suite (leave-one-corpus-out; figures in the README).
ANSWER_WEIGHTS: dict[str, float] = {
    "bias": -1.26,
    "coverage": 2.517,
    "similarity": 1.679,
    "missing_kind": -5.158,
    "english": 0.119,
    "log_rank": -1.005,
}
#: answer when the model's probability that the chosen sentences answer the question reaches this. Round 2 (five
#: corpora) chose 0.55 (0.4: accuracy 0.776, refusal recall 0.763; 0.5: 0.768 / 0.798; 0.55: 0.765 / 0.839). Round 7,
#: nineteen corpora and 1,378 questions, after the answer checks had grown: 0.55 gave accuracy 0.816, refusal
#: precision 0.686, recall 0.823; 0.5 0.826 / 0.724 / 0.815 (twelve right answers for two wrongly answered, one of
#: them the first release's); 0.45 0.828 / 0.741 / 0.802 (three more each way), so 0.5. Round 8, twenty-three
#: corpora: 0.45 0.843 / 0.750 / 0.790, 0.5 0.839 / 0.732 / 0.801, 0.55 0.833 / 0.702 / 0.810: 0.5 kept (a made-up
#: answer is the worse failure)
ANSWER_THRESHOLD = 0.5


def answer_features(
    coverage: float, similarity: float, missing: Sequence[str], question: str, rank: int
) -> dict[str, float]:
    """The signals that transfer between corpora: key-term coverage (IDF-weighted, 0..1), the best chosen
    sentence's cosine to the question, whether a kind of answer asked for is missing, whether the question is
    English, and the log of the retrieval rank of the best sentence's chunk (0 for the first: the step from
    first to second place says more than the one from fourth to fifth). (Tried and dropped, no gain under
    leave-one-corpus-out: the coverage of the terms no title names; whether the best sentence is in the other
    language; round 21, the IDF weight of the rarest key term missing, which took a positive weight and lowered
    refusal precision.)"""
    return {
        "coverage": coverage,
        "similarity": similarity,
        "missing_kind": float(bool(missing)),
        "english": float(not has_cjk(question)),
        "log_rank": math.log(max(rank, 1)),
    }


def answer_probability(features: Mapping[str, float], weights: Mapping[str, float] | None = None) -> float:
    """sigmoid(bias + sum of weight x feature) with :data:`ANSWER_WEIGHTS` unless ``weights`` are given."""
    w = weights or ANSWER_WEIGHTS
    z = w.get("bias", 0.0) + sum(w.get(k, 0.0) * v for k, v in features.items())
    return 1.0 / (1.0 + math.exp(-max(min(z, 50.0), -50.0)))


# Sentence score = IDF weights of the key terms present + BIGRAM_WEIGHT x the share of the question's
# character bigrams present + KIND_WEIGHT x the share of the asked kinds present - RANK_PENALTY per retrieval
# rank below the first. Set on the first release's dev set (a kind outweighs any two rare terms; a bigram
# share breaks ties between sentences with the same terms), kept since on the development suite.
BIGRAM_WEIGHT = 2.0
KIND_WEIGHT = 4.0
RANK_PENALTY = 0.05

#: a second sentence joins the answer when it scores this share of the best and adds key terms it lacks ...
ADDS_SHARE = 0.75
#: ... or this share and holds the kind of answer asked for (another date, figure, name)
SAME_KIND_SHARE = 0.35
#: how much less of the question's terms a sentence holding the asked count or role, in the other language, may
#: cover than the best chosen one and still be swapped in (:meth:`Selector._with_asked`); in the same language it
#: must cover as much (0.2 in both lost three unanswerable questions for two answers on the dev suite)
SWAP_SLACK = 0.2
#: when the best chosen sentence holds no answer of the asked kind at all (no person for a person question, no figure
#: for a count), a sentence holding the asked role or count need cover only this share of the terms it covers: a
#: sentence naming every term of the question's description but nobody is no standard to measure an answer by
KINDLESS_BEST_SHARE = 0.5

#: added to a sentence's score for each focus term it holds (a term of the question its document's title lacks)
FOCUS_BONUS = 2.0
#: a table row's bonus when the question points at a table (:data:`~confbot.text.lexicon.TABLE_QUESTION`)
TABLE_ROW_BONUS = 4.0

#: a country named in this many times as many chunks as any other is the index's own (see Selector.host_countries)
HOST_MARGIN = 2.0
HOST_MIN_CHUNKS = 3
#: a place named in at least this share of the index's chunks is one the whole material is about (its host city or
#: province): a passage need not name it to answer a question naming it (see :meth:`Selector.asked_missing`). Not tuned:
#: development suite, 43 corpora, round 18, the place check with 0.1: one answered unanswerable question refused
#: (浙江's exhibitors' area answered with the whole fair's), no answer lost (precision 0.7244 -> 0.7248, recall 0.7788
#: -> 0.7803)
HOST_PLACE_SHARE = 0.1

#: what a question asks *about* rather than asks *for*: the year, the edition, the phase or day of an edition
CONSTRAINT_KINDS = ("year", "edition", "part")
#: kinds that rank sentences but whose absence refuses nothing: one item can answer "哪些…" too
SOFT_KINDS = ("list",)

#: a Chinese question's term is looked for in an English sentence through its first this-many CC-CEDICT glosses
GLOSSES_PER_TERM = 4

#: a document's title line loses this many spreads of the lexical scores: it shares the most terms with a question
#: about its event, and quotes the detail asked less often than the body does. Round 20, 47-corpus dev suite: 0.5
#: accuracy 0.8463 -> 0.8495, refusal precision 0.7332 -> 0.7340, recall 0.7804 -> 0.7777 (nine answers newly right,
#: none lost; three unanswerable questions answered, one no longer); 1.0: accuracy 0.8490, precision 0.7323, recall
#: 0.7751 (four right answers lost)
TITLE_PENALTY = 0.5

#: weight of the embedding model's sentence similarity (as a z-score among the candidates) in a sentence's score
SEMANTIC_WEIGHT = 0.75


def constraint_term(kind: str, term: str) -> bool:
    """Whether a key term names a constraint of ``kind`` itself: a year ("2018") for ``year``, an edition
    ("第八届", "6th") for ``edition``."""
    if kind == "year":
        return bool(re.fullmatch(r"(?:19|20)\d{2}年?", term))
    return kind == "edition" and bool(editions(term))


def english_stems(text: str) -> frozenset[str]:
    """The BM25 terms (Snowball stems) of ``text``'s English words; empty for text without Latin letters."""
    return frozenset(stems(text)) if LATIN_RE.search(text) else frozenset()


#: a figure: digits (2,848 / 1.5), Chinese numerals before a classifier or an English number word; not a year
#: (2023, unless 2023家…), a date, a percentage (nor the digits inside one) or a ranking's size (世界500强, Fortune Global
#: 500); a vague 数百家 or 几十个 is no figure
_FIGURE = re.compile(
    r"(?<![\d.,A-Za-z])(?!(?:19|20)\d\d(?![\d,.]|\s*(?:多|余|万|个|家|名|位|人|场|项)))"  # a year is no figure
    r"(?<!Global )\d(?:[\d,.]*\d)?(?![\d%％A-Za-z]|[.,]\d|\s*(?:年|月|日|号|时|点|强|:\d))"  # 37.2%: no 37
    r"|(?<![数几上成])(?!一[个家名位场项届次座条件所份])[一二两三四五六七八九十百千万]+(?=[个家名位场项届次座条件所份])"  # 一个: "a"; 数百家: vague
    r"|\b(?i:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|dozens?|hundreds?"
    r"|thousands?|eleventh|twelfth)\b"
)
#: a figure of people: 3万余人, 5万人次, 600 visitors
_PERSON_FIGURE = re.compile(
    r"\d[\d,.]*\s*(?:万|亿)?\s*(?:多|余)?\s*(?:"
    + "|".join(sorted((u for u in PERSON_UNITS if not u.isascii()), key=len, reverse=True))  # 人次 before 人
    + r")|\d[\d,.]*\s+(?:million\s+)?(?:"
    + "|".join(u for u in PERSON_UNITS if u.isascii())
    + r")\b",
    re.I,
)
#: a figure of visits: 18万人次, 进场人次超过26万, "415,000 visits", "visits totalled 415,000"
_VISITS = re.compile(
    r"\d[\d,.]*\s*(?:万|亿)?\s*(?:多|余)?\s*人次|人次[^，。；！？\d]{0,6}\d|\d[\d,.]*\s*(?:million\s+)?visits\b"
    r"|\bvisits\W+(?:\w+\s+){0,3}\d",
    re.I,
)
#: "the number of <noun phrase> … <figure>" in one English sentence: the figure counts the phrase however far it stands
_NUMBER_OF = re.compile(r"\bnumbers? of ((?:[A-Za-z-]+\s+){0,3}[A-Za-z-]+)[^.;!?]*?\d")
#: how far from a figure its counted noun may stand: Chinese characters either side, English words either side
COUNT_WINDOW_CHARS = 10
COUNT_WINDOW_WORDS = 6


_CLAUSE_RE = re.compile(r"[，。；！？,;]")


def count_windows(text: str) -> list[str]:
    """The text around each figure of ``text`` (in Chinese its clause, up to twice :data:`COUNT_WINDOW_CHARS`
    characters before and :data:`COUNT_WINDOW_CHARS` after it; in English :data:`COUNT_WINDOW_WORDS` words either
    side): where the noun a figure counts stands. A table
    row with a figure is one window (its header cell names what the figure counts)."""
    if TABLE_CELL_SEP in text and _FIGURE.search(text):
        return [text]
    out = []
    for m in _FIGURE.finditer(text):
        before, after = text[max(0, m.start() - 80) : m.start()], text[m.end() : m.end() + 80]
        if LATIN_RE.search(before[-12:] + after[:12]):
            out.append(
                " ".join([*before.split()[-COUNT_WINDOW_WORDS:], m.group(), *after.split()[:COUNT_WINDOW_WORDS]])
            )
        else:  # within the figure's clause (when it is not a stub): 星河市高新技术企业已超过1.2万家
            clause = len(_CLAUSE_RE.split(before)[-1])
            reach = min(clause, 2 * COUNT_WINDOW_CHARS) if clause >= 4 else COUNT_WINDOW_CHARS
            # a measure word after the figure opens the noun phrase it counts, up to the clause's end (星河市开通了40条国际道路
            # 客货运输线路): twice as far
            reach_ahead = 2 * COUNT_WINDOW_CHARS if re.match(rf"\s*(?:万|亿)?(?:多|余)?(?:{COUNT_UNITS})", after) else 0
            ahead = after[: reach_ahead or COUNT_WINDOW_CHARS]
            stop = _CLAUSE_RE.search(ahead)  # "12个，是…外宾人数最多的一届": 12 counts no guests
            out.append(before[-reach:] + m.group() + (ahead[: stop.start()] if stop else ahead))
    return out


def names_another_year(text: str, question: str) -> bool:
    """Whether ``text`` is about another year than the question's, whatever release carries it: it names another
    year's event ("2027年大会的闭幕式…" in a 2030 release: :func:`event_years`), or opens a clause with another year,
    the asked one nowhere in it ("2028年全省贸易额为…" states 2028's figure: :func:`fact_years`)."""
    asked = {int(y) for y in question_years(question)}
    named = event_years(text)
    if named and not asked & named:
        return True
    return bool(fact_years(text)) and not asked & set(year_mentions(text))


def settled(text: str) -> str:
    """``text`` without its clauses that give a forecast or a plan (:data:`FORECAST`): what was counted."""
    return "，".join(c for c in _CLAUSE_RE.split(text) if c.strip() and not FORECAST.search(c))


def _zscores(xs: Sequence[float]) -> list[float]:
    if len(xs) < 2:
        return [0.0] * len(xs)
    mean = sum(xs) / len(xs)
    sd = (sum((x - mean) ** 2 for x in xs) / len(xs)) ** 0.5 or 1.0
    return [(x - mean) / sd for x in xs]


#: kinds of fact that a later release may change (dates, figures, venues)
CHANGEABLE = ("date", "time", "number", "place", "address")
#: a later release's sentence joins the answer when it scores at least this share of the best one
LATER_RELEASE_SHARE = 0.5
#: how far below the best chosen sentence's score (lexical units: a rare term weighs about 3) a later release's
#: sentence may score and still lead (:func:`latest_first`)
LATEST_LEAD_GAP = 3.0


def latest_first(
    chosen: list[Sentence],
    scored: Sequence[Sentence],
    score: Mapping[int, float],
    kinds: Sequence[str],
    question: str,
    top: float,
) -> list[Sentence]:
    """For a fact a later release may change: bring in the latest release's statement of it when the chosen
    sentences come from an older one, and lead with the latest (the others are dated) among the sentences scoring
    within :data:`LATEST_LEAD_GAP` of the best chosen one; a sentence scoring less states something else (the
    whole fair's exhibitor count beside the one delegation's asked about) and follows in score order."""
    asked = [k for k in kinds if k in CHANGEABLE]
    if not asked:
        return chosen
    newest = max((s.chunk.published or "" for s in chosen), default="")
    later = [
        s
        for s in scored
        if (s.chunk.published or "") > newest
        and s not in chosen
        and score[id(s)] >= LATER_RELEASE_SHARE * top
        and any(kind_present(k, s.text, question) for k in asked)
    ]
    if later:
        chosen = [later[0], *chosen][:3]
    dated = {s.chunk.published for s in chosen if s.chunk.published}
    if len(dated) < 2:
        return chosen
    best = max(score.get(id(s), top) for s in chosen)
    close = [s for s in chosen if score.get(id(s), top) >= best - LATEST_LEAD_GAP]
    rest = [s for s in chosen if s not in close]
    return sorted(close, key=lambda s: s.chunk.published or "", reverse=True) + rest


_YEAR_CELL = re.compile(r"(?:^|[:：])\s*((?:19|20)\d{2})\s*年?\s*$")


def year_cells(text: str) -> list[str]:
    """The years that are a table row's cells of their own ("2019", "年份：2019年"), not years inside a cell
    ("发布《…报告（2023年）》"); [] for a sentence that is no table row."""
    if TABLE_CELL_SEP not in text:
        return []
    return [m.group(1) for cell in text.split(TABLE_CELL_SEP) if (m := _YEAR_CELL.search(cell.strip()))]


def with_context(s: Sentence, text: bool = True) -> str:
    """A sentence with its document's title, date, years and editions (what a year or an edition is often named in);
    ``text=False``: the context alone."""
    about = " ".join([*map(str, s.chunk.years), *(f"第{n}届" for n in s.chunk.editions)])
    return f"{s.chunk.title} {s.chunk.published or ''} {about} {s.text if text else ''}"


def paragraph_lead(s: Sentence) -> str:
    """The text of the sentence's paragraph before it, within its chunk ("" when it opens one)."""
    at = s.start - s.chunk.start
    return s.chunk.text[s.chunk.text.rfind("\n", 0, at) + 1 : at]


def bigrams(text: str) -> set[str]:
    t = canonical(text)
    return {t[i : i + 2] for i in range(len(t) - 1)}


@dataclass
class Assessment:
    """Why an answer was given or refused (shown by ``--json`` and the retrieval lab)."""

    kinds: list[str]
    missing_kinds: list[str]
    terms: list[str]
    covered_terms: list[str]
    coverage: float
    refused: bool
    reason: str = ""
    english_terms: dict[str, list[str]] = field(default_factory=dict)
    #: answered, partial (the passages hold what is asked about but not the kind of answer asked for), refused
    outcome: str = "answered"
    features: dict[str, float] = field(default_factory=dict)
    probability: float = 1.0
    #: refused for something the passages certainly lack (the year, the edition, the counted noun asked for):
    #: no model is asked; a refusal by the answer model alone can be overruled by an LLM that answers with citations
    hard: bool = False


class TermWeights:
    """IDF weights of terms over the index (unknown terms weigh the most)."""

    def __init__(self, df: Mapping[str, int] | Callable[[str], int] | None, n_docs: int) -> None:
        table = df if isinstance(df, Mapping) else {}
        self.df: Callable[[str], int] = df if callable(df) else lambda t: table.get(t, 0)
        self.n = max(n_docs, 1)
        self._memo: dict[str, float] = {}  # an answer asks for the same few terms once per sentence

    def __call__(self, term: str) -> float:
        w = self._memo.get(term)
        if w is None:
            df = self.df(term)  # on a large index a frequent term's document frequency costs a pass over it
            w = self._memo[term] = math.log(1 + (self.n - df + 0.5) / (df + 0.5))
            if len(self._memo) > 50_000:
                self._memo.clear()
        return w


class Selector:
    """Scores sentences against a question and decides whether they answer it."""

    def __init__(
        self,
        weights: TermWeights,
        vocabulary: Container[str],
        cache_dir: str | None = None,
    ) -> None:
        self.weights = weights
        self.vocabulary = vocabulary
        self.cache_dir = cache_dir
        self._en_weights: dict[tuple[str, ...], float] = {}
        self._host_countries: frozenset[str] | None = None
        self._glosses: dict[str, list[frozenset[str]]] = {}
        self._parts: dict[str, list[str]] = {}
        self._abbreviations: dict[str, re.Pattern[str] | None] = {}

    @property
    def host_countries(self) -> frozenset[str]:
        """The index's own country, learned from it: the country named in the most chunks, when it is named in at
        least :data:`HOST_MIN_CHUNKS` chunks and :data:`HOST_MARGIN` times as many as any other (one release that
        names one country once teaches nothing). Material about one country's events names that
        country everywhere ("中国…大会"), so a sentence naming it does not answer "which country…?"."""
        if self._host_countries is None:
            share: dict[str, int] = {}
            for name, code in country_names().items():
                # a Chinese name is a BM25 term as a whole (search mode also keeps the whole word); English by stem
                terms = [name] if has_cjk(name) else tokenize(name, self.cache_dir)
                if len(terms) == 1 and terms[0] in self.vocabulary:
                    share[code] = max(share.get(code, 0), self.weights.df(terms[0]))
            ranked = sorted(share.items(), key=lambda kv: -kv[1])
            top, runner_up = [*ranked, ("", 0), ("", 0)][:2]
            host = top[0] if top[1] >= HOST_MIN_CHUNKS and top[1] >= HOST_MARGIN * runner_up[1] else ""
            self._host_countries = frozenset({host} - {""})
        return self._host_countries

    def about(self, kind: str, sentence: Sentence, question: str) -> bool:
        """Whether a sentence is about the ``year`` or ``edition`` the question names, with its document's title,
        date, years and editions as context; a sentence naming editions itself is judged by those alone (第8届 in a
        release about the 7th is about the 8th; an edition of another event, 第七届月湖交易会, is no such naming:
        :func:`editions_of_event`). Years are not, but in a table row: "较2020年增长" in a 2021 release
        is about 2021 (measured: judging years by the sentence alone lost dev accuracy, 0.857 -> 0.839), while the
        table row "年份：2019｜…" of a 2025 review page is about 2019 (:func:`year_cells`). (Judging the others by
        their document's edition alone, not every edition the title names, refused "首届网上…" questions about a
        127th session: tried and dropped.)"""
        if kind == "edition" and editions(sentence.text):
            if named := editions_of_event(sentence.text, question):
                return editions(question) <= named
            # its mentions are not its own: its document's edition must be one asked about (and every other one
            # asked about named somewhere: "和第126届比，第134届…")
            own = editions(with_context(sentence, text=False))
            return bool(own & editions(question)) and kind_present(kind, with_context(sentence), question)
        if kind == "part" and parts_named(sentence.text):
            return kind_present(kind, sentence.text, question)
        if kind == "part" and parts_named(lead := paragraph_lead(sentence)):  # "The third phase… It brought…"
            return kind_present(kind, lead, question)
        if kind == "year" and names_another_year(sentence.text, question):
            return False
        if kind == "year" and (asked := editions(question)) and asked <= editions_of_event(sentence.text, question):
            return True  # "首届（2018年）…": the sentence names the asked edition itself, which the year only glosses
        if kind == "year" and (row_years := year_cells(sentence.text)):
            return kind_present(kind, " ".join(row_years), question)  # a table row is about the year of its cell
        return self.has_kind(kind, with_context(sentence), question)

    def has_kind(self, kind: str, text: str, question: str) -> bool:
        """:func:`kind_present`, with the index's own country not counting as an answer to "which country"."""
        return kind_present(kind, text, question, self.host_countries if kind == "country" else ())

    # -- terms
    def terms(self, question: str) -> tuple[list[str], dict[str, list[str]]]:
        """Chinese key terms, and for English questions each English content word's Chinese translations."""
        from confbot.retrieve.crosslingual import english_words, load_dictionary, phrase_translations

        zh = key_terms(question, self.cache_dir)
        en: dict[str, list[str]] = {}
        if LATIN_RE.search(question):
            pairs = phrase_translations(english_words(question), load_dictionary(self.cache_dir), max_n=3)
            for phrase, heads in pairs:
                if " " in phrase or (
                    phrase not in EN_QUESTION_WORDS and phrase not in EN_KIND_NOUNS and len(phrase) >= 3
                ):
                    en[phrase] = heads
            # English words are judged through their translations; keep only numbers and tokens the index knows
            zh = [t for t in zh if has_cjk(t) or (t in self.vocabulary and not LATIN_RE.fullmatch(t))]
        return zh, en

    # -- scoring
    def score(
        self,
        sentence: Sentence,
        zh_terms: Sequence[str],
        en_terms: Mapping[str, Sequence[str]],
        question: str,
        kinds: Sequence[str],
    ) -> float:
        text = canonical(sentence.text)
        sentence_stems = english_stems(sentence.text)
        s = sum(self.weights(t) for t in zh_terms if self.present(t, text, sentence_stems))
        # the question's focus (主题 in "第五届…的主题"): terms its title does not name, found in the sentence itself
        title = canonical(sentence.chunk.title)
        s += FOCUS_BONUS * sum(
            1 for t in zh_terms if not self.present(t, title) and self.present(t, text, sentence_stems)
        )
        if en_terms:
            for phrase, heads in en_terms.items():
                if heads and any(h in text for h in heads):
                    s += self.en_weight(heads)
                elif phrase_in(phrase, sentence_stems):  # the English word itself, in an English sentence
                    s += self.stem_weight(phrase)
        q_bi = bigrams(question)
        if q_bi and has_cjk(question) and not has_cjk(sentence.text):
            # no character bigram of a Chinese question can be in an English sentence: the share of its terms found
            # through their glosses stands in, so the English sentence that answers is not ranked below Chinese ones
            found = sum(1 for t in zh_terms if self.present(t, text, sentence_stems))
            s += BIGRAM_WEIGHT * found / max(len(zh_terms), 1)
        elif q_bi:
            s += BIGRAM_WEIGHT * len(q_bi & bigrams(sentence.text)) / len(q_bi)
        answer_kinds = [k for k in kinds if k not in CONSTRAINT_KINDS]  # constraints, not what is asked for
        if answer_kinds:
            s += KIND_WEIGHT * sum(self.has_kind(k, sentence.text, question) for k in answer_kinds) / len(answer_kinds)
        if TABLE_CELL_SEP in sentence.text and TABLE_QUESTION.search(question):
            s += TABLE_ROW_BONUS  # "一览表中…": a row, not the note under the table that names the same words
        return s - RANK_PENALTY * (sentence.rank - 1)

    def en_weight(self, heads: Sequence[str]) -> float:
        """An English term weighs what its most common translation in the index weighs (unknown: the most)."""
        key = tuple(heads)
        best = self._en_weights.get(key)
        if best is not None:  # the same translations come back for every sentence scored (memoized per index)
            return best
        best = self.weights("")
        for h in heads:
            if parts := self.index_terms(h):
                best = min(best, max(self.weights(p) for p in parts))
        if len(self._en_weights) > 10_000:
            self._en_weights.clear()
        self._en_weights[key] = best
        return best

    def noun_present(self, noun: str, texts: Sequence[str], en_terms: Mapping[str, Sequence[str]]) -> bool:
        """Whether the counted noun is in ``texts``: a Chinese noun (or a synonym) as is, an English one by its stem
        or, in Chinese text, by a translation. An English noun neither translated nor indexed cannot be judged."""
        if has_cjk(noun):
            return self.present(noun, canonical("".join(texts)), english_stems(" ".join(texts)))
        heads = self.noun_heads(noun, en_terms)
        if not heads and not self.indexed(noun):
            return True
        body, zh_body = " ".join(texts), canonical("".join(texts))
        if phrase_in(noun, stems(body)) or any(h in zh_body or self.words_in(h, zh_body) for h in heads):
            return True
        # in English text another word sharing a translation with it ("enterprises" for companies: both 企业)
        return bool(heads) and bool(LATIN_RE.search(body)) and self.english_synonym(noun, heads, body)

    def words_in(self, term: str, body: str) -> bool:
        """Whether every word inside a Chinese compound ``term`` (:meth:`parts`, two or more) is in ``body``, in any
        order: a translation 参展企业 (exhibitors) is in "2800家企业参展", where the same words say the same thing."""
        parts = self.parts(term) if len(term) >= 4 and has_cjk(term) else []
        return len(parts) >= 2 and "".join(parts) == term and all(p in body for p in parts)

    def unknown_noun(self, noun: str, en_terms: Mapping[str, Sequence[str]]) -> bool:
        """An English noun found in no sense anywhere in the index: neither itself nor any of its translations."""
        return (
            not has_cjk(noun)
            and not self.indexed(noun)
            and not any(map(self.index_terms, self.noun_heads(noun, en_terms)))
        )

    @staticmethod
    def noun_heads(noun: str, en_terms: Mapping[str, Sequence[str]]) -> list[str]:
        """An English noun's Chinese translations (those of the question phrase holding it)."""
        return next((list(h) for phrase, h in en_terms.items() if noun in phrase.split()), [])

    def role_present(self, role: str, texts: Sequence[str], en_terms: Mapping[str, Sequence[str]]) -> bool:
        """Whether the role a person question asks about (:func:`role_of`) is in ``texts``: a Chinese role as a term
        (synonyms, words inside it, glosses), an English one by its stem or a translation; an English role neither
        translated nor indexed cannot be judged and counts as present (as in :meth:`noun_present`)."""
        body, body_stems = canonical("".join(texts)), english_stems(" ".join(texts))
        if has_cjk(role):
            return self.present(role, body, body_stems)
        heads = [h for phrase, hs in en_terms.items() if role in phrase.split() for h in hs]
        if role.endswith("ed"):  # a deed (chaired: 主持), not the title its word also names (chair: 主席)
            heads = [h for h in heads if not is_title(h)]
        english_text = any(LATIN_RE.search(t) for t in texts)
        if not heads and (not self.indexed(role) or not english_text):
            return True  # an English word not translated, and not in the index or the text Chinese: cannot be judged
        if not english_text and not any(self.index_terms(h) for h in heads):
            return True  # Chinese text, and none of its translations anywhere in the index: a dictionary miss
        # a translation as a Chinese term is found (亚洲人 by its first word in "12个亚洲国家")
        if phrase_in(role, body_stems) or any(self.present(h, body) for h in heads):
            return True
        return english_text and self.english_synonym(role, heads, " ".join(texts))

    def english_synonym(self, role: str, heads: Sequence[str], text: str) -> bool:
        """Whether an English word of ``text`` says what the English ``role`` says: it shares a Chinese translation
        with it in CC-CEDICT (unveiled and released: 发布; chaired and presided: 主持), or starts with its stem
        (chair: chairwoman)."""
        from confbot.retrieve.crosslingual import english_words, lemmas, load_dictionary

        table = load_dictionary(self.cache_dir)
        stem = next(iter(stems(role)), role)
        wanted = set(heads)
        for word in set(english_words(text)):
            if len(stem) >= 4 and word.startswith(stem):
                return True
            if wanted & {h for form in lemmas(word) for h in table.get(form, ())}:
                return True
        return False

    def noun_counted(
        self,
        noun: str,
        texts: Sequence[str],
        en_terms: Mapping[str, Sequence[str]],
        modifier: str = "",
        final: bool = False,
        unit: str = "",
    ) -> bool:
        """Whether some figure in ``texts`` counts the noun: the noun (as :meth:`noun_present` finds it) stands
        next to a number (:func:`count_windows`), as in "120家企业", "参展企业85家" or "500 representatives";
        for a noun of people (:data:`PERSON_NOUNS`), a figure of people counts too ("累计入场3万余人"). An English
        ``modifier`` (:func:`counted_modifier`) must stand by the figure as well, when it can be judged, and alone
        when the noun is found in no sense anywhere in the index (the dictionary's senses of "outlets" miss 媒体,
        "media" does not). Nouns joined
        by ``|`` ("dignitaries|guests", from "dignitaries and guests") are alternatives: a count of either answers.
        ``final``: only clauses giving no forecast count (:func:`settled`). ``unit``: a measure word naming what is
        counted (:func:`counted_unit`): a figure in it counts the noun whatever word the passage uses (50支参赛团队
        for 多少支队伍)."""
        if final:  # the final count asked for: a forecast's clause counts nothing ("观众有望突破80万")
            texts = [settled(t) for t in texts]
        if unit and any(  # a count, not an ordinal (第十三届 counts no editions)
            re.search(
                rf"(?<![第\d.一二两三四五六七八九十百千])(?:[\d.,]+|[一二两三四五六七八九十百千]+)\s*(?:万|亿)?\s*(?:多|余)?\s*{unit}",
                t,
            )
            for t in texts
        ):
            return True
        if "|" in noun:
            return any(self.noun_counted(n, texts, en_terms, modifier) for n in noun.split("|"))
        if noun in ("人次", "visits"):  # visits: a figure in 人次 or of visits (not 30位院士, "500 guests")
            return any(_VISITS.search(t) for t in texts)
        if noun == "人":  # 多少人, how many people: any figure of people (300多名嘉宾, 进场人数达到5万)
            people = ("人", *PERSON_NOUNS)
            return any(
                _PERSON_FIGURE.search(t) or any(p in w.lower() for w in count_windows(t) for p in people) for t in texts
            )
        if noun in PERSON_NOUNS and any(self._people_figure(noun, t) for t in texts):
            return True
        if not has_cjk(noun) and any(
            self.noun_present(noun, [m.group(1)], en_terms)
            and (not modifier or self.modifier_present(modifier, m.group(1), en_terms))
            for t in texts
            for m in _NUMBER_OF.finditer(t)
        ):
            return True  # "the number of foreign guests has risen from a dozen to 50"
        if self.unknown_noun(noun, en_terms) and modifier:  # "media outlets", outlets as 插座: the modifier names it
            return any(self.modifier_present(modifier, w, en_terms) for t in texts for w in count_windows(t))
        return any(
            self.noun_present(noun, [w], en_terms)
            and self.head_present(noun, w)
            and (not modifier or self.modifier_present(modifier, w, en_terms))
            for t in texts
            for w in count_windows(t)
        )

    def modifier_present(self, modifier: str, window: str, en_terms: Mapping[str, Sequence[str]]) -> bool:
        """Whether a count's ``modifier`` stands in its ``window``: a ranking (500强) by its number, in any language
        ("Fortune Global 500"); ``foreign`` by any of :data:`FOREIGN_WORDS`; a word ("humanoid" robots, 冰岛企业) as a role is judged."""
        if ranking := re.fullmatch(r"(\d+)强", modifier):
            return bool(re.search(rf"(?<!\d){ranking.group(1)}(?!\d)", window))
        if modifier == "foreign":  # overseas buyers: 境外采购商, "international buyers", "buyers from abroad"
            low = to_simplified(window).lower()
            return any(re.search(rf"\b{w}\b" if w.isascii() else w, low) for w in FOREIGN_WORDS)
        return self.role_present(modifier, [window], en_terms)

    def head_present(self, noun: str, window: str) -> bool:
        """For a Chinese compound noun, whether its head (last word inside it, or a synonym) is in ``window``: a
        count of 中外企业 is no count of 中外记者, though both start alike (:meth:`present` judges by the first word)."""
        from confbot.retrieve.crosslingual import synonyms

        t = canonical(noun)
        parts = self.parts(t) if has_cjk(noun) and has_cjk(window) and len(t) >= 3 else []
        if len(parts) < 2:
            return True  # one word, or an English window (judged through glosses by noun_present)
        head = max(parts, key=lambda w: t.rfind(w) + len(w))
        if head in PERSON_NOUNS and _PERSON_FIGURE.search(window):  # 领袖人物 in "30多位企业领袖"
            return True
        body = canonical(window)
        return head in body or any(canonical(s) in body for s in synonyms().get(head, ()))

    @staticmethod
    def _people_figure(noun: str, text: str) -> bool:
        """A figure of people in ``text`` that counts no other kind of people (not "嘉宾9000人次" for 观众)."""
        others = [p for p in PERSON_NOUNS if p != noun and p not in PERSON_UNITS]
        for m in _PERSON_FIGURE.finditer(text):
            near = text[max(0, m.start() - COUNT_WINDOW_CHARS) : m.end()].lower()
            if not any(p in near for p in others):
                return True
        return False

    def index_terms(self, head: str) -> list[str]:
        """A translation's terms in the index: itself when it is one term there, else its BM25 terms when the index
        holds all of them (:meth:`indexed`), else []."""
        return [head] if head in self.vocabulary else self.indexed(head)

    def indexed(self, phrase: str) -> list[str]:
        """An English word or phrase's BM25 terms (stems, stopwords dropped) when the index holds all of them, else []."""
        terms = tokenize(phrase, self.cache_dir)
        return terms if terms and all(t in self.vocabulary for t in terms) else []

    def stem_weight(self, phrase: str) -> float:
        """An English word or phrase weighs what its rarest BM25 term weighs in the index (stopwords aside)."""
        return max((self.weights(t) for t in tokenize(phrase, self.cache_dir)), default=self.weights(""))

    def present(self, term: str, body: str, body_stems: AbstractSet[str] = frozenset()) -> bool:
        """Whether a Chinese key term is in ``body`` (canonical text): as is, as a synonym, by the first word inside it
        (:meth:`parts`), or, when ``body_stems`` (the English stems of the same text) are given, as one of
        its English glosses."""
        from confbot.retrieve.crosslingual import synonyms

        t = canonical(term)
        if t in body or any(canonical(s) in body for s in synonyms().get(term, ())):
            return True
        if (full_name := self.abbreviation(t)) and full_name.search(body):
            return True
        parts = self.parts(t) if len(t) >= 3 and all(has_cjk(ch) for ch in t) else []
        first = min(parts, key=t.find) if parts else ""
        if first == t[:-1] and t[-1] in _ROLE_SUFFIXES:
            first = ""  # 主题省 is a role: 主题 alone (a theme) is not it
        if first == t[1:] and t[0] in BOUND_PREFIXES:
            first = ""  # 分论坛 is a part: 论坛 alone (the whole forum) is not it
        if first and (first in body or any(canonical(s) in body for s in synonyms().get(first, ()))):
            # the first word decides: a Chinese compound's head comes last, what sets it apart first (领袖人物 in
            # "企业领袖", 开幕式 in "开幕"; 外资项目 is not in "签约项目")
            return True
        # in English text: a gloss of the term or of its first word (高层论坛 -> high-level; 外资项目 not -> project)
        return bool(body_stems) and any(g <= body_stems for w in (term, first) if w for g in self.glosses(w))

    def abbreviation(self, term: str) -> re.Pattern[str] | None:
        """For an event's abbreviated name (数博会, 工博会, or 博会 as jieba leaves it: two to four Chinese characters
        ending in an event noun, no CC-CEDICT word), a pattern finding the full name it is cut from: its characters
        in order, at most :data:`ABBREVIATION_GAP` Chinese characters apart (数字经济博览会, 工业博览会).
        None otherwise. Chinese names are shortened by keeping a character of each word, so the full name holds
        them in order."""
        if term not in self._abbreviations:
            from confbot.retrieve.crosslingual import reverse_dictionary

            pattern = None
            name_like = 2 <= len(term) <= 4 and all(has_cjk(c) for c in term) and term[-1] in EVENT_NOUNS
            if name_like and term not in reverse_dictionary(self.cache_dir):
                gap = rf"[\u4e00-\u9fff]{{0,{ABBREVIATION_GAP}}}"
                pattern = re.compile(gap.join(re.escape(c) for c in term))
            self._abbreviations[term] = pattern
        return self._abbreviations[term]

    def parts(self, term: str) -> list[str]:
        """The words of two characters or more inside a longer Chinese term (jieba's search mode), stopwords aside."""
        got = self._parts.get(term)
        if got is None:
            words = jieba_tokenizer(self.cache_dir).lcut_for_search(term)
            got = [w for w in dict.fromkeys(words) if 2 <= len(w) < len(term) and w not in STOPWORDS]
            self._parts[term] = got
        return got

    def glosses(self, term: str) -> list[frozenset[str]]:
        """A Chinese term's English glosses (CC-CEDICT read backwards, its first :data:`GLOSSES_PER_TERM` senses),
        each as the set of its BM25 terms: how a Chinese question's term is looked for in an English sentence."""
        got = self._glosses.get(term)
        if got is None:
            from confbot.retrieve.crosslingual import reverse_dictionary

            table = reverse_dictionary(self.cache_dir).get(term, ()) if has_cjk(term) else ()
            got = [g for en in table[:GLOSSES_PER_TERM] if (g := frozenset(tokenize(en, self.cache_dir)))]
            self._glosses[term] = got
        return got

    def coverage(
        self, texts: Sequence[str], zh_terms: Sequence[str], en_terms: Mapping[str, Sequence[str]]
    ) -> tuple[float, list[str]]:
        """IDF-weighted share of the question's key terms present in ``texts`` (synonyms count)."""
        body = canonical("".join(texts))
        body_stems = english_stems(" ".join(texts))
        covered = [t for t in zh_terms if self.present(t, body, body_stems)]
        total = sum(self.weights(t) for t in zh_terms)
        got = sum(self.weights(t) for t in covered)
        for word, heads in self.judged(texts, en_terms).items():
            w = self.en_weight(heads) if heads else self.stem_weight(word)
            total += w
            if any(h in body for h in heads) or phrase_in(word, body_stems):
                got += w
                covered.append(word)
        return (got / total if total else 1.0), covered  # nothing to look for (the year is checked apart): all there

    def judged(self, texts: Sequence[str], en_terms: Mapping[str, Sequence[str]]) -> dict[str, Sequence[str]]:
        """The English terms whose presence in ``texts`` can be judged: translated, or indexed over English text."""
        english_text = any(LATIN_RE.search(t) for t in texts)
        judged = {w: h for w, h in en_terms.items() if h or (english_text and self.indexed(w))}
        # over Chinese text, a word none of whose translations the index holds ("count": 伯爵…) is a dictionary miss,
        # when such words are the fewer; when they are most of the question, the index knows little of what it asks
        missed = {w for w, h in judged.items() if h and not english_text and not any(self.index_terms(x) for x in h)}
        if 2 * len(missed) <= len(judged):
            judged = {w: h for w, h in judged.items() if w not in missed}
        return judged

    def unstated_row(self, text: str, zh_terms: Sequence[str], en_terms: Mapping[str, Sequence[str]]) -> bool:
        """Whether ``text`` is a table row whose cells best labelled for the question all say their fact is not
        recorded (:func:`~confbot.ingest.tables.says_unstated`): "成交飞机：未列明" says nothing of the aircraft
        sold, however many aircraft another cell of the row counts. Labels are matched by the question's terms
        (:meth:`coverage`); a row where no label holds any of them is judged as prose."""
        if TABLE_CELL_SEP not in text:
            return False
        cells = [(self.coverage([label], zh_terms, en_terms)[0], value) for label, value in row_cells(text) if label]
        best = max((c for c, _ in cells), default=0.0)
        return best > 0 and all(says_unstated(v) for c, v in cells if c >= best - 1e-9)

    def select(
        self,
        question: str,
        sentences: Sequence[Sentence],
        similarities: Sequence[float] | None = None,
        max_sentences: int = 3,
    ) -> tuple[list[Sentence], Assessment]:
        """The sentences that answer ``question`` (best first, at most ``max_sentences``) and the verdict.

        ``similarities``: the embedding model's cosine of each sentence to the question (same order);
        a sentence's lexical score gains :data:`SEMANTIC_WEIGHT` times its z-score among the candidates.
        """
        question = normalize_query(question)
        kinds = expected_kinds(question)
        zh_terms, en_terms = self.terms(question)
        if not sentences:
            return [], Assessment(kinds, kinds, zh_terms, [], 0.0, True, "nothing retrieved", en_terms)
        sentences = [s for s in sentences if not self.unstated_row(s.text, zh_terms, en_terms)]
        if not sentences:
            return [], Assessment(
                kinds, kinds, zh_terms, [], 0.0, True, "the table leaves what is asked unstated", en_terms
            )
        all_sentences = list(sentences)
        for k in CONSTRAINT_KINDS:  # a question about a year, an edition or a phase: sentences about that one only
            if k in kinds:
                about = [s for s in sentences if self.about(k, s, question)]
                if about:  # every one left is about it: its words no longer tell them apart (a dateline names it)
                    zh_terms = [t for t in zh_terms if not constraint_term(k, t)]
                sentences = about or list(sentences[:1])
        sims = dict(zip((id(s) for s in all_sentences), similarities or (), strict=False))
        sem = _zscores([sims[id(s)] for s in sentences]) if len(sims) == len(all_sentences) else [0.0] * len(sentences)
        lexical = [self.score(s, zh_terms, en_terms, question, kinds) for s in sentences]
        spread = statistics.pstdev(lexical) if len(lexical) > 1 else 1.0
        # the similarity's z-score in the lexical scores' own units (their spread), so neither scale dominates
        score = {
            id(s): lx + SEMANTIC_WEIGHT * (spread or 1.0) * z - TITLE_PENALTY * (spread or 1.0) * is_title_line(s)
            for s, lx, z in zip(sentences, lexical, sem, strict=True)
        }

        scored = sorted(sentences, key=lambda s: -score[id(s)])
        best = scored[0]
        top = score[id(best)]
        chosen = [best]
        for s in scored[1:]:
            if len(chosen) >= max_sentences:
                break
            sc = score[id(s)]
            # a second sentence when it is nearly as good and adds terms the first lacks
            adds = self._adds(s, chosen, zh_terms, en_terms)
            # ... or, for a question asking for a date/number/person..., another sentence that has one
            same_kind = any(k not in CONSTRAINT_KINDS and self.has_kind(k, s.text, question) for k in kinds)
            # ... about the question's subject: it shares a key term beyond the year (not any date of the corpus)
            same_kind = same_kind and any(not t.isdigit() for t in self.coverage([s.text], zh_terms, en_terms)[1])
            if (sc >= ADDS_SHARE * top and adds) or (sc >= SAME_KIND_SHARE * top and same_kind and len(chosen) < 2):
                chosen.append(s)
        chosen = [best, *sorted(chosen[1:], key=lambda s: (s.chunk.source, s.start))]
        chosen = latest_first(chosen, scored, score, kinds, question, top)
        asked = asked_of(question, kinds)
        chosen = self._with_asked(asked, chosen, scored, score, top, zh_terms, en_terms, has_cjk(question))
        chosen = with_items(chosen, all_sentences)
        chosen = [s for s in chosen if not any(o is not s and _inside(s, o) for o in chosen)]  # a lead's list item
        best_sim = max((sims[id(s)] for s in chosen if id(s) in sims), default=0.0)
        return chosen, self.verdict(question, chosen, kinds, zh_terms, en_terms, best_sim, asked)

    def _with_asked(
        self,
        asked: Asked,
        chosen: list[Sentence],
        scored: Sequence[Sentence],
        score: Mapping[int, float],
        top: float,
        zh_terms: Sequence[str],
        en_terms: Mapping[str, Sequence[str]],
        question_cjk: bool,
    ) -> list[Sentence]:
        """For a count question whose best chosen sentence holds no figure of the counted noun (a headline naming
        every term won), or a person question whose best one lacks the role asked about (:func:`role_of`), the
        chosen sentence that has it, put first; or else the best other candidate that has it, put first, when it
        scores :data:`SAME_KIND_SHARE` of the best and covers the question's terms (with its title) as well as the
        best chosen one does (:data:`SWAP_SLACK` less, in the other language than the question's, ``question_cjk``): "累计入场3万余人" for 多少观众
        under "…闭幕 观众人数均超上届"; "总设计师为…" for "Who was the chief designer" over an English sentence
        naming the building."""
        noun, role = asked.noun, asked.role

        def holds(s: Sentence) -> bool:
            if noun:
                return self.noun_counted(noun, [s.text], en_terms, asked.modifier, asked.final, asked.unit)
            return self.role_present(role, [s.text], en_terms) and has_person_or_org(s.text)

        if not (noun or role) or holds(chosen[0]):
            return chosen
        if held := [c for c in chosen if holds(c)]:  # chosen, but after a sentence without it: it comes first
            return [held[0], *(c for c in chosen if c is not held[0])]
        have, _ = self.coverage([chosen[0].text, chosen[0].chunk.title], zh_terms, en_terms)
        kindless = not (has_number(chosen[0].text) if noun else has_person_or_org(chosen[0].text))
        for s in scored:
            if s in chosen or score[id(s)] < SAME_KIND_SHARE * top:
                continue
            if holds(s):
                same = has_cjk(s.text) == question_cjk
                slack = 0.0 if same else SWAP_SLACK  # terms across languages: noisier
                need = have * KINDLESS_BEST_SHARE if kindless and same else have  # the best answers nothing asked
                if self.coverage([s.text, s.chunk.title], zh_terms, en_terms)[0] >= need - slack - 1e-9:
                    return [s, *chosen[:2]]
                return chosen  # the best one with it names less of what is asked: no answer of that kind
        return chosen

    def verdict(
        self,
        question: str,
        chosen: Sequence[Sentence],
        kinds: Sequence[str],
        zh_terms: list[str],
        en_terms: dict[str, list[str]],
        best_sim: float,
        asked: Asked,
    ) -> Assessment:
        """Answer, partial or refuse with ``chosen`` (best first): kinds present, key-term coverage, the answer model;
        ``asked`` (:func:`asked_of`) names the count's noun and the role the passages must hold."""
        best = chosen[0]
        texts = [s.text for s in chosen]
        # across languages the words are looked for through a dictionary: missing them all is left to the model
        same_language = any(has_cjk(t) == has_cjk(question) for t in texts)
        context = [s.chunk.title for s in chosen]  # the document's title counts for the terms it names
        if "year" in kinds:  # the year is guaranteed by the filter above; coverage is about the rest
            zh_terms = [t for t in zh_terms if not constraint_term("year", t)]
        cov, covered = self.coverage([*texts, *context], zh_terms, en_terms)
        missing = [
            k
            for k in kinds
            if k not in SOFT_KINDS
            and not (
                self.about(k, best, question)
                if k in CONSTRAINT_KINDS
                else any(self.has_kind(k, t, question) for t in texts)
            )
        ]
        missing += self.asked_missing(question, chosen, kinds, en_terms, asked)
        features = answer_features(cov, best_sim, missing, question, best.rank)
        p = answer_probability(features)
        hard = [
            m
            for m in missing
            if m in CONSTRAINT_KINDS or m.startswith(("count of", "country ", "role ", "thing ", "ceremony ", "place "))
        ]
        reason = ""
        if hard:
            reason = f"no {', '.join(hard)} in the passages"
        elif not covered and (zh_terms or en_terms) and same_language:
            reason = "none of the question's terms is in the passages"
        elif not [t for t in covered if not t.isdigit()] and not [k for k in kinds if k not in CONSTRAINT_KINDS]:
            reason = "the question names nothing to look for"  # nothing, or a bare figure ("alert(1)")
        elif p < ANSWER_THRESHOLD:
            reason = f"the passages do not look like an answer (p={p:.2f} < {ANSWER_THRESHOLD}; coverage {cov:.2f})"
        outcome = "refused" if reason else ("partial" if missing else "answered")
        return Assessment(
            list(kinds),
            missing,
            zh_terms,
            covered,
            cov,
            bool(reason),
            reason,
            en_terms,
            outcome,
            features,
            round(p, 4),
            bool(hard),
        )

    def asked_missing(
        self,
        question: str,
        chosen: Sequence[Sentence],
        kinds: Sequence[str],
        en_terms: Mapping[str, Sequence[str]],
        asked: Asked,
    ) -> list[str]:
        """What the question asks of its answer that ``chosen`` (best first) lacks, each a hard miss: a country it
        names ("country IS"), a place below a country it names (:func:`~confbot.answer.kinds.asked_places`: "place
        十堰", unless the index names it in :data:`HOST_PLACE_SHARE` of its chunks), looked for in the chosen
        sentences' whole chunks and titles (a paragraph names its city once), the standing asked of a country or the
        role asked of a person ("role 主持"), a figure of the counted noun ("count of 观众"), the thing it asks for
        ("thing 吉祥物")."""
        best, texts = chosen[0], [s.text for s in chosen]
        context = [s.chunk.title for s in chosen]
        missing: list[str] = []
        # a country the question names (not the index's own) must be in the passages: 某国国家馆 is not the total area
        # ... in the sentences (a title naming it is not enough), also as an English adjective (Vietnamese)
        for code in sorted(asked_countries(question) - self.host_countries):
            if not any(code in countries_in(t, adjectives=True) for t in texts):
                missing.append(f"country {code}")
        standing = country_standing(question) if "country" in kinds else ""
        if standing and not self.present(
            standing, canonical("".join([*texts, *context])), english_stems(" ".join(texts))
        ):
            missing.append(f"role {standing}")  # 主宾国 asked: a sentence naming countries without it says nothing
        role, noun = asked.role, asked.noun
        if (
            role
            # an English role through its glosses; a Chinese one over English text only as a title (市长: mayor)
            and (has_cjk(best.text) == has_cjk(question) or not has_cjk(role) or is_title(role))
            and not self.role_present(role, [*texts, *context], en_terms)
        ):
            missing.append(f"role {role}")  # who presided: a sentence naming somebody without presiding says nothing
        ceremony = ceremony_asked(question) or (moment_asked(question) if "date" in kinds else "")
        if ceremony and names_other_ceremony(ceremony, texts):
            missing.append(f"ceremony {ceremony}")  # 开幕式由…主持 does not say who presided over the closing
        if noun and not self.noun_counted(noun, [*texts, *context], en_terms, asked.modifier, asked.final, asked.unit):
            missing.append(f"count of {noun}")
        # 吉祥物是什么: a sentence naming no mascot names none (in the question's language: a dictionary's glosses of
        # a noun miss too many of its English wordings, 产值 as "output")
        if has_cjk(best.text):  # a place a Chinese question names: in the passages' chunks or titles (see above)
            around = canonical("".join([*(s.chunk.text for s in chosen), *context]))
            for place in sorted(asked_places(question)):
                if place not in around and self.weights.df(place) < HOST_PLACE_SHARE * self.weights.n:
                    missing.append(f"place {place}")
        thing = asked.thing if has_cjk(best.text) == has_cjk(question) else ""
        if thing and not self.noun_present(thing, [*texts, *context], en_terms):
            missing.append(f"thing {thing}")
        return missing

    def _adds(
        self, s: Sentence, chosen: Sequence[Sentence], zh_terms: Sequence[str], en_terms: Mapping[str, Sequence[str]]
    ) -> bool:
        before, _ = self.coverage([c.text for c in chosen], zh_terms, en_terms)
        after, _ = self.coverage([*(c.text for c in chosen), s.text], zh_terms, en_terms)
        return after > before + 1e-9


# ---------------------------------------------------------------- citations


# ---------------------------------------------------------------- framing
