"""Limit/offset pagination that refuses malformed parameters instead of guessing.

DRF's LimitOffsetPagination silently falls back to defaults on `limit=abc` and passes any
offset to the database (an offset beyond 2**63 crashes SQLite). Here both are checked, and a bad
value is a 400 that names the parameter.
"""
import re

from rest_framework.exceptions import ValidationError
from rest_framework.pagination import LimitOffsetPagination

MAX_OFFSET = 2**31 - 1
_DIGITS = re.compile(r"[0-9]{1,10}")


class StrictLimitOffsetPagination(LimitOffsetPagination):
    default_limit = 50
    max_limit = 500

    def _param(self, request, name, minimum, maximum, default):
        raw = request.query_params.get(name)
        if raw is None:
            return default
        if not _DIGITS.fullmatch(raw) or not minimum <= int(raw) <= maximum:
            raise ValidationError({name: [f"{name}: ska vara ett heltal mellan {minimum} och {maximum}"]})
        return int(raw)

    def get_limit(self, request):
        return self._param(request, self.limit_query_param, 1, self.max_limit, self.default_limit)

    def get_offset(self, request):
        return self._param(request, self.offset_query_param, 0, MAX_OFFSET, 0)

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.limit_query_param, "required": False, "in": "query",
                "description": "Antal poster per sida.",
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_limit, "default": self.default_limit},
            },
            {
                "name": self.offset_query_param, "required": False, "in": "query",
                "description": "Index för första posten.",
                "schema": {"type": "integer", "minimum": 0, "maximum": MAX_OFFSET, "default": 0},
            },
        ]
