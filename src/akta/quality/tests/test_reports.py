"""The kvalitetsberättelse and the committee reports: generated, opened again, content checked."""
import io
import sys

import pytest
from django.core.management import call_command

from akta.access.models import Role
from akta.quality import models as m
from akta.quality import reports
from akta.quality.demo import create_demo_records
from akta.quality.documents import render_document

YEAR = 2024
HEADINGS = ["Organisation", "Ledningssystemet för systematiskt kvalitetsarbete", "Egenkontroll", "Avvikelser",
            "Lex Sarah", "Klagomål och synpunkter", "Riskanalys", "Internkontroll", "Statistik", "Mål",
            "Förbättringsplan för nästa år"]


@pytest.fixture
def demo(imported, make_user):
    make_user("david", role=Role.KVALITETSUTVECKLARE)
    make_user("cecilia", role=Role.ENHETSCHEF, units=["barn_och_unga", "ekonomiskt_bistand"])
    make_user("anna", units=["barn_och_unga"])
    return create_demo_records(YEAR)


def docx_text(data):
    from docx import Document

    d = Document(io.BytesIO(data))
    headings = [p.text for p in d.paragraphs if p.style.name.startswith("Heading")]
    cells = [[c.text for c in row.cells] for t in d.tables for row in t.rows]
    return headings, "\n".join(p.text for p in d.paragraphs), cells


def pdf_text(data):
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def check_demo(demo):
    assert demo["avvikelser"] == 8 + 24 and demo["lex_sarah"] == 2 + 5
    assert m.SelfInspectionRound.objects.filter(period_end__year=YEAR).count() == 2
    assert m.InternalControlPlan.objects.filter(year=YEAR).exists()
    assert m.Action.objects.exists() and m.Goal.objects.filter(year=YEAR).count() == 4
    assert m.LexSarah.objects.filter(reported_on__year=YEAR, notified_on__isnull=False).count() == 2
    assert all(d.history().exists() for d in m.Deviation.objects.all())
    assert m.Deviation.objects.order_by("number").first().number == "AV-2023-0001"
    assert create_demo_records(YEAR) == {}  # a second run adds nothing


def check_annual_docx():
    doc = reports.annual_report(YEAR)
    data = render_document(doc, "docx")
    headings, text, cells = docx_text(data)
    from docx import Document

    assert len(Document(io.BytesIO(data)).inline_shapes) == 2  # the two charts
    assert "Figur: avvikelser per kategori, 2023 och 2024 (samma siffror som i tabellen ovan)." in text
    for h in HEADINGS:
        assert h in headings, h
    assert headings.index("Organisation") < headings.index("Statistik") < headings.index("Förbättringsplan för nästa år")
    # Deviations per category: the total row is the number of deviations of each year.
    n_prev = m.Deviation.objects.filter(reported_on__year=YEAR - 1).count()
    n_cur = m.Deviation.objects.filter(reported_on__year=YEAR).count()
    assert ["Totalt", str(n_prev), str(n_cur), str(n_cur - n_prev)] in cells
    # Lex Sarah: reports and IVO notifications computed from the register.
    ls = m.LexSarah.objects.filter(reported_on__year=YEAR)
    assert ["Rapporter", "2", str(ls.count())] in cells
    assert ["Anmälda till IVO", str(m.LexSarah.objects.filter(reported_on__year=YEAR - 1, notified_on__isnull=False).count()),
            str(ls.filter(notified_on__isnull=False).count())] in cells
    # Egenkontroll: sampled files per group, and the seed, are in the table.
    rnd = m.SelfInspectionRound.objects.filter(period_end__year=YEAR).first()
    assert any(row[0] == rnd.number and str(rnd.seed) in row for row in cells)
    assert "14 kap. 3 § SoL (2001:453)" in text
    assert "De flesta mål är helt eller delvis uppnådda." in text  # narrative stored in Akta
    assert "Statistik ej tillgänglig" not in text
    assert any(row[0].startswith("Barn och unga") for row in cells)  # follow-up statistics per area


def check_quarterly_docx():
    doc = reports.quarterly_report(YEAR, 2)
    headings, text, cells = docx_text(render_document(doc, "docx"))
    assert headings == ["Lex Sarah", "Avvikelser"]
    q = m.Deviation.objects.filter(reported_on__range=("2024-04-01", "2024-06-30")).count()
    ytd = m.Deviation.objects.filter(reported_on__range=("2024-01-01", "2024-06-30")).count()
    assert ["Totalt", str(q), str(ytd)] in cells
    assert ("Period", "2024-04-01 – 2024-06-30") in doc.meta


def check_internal_control_docx():
    headings, text, cells = docx_text(render_document(reports.internal_control_report(YEAR), "docx"))
    assert "Internkontroll" in headings
    assert any(row[0] == "Barnutredningars varaktighet" for row in cells)
    results = m.ControlResult.objects.filter(point__plan__year=YEAR).count()
    assert ["Totalt", str(results)] in cells


def check_ivo_notification():
    ls = m.LexSarah.objects.filter(reported_on__year=YEAR, assessment="allvarligt").first()
    headings, text, cells = docx_text(render_document(reports.ivo_notification_document(ls), "docx"))
    assert "Bedömning" in headings and "Allvarligt missförhållande" in text
    assert any(ls.number in r for r in cells) or ls.number in text
    if ls.person is not None and ls.person.personnummer:
        assert ls.person.personnummer not in text


def check_statistics_fallback(monkeypatch):
    monkeypatch.setitem(sys.modules, "akta.followup.services", None)  # the import fails
    _h, text, _c = docx_text(render_document(reports.annual_report(YEAR), "docx"))
    assert reports.NO_STATISTICS in text


def test_demo_year_and_its_word_documents(demo, monkeypatch):
    check_demo(demo)
    check_annual_docx()
    check_quarterly_docx()
    check_internal_control_docx()
    check_ivo_notification()
    check_statistics_fallback(monkeypatch)


def test_pdf_documents_and_the_command(demo, tmp_path, capsys):
    call_command("quality", "demo", "--year", str(YEAR))
    assert "fanns redan" in capsys.readouterr().out
    out = tmp_path / "kb.pdf"
    call_command("quality", "report", "--year", str(YEAR), "--format", "pdf", "--out", str(out))
    text = pdf_text(out.read_bytes())
    for h in HEADINGS:
        assert h in text, h
    assert f"Kvalitetsberättelse {YEAR}" in text
    docx = tmp_path / "kb.docx"
    call_command("quality", "report", "--year", str(YEAR), "--format", "docx", "--out", str(docx))
    assert "Lex Sarah" in docx_text(docx.read_bytes())[0]
    quarter = tmp_path / "kv.pdf"
    call_command("quality", "quarter", "--year", str(YEAR), "--quarter", "2", "--format", "pdf", "--out", str(quarter))
    assert "Lex Sarah och avvikelser, kvartal 2 2024" in pdf_text(quarter.read_bytes())
    ik = tmp_path / "ik.docx"
    call_command("quality", "internkontroll", "--year", str(YEAR), "--until", "2024-06-30", "--format", "docx",
                 "--out", str(ik))
    _h, _t, cells = docx_text(ik.read_bytes())
    assert all(row[1] <= "2024-06-30" for row in cells if row[1][:4] == "2024")  # results up to --until only


def test_report_of_an_empty_year_says_so(imported):
    doc = reports.annual_report(2021)
    headings, text, cells = docx_text(render_document(doc, "docx"))
    assert all(h in headings for h in HEADINGS)
    assert "Inga egenkontroller" in text and reports.MISSING_TEXT in text
