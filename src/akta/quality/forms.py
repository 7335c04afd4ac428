"""Forms of the quality pages (Swedish labels come from the models' verbose names)."""
from django import forms
from django.utils import timezone

from akta.access.models import Role, Unit, User
from akta.access.services import may_see_case
from akta.cases.models import Case
from akta.quality import models as m
from akta.quality import permissions as perm

MAX_UPLOAD = 20 * 1024 * 1024
ALLOWED_UPLOADS = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def people():
    return User.objects.filter(is_active=True).exclude(role=Role.SYSTEMFORVALTARE).order_by("first_name", "username")


class QualityForm(forms.ModelForm):
    """Dates as <input type=date>, owners among active users, Swedish error summary."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if isinstance(field, forms.DateField):
                field.widget = DateInput()
            if isinstance(field, forms.ModelChoiceField) and field.queryset.model is User:
                field.queryset = people()
                field.label_from_instance = lambda u: u.get_full_name() or u.username
            if isinstance(field, forms.ModelMultipleChoiceField):
                field.widget.attrs["size"] = 6
            field.akta_required = field.required

    def error_summary(self):
        out = []
        for name, errors in self.errors.items():
            for e in errors:
                if name == "__all__":
                    out.append(("", e))
                else:
                    out.append((self[name].auto_id, f"{self.fields[name].label}: {e}"))
        return out

    def add_service_errors(self, errors):
        """Errors from akta.quality.services; a message naming the field loses the name here
        because the form shows each error under (and in the summary with) the field's label."""
        for name, message in errors.items():
            if name in self.fields:
                prefix = f"{self.fields[name].label}:".lower()
                if message.lower().startswith(prefix):
                    message = message[len(prefix):].strip()
                self.add_error(name, message)
            else:
                self.add_error(None, message)


def _case_field():
    return forms.CharField(label="Ärende-id (om händelsen rör en enskild)", required=False, max_length=100,
                           help_text="Lämna tomt om händelsen inte rör en enskild person.")


class ReportFormMixin:
    """Deviation and lex Sarah reports: an optional case the reporter may see."""

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["case_ext_id"] = _case_field()
        # A linked case the user may not open (access.services.may_see_case, as on the detail page)
        # is neither shown nor lost: the field stays empty and the link is kept.
        self._hidden_case = None
        if self.instance.pk and self.instance.case_id:
            if user is not None and may_see_case(user, self.instance.case):
                self.fields["case_ext_id"].initial = self.instance.case.ext_id
            else:
                self._hidden_case = self.instance.case
                self.fields["case_ext_id"].help_text = (
                    "Rapporten rör ett ärende i en enhet som du inte har behörighet till. "
                    "Kopplingen behålls om du lämnar fältet tomt.")
        own = Unit.objects.filter(members=user) if user is not None else Unit.objects.none()
        if user is not None:
            self.fields["unit"].queryset = perm.report_units(user, self.fields["unit"].queryset)
        if not self.instance.pk:
            self.fields["reported_on"].initial = timezone.localdate()
            if user is not None and own.count() == 1:
                self.fields["unit"].initial = own.first().pk

    def clean_case_ext_id(self):
        ext = self.cleaned_data.get("case_ext_id", "").strip()
        if not ext:
            return self._hidden_case
        case = perm.case_link_queryset(self.user).select_related("person").filter(ext_id=ext).first()
        if case is None:
            raise forms.ValidationError("det finns inget sådant ärende som du har tillgång till")
        return case


class DeviationReportForm(ReportFormMixin, QualityForm):
    class Meta:
        model = m.Deviation
        fields = ["category", "event_date", "reported_on", "unit", "description"]


class DeviationEditForm(ReportFormMixin, QualityForm):
    class Meta:
        model = m.Deviation
        fields = ["category", "event_date", "reported_on", "unit", "description", "owner"]


class LexSarahReportForm(ReportFormMixin, QualityForm):
    class Meta:
        model = m.LexSarah
        fields = ["event_date", "reported_on", "unit", "description"]


class LexSarahEditForm(ReportFormMixin, QualityForm):
    class Meta:
        model = m.LexSarah
        fields = ["event_date", "reported_on", "unit", "description", "owner", "ivo_reference"]


class DocumentForm(QualityForm):
    class Meta:
        model = m.Document
        fields = ["kind", "title", "description", "owner", "unit", "doc_version", "decision_ref", "decided_on",
                  "next_review", "status"]


