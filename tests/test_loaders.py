from pathlib import Path

import pytest

from confbot.errors import LoaderError
from confbot.ingest.loaders import decode_text, discover, html_to_text, load

ZH = "本屆大會(huì)以“實(shí)數(shù)融合 智造翹楚”為主題,將于11月19日至21日在武漢舉行。"
ZH_CLEAN = "本届大会以“实数融合 智造翘楚”为主题，将于11月19日至21日在武汉举行。"
PLAIN = "本届大会将于11月19日至21日在武汉举行，欢迎各界人士参加。湖北省累计建成5G基站16.38万个。"


@pytest.mark.parametrize(
    ("encoding", "prefix"),
    [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("gbk", b""), ("big5", b""), ("utf-16", b"")],
)
def test_encodings_are_detected(tmp_path: Path, encoding: str, prefix: bytes) -> None:
    text = PLAIN if encoding != "big5" else "本屆大會將於十一月在武漢舉行，歡迎各界人士參加。湖北省累計建成基站。"
    f = tmp_path / "a.txt"
    f.write_bytes(prefix + text.encode(encoding))
    doc = load(f, tmp_path)
    assert doc.text.startswith("本届大会将")
    assert doc.source == "a.txt"


def test_load_repairs_the_text(tmp_path: Path) -> None:
    f = tmp_path / "release.md"
    f.write_text(ZH, encoding="utf-8")
    assert load(f, tmp_path).text == ZH_CLEAN


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty.txt", b"", "empty"),
        ("blank.txt", b"   \n\n ", "empty"),
        ("binary.txt", bytes(range(256)) * 40, "binary"),
        ("image.png", b"\x89PNG\r\n", "unsupported"),
        ("broken.docx", b"PK\x03\x04 not really a zip", "docx"),
        ("broken.pdf", b"%PDF-1.4 garbage", "PDF"),
    ],
)
def test_bad_files_raise_actionable_errors(tmp_path: Path, name: str, data: bytes, message: str) -> None:
    f = tmp_path / name
    f.write_bytes(data)
    with pytest.raises(LoaderError, match=message) as exc:
        load(f, tmp_path)
    assert name in str(exc.value)


def test_size_limit(tmp_path: Path) -> None:
    f = tmp_path / "big.txt"
    f.write_text(PLAIN * 100, encoding="utf-8")
    with pytest.raises(LoaderError, match="limit"):
        load(f, tmp_path, max_bytes=1000)


def test_html_drops_scripts_and_keeps_blocks() -> None:
    text = html_to_text(
        "<html><head><title>t</title><script>alert(1)</script></head><body><p>一&amp;二</p><p>三</p></body>"
    )
    assert "alert" not in text
    assert "一&二" in text and "三" in text


def test_docx(tmp_path: Path) -> None:
    import docx

    d = docx.Document()
    d.add_paragraph("本届大会将于11月19日至21日在武汉举行。")
    d.add_paragraph("第二段。")
    d.save(str(tmp_path / "a.docx"))
    doc = load(tmp_path / "a.docx", tmp_path)
    assert doc.text == "本届大会将于11月19日至21日在武汉举行。\n第二段。"


def _minimal_pdf(text: str) -> bytes:
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for i, o in enumerate(objs, start=1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + o + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return out


def test_pdf_with_text_and_without(tmp_path: Path) -> None:
    (tmp_path / "a.pdf").write_bytes(_minimal_pdf("The conference opens in Wuhan."))
    assert "The conference opens in Wuhan." in load(tmp_path / "a.pdf", tmp_path).text
    (tmp_path / "scan.pdf").write_bytes(_minimal_pdf(""))
    with pytest.raises(LoaderError, match="no text layer"):
        load(tmp_path / "scan.pdf", tmp_path)


def test_decode_rejects_binary() -> None:
    with pytest.raises(LoaderError):
        decode_text(b"\x00\x01\x02\x03" * 100, "x.txt")


def test_discover(tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "b.txt").write_text("x")
    (tmp_path / "d" / "a.md").write_text("x")
    (tmp_path / "d" / ".hidden.txt").write_text("x")
    (tmp_path / "d" / "notes.xyz").write_text("x")
    assert [p.name for p in discover([tmp_path / "d"])] == ["a.md", "b.txt"]
    with pytest.raises(LoaderError, match="no such file"):
        discover([tmp_path / "missing"])
