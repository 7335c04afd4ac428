"""Who may do what in the quality registers (the same rules for the web pages and the API).

- kvalitetsutvecklare: manages every register and sees every row.
- enhetschef: manages the registers; sees deviations and lex Sarah cases of the own units
  (and those they reported themselves).
- handläggare: reports deviations and lex Sarah, sees only their own reports, reads the
  register of processes and routines.
- registrator and nämndsekreterare: read the processes and routines; the nämndsekreterare
  also fetches the committee reports.
- systemförvaltare: nothing (no need to know).
"""
from django.db.models import Q

from akta.access.models import Role
from akta.access.services import visible_cases
from akta.cases.models import Case

MANAGERS = {Role.KVALITETSUTVECKLARE, Role.ENHETSCHEF}
REPORTERS = {Role.HANDLAGGARE, Role.ENHETSCHEF, Role.KVALITETSUTVECKLARE}
DOCUMENT_READERS = MANAGERS | {Role.HANDLAGGARE, Role.REGISTRATOR, Role.NAMNDSEKRETERARE}
REPORT_READERS = MANAGERS | {Role.NAMNDSEKRETERARE}


def _role(user):
    return getattr(user, "role", None) if user is not None and user.is_authenticated else None


def may_use(user):
    return _role(user) in DOCUMENT_READERS


def may_manage(user):
    return _role(user) in MANAGERS


def may_report(user):
    return _role(user) in REPORTERS


def may_read_documents(user):
    return _role(user) in DOCUMENT_READERS


def may_read_reports(user):
    return _role(user) in REPORT_READERS


def visible_reports(user, qs):
    """Deviations or lex Sarah cases the user may open."""
    role = _role(user)
    if role == Role.KVALITETSUTVECKLARE:
        return qs
    if role == Role.ENHETSCHEF:
        return qs.filter(Q(unit_id__in=user.units.values("id")) | Q(reporter=user))
    if role in REPORTERS:
        return qs.filter(reporter=user)
    return qs.none()


def may_handle_report(user, obj):
    """Managing (taking steps in) a deviation or lex Sarah case."""
    role = _role(user)
    if role == Role.KVALITETSUTVECKLARE:
        return True
    if role == Role.ENHETSCHEF:
        return user.units.filter(pk=obj.unit_id).exists()
    return False


def report_units(user, units):
    """The units (of the queryset `units`) a user may file a deviation or lex Sarah report in:
    a handläggare only their own units (when they have any), the managers any unit. The web form
    offers exactly these and the API refuses others."""
    if _role(user) == Role.HANDLAGGARE:
        own = units.filter(members=user)
        if own.exists():
            return own
    return units


def case_link_queryset(user):
    """Cases a report may be linked to: those the user may open (the case pages' policy)."""
    return visible_cases(user, Case.objects.all())


OTHER_UNIT_CASE = "ärende i en annan enhet"


def masked_change(user, change):
    """A history entry's {field: [before, after]} with the ids of cases the user may not open
    replaced (the case field of deviations and lex Sarah), as on the detail page."""
    if not isinstance(change, dict) or "case" not in change:
        return change
    pair = change["case"]
    values = pair if isinstance(pair, list) else [pair]
    ids = [v for v in values if isinstance(v, str) and v]
    visible = set(case_link_queryset(user).filter(ext_id__in=ids).values_list("ext_id", flat=True)) if ids else set()
    shown = [v if not (isinstance(v, str) and v) or v in visible else OTHER_UNIT_CASE for v in values]
    return {**change, "case": shown if isinstance(pair, list) else shown[0]}
