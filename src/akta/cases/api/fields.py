"""Strict serializer fields.

DRF's own fields coerce (the number 5 becomes the string "5", "yes" becomes True). The API is
documented by its OpenAPI schema, and a request that does not match the schema is refused with
400 rather than silently reinterpreted, so these fields accept exactly the JSON type declared.
"""
import json

from rest_framework import serializers


class StrictCharField(serializers.CharField):
    """A JSON string, taken as sent (no trimming: the value checked is the value stored)."""

    default_error_messages = {"invalid": "Ska vara en sträng."}

    def __init__(self, **kwargs):
        kwargs.setdefault("trim_whitespace", False)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    default_error_messages = {"invalid": "Ska vara true eller false."}

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid")
        return data


class StrictDateField(serializers.DateField):
    """A date as exactly YYYY-MM-DD (exchange-v1 §1)."""

    default_error_messages = {"invalid": "Ogiltigt datum (ska vara ÅÅÅÅ-MM-DD)."}

    def to_internal_value(self, value):
        from akta.cases.schema import parse_date

        if not isinstance(value, str) or len(value) != 10:
            self.fail("invalid")
        try:
            return parse_date(value)
        except ValueError:
            self.fail("invalid")


class StrictChoiceField(serializers.ChoiceField):
    default_error_messages = {"invalid_choice": "Okänt värde {input}."}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid_choice", input=json.dumps(data, ensure_ascii=False))
        if data not in self.choice_strings_to_values:
            self.fail("invalid_choice", input=json.dumps(data, ensure_ascii=False))
        return self.choice_strings_to_values[data]


class StrictIntegerField(serializers.IntegerField):
    default_error_messages = {"invalid": "Ska vara ett heltal."}

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictFloatField(serializers.FloatField):
    default_error_messages = {"invalid": "Ska vara ett tal."}

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, (int, float)):
            self.fail("invalid")
        return super().to_internal_value(data)


def labelled_errors(serializer):
    """A serializer's errors as {field: ["Etikett: meddelande", …]}, one flat list per field.

    Nested errors (a list item) are flattened with the item's index.
    """

    def flatten(detail, prefix=""):
        if isinstance(detail, dict):
            for key, sub in detail.items():
                yield from flatten(sub, f"{prefix}[{key}] ")
        elif isinstance(detail, list):
            for sub in detail:
                yield from flatten(sub, prefix)
        else:
            yield f"{prefix}{detail}"

    out = {}
    for name, detail in serializer.errors.items():
        field = serializer.fields.get(name)
        label = field.label if field is not None and field.label else None
        messages = []
        for msg in flatten(detail):
            if label and not msg.startswith(label):
                msg = f"{label}: {msg[:1].lower()}{msg[1:]}"
            messages.append(msg)
        out[name] = messages
    return out
