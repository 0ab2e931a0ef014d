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
from collections.abc import Callable, Container, Mapping, Sequence
from dataclasses import dataclass, field

from confbot.chunking import Chunk, sentence_spans
from confbot.lexicon import EN_QUESTION_WORDS, ZH_QUESTION_WORDS
from confbot.normalize import canonical, has_cjk, normalize_query, to_simplified
from confbot.retrieval import STOPWORDS, Hit, tokenize

# ---------------------------------------------------------------- records


@dataclass(frozen=True)
class Citation:
    """A numbered source: ``quote`` is exactly ``normalized_source[start:end]``."""

    n: int
    source: str
    chunk_id: str
    quote: str
    start: int
    end: int


@dataclass(frozen=True)
class Answer:
    question: str
    standalone_question: str
    text: str
    citations: tuple[Citation, ...]
    refused: bool
    hits: tuple[Hit, ...] = ()
    backend: str = "extractive"
    seconds: float = 0.0
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Sentence:
    """A sentence of a retrieved chunk, with its offsets into the normalized source."""

    text: str
    chunk: Chunk
    rank: int  # rank of its chunk in retrieval, from 1
    start: int
    end: int


# ---------------------------------------------------------------- language and question analysis

_LATIN_RE = re.compile(r"[A-Za-z]{2,}")


def question_language(question: str) -> str:
    """``zh``, ``zh-Hant`` or ``en`` (English when it has Latin words and no Chinese)."""
    if has_cjk(question):
        return "zh-Hant" if to_simplified(question) != question else "zh"
    return "en" if _LATIN_RE.search(question) else "zh"


QUESTION_WORDS = ZH_QUESTION_WORDS

_EN_QUESTION_WORDS = EN_QUESTION_WORDS

# (answer kind, question pattern, evidence pattern the selected sentences must contain)
_KINDS: list[tuple[str, re.Pattern[str], re.Pattern[str]]] = [
    ("price",
     re.compile(r"多少钱|价格|票价|费用|收费|门票|免费|price|cost|fee|ticket|how much does", re.I),
     re.compile(r"\d+(\.\d+)?\s*(元|块|美元|yuan|rmb)|[¥￥$]\s*\d|免费|票价|收费", re.I)),
    ("url",
     re.compile(r"网址|网站|链接|官网|报名|注册方式|二维码|website|url|link|web ?site|register|registration|sign up|online", re.I),
     re.compile(r"https?://|www\.|\.(com|cn|org|net)\b|二维码|公众号|小程序", re.I)),
    ("address",
     re.compile(r"地址|街道|场馆|会场|展馆|哪个馆|门牌|酒店|宾馆|住宿|停车|地铁|公交|address|venue|street|which hall|"
                r"which building|hotel|accommodation|parking|metro|subway|\bbus\b", re.I),
     re.compile(r"\d+号|[^\s，。]{1,8}(路|街|大道|号馆|会展中心|国际博览中心|体育中心|酒店|宾馆)")),
    ("year",  # a year the question is about ("2023年", "in 2023"), not one inside a name ("2024中国…大会")
     re.compile(r"(19|20)\d{2}\s*年|\b(in|of|for|since|during) (19|20)\d{2}\b", re.I),
     re.compile(r"(19|20)\d{2}")),
    ("date",
     re.compile(r"什么时候|何时|哪天|几号|哪一天|日期|时间|when|what date|which day", re.I),
     re.compile(r"\d{1,2}月\d{1,2}日|\d{1,2}日|\d{4}年\d{1,2}月|星期|周[一二三四五六日]|上午|下午")),
    ("person",
     re.compile(r"谁|哪位|哪些人|嘉宾|演讲者|主讲|官员|负责人|\bwho\b|\bwhom\b|speaker|keynote|guest|official", re.I),
     re.compile(r"(主任|书记|局长|厅长|秘书长|处长|院士|部长|市长|省长|主席|总裁|董事长|总经理|教授|发言人)"
                r"[\u4e00-\u9fff]{2,3}(?=[，、。,；;]|主持|表示|介绍|出席|说|指出|强调|致辞|发言)")),
    ("number",
     re.compile(r"多少|几个|几家|几届|几场|几项|多大|比重|占比|规模|how many|how much|how large|how big|number of|percentage|share", re.I),
     re.compile(r"\d|[一二三四五六七八九十百千万亿两]+(个|家|届|场|项|大|方面|万|亿)")),
    ("place",
     re.compile(r"哪里|哪儿|在哪|何地|哪个城市|哪座城市|地点|where|which city|location", re.I),
     re.compile(r"[\u4e00-\u9fff]{1,6}(省|市|区|县)|武汉|湖北|北京|上海|广州|深圳|在[\u4e00-\u9fff]{2,10}(举行|举办|召开)|"
                r"[\u4e00-\u9fff]{2,8}(会展中心|会议中心|博览中心|展览中心|体育中心|展览馆|会堂)")),
]  # fmt: skip


