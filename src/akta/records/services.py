"""Executing a culling (``akta culling --as-of DATE --execute``; contract-v2 §4; SoL 12 kap. 1 §).

:func:`execute` culls every case classified ``gallra`` (:mod:`akta.records.classification`):

* persons are taken in batches; each batch is one transaction that first locks the batch's
  cases (a writer records an event under its case's row, ``cases.services.record_event``), then
  classifies them again and culls only what is still ``gallra`` and has no entry dated after
  the as-of day. A case re-opened meanwhile is therefore never culled, and a run that stops
  halfway leaves whole batches only; running again continues with what is left.
* what is removed: every event of the case (journal notes and free text included), the case,
  and the person when no case of theirs remains. Events are append-only (``Event.delete``
  raises); this module is the one documented path that removes them, with one queryset delete
  that bypasses the model's method (``_raw_delete``). The case goes through Django's collector,
  so the quality registers' links to it (deviations, lex Sarah, egenkontroll samples) are set to
  NULL; before that, ``cases.signals.cases_culled`` lets them keep the case's id as text
  (``culled_case_ref``, with a history entry; a sample's ``case_ref``).
* what is kept: a :class:`~akta.records.models.CullingLog` row per case (no personal data), the
  run (:class:`~akta.records.models.CullingRun`, the gallringsbeslut) and a
  :class:`~akta.cases.models.CaseRemoval` per batch, which makes the deadline worklists rebuild
  their snapshots.
* the read/write log is not touched: its entries about the person keep the person's internal
  number, which after culling points at nothing (a pseudonym), and each culled person gets one
  more entry, ``write`` of ``gallring`` with the run's number; so ``akta auditlog verify`` still
  passes, and the log's own retention decides when those entries go.
"""
from __future__ import annotations

import datetime as dt
from itertools import islice

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from akta.audit import integrity
from akta.audit.services import log_write, log_writes
from akta.cases.models import Case, CaseRemoval, Event, Person
from akta.cases.signals import cases_culled
from akta.law import services as law
from akta.records.classification import GALLRA, cases_with_entries_after, culling_status
from akta.records.models import CullingLog, CullingRun

BATCH_PERSONS = 500


class CullingRefused(ValueError):
    pass


def pseudonym(person_ext_id: str) -> str:
    """The person in the culling log: HMAC-SHA256 of the id under the audit key (outside the
    database)."""
    return integrity.mac(b"gallring:person:" + person_ext_id.encode())


def check_as_of(as_of: dt.date):
    today = timezone.localdate()
    if as_of > today:
        raise CullingRefused(f"--as-of {as_of} ligger i framtiden (i dag är {today}); gallring görs per dag som passerat")


def _next_number(year):
    n = CullingRun.objects.filter(number__startswith=f"G-{year}-").count() + 1
    return f"G-{year}-{n:04d}"


def _chunks(items, n):
    it = iter(items)
    while chunk := list(islice(it, n)):
        yield chunk


def execute(as_of: dt.date, *, user=None, performed_by_name="", batch_persons=BATCH_PERSONS, progress=None):
    """Cull every ``gallra`` case as of ``as_of``; the finished :class:`CullingRun`."""
    check_as_of(as_of)
    culling = law.culling_rule(as_of)
    planned = [r for r in culling_status(as_of) if r.action == GALLRA]
    persons = sorted({r.person_pk for r in planned})
    now = timezone.now()
    run = CullingRun.objects.create(
        number=_next_number(now.year), as_of=as_of, performed_by=user if getattr(user, "pk", None) else None,
        performed_by_name=performed_by_name or getattr(user, "username", "") or "system",
        rule=culling.id, reference=culling.reference(as_of))
    done = 0
    for batch in _chunks(persons, batch_persons):
        with transaction.atomic():
            list(Case.objects.select_for_update().filter(person_id__in=batch).values_list("pk", flat=True))
            later = cases_with_entries_after(as_of, batch)
            rows = [r for r in culling_status(as_of, batch) if r.action == GALLRA and r.person_pk not in later]
            planned_here = sum(1 for r in planned if r.person_pk in set(batch))
            removed_persons = _remove(rows, run, user)
            run.count += len(rows)
            run.persons_removed += removed_persons
            run.skipped += max(0, planned_here - len(rows))
            run.save(update_fields=["count", "persons_removed", "skipped"])
        done += len(batch)
        if progress:
            progress(done, len(persons), run.count)
    run.finished_at = timezone.now()
    run.save(update_fields=["finished_at"])
    log_write(user, "gallringsbeslut", run.number,
              context=f"gallring per {as_of}: {run.count} ärenden, {run.persons_removed} personer")
    return run


def _remove(rows, run, user) -> int:
    """Remove the rows' cases (inside the caller's transaction); the number of persons removed."""
    if not rows:
        return 0
    case_pks = [r.case_pk for r in rows]
    person_pks = sorted({r.person_pk for r in rows})
    at = timezone.now()
    CullingLog.objects.bulk_create([
        CullingLog(run=run, case_id=r.case_id, person_pseudonym=pseudonym(r.person_id), last_entry=r.last_entry,
                   due=r.due, cull_by=r.cull_by, reason=r.reason, reference_key=r.reference_key, culled_at=at)
        for r in rows], batch_size=1000)
    # The audit entries are written before the persons go (they are read for the protected flag).
    log_writes(user, "gallring", run.number, Person.objects.filter(pk__in=person_pks).order_by("pk"),
               context=f"gallrad enligt {run.rule}")
    cases_culled.send(sender=CullingRun, cases={r.case_pk: r.case_id for r in rows}, run=run.number)
    # The one path that removes events (Event.delete raises): one statement, no model method.
    events = Event.objects.filter(case_id__in=case_pks)
    events._raw_delete(events.db)
    Case.objects.filter(pk__in=case_pks).delete()
    orphans = Person.objects.filter(pk__in=person_pks).exclude(Exists(Case.objects.filter(person_id=OuterRef("pk"))))
    removed, _ = orphans.delete()
    CaseRemoval.objects.create(reason=f"gallring {run.number}", count=len(case_pks))
    return removed
