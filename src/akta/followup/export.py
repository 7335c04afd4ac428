"""One table, several formats: CSV, XLSX and JSON are all written from the same :class:`Table`."""
import io

from openpyxl import Workbook
from openpyxl.styles import Font

from akta.spreadsheet import csv_writer, xlsx_bytes

MASK_MARK = ".."


def cell_text(table, i, col):
    if (i, col) in table.masked:
        return MASK_MARK
    v = table.rows[i][table.columns.index(col)]
    return "" if v is None else v


def to_csv(table):
    """UTF-8 text with a header row (exchange-v1 §4). Masked cells are written as '..'; text that
    could start a spreadsheet formula gets a leading ' (akta.spreadsheet)."""
    buf = io.StringIO()
    w = csv_writer(buf, lineterminator="\n")
    w.writerow(table.columns)
    for i in range(len(table.rows)):
        w.writerow([cell_text(table, i, c) for c in table.columns])
    return buf.getvalue()


def to_xlsx(table):
    """An Excel workbook: the table (codes as columns), then a sheet with the definition."""
    ind = table.indicator
    wb = Workbook()
    ws = wb.active
    ws.title = ind.id[:31]
    ws.append(list(table.columns))
    for c in ws[1]:
        c.font = Font(bold=True)
    for i in range(len(table.rows)):
        ws.append([cell_text(table, i, c) for c in table.columns])
    info = wb.create_sheet("Definition")
    for k, v in (("Indikator", ind.id), ("Titel", ind.title), ("Definition", table.definition_text),
                 ("Referens", table.reference_text),
                 *((f"Parameter {k}", ", ".join(v) if isinstance(v, list) else str(v))
                   for k, v in table.params.items()),
                 ("Innehållshash (SHA-256)", table.content_hash)):
        info.append([k, v])
    if table.masked:
        info.append(["Röjandeskydd", f"'{MASK_MARK}' = dold cell (färre än {table.params.get('mask')} eller sekundärt dold)"])
    return xlsx_bytes(wb)
