"""Legal references as data with validity periods (DESIGN.md "Law is data").

The texts live in ``data/references.toml``; this module only loads, validates and looks
them up. Socialtjänstlagen (2001:453) applies up to 2025-06-30 and Socialtjänstlag
(2025:400) from 2025-07-01 (prop. 2024/25:89). Where the paragraph of SoL (2025:400) has
not been verified, the data renders "motsvarande bestämmelse i SoL (2025:400)" with the old
reference in parentheses; the loader refuses a SoL (2025:400) text that names a paragraph
without a recorded verification (the source's ``unverified_text_prefix`` in the data), so
a number cannot be invented by accident. Other
statutes (LVU 1990:52, LSS 1993:387, föräldrabalken 1949:381, lag 1930:173, HSLF-FS
2017:51, JO 1998-12-18 dnr 3500-1998) simply continue.

Public API::

    reference(key, on) -> str            # the text in force on `on`, or LawDataMissing
    reference_version(key, on) -> ReferenceVersion
    reference_versions(key) -> tuple[ReferenceVersion, ...]
    reference_keys() -> frozenset[str]
    reference_in_period(key, start, end) -> str   # every text in force at some day of the period
    references_in_period(keys, start, end) -> str
"""

from __future__ import annotations

import datetime as dt
import itertools
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from akta.law.errors import LawDataError, LawDataMissing

__all__ = [
    "ReferenceVersion",
    "declared_sources",
    "load_references",
    "reference",
    "reference_in_period",
    "reference_keys",
    "reference_version",
    "reference_versions",
    "references_in_period",
]

DATA_DIR = Path(__file__).resolve().parent / "data"
REFERENCES_FILE = DATA_DIR / "references.toml"

_VERSION_FIELDS = {"valid_from", "valid_to", "text", "source", "note", "verified_by"}
_SOURCE_FIELDS = {"title", "valid_from", "valid_to", "unverified_text_prefix"}


@dataclass(frozen=True)
class ReferenceVersion:
    """One text of a reference key, applying from ``valid_from`` to ``valid_to`` inclusive.

    ``None`` bounds are open (no lower bound recorded / still in force).
    """

    key: str
    text: str
    source: str
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    note: str = ""
    verified_by: str = ""

    def applies_on(self, on: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= on) and (
            self.valid_to is None or on <= self.valid_to
        )


@dataclass(frozen=True)
class _Source:
    name: str
    title: str
    valid_from: dt.date | None
    valid_to: dt.date | None
    unverified_text_prefix: str = ""


def _date_field(table: dict, field: str, where: str) -> dt.date | None:
    value = table.get(field)
    if value is None:
        return None
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise LawDataError(
            f"{where}: {field} must be a TOML date (YYYY-MM-DD), got {value!r}"
        )
    return value


def _parse(data: dict, origin: str) -> dict[str, tuple[ReferenceVersion, ...]]:
    unknown_top = set(data) - {"source", "ref"}
    if unknown_top:
        raise LawDataError(f"{origin}: unknown top-level tables {sorted(unknown_top)}")

    sources: dict[str, _Source] = {}
    for name, table in data.get("source", {}).items():
        where = f"{origin}: source {name!r}"
        extra = set(table) - _SOURCE_FIELDS
        if extra:
            raise LawDataError(f"{where}: unknown fields {sorted(extra)}")
        source = _Source(
            name,
            str(table.get("title", "")),
            _date_field(table, "valid_from", where),
            _date_field(table, "valid_to", where),
            str(table.get("unverified_text_prefix", "")),
        )
        if (
            source.valid_from
            and source.valid_to
            and source.valid_from > source.valid_to
        ):
            raise LawDataError(f"{where}: valid_from is after valid_to")
        sources[name] = source

    refs: dict[str, tuple[ReferenceVersion, ...]] = {}
    for key, versions in data.get("ref", {}).items():
        if not isinstance(versions, list) or not versions:
            raise LawDataError(
                f'{origin}: reference {key!r} must be a list of versions ([[ref."{key}"]])'
            )
        parsed: list[ReferenceVersion] = []
        for index, table in enumerate(versions, start=1):
            where = f"{origin}: reference {key!r} version {index}"
            extra = set(table) - _VERSION_FIELDS
            if extra:
                raise LawDataError(f"{where}: unknown fields {sorted(extra)}")
            text = str(table.get("text", "")).strip()
            if not text:
                raise LawDataError(f"{where}: text is missing")
            source_name = table.get("source")
            if source_name not in sources:
                raise LawDataError(
                    f"{where}: source {source_name!r} is not declared under [source]"
                )
            version = ReferenceVersion(
                key=key,
                text=text,
                source=source_name,
                valid_from=_date_field(table, "valid_from", where),
                valid_to=_date_field(table, "valid_to", where),
                note=str(table.get("note", "")),
                verified_by=str(table.get("verified_by", "")),
            )
            if (
                version.valid_from
                and version.valid_to
                and version.valid_from > version.valid_to
            ):
                raise LawDataError(f"{where}: valid_from is after valid_to")
            source = sources[source_name]
            if source.valid_from and (
                version.valid_from is None or version.valid_from < source.valid_from
            ):
                raise LawDataError(
                    f"{where}: applies before {source_name} came into force ({source.valid_from})"
                )
            if source.valid_to and (
                version.valid_to is None or version.valid_to > source.valid_to
            ):
                raise LawDataError(
                    f"{where}: applies after {source_name} ceased to apply ({source.valid_to})"
                )
            prefix = source.unverified_text_prefix
            if prefix and not text.startswith(prefix) and not version.verified_by:
                # Paragraph numbers of this source must not be guessed.
                raise LawDataError(
                    f"{where}: names a paragraph of {source_name} without `verified_by`; "
                    f"an unverified text must start with {prefix!r}"
                )
            parsed.append(version)

        parsed.sort(key=lambda v: v.valid_from or dt.date.min)
        for earlier, later in itertools.pairwise(parsed):
            if (
                earlier.valid_to is None
                or later.valid_from is None
                or earlier.valid_to >= later.valid_from
            ):
                raise LawDataError(
                    f"{origin}: reference {key!r} has overlapping versions"
                )
            if earlier.valid_to + dt.timedelta(days=1) != later.valid_from:
                raise LawDataError(
                    f"{origin}: reference {key!r} has a gap between {earlier.valid_to} and "
                    f"{later.valid_from}"
                )
        refs[key] = tuple(parsed)
    return refs


