"""Loggkontroll: the read/write log answers three questions, and the hash chain can be verified.

Only users with `may_read_audit` see it. Looking at the log is not a read of a person's file, so
nothing is logged here. Persons with protected identity are masked for users without the
explicit right, and a search for such a person finds nothing for them.
"""
import re

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import render
from django.views.decorators.http import require_safe

from akta.access.services import PROTECTED_LABEL, person_label
from akta.audit import services
from akta.cases.models import Person

PAGE_SIZE = 100
QUESTIONS = {
    "person": "Vem har öppnat personens akt?",
    "anvandare": "Vad har användaren öppnat?",
    "skyddade": "Alla åtkomster till personer med skyddad identitet",
}


class PersonQuestionForm(forms.Form):
    fraga = forms.CharField(widget=forms.HiddenInput, initial="person")
    person = forms.CharField(label="Person (id eller personnummer)", max_length=100,
                             help_text="Personens id i Akta eller personnummer ÅÅÅÅMMDD-NNNN.")


class UserQuestionForm(forms.Form):
    fraga = forms.CharField(widget=forms.HiddenInput, initial="anvandare")
    anvandare = forms.CharField(label="Användarnamn", max_length=150)


def _require_audit_reader(user):
    if not user.may_read_audit:
        raise PermissionDenied


def find_persons(user, query):
    """Persons matching an id or a personnummer; protected persons only with the explicit right."""
    query = query.strip()
    cond = Q(ext_id=query)
    digits = re.sub(r"\D", "", query)
    if re.fullmatch(r"[\d\s+-]+", query):
        if len(digits) == 12:
            cond |= Q(pnr_key=digits)
        elif len(digits) == 10:
            cond |= Q(pnr_key__endswith=digits)
    qs = Person.objects.filter(cond)
    if not user.may_view_protected:
        qs = qs.exclude(protected_identity=True)
    return list(qs[:5])


def _rows(user, entries):
    persons = Person.objects.in_bulk({e.person_id for e in entries if e.person_id})
    rows = []
    for e in entries:
        person = persons.get(e.person_id)
        if e.person_id is None:
            label = ""
        elif e.person_protected and not user.may_view_protected:
            label = PROTECTED_LABEL
        else:
            label = person_label(user, person) if person else f"(person {e.person_id} finns inte längre)"
        rows.append({"entry": e, "person": label})
    return rows


@login_required
@require_safe
def log_view(request):
    user = request.user
    _require_audit_reader(user)
    question = request.GET.get("fraga", "")
    person_form = PersonQuestionForm(request.GET if question == "person" else None)
    user_form = UserQuestionForm(request.GET if question == "anvandare" else None)
    for form in (person_form, user_form):
        valid = form.is_valid() if form.is_bound else False
        for name, field in form.fields.items():
            ids = [f"id_{name}_hjalp"] if field.help_text else []
            if form.is_bound and not valid and name in form.errors:
                ids.append(f"id_{name}_fel")
                field.widget.attrs["aria-invalid"] = "true"
            if ids:
                field.widget.attrs["aria-describedby"] = " ".join(ids)
    context = {"person_form": person_form, "user_form": user_form, "question": question,
               "question_label": QUESTIONS.get(question, ""), "notice": "", "page": None, "rows": []}
    qs = None
    if question == "person" and person_form.is_valid():
        found = find_persons(user, person_form.cleaned_data["person"])
        if not found:
            context["notice"] = "Ingen person hittades."
        elif len(found) > 1:
            context["notice"] = "Flera personer matchar. Ange personnumret med tolv siffror eller personens id."
        else:
            context["subject"] = person_label(user, found[0])
            qs = services.entries(person=found[0])
    elif question == "anvandare" and user_form.is_valid():
        context["subject"] = user_form.cleaned_data["anvandare"]
        qs = services.entries(username=user_form.cleaned_data["anvandare"].strip())
    elif question == "skyddade":
        qs = services.entries(protected_only=True)
    if qs is not None:
        page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("sida"))
        params = request.GET.copy()
        params.pop("sida", None)
        context.update(page=page, rows=_rows(user, list(page.object_list)), query_string=params.urlencode())
    return render(request, "audit/log.html", context)


@login_required
@require_safe
def verify_view(request):
    """Check the hash chain (akta.audit.services.verify). htmx gets the result fragment only."""
    _require_audit_reader(request.user)
    problems = services.verify()
    context = {"problems": problems, "verified": True}
    if request.headers.get("HX-Request") == "true":
        return render(request, "audit/_verify_result.html", context)
    context.update(person_form=PersonQuestionForm(), user_form=UserQuestionForm(), question="", rows=[], page=None)
    return render(request, "audit/log.html", context)
