"""The committee pack: generated as DOCX and PDF, then opened again and read."""
import io

import pytest
from django.urls import reverse
from docx import Document
from pypdf import PdfReader

from akta.followup import pack
from akta.followup.tests.history import History

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_years():
    """12 women and 11 men with a barn och unga case opened in 2024, 3 women in 2023; one man
    of unknown sex in 2024 (a small cell)."""
    h = History()
    for year, sex, n in ((2024, "kvinna", 12), (2024, "man", 11), (2024, "okänt", 1), (2023, "kvinna", 3)):
        for i in range(n):
            p = h.person(sex, born="2012-05-05")
            c = h.case(p, opened=f"{year}-03-0{1 + i % 9}")
            h.akt(c, f"{year}-03-0{1 + i % 9}")
    return h


def test_pack_tables_compare_years_by_sex(two_years):
    ctx = pack.context(2024, mask=None)
    opened = next(s for s in ctx["sections"] if s.indicator.id == "cases_opened")
    row = next(r for r in opened.rows if r.label == "Barn och unga")
    # (2023, 2024) for kvinna, man, okänt, totalt; totalt = sum of the parts
    assert row.values == [(3, 12), (0, 11), (0, 1), (3, 24)]


def test_pack_masks_small_cells_when_published(two_years):
    ctx = pack.context(2024, mask=10)
    opened = next(s for s in ctx["sections"] if s.indicator.id == "cases_opened")
    row = next(r for r in opened.rows if r.label == "Barn och unga")
    assert row.cells[2] == ("0", "..")  # okänt 2024 = 1: masked
    assert row.cells[0][0] == ".."  # kvinna 2023 = 3: masked
    assert ".." in (row.cells[0][1], row.cells[1][1], row.cells[3][1])  # complementary cell in 2024
    assert "<svg" in opened.svg and "<title" in opened.svg


def test_docx_opens_and_holds_the_tables_and_charts(two_years):
    data = pack.to_docx(pack.context(2024, mask=None, municipality="Testkommun"))
    doc = Document(io.BytesIO(data))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "uppföljning 2024 jämfört med 2023" in text
    assert "Öppnade ärenden per område" in text and "Förhandsbedömningar inom 14 dagar" in text
    assert len(doc.tables) == len(pack.SECTIONS)
    t = doc.tables[1]  # cases_opened
    assert [c.text for c in t.rows[1].cells][1:3] == ["2023", "2024"]
    body = [[c.text for c in r.cells] for r in t.rows[2:]]
    assert ["Barn och unga", "3", "12", "0", "11", "0", "1", "3", "24"] in body
    assert len(doc.inline_shapes) == len(pack.SECTIONS)  # one PNG chart per section


def test_pdf_opens_and_holds_the_tables(client, two_years, make_user):
    client.force_login(make_user("namnd"))
    r = client.get(reverse("followup:pack"), {"year": 2024, "format": "pdf"})
    assert r["Content-Type"] == "application/pdf" and r.content[:5] == b"%PDF-"
    reader = PdfReader(io.BytesIO(r.content))
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert "uppföljning 2024 jämfört med 2023" in text
    assert "Öppnade ärenden per område" in text and "U31462" in text
    assert "Barn och unga" in text and ".." in text


def test_pack_page_and_downloads(client, two_years, make_user):
    client.force_login(make_user("namnd"))
    r = client.get(reverse("followup:pack"), {"year": 2024})
    assert r.status_code == 200
    html = r.content.decode()
    assert html.count("<svg") == len(pack.SECTIONS) and html.count("<table") >= len(pack.SECTIONS)
    d = client.get(reverse("followup:pack"), {"year": 2024, "format": "docx"})
    assert d["Content-Type"].startswith("application/vnd.openxmlformats") and d.content[:2] == b"PK"
    assert client.get(reverse("followup:pack"), {"year": "x"}).status_code == 400
