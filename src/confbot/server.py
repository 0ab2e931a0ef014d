"""One HTTP server for every web front end: the HTTP API (``api``: OpenAI's chat format, MCP) with the
Gradio app (``ui``) mounted beside it at ``/``.

The CLI's ``serve`` and ``app.py`` call :func:`serve`; the front ends never import each other, this
module puts them together.
"""

from __future__ import annotations

from typing import Any

from confbot.service import Service


def build_app(service: Service, *, mcp: bool = False, host: str = "127.0.0.1") -> Any:
    """The ASGI app: ``/v1/*`` (and ``/mcp`` when ``mcp``) from :mod:`confbot.api`, everything else Gradio's."""
    from confbot.api import create_api
    from confbot.ui import mount

    return mount(create_api(service, mcp=mcp, host=host), service, path="/")


def serve(service: Service, host: str = "127.0.0.1", port: int = 7860, *, mcp: bool = False) -> None:
    """Serve the app and the API on ``host:port`` until interrupted (blocks)."""
    import uvicorn

    app = build_app(service, mcp=mcp, host=host)
    # open page connections (Gradio's event streams) would hold a shutdown forever: give them 5 s
    uvicorn.run(app, host=host, port=port, log_level="warning", timeout_graceful_shutdown=5)
