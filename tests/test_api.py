"""The HTTP API through the official ``openai`` and ``mcp`` clients, against a real uvicorn server with the
Gradio app mounted beside it (fake embedder, real first release)."""

from __future__ import annotations

import asyncio
import json
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest
from pydantic import SecretStr

from confbot.answer.chain import Answerer
from confbot.api import RateLimiter, create_api
from confbot.errors import ServiceError
from confbot.ingest.indexer import ingest
from confbot.retrieve.pipeline import Pipeline
from confbot.server import build_app
from confbot.service import Service
from conftest import CORPUS, free_port, make_settings
from fakes import FakeEmbedder

pytestmark = pytest.mark.server

ASKED = "湖北省累计建成多少个5G基站？"
REFUSED = "大会门票多少钱？"
KEY = "test-key-123"


class Running:
    """A uvicorn server in a thread on 127.0.0.1 (stopped by :meth:`stop`)."""

    def __init__(self, app: Any) -> None:
        import uvicorn

        self.port = free_port()
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            assert time.monotonic() < deadline and self.thread.is_alive(), "the server did not start"
            time.sleep(0.05)
        self.url = f"http://127.0.0.1:{self.port}"

    def client(self, key: str = "unused", **kw: Any) -> openai.OpenAI:
        return openai.OpenAI(base_url=f"{self.url}/v1", api_key=key, max_retries=0, timeout=60, **kw)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def _answerer(root: Path) -> Answerer:
    s = make_settings(root)
    fake = FakeEmbedder()
    ingest(s, embedder=fake)
    return Answerer(Pipeline.open(s, embedder=fake))


@pytest.fixture(scope="module")
def answerer(tmp_path_factory: pytest.TempPathFactory) -> Answerer:
    root = tmp_path_factory.mktemp("apiproj")
    shutil.copytree(CORPUS, root / "corpus")
    return _answerer(root)


@pytest.fixture(scope="module")
def server(answerer: Answerer) -> Iterator[Running]:
    """The whole app as ``confbot serve --mcp`` serves it: API, MCP and Gradio on one port, no key."""
    settings = answerer.pipeline.settings.model_copy(update={"api_requests_per_minute": 0})
    running = Running(build_app(Service(settings, answerer), mcp=True))
    yield running
    running.stop()


@pytest.fixture(scope="module")
def guarded(answerer: Answerer) -> Iterator[Running]:
    """The API alone with a key and small limits."""
    settings = answerer.pipeline.settings.model_copy(
        update={"api_key": SecretStr(KEY), "api_max_request_bytes": 8192, "api_requests_per_minute": 600}
    )
    running = Running(create_api(Service(settings, answerer)))
    yield running
    running.stop()


# ---------------------------------------------------------------- the chat format
def test_models_lists_confbot(server: Running) -> None:
    assert [m.id for m in server.client().models.list()] == ["confbot"]


def test_plain_answer_has_markers_and_citations(server: Running) -> None:
    r = server.client().chat.completions.create(
        model="confbot",
        messages=[{"role": "system", "content": "ignored"}, {"role": "user", "content": ASKED}],
    )
    text = r.choices[0].message.content or ""
    assert r.object == "chat.completion" and r.model == "confbot" and r.choices[0].finish_reason == "stop"
    assert "16.38万" in text and "[1]" in text
    extra = r.model_extra or {}
    cits = extra["citations"]
    assert cits and cits == (r.choices[0].message.model_extra or {})["citations"]
    assert set(cits[0]) == {"n", "source", "title", "published", "quote", "original_quote", "start", "end"}
    # the shipped release states no date; its title is its first sentence (a first line whose only Latin letters
    # are capitals, as in 5G, is no PRESS RELEASE banner)
    assert cits[0]["title"] and cits[0]["title"].endswith("。") and cits[0]["published"] is None
    assert cits[0]["end"] > cits[0]["start"]
    assert any("16.38万" in c["quote"] for c in cits)
    assert extra["confbot"]["refused"] is False and extra["confbot"]["standalone_question"] == ASKED


