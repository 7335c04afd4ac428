"""The extensions of the log for issue 10 item 7: several persons at once, and denied attempts.

Both go through the one append path (services.log_access), so the chain still verifies.
"""
from akta.audit import services
from akta.audit.models import AuditEntry
from akta.cases.models import Person


def test_log_reads_writes_one_entry_per_distinct_person_and_keeps_the_chain(imported, chief):
    p1, p4 = Person.objects.get(ext_id="P1"), Person.objects.get(ext_id="P4")
    start = AuditEntry.objects.count()
    assert services.log_reads(chief, "case", "api-lista", [p1, p4, p1, None], context="api: ärenden, lista") == 2
    entries = list(AuditEntry.objects.filter(seq__gt=start).order_by("seq"))
    assert [(e.person_id, e.person_protected, e.action) for e in entries] == [
        (p1.pk, False, AuditEntry.READ), (p4.pk, True, AuditEntry.READ)]
    assert [e.context for e in services.entries(person=p4)][:1] == ["api: ärenden, lista"]
    assert services.verify() == []


def test_a_search_that_finds_nobody_still_leaves_one_entry(imported, chief):
    start = AuditEntry.objects.count()
    assert services.log_reads(chief, "case", "sökning", [], context="sökning") == 0
    assert list(AuditEntry.objects.filter(seq__gt=start).values_list("person_id", "context")) == [(None, "sökning")]


def test_a_denied_attempt_is_its_own_action_with_the_person(imported, eb_user):
    p1 = Person.objects.get(ext_id="P1")
    services.log_denied(eb_user, "case", "C1\x00" + "x" * 300, person=p1, context="personakt: finns inte i dina enheter")
    e = AuditEntry.objects.order_by("-seq").first()
    assert (e.action, e.get_action_display(), e.person_id) == (AuditEntry.DENIED, "nekad åtkomst", p1.pk)
    assert "\x00" not in e.object_id and len(e.object_id) == 255
    assert services.verify() == []
