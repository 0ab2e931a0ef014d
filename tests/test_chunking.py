import itertools
import re

import pytest

from confbot.ingest.chunker import chunk_document, chunk_spans, sentence_spans, split_long
from confbot.text.normalize import normalize
from conftest import RAW_RELEASE

TEXT = normalize(RAW_RELEASE.read_text(encoding="utf-8"))


def test_offsets_point_into_the_source() -> None:
    chunks = chunk_document("a.txt", TEXT, 200, 40)
    assert chunks
    for c in chunks:
        assert TEXT[c.start : c.end] == c.text
        assert len(c.text) <= 200


def test_chunks_cover_every_sentence_and_end_on_sentence_boundaries() -> None:
    chunks = chunk_document("a.txt", TEXT, 200, 40)
    covered = set()
    for c in chunks:
        covered.update(range(c.start, c.end))
    for s, e in sentence_spans(TEXT):
        assert set(range(s, e)) <= covered
    assert all(c.text[-1] in "。！？”" for c in chunks)


def test_never_splits_numbers() -> None:
    for size in (20, 40, 80, 200):
        for c in chunk_document("a.txt", TEXT, size, 0):
            assert not re.match(r"^[\d.]", c.text) or TEXT[c.start - 1] not in "0123456789."
    long = "数字" * 15 + "16.38万个" + "数字" * 15
    pieces = split_long(long, 0, len(long), 35)
    assert any("16.38万" in long[s:e] for s, e in pieces)


def test_overlap_and_no_contained_chunks() -> None:
    spans = chunk_spans(TEXT, 200, 40)
    for (s1, e1), (s2, e2) in itertools.pairwise(spans):
        assert s2 > s1 and e2 > e1  # progress, and no chunk inside its neighbour
        assert s2 >= e1 - 40  # overlap at most 40 characters
    assert any(s2 < e1 for (_, e1), (s2, _) in itertools.pairwise(spans))


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        (
            "The conference opens on 19 November. It runs for 3.5 days! Where? In Wuhan.",
            ["The conference opens on 19 November.", "It runs for 3.5 days!", "Where?", "In Wuhan."],
        ),
        (  # no sentence ends at an abbreviation, an initial or before a lower-case word
            "XINGHE, Dec. 1, 2024 -- The fair opened. Deals reached 5.36 billion U.S. dollars. Mr. Li spoke. It ended.",
            [
                "XINGHE, Dec. 1, 2024 -- The fair opened.",
                "Deals reached 5.36 billion U.S. dollars.",
                "Mr. Li spoke.",
                "It ended.",
            ],
        ),
    ],
)
def test_english_sentences(text: str, sentences: list[str]) -> None:
    assert [text[s:e] for s, e in sentence_spans(text)] == sentences


def test_ids_are_content_hashes() -> None:
    a = chunk_document("a.txt", TEXT)
    assert [c.id for c in a] == [c.id for c in chunk_document("a.txt", TEXT)]
    assert a[0].id != chunk_document("b.txt", TEXT)[0].id
    changed = chunk_document("a.txt", TEXT.replace("四届", "五届"))
    assert len({c.id for c in a} & {c.id for c in changed}) == len(a) - 1


def test_size_validation() -> None:
    with pytest.raises(ValueError):
        chunk_spans(TEXT, 5)


def test_an_english_document_is_chunked_by_about_as_many_tokens() -> None:
    """English takes about three times the characters a token that Chinese does: an English document's chunks are
    that much longer, so a long English sentence stays whole; a Chinese document keeps the size as given."""
    from confbot.ingest.chunker import ENGLISH_SIZE_FACTOR

    long_sentence = (
        "The 9th Xinghe Expo and the Xinghe Business Summit ran from September 3 to 6 at the Yuehu International "
        "Convention Center in Xinghe, the capital of the region, which has hosted both annual events since 2004."
    )
    assert 200 < len(long_sentence) < 200 * ENGLISH_SIZE_FACTOR
    english = "\n".join([long_sentence, *(f"Forum {i} closed with {i * 7} agreements signed." for i in range(30))])
    chunks = chunk_document("x_en.txt", english, size=200, overlap=40)
    assert long_sentence in chunks[0].text
    assert max(len(c.text) for c in chunks) > 200 and all(len(c.text) <= 600 for c in chunks)
    chinese = "\n".join(f"第{i}场论坛签约{i * 7}个项目，涉及星河市的多个园区和月湖新区的产业基地。" for i in range(40))
    assert all(len(c.text) <= 200 for c in chunk_document("x.txt", chinese, size=200, overlap=40))
