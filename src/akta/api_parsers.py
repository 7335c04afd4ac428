"""The JSON parser of the API: refuses what cannot be stored or answered, before any view runs.

DRF's JSONParser lets two things through that later crash the request with a 500:

* a lone UTF-16 surrogate (``"\\ud800"``): valid JSON escape, but no Unicode character, so it
  cannot be written to the database nor encoded in the error message that echoes it;
* nesting deep enough for Python's recursion limit (``[[[[…]]]]``).

Here both are a 400 naming the field (the path of the value in the body), in the same shape as
the other validation errors (``{field: [message]}``).
"""
import json
import re

from django.conf import settings
from rest_framework.exceptions import ParseError, ValidationError
from rest_framework.parsers import JSONParser

MAX_DEPTH = 20
_SURROGATE = re.compile("[\ud800-\udfff]")


class BodyError(ValidationError):
    """A 400 with {field: [message]} (ValidationError passes through the API's exception handlers)."""


def _path(parts):
    return ".".join(str(p) for p in parts) or "non_field_errors"


def check_value(value, parts=(), depth=0):
    """Raise BodyError for a lone surrogate or nesting beyond MAX_DEPTH (iteratively deep-safe)."""
    stack = [(value, tuple(parts), depth)]
    while stack:
        v, where, d = stack.pop()
        if d > MAX_DEPTH:
            field = str(where[0]) if where else "non_field_errors"
            raise BodyError({field: [f"{_path(where[:1]) if where else 'Kroppen'}: nästlad djupare än {MAX_DEPTH} nivåer"]})
        if isinstance(v, str):
            if _SURROGATE.search(v):
                field = str(where[0]) if where else "non_field_errors"
                raise BodyError({field: [f"{_path(where)}: innehåller ett ogiltigt tecken (ensamt surrogattecken)"]})
        elif isinstance(v, dict):
            for k, sub in v.items():
                if _SURROGATE.search(k):
                    raise BodyError({"non_field_errors": ["Kroppen: ett fältnamn innehåller ett ogiltigt tecken"]})
                stack.append((sub, where + (k,), d + 1))
        elif isinstance(v, list):
            for i, sub in enumerate(v):
                stack.append((sub, where + (i,), d + 1))


class StrictJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = stream.read().decode(encoding) if stream is not None else ""
        except UnicodeDecodeError:
            raise ParseError("Kroppen är inte giltig UTF-8.") from None
        try:
            data = json.loads(text, parse_constant=_refuse_constant)
        except RecursionError:
            raise BodyError({"non_field_errors": [f"Kroppen: nästlad djupare än {MAX_DEPTH} nivåer"]}) from None
        except ValueError as exc:
            raise ParseError(f"Ogiltig JSON: {exc}") from None
        check_value(data)
        return data


def _refuse_constant(name):
    raise ValueError(f"{name} är inte tillåtet i JSON")
