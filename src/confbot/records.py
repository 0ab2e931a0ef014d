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
    """A numbered source: ``quote`` is exactly ``normalized_source[start:end]``."""

    n: int
    source: str
    chunk_id: str
    quote: str
    start: int
    end: int


@dataclass(frozen=True)
class Answer:
    question: str
    standalone_question: str
    text: str
    citations: tuple[Citation, ...]
    refused: bool
    hits: tuple[Hit, ...] = ()
    backend: str = "extractive"
    seconds: float = 0.0
    notes: tuple[str, ...] = ()


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