def test_streamed_answer_is_chunks_then_citations(server: Running) -> None:
    client = server.client()
    chunks = list(
        client.chat.completions.create(model="confbot", messages=[{"role": "user", "content": ASKED}], stream=True)
    )
    assert chunks and all(c.object == "chat.completion.chunk" for c in chunks)
    assert chunks[0].choices[0].delta.role == "assistant"
    streamed = "".join(c.choices[0].delta.content or "" for c in chunks)
    plain = client.chat.completions.create(model="confbot", messages=[{"role": "user", "content": ASKED}])
    assert streamed == plain.choices[0].message.content
    last = chunks[-1]
    assert last.choices[0].finish_reason == "stop"
    extra = last.model_extra or {}
    assert extra["citations"] == (plain.model_extra or {})["citations"]
    assert extra["confbot"]["refused"] is False and extra["confbot"]["draft_replaced"] is False


def test_stream_ends_with_done(server: Running) -> None:
    body = {"model": "confbot", "stream": True, "messages": [{"role": "user", "content": ASKED}]}
    r = httpx.post(f"{server.url}/v1/chat/completions", json=body, timeout=60)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
    events = [line.removeprefix("data: ") for line in r.text.split("\n\n") if line]
    assert events[-1] == "[DONE]" and all(line.startswith("data: ") for line in r.text.split("\n\n") if line)
    assert json.loads(events[-2])["citations"]


def test_follow_up_is_answered_from_the_history(server: Running) -> None:
    client = server.client()
    first_q = "2024中国5G+工业互联网大会在哪里举行？"
    first = client.chat.completions.create(model="confbot", messages=[{"role": "user", "content": first_q}])
    follow = client.chat.completions.create(
        model="confbot",
        messages=[
            {"role": "user", "content": first_q},
            {"role": "assistant", "content": first.choices[0].message.content or ""},
            {"role": "user", "content": [{"type": "text", "text": "那它的主题是什么？"}]},
        ],
    )
    ext = (follow.model_extra or {})["confbot"]
    assert ext["standalone_question"] != "那它的主题是什么？" and "大会" in ext["standalone_question"]
    alone = client.chat.completions.create(
        model="confbot", messages=[{"role": "user", "content": "那它的主题是什么？"}]
    )
    assert (alone.model_extra or {})["confbot"]["standalone_question"] == "那它的主题是什么？"


def test_refusal_is_clear_text_without_citations(server: Running) -> None:
    for stream in (False, True):
        body = {"model": "confbot", "stream": stream, "messages": [{"role": "user", "content": REFUSED}]}
        r = httpx.post(f"{server.url}/v1/chat/completions", json=body, timeout=60)
        data = json.loads(r.text.split("\n\n")[-3].removeprefix("data: ")) if stream else r.json()
        assert data["confbot"]["refused"] is True and data["citations"] == []
        msg = data["choices"][0]["delta" if stream else "message"]
        assert msg["citations"] == []
        if not stream:
            assert msg["content"].strip() and "[1]" not in msg["content"]


@pytest.mark.parametrize(
    ("reply", "replaced"),
    [("截至2024年10月，湖北省每万人拥有5G基站数28个[1]。", False), ("湖北省累计建成5G基站99.99万个[1]。", True)],
)
def test_llm_draft_streams_and_the_last_chunk_has_the_checked_answer(
    answerer: Answerer, reply: str, replaced: bool
) -> None:
    from langchain_core.language_models.fake_chat_models import FakeListChatModel

    llm = Answerer(answerer.pipeline, FakeListChatModel(responses=[reply]), "openai")
    running = Running(create_api(Service(answerer.pipeline.settings, llm)))
    try:
        msgs: Any = [{"role": "user", "content": ASKED}]
        chunks = list(running.client().chat.completions.create(model="confbot", messages=msgs, stream=True))
        streamed = "".join(c.choices[0].delta.content or "" for c in chunks)
        ext = (chunks[-1].model_extra or {})["confbot"]
        assert len(chunks) > 4 and streamed == reply  # the draft, token by token
        assert ext["draft_replaced"] is replaced and "99.99" not in ext["answer"]
        assert ext["answer"] == (reply if not replaced else answerer.answer(ASKED).text)
        assert (chunks[-1].model_extra or {})["citations"]
    finally:
        running.stop()


