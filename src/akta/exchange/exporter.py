"""Export to the exchange format (exchange-v1 §§ 1–2).

Reproduces every record and field that was imported (order aside), plus the documented
extensions (`name`, `unit`, `units`, and for corrections `corrects`, `recorded_at`, `voided`).
A full export runs with system rights. With `user`, only that user's cases are exported and
protected persons are masked unless the user has the explicit right.
"""
import json
from decimal import Decimal
from pathlib import Path

from django.utils import timezone

import akta.municipality
from akta.access.models import Unit
from akta.access.services import HIDDEN_TEXT, PROTECTED_LABEL, visible_cases
from akta.audit.services import PersonRef, log_reads
from akta.cases.models import Case, Event, Person
from akta.cases.schema import FIELDS
from akta.exchange.importer import FORMAT, default_recorded_at
from akta.exchange.models import ImportBatch

EVENT_COLUMNS = sorted({f.column for fs in FIELDS.values() for f in fs if f.kind != "ref"})


def _json_value(v):
    if isinstance(v, Decimal):
        return int(v) if v == v.to_integral_value() else float(v)
    if hasattr(v, "isoformat"):
        return v.isoformat()
    return v


def export_exchange(out_dir, user=None):
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    batch = None if akta.municipality.code() else ImportBatch.objects.order_by("-imported_at").first()
    municipality = akta.municipality.for_exchange(
        batch and {"code": batch.municipality_code, "name": batch.municipality_name})
    cases_qs = Case.objects.all() if user is None else visible_cases(user, Case.objects.all())
    may_see_protected = user is None or user.may_view_protected
    units = [{"code": u.code, "name": u.name, "area": u.area} for u in Unit.objects.order_by("code")]
    manifest = {"format": FORMAT, "municipality": municipality, "exported_at": timezone.now().isoformat(timespec="seconds"),
                "source_system": "Akta", "units": units}
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")

    counts = {"persons": 0, "cases": 0, "events": 0, "masked": 0}
    exported = []  # every person in the file, for the log
    persons_qs = Person.objects.all() if user is None else Person.objects.filter(id__in=cases_qs.values("person_id"))
    with open(out / "persons.jsonl", "w", encoding="utf-8") as f:
        for p in persons_qs.order_by("id").values().iterator(chunk_size=5000):
            if p["protected_identity"] and not may_see_protected:
                rec = {"id": p["ext_id"], "personnummer": None, "birth_date": None, "sex": "okänt",
                       "protected_identity": True, "name": PROTECTED_LABEL}
                counts["masked"] += 1
            else:
                rec = {"id": p["ext_id"], "personnummer": p["personnummer"], "birth_date": p["birth_date"].isoformat(),
                       "sex": p["sex"], "protected_identity": p["protected_identity"]}
                if p["name"]:
                    rec["name"] = p["name"]
                rec.update(p["extra"])
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")
            counts["persons"] += 1
            exported.append(PersonRef(p["id"], p["protected_identity"]))

    case_ext = {}
    unit_code = dict(Unit.objects.values_list("id", "code"))
    with open(out / "cases.jsonl", "w", encoding="utf-8") as f:
        for c in cases_qs.order_by("id").values("id", "ext_id", "person__ext_id", "area", "case_type", "opened", "unit_id",
                                                "caseworker_ref", "extra").iterator(chunk_size=5000):
            case_ext[c["id"]] = c["ext_id"]
            rec = {"id": c["ext_id"], "person_id": c["person__ext_id"], "area": c["area"]}
            if c["case_type"]:
                rec["case_type"] = c["case_type"]
            rec["opened"] = c["opened"].isoformat()
            rec["unit"] = unit_code[c["unit_id"]]
            if c["caseworker_ref"]:  # as imported; later assignments are tilldelad events
                rec["caseworker"] = c["caseworker_ref"]
            rec.update(c["extra"])
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")
            counts["cases"] += 1

    # Free text about a protected person (a journal note) follows the masking of the person.
    hidden_cases = set() if may_see_protected else set(
        cases_qs.filter(person__protected_identity=True).values_list("id", flat=True))
    event_ext = dict(Event.objects.filter(case_id__in=cases_qs.values("id")).values_list("id", "ext_id").iterator(chunk_size=20000))
    cols = ["id", "ext_id", "case_id", "type", "date", "recorded_at", "corrects_id", "voided",
            "aktualisering_id", "utredning_id", "beslut_id", *EVENT_COLUMNS, "extra"]
    with open(out / "events.jsonl", "w", encoding="utf-8") as f:
        qs = Event.objects.filter(case_id__in=cases_qs.values("id")).order_by("id").values(*cols)
        for e in qs.iterator(chunk_size=10000):
            rec = {"id": e["ext_id"], "case_id": case_ext[e["case_id"]], "type": e["type"], "date": e["date"].isoformat()}
            for fdef in FIELDS[e["type"]]:
                if fdef.kind == "ref":
                    target = e[fdef.column + "_id"]
                    if target is not None:
                        rec[fdef.name] = event_ext[target]
                else:
                    v = e[fdef.column]
                    if fdef.kind == "text" and v is not None and e["case_id"] in hidden_cases:
                        v = HIDDEN_TEXT
                    if v is not None and (v != "" or fdef.name in ("reason", "reporter")):
                        rec[fdef.name] = _json_value(v)
                    elif fdef.name == "caseworker":
                        rec["caseworker"] = None  # a tilldelad without a caseworker unassigns
            if e["corrects_id"]:
                rec["corrects"] = event_ext[e["corrects_id"]]
                if e["voided"]:
                    rec["voided"] = True
            if e["recorded_at"] != default_recorded_at(e["date"]):
                rec["recorded_at"] = timezone.localtime(e["recorded_at"]).isoformat()
            rec.update(e["extra"])
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")
            counts["events"] += 1
    log_reads(user, "export", str(out)[-255:], exported,
              context=f"export: {counts['persons']} personer, {counts['cases']} ärenden")
    return counts
