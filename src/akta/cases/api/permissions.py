"""Permissions of the API: the same rules as the web pages (akta.access.services).

Reading: any authenticated user, but every query goes through `visible_cases`, so a user sees
only the cases of their own units, and a case outside them is a 404, never a 403.
Writing: only the roles that register in cases (handläggare, enhetschef).
"""
from rest_framework.permissions import SAFE_METHODS, BasePermission


class MayWriteCases(BasePermission):
    message = "Din roll får inte registrera i ärenden."

    def has_permission(self, request, view):
        if request.method in SAFE_METHODS:
            return True
        return bool(request.user and request.user.is_authenticated and request.user.may_write_cases)