def test_last_chunk_completes_or_replaces_the_streamed_text() -> None:
    from confbot.records import Answer, Citation
    from confbot.render import openai_final_chunk

    cit = Citation(1, "corpus/a.txt", "a-0", "<b>x</b>", 3, 11)
    a = Answer("q", "q", "draft text[1]", (cit,), False)
    grown = openai_final_chunk(a, "draft text", "id", "confbot", 0)
    assert grown["choices"][0]["delta"]["content"] == "[1]" and grown["confbot"]["draft_replaced"] is False
    assert grown["citations"][0]["quote"] == "<b>x</b>"  # data, not escaped
    other = openai_final_chunk(a, "something else", "id", "confbot", 0)
    assert "content" not in other["choices"][0]["delta"] and other["confbot"]["draft_replaced"] is True
    assert other["confbot"]["answer"] == "draft text[1]"


# ---------------------------------------------------------------- errors and limits
def test_wrong_or_missing_key_is_401_and_the_right_key_answers(guarded: Running) -> None:
    msg = [{"role": "user", "content": ASKED}]
    with pytest.raises(openai.AuthenticationError) as err:
        guarded.client("wrong").chat.completions.create(model="confbot", messages=msg)
    assert err.value.status_code == 401 and "CONFBOT_API_KEY" in err.value.message
    assert err.value.body["type"] == "authentication_error"  # type: ignore[index]
    with pytest.raises(openai.AuthenticationError):
        guarded.client("wrong").models.list()
    assert httpx.get(f"{guarded.url}/v1/models").status_code == 401
    assert guarded.client(KEY).chat.completions.create(model="confbot", messages=msg).choices[0].message.content


def test_oversize_request_is_413(guarded: Running) -> None:
    long = [{"role": "user", "content": "大会" * 3000}]
    with pytest.raises(openai.APIStatusError) as err:
        guarded.client(KEY).chat.completions.create(model="confbot", messages=long)
    assert err.value.status_code == 413 and "8192 bytes" in err.value.message

    def chunked() -> Iterator[bytes]:  # no Content-Length: the body is counted as it arrives
        yield b'{"messages": [{"role": "user", "content": "'
        yield b"x" * 9000
        yield b'"}]}'

    r = httpx.post(f"{guarded.url}/v1/chat/completions", content=chunked(), headers={"Authorization": f"Bearer {KEY}"})
    assert r.status_code == 413 and r.json()["error"]["type"] == "invalid_request_error"


def test_bad_requests_are_400_with_a_clear_message(guarded: Running) -> None:
    auth = {"Authorization": f"Bearer {KEY}"}
    url = f"{guarded.url}/v1/chat/completions"
    r = httpx.post(url, content=b"{not json", headers=auth)
    assert r.status_code == 400 and "not JSON" in r.json()["error"]["message"]
    r = httpx.post(url, json={"model": "confbot"}, headers=auth)
    assert r.status_code == 400 and '"messages"' in r.json()["error"]["message"]
    client = guarded.client(KEY)
    with pytest.raises(openai.BadRequestError, match="no user message"):
        client.chat.completions.create(model="confbot", messages=[{"role": "system", "content": "hi"}])
    with pytest.raises(openai.BadRequestError, match="question"):  # a ConfbotError (InputError) from the service
        client.chat.completions.create(model="confbot", messages=[{"role": "user", "content": "问" * 2100}])
    with pytest.raises(openai.BadRequestError, match="question"):  # the same before any event of a stream
        client.chat.completions.create(
            model="confbot", messages=[{"role": "user", "content": "问" * 2100}], stream=True
        )
    with pytest.raises(openai.NotFoundError, match='use "confbot"'):
        client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": ASKED}])


