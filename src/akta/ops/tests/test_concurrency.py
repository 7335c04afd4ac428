"""Concurrent writers (issue 10 item 8): 8 threads, each with its own PostgreSQL connection,
write events to three shared cases through akta.cases.services.record_event (what the web form
and the API call, with the case's optimistic lock) and edit one shared risk through
akta.quality.services.update (its version check), for AKTA_CONCURRENCY_SECONDS (default 60).

Afterwards: no lost update (every accepted write is stored, each version was accepted once, every
refusal was the Conflict error), no duplicate, no other error (no deadlock), and the audit
chain verifies (one entry per accepted event, no fork)."""
import datetime as dt
import os
import random
import threading
import time
from collections import Counter, defaultdict

import pytest
from django.db import connection

from akta.access.models import Unit
from akta.audit import services as audit
from akta.audit.models import AuditEntry
from akta.cases import services as cases
from akta.cases.models import Case, Event, EventType
from akta.quality import models as qm
from akta.quality import services as quality

THREADS = 8


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_lose_nothing_and_the_chain_does_not_fork(imported, make_user):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite skriver en transaktion i taget (databaslåset); samtidiga skrivare prövas på PostgreSQL")
    seconds = float(os.environ.get("AKTA_CONCURRENCY_SECONDS", "60"))
    units = list(Unit.objects.values_list("code", flat=True))
    users = [make_user(f"skrivare{i}", units=units) for i in range(THREADS)]
    shared = list(Case.objects.order_by("pk")[:3])
    akt = {c.pk: c.events.filter(type=EventType.AKTUALISERING).order_by("pk").first().ext_id for c in shared}
    risk = quality.create(qm.Risk, users[0], title="Samtidiga ändringar", likelihood=2, consequence=2,
                          identified_on=dt.date(2024, 1, 5), owner=users[0])
    start_version = {c.pk: c.version for c in shared}
    events_before = set(Event.objects.values_list("ext_id", flat=True))
    seq_before = AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    today = dt.date.today().isoformat()

    accepted = defaultdict(list)  # case pk -> [(expected version, event ext_id)]
    risk_accepted = []  # (expected version, description)
    refused = Counter()
    errors = []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def writer(n, user):
        rnd = random.Random(n)
        k = 0
        try:
            while time.monotonic() < deadline:
                k += 1
                if rnd.random() < 0.8:
                    case = Case.objects.get(pk=rnd.choice(shared).pk)
                    version = case.version
                    etype, data = ((EventType.AVFLYTTAD, {"date": today}) if rnd.random() < 0.5 else
                                   (EventType.SKYDDSBEDOMNING, {"date": today, "aktualisering_id": akt[case.pk]}))
                    try:
                        event = cases.record_event(user, case, etype, data, version)
                    except cases.Conflict:
                        with lock:
                            refused["event"] += 1
                    else:
                        with lock:
                            accepted[case.pk].append((version, event.ext_id))
                else:
                    current = qm.Risk.objects.get(pk=risk.pk)
                    text = f"skrivare {n}, ändring {k}"
                    try:
                        quality.update(current, user, current.version, {"description": text})
                    except quality.Conflict:
                        with lock:
                            refused["risk"] += 1
                    else:
                        with lock:
                            risk_accepted.append((current.version, text))
        except Exception as e:  # anything but a conflict is a failure (a deadlock, a unique violation…)
            with lock:
                errors.append(f"{user.username}: {type(e).__name__}: {e}")
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(n, u)) for n, u in enumerate(users)]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + 60)
    elapsed = time.monotonic() - t0
    assert not any(t.is_alive() for t in threads)
    assert errors == []

    n_events = sum(len(v) for v in accepted.values())
    print(f"\nsamtidiga skrivare: {THREADS} trådar, {elapsed:.1f} s: {n_events} händelser sparade, "
          f"{refused['event']} vägrade (Conflict); {len(risk_accepted)} riskändringar sparade, "
          f"{refused['risk']} vägrade")
    assert n_events > 0 and refused["event"] > 0, "no contention: the test proved nothing"
    assert len(risk_accepted) > 0 and refused["risk"] > 0

    # Events: exactly the accepted ones are new, each version of a case was accepted once.
    new = list(Event.objects.exclude(ext_id__in=events_before).values_list("case_id", "ext_id"))
    assert sorted(e for _, e in new) == sorted(e for v in accepted.values() for _, e in v)
    assert len(new) == len({e for _, e in new})
    for case in Case.objects.filter(pk__in=start_version):
        versions = sorted(v for v, _ in accepted[case.pk])
        assert versions == list(range(start_version[case.pk], start_version[case.pk] + len(versions)))
        assert case.version == start_version[case.pk] + len(versions)
        assert sum(1 for c, _ in new if c == case.pk) == len(versions)

    # The audit chain: one write entry per accepted event, no entry for a refused one, no fork.
    logged = Counter(AuditEntry.objects.filter(seq__gt=seq_before, action=AuditEntry.WRITE, object_type="event")
                     .values_list("object_id", flat=True))
    assert logged == Counter(e for _, e in new)
    report = audit.verify_report()
    assert report.problems == []
    assert report.last_seq == AuditEntry.objects.count()

    # The risk: each version accepted once, and its history is an unbroken chain of the accepted texts.
    risk.refresh_from_db()
    assert sorted(v for v, _ in risk_accepted) == list(range(1, 1 + len(risk_accepted)))
    assert risk.version == 1 + len(risk_accepted)
    history = list(qm.QualityHistory.objects.filter(entity="risk", entity_id=risk.pk, action="ändrad").order_by("version"))
    assert [h.version for h in history] == list(range(2, 2 + len(risk_accepted)))
    by_version = dict(risk_accepted)
    previous = ""
    for h in history:
        before, after = h.change["description"]
        assert (before or "") == previous
        assert after == by_version[h.version - 1]
        previous = after
    assert risk.description == previous
