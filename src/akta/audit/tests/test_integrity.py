"""The log cannot be rewritten from inside the database (issue 10 item 5).

The attacker can run any SQL but has neither the HMAC key nor the checkpoints outside the
database. verify must catch each of: an edited entry, a recomputed chain, a truncated tail and a
deleted middle.
"""
import hashlib
import json
import stat

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from akta.audit import integrity, services
from akta.audit.models import AuditEntry, AuditHead
from akta.cases.models import Person


def _raw(sql, params=()):
    with connection.cursor() as cur:
        cur.execute(sql, params)


@pytest.fixture
def chain(imported, bou_user, chief):
    """Six entries, and a checkpoint of the head written outside the database."""
    p1, p4 = Person.objects.get(ext_id="P1"), Person.objects.get(ext_id="P4")
    for i in range(3):
        services.log_read(bou_user, "case", "C1", person=p1, context=f"personakt {i}")
        services.log_read(chief, "case", "C4", person=p4, context=f"personakt {i}")
    services.checkpoint()
    assert services.verify() == []
    return list(AuditEntry.objects.order_by("seq"))


def _keyless_rechain(from_seq, changes=None, renumber=0):
    """What an attacker without the key can do: rewrite rows and recompute every following hash
    (plain SHA-256, as the old chain used), then reset the head to the new end."""
    entries = list(AuditEntry.objects.order_by("seq"))
    prev = next((e.hash for e in entries if e.seq == from_seq - 1 - renumber), services.GENESIS)
    for e in entries:
        if e.seq < from_seq:
            continue
        for k, v in (changes or {}).get(e.seq, {}).items():
            setattr(e, k, v)
        seq = e.seq - renumber
        h = hashlib.sha256(services._payload(prev, seq, e.at, e.username, e.action, e.object_type, e.object_id,
                                              e.person_id, e.person_protected, e.context)).hexdigest()
        _raw("UPDATE audit_auditentry SET seq = %s, username = %s, context = %s, prev_hash = %s, hash = %s, scheme = %s "
             "WHERE id = %s", [seq, e.username, e.context, prev, h, "sha256", e.id])
        prev = h
    last = AuditEntry.objects.order_by("-seq").first()
    _raw("UPDATE audit_audithead SET seq = %s, hash = %s", [last.seq, last.hash])


def test_entries_are_hmacs_under_a_key_outside_the_database(chain):
    e = chain[0]
    assert e.scheme == "hmac"
    plain = hashlib.sha256(services._payload(e.prev_hash, e.seq, e.at, e.username, e.action, e.object_type,
                                             e.object_id, e.person_id, e.person_protected, e.context)).hexdigest()
    assert e.hash != plain
    assert integrity.key() not in json.dumps([list(AuditEntry.objects.values_list()), list(AuditHead.objects.values_list())],
                                             default=str).encode()


def test_edited_entry_is_detected(chain):
    seq = chain[2].seq
    _raw("UPDATE audit_auditentry SET username = %s WHERE seq = %s", ["anna", seq])
    assert f"post {seq}: innehållet har ändrats" in services.verify()
    with pytest.raises(CommandError, match="inte intakt"):
        call_command("auditlog", "verify")


def test_recomputed_chain_is_detected(chain):
    seq = chain[1].seq  # cecilia's read of the protected person, made to look like anna's
    _keyless_rechain(seq, {seq: {"username": "anna"}})
    problems = services.verify()
    # Recomputed as plain SHA-256 it passes as an old-format entry, but not after keyed ones.
    assert f"post {seq}: saknar HMAC men kommer efter poster med HMAC" in problems
    assert not any("kedjan bruten" in p for p in problems)  # the links themselves were redone
    # Recomputed with some other key and marked as keyed: its MAC fails.
    _raw("UPDATE audit_auditentry SET scheme = 'hmac'")
    assert f"post {seq}: innehållet har ändrats" in services.verify()


def test_recomputed_chain_from_the_first_entry_is_detected_by_the_checkpoint(chain):
    _keyless_rechain(1, {1: {"context": "ingenting"}})  # every entry now looks like a consistent old chain
    problems = services.verify()
    assert any("stämmer inte med kontrollpunkten" in p and "kedjan har skrivits om" in p for p in problems)


def test_truncated_tail_with_the_head_reset_is_detected(chain):
    keep = chain[-3]
    _raw("DELETE FROM audit_auditentry WHERE seq > %s", [keep.seq])
    _raw("UPDATE audit_audithead SET seq = %s, hash = %s", [keep.seq, keep.hash])
    problems = services.verify()
    assert problems == [f"kontrollpunkten {json.loads(_last_checkpoint_line())['at']} "
                        f"({integrity.checkpoint_file()}:1) anger post {chain[-1].seq}, men sista posten är "
                        f"{keep.seq}: slutet av loggen har tagits bort"]


