"""Legal references and time limits of the quality component, as data.

The texts live in ``data/references.toml`` and the time limits in ``data/rules.toml`` beside
this module, in the format of the law component (akta.law), and are loaded with its
validating loaders. Code here never contains a legal reference as a literal.
"""
from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path

from akta.law.errors import LawDataMissing
from akta.law.references import load_references
from akta.law.rules import load_rules

DATA = Path(__file__).resolve().parent / "data"


@lru_cache(maxsize=1)
def _references():
    return load_references(DATA / "references.toml")


@lru_cache(maxsize=1)
def _rules():
    return load_rules(DATA / "rules.toml", references=_references())


def reference(key: str, on: dt.date) -> str:
    """The text of reference ``key`` in force on ``on`` (LawDataMissing if none)."""
    versions = _references().get(key)
    if versions is None:
        raise LawDataMissing(f"unknown legal reference key {key!r}")
    for v in versions:
        if v.applies_on(on):
            return v.text
    raise LawDataMissing(f"no text of legal reference {key!r} applies on {on.isoformat()}")


def rule(rule_id: str, on: dt.date):
    for r in _rules().get(rule_id, ()):
        if r.applies_on(on):
            return r
    raise LawDataMissing(f"no version of rule {rule_id!r} applies on {on.isoformat()}")


def lex_sarah_references(on: dt.date) -> str:
    """"14 kap. 3, 6 och 7 §§ SoL …" rendered from the three keys in force on ``on``."""
    return "; ".join(reference(k, on) for k in ("sol.14.3", "sol.14.6", "sol.14.7"))


def ivo_notification_due(assessed_on: dt.date) -> dt.date:
    return rule("lex_sarah_ivo_2v", assessed_on).due(assessed_on)


def ivo_notification_rule_text(on: dt.date) -> str:
    r = rule("lex_sarah_ivo_2v", on)
    return f"{r.title} ({r.period}, {reference(r.reference_key, on)})"


def references_in_period(keys, start: dt.date, end: dt.date) -> str:
    """The texts of `keys` in force at some time from `start` to `end`, each with its period
    when the text changed within it (e.g. a report year that spans 2025-07-01)."""
    parts = []
    for key in keys:
        versions = [v for v in _references().get(key, ()) if (v.valid_from is None or v.valid_from <= end)
                    and (v.valid_to is None or v.valid_to >= start)]
        if not versions:
            raise LawDataMissing(f"no text of legal reference {key!r} applies between {start} and {end}")
        if len(versions) == 1:
            parts.append(versions[0].text)
            continue
        for v in versions:
            lo = max(v.valid_from or start, start)
            hi = min(v.valid_to or end, end)
            parts.append(f"{v.text} ({lo.isoformat()}–{hi.isoformat()})")
    return "; ".join(parts)


LEX_SARAH_KEYS = ("sol.14.3", "sol.14.6", "sol.14.7")
