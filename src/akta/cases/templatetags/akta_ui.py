"""Template helpers for the web pages: municipality name, masked person labels, day counts."""
from django import template
from django.utils import timezone

from akta import municipality
from akta.access.services import PROTECTED_LABEL, may_see_identity

register = template.Library()


@register.simple_tag
def municipality_name():
    """The municipality (akta.municipality), else the product name."""
    return municipality.name("Akta")


def person_label_for(user, person):
    """Name and personnummer (or birth date), or "Skyddad identitet" without the explicit right."""
    if person is None:
        return ""
    if not may_see_identity(user, person):
        return PROTECTED_LABEL
    ident = person.personnummer or (f"född {person.birth_date.isoformat()}" if person.birth_date else "")
    if person.name and ident:
        return f"{person.name}, {ident}"
    return person.name or ident or person.ext_id


@register.simple_tag(takes_context=True)
def person_label(context, person):
    return person_label_for(context.get("user"), person)


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
