"""Import of an exchange directory (exchange-v1 §§ 1–3): all or nothing.

The whole input is parsed and checked first; every problem is collected as
`FILE:LINE: message`. Only when there are none is anything written, inside one transaction.
The same content imported twice is a no-op (the content hash is kept in ImportBatch); ids that
already exist in the database from other content are errors, so nothing is ever duplicated.
"""
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, time
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction

from akta import municipality
from akta.access.models import Area, Unit, User
from akta.cases.models import Case, Event, EventType, Person, Sex
from akta.cases.schema import CASE_FIELDS, EVENT_EXTENSIONS, FIELDS, PERSON_FIELDS, SAME_DAY_ORDER, TEXT_LIMITS, check_personnummer, field_message, parse_date, text_problem, validate_field
from akta.exchange.models import ImportBatch
from akta.exchange.reader import Source, SourceRefused

FORMAT = "akta-exchange/1"
TZ = ZoneInfo(settings.TIME_ZONE)
EVENT_TYPES = set(EventType.values)
# Documented lengths of what the import stores besides the record fields (README, "Importing"):
# the municipality's and units' names (shown on every page), unit codes, and the unknown extra
# fields kept on each person, case and event (counted as their JSON).
MUNICIPALITY_NAME_MAX = 200
UNIT_NAME_MAX = 200
EXTRA_MAX_CHARS = 10_000
SEXES = set(Sex.values)


class ImportFailed(Exception):
    def __init__(self, errors):
        super().__init__(f"{len(errors)} fel")
        self.errors = errors


@dataclass
class Result:
    batch: ImportBatch | None
    noop: bool
    counts: dict = field(default_factory=dict)


def default_recorded_at(d):
    """Imported history counts as recorded at the start of its own date (so as-of queries see it)."""
    return datetime.combine(d, time(0, 0), tzinfo=TZ)


class _Everything:
    def __contains__(self, item):
        return True


class _Collector:
    def __init__(self, source):
        self.source = source
        self.errors = []
        self.unreadable = set()  # files that could not be read at all

    def seen(self, name, seen):
        """Ids present in a file, valid or not; a reference to one of them is not a further error."""
        return _Everything() if name in self.unreadable else seen

    def add(self, name, line, message):
        self.errors.append(f"{self.source.display[name]}:{line}: {message}")


def _load_lines(source, name, col):
    """Parse each non-blank line as a JSON object."""
    out = []
    if name in source.not_utf8:
        no, reason = source.not_utf8[name]
        col.add(name, no, f"filen är inte UTF-8 ({reason})")
        col.unreadable.add(name)
        return out
    for no, text in source.lines(name):
        try:
            obj = json.loads(text)
        except json.JSONDecodeError as e:
            col.add(name, no, f"ogiltig JSON: {e.msg} (kolumn {e.colno})")
            col.unreadable.add(name)  # ids on that line are unknown: no "finns inte" errors for this file
            continue
        if not isinstance(obj, dict):
            col.add(name, no, "raden är inte ett JSON-objekt")
            continue
        extra_problem = _extra_problem(obj, name)
        if extra_problem:
            col.add(name, no, extra_problem)  # the record is still checked: its id stays known
        out.append((no, obj))
    return out


_KNOWN = {
    "persons.jsonl": set(PERSON_FIELDS),
    "cases.jsonl": set(CASE_FIELDS),
    "events.jsonl": {"id", "case_id", "type", "date", *EVENT_EXTENSIONS, *(f.name for fs in FIELDS.values() for f in fs)},
}


def _extra_problem(obj, name):
    """The unknown fields a record carries are kept (and exported again), so they have a limit."""
    extra = {k: v for k, v in obj.items() if k not in _KNOWN[name]}
    if not extra:
        return None
    size = len(json.dumps(extra, ensure_ascii=False))
    if size > EXTRA_MAX_CHARS:
        names = ", ".join(f'"{k}"' for k in list(extra)[:5])
        return f"extra fält ({names}) får vara högst {EXTRA_MAX_CHARS} tecken tillsammans, är {size}"
    return None


