"""Charts: one layout, drawn as SVG (inline on the page and in the PDF) or PNG (in the DOCX).

A horizontal grouped bar chart: one group per category (area, sex, bucket …), one bar per
series (e.g. the previous year and the year). Each bar carries its value as text and the
series are told apart by a legend *and* by a hatch on the first series, so no information is
carried by colour alone. A masked (or missing) value draws no bar and the text "..". The
table with the same numbers is always placed beside the chart for screen readers; the SVG
itself has role="img" and a title/description.

PNG is drawn with Pillow (already a dependency of WeasyPrint) and the DejaVu font when the
system has it, so no plotting library is needed.
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from html import escape
from pathlib import Path

COLORS = ("#7a8fa6", "#12385a", "#a66a00", "#3b6e3b")  # contrast ≥ 3:1 on white for the bars
TEXT = "#1b1b1b"
WIDTH = 640
LABEL_W = 190
ROW_GAP = 10
BAR_H = 16
TOP = 44
FONT_PATHS = ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
              "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf")


@dataclass
class Chart:
    title: str
    categories: list
    series: list  # [(name, [value or None per category])]
    unit: str = "Antal"


def _fmt(v):
    if v is None:
        return ".."
    if isinstance(v, float):
        return f"{v:.1f}".replace(".", ",")
    return f"{v:,}".replace(",", "\u00a0")


def layout(chart: Chart):
    """Rectangles and texts in chart coordinates: (kind, attrs)."""
    n_series = max(1, len(chart.series))
    group_h = n_series * BAR_H + ROW_GAP
    height = TOP + len(chart.categories) * group_h + 30
    values = [v for _, vals in chart.series for v in vals if isinstance(v, (int, float))]
    vmax = max(values) if values else 0
    vmax = vmax or 1
    plot_w = WIDTH - LABEL_W - 70
    items = [("text", {"x": 0, "y": 16, "text": chart.title, "bold": True, "size": 14})]
    # Legend.
    lx = 0
    for si, (name, _) in enumerate(chart.series):
        items.append(("rect", {"x": lx, "y": 24, "w": 12, "h": 12, "fill": COLORS[si % len(COLORS)], "hatch": si == 0}))
        items.append(("text", {"x": lx + 16, "y": 34, "text": name, "size": 11}))
        lx += 24 + 7 * len(name)
    y = TOP
    for ci, cat in enumerate(chart.categories):
        items.append(("text", {"x": 0, "y": y + (n_series * BAR_H) / 2 + 4, "text": _short(str(cat)), "size": 11}))
        for si, (name, vals) in enumerate(chart.series):
            v = vals[ci] if ci < len(vals) else None
            by = y + si * BAR_H
            w = 0 if not isinstance(v, (int, float)) else max(1 if v else 0, plot_w * v / vmax)
            if w:
                items.append(("rect", {"x": LABEL_W, "y": by + 1, "w": w, "h": BAR_H - 2,
                                       "fill": COLORS[si % len(COLORS)], "hatch": si == 0}))
            items.append(("text", {"x": LABEL_W + w + 4, "y": by + BAR_H - 4, "text": _fmt(v), "size": 10}))
        y += group_h
    items.append(("line", {"x1": LABEL_W, "y1": TOP - 2, "x2": LABEL_W, "y2": y - ROW_GAP + 2}))
    items.append(("text", {"x": LABEL_W, "y": y + 14, "text": chart.unit, "size": 10}))
    return WIDTH, height, items


def _short(text, n=30):
    return text if len(text) <= n else text[: n - 1] + "…"


def svg(chart: Chart, chart_id="chart") -> str:
    w, h, items = layout(chart)
    desc = "; ".join(
        f"{cat}: " + ", ".join(f"{name} {_fmt(vals[i] if i < len(vals) else None)}" for name, vals in chart.series)
        for i, cat in enumerate(chart.categories))
    out = [(f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" '
            f'role="img" aria-labelledby="{chart_id}-t {chart_id}-d" class="chart">'),
           f'<title id="{chart_id}-t">{escape(chart.title)}</title><desc id="{chart_id}-d">{escape(desc)}</desc>',
           (f'<defs><pattern id="{chart_id}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
            f'patternTransform="rotate(45)"><rect width="6" height="6" fill="{COLORS[0]}"/>'
            '<line x1="0" y1="0" x2="0" y2="6" stroke="#ffffff" stroke-width="2"/></pattern></defs>')]
    for kind, a in items:
        if kind == "rect":
            fill = f"url(#{chart_id}-hatch)" if a.get("hatch") else a["fill"]
            out.append(f'<rect x="{a["x"]:.1f}" y="{a["y"]:.1f}" width="{a["w"]:.1f}" height="{a["h"]:.1f}" '
                       f'fill="{fill}" stroke="{TEXT}" stroke-width="0.5"/>')
        elif kind == "text":
            weight = ' font-weight="bold"' if a.get("bold") else ""
            out.append(f'<text x="{a["x"]:.1f}" y="{a["y"]:.1f}" font-size="{a["size"]}" fill="{TEXT}" '
                       f'font-family="DejaVu Sans, Arial, sans-serif"{weight}>{escape(a["text"])}</text>')
        elif kind == "line":
            out.append(f'<line x1="{a["x1"]}" y1="{a["y1"]}" x2="{a["x2"]}" y2="{a["y2"]}" stroke="{TEXT}"/>')
    out.append("</svg>")
    return "".join(out)


def _font(size):
    from PIL import ImageFont

    for p in FONT_PATHS:
        if Path(p).exists():
            return ImageFont.truetype(p, size)
    return ImageFont.load_default(size=size)


def png(chart: Chart, scale=2) -> bytes:
    from PIL import Image, ImageDraw

    w, h, items = layout(chart)
    img = Image.new("RGB", (w * scale, h * scale), "white")
    dr = ImageDraw.Draw(img)
    fonts = {}
    for kind, a in items:
        if kind == "rect":
            box = [a["x"] * scale, a["y"] * scale, (a["x"] + a["w"]) * scale, (a["y"] + a["h"]) * scale]
            dr.rectangle(box, fill=a["fill"], outline=TEXT)
            if a.get("hatch"):
                x0, y0, x1, y1 = box
                step = 6 * scale
                k = x0 - (y1 - y0)
                while k < x1:
                    # diagonal white lines clipped to the box
                    sx, sy = max(x0, k), y1 - max(0, x0 - k)
                    ex, ey = min(x1, k + (y1 - y0)), y0 + max(0, (k + (y1 - y0)) - x1)
                    if ex > sx:
                        dr.line([sx, sy, ex, ey], fill="white", width=scale)
                    k += step
        elif kind == "text":
            size = a["size"] * scale
            f = fonts.get(size) or fonts.setdefault(size, _font(size))
            dr.text((a["x"] * scale, a["y"] * scale - size), a["text"], fill=TEXT, font=f)
        elif kind == "line":
            dr.line([a["x1"] * scale, a["y1"] * scale, a["x2"] * scale, a["y2"] * scale], fill=TEXT, width=scale)
    buf = io.BytesIO()
    img.save(buf, "PNG", optimize=True)
    return buf.getvalue()


def chart_for_table(table, title=None) -> Chart:
    """The chart of one indicator table: the first count column per first dimension (summed
    over the other dimensions, totalt rows excluded), one bar per sex; without dimensions, the
    count columns per sex."""
    from akta.followup.engine import SEX_LABELS, SEXES

    ind = table.indicator
    cols = table.columns
    sex_i = cols.index("sex")
    measure = ind.count_columns[0]
    if ind.dims and not (ind.dims[0].values and len(ind.dims) == 1 and table.summary_keys):
        dim = ind.dims[0]
        di = cols.index(dim.name)
        cats, data = [], {}
        for i, row in enumerate(table.rows):
            if table.key_of(row) in table.summary_keys or row[sex_i] not in SEXES:
                continue
            cat = row[di]
            if cat not in data:
                cats.append(cat)
                data[cat] = {s: 0 for s in SEXES}
            v = None if (i, measure) in table.masked else row[cols.index(measure)]
            cur = data[cat][row[sex_i]]
            data[cat][row[sex_i]] = None if (v is None or cur is None) else cur + v
        series = [(SEX_LABELS[s], [data[c][s] for c in cats]) for s in SEXES if any(data[c][s] for c in cats)]
        return Chart(title or ind.title, [dim.label_of(c) for c in cats], series or [(SEX_LABELS["kvinna"], [0] * len(cats))],
                     ind.column_label(measure))
    # Without dimensions (or buckets with summary rows): categories = count columns or buckets.
    if ind.dims:
        dim = ind.dims[0]
        di = cols.index(dim.name)
        cats = [v for v in dim.values]
        series = []
        for s in SEXES:
            vals = []
            for cat in cats:
                idx = next(i for i, r in enumerate(table.rows) if r[di] == cat and r[sex_i] == s)
                vals.append(None if (idx, measure) in table.masked else table.rows[idx][cols.index(measure)])
            series.append((SEX_LABELS[s], vals))
        series = [x for x in series if any(x[1])] or series[:1]
        return Chart(title or ind.title, [dim.label_of(c) for c in cats], series, ind.column_label(measure))
    cats = list(ind.count_columns)
    series = []
    for s in SEXES:
        idx = next(i for i, r in enumerate(table.rows) if r[sex_i] == s)
        series.append((SEX_LABELS[s], [None if (idx, c) in table.masked else table.rows[idx][cols.index(c)] for c in cats]))
    series = [x for x in series if any(x[1])] or series[:1]
    return Chart(title or ind.title, [ind.column_label(c) for c in cats], series, "Antal")
