"""The SQL indicators against straightforward Python references built on akta.cases.derived
(case_state / effective_events) and akta.law, over a whole synthetic municipality (small),
plus properties every table must have: totalt = kvinna + man + okänt, and the same numbers
whoever asks; compute_many (parallel on PostgreSQL) against compute."""
import datetime as dt
import threading
from collections import Counter, defaultdict

import pytest
from django.db import connection

from akta.cases.models import Case, Event
from akta.cases.derived.decisions import is_reportable_basis
from akta.cases.derived.events import effective_events
from akta.cases.derived.state import case_state
from akta.followup.engine import SEXES, TOTAL
from akta.followup.indicators import INDICATORS
from akta.followup import services
from akta.followup.engine import ParameterError
from akta.followup.services import compute, compute_many
from akta.law import services as law

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="session")
def small_dir(tmp_path_factory):
    from akta.synth.generator import generate

    out = tmp_path_factory.mktemp("small") / "small"
    generate("small", 7, out)
    return out


@pytest.fixture
def small(small_dir):
    from akta.exchange.importer import import_exchange

    import_exchange(small_dir)
    cases = {c.pk: c for c in Case.objects.select_related("person")}
    events = defaultdict(list)
    for e in Event.objects.all():
        events[e.case_id].append(e)
    return cases, events


def by_sex(counter):
    return {s: counter.get(s, 0) for s in SEXES}


def sql_by_sex(table, column, **key):
    out = Counter()
    for r in table.records():
        if r["sex"] != TOTAL and all(r[k] == v for k, v in key.items()):
            out[r["sex"]] += r[column]
    return by_sex(out)


def active_in(case, evs, start, end):
    """Open on some day of [start, end]: the case is open during day d if it was opened that
    day, was open at the end of the day before, or an aktualisering re-opened it that day."""
    if case.opened > end:
        return False
    days = {start} | {e.date for e in effective_events(evs) if start <= e.date <= end}
    if start <= case.opened <= end:
        return True
    for d in sorted(days):
        if case_state(evs, as_of=d - dt.timedelta(days=1)).is_open:
            return True
        if any(e.type == "aktualisering" and e.date == d for e in effective_events(evs)):
            return True
    return False


@pytest.mark.parametrize("year", [2023, 2024])
def test_cases_active_and_persons_active_equal_the_state_reference(small, year):
    cases, events = small
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    ref_cases, ref_persons = Counter(), defaultdict(set)
    for pk, c in cases.items():
        if active_in(c, events[pk], start, end):
            ref_cases[(c.area, c.person.sex)] += 1
            ref_persons[(c.area, c.person.sex)].add(c.person_id)
    t = compute("cases_active", year=year)
    p = compute("persons_active", year=year)
    for area in {a for a, _ in ref_cases} | {r["area"] for r in t.records()}:
        assert sql_by_sex(t, "count", area=area) == by_sex({s: n for (a, s), n in ref_cases.items() if a == area})
        assert sql_by_sex(p, "count", area=area) == by_sex({s: len(v) for (a, s), v in ref_persons.items() if a == area})


@pytest.mark.parametrize("as_of", ["2023-06-30", "2024-12-31", "2025-03-15"])
def test_utredningar_open_equals_the_state_reference(small, as_of):
    cases, events = small
    a = dt.date.fromisoformat(as_of)
    ref = defaultdict(Counter)
    for pk, c in cases.items():
        st = case_state(events[pk], as_of=a)
        effective = effective_events(events[pk], as_of=a)
        for inv in st.open_investigations:
            sex = c.person.sex
            ref[sex]["total"] += 1
            within = law.due("utredning_4m", inv.date) >= a
            ref[sex]["within_4m" if within else "over_4m"] += 1
            if not within and any(e.type == "utredning_forlangd" and e.utredning_id == inv.effective_id
                                  and e.until >= a for e in effective):
                ref[sex]["over_4m_extended"] += 1
    t = compute("utredningar_open", as_of=as_of)
    for col in ("total", "within_4m", "over_4m", "over_4m_extended"):
        assert sql_by_sex(t, col) == by_sex({s: ref[s][col] for s in SEXES}), col


@pytest.mark.parametrize("as_of", ["2024-06-30", "2025-12-31"])
def test_evb_waiting_and_active_interventions_equal_the_state_reference(small, as_of):
    cases, events = small
    a = dt.date.fromisoformat(as_of)
    ref, active = Counter(), Counter()
    for pk, c in cases.items():
        st = case_state(events[pk], as_of=a)
        for d in st.awaiting_implementation + st.interrupted:
            b = d.beslut
            if not is_reportable_basis(b.legal_basis):
                continue
            since = d.interrupted or b.date
            for lo, hi, col in ((3, 6, "months_3_6"), (6, 9, "months_6_9"), (9, 12, "months_9_12"), (12, None, "months_12_plus")):
                if a > law.add_period(since, months=lo) and (hi is None or a <= law.add_period(since, months=hi)):
                    ref[(b.legal_basis, c.person.sex, col)] += 1
        if st.is_open:
            for d in st.active_interventions:
                active[(d.beslut.intervention, c.person.sex)] += 1
    t = compute("evb_waiting", as_of=as_of)
    got = Counter()
    for r in t.records():
        if r["sex"] != TOTAL:
            for col in ("months_3_6", "months_6_9", "months_9_12", "months_12_plus"):
                if r[col]:
                    got[(r["legal_basis"], r["sex"], col)] = r[col]
    assert got == +ref
    ia = compute("interventions_active", as_of=as_of)
    assert Counter({(r["intervention"], r["sex"]): r["insatser"] for r in ia.records()
                    if r["sex"] != TOTAL and r["insatser"]}) == +active


