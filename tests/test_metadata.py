"""Titles, publication dates and languages learned from a document's own text (invented examples)."""

from __future__ import annotations

import pytest

from confbot.ingest.chunker import contextual_text
from confbot.ingest.metadata import describe, find_date, published_date, title_of
from confbot.records import Chunk
from confbot.retrieve.fusion import calibrate_languages
from confbot.text.language import text_language


@pytest.mark.parametrize(
    ("head", "date"),
    [
        ("星河博览会开幕\n发布时间：2024-08-01\n正文。", "2024-08-01"),
        ("星河博览会开幕\n发布日期：2024年8月1日 10:00\n", "2024-08-01"),
        ("Release date: 2023-09-26\nNANNING —\n", "2023-09-26"),
        ("NEWS RELEASE\n\nRivertown, July 23, 2022 - The fair opened on July 23 and runs until July 25.", "2022-07-23"),
        ("2021年5月6日\n某某论坛在某市举行", "2021-05-06"),
        ("论坛将于12月3日举行，为期三天。\n报名截止日期为2024年11月25日。", None),  # body dates are not the release's
        ("发布时间：2024-02-30\n", None),  # not a date
    ],
)
def test_publication_dates(head: str, date: str | None) -> None:
    assert published_date(head) == date


def test_titles_skip_datelines_and_boilerplate() -> None:
    assert (
        title_of("发布时间：2024-08-01\n新华社某市8月1日电\n\n第三届星河论坛闭幕 签约项目创新高\n正文")
        == "第三届星河论坛闭幕 签约项目创新高"
    )
    assert title_of("PRESS RELEASE\n\nRivertown, May 2, 2025 - The 3rd Star Forum opened today. It runs two days.") == (
        "The 3rd Star Forum opened today."
    )
    assert find_date("on Sept. 15, 2020 the dates were set") == "2020-09-15"
    # a Chinese first line whose only Latin letters are capitals (5G) is no PRESS RELEASE banner
    assert (
        title_of("11月5日，2024星河5G大会发布会在某市召开。嘉宾出席。\n第二段。")
        == "11月5日，2024星河5G大会发布会在某市召开。"
    )


def test_describe_falls_back_to_file_time_and_says_so() -> None:
    info = describe("没有日期的一段文字。", mtime=0.0)
    assert info.published_from == "file-time" and info.published is not None
    assert describe("没有日期的一段文字。").published is None
    # a date opening the file's name, as press offices name releases, before the file's time
    named = describe("没有日期的一段文字。", mtime=0.0, file_name="2025-08-14_closing_hant.txt")
    assert (named.published, named.published_from) == ("2025-08-14", "file-name")
    assert describe("x", file_name="20240801-release.pdf").published == "2024-08-01"
    assert describe("x", file_name="09_2023_report.txt").published is None  # no full date: not a date
    stated = describe("发布时间：2024-08-01\n正文。", file_name="2025-01-01_x.txt")
    assert stated.published == "2024-08-01"  # the text's own date wins


def test_an_html_page_date_comes_from_its_markup_not_a_year_in_its_body() -> None:
    from confbot.ingest.loaders import html_to_text

    page = (
        "<html><head><title>星河会历届概览</title></head><body><article><h1>星河会历届概览</h1>"
        "<p>星河会自2015年起每年举办，至今已办十届，每届都有数百家企业参加，吸引了众多观众前来参观交流。</p>"
        "<p>历届星河会均在滨江国际会展中心举行，展览面积逐年扩大，国际参展商的比例也不断提高。</p>"
        "</article></body></html>"
    )
    assert "2015-01-01" not in html_to_text(page)


def test_languages_and_context_header() -> None:
    assert text_language("The 3rd Star Forum (星河论坛) opened in Rivertown.") == "en"
    assert text_language("星河论坛在WAIC展区举行，AI企业参展。") == "zh"
    c = Chunk("id", "a.txt", "签约项目30个。", 0, 8, title="第三届星河论坛闭幕", published="2024-08-01")
    assert contextual_text(c) == "第三届星河论坛闭幕 2024-08-01\n签约项目30个。"
    assert contextual_text(Chunk("id", "a.txt", "正文", 0, 2)) == "正文"


