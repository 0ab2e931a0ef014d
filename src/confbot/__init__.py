"""confbot: grounded, cited answers from a conference's press materials.

The library's front door::

    import confbot
    chain = confbot.build_chain()          # a LangChain Runnable
    answer = chain.invoke({"question": "大会什么时候举行？", "history": []})
    print(answer.text, answer.citations)

Everything a front end needs (ask, stream, retrieve, ingest, remove, documents, eval) is on
:class:`confbot.service.Service`; the CLI, the Gradio app and the HTTP API call only that.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from confbot.records import Answer
    from confbot.service import Service
    from confbot.settings import Settings

__version__ = "0.1.0"
__all__ = ["ask", "build_chain", "open_service"]


def open_service(settings: Settings | None = None) -> Service:
    """A :class:`~confbot.service.Service` over the settings' index, opened now.

    Raises :class:`~confbot.errors.IndexMissingError` when there is no index yet (run ``confbot ingest``).
    """
    from confbot.service import Service

    return Service.open(settings)


def build_chain(settings: Settings | None = None) -> Any:
    """The answer chain as a LangChain ``Runnable``.

    ``invoke({"question": str, "history": [{"role": "user"|"assistant", "content": str}, ...]})``
    returns an :class:`~confbot.records.Answer`; ``batch`` takes a list of such inputs. Its steps
    appear as child runs ``condense``, ``retrieve``, ``select``, ``generate`` and ``verify`` in
    LangChain callbacks and tracing.
    """
    return open_service(settings).chain()


def ask(question: str, history: list[dict[str, str]] | None = None, settings: Settings | None = None) -> Answer:
    """One answer with verified citations (opens the index each call: use :func:`open_service` for many)."""
    return open_service(settings).ask(question, history or [])
