"""Template helpers for the web pages: municipality name, masked person labels, day counts."""
from django import template
from django.utils import timezone

from akta import municipality
from akta.access.services import PROTECTED_LABEL, case_person_name, may_see_identity

register = template.Library()


@register.simple_tag
def municipality_name():
    """The municipality (akta.municipality), else the product name."""
    return municipality.name("Akta")


def person_label_for(user, person, case=None):
    """Name and personnummer (or birth date), or "Skyddad identitet" without the explicit right.

    With `case`, the name is the one registered in that case (access.services.case_person_name).
    """
    if person is None:
        return ""
    if not may_see_identity(user, person):
        return PROTECTED_LABEL
    name = case_person_name(case) if case is not None else person.name
    ident = person.personnummer or (f"född {person.birth_date.isoformat()}" if person.birth_date else "")
    if name and ident:
        return f"{name}, {ident}"
    return name or ident or person.ext_id


@register.simple_tag(takes_context=True)
def person_label(context, person, case=None):
    return person_label_for(context.get("user"), person, case)


@register.filter
def days_since(value):
    """Whole days from `value` (a date) until today."""
    if not value:
        return ""
    return (timezone.localdate() - value).days


@register.filter
def dagar(n):
    """'1 dag', '5 dagar'."""
    try:
        n = int(n)
    except (TypeError, ValueError):
        return ""
    return f"{n} dag" if abs(n) == 1 else f"{n} dagar"


@register.filter
def insats(code):
    """Swedish name of an intervention code."""
    from akta.cases.schema import INTERVENTIONS

    return INTERVENTIONS.get(code, code)
