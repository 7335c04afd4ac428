"""Forms of the case pages.

The forms only render and carry the user's input: every rule (required fields, enums,
references, order, dates) is checked by akta.cases.services, whose Swedish messages name the
field and are shown next to it. So the Django fields here are lenient on purpose.
"""
import re

from django import forms
from django.utils import timezone

from akta.access.models import Area
from akta.cases.models import EventType, Sex
from akta.cases.schema import AKTUALISERING_KINDS, FIELDS, LEGAL_BASIS_EXAMPLES

BLANK = ("", "— välj —")
YES_NO = [BLANK, ("ja", "Ja"), ("nej", "Nej")]
STATUS_CHOICES = [("", "Alla"), ("oppet", "Öppna"), ("avslutat", "Avslutade")]


class AccessibleFormMixin:
    """Labels, help texts and errors tied to their inputs (aria-describedby, aria-invalid).

    `required_fields` are marked for the user ("obligatoriskt", aria-required) but checked by the
    service layer, not by the browser, so every error is a Swedish message that names the field.
    """

    use_required_attribute = False
    required_fields = ()

    def setup_accessibility(self):
        for name, field in self.fields.items():
            field.akta_required = name in self.required_fields
            if field.akta_required:
                field.widget.attrs["aria-required"] = "true"
        self.refresh_describedby()

    def refresh_describedby(self):
        for name, field in self.fields.items():
            bf = self[name]
            ids = []
            if field.help_text:
                ids.append(f"{bf.auto_id}_hjalp")
            if self.is_bound and self.errors.get(name):
                ids.append(f"{bf.auto_id}_fel")
                field.widget.attrs["aria-invalid"] = "true"
            if ids:
                field.widget.attrs["aria-describedby"] = " ".join(ids)

    def add_service_errors(self, errors):
        """Attach a {field: message} dict from ValidationFailed; unknown fields become form-level."""
        for name, message in errors.items():
            self.add_error(name if name in self.fields else None, message)
        self.refresh_describedby()

    def own_errors(self):
        """{field: "Etikett: meddelande"} for what the Django fields themselves refused.

        A refused value is absent from cleaned_data; passing cleaned_data on without these
        errors would save the field as empty (a 600-character reason saved as NULL). So the
        views treat them like the service's errors: nothing is saved and the field is named.
        """
        if not self.is_bound:
            return {}
        out = {}
        for name, errs in self.errors.items():
            if name in self.fields and errs:
                label = self.fields[name].label or name
                out[name] = f"{label}: {str(errs[0])[:1].lower()}{str(errs[0])[1:]}"
        return out

    def error_summary(self):
        """(anchor id or None, message) for the summary at the top of the form."""
        out = []
        for name, errs in self.errors.items():
            anchor = self[name].auto_id if name in self.fields else None
            out.extend((anchor, str(e)) for e in errs)
        return out


class CaseFilterForm(forms.Form):
    q = forms.CharField(label="Sök person", required=False, max_length=100,
                        help_text="Personnummer, namn eller ärende-id")
    area = forms.ChoiceField(label="Område", required=False, choices=[("", "Alla områden")] + list(Area.choices))
    status = forms.ChoiceField(label="Status", required=False, choices=STATUS_CHOICES)

    use_required_attribute = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs.update({"aria-describedby": "id_q_hjalp", "type": "search", "autocomplete": "off"})


def _date_widget():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AktualiseringForm(AccessibleFormMixin, forms.Form):
    """A new case opened by an aktualisering, for an existing or a new person."""

    personnummer = forms.CharField(
        label="Personnummer eller samordningsnummer", required=False, max_length=20,
        help_text="ÅÅÅÅMMDD-NNNN. Finns personen redan används den befintliga uppgiften.",
    )
    birth_date = forms.CharField(label="Födelsedatum (om personnummer saknas)", required=False, widget=_date_widget())
    sex = forms.ChoiceField(label="Kön (om personnummer saknas)", required=False,
                            choices=[(Sex.OKANT, "Okänt"), (Sex.KVINNA, "Kvinna"), (Sex.MAN, "Man")])
    name = forms.CharField(label="Namn", required=False, max_length=200)
    protected_identity = forms.BooleanField(label="Personen har skyddade personuppgifter", required=False)
    area = forms.CharField(label="Område", required=False,
                           widget=forms.Select(choices=[BLANK] + list(Area.choices)))
    unit = forms.CharField(label="Enhet", required=False)
    date = forms.CharField(label="Datum då aktualiseringen kom in", required=False, widget=_date_widget())
    kind = forms.CharField(label="Slag", required=False,
                           widget=forms.Select(choices=[BLANK] + list(AKTUALISERING_KINDS.items())))
    reporter = forms.CharField(label="Anmälare/sökande", required=False, max_length=200,
                               help_text="Till exempel skola, polis, förälder eller den enskilde.")

    required_fields = ("area", "unit", "date", "kind")

    def __init__(self, *args, units=(), **kwargs):
        units = list(units)
        initial = kwargs.setdefault("initial", {})
        initial.setdefault("date", timezone.localdate().isoformat())
        if len(units) == 1:
            initial.setdefault("unit", str(units[0].pk))
            if units[0].area:
                initial.setdefault("area", units[0].area)
        super().__init__(*args, **kwargs)
        choices = [(str(u.pk), u.name) for u in units]
        self.fields["unit"].widget = forms.Select(choices=([BLANK] if len(units) != 1 else []) + choices)
        self.setup_accessibility()


