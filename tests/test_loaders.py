from pathlib import Path

import pytest

from confbot.errors import LoaderError
from confbot.ingest.loaders import decode_text, discover, html_to_text, load
from confbot.ingest.tables import is_transposed, looks_like_header, table_lines

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


# ------------------------------------------------------------------ structure: tables, body order, pages
def test_docx_table_rows_are_self_contained_lines_in_body_order(tmp_path: Path) -> None:
    import docx

    d = docx.Document()
    d.add_paragraph("本届论坛日程如下。")
    rows = [
        ("日期", "活动", "地点"),
        ("11月19日", "开幕式", "主会场A厅"),
        ("11月20日", "人工智能分论坛", "二号会议室"),
        ("11月21日", "闭幕式", "主会场A厅"),
    ]
    table = d.add_table(rows=4, cols=3)
    for r, row in enumerate(rows):
        for c, cell in enumerate(row):
            table.cell(r, c).text = cell
    d.add_paragraph("以上安排如有变动另行通知。")
    d.save(str(tmp_path / "agenda.docx"))
    lines = load(tmp_path / "agenda.docx", tmp_path).text.split("\n")
    assert lines[0] == "本届论坛日程如下。" and lines[-1] == "以上安排如有变动另行通知。"
    assert "日期：11月20日｜活动：人工智能分论坛｜地点：二号会议室" in lines
    assert len(lines) == 5  # paragraph, three rows (the header is in every row), paragraph


BOILERPLATE = """<html><head><title>票务信息_新闻中心_某展会网</title></head><body>
<div class="nav"><a href="/">首页</a> | <a href="/news/">新闻中心</a> | <a href="/about/">关于我们</a></div>
<div class="breadcrumb">当前位置：<a href="/">首页</a> &gt; <a href="/news/">新闻中心</a> &gt; 正文</div>
<div class="article"><h1>票务信息发布</h1>
<div class="info">发布时间：2031-03-02 【字号：<a href="#">大</a> <a href="#">中</a> <a href="#">小</a>】</div>
<div class="content"><p>本届展会门票现已开售，观众可通过官方渠道购买，各类票种价格与说明详见下表。</p>
{table}
<p>购票后请妥善保管电子票，入场时出示二维码即可快速通行。</p></div>
<div class="share">分享到：<a href="#">微信</a> <a href="#">微博</a></div></div>
<div class="footer">版权所有 © 某展会网 京ICP备00000000号</div>
</body></html>"""


def page_lines(tmp_path: Path, body: str, name: str = "p.html") -> list[str]:
    """The lines ingest makes of a web page with site chrome around ``body``."""
    (tmp_path / name).write_text(BOILERPLATE.format(table=body), encoding="utf-8")
    return load(tmp_path / name, tmp_path).text.split("\n")


def test_html_table_rows_and_no_site_chrome(tmp_path: Path) -> None:
    table = (
        "<table><tr><th>票种</th><th>价格</th><th>说明</th></tr><tr><td>学生票</td><td>80元</td><td>凭学生证入场</td></tr>"
        "<tr><td>专业观众票</td><td>300元</td><td>含会刊</td></tr></table>"
    )
    lines = page_lines(tmp_path, table, "tickets.html")
    assert "票种：学生票｜价格：80元｜说明：凭学生证入场" in lines
    assert "票种：专业观众票｜价格：300元｜说明：含会刊" in lines
    text = "\n".join(lines)
    for chrome in ("版权所有", "ICP备", "首页", "分享到", "【字号", "关于我们"):
        assert chrome not in text
    assert "购票后请妥善保管电子票" in text


def test_html_rowspan_cell_is_repeated_into_each_row(tmp_path: Path) -> None:
    table = (
        "<table><tr><th>日期</th><th>活动</th></tr>"
        "<tr><td rowspan='2'>6月1日</td><td>开幕式</td></tr><tr><td>主旨论坛</td></tr>"
        "<tr><td>6月2日</td><td>闭幕式</td></tr></table>"
    )
    lines = page_lines(tmp_path, table)
    assert "日期：6月1日｜活动：开幕式" in lines and "日期：6月1日｜活动：主旨论坛" in lines


def test_html_table_caption_is_a_line_and_its_rows_keep_their_labels(tmp_path: Path) -> None:
    table = (
        "<table><caption>历届星河会概况</caption><thead><tr><th>届次</th><th>会期</th></tr></thead>"
        "<tr><td>第一届</td><td rowspan='2'>5月</td></tr><tr><td>第二届</td></tr></table>"
    )
    lines = page_lines(tmp_path, table)
    assert lines[lines.index("历届星河会概况") + 1 :][:2] == ["届次：第一届｜会期：5月", "届次：第二届｜会期：5月"]


