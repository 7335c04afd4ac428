"""Import limits (issue 10 item 10, Build 7): refused with a clear FILE:LINE error, nothing written,
and peak memory that follows the data, not a zip's compression ratio."""
import json
import shutil
import tracemalloc
import warnings
import zipfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from akta.exchange.importer import EXTRA_MAX_CHARS, ImportFailed, import_exchange
from akta.exchange.reader import Source
from akta.exchange.tests.test_exchange import DATA, db_snapshot

VALID = DATA / "valid"


def _copy(tmp_path, name="x"):
    d = tmp_path / name
    shutil.copytree(VALID, d)
    return d


def _zip(path, members):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about a duplicate name, which is the point
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for arcname, data in members:
                zf.writestr(arcname, data)
    return path


def _valid_members(prefix="export/", pad_events=b""):
    out = [(prefix + f.name, f.read_bytes()) for f in sorted(VALID.iterdir())]
    return [(n, d + pad_events if n.endswith("events.jsonl") else d) for n, d in out]


def _refused(path):
    before = db_snapshot()
    with pytest.raises(ImportFailed) as exc:
        import_exchange(path)
    assert db_snapshot() == before
    return exc.value.errors


def test_zip_expanding_above_the_limit_is_refused_by_its_declared_size(db, tmp_path, settings):
    settings.IMPORT_MAX_BYTES = 100_000
    z = _zip(tmp_path / "bomb.zip", _valid_members(pad_events=b" " * 300_000 + b"\n"))
    assert z.stat().st_size < 10_000  # a few KB that expand to 300 KB
    errors = _refused(z)
    assert len(errors) == 1
    assert errors == [f"{z}:0: uppackad är importen 298 KiB, mer än gränsen 97.7 KiB (AKTA_IMPORT_MAX_BYTES)"]


def test_expanded_size_is_counted_while_reading_not_taken_from_the_headers(db, tmp_path, settings, monkeypatch):
    settings.IMPORT_MAX_BYTES = 100_000
    z = _zip(tmp_path / "liar.zip", _valid_members(pad_events=b" " * 300_000 + b"\n"))
    monkeypatch.setattr(Source, "_declared_size", lambda self: 0)  # headers that lie
    assert _refused(z) == [f"{z}:0: uppackad är importen större än gränsen 97.7 KiB (AKTA_IMPORT_MAX_BYTES); "
                           "zip-filens angivna storlek stämmer inte"]


def test_the_limits_come_from_the_environment(tmp_path):
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith("AKTA_")}
    env.update(AKTA_DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="akta.settings",
               AKTA_IMPORT_MAX_BYTES="12345", AKTA_IMPORT_MAX_LINE_BYTES="678")
    r = subprocess.run([sys.executable, "-c", "import django; django.setup(); from django.conf import settings; "
                        "print(settings.IMPORT_MAX_BYTES, settings.IMPORT_MAX_LINE_BYTES)"],
                       env=env, capture_output=True, text=True)
    assert r.stdout.split() == ["12345", "678"], r.stderr


def test_a_line_above_the_limit_is_refused(db, tmp_path, settings):
    settings.IMPORT_MAX_LINE_BYTES = 2000
    d = _copy(tmp_path)
    events = (d / "events.jsonl").read_text(encoding="utf-8").splitlines()
    rec = json.loads(events[2])
    rec["anteckning"] = "x" * 5000
    events[2] = json.dumps(rec)
    (d / "events.jsonl").write_text("\n".join(events) + "\n", encoding="utf-8")
    assert _refused(d) == [f"{d}/events.jsonl:3: raden är längre än gränsen 2 KiB (AKTA_IMPORT_MAX_LINE_BYTES)"]


def test_a_fifty_megabyte_extra_field_is_refused(db, tmp_path):
    d = _copy(tmp_path)
    with open(d / "persons.jsonl", "a", encoding="utf-8") as f:
        f.write(json.dumps({"id": "P99", "birth_date": "2000-01-01", "extra": "x" * 50_000_000}) + "\n")
    errors = _refused(d)
    assert len(errors) == 1 and errors[0].startswith(f"{d}/persons.jsonl:")
    assert errors[0].endswith("raden är längre än gränsen 1 MiB (AKTA_IMPORT_MAX_LINE_BYTES)")


