"""Services down, hung or back: the app stays up, says what is wrong, and recovers (real `chroma run`, real Gradio)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from confbot.answer.chain import Answerer
from confbot.errors import ServiceError
from confbot.ingest.indexer import ingest
from confbot.retrieve.pipeline import Pipeline
from confbot.settings import Settings
from conftest import free_port
from fakes import FakeEmbedder
from test_chroma_server import start

pytestmark = pytest.mark.server


@pytest.fixture
def hung_port() -> Iterator[int]:
    """A server that accepts connections and never answers."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(16)
    conns: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        srv.settimeout(0.2)
        while not stop.is_set():
            try:
                conns.append(srv.accept()[0])
            except OSError:
                continue

    t = threading.Thread(target=accept, daemon=True)
    t.start()
    yield srv.getsockname()[1]
    stop.set()
    t.join(timeout=5)
    for c in conns:
        c.close()
    srv.close()


def launch(app_arg, settings: Settings) -> tuple[object, str]:  # type: ignore[no-untyped-def]
    from confbot.ui import create_app, launch_options

    app = create_app(app_arg, settings)
    port = free_port()
    app.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True, **launch_options())
    return app, f"http://127.0.0.1:{port}/"


def test_chroma_server_dies_mid_conversation_and_comes_back(settings: Settings, tmp_path: Path) -> None:
    from gradio_client import Client

    port = free_port()
    server = start(tmp_path / "chroma", port)
    s = settings.model_copy(update={"chroma_url": f"http://127.0.0.1:{port}", "chroma_timeout": 3.0})
    fake = FakeEmbedder()
    ingest(s, embedder=fake)
    app, url = launch(Answerer(Pipeline.open(s, embedder=fake)), s)
    try:
        client = Client(url, verbose=False)
        first = client.predict("大会在什么时候举行？", api_name="/ask")
        assert "error" not in first and first["hits"]

        server.terminate()
        server.wait(timeout=20)
        down = client.predict("湖北省累计建成多少个5G基站？", api_name="/ask")
        assert "Chroma server" in down["error"] and "CONFBOT_CHROMA_URL" in down["error"]
        assert "Chroma server" in client.predict("大会的主题是什么？", api_name="/chat")  # still up, still clear

        server = start(tmp_path / "chroma", port)
        back = client.predict("湖北省累计建成多少个5G基站？", api_name="/ask")
        assert "error" not in back and any("16.38万" in h["text"] for h in back["hits"])
    finally:
        app.close()  # type: ignore[attr-defined]
        server.terminate()
        server.wait(timeout=20)


def test_app_starts_while_the_chroma_server_is_down(settings: Settings, tmp_path: Path) -> None:
    from gradio_client import Client

    port = free_port()
    s = settings.model_copy(update={"chroma_url": f"http://127.0.0.1:{port}", "chroma_timeout": 3.0})
    fake = FakeEmbedder()
    app, url = launch(lambda: Answerer(Pipeline.open(s, embedder=fake)), s)
    server = None
    try:
        client = Client(url, verbose=False)
        down = client.predict("大会在什么时候举行？", api_name="/ask")
        assert "cannot reach the Chroma server" in down["error"] and "chroma run" in down["error"]
        server = start(tmp_path / "chroma", port)
        ingest(s, embedder=fake)
        back = client.predict("大会在什么时候举行？", api_name="/ask")
        assert "error" not in back and back["hits"]
    finally:
        app.close()  # type: ignore[attr-defined]
        if server is not None:
            server.terminate()
            server.wait(timeout=20)


def test_a_hung_chroma_server_times_out(settings: Settings, hung_port: int) -> None:
    s = settings.model_copy(update={"chroma_url": f"http://127.0.0.1:{hung_port}", "chroma_timeout": 1.0})
    with pytest.raises(ServiceError, match="cannot reach the Chroma server"):
        Pipeline.open(s, embedder=FakeEmbedder())


def test_a_hung_llm_server_times_out_to_the_extractive_answer(settings: Settings, hung_port: int) -> None:
    from confbot.answer.generator import make_chat_model

    fake = FakeEmbedder()
    ingest(settings, embedder=fake)
    s = settings.model_copy(update={"llm": "openai", "llm_base_url": f"http://127.0.0.1:{hung_port}/v1",
                                    "llm_model": "x", "llm_timeout": 1.0})  # fmt: skip
    answerer = Answerer(Pipeline.open(s, embedder=fake), make_chat_model(s), "openai")
    a = answerer.answer("湖北省累计建成多少个5G基站？")
    assert a.backend == "extractive" or any("LLM" in n for n in a.notes)
    assert any("did not answer" in n for n in a.notes)