def expected_kinds(question: str) -> list[str]:
    """The kinds of answer a question asks for (most specific first)."""
    q = to_simplified(question)
    kinds = [kind for kind, ask, _ in _KINDS if ask.search(q)]
    if "price" in kinds or "date" in kinds:  # "how much does a ticket cost": the price, not a count
        kinds = [k for k in kinds if k != "number"]
    if "address" in kinds:
        kinds = [k for k in kinds if k != "place"]
    return kinds


def kind_present(kind: str, text: str, question: str = "") -> bool:
    for k, _ask, evidence in _KINDS:
        if k != kind:
            continue
        if kind == "year":  # every year the question is about must be in the evidence
            years = set(re.findall(r"((?:19|20)\d{2})\s*年", question))
            years |= set(re.findall(r"\b(?:in|of|for|since|during) ((?:19|20)\d{2})\b", question, re.I))
            return all(y in text for y in years)
        return bool(evidence.search(text))
    return True


def key_terms(question: str, cache_dir: str | None = None) -> list[str]:
    """Content terms of a normalized Chinese question (jieba words minus stopwords and question words)."""
    out = []
    for t in tokenize(question, cache_dir):
        if t in QUESTION_WORDS or t in STOPWORDS or t in _EN_QUESTION_WORDS:
            continue
        if len(t) == 1 and has_cjk(t):
            continue
        out.append(t)
    terms = list(dict.fromkeys(out))
    # search-mode tokenizing yields 互联, 联网 and 互联网: count a word once, by its longest form
    return [t for t in terms if not any(t != o and t in o for o in terms)]


# ---------------------------------------------------------------- sentence selection


def split_sentences(hits: Sequence[Hit]) -> list[Sentence]:
    """Sentences of the retrieved chunks (deduplicated across overlapping chunks)."""
    seen: set[tuple[str, int]] = set()
    out = []
    for rank, h in enumerate(hits, start=1):
        c = h.chunk
        for s, e in sentence_spans(c.text):
            key = (c.source, c.start + s)
            if key in seen:
                continue
            seen.add(key)
            out.append(Sentence(text=c.text[s:e], chunk=c, rank=rank, start=c.start + s, end=c.start + e))
    return out