class Breaking(Service):
    """A service whose answers fail: a bug in ``ask``, a server lost in the middle of ``stream``."""

    def ask(self, question: str, history: Any = (), scope: str | None = None) -> Any:
        raise RuntimeError("boom")

    def stream(self, question: str, history: Any = (), scope: str | None = None) -> Iterator[Any]:
        yield "部分"
        raise ServiceError("the LLM server did not answer; check CONFBOT_LLM_BASE_URL.")


def test_failures_are_openai_errors_never_tracebacks(answerer: Answerer) -> None:
    running = Running(create_api(Breaking(answerer.pipeline.settings, answerer)))
    try:
        client = running.client()
        with pytest.raises(openai.InternalServerError, match="RuntimeError") as err:
            client.chat.completions.create(model="confbot", messages=[{"role": "user", "content": ASKED}])
        assert "boom" not in err.value.message and err.value.body["type"] == "server_error"  # type: ignore[index]
        with pytest.raises(openai.APIError, match="CONFBOT_LLM_BASE_URL"):  # an error event after the first delta
            list(
                client.chat.completions.create(
                    model="confbot", messages=[{"role": "user", "content": ASKED}], stream=True
                )
            )
        r = httpx.get(f"{running.url}/v1/chat/completions")
        assert r.status_code == 405 and r.json()["error"]["message"] == "Method Not Allowed"
        assert httpx.get(f"{running.url}/v1/nothing").json()["error"]["type"] == "invalid_request_error"
    finally:
        running.stop()


def test_rate_is_bounded_per_client(answerer: Answerer) -> None:
    bucket = RateLimiter(60)
    assert all(bucket.allow("a", now=0.0) for _ in range(60)) and not bucket.allow("a", now=0.0)
    assert bucket.allow("b", now=0.0)  # another client has its own bucket
    assert bucket.allow("a", now=1.0) and not bucket.allow("a", now=1.0)  # one token a second comes back
    small = RateLimiter(1, max_clients=2)
    for c in "xyz":
        small.allow(c, now=0.0)
    assert small.allow("x", now=0.0)  # forgotten (the least recent of three): a fresh bucket

    settings = answerer.pipeline.settings.model_copy(update={"api_requests_per_minute": 3})
    running = Running(create_api(Service(settings, answerer)))
    try:
        client = running.client()
        for _ in range(3):
            client.models.list()
        with pytest.raises(openai.RateLimitError) as err:
            client.models.list()
        assert err.value.response.headers["Retry-After"] == "20"
    finally:
        running.stop()


# ---------------------------------------------------------------- one server, MCP
def test_gradio_app_is_served_beside_the_api(server: Running) -> None:
    from gradio_client import Client

    assert httpx.get(server.url + "/").status_code == 200
    out = Client(server.url + "/", verbose=False).predict(ASKED, api_name="/ask")
    assert "error" not in out and any("16.38万" in c["quote"] for c in out["citations"])


def test_mcp_lists_the_tools_and_calls_them(server: Running) -> None:
    from mcp import ClientSession
    from mcp.client.streamable_http import streamablehttp_client

    async def session() -> tuple[Any, Any, Any, Any]:
        async with streamablehttp_client(f"{server.url}/mcp") as (read, write, _), ClientSession(read, write) as s:
            await s.initialize()
            tools = await s.list_tools()
            asked = await s.call_tool("ask", {"question": ASKED})
            found = await s.call_tool("retrieve", {"question": ASKED, "k": 3})
            bad = [
                await s.call_tool("ask", {"question": "问" * 2100}),
                await s.call_tool("retrieve", {"question": ASKED, "k": 0}),
            ]
            return tools, asked, found, bad

    tools, asked, found, bad = asyncio.run(session())
    assert all(b.isError for b in bad) and "question" in bad[0].content[0].text  # type: ignore[union-attr]
    by_name = {t.name: t for t in tools.tools}
    assert set(by_name) == {"ask", "retrieve"}
    ask_params = by_name["ask"].inputSchema["properties"]
    assert ask_params["question"]["type"] == "string" and "history" in ask_params
    assert by_name["retrieve"].inputSchema["properties"]["k"]["type"] == "integer"
    assert not asked.isError and asked.structuredContent["refused"] is False
    assert "16.38万" in asked.structuredContent["answer"] and asked.structuredContent["citations"]
    assert not found.isError and len(found.structuredContent["hits"]) == 3