def test_every_table_has_totalt_equal_to_the_sum_of_its_parts(small):
    for ind in INDICATORS.values():
        params = {"as_of": "2024-12-31"} if ind.period == "as_of" else {"year": 2024}
        t = compute(ind.id, **params)
        groups = defaultdict(dict)
        for i, row in enumerate(t.rows):
            if t.key_of(row) in t.summary_keys:
                continue
            rec = dict(zip(t.columns, row))
            g = tuple(rec[k] for k in ind.key_columns if k != "sex")
            groups[g][rec["sex"]] = rec
        assert groups or any(d.values is None for d in ind.dims), ind.id  # only open dimensions may be empty
        for g, parts in groups.items():
            assert set(parts) == {"kvinna", "man", "okänt", "totalt"}, (ind.id, g)
            for m in ind.count_columns:
                assert parts["totalt"][m] == sum(parts[s][m] for s in SEXES), (ind.id, g, m)


def test_the_same_numbers_whoever_asks(small, make_user):
    """compute() takes no user; the web layer passes none. Two users' pages give equal tables."""
    from django.test import Client

    from akta.access.models import Role, Unit

    units = list(Unit.objects.values_list("code", flat=True))
    a = make_user("u1", units=units[:1])
    b = make_user("u2", role=Role.ENHETSCHEF, units=units, may_view_protected=True)
    out = []
    for user in (a, b):
        c = Client()
        c.force_login(user)
        out.append([c.get(f"/uppfoljning/indikator/{i}/", {"format": "json", **(
            {"as_of": "2024-12-31"} if ind.period == "as_of" else {"year": 2024})}).json() for i, ind in INDICATORS.items()])
    assert out[0] == out[1]


def _threads_of(monkeypatch):
    """The threads compute_normalized runs in (compute and compute_many both end there)."""
    seen, real = set(), services.compute_normalized

    def spy(*args, **kw):
        seen.add(threading.get_ident())
        return real(*args, **kw)

    monkeypatch.setattr(services, "compute_normalized", spy)
    return seen


@pytest.mark.django_db(transaction=True)  # committed rows: the parallel connections must see them
def test_compute_many_returns_the_tables_of_compute(small, monkeypatch):
    """Every indicator, as corrected and as reported, one masked: the same tables as compute one
    by one, in the caller's order; on PostgreSQL (outside a transaction) computed on the
    workers' own connections."""
    requests = {}
    for ind in INDICATORS.values():
        params = {"as_of": "2024-12-31"} if ind.period == "as_of" else {"year": 2024}
        requests[ind.id] = (ind.id, params)
        requests[ind.id, "reported"] = (ind.id, {**params, "as_reported": "2024-06-30"})
    requests["masked"] = ("aktualiseringar", {"from": "2024-01-01", "to": "2024-06-30", "mask": 10})
    threads = _threads_of(monkeypatch)
    many = compute_many(requests)
    assert list(many) == list(requests)
    if connection.vendor == "postgresql":
        assert threads and threading.get_ident() not in threads
    for key, (ind_id, params) in requests.items():
        one = compute(ind_id, **params)
        assert (many[key].indicator, many[key].params, many[key].columns, many[key].rows, many[key].masked) == (
            one.indicator, one.params, one.columns, one.rows, one.masked), key
        assert many[key].content_hash == one.content_hash


def test_compute_many_in_a_transaction_sees_its_uncommitted_rows(monkeypatch):
    """Inside a transaction (here the test's), compute_many stays on this connection."""
    from akta.followup.tests.history import History

    h = History()
    h.case(h.person("man"), opened="2024-05-01")
    threads = _threads_of(monkeypatch)
    many = compute_many({y: ("cases_opened", {"year": y}) for y in (2023, 2024)})
    assert threads == {threading.get_ident()}
    assert sum(r["count"] for r in many[2024].records() if r["sex"] == "man") == 1
    assert sum(r["count"] for r in many[2023].records()) == 0


def test_compute_many_checks_every_request_first(monkeypatch):
    threads = _threads_of(monkeypatch)
    with pytest.raises(ParameterError, match="år"):
        compute_many({"a": ("cases_active", {"year": 2024}), "b": ("cases_active", {"year": "20x4"})})
    with pytest.raises(ParameterError, match="okänd indikator"):
        compute_many({"a": ("no_such", {"year": 2024})})
    assert not threads  # nothing computed
