"""Every CSV and XLSX cell Akta writes goes through here: spreadsheet formula injection.

A cell whose text starts with `=`, `+`, `-`, `@`, a tab or a carriage return is read by Excel,
LibreOffice and Google Sheets as a formula (`=HYPERLINK(...)` in a case type or a name becomes a
live link, or worse). As OWASP advises (CSV Injection), such text is neutralised by prefixing a
single quote `'`, which makes the spreadsheet show it as text.

Numbers stay numbers. In XLSX only text is neutralised: an int, float or Decimal cell is a
number cell and can never be a formula, so a negative number is still a negative number. In CSV
everything is text, so a value that is entirely a number (`-12`, `-1.5`, `+3`, also when it
arrives as a string) is written unchanged: every spreadsheet reads it as a number, not a
formula (OWASP: numeric values are fine to leave). Anything else starting with one of the
characters, such as `-1+2` or `-Anna`, gets the quote.
"""
import csv
import re
from datetime import date, datetime
from decimal import Decimal

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?")


def neutralise(text):
    """The text as a spreadsheet must show it: with a leading `'` if it could start a formula."""
    if text and text.startswith(TRIGGERS):
        return "'" + text
    return text


def unneutralise(text):
    """Undo neutralise(): for reading Akta's own CSV again (reconciliation)."""
    if text.startswith("'") and text[1:2] and text[1:].startswith(TRIGGERS):
        return text[1:]
    return text


def csv_cell(value):
    """One CSV field: numbers (and strings that are only a number) unchanged, other text neutralised."""
    if isinstance(value, str):
        return value if PLAIN_NUMBER.fullmatch(value) else neutralise(value)
    return value


def xlsx_cell(value):
    """One XLSX cell: only text is neutralised; numbers, dates and booleans keep their type."""
    if isinstance(value, str):
        return neutralise(value)
    if value is None or isinstance(value, (bool, int, float, Decimal, date, datetime)):
        return value
    return neutralise(str(value))


class _SafeWriter:
    def __init__(self, writer):
        self._w = writer

    def writerow(self, row):
        return self._w.writerow([csv_cell(v) for v in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


class _SafeDictWriter:
    def __init__(self, writer):
        self._w = writer

    def writeheader(self):
        return self._w.writeheader()

    def writerow(self, row):
        return self._w.writerow({k: csv_cell(v) for k, v in row.items()})

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


def csv_writer(f, **kwargs):
    """csv.writer whose every field goes through csv_cell."""
    return _SafeWriter(csv.writer(f, **kwargs))


def csv_dictwriter(f, fieldnames, **kwargs):
    """csv.DictWriter whose every value goes through csv_cell."""
    return _SafeDictWriter(csv.DictWriter(f, fieldnames, **kwargs))


def xlsx_append(ws, row):
    """ws.append(row) with every cell through xlsx_cell."""
    ws.append([xlsx_cell(v) for v in row])


def neutralise_workbook(wb):
    """Neutralise every text cell of every sheet in place (call just before wb.save).

    openpyxl stores a string starting with `=` as a formula; after this no cell of the workbook
    is one. Number, date and boolean cells are left as they are.
    """
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith(TRIGGERS):
                    cell.value = neutralise(cell.value)
                    cell.data_type = "s"
    return wb


def xlsx_bytes(wb):
    """The workbook's bytes, every text cell neutralised first."""
    import io

    neutralise_workbook(wb)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
