"""path -> Document: read txt, md, html, pdf and docx files, detect encodings, normalize.

Structure is kept: HTML main text comes from trafilatura (site navigation, share links and footers go),
docx paragraphs and tables in body order, PDF pages with their start offsets. A table becomes one line
per row, each cell named by its header (``日期：11月20日｜活动：分论坛``), with row- or column-spanned
cells repeated into every row they cover, so a row read alone is self-contained (see :func:`table_lines`;
the chunker never splits such a line).

Each failure is a :class:`LoaderError` that names the file and says what to do.
"""

from __future__ import annotations

import hashlib
import html
import itertools
import logging
from collections.abc import Mapping
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, ClassVar

from confbot.errors import LoaderError
from confbot.ingest.tables import cell_text, fill_merged, html_grid, matching_table, table_lines, trafilatura_rows
from confbot.records import Document
from confbot.text.cjk import has_cjk, is_cjk
from confbot.text.normalize import Repairs, repair_aligned, suspicious_spans

log = logging.getLogger(__name__)

TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".text"}
HTML_SUFFIXES = {".html", ".htm"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | {".pdf", ".docx"}


def relative_source(path: Path, root: Path) -> str:
    """The path as stored in the index: relative to the project root when inside it."""
    path = path.resolve()
    try:
        return path.relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def decode_text(data: bytes, name: str) -> tuple[str, str]:
    """Bytes -> (text, encoding). UTF-8 (with or without BOM) first, then charset-normalizer detection."""
    if not data.strip():
        raise LoaderError(f"{name}: the file is empty; add text to it or remove it from the corpus.")
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    if not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-8")
            if "\x00" not in text:
                return text, "utf-8"
        except UnicodeDecodeError:
            pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None or best.encoding is None:
        raise LoaderError(
            f"{name}: not readable as text (binary data or an unknown encoding); "
            "save it as UTF-8 text, or as .pdf/.docx/.html if that is what it is."
        )
    text = str(best)
    if "\x00" in text or _control_ratio(text) > 0.05:
        raise LoaderError(f"{name}: looks like binary data, not text; check that it is the file you meant to add.")
    return text, best.encoding


def _control_ratio(text: str) -> float:
    if not text:
        return 0.0
    bad = sum(1 for ch in text if ord(ch) < 32 and ch not in "\n\r\t\f")
    return bad / len(text)


class _HTMLText(HTMLParser):
    _SKIP: ClassVar[set[str]] = {"script", "style", "noscript", "template", "head"}
    _BLOCK: ClassVar[set[str]] = {
        "p",
        "div",
        "br",
        "li",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "tr",
        "section",
        "article",
        "title",
        "td",
    }

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self.skip += 1
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP:
            self.skip = max(0, self.skip - 1)
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


def _plain_html_text(markup: str) -> str:
    parser = _HTMLText()
    parser.feed(markup)
    parser.close()
    return html.unescape("".join(parser.parts))


def html_to_text(markup: str) -> str:
    """The page's main text (title, date, paragraphs, tables as rows) without site chrome.

    trafilatura finds the main content; its tables lose row spans, so each is rendered from the page's own
    ``<table>`` with the same cells. Pages trafilatura finds no content in fall back to all visible text."""
    import trafilatura
    from lxml import html as lxml_html

    found: Any = None
    # precision first: on short pages the default settings keep the navigation and footer as one paragraph
    for precision in (True, False):
        found = trafilatura.bare_extraction(
            markup,
            include_tables=True,
            with_metadata=True,
            favor_precision=precision,
            # the page's own date markup only: a guess from the body ("自2010年起" -> 2010-01-01) is no release date
            date_extraction_params={"extensive_search": False, "original_date": True},
        )
        if found is not None and found.body is not None and len(found.body):
            break
    else:
        return _plain_html_text(markup)
    try:
        source_tables = [html_grid(t) for t in lxml_html.fromstring(markup).iter("table")]
    except (ValueError, TypeError):
        source_tables = []
    title = found.title or ""
    lines = [title]
    if found.date:  # the page's date, labelled in the page's language (dates decide which release is newer)
        lines.append(f"发布时间：{found.date}" if has_cjk(title) else f"Date: {found.date}")
    for el in found.body:
        if el.tag == "table":
            cells = [cell_text("".join(c.itertext())) for c in el.iter("cell")]
            lines.extend(matching_table(cells, source_tables) or table_lines(trafilatura_rows(el)))
        elif el.tag == "list":
            lines.extend(_element_lines(item) for item in el.iter("item"))
        else:
            lines.append(_element_lines(el))
    return "\n".join(line for line in lines if line)


def _element_lines(el: Any) -> str:
    """The text of one trafilatura element, a line per ``<lb/>`` (the page's ``<br>``)."""
    for lb in el.iter("lb"):
        lb.tail = "\n" + (lb.tail or "")
    return "\n".join(cell_text(line) for line in "".join(el.itertext()).split("\n") if line.strip())


def _read_pdf(path: Path) -> list[str]:
    """One text per page: the text outside tables, then each table as rows."""
    try:
        import pdfplumber

        pages = []
        with pdfplumber.open(str(path)) as pdf:
            for page in pdf.pages:
                pages.append(_pdf_page_text(page))
    except Exception as exc:  # pdfplumber/pdfminer raise many types for corrupt files
        raise LoaderError(f"{path.name}: not a readable PDF ({exc}); re-export it from its source.") from exc
    if not any(p.strip() for p in pages):
        raise LoaderError(
            f"{path.name}: the PDF has no text layer (a scan?); run OCR on it or add the text as a .txt file."
        )
    return pages


def _pdf_page_text(page) -> str:  # type: ignore[no-untyped-def]
    """Text above, between and below the tables, in reading order, each table as rows where it stands."""
    tables = sorted(page.find_tables(), key=lambda t: t.bbox[1])
    parts: list[str] = []
    top = 0.0
    for t in tables:
        _x0, t_top, _x1, t_bottom = t.bbox
        if t_top > top:
            parts.append(_pdf_paragraphs(page.crop((0, top, page.width, t_top))))
        parts.extend(table_lines(fill_merged(t.extract())))
        top = t_bottom
    parts.append(_pdf_paragraphs(page.crop((0, top, page.width, page.height)) if tables else page))
    return "\n".join(p for p in parts if p.strip())


#: a PDF line ending within this many of its own average character widths of the right margin was wrapped
#: (justified Chinese text ends 0-1 character short of the margin; a paragraph's last line ends far from it)
WRAP_SLACK_CHARS = 1.5
_LINE_END = "。！？!?：:；;”」』）)"


def _pdf_paragraphs(area) -> str:  # type: ignore[no-untyped-def]
    """The text of a PDF area with lines that were only wrapped at the right margin joined again."""
    lines = [ln for ln in area.extract_text_lines() if ln["text"].strip()]
    if not lines:
        return ""
    right = max(ln["x1"] for ln in lines)
    out = [lines[0]["text"].strip()]
    for prev, ln in itertools.pairwise(lines):
        width = (prev["x1"] - prev["x0"]) / max(1, len(prev["text"]))
        text = ln["text"].strip()
        wrapped = prev["x1"] >= right - WRAP_SLACK_CHARS * width and out[-1][-1] not in _LINE_END
        if wrapped:
            glue = "" if is_cjk(out[-1][-1]) or is_cjk(text[0]) else " "
            out[-1] += glue + text
        else:
            out.append(text)
    return "\n".join(out)


def _read_docx(path: Path) -> str:
    """Paragraphs and tables in body order (python-docx repeats merged cells into each row they cover)."""
    try:
        import docx
        from docx.table import Table
        from docx.text.paragraph import Paragraph

        d = docx.Document(str(path))
        lines: list[str] = []
        for el in d.element.body.iterchildren():
            tag = el.tag.rsplit("}", 1)[-1]
            if tag == "p":
                lines.append(Paragraph(el, d).text)
            elif tag == "tbl":
                lines.extend(table_lines([[c.text for c in row.cells] for row in Table(el, d).rows]))
        text = "\n".join(lines)
    except Exception as exc:  # python-docx raises zipfile/KeyError/lxml errors on corrupt files
        raise LoaderError(f"{path.name}: not a readable .docx file ({exc}); open and re-save it in Word.") from exc
    if not text.strip():
        raise LoaderError(f"{path.name}: the document contains no text.")
    return text


def load(
    path: Path,
    root: Path,
    max_bytes: int = 50 * 1024 * 1024,
    max_chars: int = 1_000_000,
    corrections: Mapping[str, str] | None = None,
) -> Document:
    """Read and normalize one file (at most ``max_bytes`` on disk and ``max_chars`` of text; ``corrections``:
    see :func:`read_corrections`)."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise LoaderError(
            f"{path.name}: unsupported file type {suffix or '(none)'}; "
            f"use one of {', '.join(sorted(SUPPORTED_SUFFIXES))}."
        )
    try:
        size = path.stat().st_size
        if size > max_bytes:  # checked before reading: a huge file costs nothing
            raise LoaderError(
                f"{path.name}: {size / 1e6:.1f} MB is over the {max_bytes / 1e6:.0f} MB limit; "
                "split it or raise CONFBOT_MAX_FILE_BYTES."
            )
        data = path.read_bytes()
    except OSError as exc:
        raise LoaderError(f"{path}: cannot be read ({exc.strerror}); check the path and its permissions.") from exc
    encoding = "utf-8"
    if suffix == ".pdf":
        parts = _read_pdf(path)
    elif suffix == ".docx":
        parts = [_read_docx(path)]
    else:
        raw, encoding = decode_text(data, path.name)
        parts = [html_to_text(raw) if suffix in HTML_SUFFIXES else raw]
    chars = sum(len(p) for p in parts)
    if chars > max_chars:
        raise LoaderError(
            f"{path.name}: {chars:,} characters of text is more than a press release ({max_chars:,} at most: "
            f"that would be about {chars // 160:,} chunks to embed); split it or raise CONFBOT_MAX_TEXT_CHARS."
        )
    text, original, pages, repairs = _repair_parts(parts, corrections)
    if not text.strip():
        raise LoaderError(f"{path.name}: no text left after cleaning; check the file's content.")
    done = tuple(repairs.summary())
    if done:
        log.info("%s: %s", path.name, "; ".join(done))
    dropped = tuple(f"{path.name}: {d}" for d in done if "dropped" in d)
    warnings = dropped + tuple(
        f"{path.name}: possibly damaged text left as is: {s!r}" for s in suspicious_spans(text)[:5]
    )
    for w in warnings:
        log.warning(w)
    return Document(
        source=relative_source(path, root),
        text=text,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        encoding=encoding,
        warnings=warnings,
        pages=pages if suffix == ".pdf" else (),
        repairs=done,
        original=original,
    )


def _repair_parts(
    parts: list[str], corrections: Mapping[str, str] | None = None
) -> tuple[str, str, tuple[int, ...], Repairs]:
    """Repair each part (a PDF page) on its own and join them: (text, the text in its own script or "" (see
    :func:`~confbot.text.normalize.repair_aligned`; a part without its own form keeps the simplified one, so the
    two stay aligned), offset where each part starts, repairs)."""
    repairs = Repairs()
    texts: list[str] = []
    originals: list[str] = []
    starts: list[int] = []
    offset = 0
    for part in parts:
        fixed, original, _ = repair_aligned(part, repairs, corrections)
        starts.append(offset)
        texts.append(fixed)
        originals.append(original or fixed)
        offset += len(fixed) + 1  # the joining newline
    text, original = "\n".join(texts), "\n".join(originals)
    return text, "" if original == text else original, tuple(starts), repairs


def _visible_files(folder: Path) -> list[Path]:
    """Every file under ``folder`` but hidden ones (a name starting with "." anywhere below it), sorted."""
    return [
        f
        for f in sorted(folder.rglob("*"))
        if f.is_file() and not any(part.startswith(".") for part in f.relative_to(folder).parts)
    ]


def discover(paths: list[Path]) -> list[Path]:
    """Files to ingest under the given files and folders (hidden files skipped), sorted."""
    found: list[Path] = []
    for p in paths:
        if p.is_dir():
            found.extend(f for f in _visible_files(p) if f.suffix.lower() in SUPPORTED_SUFFIXES)
        elif p.is_file():
            found.append(p)
        else:
            raise LoaderError(f"{p}: no such file or folder; check the path.")
    return sorted(dict.fromkeys(found))


#: the press office's corrections for damage no rule undoes, beside the documents (not ingested itself)
CORRECTIONS_FILE = "corrections.tsv"


def unsupported(paths: list[Path]) -> list[Path]:
    """Files in the given folders (hidden ones aside) that :func:`discover` passes over for their type, sorted:
    a folder ingest names them in a warning rather than skipping them unseen."""
    return sorted(
        f
        for p in paths
        if p.is_dir()
        for f in _visible_files(p)
        if f.suffix.lower() not in SUPPORTED_SUFFIXES and f.name != CORRECTIONS_FILE
    )


def read_corrections(folder: Path) -> dict[str, str]:
    """``folder/corrections.tsv``: one ``damaged<TAB>repaired`` pair a line (``#`` comments); {} when absent.

    Raises :class:`LoaderError` naming the line that has no tab."""
    path = folder / CORRECTIONS_FILE
    if not path.is_file():
        return {}
    out: dict[str, str] = {}
    for n, line in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        bad, tab, good = line.partition("\t")
        if not tab or not bad:
            raise LoaderError(f"{path}:{n}: expected 'damaged<TAB>repaired'; fix or remove the line.")
        out[bad] = good
    return out
