"""Exchange import and export (exchange-v1 §§ 1–3)."""
import json
import shutil
import zipfile
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import transaction
from hypothesis import HealthCheck, given, settings

from akta.cases.models import Event, Person
from akta.exchange.exporter import export_exchange
from akta.exchange.importer import ImportFailed, import_exchange
from akta.exchange.tests.histories import histories

DATA = Path(__file__).parent / "data"
INVALID = sorted(p for p in (DATA / "invalid").iterdir() if (p / "expected.txt").is_file())


def db_snapshot():
    """Row counts of every table: proof that a refused import changed nothing."""
    return {m._meta.label: m.objects.count() for m in apps.get_models()}


def read_jsonl(path):
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]


def write_exchange(d, persons, cases, events, code="2506"):
    d = Path(d)
    d.mkdir(parents=True, exist_ok=True)
    (d / "manifest.json").write_text(json.dumps({"format": "akta-exchange/1", "municipality": {"code": code, "name": "Test"}}))
    for name, rows in (("persons", persons), ("cases", cases), ("events", events)):
        (d / f"{name}.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return d


def assert_reproduced(src_dir, out_dir):
    """Every record and field of the import is in the export (order aside)."""
    for name in ("persons", "cases", "events"):
        src = {r["id"]: r for r in read_jsonl(Path(src_dir) / f"{name}.jsonl")}
        out = {r["id"]: r for r in read_jsonl(Path(out_dir) / f"{name}.jsonl")}
        assert set(src) == set(out), name
        for rid, rec in src.items():
            for k, v in rec.items():
                assert k in out[rid], f"{name} {rid}: field {k} missing in export"
                assert out[rid][k] == v, f"{name} {rid}.{k}: {out[rid][k]!r} != {v!r}"


@pytest.mark.parametrize("case_dir", INVALID, ids=[p.name for p in INVALID])
def test_invalid_file_is_refused_with_its_exact_errors_and_nothing_changes(db, make_user, case_dir):
    make_user("anna")  # the database is not empty: a user, and the audit log entry below
    from akta.audit.services import log_read

    log_read(None, "test", "x")
    before = db_snapshot()
    with pytest.raises(ImportFailed) as exc:
        import_exchange(case_dir)
    expected = (case_dir / "expected.txt").read_text(encoding="utf-8").replace("{dir}", str(case_dir)).splitlines()
    assert exc.value.errors == expected
    assert db_snapshot() == before


def test_cli_import_prints_file_line_errors_and_exits_nonzero(db, capsys):
    from django.core.management.base import CommandError

    case_dir = DATA / "invalid" / "implemented_twice"
    with pytest.raises(CommandError, match="1 fel"):
        call_command("import", str(case_dir))
    err = capsys.readouterr().err
    assert f"{case_dir}/events.jsonl:5: beslut \"E3\" är redan verkställt (rad 4)" in err
    assert Event.objects.count() == 0


def test_valid_fixture_round_trips(db, tmp_path):
    result = import_exchange(DATA / "valid")
    assert result.counts == {"persons": 5, "cases": 5, "events": 34}
    export_exchange(tmp_path / "out")
    assert_reproduced(DATA / "valid", tmp_path / "out")
    persons = {r["id"]: r for r in read_jsonl(tmp_path / "out" / "persons.jsonl")}
    assert persons["P1"]["sex"] == "kvinna"  # derived from the personnummer (an added, documented field)


def test_sex_and_birth_date_are_derived_from_the_personnummer(imported):
    p1 = Person.objects.get(ext_id="P1")
    assert (p1.sex, p1.birth_date.isoformat()) == ("kvinna", "2015-03-10")
    p5 = Person.objects.get(ext_id="P5")  # samordningsnummer: day + 60
    assert (p5.sex, p5.birth_date.isoformat()) == ("man", "1987-01-19")


def test_reimport_of_same_content_is_a_noop(imported):
    before = db_snapshot()
    again = import_exchange(DATA / "valid")
    assert again.noop
    assert db_snapshot() == before


def test_reimport_of_other_content_with_existing_ids_is_refused(imported, tmp_path):
    d = tmp_path / "changed"
    shutil.copytree(DATA / "valid", d)
    with open(d / "events.jsonl", "a") as f:
        f.write("\n")  # different bytes, same records
    before = db_snapshot()
    with pytest.raises(ImportFailed) as exc:
        import_exchange(d)
    assert f'{d}/persons.jsonl:1: person "P1" finns redan i databasen' in exc.value.errors
    assert f'{d}/events.jsonl:34: händelse "E53" finns redan i databasen' in exc.value.errors
    assert db_snapshot() == before


def test_incremental_import_may_refer_to_existing_cases(imported, tmp_path):
    d = write_exchange(tmp_path / "more", [], [], [
        {"id": "X1", "case_id": "C4", "type": "verkstalld", "date": "2024-11-01", "beslut_id": "E46"},
    ])
    import_exchange(d)
    assert Event.objects.get(ext_id="X1").beslut.ext_id == "E46"


def test_a_municipality_other_than_the_setting_is_refused(db, settings, tmp_path):
    from akta.conftest import VALID_EXCHANGE

    settings.AKTA_MUNICIPALITY_CODE = "0180"
    with pytest.raises(ImportFailed) as exc:
        import_exchange(VALID_EXCHANGE)
    assert any("inställd för kommun 0180 (AKTA_MUNICIPALITY_CODE), inte 2506" in e for e in exc.value.errors)


def test_other_municipality_is_refused(imported, tmp_path):
    d = write_exchange(tmp_path / "other", [{"id": "Q1", "personnummer": None, "birth_date": "2000-01-01"}], [], [], code="0180")
    with pytest.raises(ImportFailed) as exc:
        import_exchange(d)
    assert exc.value.errors == [f"{d}/manifest.json:1: databasen hör till kommun 2506 (Arjeplog), inte 0180"]


def test_zip_is_imported_like_a_directory(db, tmp_path):
    z = tmp_path / "x.zip"
    with zipfile.ZipFile(z, "w") as zf:
        for f in (DATA / "valid").iterdir():
            zf.write(f, f"export/{f.name}")
    assert import_exchange(z).counts["events"] == 34


def test_missing_directory_is_a_clear_error(db, tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="ingen katalog eller zip-fil"):
        call_command("import", str(tmp_path / "nope"))


def test_corrections_keep_the_original_and_the_recording_time(imported):
    original = Event.objects.get(ext_id="E41")
    correction = Event.objects.get(ext_id="E47")
    assert correction.corrects == original
    assert original.outcome == "inte_inleda_utredning"  # never overwritten
    assert correction.recorded_at.isoformat() == "2024-07-05T08:15:00+00:00"


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(history=histories())
def test_property_generated_valid_histories_round_trip(db, tmp_path_factory, history):
    persons, cases, events = history
    d = write_exchange(tmp_path_factory.mktemp("h"), persons, cases, events)
    out = tmp_path_factory.mktemp("o")

    class Rollback(Exception):
        pass

    try:
        with transaction.atomic():
            try:
                result = import_exchange(d)
            except ImportFailed as e:
                raise AssertionError("\n".join(e.errors)) from None
            assert result.counts == {"persons": len(persons), "cases": len(cases), "events": len(events)}
            export_exchange(out)
            assert_reproduced(d, out)
            raise Rollback
    except Rollback:
        pass
