"""Errors confbot raises. Every message says what went wrong and what to do next.

The core raises these; the CLI prints them without a traceback and exits non-zero,
the UI shows them as a message.
"""

from __future__ import annotations


class ConfbotError(Exception):
    """Base class: a problem the user can act on."""

    exit_code = 1


class ConfigError(ConfbotError):
    """A setting is missing or invalid."""


class InputError(ConfbotError):
    """A question, a file or a QA set that cannot be used as given."""

    exit_code = 2


class LoaderError(InputError):
    """A document that cannot be read (binary, empty, mis-encoded, unsupported)."""


class IndexMissingError(ConfbotError):
    """The index folder or collection does not exist yet."""


class IndexMismatchError(ConfbotError):
    """The index was built with another embedding model or normalization version."""


class ModelError(ConfbotError):
    """The embedding model cannot be found, provisioned or loaded."""


class ServiceError(ConfbotError):
    """A server (Chroma, an LLM endpoint) is unreachable or failing."""
