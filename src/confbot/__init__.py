"""confbot: grounded question answering over a conference's press materials."""

__version__ = "0.1.0"