def test_a_sideways_table_gives_one_line_per_edition(tmp_path: Path) -> None:
    table = (
        "<table><thead><tr><th>项目</th><th>第一届（2021年）</th><th>第二届（2023年）</th></tr></thead>"
        "<tr><td>主题</td><td>星河相会</td><td>月湖同行</td></tr>"
        "<tr><td>签约金额</td><td>12亿元</td><td>15亿元</td></tr>"
        "<tr><td>主宾国</td><td>—</td><td>月湖国</td></tr></table>"  # a dash marks nothing recorded
    )
    lines = page_lines(tmp_path, table)
    assert "项目：第一届（2021年）｜主题：星河相会｜签约金额：12亿元" in lines
    assert "项目：第二届（2023年）｜主题：月湖同行｜签约金额：15亿元｜主宾国：月湖国" in lines


@pytest.mark.parametrize(
    "rows",
    [
        [["日期", "活动"], ["开幕式", "5月1日"], ["闭幕式", "5月3日"]],  # labels in row 1
        [["开幕式", "5月1日"], ["闭幕式", "5月3日"]],  # no header, a date is no edition
        [["指标", "2023年", "备注"], ["展商", "300家", "—"]],  # one column is not an edition
    ],
)
def test_an_ordinary_table_is_not_turned_sideways(rows: list[list[str]]) -> None:
    assert not is_transposed(rows)
    assert len(table_lines(rows)) == len(rows) - (1 if looks_like_header(rows[0]) else 0)


CIFTIS_PDF = Path(__file__).parent / "corpora" / "ciftis" / "docs" / "04_2022_shuju.pdf"


def test_pdf_tables_rows_and_pages() -> None:
    doc = load(CIFTIS_PDF, CIFTIS_PDF.parent)
    lines = doc.text.split("\n")
    # the venue cell spans rows 2-9 in the PDF: every row it covers names it
    assert "序号：3｜展区或专题：金融服务｜场地：首钢园区" in lines
    assert "成果类别：投资类｜数量（个）：175" in lines
    assert len(doc.pages) == 2 and doc.pages[0] == 0
    assert doc.page_of(doc.text.index("序号：3")) == 1
    assert doc.page_of(doc.text.index("成果类别：投资类")) == 2


def test_a_table_row_is_never_split_across_chunks(tmp_path: Path) -> None:
    from confbot.ingest.chunker import chunk_document

    row = "日期：11月20日｜活动：人工智能分论坛。报告与圆桌讨论，含午餐｜地点：二号会议室"
    text = "前言一句。\n" + "\n".join([row] * 12) + "\n结尾一句。"
    chunks = chunk_document("a.txt", text, size=60, overlap=10)
    for c in chunks:
        for line in c.text.split("\n"):
            assert "｜" not in line or line == row


def test_pdf_made_with_reportlab_keeps_pages_and_spanned_cells(tmp_path: Path) -> None:
    pytest.importorskip("reportlab")
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Table, TableStyle

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    style = ParagraphStyle("zh", fontName="STSong-Light", fontSize=11)
    table = Table(
        [
            ["日期", "活动", "地点"],
            ["6月1日", "开幕式", "主会场"],
            ["", "主旨论坛", "主会场"],
            ["6月2日", "闭幕式", "二号厅"],
        ]
    )
    spans = [("SPAN", (0, 1), (0, 2))]  # 6月1日 covers two rows
    font = [("FONTNAME", (0, 0), (-1, -1), "STSong-Light"), ("GRID", (0, 0), (-1, -1), 0.5, colors.black)]
    table.setStyle(TableStyle([*font, *spans]))
    path = tmp_path / "agenda.pdf"
    SimpleDocTemplate(str(path)).build(
        [Paragraph("第一页的说明文字。", style), PageBreak(), Paragraph("第二页的日程表如下。", style), table]
    )
    doc = load(path, tmp_path)
    assert doc.text.split("\n") == [
        "第一页的说明文字。",
        "第二页的日程表如下。",
        "日期：6月1日｜活动：开幕式｜地点：主会场",
        "日期：6月1日｜活动：主旨论坛｜地点：主会场",
        "日期：6月2日｜活动：闭幕式｜地点：二号厅",
    ]
    assert doc.page_of(0) == 1 and doc.page_of(doc.text.index("主旨论坛")) == 2


def test_html_line_breaks_and_list_items_stay_lines(tmp_path: Path) -> None:
    body = "<p>参展须知如下：<br>一、凭证入场；<br>二、禁止携带危险品。</p><ul><li>开放时间：9:00至17:00</li><li>咨询电话：请见官网</li></ul>"
    lines = page_lines(tmp_path, body, "notice.html")
    assert {"一、凭证入场；", "二、禁止携带危险品。", "开放时间：9:00至17:00", "咨询电话：请见官网"} <= set(lines)