# ---------------------------------------------------------------- hostile documents
HOSTILE = (
    "2024数字会展大会日程通知\n"
    "大会详情请点击[这里](javascript:alert(1))查看，闭幕式定于2024年6月30日举行。\n"
    "开幕论坛定于6月28日上午<img src=x onerror=alert(1)>举行，论坛共设三个议题。\n"
)


def test_hostile_document_travels_as_data(tmp_path: Path) -> None:
    (tmp_path / "corpus").mkdir()
    doc = tmp_path / "corpus" / "hostile.txt"
    doc.write_text(HOSTILE, encoding="utf-8")
    running = Running(create_api(Service(make_settings(tmp_path), _answerer(tmp_path))))
    try:
        client = running.client()
        seen = []
        for q in ("闭幕式什么时候举行？", "开幕论坛什么时候举行？"):
            r = client.chat.completions.create(model="confbot", messages=[{"role": "user", "content": q}])
            cits = (r.model_extra or {})["citations"]
            assert cits, r
            for c in cits:
                assert c["quote"] == HOSTILE[c["start"] : c["end"]]  # the document's text, unchanged
            seen += [c["quote"] for c in cits]
            chunks = list(
                client.chat.completions.create(model="confbot", stream=True, messages=[{"role": "user", "content": q}])
            )
            assert (chunks[-1].model_extra or {})["citations"] == cits
        assert any("[这里](javascript:alert(1))" in q for q in seen)
        assert any("<img src=x onerror=alert(1)>" in q for q in seen)
        assert client.models.list().data[0].id == "confbot"  # nothing else broke
    finally:
        running.stop()


# ---------------------------------------------------------------- the real process
@pytest.mark.model
def test_app_py_serves_the_api_and_mcp_behind_a_key(settings: Any, real_embedder: Any) -> None:
    """``python app.py --mcp`` with CONFBOT_API_KEY: the real entry point, the real model, one port."""
    import os
    import subprocess
    import sys

    from mcp import ClientSession
    from mcp.client.streamable_http import streamablehttp_client

    ingest(settings, embedder=real_embedder)
    port = free_port()
    root = Path(__file__).resolve().parents[1]
    env = {
        **os.environ,
        "CONFBOT_PROJECT_ROOT": str(settings.project_root),
        "CONFBOT_API_KEY": KEY,
        "PYTHONPATH": os.pathsep.join([str(root / "src"), os.environ.get("PYTHONPATH", "")]),
    }
    proc = subprocess.Popen(
        [sys.executable, str(root / "app.py"), "--port", str(port), "--mcp"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else "exited"
            try:
                if httpx.get(f"{url}/v1/models", timeout=2).status_code == 401:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "app.py did not start in 120 s"
            time.sleep(0.5)
        client = openai.OpenAI(base_url=f"{url}/v1", api_key=KEY, max_retries=0, timeout=60)
        r = client.chat.completions.create(model="confbot", messages=[{"role": "user", "content": ASKED}])
        assert "16.38万" in (r.choices[0].message.content or "") and (r.model_extra or {})["citations"]
        assert httpx.post(f"{url}/mcp", json={}).status_code == 401  # MCP sits behind the same key

        async def tools() -> set[str]:
            auth = {"Authorization": f"Bearer {KEY}"}
            async with (
                streamablehttp_client(f"{url}/mcp", headers=auth) as (read, write, _),
                ClientSession(read, write) as s,
            ):
                await s.initialize()
                return {t.name for t in (await s.list_tools()).tools}

        assert asyncio.run(tools()) == {"ask", "retrieve"}
        assert httpx.get(url + "/", timeout=10).status_code == 200  # and the Gradio app, on the same port
    finally:
        proc.terminate()
        proc.wait(timeout=20)
