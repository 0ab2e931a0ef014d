from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from confbot.embed.provision import load_embedder
from confbot.settings import Settings, set_runtime_env
from fakes import FakeEmbedder

set_runtime_env()

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
RAW_RELEASE = CORPUS / "000_6ecf1ceda1c9a779.txt"
DEV_QA = ROOT / "tests" / "data" / "dev_qa.jsonl"


def free_port() -> int:
    """A free TCP port on 127.0.0.1 for a server a test starts."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def make_settings(root: Path, **kw: object) -> Settings:
    """Settings for a throw-away project at ``root`` sharing the real model cache."""
    return Settings(project_root=root, **kw)  # type: ignore[arg-type]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project folder with a copy of the real corpus."""
    shutil.copytree(CORPUS, tmp_path / "corpus")
    return tmp_path


@pytest.fixture
def settings(project: Path) -> Settings:
    return make_settings(project)


@pytest.fixture
def fake_embedder() -> FakeEmbedder:
    return FakeEmbedder()


@pytest.fixture(scope="session")
def real_embedder():  # type: ignore[no-untyped-def]
    emb = load_embedder(Settings())
    emb.dim  # noqa: B018 - load now, once per session
    return emb


@pytest.fixture(scope="session")
def real_pipeline(tmp_path_factory: pytest.TempPathFactory, real_embedder):  # type: ignore[no-untyped-def]
    """The real corpus ingested with the real model into a session index."""
    from confbot.ingest.indexer import ingest
    from confbot.retrieve.pipeline import Pipeline

    root = tmp_path_factory.mktemp("realproj")
    shutil.copytree(CORPUS, root / "corpus")
    s = make_settings(root)
    ingest(s, embedder=real_embedder)
    return Pipeline.open(s, embedder=real_embedder)
