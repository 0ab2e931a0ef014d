import math
from pathlib import Path

import numpy as np
import pytest

from confbot.retrieve.bm25 import BM25, tokenize
from confbot.retrieve.crosslingual import expand, lemmas, parse_cedict
from confbot.retrieve.fusion import rrf


def test_bm25_matches_the_formula() -> None:
    docs = [["a", "b"], ["a", "a", "c"], ["d"]]
    bm = BM25(docs, k1=1.2, b=0.75)
    s = bm.scores(["a"])
    avg = 2.0
    idf = math.log(1 + (3 - 2 + 0.5) / (2 + 0.5))
    expect0 = idf * 1 * 2.2 / (1 + 1.2 * (1 - 0.75 + 0.75 * 2 / avg))
    expect1 = idf * 2 * 2.2 / (2 + 1.2 * (1 - 0.75 + 0.75 * 3 / avg))
    assert s[0] == pytest.approx(expect0, rel=1e-5)
    assert s[1] == pytest.approx(expect1, rel=1e-5)
    assert s[2] == 0
    assert bm.scores(["zzz"]).sum() == 0
    assert np.array_equal(bm.scores(["a", "a"]), s)  # repeated query terms count once


def test_rrf() -> None:
    fused = rrf([["x", "y"], ["y", "z"]], [1.0, 1.0], k=60)
    assert fused["y"] == pytest.approx(1 / 62 + 1 / 61)
    assert max(fused, key=fused.__getitem__) == "y"
    weighted = rrf([["x"], ["z"]], [0.5, 1.0], k=0)
    assert weighted == {"x": 0.5, "z": 1.0}


def test_tokenize_chinese_and_english() -> None:
    toks = tokenize("湖北省累计建成5G基站16.38万个 Base Stations")
    assert "基站" in toks and ("湖北" in toks or "湖北省" in toks)
    assert "5g" in toks and "16.38" in toks and "base" in toks
    assert "的" not in tokenize("大会的主题")


def test_cedict_parsing_and_expansion() -> None:
    table = parse_cedict(
        [
            "# comment",
            "基站 基站 [ji1 zhan4] /base station/",
            "舉行 举行 [ju3 xing2] /to hold (a meeting, ceremony etc)/",
            "湖北 湖北 [Hu2 bei3] /Hubei Province (Hupeh) in central China, abbr. 鄂[E4], capital Wuhan/",
            "站 站 [zhan4] /station/",
        ]
    )
    assert table["base station"] == ("基站",)
    assert table["hold"] == ("举行",)
    assert table["hubei"] == ("湖北",)
    assert "station" not in table  # single characters are skipped
    assert "held" in lemmas("held") and "hold" in lemmas("held")
    vocab = {"基站", "举行", "湖北"}
    got = expand("How many base stations has Hubei built? When is it held?", vocab)
    assert {"基站", "举行", "湖北"} <= set(got)
    assert expand("How many base stations", set()) == []