def _check_id(obj, name, no, col, seen, what):
    rid = obj.get("id")
    if not isinstance(rid, str) or not rid.strip():
        col.add(name, no, 'fältet "id" saknas eller är inte en sträng')
        return None
    problem = text_problem(rid, TEXT_LIMITS["id"])
    if problem:
        col.add(name, no, field_message("id", problem))
        return None
    if rid in seen:
        col.add(name, no, f'{what} "{rid}" förekommer redan på rad {seen[rid]}')
        return None
    seen[rid] = no
    return rid


def _existing(model, ids, fields):
    """Rows of `model` whose ext_id is in ids (database lookups in chunks)."""
    found = {}
    ids = list(ids)
    if not ids or not model.objects.exists():
        return found
    for i in range(0, len(ids), 2000):
        for row in model.objects.filter(ext_id__in=ids[i:i + 2000]).values("ext_id", *fields):
            found[row["ext_id"]] = row
    return found


def validate(source):
    """Parse and check everything. Returns the validated records or raises ImportFailed."""
    col = _Collector(source)
    for name in source.missing:
        col.add(name, 0, "filen saknas")
    if source.missing:
        raise ImportFailed(col.errors)

    manifest = _validate_manifest(source, col)
    persons = _validate_persons(source, col)
    cases = _validate_cases(source, col, persons)
    events = _validate_events(source, col, cases)
    if col.errors:
        raise ImportFailed(col.errors)
    return manifest, persons, cases, events