# ---------------------------------------------------------------------------------------------
# Event forms generated from akta.cases.schema.FIELDS


def ref_choice_label(event):
    """One line describing an event, for reference selects and the timeline."""
    label = f"{event.get_type_display()} {event.date.isoformat()}"
    if event.type == EventType.AKTUALISERING and event.kind:
        label += f" – {AKTUALISERING_KINDS.get(event.kind, event.kind)}"
    elif event.type == EventType.BESLUT:
        from akta.cases.schema import BESLUT_OUTCOMES, INTERVENTIONS

        label += f" – {INTERVENTIONS.get(event.intervention, event.intervention)} ({event.legal_basis}, " \
                 f"{BESLUT_OUTCOMES.get(event.outcome, event.outcome).lower()})"
    return label


def _split_codes(value):
    codes = [c for c in re.split(r"[,\s]+", value or "") if c]
    return codes or None


def _parse_amount(value):
    text = (value or "").replace("\u00a0", "").replace(" ", "").replace(",", ".")
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        return value  # the service names the field: "Belopp (kr) ska vara ett tal"


class EventForm(AccessibleFormMixin, forms.Form):
    """One event of type `etype` for a case; `ref_choices` maps a reference field to its options."""

    def __init__(self, *args, etype, ref_choices, **kwargs):
        self.etype = etype
        self.fdefs = FIELDS[etype]
        initial = kwargs.setdefault("initial", {})
        initial.setdefault("date", timezone.localdate().isoformat())
        for name, options in ref_choices.items():
            if len(options) == 1:
                initial.setdefault(name, options[0][0])
        super().__init__(*args, **kwargs)
        self.fields["date"] = forms.CharField(label="Datum", required=False, widget=_date_widget())
        required = ["date"]
        for f in self.fdefs:
            self.fields[f.name] = self._field_for(f, ref_choices.get(f.name, []))
            if f.required:
                required.append(f.name)
        self.required_fields = tuple(required)
        self.setup_accessibility()

    @staticmethod
    def _field_for(f, options):
        label = f.label or f.name
        if f.kind == "enum":
            return forms.CharField(label=label, required=False,
                                   widget=forms.Select(choices=[BLANK] + list(f.choices.items())))
        if f.kind == "legal_basis":
            return forms.CharField(label=label, required=False,
                                   widget=forms.Select(choices=[BLANK] + [(b, b) for b in LEGAL_BASIS_EXAMPLES]))
        if f.kind == "ref":
            field = forms.CharField(label=label, required=False,
                                    widget=forms.Select(choices=[BLANK] + list(options)))
            if not options:
                field.help_text = "Det finns ingen sådan händelse i ärendet att välja."
            return field
        if f.kind == "bool":
            return forms.CharField(label=label, required=False, widget=forms.Select(choices=YES_NO))
        if f.kind == "date":
            return forms.CharField(label=label, required=False, widget=_date_widget())
        # No max_length here: a value too long is refused by the service (TEXT_LIMITS), which
        # names the field; a Django-level refusal would drop the value from cleaned_data.
        if f.kind == "amount":
            return forms.CharField(label=label, required=False,
                                   widget=forms.TextInput(attrs={"inputmode": "decimal"}))
        if f.kind == "codes":
            return forms.CharField(label=label, required=False,
                                   help_text="Koder åtskilda med kommatecken.")
        if f.kind == "text":
            return forms.CharField(label=label, required=False, strip=False,
                                   widget=forms.Textarea(attrs={"rows": 8}))
        return forms.CharField(label=label, required=False,
                               widget=forms.Textarea(attrs={"rows": 2}))

    def service_data(self):
        """The posted values converted to what akta.cases.services.record_event expects.

        Returns (data, local_errors); local errors are only those the service cannot word well.
        """
        raw = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        data, errors = {}, dict(self.own_errors())
        date = (raw.get("date") or "").strip()
        if not date and "date" not in errors:
            errors["date"] = "Datum krävs"
        data["date"] = date or None
        for f in self.fdefs:
            value = raw.get(f.name)
            value = value.strip() if isinstance(value, str) else value
            if f.kind == "bool":
                value = {"ja": True, "nej": False, "": None, None: None}.get(value, value)
            elif f.kind == "amount":
                value = _parse_amount(value)
            elif f.kind == "codes":
                value = _split_codes(value)
            elif value == "":
                value = None
            data[f.name] = value
        return data, errors
