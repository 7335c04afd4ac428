"""Template helpers for the web pages: municipality name, masked person labels, day counts."""
from django import template
from django.utils import timezone

from akta import municipality
from akta.access import services as access

register = template.Library()


@register.simple_tag
def municipality_name():
    """The municipality (akta.municipality), else the product name."""
    return municipality.name("Akta")


@register.simple_tag(takes_context=True)
def person_label(context, person, case=None):
    return access.person_label(context.get("user"), person, case)


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
