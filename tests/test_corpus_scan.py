"""Every chunk of every development corpus file comes out clean: no pinyin annotation, no mojibake, no site
chrome, no traditional character. The held-out corpora, named heldoutN, are only checked for evidence strings that
loading cannot keep (a failure names item ids, never their text)."""

import re
from pathlib import Path

import pytest

from confbot.ingest.chunker import chunk_document
from confbot.ingest.loaders import discover, load
from confbot.text.mojibake import looks_like_mojibake
from confbot.text.normalize import to_simplified
from confbot.text.pinyin import is_syllable

CORPORA = Path(__file__).parent / "corpora"
#: the development corpora (wic and ciie were held out in rounds 1 and 2, chtf, cicpe and canton in round 3, cifit
#: and wmc in round 4, caete and wie in round 5, wrc and cisce in round 6,
#: csae and gdte at the start of round 7, case and wvric after their first runs in round 7, eurasia and wpbc in round 7, neaexpo
#: and w5g in round 8, crexpo and voiceexpo in round 9, ceecexpo and wtc in round 10, wnevc and airshow in round 11,
#: ciif and csnc in round 12, cmef and icif in round 13, wcif and caitf in round 14, sce and cdee in round 15, wimc and wcc in round 16,
#: wiot and cicaf in round 17, gdec and bjiff in round 18, amnc and cite (heldout40/41) in rounds 18-19,
#: silkexpo and cfdf (heldout42/43) in rounds 18-20, cismef and citm (heldout44/45) in rounds 19-21;
#: each became a development corpus after
#: its first run)
DEV = ("caexpo", "ciftis", "dcsummit", "boao", "bigdata", "wic", "ciie", "chtf", "cicpe", "canton", "cifit", "wmc")
DEV += ("caete", "wie", "wrc", "cisce", "csae", "gdte", "case", "wvric", "eurasia", "wpbc")
DEV += ("neaexpo", "w5g", "crexpo", "voiceexpo", "ceecexpo", "wtc")
DEV += ("wnevc", "airshow", "ciif", "csnc", "cmef", "icif", "wcif", "caitf", "sce", "cdee")
DEV += ("wimc", "wcc", "wiot", "cicaf", "gdec", "bjiff", "amnc", "cite", "silkexpo", "cfdf")
DEV += ("cismef", "citm")
FILES = discover([CORPORA / name / "docs" for name in DEV])
ANNOTATION = re.compile(r"(?<=[\u4e00-\u9fff])[(（]([a-zü\u00e0-\u01dc]{1,6})[)）]")
#: a word's toned pinyin in one pair of parentheses (主宾国（zhǔ bīn guó）, 博览会(bólǎnhuì))
WORD_ANNOTATION = re.compile(r"(?<=[\u4e00-\u9fff])[(（][a-zü\u00e0-\u01dc ]*[\u00e0-\u01dc][a-zü\u00e0-\u01dc ]*[)）]")
CHROME = ("版权所有", "ICP备", "【大 中 小】", "首页 >", "首页 ＞", "【字号", "分享到")


@pytest.mark.parametrize("path", FILES, ids=[f.name for f in FILES])
def test_every_chunk_is_clean(path: Path) -> None:
    doc = load(path, CORPORA)
    for chunk in chunk_document(doc.source, doc.text, 200, 40):
        text = chunk.text
        assert not [m for m in ANNOTATION.findall(text) if is_syllable(m)], text
        assert not WORD_ANNOTATION.search(text), text
        assert looks_like_mojibake(text) == [], text
        assert "\ufffd" not in text, text
        assert not any(c in text for c in CHROME), text
        assert to_simplified(text) == text, text


def test_the_scan_covers_the_damaged_files() -> None:
    names = {f.name for f in FILES}
    assert len(FILES) == 529 and "09_2023_yure_zhuanzai.txt" in names
    assert all(not part.startswith("heldout") for f in FILES for part in f.parts)


@pytest.mark.parametrize("name", DEV)
def test_every_evidence_string_survives_loading(name: str) -> None:
    """The facts the QA set points at are still in the loaded text (tables, repairs and chrome removal included)."""
    from confbot.evaluation import is_hit, load_qa

    texts = [load(f, CORPORA).text for f in FILES if f.parts[-3] == name]
    for item in load_qa(CORPORA / name / "qa.jsonl"):
        if item.evidence:
            assert any(is_hit(t, item.evidence) for t in texts), (item.id, item.evidence)


@pytest.mark.parametrize("suite", sorted(CORPORA.glob("heldout*.suite.json")), ids=lambda p: p.stem)
def test_held_out_evidence_survives_loading(suite: Path) -> None:
    """A held-out QA file is scored once, so an evidence string that no loaded text can hold (HTML markup copied
    into it, as in round 11's first runs) would count its item a retrieval miss for good. Only ids are reported."""
    from confbot.evaluation import is_hit, load_qa
    from confbot.suite import load_suite

    for entry in load_suite(suite):
        texts = [load(f, CORPORA).text for f in discover([entry.corpus])]
        lost = [i.id for i in load_qa(entry.qa) if i.evidence and not any(is_hit(t, i.evidence) for t in texts)]
        assert lost == []