def _validate_manifest(source, col):
    name = "manifest.json"
    try:
        m = json.loads(source.read(name).decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        col.add(name, getattr(e, "lineno", 1), f"ogiltig JSON: {getattr(e, 'msg', e)}")
        return {}
    if not isinstance(m, dict):
        col.add(name, 1, "manifestet är inte ett JSON-objekt")
        return {}
    if m.get("format") != FORMAT:
        col.add(name, 1, f'fältet "format" ska vara "{FORMAT}", inte {json.dumps(m.get("format"), ensure_ascii=False)}')
    mun = m.get("municipality")
    if not isinstance(mun, dict) or not re.fullmatch(r"\d{4}", str(mun.get("code", ""))) or not isinstance(mun.get("name"), str) or not mun.get("name"):
        col.add(name, 1, 'fältet "municipality" ska ha "code" (fyra siffror) och "name"')
    elif text_problem(mun["name"], MUNICIPALITY_NAME_MAX):
        col.add(name, 1, field_message("municipality.name", text_problem(mun["name"], MUNICIPALITY_NAME_MAX)))
    else:
        other = ImportBatch.objects.exclude(municipality_code=mun["code"]).first()
        if municipality.code() and municipality.code() != mun["code"]:
            col.add(name, 1, f'Akta är inställd för kommun {municipality.code()} (AKTA_MUNICIPALITY_CODE), '
                             f'inte {mun["code"]}')
        elif other:
            col.add(name, 1, f'databasen hör till kommun {other.municipality_code} ({other.municipality_name}), inte {mun["code"]}')
    units = m.get("units", [])
    if not isinstance(units, list) or not all(isinstance(u, dict) and isinstance(u.get("code"), str) and u.get("code") for u in units):
        col.add(name, 1, 'fältet "units" ska vara en lista av objekt med "code", "name" och "area"')
        m["units"] = []
    else:
        for u in units:
            code_problem = text_problem(u["code"], TEXT_LIMITS["unit"])
            if code_problem:
                col.add(name, 1, field_message("units.code", code_problem))
                m["units"] = []
                break
            if u.get("name") is not None and text_problem(u["name"], UNIT_NAME_MAX):
                col.add(name, 1, f'enhet "{u["code"]}": ' + field_message("name", text_problem(u["name"], UNIT_NAME_MAX)))
            if u.get("area") not in (None, "", *Area.values):
                col.add(name, 1, f'enhet "{u["code"]}": okänt område "{u.get("area")}"')
    return m


def _validate_persons(source, col):
    name = "persons.jsonl"
    seen, persons = {}, {}
    for no, obj in _load_lines(source, name, col):
        pid = _check_id(obj, name, no, col, seen, "person")
        if pid is None:
            continue
        rec = {"line": no, "ext_id": pid, "extra": {k: v for k, v in obj.items() if k not in PERSON_FIELDS}}
        ok = True
        pnr = obj.get("personnummer")
        derived_born = derived_sex = None
        if pnr is not None:
            try:
                derived_born, derived_sex, rec["pnr_key"] = check_personnummer(pnr)
            except ValueError as e:
                col.add(name, no, f'fältet "personnummer": {e}')
                ok = False
        rec["personnummer"] = pnr
        bd = obj.get("birth_date")
        if bd is None:
            if pnr is None:
                col.add(name, no, 'fältet "birth_date" krävs när personnummer saknas')
                ok = False
            rec["birth_date"] = derived_born
        else:
            try:
                rec["birth_date"] = parse_date(bd)
            except ValueError as e:
                col.add(name, no, f'fältet "birth_date": {e}')
                ok = False
            else:
                if derived_born and rec["birth_date"] != derived_born:
                    col.add(name, no, f'fältet "birth_date" {bd} stämmer inte med personnumret ({derived_born.isoformat()})')
                    ok = False
        sex = obj.get("sex")
        if sex is None:
            rec["sex"] = derived_sex or Sex.OKANT
        elif sex not in SEXES:
            col.add(name, no, f'fältet "sex": okänt värde {json.dumps(sex, ensure_ascii=False)} (kvinna, man eller okänt)')
            ok = False
        elif derived_sex and sex != Sex.OKANT and sex != derived_sex:
            col.add(name, no, f'fältet "sex" är "{sex}" men personnumret anger "{derived_sex}"')
            ok = False
        else:
            rec["sex"] = sex
        prot = obj.get("protected_identity", False)
        if not isinstance(prot, bool):
            col.add(name, no, 'fältet "protected_identity" ska vara true eller false')
            ok = False
        rec["protected_identity"] = prot
        nm = obj.get("name") or ""
        if text_problem(nm, TEXT_LIMITS["name"]):
            col.add(name, no, field_message("name", text_problem(nm, TEXT_LIMITS["name"])))
            ok = False
        rec["name"] = nm or ""
        if ok:
            persons[pid] = rec
    if seen:
        for ext_id in _existing(Person, seen, ()):
            col.add(name, seen[ext_id], f'person "{ext_id}" finns redan i databasen')
    persons["__seen__"] = col.seen(name, seen)
    return persons


def _validate_cases(source, col, persons):
    name = "cases.jsonl"
    seen, cases, pending = {}, {}, []
    person_seen = persons.pop("__seen__")
    for no, obj in _load_lines(source, name, col):
        cid = _check_id(obj, name, no, col, seen, "ärende")
        if cid is None:
            continue
        rec = {"line": no, "ext_id": cid, "extra": {k: v for k, v in obj.items() if k not in CASE_FIELDS}}
        ok = True
        pid = obj.get("person_id")
        if not isinstance(pid, str):
            col.add(name, no, 'fältet "person_id" saknas eller är inte en sträng')
            ok = False
        rec["person_ext"] = pid
        area = obj.get("area")
        if area not in Area.values:
            col.add(name, no, f'fältet "area": okänt område {json.dumps(area, ensure_ascii=False)}')
            ok = False
        rec["area"] = area
        ct = obj.get("case_type")
        if ct is not None and text_problem(ct, TEXT_LIMITS["case_type"]):
            col.add(name, no, field_message("case_type", text_problem(ct, TEXT_LIMITS["case_type"])))
            ok = False
        rec["case_type"] = ct or ""
        try:
            rec["opened"] = parse_date(obj.get("opened"))
        except ValueError as e:
            col.add(name, no, f'fältet "opened": {e}')
            ok = False
        unit = obj.get("unit")
        if unit is not None and (not unit or text_problem(unit, TEXT_LIMITS["unit"])):
            col.add(name, no, 'fältet "unit" ska vara en enhetskod (sträng om högst 64 tecken)')
            ok = False
        rec["unit"] = unit or area
        worker = obj.get("caseworker")
        if worker is not None and (not worker or text_problem(worker, TEXT_LIMITS["caseworker"])):
            col.add(name, no, 'fältet "caseworker" ska vara ett användarnamn eller id (sträng om högst 150 tecken)')
            ok = False
        rec["caseworker"] = worker or ""
        if ok:
            cases[cid] = rec
            if pid not in person_seen:
                pending.append((pid, no, cid))
            elif pid not in persons:
                rec["person_invalid"] = True  # its own error is already reported
    if pending:
        found = _existing(Person, {p for p, _, _ in pending}, ("id",))
        for pid, no, cid in pending:
            if pid in found:
                cases[cid]["person_pk"] = found[pid]["id"]
            else:
                col.add(name, no, f'person "{pid}" finns inte')
                cases.pop(cid, None)
    for ext_id in _existing(Case, seen, ()):
        col.add(name, seen[ext_id], f'ärende "{ext_id}" finns redan i databasen')
    cases["__seen__"] = col.seen(name, seen)
    return cases


def _validate_events(source, col, cases):
    name = "events.jsonl"
    seen, events = {}, {}
    case_seen = cases.pop("__seen__")
    known = {"id", "case_id", "type", "date"}
    for no, obj in _load_lines(source, name, col):
        eid = _check_id(obj, name, no, col, seen, "händelse")
        if eid is None:
            continue
        etype = obj.get("type")
        if etype not in EVENT_TYPES:
            col.add(name, no, f'fältet "type": okänd händelsetyp {json.dumps(etype, ensure_ascii=False)}')
            continue
        fields = FIELDS[etype]
        allowed = known | {f.name for f in fields} | set(EVENT_EXTENSIONS)
        rec = {"line": no, "ext_id": eid, "type": etype, "refs": [],
               "extra": {k: v for k, v in obj.items() if k not in allowed}}
        ok = True
        cid = obj.get("case_id")
        if not isinstance(cid, str):
            col.add(name, no, 'fältet "case_id" saknas eller är inte en sträng')
            ok = False
        rec["case_ext"] = cid
        try:
            rec["date"] = parse_date(obj.get("date"))
        except ValueError as e:
            col.add(name, no, f'fältet "date": {e}')
            ok = False
        for f in fields:
            msg = validate_field(f, obj.get(f.name), rec)
            if msg:
                col.add(name, no, field_message(f.name, msg))
                ok = False
        if "recorded_at" in obj:
            try:
                ra = datetime.fromisoformat(obj["recorded_at"])
                rec["recorded_at"] = ra if ra.tzinfo else ra.replace(tzinfo=TZ)
            except (TypeError, ValueError):
                col.add(name, no, f'fältet "recorded_at": ogiltig tidpunkt {json.dumps(obj["recorded_at"], ensure_ascii=False)}')
                ok = False
        if "corrects" in obj:
            if not isinstance(obj["corrects"], str):
                col.add(name, no, 'fältet "corrects" ska vara ett händelse-id (sträng)')
                ok = False
            rec["corrects_ext"] = obj["corrects"]
        voided = obj.get("voided", False)
        if not isinstance(voided, bool) or (voided and "corrects" not in obj):
            col.add(name, no, 'fältet "voided" ska vara true eller false och kräver "corrects"')
            ok = False
        rec["voided"] = voided
        if ok:
            events[eid] = rec
    for ext_id in _existing(Event, seen, ()):
        col.add(name, seen[ext_id], f'händelse "{ext_id}" finns redan i databasen')
    event_seen = col.seen(name, seen)

    # Cases: from this file or already in the database.
    missing_cases = {r["case_ext"] for r in events.values() if r["case_ext"] not in case_seen}
    db_cases = _existing(Case, missing_cases, ("id", "opened"))
    # Referenced events not in this file.
    missing_refs = {v for r in events.values() for _, v in r["refs"] if v not in events}
    missing_refs |= {r["corrects_ext"] for r in events.values() if "corrects_ext" in r and r["corrects_ext"] not in events}
    db_events = {}
    if missing_refs:
        for i, row in _existing(Event, missing_refs, ("id", "type", "date", "case__ext_id")).items():
            db_events[i] = {"type": row["type"], "date": row["date"], "case_ext": row["case__ext_id"], "pk": row["id"], "line": None}

    for eid, rec in list(events.items()):
        no = rec["line"]
        cid = rec["case_ext"]
        if cid in case_seen and cid not in cases:
            events.pop(eid)  # the case's own error is already reported
            continue
        if cid in cases:
            opened = cases[cid]["opened"]
        elif cid in db_cases:
            opened = db_cases[cid]["opened"]
            rec["case_pk"] = db_cases[cid]["id"]
        else:
            col.add(name, no, f'ärende "{cid}" finns inte')
            events.pop(eid)
            continue
        if rec["date"] < opened:
            col.add(name, no, f"händelsen är daterad {rec['date']}, före ärendets öppnande {opened}")
        valid_refs = []
        for f, target in rec["refs"]:
            t = events.get(target) or db_events.get(target)
            if t is None and target in event_seen:
                continue  # the referenced event's own error is already reported
            if t is None:
                col.add(name, no, f'fältet "{f.name}": händelse "{target}" finns inte')
            elif t["type"] != f.ref_type:
                col.add(name, no, f'fältet "{f.name}": händelse "{target}" är av typen {t["type"]}, inte {f.ref_type}')
            elif t["case_ext"] != cid:
                col.add(name, no, f'fältet "{f.name}": händelse "{target}" hör till ett annat ärende ({t["case_ext"]})')
            elif t["date"] > rec["date"]:
                col.add(name, no, f'händelsen är daterad {rec["date"]}, före {f.ref_type} "{target}" ({t["date"]})')
            else:
                valid_refs.append((f, target))
        rec["refs"] = valid_refs
        if rec["type"] == EventType.UTREDNING_FORLANGD and rec.get("until") and rec["until"] <= rec["date"]:
            col.add(name, no, f'fältet "until" ({rec["until"]}) måste vara efter beslutsdagen {rec["date"]}')
        if "corrects_ext" in rec:
            t = events.get(rec["corrects_ext"]) or db_events.get(rec["corrects_ext"])
            if t is None:
                col.add(name, no, f'fältet "corrects": händelse "{rec["corrects_ext"]}" finns inte')
            elif t["type"] != rec["type"] or t["case_ext"] != cid:
                col.add(name, no, f'fältet "corrects": en rättelse ska ha samma typ och ärende som händelse "{rec["corrects_ext"]}"')
            elif "corrects_ext" in t:
                col.add(name, no, f'fältet "corrects": händelse "{rec["corrects_ext"]}" är själv en rättelse; rätta originalet')
    _check_sequences(events, col, name)
    return events


def _check_sequences(events, col, name):
    """Rules that need the order of a decision's or an investigation's events."""
    by_beslut, closings = defaultdict(list), defaultdict(list)
    for rec in events.values():
        if "corrects_ext" in rec:
            continue
        for f, target in rec["refs"]:
            if f.ref_type == EventType.BESLUT:
                by_beslut[target].append(rec)
            if rec["type"] == EventType.UTREDNING_AVSLUTAD:
                closings[target].append(rec)
    for target, recs in by_beslut.items():
        recs.sort(key=lambda r: (r["date"], SAME_DAY_ORDER[r["type"]], r["line"]))
        implemented, interrupted = None, False
        for r in recs:
            if r["type"] == EventType.VERKSTALLD:
                if implemented:
                    col.add(name, r["line"], f'beslut "{target}" är redan verkställt (rad {implemented})')
                implemented = r["line"]
            elif r["type"] == EventType.AVBROTT:
                interrupted = True
            elif r["type"] == EventType.ATERUPPTAGEN:
                if not interrupted:
                    col.add(name, r["line"], f'beslut "{target}" återupptas utan föregående avbrott')
                interrupted = False
    for target, recs in closings.items():
        recs.sort(key=lambda r: (r["date"], SAME_DAY_ORDER[r["type"]], r["line"]))
        for r in recs[1:]:
            col.add(name, r["line"], f'utredning "{target}" är redan avslutad (rad {recs[0]["line"]})')


@transaction.atomic
def _write(source, manifest, persons, cases, events, sha, user):
    counts = {"persons": len(persons), "cases": len(cases), "events": len(events)}
    batch = ImportBatch.objects.create(
        sha256=sha, source=source.path[:500], municipality_code=manifest["municipality"]["code"],
        municipality_name=manifest["municipality"]["name"], manifest=manifest, **counts,
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("LOCK TABLE cases_person, cases_case, cases_event IN EXCLUSIVE MODE")

    unit_pk = _ensure_units(manifest.get("units", []), {c["unit"]: c["area"] for c in cases.values()})

    ops = connection.ops
    adate, adatetime = ops.adapt_datefield_value, ops.adapt_datetimefield_value

    next_pk = _next_pk(Person)
    rows = []
    for rec in persons.values():
        rec["pk"] = next_pk
        next_pk += 1
        rows.append((rec["pk"], rec["ext_id"], rec["personnummer"], rec.get("pnr_key"), adate(rec["birth_date"]),
                     rec["sex"], rec["protected_identity"], rec["name"], json.dumps(rec["extra"], ensure_ascii=False)))
    _insert(Person, ("id", "ext_id", "personnummer", "pnr_key", "birth_date", "sex", "protected_identity", "name", "extra"), rows)

    next_pk = _next_pk(Case)
    rows = []
    # A case's caseworker is the Akta user of that username, when there is one (contract-v2 §1).
    user_pk = dict(User.objects.filter(username__in={r["caseworker"] for r in cases.values() if r["caseworker"]})
                   .values_list("username", "pk"))
    for rec in cases.values():
        rec["pk"] = next_pk
        next_pk += 1
        person_pk = rec.get("person_pk") or persons[rec["person_ext"]]["pk"]
        rows.append((rec["pk"], rec["ext_id"], person_pk, rec["area"], rec["case_type"], adate(rec["opened"]),
                     unit_pk[rec["unit"]], 1, json.dumps(rec["extra"], ensure_ascii=False), rec["caseworker"],
                     user_pk.get(rec["caseworker"])))
    _insert(Case, ("id", "ext_id", "person_id", "area", "case_type", "opened", "unit_id", "version", "extra",
                   "caseworker_ref", "caseworker_id"), rows)

    next_pk = _next_pk(Event)
    for rec in events.values():
        rec["pk"] = next_pk
        next_pk += 1
    db_pk = {}
    wanted = {v for r in events.values() for _, v in r["refs"] if v not in events}
    wanted |= {r["corrects_ext"] for r in events.values() if r.get("corrects_ext") and r["corrects_ext"] not in events}
    if wanted:
        db_pk = {k: v["id"] for k, v in _existing(Event, wanted, ("id",)).items()}

    def pk_of(ext):
        return events[ext]["pk"] if ext in events else db_pk[ext]

    recorded_cache = {}
    user_id = user.pk if user is not None and getattr(user, "pk", None) else None
    rows = []
    for rec in events.values():
        refs = {f.column: pk_of(target) for f, target in rec["refs"]}
        d = rec["date"]
        recorded = rec.get("recorded_at")
        if recorded is not None:
            recorded = adatetime(recorded)
        else:
            recorded = recorded_cache.get(d)
            if recorded is None:
                recorded = recorded_cache[d] = adatetime(default_recorded_at(d))
        case_pk = rec.get("case_pk") or cases[rec["case_ext"]]["pk"]
        reasons = rec.get("reasons")
        amount = rec.get("amount_sek")
        rows.append((
            rec["pk"], rec["ext_id"], case_pk, rec["type"], adate(d), recorded, user_id,
            pk_of(rec["corrects_ext"]) if rec.get("corrects_ext") else None, rec["voided"],
            refs.get("aktualisering"), refs.get("utredning"), refs.get("beslut"),
            rec.get("kind", ""), rec.get("outcome", ""), rec.get("legal_basis", ""), rec.get("intervention", ""),
            rec.get("reason"), rec.get("reporter"), None if reasons is None else json.dumps(reasons, ensure_ascii=False),
            adate(rec["until"]) if rec.get("until") else None, rec.get("accepted"),
            None if amount is None else ops.adapt_decimalfield_value(amount, 12, 2),
            json.dumps(rec["extra"], ensure_ascii=False),
            *(rec.get(c) for c in CONTRACT_V2_COLUMNS),
        ))
    _insert(Event, EVENT_INSERT_COLUMNS, rows)
    _reset_sequences()
    return batch, counts


EVENT_INSERT_COLUMNS = (
    "id", "ext_id", "case_id", "type", "date", "recorded_at", "recorded_by_id", "corrects_id", "voided",
    "aktualisering_id", "utredning_id", "beslut_id", "kind", "outcome", "legal_basis", "intervention",
    "reason", "reporter", "reasons", "until", "accepted", "amount_sek", "extra",
)
# Text columns of contract-v2 §1 (NULL when absent).
CONTRACT_V2_COLUMNS = ("decision_level", "delegation_point", "decided_by", "reason_code", "caseworker", "text", "author")
EVENT_INSERT_COLUMNS += CONTRACT_V2_COLUMNS


def _insert(model, columns, rows):
    """Bulk insert of already adapted values: COPY on PostgreSQL, executemany on SQLite.

    The ORM's bulk_create spends most of an import compiling SQL; these rows are validated
    above and adapted with the backend's own adapters, so they go straight in.
    """
    table = model._meta.db_table
    cols = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            with cur.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            sql = f"INSERT INTO {table} ({cols}) VALUES ({', '.join(['%s'] * len(columns))})"
            for i in range(0, len(rows), 5000):
                cur.executemany(sql, rows[i:i + 5000])


def _next_pk(model):
    from django.db.models import Max

    return (model.objects.aggregate(m=Max("id"))["m"] or 0) + 1


def _reset_sequences():
    if connection.vendor != "postgresql":
        return
    from django.core.management.color import no_style

    with connection.cursor() as cur:
        for sql in connection.ops.sequence_reset_sql(no_style(), [Person, Case, Event]):
            cur.execute(sql)


def _ensure_units(declared, used):
    """Units named in the manifest or by cases; a case without `unit` goes to its area's unit."""
    names = dict(Area.choices)
    existing = {u.code: u.pk for u in Unit.objects.all()}
    for u in declared:
        if u["code"] not in existing:
            existing[u["code"]] = Unit.objects.create(code=u["code"], name=u.get("name") or u["code"], area=u.get("area") or "").pk
    for code, area in used.items():
        if code not in existing:
            existing[code] = Unit.objects.create(code=code, name=names.get(code, code), area=area).pk
    return existing


def import_exchange(path, user=None):
    """Import one exchange directory or zip. Raises ImportFailed with every error."""
    try:
        source = Source(path)
        try:
            sha = source.sha256()
            previous = ImportBatch.objects.filter(sha256=sha).first()
            if previous:
                return Result(previous, True, {"persons": 0, "cases": 0, "events": 0})
            manifest, persons, cases, events = validate(source)
        finally:
            source.close()
    except SourceRefused as e:
        raise ImportFailed(e.errors) from None
    batch, counts = _write(source, manifest, persons, cases, events, sha, user)
    # Fresh planner statistics after a bulk load (SQLite plans some statistics queries badly
    # without them); on PostgreSQL outside a transaction also the visibility map, which the
    # deadline queries' index-only scans need.
    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            cur.execute("ANALYZE")
        elif connection.in_atomic_block:
            cur.execute("ANALYZE cases_person, cases_case, cases_event")
        else:
            cur.execute("VACUUM (ANALYZE) cases_person, cases_case, cases_event")
    from akta.audit.services import log_write

    log_write(user, "import", batch.pk, context=f"import av {source.path}: {counts['persons']} personer, {counts['cases']} ärenden, {counts['events']} händelser")
    return Result(batch, False, counts)