def _bigrams(text: str) -> set[str]:
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

    def __init__(self, weights: TermWeights, vocabulary: Container[str], cache_dir: str | None = None,
                 coverage_threshold: float = 0.4, english_threshold: float = 0.4) -> None:  # fmt: skip
        self.weights = weights
        self.vocabulary = vocabulary
        self.cache_dir = cache_dir
        self.coverage_threshold = coverage_threshold
        self.english_threshold = english_threshold
        self._en_weights: dict[tuple[str, ...], float] = {}

    # -- terms
    def terms(self, question: str) -> tuple[list[str], dict[str, list[str]]]:
        """Chinese key terms, and for English questions each English content word's Chinese translations."""
        from confbot.crosslingual import _EN_STOP, english_words, lemmas, load_dictionary

        zh = key_terms(question, self.cache_dir)
        en: dict[str, list[str]] = {}
        if _LATIN_RE.search(question):
            table = load_dictionary(self.cache_dir)
            words = english_words(question)
            i = 0
            while i < len(words):
                matched = False
                for n in (3, 2):
                    edge_stop = i + n <= len(words) and (words[i] in _EN_STOP or words[i + n - 1] in _EN_STOP)
                    if i + n <= len(words) and not edge_stop:
                        phrase_forms = [" ".join([*words[i : i + n - 1], f]) for f in lemmas(words[i + n - 1])]
                        heads = [h for p in phrase_forms for h in table.get(p, ())]
                        if heads:
                            en[" ".join(words[i : i + n])] = list(dict.fromkeys(heads))
                            i += n
                            matched = True
                            break
                if matched:
                    continue
                w = words[i]
                i += 1
                if w in _EN_QUESTION_WORDS or w[0].isdigit() or len(w) < 3:
                    continue
                heads = [h for f in lemmas(w) for h in table.get(f, ())]
                en[w] = list(dict.fromkeys(heads))
            # English words are judged through their translations; keep only numbers and tokens the index knows
            zh = [t for t in zh if has_cjk(t) or (t in self.vocabulary and not _LATIN_RE.fullmatch(t))]
        return zh, en

    # -- scoring
    def score(self, sentence: Sentence, zh_terms: Sequence[str], en_terms: Mapping[str, Sequence[str]],
              question: str, kinds: Sequence[str]) -> float:  # fmt: skip
        text = canonical(sentence.text)
        s = sum(self.weights(t) for t in zh_terms if self.present(t, text))
        for heads in en_terms.values():
            if heads and any(h in text for h in heads):
                s += self.en_weight(heads)
        q_bi = _bigrams(question)
        if q_bi:
            s += 2.0 * len(q_bi & _bigrams(sentence.text)) / len(q_bi)
        answer_kinds = [k for k in kinds if k != "year"]  # a year constrains; it is not what is asked for
        if answer_kinds:
            s += 4.0 * sum(kind_present(k, sentence.text, question) for k in answer_kinds) / len(answer_kinds)
        return s - 0.05 * (sentence.rank - 1)

    def en_weight(self, heads: Sequence[str]) -> float:
        """An English term weighs what its most common translation in the index weighs (unknown: the most)."""
        key = tuple(heads)
        best = self._en_weights.get(key)
        if best is not None:  # the same translations come back for every sentence scored (memoized per index)
            return best
        best = self.weights("")
        for h in heads:
            parts = [h] if h in self.vocabulary else tokenize(h, self.cache_dir)
            if parts and all(p in self.vocabulary for p in parts):
                best = min(best, max(self.weights(p) for p in parts))
        if len(self._en_weights) > 10_000:
            self._en_weights.clear()
        self._en_weights[key] = best
        return best

    @staticmethod
    def present(term: str, body: str) -> bool:
        from confbot.crosslingual import synonyms

        t = canonical(term)
        return t in body or any(canonical(s) in body for s in synonyms().get(term, ()))

    def coverage(
        self, texts: Sequence[str], zh_terms: Sequence[str], en_terms: Mapping[str, Sequence[str]]
    ) -> tuple[float, list[str]]:
        """IDF-weighted share of the question's key terms present in ``texts`` (synonyms count)."""
        body = canonical("".join(texts))
        covered = [t for t in zh_terms if self.present(t, body)]
        total = sum(self.weights(t) for t in zh_terms)
        got = sum(self.weights(t) for t in covered)
        for word, heads in en_terms.items():
            if not heads:
                continue  # no translation at all: cannot be judged either way
            w = self.en_weight(heads)
            total += w
            if any(h in body for h in heads) or word in body:
                got += w
                covered.append(word)
        return (got / total if total else 0.0), covered  # nothing to look for: nothing is covered

    def select(
        self, question: str, sentences: Sequence[Sentence], max_sentences: int = 3
    ) -> tuple[list[Sentence], Assessment]:
        question = normalize_query(question)
        kinds = expected_kinds(question)
        zh_terms, en_terms = self.terms(question)
        if not sentences:
            return [], Assessment(kinds, kinds, zh_terms, [], 0.0, True, "nothing retrieved", en_terms)
        if "year" in kinds:  # a question about a year is answered only by sentences about that year
            sentences = [s for s in sentences if kind_present("year", s.text, question)] or list(sentences[:1])
        score = {id(s): self.score(s, zh_terms, en_terms, question, kinds) for s in sentences}
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
            same_kind = any(k != "year" and kind_present(k, s.text, question) for k in kinds)
            if (sc >= 0.75 * top and adds) or (sc >= 0.5 * top and same_kind and len(chosen) < 2):
                chosen.append(s)
        chosen = [best, *sorted(chosen[1:], key=lambda s: (s.chunk.source, s.start))]
        texts = [s.text for s in chosen]
        if "year" in kinds:  # the year is guaranteed by the filter above; coverage is about the rest
            zh_terms = [t for t in zh_terms if not re.fullmatch(r"(19|20)\d{2}", t)]
        cov, covered = self.coverage(texts, zh_terms, en_terms)
        missing = [
            k
            for k in kinds
            if not (
                kind_present(k, best.text, question)
                if k == "year"
                else any(kind_present(k, t, question) for t in texts)
            )
        ]
        threshold = self.english_threshold if en_terms and not has_cjk(question) else self.coverage_threshold
        reason = ""
        if missing:
            reason = f"no {', '.join(missing)} in the passages"
        elif cov < threshold:
            reason = f"key terms not covered ({cov:.2f} < {threshold})"
        return chosen, Assessment(kinds, missing, zh_terms, covered, cov, bool(reason), reason, en_terms)

    def _adds(self, s: Sentence, chosen: Sequence[Sentence], zh_terms: Sequence[str],
              en_terms: Mapping[str, Sequence[str]]) -> bool:  # fmt: skip
        before, _ = self.coverage([c.text for c in chosen], zh_terms, en_terms)
        after, _ = self.coverage([*(c.text for c in chosen), s.text], zh_terms, en_terms)
        return after > before + 1e-9


