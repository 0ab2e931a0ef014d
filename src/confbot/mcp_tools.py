"""MCP tools over a :class:`~confbot.service.Service`: ``ask`` (a verified answer with citations) and
``retrieve`` (ranked passages), served over streamable HTTP at ``/mcp`` by :mod:`confbot.api`.

Needs the ``mcp`` package (``pip install 'confbot[mcp]'``). Built on the ``mcp`` package's own
FastMCP rather than Gradio's MCP server: the tools and their typed parameters are declared here,
not derived from the app's endpoints (which would publish upload and the lab too), and the
``gradio[mcp]`` extra pins an older pydantic than confbot runs on.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from anyio import to_thread
from pydantic import BaseModel, Field

from confbot.errors import ConfigError
from confbot.render import api_citations, api_extension, hit_json
from confbot.service import Service

#: most passages ``retrieve`` returns in one call
MAX_K = 20


class ChatTurn(BaseModel):
    """One earlier turn of the conversation."""

    role: Literal["user", "assistant"]
    content: str


def create_mcp(service: Service, host: str = "127.0.0.1") -> Any:
    """A FastMCP server with the tools ``ask`` and ``retrieve`` (stateless streamable HTTP at ``/mcp``).

    ``host``: the address served; on a loopback address the MCP transport also checks the Host header
    (DNS rebinding protection), elsewhere it accepts any.
    """
    try:
        from mcp.server.fastmcp import FastMCP
    except ImportError as exc:
        raise ConfigError("the MCP server needs the mcp package: pip install 'confbot[mcp]'.") from exc

    server = FastMCP("confbot", host=host, stateless_http=True, json_response=True, streamable_http_path="/mcp")

    @server.tool()
    async def ask(
        question: Annotated[str, Field(description="The question, in Chinese or English.")],
        history: Annotated[
            list[ChatTurn] | None, Field(description="Earlier turns, oldest first; a follow-up is read against them.")
        ] = None,
    ) -> dict[str, Any]:
        """Answer a question from the conference's press materials. The answer carries [n] markers; each
        citation gives the source file, the quoted sentence and its character range. A question the
        materials do not answer is refused (refused: true, no citations)."""
        turns = [t.model_dump() for t in history or []]
        a = await to_thread.run_sync(service.ask, question, turns)
        return {"answer": a.text, "citations": api_citations(a), **api_extension(a)}

    @server.tool()
    async def retrieve(
        question: Annotated[str, Field(description="What to search the press materials for.")],
        k: Annotated[int, Field(ge=1, le=MAX_K, description="How many passages to return.")] = 5,
    ) -> dict[str, Any]:
        """Search the press materials: the k best passages with their source, character range and scores."""
        q, hits = await to_thread.run_sync(service.retrieve, question, k)
        return {"question": q, "hits": [hit_json(i, h) for i, h in enumerate(hits, start=1)]}

    return server
