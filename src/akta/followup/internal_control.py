"""The committee's internal control of child investigations (internkontroll, skyndsamhet i
barnutredningar; seed 002 § 26): the investigations open at a cut-off, up to four months, more
than four months and of those extended, split by sex, as DOCX (A4, sv-SE) or tagged PDF.

Every number is a cell of one table: ``utredningar_open`` at the cut-off scoped to barn och unga
(contract-v2 §2: ``akta stats utredningar_open --as-of D --area barn_och_unga``). Nothing is
counted here; the share within four months is the table's within_4m / total. The legal texts
come from the law data, for the cut-off day.
"""
from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

from django.template.loader import render_to_string

from akta.access.models import Area
from akta.followup.engine import SEX_LABELS, SEX_ORDER, TOTAL, Table, round_half_up
from akta.followup.services import compute, parse_date
from akta.law import services as law

INDICATOR = "utredningar_open"
AREA = Area.BARN_OCH_UNGA.value
COLUMNS = ("total", "within_4m", "over_4m", "over_4m_extended")
LABELS = {
    "total": "Pågående utredningar",
    "within_4m": "Upp till fyra månader",
    "over_4m": "Mer än fyra månader",
    "over_4m_extended": "varav förlängd utredningstid",
}
MASK = ".."
TITLE = "Internkontroll: skyndsamhet i barnutredningar"


@dataclass
class Row:
    sex: str
    label: str
    values: list  # per COLUMNS: int, or None when masked
    share: float | None  # within_4m / total in per cent, one decimal (None when masked or no investigations)

    @property
    def cells(self):
        return [MASK if v is None else str(v) for v in self.values]

    @property
    def share_text(self):
        return "–" if self.share is None else f"{self.share:.1f}".replace(".", ",")


@dataclass
class ChildInvestigationControl:
    as_of: dt.date
    table: Table
    rows: list
    municipality: str = ""

    @property
    def title(self):
        return TITLE

    @property
    def total(self) -> Row:
        return next(r for r in self.rows if r.sex == TOTAL)

    @property
    def header(self):
        return ["Kön", *(LABELS[c] for c in COLUMNS), "Andel inom fyra månader (%)"]

    @property
    def summary(self) -> str:
        """The result in the words of the committee's report (seed 002 § 26)."""
        t = dict(zip(COLUMNS, self.total.values))
        if any(v is None for v in t.values()):
            return (f"Utredningstider i pågående utredningar per den {self.as_of.isoformat()}: vissa tal visas "
                    f"inte (röjandeskydd, celler under {self.table.params.get('mask')}).")
        return (f"Utredningstider i pågående utredningar per den {self.as_of.isoformat()}. Totalt antal utredningar "
                f"{t['total']} st. Upp till fyra månader {t['within_4m']} st. Mer än fyra månader {t['over_4m']} st, "
                f"varav {t['over_4m_extended']} med förlängd utredningstid.")

    @property
    def basis(self) -> list[str]:
        """Notes on the definition and its legal basis (texts from the law data for the day)."""
        on = self.as_of
        return [
            f"Område: {Area(AREA).label}. Pågående = utredning inledd och inte avslutad vid dagens slut. "
            f"Fyra månader räknas enligt {law.reference('lag_1930_173.1', on)} och flyttas enligt "
            f"{law.reference('lag_1930_173.2', on)} (regel utredning_4m). Förlängd = mer än fyra månader och "
            "ett beslut om förlängd utredningstid som gäller dagen.",
            f"Utredningstid: {law.reference('sol.11.2', on)}. Nämndens ansvar för den interna kontrollen: "
            f"{law.reference('kl.6.6', on)}.",
            f"Källa: Akta, indikatorn {INDICATOR} per {on.isoformat()} för området {AREA} "
            f"(akta stats {INDICATOR} --as-of {on.isoformat()} --area {AREA}); innehållshash "
            f"{self.table.content_hash}.",
        ]


def build(as_of, mask=None, municipality="") -> ChildInvestigationControl:
    """The report at the end of ``as_of`` (a date or ÅÅÅÅ-MM-DD), from one computed table."""
    day = parse_date(as_of, "as_of")
    table = compute(INDICATOR, as_of=day.isoformat(), area=[AREA], mask=mask)
    index = table.index()
    rows = []
    for sex in SEX_ORDER:
        i = index[(sex,)]
        rec = dict(zip(table.columns, table.rows[i]))
        values = [None if (i, c) in table.masked else rec[c] for c in COLUMNS]
        within, total = values[1], values[0]
        share = None if within is None or not total else round_half_up(within * 100 / total, 1)
        rows.append(Row(sex, SEX_LABELS[sex], values, share))
    return ChildInvestigationControl(day, table, rows, municipality)


def to_docx(rep: ChildInvestigationControl) -> bytes:
    """A4 portrait, Swedish (sv-SE) as the document's and every style's language."""
    from docx import Document
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    doc = Document()
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Cm(21.0), Cm(29.7)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(sec, side, Cm(2.0))
    doc.core_properties.title = f"{TITLE} per {rep.as_of.isoformat()}"
    doc.core_properties.language = "sv-SE"
    for style in doc.styles:
        rpr = getattr(style.element, "get_or_add_rPr", None)
        if rpr is None:
            continue
        el = rpr()
        lang = el.find(qn("w:lang"))
        if lang is None:
            lang = OxmlElement("w:lang")
            el.append(lang)
        lang.set(qn("w:val"), "sv-SE")
    doc.styles["Normal"].font.size = Pt(10.5)
    doc.add_heading(TITLE, 0)
    doc.add_paragraph(f"{rep.municipality + '. ' if rep.municipality else ''}Pågående utredningar inom barn och unga "
                      f"per den {rep.as_of.isoformat()}, delade efter kön; raden Totalt är summan av delarna.")
    doc.add_heading("Resultat", 1)
    doc.add_paragraph(rep.summary)
    t = doc.add_table(rows=1, cols=len(rep.header))
    t.style = "Table Grid"
    for i, h in enumerate(rep.header):
        t.rows[0].cells[i].text = h
        for run in t.rows[0].cells[i].paragraphs[0].runs:
            run.bold = True
    for r in rep.rows:
        cells = t.add_row().cells
        for i, text in enumerate([r.label, *r.cells, r.share_text]):
            cells[i].text = text
            if r.sex == TOTAL:
                for run in cells[i].paragraphs[0].runs:
                    run.bold = True
    if rep.table.masked:
        doc.add_paragraph(f"Röjandeskydd: celler under {rep.table.params.get('mask')} och celler som annars kunde "
                          f"räknas fram visas som '{MASK}'.").runs[0].italic = True
    doc.add_heading("Definition och grund", 1)
    for text in rep.basis:
        doc.add_paragraph(text)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def to_html(rep: ChildInvestigationControl) -> str:
    return render_to_string("followup/internal_control_print.html", {"rep": rep})


def to_pdf(rep: ChildInvestigationControl) -> bytes:
    """A tagged PDF (structure tree for screen readers), A4, document language sv-SE."""
    from weasyprint import HTML

    return HTML(string=to_html(rep)).write_pdf(pdf_tags=True)


def render(rep: ChildInvestigationControl, fmt: str) -> bytes:
    if fmt == "docx":
        return to_docx(rep)
    if fmt == "pdf":
        return to_pdf(rep)
    raise ValueError(f"okänt format {fmt!r} (docx eller pdf)")


__all__ = ["ChildInvestigationControl", "build", "render", "to_docx", "to_pdf"]
