"""One HTTP server for every web front end: the Gradio app (``ui``), and beside it any HTTP API.

The CLI's ``serve`` and ``app.py`` call :func:`serve`; the front ends never import each other.
"""

from __future__ import annotations

from confbot.service import Service


def serve(service: Service, host: str = "127.0.0.1", port: int = 7860) -> None:
    """Serve the app on ``host:port`` until interrupted (blocks)."""
    from confbot.ui import launch

    launch(service, host=host, port=port)