def load_references(
    path: Path | str = REFERENCES_FILE,
) -> dict[str, tuple[ReferenceVersion, ...]]:
    """Load and validate a references file; raises :class:`LawDataError` if it is invalid."""
    path = Path(path)
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise LawDataError(f"{path}: {exc}") from exc
    return _parse(data, str(path))


def declared_sources(path: Path | str = REFERENCES_FILE) -> dict[str, str]:
    """The sources declared under ``[source]`` of a references file: name -> title."""
    path = Path(path)
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise LawDataError(f"{path}: {exc}") from exc
    return {name: str(table.get("title", "")) for name, table in data.get("source", {}).items()}


@lru_cache(maxsize=1)
def _references() -> dict[str, tuple[ReferenceVersion, ...]]:
    return load_references()


def reference_keys() -> frozenset[str]:
    """All known reference keys."""
    return frozenset(_references())


def reference_versions(key: str) -> tuple[ReferenceVersion, ...]:
    """All versions of ``key``, oldest first; :class:`LawDataMissing` for an unknown key."""
    try:
        return _references()[key]
    except KeyError:
        raise LawDataMissing(f"unknown legal reference key {key!r}") from None


def reference_version(key: str, on: dt.date) -> ReferenceVersion:
    """The version of ``key`` that applies on ``on``."""
    if isinstance(on, dt.datetime) or not isinstance(on, dt.date):
        raise TypeError(f"on must be a datetime.date, got {type(on).__name__}")
    for version in reference_versions(key):
        if version.applies_on(on):
            return version
    raise LawDataMissing(
        f"no text of legal reference {key!r} applies on {on.isoformat()}"
    )


def reference(key: str, on: dt.date) -> str:
    """The text of the legal reference ``key`` in force on ``on``.

    >>> reference("sol.11.2", dt.date(2025, 6, 30))
    '11 kap. 2 § SoL (2001:453)'
    """
    return reference_version(key, on).text


def reference_in_period(key: str, start: dt.date, end: dt.date) -> str:
    """The text of ``key`` for a period (inclusive): the one text when a single version applies
    throughout; when the text changes within the period (e.g. a year that spans 2025-07-01),
    each version with the part of the period it covers, "A (2025-01-01–2025-06-30); B
    (2025-07-01–2025-12-31)". :class:`LawDataMissing` when no version applies on any day of it."""
    for d in (start, end):
        if isinstance(d, dt.datetime) or not isinstance(d, dt.date):
            raise TypeError(f"start and end must be datetime.date, got {type(d).__name__}")
    if end < start:
        raise ValueError(f"the period ends ({end}) before it starts ({start})")
    versions = [v for v in reference_versions(key)
                if (v.valid_from is None or v.valid_from <= end) and (v.valid_to is None or v.valid_to >= start)]
    if not versions:
        raise LawDataMissing(
            f"no text of legal reference {key!r} applies between {start.isoformat()} and {end.isoformat()}"
        )
    if len(versions) == 1:
        return versions[0].text
    parts = []
    for v in versions:
        lo = max(v.valid_from or start, start)
        hi = min(v.valid_to or end, end)
        parts.append(f"{v.text} ({lo.isoformat()}–{hi.isoformat()})")
    return "; ".join(parts)


def references_in_period(keys, start: dt.date, end: dt.date) -> str:
    """:func:`reference_in_period` of each key, joined by "; "."""
    return "; ".join(reference_in_period(k, start, end) for k in keys)
