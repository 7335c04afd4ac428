"""Errors of the law component (law as data, DESIGN.md).

A question the law data cannot answer is an error, never a silent fallback: "what applies
on this date?" with no applicable version raises :class:`LawDataMissing`; a data file that
contradicts itself raises :class:`LawDataError` when it is loaded.
"""

from __future__ import annotations


class LawDataError(Exception):
    """The law data files are invalid (raised at load time)."""


class LawDataMissing(LookupError):
    """Nothing in the law data applies to the key on the date asked for."""
