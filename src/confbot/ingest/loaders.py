"""path -> Document: read txt, md, html, pdf and docx files, detect encodings, normalize.

Each failure is a :class:`LoaderError` that names the file and says what to do.
"""

from __future__ import annotations

import hashlib
import html
import logging
from html.parser import HTMLParser
from pathlib import Path
from typing import ClassVar

from confbot.errors import LoaderError
from confbot.records import Document
from confbot.text.normalize import normalize, suspicious_spans

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


def html_to_text(markup: str) -> str:
    parser = _HTMLText()
    parser.feed(markup)
    parser.close()
    return html.unescape("".join(parser.parts))


def _read_pdf(path: Path) -> str:
    try:
        from pypdf import PdfReader

        reader = PdfReader(str(path))
        text = "\n".join(page.extract_text() or "" for page in reader.pages)
    except Exception as exc:  # pypdf raises many types for corrupt files
        raise LoaderError(f"{path.name}: not a readable PDF ({exc}); re-export it from its source.") from exc
    if not text.strip():
        raise LoaderError(
            f"{path.name}: the PDF has no text layer (a scan?); run OCR on it or add the text as a .txt file."
        )
    return text


def _read_docx(path: Path) -> str:
    try:
        import docx

        d = docx.Document(str(path))
        text = "\n".join(p.text for p in d.paragraphs)
    except Exception as exc:  # python-docx raises zipfile/KeyError/lxml errors on corrupt files
        raise LoaderError(f"{path.name}: not a readable .docx file ({exc}); open and re-save it in Word.") from exc
    if not text.strip():
        raise LoaderError(f"{path.name}: the document contains no text.")
    return text


def load(path: Path, root: Path, max_bytes: int = 50 * 1024 * 1024, max_chars: int = 1_000_000) -> Document:
    """Read and normalize one file (at most ``max_bytes`` on disk and ``max_chars`` of text)."""
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
        raw = _read_pdf(path)
    elif suffix == ".docx":
        raw = _read_docx(path)
    else:
        raw, encoding = decode_text(data, path.name)
        if suffix in HTML_SUFFIXES:
            raw = html_to_text(raw)
    if len(raw) > max_chars:
        raise LoaderError(
            f"{path.name}: {len(raw):,} characters of text is more than a press release ({max_chars:,} at most: "
            f"that would be about {len(raw) // 160:,} chunks to embed); split it or raise CONFBOT_MAX_TEXT_CHARS."
        )
    text = normalize(raw)
    if not text:
        raise LoaderError(f"{path.name}: no text left after cleaning; check the file's content.")
    warnings = tuple(f"{path.name}: possibly damaged text left as is: {s!r}" for s in suspicious_spans(text)[:5])
    for w in warnings:
        log.warning(w)
    return Document(
        source=relative_source(path, root),
        text=text,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        encoding=encoding,
        warnings=warnings,
    )


def discover(paths: list[Path]) -> list[Path]:
    """Files to ingest under the given files and folders (hidden files skipped), sorted."""
    found: list[Path] = []
    for p in paths:
        if p.is_dir():
            found.extend(
                f
                for f in sorted(p.rglob("*"))
                if f.is_file()
                and not any(part.startswith(".") for part in f.relative_to(p).parts)
                and f.suffix.lower() in SUPPORTED_SUFFIXES
            )
        elif p.is_file():
            found.append(p)
        else:
            raise LoaderError(f"{p}: no such file or folder; check the path.")
    return sorted(dict.fromkeys(found))