class DocumentFileForm(forms.Form):
    file = forms.FileField(label="Fil (PDF eller DOCX)")

    def clean_file(self):
        f = self.cleaned_data["file"]
        name = f.name.lower()
        ext = name[name.rfind("."):] if "." in name else ""
        if ext not in ALLOWED_UPLOADS:
            raise forms.ValidationError("bara PDF- och DOCX-filer kan bifogas")
        if f.size > MAX_UPLOAD:
            raise forms.ValidationError("filen är större än 20 MB")
        head = f.read(4)
        f.seek(0)
        if (ext == ".pdf" and head != b"%PDF") or (ext == ".docx" and head != b"PK\x03\x04"):
            raise forms.ValidationError("filens innehåll stämmer inte med filtypen")
        return f

    def error_summary(self):
        return [(self[n].auto_id, f"{self.fields[n].label}: {e}") for n, es in self.errors.items() for e in es]


class ComplaintForm(QualityForm):
    class Meta:
        model = m.Complaint
        fields = ["kind", "received_on", "channel", "theme", "unit", "description", "owner"]


class RiskForm(QualityForm):
    class Meta:
        model = m.Risk
        fields = ["title", "description", "unit", "process", "likelihood", "consequence", "identified_on",
                  "reviewed_on", "owner", "status"]


class ActionForm(QualityForm):
    class Meta:
        model = m.Action
        fields = ["title", "description", "owner", "unit", "due_date", "status", "completed_on", "effect",
                  "deviations", "lex_sarah", "complaints", "risks", "findings", "control_results"]

    def clean(self):
        data = super().clean()
        if data.get("status") == m.ActionStatus.GENOMFORD and not data.get("completed_on"):
            self.add_error("completed_on", "ange när åtgärden genomfördes")
        if data.get("completed_on") and data["completed_on"] > timezone.localdate():
            self.add_error("completed_on", "ligger i framtiden")
        return data


class PlanForm(QualityForm):
    class Meta:
        model = m.SelfInspectionPlan
        fields = ["title", "method", "frequency", "owner", "routine", "sample_per_group", "active"]


class ChecklistItemForm(QualityForm):
    class Meta:
        model = m.ChecklistItem
        fields = ["text", "routine"]


class RoundForm(forms.Form):
    period_start = forms.DateField(label="Period från", widget=DateInput())
    period_end = forms.DateField(label="Period till", widget=DateInput())
    seed = forms.IntegerField(label="Slumpfrö", required=False, min_value=1, max_value=2**62,
                              help_text="Lämna tomt för ett nytt slumpfrö. Ange ett tidigare frö för att upprepa ett urval.")

    def error_summary(self):
        return [(self[n].auto_id if n in self.fields else "", f"{self.fields[n].label}: {e}" if n in self.fields else e)
                for n, es in self.errors.items() for e in es]


class FindingForm(QualityForm):
    class Meta:
        model = m.Finding
        fields = ["item", "description"]

    def __init__(self, *args, round=None, **kwargs):
        super().__init__(*args, **kwargs)
        if round is not None:
            self.fields["item"].queryset = round.plan.items.all()


class RoundCloseForm(QualityForm):
    class Meta:
        model = m.SelfInspectionRound
        fields = ["summary", "completed_on"]


class InternalControlPlanForm(QualityForm):
    class Meta:
        model = m.InternalControlPlan
        fields = ["year", "decision_ref", "adopted_on"]


class ControlPointForm(QualityForm):
    class Meta:
        model = m.ControlPoint
        fields = ["process", "control", "frequency", "owner", "method", "risk_score"]


class ControlResultForm(QualityForm):
    class Meta:
        model = m.ControlResult
        fields = ["period_end", "outcome", "checked", "deviating", "result", "reported_to_committee"]

    def clean(self):
        data = super().clean()
        if data.get("checked") is not None and data.get("deviating") is not None and data["deviating"] > data["checked"]:
            self.add_error("deviating", "kan inte vara fler än antalet kontrollerade")
        return data


class GoalForm(QualityForm):
    class Meta:
        model = m.Goal
        fields = ["year", "title", "target", "result", "status"]


class SectionForm(QualityForm):
    class Meta:
        model = m.ReportSection
        fields = ["text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 14})}


def step_form(model, step, data=None):
    """A form with the fields of one workflow step (the date defaults to today)."""
    fields = {}
    for name in step.fields:
        f = model._meta.get_field(name)
        ff = f.formfield()
        if name == "owner":
            ff.queryset = people()
        ff.required = name == step.date_field or name in step.required
        if isinstance(ff, forms.DateField):
            ff.widget = DateInput()
            ff.initial = timezone.localdate()
        if name == "assessment":
            ff.choices = [("", "– välj –")] + list(m.Assessment.choices)
        ff.akta_required = ff.required
        fields[name] = ff
    form_class = type("StepForm", (forms.Form,), dict(fields))
    form_class.error_summary = lambda self: [(self[n].auto_id if n in self.fields else "", f"{self.fields[n].label}: {e}"
                                              if n in self.fields else e) for n, es in self.errors.items() for e in es]
    return form_class(data, prefix=f"steg-{step.to}")
