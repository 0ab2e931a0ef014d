"""Chat-model backends behind one small interface: a LangChain ``BaseChatModel``.

``CONFBOT_LLM`` chooses: ``extractive`` (no model, the default), ``openai`` (any
OpenAI-compatible endpoint: OpenAI, vLLM, Ollama, llama.cpp's server) or ``llamacpp`` (a local GGUF
file through ``llama-cpp-python``, an optional extra). Tests pass LangChain's fake chat models.
"""

from __future__ import annotations

import functools
from importlib import resources
from typing import Any

from confbot.errors import ConfigError
from confbot.settings import Settings

BACKENDS = ("extractive", "openai", "llamacpp")


@functools.lru_cache(maxsize=16)
def prompt(name: str) -> str:
    """A prompt file from ``confbot/prompts``."""
    return resources.files("confbot").joinpath("prompts", f"{name}.txt").read_text(encoding="utf-8").strip()


def make_chat_model(settings: Settings) -> Any | None:
    """The chat model the settings name, or None for the extractive backend."""
    backend = settings.llm
    if backend == "extractive":
        return None
    if backend == "openai":
        try:
            from langchain_openai import ChatOpenAI
        except ImportError as exc:
            raise ConfigError("CONFBOT_LLM=openai needs `pip install langchain-openai`.") from exc
        if not settings.llm_model:
            raise ConfigError("CONFBOT_LLM=openai needs CONFBOT_LLM_MODEL (the model name the endpoint serves).")
        key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else "not-needed"
        return ChatOpenAI(
            model=settings.llm_model,
            base_url=settings.llm_base_url,
            api_key=key,  # type: ignore[arg-type]
            temperature=0,
            max_tokens=settings.llm_max_tokens,  # type: ignore[call-arg]
            timeout=settings.llm_timeout,
            max_retries=1,
        )
    if backend == "llamacpp":
        return _llamacpp_model(settings)
    raise ConfigError(f"CONFBOT_LLM={backend!r} is not a backend; use one of {', '.join(BACKENDS)}.")


def _llamacpp_model(settings: Settings) -> Any:
    """A local GGUF through llama-cpp-python, wrapped as a LangChain chat model."""
    if not settings.llamacpp_model_path or not settings.llamacpp_model_path.exists():
        raise ConfigError("CONFBOT_LLM=llamacpp needs CONFBOT_LLAMACPP_MODEL_PATH pointing at a .gguf file.")
    try:
        from llama_cpp import Llama
    except ImportError as exc:
        raise ConfigError("CONFBOT_LLM=llamacpp needs the extra: pip install 'confbot[llamacpp]'.") from exc
    from langchain_core.language_models.chat_models import SimpleChatModel

    llm = Llama(model_path=str(settings.llamacpp_model_path), n_ctx=4096, n_threads=2, verbose=False)
    max_tokens = settings.llm_max_tokens

    class LlamaCppChat(SimpleChatModel):
        @property
        def _llm_type(self) -> str:
            return "confbot-llamacpp"

        def _call(self, messages: list[Any], stop: list[str] | None = None, run_manager: Any = None, **kw: Any) -> str:
            role = {"system": "system", "human": "user", "ai": "assistant"}
            msgs = [{"role": role.get(m.type, "user"), "content": str(m.content)} for m in messages]
            out = llm.create_chat_completion(messages=msgs, temperature=0, max_tokens=max_tokens, stop=stop)
            return str(out["choices"][0]["message"]["content"] or "")  # type: ignore[index]

    return LlamaCppChat()
