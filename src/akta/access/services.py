"""Who may see what. Every query of cases or persons for a user goes through here."""
from akta.access.models import CASE_ROLES

PROTECTED_LABEL = "Skyddad identitet"


def unit_ids(user):
    if not user or not user.is_authenticated or user.role not in CASE_ROLES:
        return []
    return list(user.units.values_list("id", flat=True))


def visible_cases(user, queryset=None):
    """Cases the user may open: those of the user's own units (need-to-know)."""
    from akta.cases.models import Case

    qs = Case.objects.all() if queryset is None else queryset
    return qs.filter(unit_id__in=unit_ids(user))


def may_see_case(user, case):
    return case.unit_id in unit_ids(user)


def may_write_case(user, case):
    return user.may_write_cases and may_see_case(user, case)


def may_see_identity(user, person):
    """Protected identity is shown only with the explicit right."""
    if not person.protected_identity:
        return True
    return bool(user and user.is_authenticated and user.may_view_protected)
