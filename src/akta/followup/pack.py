"""The committee pack (nämndens uppföljningspaket): the year's IFO tables against the previous
year, split by sex, each with its chart — as a web page, a DOCX (python-docx) and a PDF
(WeasyPrint, from the same HTML template as the page's print view).

Every number comes from :func:`akta.followup.services.compute_many` (the tables ``compute``
returns, computed in parallel where possible); nothing is counted here. A section may collapse
an indicator to fewer dimensions (e.g. cases per area, summed over case types); that sum is of
counts of distinct units, so it is exact. Published output applies disclosure control
(threshold 10) to each year's table before it is compared.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import io
from dataclasses import dataclass, field

from django.template.loader import render_to_string

from akta.access.models import Area
from akta.followup.charts import Chart, png, svg
from akta.followup.disclosure import suppress
from akta.followup.engine import SEX_LABELS, SEX_ORDER, SEXES, TOTAL, Table, sort_table
from akta.followup.services import compute_many, normalize_areas

MASK = ".."


@dataclass
class Section:
    indicator: str
    title: str
    keep: tuple | None = None  # dimensions kept (others summed); None = all
    as_of: bool = False
    chart: tuple = ("rows",)  # ("rows",) totalt of each count row; ("sexes", column)


SECTIONS = (
    Section("persons_active", "Aktuella personer per område", chart=("rows",)),
    Section("cases_opened", "Öppnade ärenden per område", keep=("area",)),
    Section("cases_closed", "Avslutade ärenden per område"),
    Section("aktualiseringar", "Aktualiseringar per område", keep=("area",)),
    Section("persons_moved", "Avflyttade personer per område"),
    Section("forhandsbedomning_14d", "Förhandsbedömningar inom 14 dagar", chart=("sexes", "share_pct")),
    Section("utredningar_open", "Pågående utredningar vid årets slut", as_of=True),
    Section("utredningar_closed", "Avslutade utredningar efter utredningstid"),
    Section("evb_waiting", "Ej verkställda gynnande beslut vid årets slut", as_of=True),
    Section("kkik_u31462", "Ej återaktualiserade med ekonomiskt bistånd (U31462)", chart=("sexes", "value_pct")),
)


def collapse(table: Table, keep) -> Table:
    """The table summed over the dimensions not in ``keep`` (only for counts of distinct units
    within each kept group: events, cases; not persons across groups)."""
    ind = table.indicator
    if keep is None or tuple(keep) == ind.dim_names:
        return table
    if any(m.agg == "persons" for m in ind.measures):
        raise ValueError("personer kan inte summeras över grupper")
    dims = tuple(d for d in ind.dims if d.name in keep)
    sub = dataclasses.replace(ind, dims=dims, columns=None, summary=None)
    cols = table.columns
    acc = {}
    for row in table.rows:
        rec = dict(zip(cols, row))
        k = tuple(rec[d.name] for d in dims) + (rec["sex"],)
        cur = acc.setdefault(k, {m: 0 for m in ind.count_columns})
        for m in ind.count_columns:
            cur[m] += rec[m] or 0
    rows = []
    for k, vals in acc.items():
        rec = dict(zip([d.name for d in dims] + ["sex"], k))
        rec.update(vals)
        for x in ind.derived:
            rec[x.name] = x.fn(*(rec[i] for i in x.inputs))
        rows.append([rec[c] for c in sub.column_names])
    out = Table(sub, dict(table.params), list(sub.column_names), rows)
    sort_table(out)
    return out


@dataclass
class CompareRow:
    label: str
    column: str
    cells: list  # [(prev, cur)] per sex in SEX_ORDER, as display text
    values: list  # [(prev, cur)] raw numbers or None when masked
    is_count: bool = True


@dataclass
class PackSection:
    section: Section
    indicator: object
    prev: Table
    cur: Table
    rows: list = field(default_factory=list)
    chart: Chart | None = None
    chart_id: str = ""

    @property
    def period(self):
        """Both years: from the first day of the previous year's table to the last of this year's."""
        return self.prev.period[0], self.cur.period[1]

    @property
    def definition(self):
        return self.indicator.definition_text(*self.period)

    @property
    def reference(self):
        """The "Källa", with the legal references of both years (both texts across 2025-07-01)."""
        return self.indicator.reference_text(*self.period)

    @property
    def svg(self):
        return svg(self.chart, self.chart_id)

    def png(self):
        return png(self.chart)


def _display(v):
    if v is None:
        return MASK
    if isinstance(v, float):
        return f"{v:.1f}".replace(".", ",")
    if isinstance(v, int):
        return f"{v:,}".replace(",", "\u00a0")
    return str(v)


def _lookup(table: Table):
    out = {}
    cols = table.columns
    for i, row in enumerate(table.rows):
        rec = dict(zip(cols, row))
        g = tuple(rec[d] for d in table.indicator.key_columns if d != "sex")
        for c in table.indicator.value_columns:
            out[(g, rec["sex"], c)] = None if (i, c) in table.masked else rec[c]
    return out


def compare(prev: Table, cur: Table, section: Section, year: int) -> PackSection:
    ind = cur.indicator
    lp, lc = _lookup(prev), _lookup(cur)
    groups = []
    for t in (cur, prev):
        for row in t.rows:
            rec = dict(zip(t.columns, row))
            g = tuple(rec[d] for d in ind.key_columns if d != "sex")
            if g not in groups:
                groups.append(g)
    dims = [d for d in ind.key_columns if d != "sex"]
    dim_objs = {d.name: d for d in ind.dims}
    value_cols = list(ind.value_columns)
    ps = PackSection(section, ind, prev, cur, chart_id=f"chart-{ind.id}")
    for g in groups:
        glabel = " / ".join(dim_objs[d].label_of(v) for d, v in zip(dims, g))
        for c in value_cols:
            vals = [(lp.get((g, s, c)), lc.get((g, s, c))) for s in SEX_ORDER]
            if all(a is None and b is None for a, b in vals) and g and g[-1] in ("mean_days", "median_days"):
                pass
            if dims:
                label = glabel if len(value_cols) == 1 else f"{glabel} – {ind.column_label(c)}"
            else:
                label = ind.column_label(c)
            is_count = c in ind.count_columns and not (g and g[-1] in ("mean_days", "median_days"))
            ps.rows.append(CompareRow(label, c, [(_display(a), _display(b)) for a, b in vals], vals, is_count))
    kind = section.chart[0]
    ti = SEX_ORDER.index(TOTAL)
    if kind == "sexes":
        col = section.chart[1]
        row = next(r for r in ps.rows if r.column == col)
        cats = [SEX_LABELS[s] for s in SEX_ORDER]
        ps.chart = Chart(f"{section.title}, {ind.column_label(col)}", cats,
                         [(str(year - 1), [a for a, _ in row.values]), (str(year), [b for _, b in row.values])], "Procent")
    else:
        rows = [r for r in ps.rows if r.is_count]
        ps.chart = Chart(f"{section.title}, totalt", [r.label for r in rows],
                         [(str(year - 1), [r.values[ti][0] for r in rows]), (str(year), [r.values[ti][1] for r in rows])])
    return ps


def build(year: int, mask: int | None = 10, as_reported=None, areas=None):
    """The pack's sections for ``year`` against ``year - 1``; ``areas`` (v1 area codes) scopes
    every table to cases in those areas (contract-v2 §2; default every area)."""
    years = (year - 1, year)
    tables = compute_many({
        (sec.indicator, y): (sec.indicator, {"as_reported": as_reported, "area": areas,
                                             **({"as_of": dt.date(y, 12, 31).isoformat()} if sec.as_of else {"year": y})})
        for sec in SECTIONS for y in years})
    out = []
    for sec in SECTIONS:
        prev, cur = (collapse(tables[sec.indicator, y], sec.keep) for y in years)
        if mask:
            suppress(prev, mask)
            suppress(cur, mask)
        out.append(compare(prev, cur, sec, year))
    return out


def context(year, mask=10, as_reported=None, municipality="", areas=None):
    areas = normalize_areas(areas)
    labels = dict(Area.choices)
    return {
        "year": year, "prev_year": year - 1, "sections": build(year, mask, as_reported, areas), "mask": mask,
        "sexes": [SEX_LABELS[s] for s in SEX_ORDER], "municipality": municipality,
        "generated": dt.date.today().isoformat(), "as_reported": as_reported,
        "areas": areas, "area_text": ", ".join(labels[a] for a in areas),
    }


def to_pdf(ctx) -> bytes:
    from weasyprint import HTML

    html = render_to_string("followup/pack_print.html", ctx)
    return HTML(string=html).write_pdf()


def to_docx(ctx) -> bytes:
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.shared import Cm, Pt

    doc = Document()
    s = doc.sections[0]
    s.orientation = WD_ORIENT.LANDSCAPE
    s.page_width, s.page_height = s.page_height, s.page_width
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(s, side, Cm(1.8))
    doc.styles["Normal"].font.size = Pt(10)
    year, prev = ctx["year"], ctx["prev_year"]
    doc.add_heading(f"Individ- och familjeomsorgen: uppföljning {year} jämfört med {prev}", 0)
    intro = (f"{ctx['municipality']}. Alla tal är beräknade ur ärendenas händelser i Akta och delade efter kön; "
             "raden Totalt är summan av kvinnor, män och okänt kön.")
    if ctx["mask"]:
        intro += f" Röjandeskydd: celler under {ctx['mask']} och celler som annars kunde räknas fram visas som '..'."
    doc.add_paragraph(intro.strip())
    if ctx.get("areas"):
        doc.add_paragraph(f"Områden: {ctx['area_text']} (bara ärenden inom dessa områden räknas).")
    else:
        doc.add_paragraph("Områden: alla områden.")
    for ps in ctx["sections"]:
        doc.add_heading(ps.section.title, 1)
        doc.add_paragraph(ps.definition)
        p = doc.add_paragraph(f"Källa: {ps.reference}. Indikator: {ps.indicator.id}.")
        p.runs[0].italic = True
        table = doc.add_table(rows=2, cols=1 + 2 * len(SEX_ORDER))
        table.style = "Table Grid"
        hdr, sub = table.rows[0].cells, table.rows[1].cells
        hdr[0].text = ""
        sub[0].text = ""
        for i, sname in enumerate(SEX_ORDER):
            a, b = hdr[1 + 2 * i], hdr[2 + 2 * i]
            a.merge(b).text = SEX_LABELS[sname]
            sub[1 + 2 * i].text = str(prev)
            sub[2 + 2 * i].text = str(year)
        for r in ps.rows:
            cells = table.add_row().cells
            cells[0].text = r.label
            for i, (a, b) in enumerate(r.cells):
                cells[1 + 2 * i].text = a
                cells[2 + 2 * i].text = b
        doc.add_picture(io.BytesIO(ps.png()), width=Cm(15))
        doc.add_paragraph(f"Diagram: {ps.chart.title}. Samma siffror som i tabellen ovan.").runs[0].italic = True
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


__all__ = ["SECTIONS", "SEXES", "build", "collapse", "context", "to_docx", "to_pdf"]