def _last_checkpoint_line():
    return integrity.checkpoint_file().read_text().strip().splitlines()[-1]


def test_deleted_middle_entry_is_detected_also_when_the_rest_is_renumbered(chain):
    gone = chain[2].seq
    _raw("DELETE FROM audit_auditentry WHERE seq = %s", [gone])
    assert f"post {gone}–{gone} saknas (raderad)" in services.verify()
    _keyless_rechain(gone + 1, renumber=1)  # close the gap and recompute the links
    problems = services.verify()
    assert f"post {gone}: saknar HMAC men kommer efter poster med HMAC" in problems
    assert any("slutet av loggen har tagits bort" in p for p in problems)


def test_checkpoint_document_catches_truncation_when_the_checkpoint_file_is_gone(chain, tmp_path):
    doc = tmp_path / "kontrollpunkt.json"
    call_command("auditlog", "checkpoint", "--out", str(doc))
    cp = json.loads(doc.read_text())
    assert cp["format"] == "akta-audit-checkpoint/1" and cp["seq"] == chain[-1].seq and cp["mac"] == chain[-1].hash
    integrity.checkpoint_file().unlink()
    keep = chain[-2]
    _raw("DELETE FROM audit_auditentry WHERE seq > %s", [keep.seq])
    _raw("UPDATE audit_audithead SET seq = %s, hash = %s", [keep.seq, keep.hash])
    assert services.verify() == []  # without any checkpoint the cut is invisible
    problems = services.verify([doc])
    assert len(problems) == 1 and "slutet av loggen har tagits bort" in problems[0]
    with pytest.raises(CommandError):
        call_command("auditlog", "verify", "--checkpoint", str(doc))


def test_a_forged_checkpoint_is_refused(chain):
    path = integrity.checkpoint_file()
    cp = json.loads(_last_checkpoint_line())
    cp["seq"] = 1
    path.write_text(path.read_text() + json.dumps(cp) + "\n")
    assert any("signatur stämmer inte" in p for p in services.verify())


def test_checkpoints_are_written_every_n_entries_after_commit(imported, bou_user, settings,
                                                             django_capture_on_commit_callbacks):
    settings.AUDIT_CHECKPOINT_EVERY = 2
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(5):
            services.log_read(bou_user, "case", "C1")
    seqs = [json.loads(line)["seq"] for line in integrity.checkpoint_file().read_text().splitlines()]
    written = list(AuditEntry.objects.order_by("seq").values_list("seq", flat=True))[-5:]
    assert seqs == [s for s in written if s % 2 == 0]
    out = _verify_command()
    assert "Loggen är intakt" in out and f"{len(seqs)} kontrollpunkter stämmer" in out


def _verify_command():
    import io

    buf = io.StringIO()
    call_command("auditlog", "verify", stdout=buf)
    return buf.getvalue()


def test_key_file_is_created_once_with_owner_only_permissions(db, settings, tmp_path):
    settings.AUDIT_KEY_FILE = tmp_path / "sub" / "audit.key"
    k = integrity.key()
    assert len(k) >= 32
    assert stat.S_IMODE(settings.AUDIT_KEY_FILE.stat().st_mode) == 0o600
    integrity._cache.clear()
    assert integrity.key() == k


def test_key_from_the_environment(db, monkeypatch, settings, tmp_path):
    settings.AUDIT_KEY_FILE = tmp_path / "never.key"
    monkeypatch.setenv("AKTA_AUDIT_KEY", "k" * 40)
    assert integrity.key() == b"k" * 40
    assert not settings.AUDIT_KEY_FILE.exists()
    monkeypatch.setenv("AKTA_AUDIT_KEY", "kort")
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured):
        integrity.key()


def test_a_new_chain_is_checkpointed_at_its_first_entry(db, make_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.log_read(make_user("ny"), "case", "C1")
    assert [json.loads(line)["seq"] for line in integrity.checkpoint_file().read_text().splitlines()] == [1]


def test_entries_from_before_the_keyed_chain_still_verify(db, make_user):
    """A database upgraded from the plain hash chain: its old entries keep their SHA-256."""
    at = __import__("django.utils.timezone", fromlist=["now"]).now()
    prev = services.GENESIS
    for seq in (1, 2):
        h = services._digest(prev, seq, at, "gammal", "read", "case", "C1", None, False, "före uppgraderingen")
        AuditEntry.objects.create(seq=seq, at=at, username="gammal", action="read", object_type="case", object_id="C1",
                                  context="före uppgraderingen", prev_hash=prev, hash=h, scheme="sha256")
        prev = h
    AuditHead.objects.update_or_create(pk=1, defaults={"seq": 2, "hash": prev})
    services.log_read(make_user("ny"), "case", "C1")
    report = services.verify_report()
    assert report.problems == [] and report.legacy == 2 and report.last_seq == 3
    assert "varav 2 i äldre format" in _verify_command()
