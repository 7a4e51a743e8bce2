"""Writing a report table as CSV or XLSX (openpyxl), and recording the export in the audit log."""

import csv
import io
from datetime import date

from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook

from leadpool.audit import log as audit

from .tables import Table

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _safe(value):
    """A text cell starting with = + - @ would run as a formula in a spreadsheet: neutralise it."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _plain(value):
    if value is None:
        return ""
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, (int, date, str)):
        return value
    return str(value)


def table_bytes(table: Table, fmt: str) -> bytes:
    header = [str(c.label) for c in table.columns]
    rows = [[_safe(_plain(v)) for v in row] for row in table.raw_rows()]
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(header)
        writer.writerows(rows)
        return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # the BOM lets Excel read Vietnamese correctly
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=str(table.title)[:31])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def export_response(table: Table, fmt: str, *, name: str, request, filters: dict) -> HttpResponse:
    body = table_bytes(table, fmt)
    filename = f"{name}-{timezone.localdate():%Y%m%d}.{fmt}"
    audit.record(
        "export",
        actor=request.user,
        data={"what": name, "format": fmt, "rows": len(table.rows), "filters": filters},
        ip=audit.client_ip(request),
    )
    response = HttpResponse(body, content_type=FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
