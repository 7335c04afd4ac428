"""Who may see what. Every query of cases or persons for a user goes through here."""
from akta.access.models import CASE_ROLES, IVO_REPORT_ROLES

PROTECTED_LABEL = "Skyddad identitet"


UNIT_IDS_CACHE = "_akta_unit_ids"


def unit_ids(user):
    """The pks of the user's units, if the user works with cases (else none).

    Read once per user object, i.e. once per request (a page asks up to eight times); a change
    of the user's units through ``user.units`` forgets it (access.models, m2m_changed)."""
    if not user or not user.is_authenticated or user.role not in CASE_ROLES:
        return []
    cached = getattr(user, UNIT_IDS_CACHE, None)
    if cached is None:
        cached = tuple(user.units.values_list("id", flat=True))
        setattr(user, UNIT_IDS_CACHE, cached)
    return list(cached)


def visible_cases(user, cases):
    """The cases of ``cases`` (a queryset of cases) the user may open: those of the user's own
    units (need-to-know)."""
    return cases.filter(unit_id__in=unit_ids(user))


def may_see_case(user, case):
    return case.unit_id in unit_ids(user)


def may_write_case(user, case):
    return user.may_write_cases and may_see_case(user, case)


CASE_NAME_KEY = "person_name"


def case_person_name(case):
    """The person's name as registered in this case.

    A case opened for a person already in Akta, but only in units the registering user cannot
    see, keeps the name given at registration in ``Case.extra["person_name"]`` and never shows the
    name stored by the other units (see akta.cases.services.find_or_create_person).
    """
    extra = case.extra or {}
    if CASE_NAME_KEY in extra:
        return extra[CASE_NAME_KEY] or ""
    return case.person.name


def person_name_for(user, person):
    """A person's name for a page or answer that shows the person without a case: the stored
    name if the user sees a case of the person that was registered with it, otherwise the name
    given in a visible case opened without being told about the person."""
    cases = list(visible_cases(user, person.cases.all()).only("extra").order_by("opened", "pk"))
    if not cases or any(CASE_NAME_KEY not in (c.extra or {}) for c in cases):
        return person.name
    return next((c.extra[CASE_NAME_KEY] for c in cases if c.extra.get(CASE_NAME_KEY)), "")


def may_see_identity(user, person):
    """Protected identity is shown only with the explicit right."""
    if not person.protected_identity:
        return True
    return bool(user and user.is_authenticated and user.may_view_protected)


HIDDEN_TEXT = "Visas inte (skyddad identitet)"


def visible_text(user, person, text):
    """Free text about a person (a journal note's text): shown only to those who may see the
    person's identity, since such a text names and describes the person. Pages, API and user
    exports ask this."""
    if text is None or may_see_identity(user, person):
        return text
    return HIDDEN_TEXT


def person_label(user, person, case=None):
    """The one label of a person on every page, list and document: name and personnummer (or
    birth date), or "Skyddad identitet" without the explicit right.

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


def may_report_to_ivo(user):
    """The IVO file of non-implemented decisions (with the pseudo-id) is for the reporting roles."""
    return bool(user and user.is_authenticated and user.role in IVO_REPORT_ROLES)


def may_see_protected(user):
    """The explicit right to see protected identities (for rows that carry only the flag)."""
    return bool(user and user.is_authenticated and user.may_view_protected)