def test_extra_fields_above_their_documented_length_are_refused(db, tmp_path):
    d = _copy(tmp_path)
    lines = (d / "cases.jsonl").read_text(encoding="utf-8").splitlines()
    rec = json.loads(lines[0])
    rec["notering"] = "y" * EXTRA_MAX_CHARS
    lines[0] = json.dumps(rec)
    (d / "cases.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    errors = _refused(d)
    assert errors == [f'{d}/cases.jsonl:1: extra fält ("notering") får vara högst {EXTRA_MAX_CHARS} tecken '
                      f'tillsammans, är {EXTRA_MAX_CHARS + 16}']


def test_a_long_municipality_name_is_refused(db, tmp_path):
    d = _copy(tmp_path)
    (d / "manifest.json").write_text(json.dumps({"format": "akta-exchange/1", "municipality": {"code": "2506", "name": "A" * 201}}))
    assert _refused(d) == [f'{d}/manifest.json:1: fältet "municipality.name" får vara högst 200 tecken']
    (d / "manifest.json").write_text(json.dumps({"format": "akta-exchange/1", "municipality": {"code": "2506", "name": "A" * 5_000_000}}))
    assert _refused(d) == [f"{d}/manifest.json:0: manifestet är större än gränsen 1 MiB (AKTA_IMPORT_MAX_LINE_BYTES)"]


def test_a_long_unit_name_is_refused(db, tmp_path):
    d = _copy(tmp_path)
    m = json.loads((d / "manifest.json").read_text())
    m["units"] = [{"code": "bou1", "name": "B" * 201, "area": "barn_och_unga"}]
    (d / "manifest.json").write_text(json.dumps(m))
    assert _refused(d) == [f'{d}/manifest.json:1: enhet "bou1": fältet "name" får vara högst 200 tecken']


def test_two_events_files_in_different_folders_are_refused(db, tmp_path):
    members = _valid_members() + [("annan/events.jsonl", b"")]
    z = _zip(tmp_path / "dubbel.zip", members)
    assert _refused(z) == [f"{z}/events.jsonl:0: zip-filen innehåller events.jsonl 2 gånger "
                           "(export/events.jsonl, annan/events.jsonl); det går inte att veta vilken som gäller"]


def test_the_same_member_name_twice_is_refused(db, tmp_path):
    members = _valid_members() + [("export/persons.jsonl", b"")]
    z = _zip(tmp_path / "samma.zip", members)
    errors = _refused(z)
    assert errors == [f"{z}/persons.jsonl:0: zip-filen innehåller persons.jsonl 2 gånger "
                      "(export/persons.jsonl, export/persons.jsonl); det går inte att veta vilken som gäller"]


def test_cli_prints_the_refusal_and_exits_nonzero(db, tmp_path, capsys):
    z = _zip(tmp_path / "dubbel.zip", _valid_members() + [("b/events.jsonl", b"")])
    with pytest.raises(CommandError, match="Databasen är oförändrad"):
        call_command("import", str(z))
    assert f"{z}/events.jsonl:0: zip-filen innehåller events.jsonl 2 gånger" in capsys.readouterr().err


def test_peak_memory_follows_the_data_not_the_compression_ratio(db, tmp_path):
    """60 MB of padding lines compress to a few hundred KB; the import must not hold them."""
    pad = (b" " * 500_000 + b"\n") * 120
    z = _zip(tmp_path / "luft.zip", _valid_members(pad_events=pad))
    assert z.stat().st_size < 1_000_000
    tracemalloc.start()
    try:
        result = import_exchange(z)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.counts["events"] == 34
    assert peak < 20_000_000, f"peak {peak / 1e6:.0f} MB"


def test_reimport_of_the_same_zip_is_still_a_noop(db, tmp_path):
    z = _zip(tmp_path / "x.zip", _valid_members())
    assert not import_exchange(z).noop
    assert import_exchange(z).noop
    assert import_exchange(VALID).noop  # the same content hash as the directory