def test_bm25_index_incremental_equals_fresh(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import numpy as np

    from confbot.retrieve.bm25 import BM25Index

    def docs(tag: str, n: int) -> list[tuple[str, list[str]]]:
        return [(f"{tag}{i}", ["大会", tag, f"w{i % 7}"] + ["武汉"] * (i % 3)) for i in range(n)]

    inc = BM25Index()
    inc.add("a", "v1", docs("a", 1500))
    inc.add("b", "v1", docs("b", 40))
    inc.add("a", "v2", docs("c", 30))  # a new version of a: its 1500 old documents die, and are compacted away
    assert len(inc.ids) == 70 and inc.n == 70
    fresh = BM25Index()
    fresh.add_many([("b", "v1", docs("b", 40)), ("a", "v2", docs("c", 30))])
    q = ["大会", "c", "w3", "武汉"]
    assert dict(inc.top(q, 70)) == dict(fresh.top(q, 70))
    inc.remove("b")
    assert inc.n == 30 and {cid for cid, _ in inc.top(["大会"], 100)} == {f"c{i}" for i in range(30)}

    path = tmp_path / "bm25.npz"
    inc.key = {"collection": "x", "generation": 3}
    inc.save(path)
    back = BM25Index.load(path)
    assert back is not None and back.key == inc.key and back.versions == inc.versions
    assert np.array_equal(back.scores(q), inc.scores(q))
    back.add("d", "v1", docs("d", 5))  # a loaded index keeps growing
    assert back.n == 35
    path.write_bytes(b"garbage")
    assert BM25Index.load(path) is None


def test_event_ranking_keeps_the_documents_of_the_year_or_edition_asked_about() -> None:
    from confbot.records import Chunk
    from confbot.retrieve.fusion import event_ranking

    def chunk(cid: str, years: tuple[int, ...], editions: tuple[int, ...] = ()) -> Chunk:
        return Chunk(id=cid, source=f"{cid}.txt", text="", start=0, end=0, years=years, editions=editions)

    chunks = {
        "a": chunk("a", (2019,), (16,)),
        "b": chunk("b", (2020,), (17,)),
        "en": chunk("en", (2020,)),  # an English release of 2020 that never writes the edition
        "c": chunk("c", (2021,), (18,)),
    }
    order = ["c", "a", "en", "b"]
    assert event_ranking(order, chunks, {2020}, set()) == ["en", "b"]
    # the edition stands for its documents' years too, so the English release of that year comes along
    assert event_ranking(order, chunks, set(), {17}) == ["en", "b"]
    assert event_ranking(order, chunks, {2019}, {18}) == ["c", "a"]
    # nothing named, nothing matching, or everything matching: no ranking to add
    assert event_ranking(order, chunks, set(), set()) == []
    assert event_ranking(order, chunks, {2030}, set()) == []
    assert event_ranking(order, chunks, {2019, 2020, 2021}, set()) == []
    # the next edition's release naming this year's figures is about the next edition, not this one
    later = {**chunks, "d": chunk("d", (2020, 2021), (18,))}
    assert event_ranking(["d", *order], later, set(), {17}) == ["en", "b"]


def test_the_conference_glossary_comes_first_both_ways() -> None:
    """The shipped glossary fills what CC-CEDICT lacks (展商) and ranks its senses first (主持 -> preside)."""
    from confbot.retrieve.crosslingual import load_dictionary, phrase_translations, reverse_dictionary

    reverse = reverse_dictionary(None)
    assert reverse["展商"][0] == "exhibitor" and reverse["主持"][0] == "preside"
    assert len(set(reverse["主持"])) == len(reverse["主持"])  # each sense once
    pairs = dict(phrase_translations(["overseas", "exhibitors"], load_dictionary(None)))
    assert "展商" in pairs["exhibitors"] and "境外" in pairs["overseas"]
    hyphenated = dict(phrase_translations(["guest-of-honour", "province"], load_dictionary(None)))
    assert "主宾国" in hyphenated["guest-of-honour"]  # as the phrase its parts spell


def test_english_phrases_reach_the_words_the_index_holds() -> None:
    """A phrase's first word in its base form ("took part" as "take part"), and a phrase whose translation the
    index holds only as separate words ("countries and regions" -> 国家和地区, indexed as 国家 and 地区)."""
    from confbot.retrieve.crosslingual import expand, load_dictionary, phrase_translations

    pairs = dict(phrase_translations(["took", "part", "in"], load_dictionary(None)))
    assert "参加" in pairs.get("took part", ())
    terms = expand("How many countries and regions took part?", {"国家", "地区", "参加"})
    assert {"国家", "地区", "参加"} <= set(terms)
    # a glossary phrase's headword (主题国) through the words BM25 indexed it as (主题, 国)
    assert {"主题", "国"} <= set(expand("Which theme country came?", {"主题", "国"}))


def test_a_question_naming_an_edition_searches_that_editions_documents(tmp_path: Path) -> None:
    """Other editions' releases that match every word cannot crowd out the asked edition's English release: its
    documents are searched on their own and their best chunk enters the fused ranking (real embedded Chroma)."""
    from confbot.ingest.indexer import ingest
    from confbot.retrieve.pipeline import Pipeline
    from confbot.settings import Settings
    from fakes import FakeEmbedder

    docs = tmp_path / "corpus"
    docs.mkdir()
    for n in (1, 2, 4, 5, 6):
        (docs / f"edition{n}.txt").write_text(
            f"第{n}届星河会闭幕 按一年计意向成交{n}00亿元\n发布时间：20{20 + n}-11-10\n\n"
            f"第{n}届星河会今天闭幕，按一年计意向成交{n}00亿元。按一年计意向成交额再创新高。",
            encoding="utf-8",
        )
    (docs / "third_en.txt").write_text(
        "Third Star River Fair closes\nRelease date: 2023-11-10\n\n"
        "The third Star River Fair closed today. Tentative deals reached 72.62 billion yuan on a one-year basis.",
        encoding="utf-8",
    )
    settings = Settings(project_root=tmp_path, candidates=3)
    fake = FakeEmbedder()
    ingest(settings, embedder=fake)
    retriever = Pipeline.open(settings, embedder=fake).retriever
    assert retriever.source_events()["corpus/third_en.txt"] == ((2023,), (3,))
    hits = retriever.retrieve("第三届星河会按一年计的意向成交额是多少？", 5)
    assert any("72.62" in h.chunk.text for h in hits)
    # a question naming no edition: no such search (and the English release need not come up)
    assert retriever._event_search("意向成交额是多少？", fake.embed_query("x"), "zh", set(), set(), None, {}) == []


def test_a_question_pointing_at_a_table_favours_table_rows(tmp_path: Path) -> None:
    """ "一览表里…" / "per the overview table": the candidates that are table rows get one more RRF list."""
    from confbot.ingest.indexer import ingest
    from confbot.retrieve.pipeline import Pipeline
    from confbot.settings import Settings
    from fakes import FakeEmbedder

    docs = tmp_path / "corpus"
    docs.mkdir()
    for n in range(1, 5):
        (docs / f"prose{n}.txt").write_text(
            f"星河会第二届筹备会\n发布时间：2030-0{n}-01\n\n星河会第二届的展期是哪几天仍在筹备，展期第{n}次另行公布。",
            encoding="utf-8",
        )
    (docs / "overview.html").write_text(
        "<html><body><h1>资料</h1><table><tr><th>届次</th><th>展期</th></tr>"
        "<tr><td>第一届</td><td>5月7日至10日</td></tr><tr><td>第二届</td><td>7月26日至30日</td></tr>"
        "</table></body></html>",
        encoding="utf-8",
    )
    settings = Settings(project_root=tmp_path)
    fake = FakeEmbedder()
    ingest(settings, embedder=fake)
    retriever = Pipeline.open(settings, embedder=fake).retriever
    plain = retriever.retrieve("星河会第二届的展期是哪几天？", 1)
    table = retriever.retrieve("一览表里，星河会第二届的展期是哪几天？", 1)
    assert "｜" not in plain[0].chunk.text and "7月26日" in table[0].chunk.text
    overview = retriever.retrieve("根据历届概览表，星河会第二届的展期是哪几天？", 1)  # a table named otherwise
    assert "7月26日" in overview[0].chunk.text


def test_bm25_scores_compete_within_their_language() -> None:
    """An English passage matched by a Chinese question's few translated terms scores far below Chinese ones; as a
    share of its language's best it competes with them. One language: the order as given."""
    from confbot.retrieve.fusion import calibrate_bm25_languages

    ranked = [("zh1", 30.0), ("zh2", 24.0), ("zh3", 12.0), ("en1", 6.0), ("en2", 3.0)]
    langs = {"zh1": "zh", "zh2": "zh", "zh3": "zh", "en1": "en", "en2": "en"}
    order = [cid for cid, _ in calibrate_bm25_languages(ranked, langs, "zh")]
    assert order == ["zh1", "en1", "zh2", "en2", "zh3"]
    assert calibrate_bm25_languages(ranked[:3], langs, "zh") == ranked[:3]
    assert dict(calibrate_bm25_languages(ranked, langs, "zh")) == dict(ranked)  # scores unchanged


def test_the_dictionary_common_words_are_kept_in_the_cache(tmp_path: Path) -> None:
    """Read once, the common English words are kept in the cache folder and read back from there by the next
    process (a doctored file shows it is the one read); an unwritable cache still gives the words."""
    import pickle

    from confbot.retrieve.crosslingual import common_english_words

    common_english_words.cache_clear()
    words = common_english_words(str(tmp_path))
    assert {"world", "robot"} <= words and "tallbeck" not in words
    (kept,) = tmp_path.glob("cedict-common-*.pickle")
    kept.write_bytes(pickle.dumps(["jorvik"]))
    common_english_words.cache_clear()
    assert common_english_words(str(tmp_path)) == {"jorvik"}
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    common_english_words.cache_clear()
    assert common_english_words(str(blocked)) == words
    common_english_words.cache_clear()


def test_the_dictionary_place_names_are_cities_provinces_and_districts(tmp_path: Path) -> None:
    """CC-CEDICT's proper nouns glossed as a city, province, district… are places; a common word that is also a
    county's name (东方, "east") and a person's title are not; the set is kept in the cache like the common words."""
    from confbot.retrieve.crosslingual import place_names

    place_names.cache_clear()
    places = place_names(str(tmp_path))
    assert {"襄阳", "宜昌", "十堰", "湖北", "浙江省", "海淀区"} <= places
    assert not {"东方", "嘉宾", "院士", "博览会"} & places
    assert len(list(tmp_path.glob("cedict-places-*.pickle"))) == 1
    place_names.cache_clear()
    assert place_names(str(tmp_path)) == places
    place_names.cache_clear()


def test_a_question_is_translated_word_by_word_into_the_indexs_words() -> None:
    """English -> the Chinese headwords the index holds, Chinese -> the first English gloss whose stems it holds;
    years and figures kept as written; nothing translatable -> ""."""
    from confbot.retrieve.bm25 import tokenize
    from confbot.retrieve.crosslingual import translate_query

    zh = translate_query("Which city hosted the 2031 fair?", {"城市", "博览会", "主办"})
    assert zh.startswith("2031") and "城市" in zh and not any(w in zh for w in ("city", "Which"))
    en = translate_query("2031年展会在哪座城市举行？", set(tokenize("city exhibition hold")))
    assert en.startswith("2031") and "city" in en and not any("\u4e00" <= ch <= "\u9fff" for ch in en)
    assert translate_query("Which city hosted it?", {"博览会"}) == ""  # no word the index holds


def test_the_translated_question_ranks_the_other_languages_passages(tmp_path: Path) -> None:
    """An English question over Chinese passages: the dense side scores them by their cosine to the question's
    Chinese headwords as well, so the passage naming them comes first; with the mix at 0 the (character n-gram)
    embedder sees nothing in common and leaves them in index order (real embedded Chroma, BM25 off)."""
    from confbot.ingest.indexer import ingest
    from confbot.retrieve.pipeline import Pipeline
    from confbot.settings import Settings
    from fakes import FakeEmbedder

    docs = tmp_path / "corpus"
    docs.mkdir()
    (docs / "a_notice.txt").write_text("星河会通知\n\n星河会志愿者报名今天开始，名额有限。", encoding="utf-8")
    (docs / "b_venue.txt").write_text("星河会场馆\n\n星河会在月湖会展中心举行，展览面积五万平方米。", encoding="utf-8")
    (docs / "c_en.txt").write_text("Star River Fair notes\n\nThe fair welcomes volunteers.", encoding="utf-8")
    fake = FakeEmbedder()
    question = "How large is the exhibition area?"
    firsts: dict[float, str] = {}
    for mix in (0.0, 0.5):
        settings = Settings(project_root=tmp_path, bm25_weight=0.0, event_weight=0.0, translated_mix=mix)
        ingest(settings, embedder=fake)
        hits = Pipeline.open(settings, embedder=fake).retriever.retrieve(question, 3)
        firsts[mix] = next(h.chunk.source for h in hits if h.chunk.lang == "zh")
    assert firsts[0.5] == "corpus/b_venue.txt" != firsts[0.0]