def test_calibration_ranks_each_language_against_its_own_baseline() -> None:
    # a Chinese question: Chinese passages cluster at 0.90, the one English passage that stands out at 0.86
    ranked = [("zh1", 0.91), ("zh2", 0.90), ("zh3", 0.90), ("zh4", 0.89), ("en1", 0.86), ("en2", 0.80), ("en3", 0.79)]
    langs = {cid: cid[:2] for cid, _ in ranked}
    out = [cid for cid, _ in calibrate_languages(ranked, langs, "zh")]
    assert out.index("en1") < out.index("zh2") and out[0] in ("en1", "zh1")
    assert dict(calibrate_languages(ranked, langs, "zh")) == dict(ranked)  # scores unchanged, order moved
    only_zh = [r for r in ranked if r[0].startswith("zh")]
    assert calibrate_languages(only_zh, langs, "zh") == only_zh


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("第十七届博览会", {17}),
        ("第17屆博覽會", {17}),
        ("the 20th expo", {20}),
        ("The third Digital Summit opened", {3}),
        ("首届峰会", {1}),
        ("波兰第一次担任特邀合作伙伴", set()),  # "the first time", not an edition
        ("for the first time", set()),
        ("at the seventh CIIE", {7}),  # an ordinal before an event's acronym
        ("the first Chinese company to join", set()),
        ("the second day", set()),
        ("第二十次会议", {20}),
    ],
)
def test_editions_in_chinese_and_english(text: str, expected: set[int]) -> None:
    from confbot.text.events import editions

    assert editions(text) == expected


def test_year_mentions_skip_numbers_that_are_not_years() -> None:
    from confbot.text.events import year_mentions

    assert year_mentions("2019-03-26 发布；2019年；CIFTIS 2022；12019 人；2019.5 亿；2030%") == [2019, 2019, 2022]


@pytest.mark.parametrize(
    ("title", "published", "text", "expected"),
    [
        # the title's edition, the publication year and the year the text names most
        ("第18届博览会闭幕", "2021-09-13", "第18届……2021年……第17届……2030年", ((2021,), (18,))),
        ("峰会第四届开幕 首届产品博览会同期举行", None, "", ((), (4,))),  # the title's first edition
        # no edition in the title or the lead: the one the text names most often (twice at least)
        ("博览会新闻稿", None, "本届峰会开幕。" + "x" * 300 + "第三届峰会……第三届峰会……第二届", ((), (3,))),
        # a single edition named once is still what the text is about
        ("News", "2023-09-26", "The 20th Expo closed.", ((2023,), (20,))),
        # a year named once in the body says nothing; the first edition the lead names does
        ("新闻稿", None, "2019年是开局之年。第二届峰会开幕，首届峰会于去年举办", ((), (2,))),
        # "the first" of its kind gives way to the numbered edition the lead names
        (
            "First online Star River Fair a success",
            "2020-06-25",
            "The 127th Star River Fair closed.",
            ((2020,), (127,)),
        ),
        ("首届网上星河会闭幕", None, "第127届星河会今天闭幕。", ((), (127,))),
        # an edition named once far below the lead (a history paragraph) is not what the release is about
        (
            "Summit opens",
            "2023-04-27",
            "The summit opened today. " + "x" * 400 + " Since the first summit in 2018",
            ((2023,), ()),
        ),
    ],
)
def test_document_event(
    title: str, published: str | None, text: str, expected: tuple[tuple[int, ...], tuple[int, ...]]
) -> None:
    from confbot.text.events import document_event

    assert document_event(title, published, text) == expected


def test_a_dateline_is_told_from_a_sentence_with_a_date() -> None:
    from confbot.ingest.metadata import is_dateline

    assert is_dateline("发布时间：2021-04-21") and is_dateline("Release date: 2023-09-26")
    assert not is_dateline("大会将于2021年4月21日开幕。") and not is_dateline("发布时间：待定")


def test_parts_of_an_edition() -> None:
    from confbot.text.events import parts_named

    assert parts_named("第134届第二期的出口成交额") == {("phase", 2)} and parts_named("phase 2 of the fair") == {
        ("phase", 2)
    }
    assert parts_named("the second phase opened") == {("phase", 2)} and parts_named("会期第3天") == {("day", 3)}
    assert parts_named("大会于12日闭幕，第一次参展") == set()
