"""The one API every front end calls: the CLI, the Gradio app and the HTTP API are peers over it.

A :class:`Service` owns one index (its :class:`~confbot.retrieve.pipeline.Pipeline`, opened at
the first call that needs it) and the answer chain over it. Changes to the index (ingest,
upload, remove) run under the ingest lock and refresh the retriever and the chain afterwards;
answers go on meanwhile (readers see committed file versions only). Front ends never import
chromadb or reach into the retriever or the store.
"""

from __future__ import annotations

import hmac
import json
import re
import shutil
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from confbot.errors import ConfbotError, InputError, LoaderError
from confbot.records import Answer, Chunk, Hit, IngestReport, SourceInfo
from confbot.settings import Settings

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Status:
    """What the app's status line shows: backend, committed chunks, the scope ("" = every file)."""

    backend: str
    chunks: int
    scope: str


class Service:
    """Ask, stream, retrieve, ingest, remove, list and evaluate over one index.

    ``answerer``: an already built :class:`~confbot.answer.chain.Answerer` (tests pass one over a
    fake embedder); without it the chain is built at the first question, so an app can start while
    the index's server is down and connect when it is back (each call raises the
    :class:`~confbot.errors.ServiceError` until then).
    """

    def __init__(self, settings: Settings | None = None, answerer: Any | Callable[[], Any] | None = None) -> None:
        built: Any = answerer if hasattr(answerer, "runnable") else None
        self._factory: Callable[[], Any] | None = None if built is not None else answerer
        self.settings = settings or (built.pipeline.settings if built is not None else Settings())
        self._answerer: Any = built
        self._lock = threading.RLock()

    @classmethod
    def open(cls, settings: Settings | None = None) -> Service:
        """A service with its index opened now (raises what opening raises: missing index, server down)."""
        service = cls(settings)
        service.connect()
        return service

    def connect(self) -> None:
        """Open the index and build the chain now (raises :class:`~confbot.errors.ServiceError` while a
        Chroma server is down, :class:`~confbot.errors.IndexMissingError` when there is no index)."""
        _ = self.answerer

    # ---------------------------------------------------------------- the chain
    @property
    def answerer(self) -> Any:
        """The :class:`~confbot.answer.chain.Answerer` (built at first use, once, thread-safe)."""
        if self._answerer is None:
            with self._lock:
                if self._answerer is None and self._factory is not None:
                    self._answerer = self._factory()
                if self._answerer is None:
                    from confbot.answer.chain import Answerer
                    from confbot.answer.generator import make_chat_model
                    from confbot.retrieve.pipeline import Pipeline

                    s = self.settings
                    self._answerer = Answerer(Pipeline.open(s), make_chat_model(s), s.llm)
        return self._answerer

    def chain(self) -> Any:
        """The LangChain Runnable: ``invoke({"question", "history"})`` -> :class:`Answer`."""
        return self.answerer.runnable()

    @property
    def backend(self) -> str:
        return str(self._answerer.backend if self._answerer is not None else self.settings.llm)

    def status(self) -> Status:
        r = self.answerer.pipeline.retriever
        return Status(self.answerer.backend, r.size, r.scope or "")

    def ask(self, question: str, history: Sequence[Any] = (), scope: str | None = None) -> Answer:
        """One verified answer. ``history``: ``[{"role": "user"|"assistant", "content": str}, ...]``."""
        return self.answerer.answer(question, history, scope)

    def stream(self, question: str, history: Sequence[Any] = (), scope: str | None = None) -> Iterator[str | Answer]:
        """Text deltas, then the final :class:`Answer`."""
        yield from self.answerer.stream(question, history, scope)

    def retrieve(self, question: str, k: int | None = None, scope: str | None = None) -> tuple[str, list[Hit]]:
        """The checked question and its top ``k`` hits (default ``settings.top_k``)."""
        p = self.answerer.pipeline
        q = p.check_question(question)
        return q, p.retriever.retrieve(q, k or self.settings.top_k, scope)

    def inspect(self, question: str, k: int = 10) -> tuple[list[Hit], dict[str, Any]]:
        """The retrieval lab: ``k`` hits and the answer check's verdict on the first ``context_k``."""
        q, hits = self.retrieve(question, k)
        _, asm = self.answerer.select(q, hits[: self.settings.context_k])
        from confbot.answer.selector import ANSWER_THRESHOLD

        verdict = {
            "expected kinds": asm.kinds,
            "missing kinds": asm.missing_kinds,
            "key terms": asm.terms,
            "covered": asm.covered_terms,
            "coverage": round(asm.coverage, 3),
            "features": {k: round(v, 4) for k, v in asm.features.items()},
            "answer probability": asm.probability,
            "threshold": ANSWER_THRESHOLD,
            "outcome": asm.outcome,
            "reason": asm.reason,
        }
        return hits, verdict

    def chunk(self, chunk_id: str) -> Chunk | None:
        """A committed chunk by id (None when it is not in the index)."""
        return self.answerer.pipeline.store.get([chunk_id]).get(chunk_id)

    # ---------------------------------------------------------------- the index
    def ingest(
        self,
        paths: Sequence[Path] | None = None,
        *,
        rebuild: bool = False,
        skip_bad: bool = False,
        progress: bool = False,
        confine: Path | None = None,
    ) -> IngestReport:
        """Bring the index in line with ``paths`` (default the corpus); see :func:`confbot.ingest.indexer.ingest`."""
        from confbot.ingest.indexer import ingest

        emb = self._answerer.pipeline.embedder if self._answerer is not None else None
        with self._lock:
            report = ingest(
                self.settings, paths, emb, rebuild=rebuild, skip_bad=skip_bad, progress=progress, confine=confine
            )
            self._refresh()
        return report

    def upload(self, files: Sequence[Path], progress: bool = False) -> IngestReport:
        """Copy files into ``corpus/uploads/`` and index them; a file that fails leaves corpus and index as they were.

        Raises :class:`InputError` for an unsupported type or a file over ``max_upload_bytes``.
        """
        staged = [(Path(f), self.settings.uploads_path / upload_name(Path(f), self.settings)) for f in files]
        if not staged:
            raise InputError("choose one or more files to upload.")
        with self._lock:
            self.settings.uploads_path.mkdir(parents=True, exist_ok=True)
            written: list[tuple[Path, bytes | None]] = []
            try:
                for src, dest in staged:
                    written.append((dest, dest.read_bytes() if dest.exists() else None))
                    shutil.copyfile(src, dest)
                return self.ingest([d for d, _ in written], progress=progress, confine=self.settings.corpus_path)
            except ConfbotError as exc:
                for dest, backup in written:  # leave the corpus as it was
                    if backup is None:
                        dest.unlink(missing_ok=True)
                    else:
                        dest.write_bytes(backup)
                if isinstance(exc, LoaderError):  # an uploader has no --skip-bad: the chosen files are the lever
                    from confbot.ingest.indexer import SKIP_BAD_HINT, UPLOAD_HINT

                    raise LoaderError(str(exc).replace(SKIP_BAD_HINT, UPLOAD_HINT)) from exc
                raise

    def remove(self, source: str) -> int:
        """Remove one document's chunks (and its file when it was uploaded); returns the chunks removed."""
        from confbot.ingest.indexer import ingest_lock

        with self._lock, ingest_lock(self.settings):
            store = self.answerer.pipeline.store
            if source not in store.sources():
                raise InputError(f"{source} is not in the index.")
            n = store.remove_source(source)
            path = self.settings.resolve(Path(source))
            if path.is_file() and self.settings.uploads_path.resolve() in path.resolve().parents:
                path.unlink()
            self._refresh()
        return int(n)

    def documents(self) -> list[SourceInfo]:
        """Every indexed document, by source."""
        return sorted(self.answerer.pipeline.store.sources().values(), key=lambda i: i.source)

    def _refresh(self) -> None:
        if self._answerer is not None:
            self._answerer.pipeline.retriever.refresh()
            self._answerer.refresh()

    def export_index(self, path: Path) -> int:
        """Write chunks, embeddings and the signature to ``path`` (``.jsonl.gz``); returns the chunk count."""
        from confbot.store.transfer import export_collection

        return export_collection(self.settings, path)

    def import_index(self, path: Path) -> tuple[str, int]:
        """Load an export into this (empty) index without re-embedding; returns (collection, chunks)."""
        from confbot.store.chroma import make_client
        from confbot.store.transfer import import_index

        s = self.settings
        client = make_client(s.index_path, s.chroma_url, create=True, timeout=s.chroma_timeout)
        return import_index(client, path, s.collection)

    # ---------------------------------------------------------------- testers and feedback
    def evaluate(
        self, qa_path: Path, k: int = 5, *, naive: bool = False, answers: bool = True, progress: Progress | None = None
    ) -> tuple[dict[str, Any], list[Any]]:
        """Retrieval metrics (and answer metrics unless ``answers`` is False) on a QA file."""
        from confbot.evaluation import evaluate_answers, evaluate_retrieval, load_qa

        items = load_qa(qa_path)
        half = (lambda i, n: progress(i, 2 * n)) if progress and answers else progress
        if naive:
            from confbot.naive import NaivePipeline

            retrieve = NaivePipeline.build(self.settings, [self.settings.corpus_path]).retrieve
        else:
            retrieve = self.answerer.pipeline.retriever.retrieve
        report, results = evaluate_retrieval(items, retrieve, k, half, self._standalone)
        report["pipeline"] = "naive" if naive else "confbot"
        if answers and not naive:
            rest = (lambda i, n: progress(n + i, 2 * n)) if progress else None
            report.update(evaluate_answers(results, self.answerer.answer, self.chunk, rest))
            report["backend"] = self.answerer.backend
        return report, results

    def _standalone(self, item: Any) -> str:
        from confbot.answer.chain import parse_history

        return str(self.answerer.standalone(item.question, parse_history(item.history_messages)))

    def feedback(self, liked: bool | None, record: dict[str, Any]) -> None:
        """Append a like/dislike with the answer to ``settings.feedback_path`` (JSONL)."""
        path = self.settings.feedback_path
        path.parent.mkdir(parents=True, exist_ok=True)
        line = {"time": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "liked": liked, **record}
        with path.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(line, ensure_ascii=False) + "\n")

    def admin_enabled(self) -> bool:
        return self.settings.admin_token is not None and bool(self.settings.admin_token.get_secret_value())

    def authorize_admin(self, token: str | None) -> None:
        """Raise :class:`InputError` unless ``token`` equals ``CONFBOT_ADMIN_TOKEN`` (constant-time compare)."""
        if not self.admin_enabled():
            raise InputError("changing the index is disabled: start the app with CONFBOT_ADMIN_TOKEN set.")
        expected = self.settings.admin_token.get_secret_value()  # type: ignore[union-attr]
        if not token or not hmac.compare_digest(token.encode(), expected.encode()):
            raise InputError("wrong admin token; nothing was changed.")


def upload_name(src: Path, settings: Settings) -> str:
    """The name an uploaded file gets in ``corpus/uploads/`` (checked: type and size).

    Raises :class:`InputError` for an unsupported suffix or a file over ``settings.max_upload_bytes``.
    """
    from confbot.ingest.loaders import SUPPORTED_SUFFIXES
    from confbot.text.cjk import CJK_RANGES

    name = re.sub(rf"[^\w.\-{CJK_RANGES} ]", "_", src.name).strip(" .") or "upload.txt"
    if Path(name).suffix.lower() not in SUPPORTED_SUFFIXES:
        raise InputError(f"{name}: unsupported type; upload {', '.join(sorted(SUPPORTED_SUFFIXES))}.")
    if src.stat().st_size > settings.max_upload_bytes:
        raise InputError(f"{name}: over the {settings.max_upload_bytes // 1_000_000} MB upload limit.")
    return name
