"""Documents for the committee: one structure, rendered as DOCX (python-docx) or PDF (WeasyPrint).

A report is built once as a `Doc` of blocks (headings, paragraphs, tables, lists); the same
Doc is written to Word or, through the HTML template quality/document.html, to PDF, so both
formats always carry the same headings and figures.
"""
import io
from dataclasses import dataclass, field


@dataclass
class Heading:
    text: str
    level: int = 1


@dataclass
class Para:
    text: str
    style: str = ""  # "" | "muted" | "note"


@dataclass
class Bullets:
    items: list


@dataclass
class Table:
    header: list
    rows: list
    caption: str = ""
    total: list | None = None
    note: str = ""


@dataclass
class Figure:
    """A chart: PNG bytes with a caption (also its text alternative)."""

    png: bytes
    caption: str


@dataclass
class Doc:
    title: str
    subtitle: str = ""
    meta: list = field(default_factory=list)  # (label, value) under the title
    blocks: list = field(default_factory=list)

    def h(self, text, level=1):
        self.blocks.append(Heading(text, level))

    def p(self, text, style=""):
        for part in str(text).split("\n\n"):
            if part.strip():
                self.blocks.append(Para(part.strip(), style))

    def table(self, header, rows, caption="", total=None, note=""):
        self.blocks.append(Table(header, rows, caption, total, note))

    def bullets(self, items):
        if items:
            self.blocks.append(Bullets(list(items)))

    def figure(self, png, caption):
        self.blocks.append(Figure(png, caption))

    def headings(self):
        return [b.text for b in self.blocks if isinstance(b, Heading)]


def _cell(v):
    if v is None:
        return "–"
    if isinstance(v, float):
        return f"{v:.1f}".replace(".", ",")
    return str(v)


def to_docx(doc):
    from docx import Document
    from docx.shared import Pt

    d = Document()
    d.core_properties.title = doc.title
    d.core_properties.language = "sv-SE"
    d.styles["Normal"].font.name = "Calibri"
    d.styles["Normal"].font.size = Pt(11)
    d.add_heading(doc.title, level=0)
    if doc.subtitle:
        d.add_paragraph(doc.subtitle)
    for label, value in doc.meta:
        para = d.add_paragraph()
        para.add_run(f"{label}: ").bold = True
        para.add_run(str(value))
    for b in doc.blocks:
        if isinstance(b, Heading):
            d.add_heading(b.text, level=min(b.level, 4))
        elif isinstance(b, Para):
            para = d.add_paragraph(b.text)
            if b.style in ("muted", "note"):
                for run in para.runs:
                    run.italic = True
        elif isinstance(b, Bullets):
            for item in b.items:
                d.add_paragraph(str(item), style="List Bullet")
        elif isinstance(b, Figure):
            from docx.shared import Cm

            d.add_picture(io.BytesIO(b.png), width=Cm(15))
            cap = d.add_paragraph()
            cap.add_run(b.caption).italic = True
        elif isinstance(b, Table):
            if b.caption:
                cap = d.add_paragraph()
                cap.add_run(b.caption).bold = True
            rows = [list(map(_cell, r)) for r in b.rows]
            if b.total:
                rows.append(list(map(_cell, b.total)))
            t = d.add_table(rows=1 + len(rows), cols=len(b.header))
            t.style = "Table Grid"
            for i, h in enumerate(b.header):
                t.cell(0, i).text = str(h)
                for run in t.cell(0, i).paragraphs[0].runs:
                    run.bold = True
            for r, row in enumerate(rows, start=1):
                for c, value in enumerate(row):
                    t.cell(r, c).text = value
                if b.total and r == len(rows):
                    for c in range(len(row)):
                        for run in t.cell(r, c).paragraphs[0].runs:
                            run.bold = True
            if b.note:
                note = d.add_paragraph()
                note.add_run(b.note).italic = True
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


def to_html(doc):
    from django.template.loader import render_to_string

    blocks = []
    for b in doc.blocks:
        if isinstance(b, Heading):
            blocks.append({"kind": "h", "level": min(b.level + 1, 4), "text": b.text})
        elif isinstance(b, Para):
            blocks.append({"kind": "p", "text": b.text, "style": b.style})
        elif isinstance(b, Bullets):
            blocks.append({"kind": "ul", "items": [str(i) for i in b.items]})
        elif isinstance(b, Figure):
            import base64

            blocks.append({"kind": "img", "caption": b.caption,
                           "src": "data:image/png;base64," + base64.b64encode(b.png).decode()})
        elif isinstance(b, Table):
            blocks.append({"kind": "table", "caption": b.caption, "header": b.header,
                           "rows": [list(map(_cell, r)) for r in b.rows],
                           "total": list(map(_cell, b.total)) if b.total else None, "note": b.note})
    return render_to_string("quality/document.html", {"doc": doc, "blocks": blocks})


def to_pdf(doc):
    from weasyprint import HTML

    return HTML(string=to_html(doc)).write_pdf()


def render_document(doc, fmt):
    if fmt == "docx":
        return to_docx(doc)
    if fmt == "pdf":
        return to_pdf(doc)
    raise ValueError(f"okänt format {fmt!r} (docx eller pdf)")
