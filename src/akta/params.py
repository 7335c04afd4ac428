"""One parser for the numbers, dates, years and quarters that arrive in query strings and forms.

A malformed value (``?ar=99999999999``, ``?dagar=abc``, ``version=[]``) is refused with
:class:`BadParameter`, which names the field in Swedish; Django answers it with a 400
(``akta.urls.bad_request`` renders the message, as JSON under /api/). Views never catch
ValueError themselves, and no value that the database or ``datetime`` cannot hold gets past
here. The bounds are wide enough for any real date in Akta's domain (1900–2200).
"""
import datetime as dt
import re

from django.core.exceptions import BadRequest

MIN_YEAR, MAX_YEAR = 1900, 2200
MAX_INT = 2**31 - 1
_INT_RE = re.compile(r"-?[0-9]{1,12}")
_QUARTER_RE = re.compile(r"([0-9]{4})[Qq]([1-4])")


class BadParameter(BadRequest):
    """A refused parameter; ``str()`` is the Swedish message, which starts with the field's label."""

    def __init__(self, field, label, message):
        self.field = field
        self.message = f"{label}: {message}"
        super().__init__(self.message)


def _raw(source, name):
    if hasattr(source, "get") and not isinstance(source, (str, int)):
        return source.get(name)
    return source


def parse_int(value, field, label, *, minimum=-MAX_INT, maximum=MAX_INT, default=None):
    """An integer from a query parameter, form value or JSON value; ``default`` when absent or empty.

    Booleans, lists, floats and text that is not a whole number are refused.
    """
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        raise BadParameter(field, label, f"ska vara ett heltal, inte {str(value).lower()}")
    if isinstance(value, int):
        n = value
    elif isinstance(value, str) and _INT_RE.fullmatch(value.strip()):
        n = int(value.strip())
    else:
        shown = value if isinstance(value, str) else type(value).__name__
        raise BadParameter(field, label, f"ska vara ett heltal (fick {str(shown)[:40]!r})")
    if not minimum <= n <= maximum:
        raise BadParameter(field, label, f"ska vara ett heltal mellan {minimum} och {maximum}")
    return n


def int_param(source, field, label, **kwargs):
    """``parse_int`` of ``source[field]`` (a QueryDict, a dict or a value)."""
    return parse_int(_raw(source, field), field, label, **kwargs)


def year_param(source, field, label="År", *, default=None):
    return int_param(source, field, label, minimum=MIN_YEAR, maximum=MAX_YEAR, default=default)


def check_year(year, field="year", label="År"):
    """A year from a URL (``<int:year>``) within the bounds a date can be computed for."""
    return parse_int(year, field, label, minimum=MIN_YEAR, maximum=MAX_YEAR)


def date_param(source, field, label, *, default=None):
    """A date as ÅÅÅÅ-MM-DD between 1900 and 2200."""
    value = _raw(source, field)
    if value is None or value == "":
        return default
    if not isinstance(value, str) or len(value) != 10:
        raise BadParameter(field, label, "ogiltigt datum (ska vara ÅÅÅÅ-MM-DD)")
    try:
        d = dt.date.fromisoformat(value)
    except ValueError:
        raise BadParameter(field, label, f"ogiltigt datum {value!r} (ska vara ÅÅÅÅ-MM-DD)") from None
    if not MIN_YEAR <= d.year <= MAX_YEAR:
        raise BadParameter(field, label, f"{value} ligger utanför {MIN_YEAR}–{MAX_YEAR}")
    return d


def quarter_param(source, field="kvartal", label="Kvartal", *, default=None):
    """'2025Q1' → (2025, 1); a year outside 1900–2200 is refused like a malformed text."""
    value = _raw(source, field)
    if value is None or value == "":
        return default
    m = _QUARTER_RE.fullmatch(value) if isinstance(value, str) else None
    if not m:
        raise BadParameter(field, label, f"ogiltigt kvartal {str(value)[:20]!r}: ange ÅÅÅÅQN, t.ex. 2025Q1")
    year = int(m.group(1))
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise BadParameter(field, label, f"{value} ligger utanför åren {MIN_YEAR}–{MAX_YEAR}")
    return year, int(m.group(2))


def version_param(value, field="version", label="Version"):
    """The optimistic-lock version a client last read: a non-negative integer."""
    if value is None or value == "":
        raise BadParameter(field, label, "ange den version du senast läste (optimistisk låsning)")
    return parse_int(value, field, label, minimum=0, maximum=MAX_INT)