# ---------------------------------------------------------------- citations


_MARKER_RE = re.compile(r"\[(\d{1,3})\]")
_QUOTED_RE = re.compile(r"[“\"「『]([^”\"」』]{6,})[”\"」』]")


def verify_citations(
    text: str, citations: Sequence[Citation], chunks: Mapping[str, Chunk]
) -> tuple[str, list[Citation]]:
    """Keep the citations whose quote is in their chunk (repairing offsets), drop the rest and their
    markers, and renumber the survivors by first appearance. Pure: values in, values out."""
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
        Citation(renumber[c.n], c.source, c.chunk_id, c.quote, c.start, c.end)
        for c in sorted(valid.values(), key=lambda c: renumber.get(c.n, 1 << 30))
        if c.n in renumber
    ]
    return new_text, out


def quote_for(answer_sentence: str, chunk: Chunk) -> tuple[str, int, int] | None:
    """The sentence of ``chunk`` that best supports ``answer_sentence`` (by character bigrams)."""
    best, best_score = None, 0.0
    a = _bigrams(answer_sentence)
    for s, e in sentence_spans(chunk.text):
        b = _bigrams(chunk.text[s:e])
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
        a = _bigrams(core)
        best, best_n = 0.0, 0
        for n, h in enumerate(hits, start=1):
            for s, e in sentence_spans(h.chunk.text):
                b = _bigrams(h.chunk.text[s:e])
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


# ---------------------------------------------------------------- framing


FRAMING = {
    "zh": ("根据新闻材料：", "抱歉，现有新闻材料中没有找到这个问题的答案{why}。", "材料中与此最接近的内容是：「{hint}」"),
    "zh-Hant": ("根據新聞材料：", "抱歉，現有新聞材料中沒有找到這個問題的答案{why}。", "材料中與此最接近的內容是：「{hint}」"),
    "en": ("According to the press materials (quoted in Chinese):", "Sorry, the press materials do not say{why}.",
           "The closest thing they cover is: “{hint}”"),
}  # fmt: skip

_WHY = {
    "zh": {"price": "（材料未提及价格或门票信息）", "url": "（材料未提供网址或报名方式）", "address": "（材料未提供具体地址）",
           "year": "（材料未涉及该年份）", "date": "（材料未提及相关时间）", "person": "（材料未提及相关人员）"},
    "zh-Hant": {"price": "（材料未提及價格或門票資訊）", "url": "（材料未提供網址或報名方式）", "address": "（材料未提供具體地址）",
                "year": "（材料未涉及該年份）", "date": "（材料未提及相關時間）", "person": "（材料未提及相關人員）"},
    "en": {"price": " (no prices or ticket information)", "url": " (no web address or registration details)",
           "address": " (no street address or venue)", "year": " (nothing about that year)",
           "date": " (no such date)", "person": " (no such person)"},
}  # fmt: skip


def refusal_text(lang: str, missing: Sequence[str], hint: str | None) -> str:
    _, refuse, closest = FRAMING.get(lang, FRAMING["zh"])
    why = next((_WHY[lang if lang in _WHY else "zh"][k] for k in missing if k in _WHY["zh"]), "")
    text = refuse.format(why=why)
    if hint:
        short = hint if len(hint) <= 60 else hint[:60] + "…"
        text += "\n" + closest.format(hint=short)
    return text


def extractive_text(lang: str, chosen: Sequence[Sentence]) -> tuple[str, list[Citation]]:
    lead = FRAMING.get(lang, FRAMING["zh"])[0]
    citations: list[Citation] = []
    parts = []
    for i, s in enumerate(chosen, start=1):
        citations.append(Citation(i, s.chunk.source, s.chunk.id, s.text, s.start, s.end))
        parts.append(f"{s.text}[{i}]")
    sep = "\n" if lang == "en" else ""
    return lead + sep + ("\n" if lang == "en" else "").join(parts), citations
