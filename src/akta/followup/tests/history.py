"""Hand-built case histories for the follow-up tests (written from the definitions, not from
the implementation): persons, cases and events created directly, each event recorded at the
start of its own date unless the test says otherwise."""
import datetime as dt
import itertools
from zoneinfo import ZoneInfo

from akta.access.models import Unit
from akta.cases.models import Case, Event, Person

TZ = ZoneInfo("Europe/Stockholm")
_seq = itertools.count(1)


def D(text):
    return dt.date.fromisoformat(text)


def at(text):
    """An aware recording time: 'YYYY-MM-DD' (start of day) or 'YYYY-MM-DDTHH:MM'."""
    v = dt.datetime.fromisoformat(text)
    return v.replace(tzinfo=TZ)


class History:
    def __init__(self):
        self.units = {}

    def unit(self, code):
        if code not in self.units:
            self.units[code], _ = Unit.objects.get_or_create(code=code, defaults={"name": code, "area": code})
        return self.units[code]

    def person(self, sex="kvinna", born="1980-01-01", protected=False, name=""):
        n = next(_seq)
        return Person.objects.create(ext_id=f"HP{n}", birth_date=D(born), sex=sex, protected_identity=protected,
                                     name=name or f"Person {n}")

    def case(self, person, area="barn_och_unga", opened="2024-01-01", case_type="", unit=None):
        n = next(_seq)
        return Case.objects.create(ext_id=f"HC{n}", person=person, area=area, case_type=case_type,
                                   opened=D(opened), unit=self.unit(unit or area))

    def ev(self, case, type, date, recorded=None, corrects=None, voided=False, **fields):
        n = next(_seq)
        d = D(date)
        rec = at(recorded) if recorded else dt.datetime.combine(d, dt.time(0, 0), tzinfo=TZ)
        for k in ("until",):
            if isinstance(fields.get(k), str):
                fields[k] = D(fields[k])
        return Event.objects.create(ext_id=f"HE{n}", case=case, type=type, date=d, recorded_at=rec,
                                    corrects=corrects, voided=voided, **fields)

    # Shorthands for the common steps.
    def akt(self, case, date, kind="anmalan", **kw):
        return self.ev(case, "aktualisering", date, kind=kind, **kw)

    def closed(self, case, date, **kw):
        return self.ev(case, "arende_avslutat", date, **kw)


def rows_of(table):
    """{key tuple: {column: value}} for readable assertions."""
    out = {}
    keys = table.indicator.key_columns
    for r in table.records():
        out[tuple(r[k] for k in keys)] = r
    return out
