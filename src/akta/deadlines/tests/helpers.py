"""A small builder for hand-written case histories (tests only).

Histories are written event by event with explicit dates, as a caseworker would have
registered them; nothing here computes a deadline.
"""
import datetime as dt
import itertools
from zoneinfo import ZoneInfo

from akta.access.models import Unit
from akta.cases.models import Case, Event, Person

TZ = ZoneInfo("Europe/Stockholm")
D = dt.date.fromisoformat


def at(day, hour=9):
    """A recording time on ``day`` (a date or 'YYYY-MM-DD') in Stockholm."""
    day = D(day) if isinstance(day, str) else day
    return dt.datetime.combine(day, dt.time(hour), tzinfo=TZ)


class History:
    """Persons, cases and events in the test database, with readable ids (P1, C1, E1, ...)."""

    def __init__(self):
        self._ids = itertools.count(1)
        self.units = {}

    def unit(self, code):
        if code not in self.units:
            self.units[code] = Unit.objects.get_or_create(code=code, defaults={"name": code.replace("_", " ").title()})[0]
        return self.units[code]

    def person(self, born="2015-03-10", sex="kvinna", protected=False, name="", ext=None):
        n = next(self._ids)
        return Person.objects.create(ext_id=ext or f"P{n}", birth_date=D(born), sex=sex, protected_identity=protected,
                                     name=name)

    def case(self, person, area="barn_och_unga", opened="2020-01-01", case_type="", unit=None, ext=None,
             caseworker=None):
        n = next(self._ids)
        return Case.objects.create(ext_id=ext or f"C{n}", person=person, area=area, case_type=case_type,
                                   opened=D(opened), unit=self.unit(unit or area), caseworker=caseworker)

    def ev(self, case, type, date, *, recorded=None, ext=None, corrects=None, voided=False, **fields):
        """One event; ``aktualisering``/``utredning``/``beslut`` take the referenced Event."""
        n = next(self._ids)
        date = D(date) if isinstance(date, str) else date
        for key in ("until",):
            if isinstance(fields.get(key), str):
                fields[key] = D(fields[key])
        return Event.objects.create(
            ext_id=ext or f"E{n}", case=case, type=type, date=date,
            recorded_at=recorded or at(date, 0), corrects=corrects, voided=voided, **fields,
        )
