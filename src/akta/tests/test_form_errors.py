"""Issue 10 § 5: form errors name the field, and no value is silently dropped.

Every form class of every component is bound with a bad value in each of its fields (one
character over the field's length, a non-number, a date that does not exist, a number far out
of range) and must refuse it as an error *of that field*, with a Swedish message; a form may
not accept a value that the database column would cut, refuse or turn into NULL. The event
forms leave their checks to the case service (``cases.services``, which names the field): their
fields are covered field by field by ``cases/tests/test_probe_regressions.py``.
"""
import inspect

import pytest
from django import forms
from django.db import models

import akta.deadlines.forms
import akta.logcheck.views
import akta.quality.forms
from akta.cases.forms import EventForm

MODULES = (akta.quality.forms, akta.deadlines.forms, akta.logcheck.views, akta.cases.forms)
# Forms whose fields are checked elsewhere (the event form's values go to the case service).
CHECKED_ELSEWHERE = {EventForm}


def form_classes():
    found = set()
    for module in MODULES:
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__ and cls not in CHECKED_ELSEWHERE:
                if issubclass(cls, forms.ModelForm) and getattr(getattr(cls, "Meta", None), "model", None) is None:
                    continue  # an abstract base (QualityForm)
                found.add(cls)
    return sorted(found, key=lambda c: f"{c.__module__}.{c.__name__}")


def bad_values(field):
    """(value, why) pairs the field must refuse."""
    if isinstance(field, forms.CharField) and field.max_length and not isinstance(field.widget, forms.HiddenInput):
        yield "x" * (field.max_length + 1), "too long"
    if isinstance(field, (forms.IntegerField, forms.DecimalField, forms.FloatField)):
        yield "abc", "not a number"
        yield "9" * 40, "far out of range"
    if isinstance(field, forms.DateField):
        yield "2025-02-30", "no such date"
        yield "99999-01-01", "far date"
    if isinstance(field, (forms.ModelChoiceField, forms.ChoiceField)) and not isinstance(
            field, (forms.ModelMultipleChoiceField, forms.MultipleChoiceField)):
        yield "abc", "not a choice"


def column_length(form, name):
    """The max_length of the model column a model form's field writes, if any."""
    if not isinstance(form, forms.ModelForm):
        return None
    try:
        f = form._meta.model._meta.get_field(name)
    except Exception:  # a form-only field  # noqa: BLE001
        return None
    return f.max_length if isinstance(f, models.CharField) else None


def make(cls, data=None):
    kwargs = {}
    params = inspect.signature(cls.__init__).parameters
    if "user" in params:
        kwargs["user"] = None
    return cls(data, **kwargs) if data is not None else cls(**kwargs)


@pytest.mark.django_db
@pytest.mark.parametrize("cls", form_classes(), ids=lambda c: c.__name__)
def test_every_bad_value_is_an_error_of_its_own_field(cls):
    form = make(cls)
    checked = 0
    for name, field in form.fields.items():
        limit = column_length(form, name)
        if limit is not None and isinstance(field, forms.CharField):
            # The form refuses before the database could cut the text (or fail on PostgreSQL).
            assert field.max_length is not None and field.max_length <= limit, (cls.__name__, name)
        for value, why in bad_values(field):
            bound = make(cls, {name: value})
            assert not bound.is_valid()
            assert name in bound.errors, f"{cls.__name__}.{name}: {why} was not refused as an error of the field"
            message = " ".join(bound.errors[name])
            assert message and "Traceback" not in message and "This field" not in message, message
            checked += 1
    unbounded = all(isinstance(f, (forms.FileField, forms.BooleanField)) or (
        isinstance(f, forms.CharField) and not f.max_length) for f in form.fields.values())
    assert checked or unbounded, cls.__name__


@pytest.mark.django_db
def test_the_quality_forms_summary_names_each_field_by_its_label():
    form = akta.quality.forms.RiskForm({"title": "x" * 10_000, "likelihood": "abc"})
    assert not form.is_valid()
    summary = [text for _anchor, text in form.error_summary()]
    labels = {form.fields[name].label for name in form.errors if name != "__all__"}
    assert labels and all(any(text.startswith(f"{label}:") for text in summary) for label in labels), summary


def test_the_catalogue_of_forms_is_complete():
    """A new form class in these modules is checked automatically; one in another module is not,
    so the list of modules is kept next to the forms it must find."""
    import pathlib

    import akta

    root = pathlib.Path(akta.__file__).parent
    declaring = {p.relative_to(root).with_suffix("").as_posix().replace("/", ".")
                 for p in root.rglob("*.py") if "tests" not in p.relative_to(root).parts
                 and ("forms.Form)" in p.read_text(encoding="utf-8") or "forms.ModelForm)" in p.read_text(encoding="utf-8"))}
    assert declaring <= {m.__name__.removeprefix("akta.") for m in MODULES}, declaring
