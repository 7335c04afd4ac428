"""The read/write log (loggkontroll) is append-only and its hash chain detects tampering."""
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from akta.audit import services
from akta.audit.models import AuditEntry
from akta.cases.models import Person


@pytest.fixture
def logged(imported, bou_user, chief):
    p1, p4 = Person.objects.get(ext_id="P1"), Person.objects.get(ext_id="P4")
    services.log_read(bou_user, "case", "C1", person=p1, context="personakt")
    services.log_read(chief, "case", "C4", person=p4, context="personakt")
    services.log_write(bou_user, "event", "E99", person=p1, context="registrerade beslut")
    services.log_read(bou_user, "case", "C1", person=p1, context="api")
    return p1, p4


def test_intact_chain_verifies(logged):
    assert services.verify() == []
    call_command("auditlog", "verify")


def test_the_three_questions(logged, bou_user):
    p1, p4 = logged
    assert [e.context for e in services.entries(person=p1)] == ["api", "registrerade beslut", "personakt"]
    assert {e.object_id for e in services.entries(username="anna")} == {"C1", "E99"}
    assert [(e.username, e.object_id) for e in services.entries(protected_only=True)] == [("cecilia", "C4")]


def test_model_refuses_update_and_delete(logged):
    e = AuditEntry.objects.first()
    e.context = "ändrad"
    with pytest.raises(PermissionError):
        e.save()
    with pytest.raises(PermissionError):
        e.delete()


def _raw(sql, params=()):
    with connection.cursor() as cur:
        cur.execute(sql, params)


def test_changed_row_is_detected(logged):
    seq = AuditEntry.objects.filter(username="cecilia").get().seq
    _raw("UPDATE audit_auditentry SET username = %s WHERE seq = %s", ["anna", seq])
    assert services.verify() == [f"post {seq}: innehållet har ändrats"]
    with pytest.raises(CommandError, match="inte intakt"):
        call_command("auditlog", "verify")


def test_changed_row_with_recomputed_hash_breaks_the_next_link(logged):
    e = AuditEntry.objects.get(username="cecilia")
    forged = services._digest(e.prev_hash, e.seq, e.at, "anna", e.action, e.object_type, e.object_id, e.person_id, e.person_protected, e.context)
    _raw("UPDATE audit_auditentry SET username = %s, hash = %s WHERE seq = %s", ["anna", forged, e.seq])
    assert f"post {e.seq + 1}: kedjan bruten (föregående hash stämmer inte)" in services.verify()


def test_deleted_middle_row_is_detected(logged):
    seq = AuditEntry.objects.order_by("seq")[1].seq
    _raw("DELETE FROM audit_auditentry WHERE seq = %s", [seq])
    problems = services.verify()
    assert f"post {seq}–{seq} saknas (raderad)" in problems


def test_deleted_last_row_is_detected(logged):
    last = AuditEntry.objects.order_by("-seq").first().seq
    _raw("DELETE FROM audit_auditentry WHERE seq = %s", [last])
    assert services.verify() == [f"kedjans slut stämmer inte: huvudet anger post {last}, sista posten är {last - 1}"]


def test_cli_answers_who_read_person(logged, capsys):
    call_command("auditlog", "person", "P4")
    out = capsys.readouterr().out
    assert "cecilia" in out and "anna" not in out
