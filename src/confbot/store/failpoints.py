"""Chroma storage of chunks: embedded (``index/``) or a Chroma server (``CONFBOT_CHROMA_URL``).

Chunk ids are content hashes, so upserting the same chunks twice is a no-op. The collection
records the embedding model and the normalization/chunker versions; opening an index built
with another model is an :class:`IndexMismatchError` that says to re-ingest.
"""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)


def failpoint(name: str) -> None:
    """Fault injection for the crash tests: ``CONFBOT_FAILPOINT=name`` (or ``name:N`` for the N-th time this
    point is reached) makes the process kill itself with SIGKILL here, as a power cut or the OOM killer would."""
    import os

    spec = os.environ.get("CONFBOT_FAILPOINT")
    if not spec or spec.split(":")[0] != name:
        return
    _FAILPOINT_HITS[name] = _FAILPOINT_HITS.get(name, 0) + 1
    if _FAILPOINT_HITS[name] >= int(spec.split(":")[1] if ":" in spec else 1):
        import signal

        log.warning("failpoint %s: SIGKILL", name)
        os.kill(os.getpid(), signal.SIGKILL)


_FAILPOINT_HITS: dict[str, int] = {}
