"""Typed errors: every failure names the problem, the file or input involved, and how to fix it."""

from __future__ import annotations


class CpmtokError(Exception):
    """Base class of every error cpmtok raises on purpose."""


class UnknownTokenizer(CpmtokError, ValueError):
    """`cpmtok.load` got a name that is no preset, no registry entry and no existing path."""


class VocabNotFound(CpmtokError, FileNotFoundError):
    """A vocabulary file is not where cpmtok looked; the message says where it looked and how to place it."""


class VocabChecksumMismatch(CpmtokError, ValueError):
    """A registered vocabulary file has another sha256 than the registry records."""


class InvalidVocab(CpmtokError, ValueError):
    """A vocabulary file is malformed (empty, not UTF-8, missing a required entry, ...); names file and line."""


class UnsupportedText(CpmtokError, TypeError):
    """The text cannot be encoded by the chosen reference behaviour (the reference raises too)."""


class InvalidInput(CpmtokError, ValueError):
    """A record of an input file (CLI) is not what was promised: not UTF-8, not JSON, no "text" field."""
