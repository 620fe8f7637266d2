"""Marginalia: a self-hosted Discord bot for book-discussion communities."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("marginalia")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0+local"
