import re

import pytest

from confbot.ingest.loaders import read_corrections
from confbot.text.normalize import (
    canonical,
    fullwidth_punctuation,
    repair,
    repair_aligned,
    strip_pinyin,
    suspicious_spans,
    to_simplified,
)
from conftest import CORPUS, RAW_RELEASE

TONED = re.compile("[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ]")

# (raw line from the received release, expected normalized text)
CASES = [
    ("11月5日,2024中國5G+工業(yè)互聯(lián)網(wǎng)大會(huì)新聞發(fā)布會(huì)在湖北武漢召開。",
     "11月5日，2024中国5G+工业互联网大会新闻发布会在湖北武汉召开。"),
    ("本屆大會(huì)以“實(shí)數(shù)融合 智造翹楚”為主題,將于11月19日至21日在武漢舉行。",
     "本届大会以“实数融合 智造翘楚”为主题，将于11月19日至21日在武汉举行。"),
    ("大力推動(dòng)“5G+工業(yè)互聯(lián)網(wǎng)”規(guī);瘧(yīng)用,推動(dòng)實(shí)體經(jīng)濟(jì)",
     "大力推动“5G+工业互联网”规模化应用，推动实体经济"),
    ("分業(yè)施策抓鏈?zhǔn)絽f(xié)同、協(xié)同聯(lián)動(dòng)抓集群集聚",
     "分业施策抓链式协同、协同联动抓集群集聚"),
    ("《湖北省加快未來(lái)產(chǎn)業(yè)發(fā)展實(shí)施方案(2024—2026年)》,把6G",
     "《湖北省加快未来产业发展实施方案（2024—2026年）》，把6G"),
    ("湖北省累計(jì)建成5G基站16.38萬(wàn)個(gè),每萬(wàn)人擁有5G基站數(shù)28個(gè)",
     "湖北省累计建成5G基站16.38万个，每万人拥有5G基站数28个"),
    ("2024年湖北省數(shù)字經(jīng)濟(jì)規(guī)模預(yù)計(jì)突破3萬(wàn)億元,GDP占比接近50%。",
     "2024年湖北省数字经济规模预计突破3万亿元，GDP占比接近50%。"),
]  # fmt: skip


@pytest.mark.parametrize(("raw", "expected"), CASES)
def test_normalize_real_lines(raw: str, expected: str) -> None:
    assert repair(raw, corrections=read_corrections(CORPUS))[0] == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("聯(lián)網(wǎng)", "聯網"),
        ("方案(2024—2026年)", "方案(2024—2026年)"),  # real parentheses stay
        ("Chroma (cosine) search", "Chroma (cosine) search"),  # English parentheses stay
        ("(yè) at start", "(yè) at start"),  # no CJK before: not an annotation
    ],
)
def test_strip_pinyin(raw: str, expected: str) -> None:
    assert strip_pinyin(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("武汉,湖北", "武汉，湖北"),
        ("It costs 1,000 yuan, see below.", "It costs 1,000 yuan, see below."),
        ("会议时间:10:30", "会议时间：10:30"),
        ("增长16.38万", "增长16.38万"),
        ("是吗?对!", "是吗？对！"),
        ("完成.下一步", "完成。下一步"),
    ],
)
def test_fullwidth_punctuation(raw: str, expected: str) -> None:
    assert fullwidth_punctuation(raw) == expected


def test_repair_and_t2s() -> None:
    fixes = read_corrections(CORPUS)  # the corpus's own corrections file: damage no rule undoes
    assert repair("規(guī);瘧(yīng)用", corrections=fixes)[0] == "规模化应用"
    assert repair("規(guī);瘧(yīng)用", corrections=fixes)[1].summary()[0].startswith("1 span fixed")
    assert to_simplified("張學軍") == "张学军"
    assert to_simplified("plain English") == "plain English"


def test_whole_release_is_repaired() -> None:
    raw = RAW_RELEASE.read_text(encoding="utf-8")
    text = repair(raw, corrections=read_corrections(CORPUS))[0]
    assert not TONED.search(text), "a pinyin annotation survived"
    assert to_simplified(text) == text, "a traditional character survived"
    assert "?" not in text and ";" not in text and "," not in text
    assert "（2024—2026年）" in text
    assert "规模化应用" in text and "链式协同" in text
    assert suspicious_spans(text) == []
    assert suspicious_spans(raw), "the raw text is damaged and should be reported"


def test_canonical() -> None:
    assert canonical("以“實(shí)數(shù)融合 智造翹楚”為主題") == canonical("以实数融合智造翘楚为主题")
    assert canonical("ＡＢＣ, Def!") == "abcdef"


def test_stemming_from_many_threads_at_once() -> None:
    """One Snowball stemmer shared by threads corrupted their words (an IndexError once in a thousand answers)."""
    import threading

    from confbot.text.english import stem

    words = [f"{w}{'s' * (i % 3)}" for i, w in enumerate(["exhibitor", "forum", "organizing", "delegation"] * 500)]
    expected = {w: stem.__wrapped__(w) for w in set(words)}
    errors: list[BaseException] = []

    def run(offset: int) -> None:
        try:
            for i in range(len(words)):
                w = words[(i + offset) % len(words)] + "x" * (offset % 2)  # new words: the cache does not hide it
                assert stem.__wrapped__(w) == stem.__wrapped__(w)
            for w in words:
                assert stem.__wrapped__(w) == expected[w]
        except BaseException as exc:  # reported below, in the main thread
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(k,)) for k in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def test_toned_letters_left_in_any_parentheses_are_reported() -> None:
    assert suspicious_spans("星河国担任主宾国（zhǔ bīn guó）") and suspicious_spans("星河会(xīng hé)开幕")
    assert suspicious_spans("正常文本（2024年）开幕") == []


def test_a_question_mark_closing_a_question_is_no_damage() -> None:
    assert suspicious_spans("本届星河会有哪些新特点？记者专访了李月明。") == []
    assert suspicious_spans("星河会明天开幕吗？记者了解到") == []
    assert suspicious_spans("大会在星河?举行") and suspicious_spans("大会在星河？举行")
    assert suspicious_spans("有哪些展品\ufffd")  # a replacement character after a question word is still damage


def test_repair_aligned_keeps_the_files_script_offset_for_offset() -> None:
    """A citation's [start:end] into the simplified text quotes the same span of the file as written."""
    received = "第五屆星河論壇(lùn tán)將於11月19日開幕,展覽面積3.5萬平方米。"
    fixed, original, repairs = repair_aligned(received)
    assert fixed == "第五届星河论坛将于11月19日开幕，展览面积3.5万平方米。" and repairs.pinyin == 1
    assert original == "第五屆星河論壇將於11月19日開幕，展覽面積3.5萬平方米。" and len(original) == len(fixed)
    at = fixed.index("展览面积")
    assert original[at : at + 4] == "展覽面積"
    assert repair_aligned("星河论坛开幕。")[1] == ""  # simplified already: nothing to keep
