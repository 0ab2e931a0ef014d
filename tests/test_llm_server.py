"""The ``openai`` backend against a real OpenAI-compatible server: llama.cpp's, started here on 127.0.0.1."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request

import pytest

from confbot.answer.chain import Answerer
from confbot.answer.generator import make_chat_model, provision_test_gguf
from confbot.settings import Settings
from conftest import free_port

pytestmark = [pytest.mark.model, pytest.mark.server]


@pytest.fixture(scope="module")
def llm_server(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    gguf = provision_test_gguf(Settings().cache_dir)
    port = free_port()
    log = (tmp_path_factory.mktemp("llm") / "server.log").open("wb")  # a file: a full pipe would block the server
    proc = subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--model", str(gguf), "--host", "127.0.0.1", "--port", str(port),
         "--n_ctx", "4096", "--n_threads", "2", "--model_alias", "qwen-0.5b"],
        stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "HF_HUB_OFFLINE": "1"},
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/v1/models", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError(f"llama.cpp server exited; see {log.name}") from None
            time.sleep(0.5)
    else:
        proc.kill()
        raise RuntimeError("llama.cpp server did not become healthy in 120 s")
    yield url, proc
    proc.terminate()
    proc.wait(timeout=30)
    log.close()


def openai_settings(url: str, **kw: object) -> Settings:
    base: dict[str, object] = {
        "llm": "openai",
        "llm_base_url": f"{url}/v1",
        "llm_model": "qwen-0.5b",
        "llm_timeout": 60,
    }
    return Settings(**{**base, **kw})  # type: ignore[arg-type]


def test_answers_through_the_server_are_verified(llm_server, real_pipeline) -> None:  # type: ignore[no-untyped-def]
    url, _ = llm_server
    s = openai_settings(url)
    answerer = Answerer(real_pipeline, make_chat_model(s), "openai")
    a = answerer.answer("湖北省累计建成多少个5G基站？")
    assert a.backend == "openai" and not a.refused
    assert not any("did not answer" in n for n in a.notes), a.notes  # the server answered: no extractive fallback
    assert "16.38" in a.text and a.citations
    chunks = {h.chunk.id: h.chunk for h in a.hits}
    for c in a.citations:
        ch = chunks[c.chunk_id]
        assert ch.text[c.start - ch.start : c.end - ch.start] == c.quote
    streamed = list(answerer.stream("本届大会的主题是什么？"))
    assert isinstance(streamed[-1].text, str) and "实数融合" in streamed[-1].text  # type: ignore[union-attr]
    assert any(isinstance(p, str) for p in streamed[:-1])


def test_unanswerable_is_refused_whatever_the_model_says(llm_server, real_pipeline) -> None:  # type: ignore[no-untyped-def]
    url, _ = llm_server
    answerer = Answerer(real_pipeline, make_chat_model(openai_settings(url)), "openai")
    for q in ("大会门票多少钱？", "What is the registration website?"):
        a = answerer.answer(q)
        assert a.refused and not a.citations


def test_follow_up_is_condensed_by_the_model(llm_server, real_pipeline) -> None:  # type: ignore[no-untyped-def]
    url, _ = llm_server
    answerer = Answerer(real_pipeline, make_chat_model(openai_settings(url)), "openai")
    history = [{"role": "user", "content": "2024中国5G+工业互联网大会的主题是什么？"},
               {"role": "assistant", "content": "实数融合 智造翘楚"}]  # fmt: skip
    a = answerer.answer("那它什么时候举办？", history)
    assert a.standalone_question != "那它什么时候举办？"
    assert any("11月19日" in h.chunk.text for h in a.hits)


def test_dead_server_degrades_with_a_clear_note(real_pipeline) -> None:  # type: ignore[no-untyped-def]
    s = openai_settings(f"http://127.0.0.1:{free_port()}", llm_timeout=3)
    a = Answerer(real_pipeline, make_chat_model(s), "openai").answer("湖北省累计建成多少个5G基站？")
    assert "16.38万" in a.text and a.citations
    assert any("LLM server did not answer" in n for n in a.notes)


def test_llamacpp_backend_in_process(real_pipeline) -> None:  # type: ignore[no-untyped-def]
    s = Settings(llm="llamacpp", llamacpp_model_path=provision_test_gguf(Settings().cache_dir))
    answerer = Answerer(real_pipeline, make_chat_model(s), "llamacpp")
    a = answerer.answer("本届大会的主题是什么？")
    assert a.backend == "llamacpp" and not a.refused and "实数融合" in a.text and a.citations
    assert answerer.answer("大会门票多少钱？").refused


def test_backend_settings_errors() -> None:
    from confbot.errors import ConfigError

    with pytest.raises(ConfigError, match="CONFBOT_LLM_MODEL"):
        make_chat_model(Settings(llm="openai"))
    with pytest.raises(ConfigError, match="not a backend"):
        make_chat_model(Settings(llm="gpt"))
    with pytest.raises(ConfigError, match="LLAMACPP_MODEL_PATH"):
        make_chat_model(Settings(llm="llamacpp"))
