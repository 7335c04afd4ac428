"""Forms of the deadlines pages (Swedish labels)."""
from django import forms

from akta.cases.models import Sex
from akta.cases.schema import LEGAL_BASIS_EXAMPLES
from akta.deadlines.models import KronparmGallring, LocalDeadlineRule, StatedTotal

STATUS_CHOICES = [("", "Försenade, denna vecka och varningar"), ("forsenade", "Försenade"),
                  ("vecka", "Förfaller denna vecka"), ("varning", "Varning"), ("alla", "Alla bevakningar")]


class WorklistFilterForm(forms.Form):
    regel = forms.ChoiceField(label="Regel", required=False)
    enhet = forms.ChoiceField(label="Enhet", required=False)
    status = forms.ChoiceField(label="Visa", required=False, choices=STATUS_CHOICES)

    def __init__(self, *args, rules=(), units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["regel"].choices = [("", "Alla regler"), *rules]
        self.fields["enhet"].choices = [("", "Alla mina enheter"), *[(u.code, u.name) for u in units]]


class LocalRuleForm(forms.ModelForm):
    class Meta:
        model = LocalDeadlineRule
        fields = ["code", "title", "working_days", "decision_reference", "area", "anchor_type", "anchor_kind",
                  "closing_type", "valid_from", "valid_to"]
        widgets = {"valid_from": forms.DateInput(attrs={"type": "date"}),
                   "valid_to": forms.DateInput(attrs={"type": "date"})}


class CullingForm(forms.ModelForm):
    class Meta:
        model = KronparmGallring
        fields = ["unit", "culled_through", "performed_on", "note"]
        widgets = {"culled_through": forms.DateInput(attrs={"type": "date"}),
                   "performed_on": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        if units is not None:
            self.fields["unit"].queryset = units


class StatedTotalForm(forms.Form):
    legal_basis = forms.ChoiceField(label="Lagrum", required=False,
                                    choices=[("", "Alla lagrum (summa)")] + [(b, b) for b in LEGAL_BASIS_EXAMPLES
                                                                              if b == "SoL 4:1" or b.startswith("LSS")])
    sex = forms.ChoiceField(label="Kön", required=False, choices=[("", "Kvinnor och män (summa)"), *Sex.choices])
    count = forms.IntegerField(label="Antal", min_value=0, max_value=1_000_000)
    source = forms.CharField(label="Källa", max_length=300,
                             help_text='T.ex. "Manuell rapport, SN 2022-02-23 § 33".')

    def save(self, quarter, user):
        st, _ = StatedTotal.objects.update_or_create(
            quarter=quarter, legal_basis=self.cleaned_data["legal_basis"], sex=self.cleaned_data["sex"],
            defaults={"count": self.cleaned_data["count"], "source": self.cleaned_data["source"], "entered_by": user})
        return st
