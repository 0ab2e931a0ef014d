"""path -> Document: read txt, md, html, pdf and docx files, detect encodings, normalize.

Each failure is a :class:`LoaderError` that names the file and says what to do.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Document:
    """One source file, normalized. ``text`` is what chunk offsets point into."""

    source: str
    text: str
    sha256: str
    size: int
    encoding: str = "utf-8"
    warnings: tuple[str, ...] = field(default_factory=tuple)
    #: the index already holds this exact file (same sha256): it was not normalized again, ``text`` is empty
    unchanged: bool = False
    #: PDF only: the offset in ``text`` where page 1, 2, ... starts (see :func:`page_of`)
    pages: tuple[int, ...] = ()
    #: what normalization repaired, e.g. ``3 pinyin annotations removed`` (empty for clean text)
    repairs: tuple[str, ...] = ()
    #: the file's resolved absolute path when it was read ("" when unknown)
    path: str = ""
    #: ``text`` in the file's own script (traditional characters kept), offset for offset, or "" when the same
    original: str = ""

    def page_of(self, offset: int) -> int | None:
        """The 1-based page an offset of ``text`` is on (None when the document has no pages)."""
        import bisect

        return bisect.bisect_right(self.pages, offset) if self.pages else None


@dataclass(frozen=True)
class Chunk:
    """A span of one normalized document."""

    id: str
    source: str
    text: str
    start: int
    end: int
    index: int = 0
    #: the document's title and publication date (ISO, or None), and this chunk's language (zh, en)
    title: str = ""
    published: str | None = None
    lang: str = ""
    #: the 1-based page the chunk starts on, for PDF sources (None otherwise)
    page: int | None = None
    #: the years and editions its document is about (:func:`confbot.text.events.document_event`)
    years: tuple[int, ...] = ()
    editions: tuple[int, ...] = ()
    #: ``text`` in its file's own script (traditional characters kept), offset for offset; "" when the same
    original: str = ""


@dataclass(frozen=True)
class Hit:
    """A retrieved chunk with every score that ranked it."""

    chunk: Chunk
    score: float
    dense_score: float
    bm25_score: float
    dense_rank: int | None = None
    bm25_rank: int | None = None


@dataclass(frozen=True)
class Citation:
    """A numbered source: ``quote`` is exactly ``normalized_source[start:end]``; ``original`` is the same span in
    the file's own script (a traditional-Chinese release quoted as written), "" when that is ``quote``."""

    n: int
    source: str
    chunk_id: str
    quote: str
    start: int
    end: int
    original: str = ""

    @property
    def as_written(self) -> str:
        """The quote as the file writes it."""
        return self.original or self.quote


@dataclass(frozen=True)
class Answer:
    """An answer with verified citations; ``outcome`` is ``answered``, ``partial`` (the materials hold what
    was asked about but not exactly what was asked: what they do say, cited) or ``refused``."""

    question: str
    standalone_question: str
    text: str
    citations: tuple[Citation, ...]
    refused: bool
    hits: tuple[Hit, ...] = ()
    backend: str = "extractive"
    seconds: float = 0.0
    notes: tuple[str, ...] = ()
    outcome: str = "answered"


@dataclass(frozen=True)
class Turn:
    role: str  # "user" | "assistant"
    content: str


@dataclass
class IngestReport:
    files: int = 0
    chunks: int = 0
    added: int = 0
    unchanged: int = 0
    removed: int = 0
    seconds: float = 0.0
    failed: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    #: source -> what normalization repaired in it (only files loaded by this ingest, only those repaired)
    repairs: dict[str, list[str]] = field(default_factory=dict)

    def as_json(self) -> dict[str, object]:
        d = asdict(self)
        d["seconds"] = round(self.seconds, 3)
        return d


@dataclass(frozen=True)
class SourceInfo:
    """What the index holds of one source file (one committed version)."""

    source: str
    sha256: str
    chunks: int
    size: int
    ingested_at: float
    title: str = ""
    published: str | None = None
    #: the file's resolved absolute path at ingest ("" in indexes written before it was recorded): a source named
    #: relative to one working directory is still found from another
    path: str = ""
