"""Repair of the damage families: pinyin annotations and mojibake (invented examples)."""

import pytest

from confbot.text.mojibake import MojibakeReport, looks_like_mojibake, repair_mojibake
from confbot.text.normalize import normalize, repair
from confbot.text.pinyin import is_syllable, strip_annotations


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("會(hui) 址在江边", "会址在江边"),  # traditional, toneless, ASCII parentheses, a space after
        ("会（huì）址在江边", "会址在江边"),  # toned, full-width
        ("展（zhan） 馆(guan)开放", "展馆开放"),
        ("绿（lü）色与綠(lv)色", "绿色与绿色"),
        ("共5400个（ge） ，同比增长", "共5400个，同比增长"),  # the space before Chinese punctuation goes too
        ("峰(feng)会 WAIC", "峰会 WAIC"),
        # toned pinyin glued straight after its character, no parentheses
        ("星河博bó览会成果：各gè方累计签约", "星河博览会成果：各方累计签约"),
        ("绿lǜ色发展。", "绿色发展。"),
        ("中外媒体共派出chū689名记者", "中外媒体共派出689名记者"),  # before a digit
        # a whole word's toned syllables in one pair of parentheses, spaced or written together
        ("星河国担任主宾国（zhǔ bīn guó），月湖省担任主宾省", "星河国担任主宾国，月湖省担任主宾省"),
        ("星河博览会(bólǎnhuì)开幕", "星河博览会开幕"),
        ("当时签订（qiāndìng）参展合同", "当时签订参展合同"),
        ("签约成果丰硕shuò\n下一段", "签约成果丰硕\n下一段"),  # at a line end
    ],
)
def test_pinyin_annotations_are_removed(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


@pytest.mark.parametrize(
    "kept",
    [
        "大会(WAIC 2022)在",
        "方案(2024—2026年)",
        "手册（英文版）",
        "在上海(Shanghai)举行",
        "附件(B)",
        "算法(cosine)",
        "人工智能ai技术",  # toneless letters glued to Han characters: no annotation
        "在Apple发布会",
        "的app里",
        "在咖啡馆café见面",  # toned, but no syllable
        "星河dòngmàn展",  # toned letters longer than one syllable: no annotation
        "在上海(shang hai)举行",  # toneless syllables may be a name
        "展区(Zone A)开放",
    ],
)
def test_real_parentheses_stay(kept: str) -> None:
    assert strip_annotations(kept) == (kept, 0)


def test_syllable_inventory() -> None:
    assert all(is_syllable(s) for s in ["zhuang", "lüe", "nv", "er", "xióng", "a", "wai"])
    assert not any(is_syllable(s) for s in ["shanghai", "bv", "zhiang", "cosine", "B"])


# "北京国际会议中心" written as UTF-8 and read back as GBK (invented sentence around it)
GBK_MOJIBAKE = "北京国际会议中心".encode().decode("gbk", errors="replace")


def test_mojibake_is_repaired_from_its_bytes() -> None:
    raw = f"展览在{GBK_MOJIBAKE}举行。"
    assert "\ufffd" in GBK_MOJIBAKE  # one byte was lost, and filled in from what the decoder wrote
    text, repairs = repair(raw)
    assert text == "展览在北京国际会议中心举行。"
    assert repairs.summary() == ["1 mojibake span repaired"]
    assert looks_like_mojibake(raw) and not looks_like_mojibake(text)


def test_big5_and_latin1_mojibake() -> None:
    big5 = "網路".encode().decode("big5", errors="replace")
    report = MojibakeReport()
    assert normalize(repair_mojibake(f"參觀{big5}展覽。", report)) == "参观网路展览。"
    assert report.repaired == 1
    assert repair_mojibake("cafÃ© opening") == "café opening"


def test_an_unrepairable_span_is_dropped_with_a_warning() -> None:
    # the last character lost a byte and nothing around it says which of 64 characters it was: the span is
    # cut after its last whole clause, and the rest is dropped and reported
    broken = "瑞典、苏丹".encode().decode("gbk", errors="replace")
    text, repairs = repair(f"参展国包括{broken}和其他国家。")
    assert text == "参展国包括瑞典和其他国家。"
    assert repairs.summary() == [
        f"1 mojibake span partly dropped (bytes lost in {broken!r}): kept '瑞典', dropped the rest"
    ]
    lone = "丹".encode().decode("gbk", errors="replace") + "苏".encode().decode("gbk", errors="replace")
    text, repairs = repair(f"参展国包括{lone}等。")
    assert text == "参展国包括等。" and repairs.summary() == [f"1 mojibake span dropped (bytes lost in {lone!r})"]


def test_clean_text_is_not_touched() -> None:
    clean = "本届博览会共有展商1200家，观众逾10万人次。展馆位于城市东部。"
    text, repairs = repair(clean)
    assert text == clean and repairs.summary() == []
    assert looks_like_mojibake(clean) == []
