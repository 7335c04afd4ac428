"""The committee's internal control of child investigations (seed 002 § 26) as DOCX and PDF:
every number is a cell of `utredningar_open --as-of D --area barn_och_unga`, split by sex;
the files are opened again (python-docx, pypdf)."""
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from akta.followup import internal_control as ik
from akta.followup.services import compute
from akta.followup.tests.history import History, rows_of

pytestmark = pytest.mark.django_db

AS_OF = "2022-12-31"


@pytest.fixture
def hist(db):
    """Seed 002 § 26 in small: at 2022-12-31, child investigations within four months, over
    four months (one of them extended), one closed, and an adult investigation (not counted)."""
    h = History()
    girl, boy, child3 = h.person("kvinna", born="2012-03-01"), h.person("man", born="2010-01-01"), h.person("okänt", born="2015-01-01")
    adult = h.person("man", born="1970-05-05")
    cg = h.case(girl, "barn_och_unga", opened="2022-01-01")
    cb = h.case(boy, "barn_och_unga", opened="2022-01-01")
    c3 = h.case(child3, "barn_och_unga", opened="2022-01-01")
    ca = h.case(adult, "vuxna_missbruk", opened="2022-01-01")
    for c in (cg, cb, c3, ca):
        h.akt(c, "2022-01-01")
    h.ev(cg, "utredning_inledd", "2022-10-01")  # within
    u = h.ev(cg, "utredning_inledd", "2022-06-01")  # over, extended
    h.ev(cg, "utredning_forlangd", "2022-09-25", utredning_id=u.id, until="2023-02-28")
    h.ev(cb, "utredning_inledd", "2022-08-15")  # over (due 2022-12-15), not extended
    h.ev(cb, "utredning_inledd", "2022-11-30")  # within
    done = h.ev(c3, "utredning_inledd", "2022-05-01")
    h.ev(c3, "utredning_avslutad", "2022-09-01", utredning_id=done.id)  # closed: not counted
    h.ev(c3, "utredning_inledd", "2022-12-01")  # within
    h.ev(ca, "utredning_inledd", "2022-03-01")  # adult: outside the area
    return h


def test_report_is_the_scoped_table(hist):
    rep = ik.build(AS_OF)
    table = compute("utredningar_open", as_of=AS_OF, area="barn_och_unga")
    assert rep.table.rows == table.rows and rep.table.content_hash == table.content_hash
    by = {r.sex: r for r in rep.rows}
    assert [r.sex for r in rep.rows] == ["kvinna", "man", "okänt", "totalt"]
    assert by["totalt"].values == [5, 3, 2, 1]
    assert by["kvinna"].values == [2, 1, 1, 1] and by["man"].values == [2, 1, 1, 0] and by["okänt"].values == [1, 1, 0, 0]
    assert by["totalt"].share == 60.0
    t = rows_of(table)
    assert [t[(s,)]["total"] for s in ("kvinna", "man", "okänt", "totalt")] == [2, 2, 1, 5]
    assert "Totalt antal utredningar 5 st. Upp till fyra månader 3 st. Mer än fyra månader 2 st, varav 1" in rep.summary
    # The whole municipality would count the adult investigation too.
    assert rows_of(compute("utredningar_open", as_of=AS_OF))[("totalt",)]["total"] == 6


def test_legal_texts_come_from_the_law_data_for_the_day(hist):
    old = " ".join(ik.build(AS_OF).basis)
    assert "11 kap. 2 § SoL (2001:453)" in old and "6 kap. 6 § kommunallagen (2017:725)" in old
    new = " ".join(ik.build("2025-09-30").basis)
    assert "motsvarande bestämmelse i SoL (2025:400) (tidigare 11 kap. 2 § SoL (2001:453))" in new


def test_docx_a4_swedish_with_the_table(hist, tmp_path):
    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Cm

    out = tmp_path / "ik.docx"
    call_command("followup", "internkontroll-barn", "--as-of", AS_OF, "--format", "docx", "--out", str(out),
                 stdout=io.StringIO())
    doc = Document(str(out))
    sec = doc.sections[0]
    assert abs(sec.page_width - Cm(21.0)) < Cm(0.05) and abs(sec.page_height - Cm(29.7)) < Cm(0.05)
    assert doc.core_properties.language == "sv-SE"
    lang = doc.styles["Normal"].element.rPr.find(qn("w:lang"))
    assert lang.get(qn("w:val")) == "sv-SE"
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "Internkontroll: skyndsamhet i barnutredningar" in text and "per den 2022-12-31" in text
    cells = [[c.text for c in row.cells] for row in doc.tables[0].rows]
    assert cells[0][:5] == ["Kön", "Pågående utredningar", "Upp till fyra månader", "Mer än fyra månader",
                            "varav förlängd utredningstid"]
    assert cells[1:] == [["Kvinnor", "2", "1", "1", "1", "50,0"], ["Män", "2", "1", "1", "0", "50,0"],
                         ["Okänt kön", "1", "1", "0", "0", "100,0"], ["Totalt", "5", "3", "2", "1", "60,0"]]


def test_pdf_is_tagged_a4_swedish_with_the_table(hist, tmp_path):
    from pypdf import PdfReader

    out = tmp_path / "ik.pdf"
    call_command("followup", "internkontroll-barn", "--as-of", AS_OF, "--format", "pdf", "--out", str(out),
                 stdout=io.StringIO())
    r = PdfReader(str(out))
    root = r.trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    assert str(root["/Lang"]) == "sv-SE"
    box = r.pages[0].mediabox
    assert abs(float(box.width) - 595.3) < 1 and abs(float(box.height) - 841.9) < 1
    text = " ".join(p.extract_text() for p in r.pages)
    assert "Internkontroll: skyndsamhet i barnutredningar" in text
    assert "Totalt 5 3 2 1 60,0" in " ".join(text.split())


def test_masked_report_shows_dots(hist):
    rep = ik.build(AS_OF, mask=10)
    assert rep.total.cells[0] == ".." and "röjandeskydd" in rep.summary


def test_command_errors(tmp_path):
    with pytest.raises(CommandError, match="as_of"):
        call_command("followup", "internkontroll-barn", "--as-of", "2022-13-01", "--format", "pdf",
                     "--out", str(tmp_path / "x.pdf"))
    with pytest.raises(CommandError):
        call_command("followup", "internkontroll-barn", "--as-of", AS_OF, "--format", "odt", "--out", str(tmp_path / "x"))
    assert not Path(tmp_path / "x.pdf").exists()


def test_page_and_downloads(client, hist, make_user):
    from docx import Document

    client.force_login(make_user("ik_chef", role="enhetschef"))
    base = reverse("followup:internal_control")
    r = client.get(base, {"as_of": AS_OF})
    html = r.content.decode()
    assert r.status_code == 200 and 'id="ik-table"' in html and "Totalt antal utredningar 5 st." in html
    assert "format=docx" in html and "area=barn_och_unga" in html
    r = client.get(base, {"as_of": AS_OF, "format": "docx"})
    assert r.status_code == 200 and r["Content-Disposition"].endswith('2022-12-31.docx"')
    assert Document(io.BytesIO(r.content)).tables[0].rows[4].cells[1].text == "5"
    r = client.get(base, {"as_of": AS_OF, "format": "pdf"})
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    assert client.get(base, {"as_of": "nope"}).status_code == 400
    assert "internkontroll-barn" in client.get(reverse("followup:index")).content.decode()
