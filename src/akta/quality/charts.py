"""Bar charts for the committee documents, drawn with Pillow (installed with WeasyPrint).

A chart compares the previous year with this year per category. Bars carry their numbers as
text and the two years differ in pattern as well as colour, so nothing is told by colour alone.
"""
import io
from pathlib import Path

FONT_PATHS = ["/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
              "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf"]
COLOURS = [(154, 165, 177), (29, 92, 150)]  # previous year: grey; this year: blue


def _font(size):
    from PIL import ImageFont

    for path in FONT_PATHS:
        if Path(path).exists():
            return ImageFont.truetype(path, size)
    return ImageFont.load_default(size=size)


def bar_chart(title, labels, series, width=1200):
    """A horizontal grouped bar chart as PNG bytes. `series` is [(name, [values…]), …]."""
    from PIL import Image, ImageDraw

    font, small, bold = _font(22), _font(20), _font(26)
    row_h = 26 * len(series) + 18
    top, left, right = 90, 430, 120
    height = top + row_h * max(len(labels), 1) + 30
    img = Image.new("RGB", (width, height), "white")
    d = ImageDraw.Draw(img)
    d.text((20, 15), title, fill="black", font=bold)
    x = 20
    for i, (name, _values) in enumerate(series):
        d.rectangle([x, 58, x + 26, 80], fill=COLOURS[i % 2], outline="black")
        if i % 2 == 0:
            for k in range(x, x + 26, 6):
                d.line([k, 58, k, 80], fill="white")
        d.text((x + 34, 56), str(name), fill="black", font=small)
        x += 34 + int(d.textlength(str(name), font=small)) + 40
    peak = max([v for _n, vals in series for v in vals] + [1])
    scale = (width - left - right) / peak
    for r, label in enumerate(labels):
        y = top + r * row_h
        text = label if d.textlength(label, font=font) < left - 30 else label[:28] + "…"
        d.text((20, y + row_h / 2 - 14), text, fill="black", font=font)
        for i, (_name, vals) in enumerate(series):
            v = vals[r]
            by = y + 6 + i * 26
            d.rectangle([left, by, left + max(int(v * scale), 1), by + 22], fill=COLOURS[i % 2], outline="black")
            if i % 2 == 0:
                for k in range(left, left + max(int(v * scale), 1), 6):
                    d.line([k, by, k, by + 22], fill="white")
            d.text((left + int(v * scale) + 8, by - 1), str(v), fill="black", font=small)
    d.line([left, top - 5, left, height - 25], fill="black", width=2)
    out = io.BytesIO()
    img.save(out, format="PNG", optimize=True)
    return out.getvalue()
