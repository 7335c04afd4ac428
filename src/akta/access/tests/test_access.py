"""Need-to-know access and protected identities (OSL, SoL 12 kap.; DOMAIN.md §6)."""
import os
import subprocess
import sys

from akta.access.services import may_see_case, may_see_identity, visible_cases
from akta.cases.models import Case, Person


def test_caseworker_sees_only_own_units_cases(bou_user, eb_user):
    assert sorted(visible_cases(bou_user, Case.objects.all()).values_list("ext_id", flat=True)) == ["C1", "C4"]
    assert list(visible_cases(eb_user, Case.objects.all()).values_list("ext_id", flat=True)) == ["C2"]
    assert not may_see_case(bou_user, Case.objects.get(ext_id="C2"))


def test_roles_without_case_work_see_no_cases(imported, make_user):
    from akta.access.models import Role

    admin = make_user("eva", role=Role.SYSTEMFORVALTARE, units=["barn_och_unga"])
    assert visible_cases(admin, Case.objects.all()).count() == 0


def test_protected_identity_needs_the_explicit_right(bou_user, chief):
    p4 = Person.objects.get(ext_id="P4")
    assert p4.protected_identity
    assert not may_see_identity(bou_user, p4)
    assert may_see_identity(chief, p4)
    assert may_see_identity(bou_user, Person.objects.get(ext_id="P1"))


def test_passwords_are_hashed_with_argon2(db, settings):
    from akta import settings as akta_settings
    from akta.access.models import User

    settings.PASSWORD_HASHERS = akta_settings.PASSWORD_HASHERS  # the suite uses a fast hasher elsewhere
    user = User.objects.create_user("hashed", password="ett-långt-lösenord")
    assert user.password.startswith("argon2")
    assert user.check_password("ett-långt-lösenord")


def test_masked_export_for_a_user_without_the_right(bou_user, tmp_path):
    import json

    from akta.exchange.exporter import export_exchange

    counts = export_exchange(tmp_path, user=bou_user)
    persons = [json.loads(line) for line in (tmp_path / "persons.jsonl").read_text().splitlines()]
    assert counts["masked"] == 1
    p4 = next(p for p in persons if p["id"] == "P4")
    assert p4 == {"id": "P4", "personnummer": None, "birth_date": None, "sex": "okänt", "protected_identity": True, "name": "Skyddad identitet"}
    assert sorted(p["id"] for p in persons) == ["P1", "P4"]  # only the unit's cases' persons
    assert "20120704-2381" not in (tmp_path / "persons.jsonl").read_text()


def test_an_export_logs_every_person_in_it(bou_user, tmp_path):
    """Issue 10 § 4: an export is logged with every person in the file, so `akta auditlog person`
    finds each of them (a whole-register export as one entry without persons hid them)."""
    from akta.audit.models import AuditEntry
    from akta.cases.models import Person
    from akta.exchange.exporter import export_exchange

    export_exchange(tmp_path / "unit", user=bou_user)
    logged = set(AuditEntry.objects.filter(object_type="export", username=bou_user.username)
                 .values_list("person_id", flat=True))
    assert logged == set(Person.objects.filter(ext_id__in=["P1", "P4"]).values_list("pk", flat=True))
    assert AuditEntry.objects.get(object_type="export", person_id=Person.objects.get(ext_id="P4").pk).person_protected

    export_exchange(tmp_path / "all")  # the whole register, with system rights
    everyone = set(AuditEntry.objects.filter(object_type="export", username="system").values_list("person_id", flat=True))
    assert everyone == set(Person.objects.values_list("pk", flat=True)) and len(everyone) > 2


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    env = dict(os.environ, AKTA_ENV="production", AKTA_SECRET_KEY="x" * 30 + "-production-secret-" + "y" * 30,
               AKTA_ALLOWED_HOSTS="akta.example.se", AKTA_DATA_DIR=str(tmp_path))
    env.pop("DATABASE_URL", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by the browser tests' fixtures
    r = subprocess.run([sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
                       env=dict(env, DJANGO_SETTINGS_MODULE="akta.settings"), capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "no issues" in r.stdout
