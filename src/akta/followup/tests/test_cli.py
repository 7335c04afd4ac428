"""`akta stats` (spec/exchange-v1.md §4): JSON and CSV output, non-zero exit on bad input."""
import io
import json
import os
import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


def run(*args):
    out = io.StringIO()
    saved = sys.stdout
    sys.stdout = out  # the csv writer writes to sys.stdout
    try:
        call_command("stats", *args, stdout=out)
    finally:
        sys.stdout = saved
    return out.getvalue()


def test_json_document_per_spec(imported):
    doc = json.loads(run("cases_opened", "--year", "2024"))
    assert set(doc) == {"indicator", "columns", "rows"}
    assert doc["indicator"] == "cases_opened" and doc["columns"] == ["area", "case_type", "sex", "count"]
    assert ["barn_och_unga", "", "totalt", 2] in doc["rows"]


@pytest.mark.parametrize("ind, args, columns", [
    ("cases_active", ["--year", "2024"], ["area", "case_type", "sex", "count"]),
    ("persons_active", ["--year", "2024"], ["area", "sex", "count"]),
    ("aktualiseringar", ["--year", "2024"], ["area", "kind", "age_band", "sex", "count"]),
    ("forhandsbedomning_14d", ["--year", "2024"], ["sex", "total", "within", "share_pct"]),
    ("utredningar_open", ["--as-of", "2024-06-30"], ["sex", "total", "within_4m", "over_4m", "over_4m_extended"]),
    ("utredningar_closed", ["--from", "2024-01-01", "--to", "2024-12-31"], ["sex", "bucket", "count"]),
    ("evb_waiting", ["--as-of", "2024-12-31"], ["legal_basis", "sex", "months_3_6", "months_6_9", "months_9_12", "months_12_plus"]),
    ("kkik_u31462", ["--year", "2024"], ["sex", "a_ended_h1", "b_returned_12m", "value_pct"]),
])
def test_every_v1_indicator_has_the_spec_columns(imported, ind, args, columns):
    doc = json.loads(run(ind, *args))
    assert doc["indicator"] == ind and doc["columns"] == columns
    csv_lines = run(ind, *args, "--format", "csv").strip().split("\n")
    assert csv_lines[0] == ",".join(columns)
    assert len(csv_lines) - 1 == len(doc["rows"])


def test_as_reported_option(imported):
    assert json.loads(run("cases_opened", "--year", "2024", "--as-reported", "2024-01-01"))["rows"] == []


@pytest.mark.parametrize("args, message", [
    (["nope", "--year", "2024"], "okänd indikator"),
    (["cases_opened"], "ange --year"),
    (["cases_opened", "--year", "24"], "ogiltigt år"),
    (["cases_opened", "--as-of", "2024-01-01"], "gäller en period"),
    (["cases_opened", "--from", "2024-02-01", "--to", "2024-01-01"], "före --from"),
    (["cases_opened", "--from", "2024-02-01"], "både --from och --to"),
    (["utredningar_open", "--as-of", "2024-02-30"], "ogiltigt datum"),
    (["kkik_u31462", "--from", "2024-01-01", "--to", "2024-06-30"], "ange --year"),
    (["cases_opened", "--year", "2024", "--format", "xml"], "okänt format"),
    (["cases_opened", "--year", "2024", "--as-reported", "igår"], "ogiltig tidpunkt"),
])
def test_bad_input_is_refused_with_a_clear_message(args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)


def test_exit_code_is_non_zero(tmp_path):
    env = {**os.environ, "AKTA_DATA_DIR": str(tmp_path), "DATABASE_URL": ""}
    akta = os.path.join(os.path.dirname(sys.executable), "akta")
    p = subprocess.run([akta, "stats", "nope", "--year", "2024"], capture_output=True, text=True, env=env, check=False)
    assert p.returncode != 0 and "okänd indikator" in p.stderr


def test_reconcile_a_stated_table(imported, tmp_path):
    """Seed 004 style: a stated total that is not the sum of its stated parts is flagged, and
    every cell that differs from the computed table is listed."""
    f = tmp_path / "stated.csv"
    f.write_text("area,case_type,sex,count\nbarn_och_unga,,kvinna,2\nbarn_och_unga,,man,0\n"
                 "barn_och_unga,,okänt,0\nbarn_och_unga,,totalt,3\n", encoding="utf-8")
    doc = json.loads(run("cases_opened", "--year", "2024", "--reconcile", str(f)))
    assert {"cell": ["barn_och_unga", "", "totalt"], "column": "count", "stated_total": 3, "sum_of_parts": 2} in doc["total_problems"]
    assert {"cell": ["barn_och_unga", "", "totalt"], "column": "count", "stated": 3, "computed": 2, "diff": 1} in doc["differences"]
    with pytest.raises(CommandError, match="kolumner saknas"):
        bad = tmp_path / "bad.csv"
        bad.write_text("x,y\n1,2\n", encoding="utf-8")
        run("cases_opened", "--year", "2024", "--reconcile", str(bad))
