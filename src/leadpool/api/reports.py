"""Reports through the API: each dashboard's tables as JSON, and the caller's own monthly targets; scoped like the pages."""

from datetime import date

from ninja import Query, Router, Schema
from ninja.errors import HttpError

from leadpool.reports import targets
from leadpool.reports.filters import parse
from leadpool.reports.scope import may_open, scope_for
from leadpool.reports.tables import BUILDERS

from .auth import require_scope
from .schemas import Error

router = Router(tags=["reports"])


class ReportFilters(Schema):
    start: date | None = None
    end: date | None = None
    project: int | None = None
    team: int | None = None
    source: int | None = None
    campaign: str | None = None


class TableOut(Schema):
    key: str
    title: str
    columns: list[str]
    labels: list[str]
    rows: list[dict]


class ReportOut(Schema):
    report: str
    title: str
    start: date
    end: date
    tables: list[TableOut]


class KpiItemOut(Schema):
    key: str
    label: str
    target: int
    actual: int
    percent: int | None


class KpiOut(Schema):
    month: date
    subject: str
    has_target: bool
    items: list[KpiItemOut]


def _json(value):
    if isinstance(value, date):
        return value.isoformat()
    return value


@router.get("/kpi", response={200: KpiOut, 403: Error}, summary="The caller's monthly targets and progress")
def my_kpi(request, month: date | None = None):
    require_scope(request, "reports:read")
    kpi = targets.progress_for(request.user, month)
    return {
        "month": kpi.month, "subject": kpi.subject, "has_target": kpi.has_target,
        "items": [{"key": i.key, "label": i.label, "target": i.target, "actual": i.actual, "percent": i.percent} for i in kpi.items],
    }


@router.get("/{slug}", response={200: ReportOut, 403: Error, 404: Error}, summary="One dashboard's tables")
def report(request, slug: str, filters: Query[ReportFilters]):
    require_scope(request, "reports:read")
    if slug not in BUILDERS:
        raise HttpError(404, "Không có báo cáo này.")
    if not may_open(request.user, slug):
        raise HttpError(403, "Bạn không có quyền xem báo cáo này.")
    scope = scope_for(request.user)
    data = {k: str(v) for k, v in filters.dict().items() if v not in (None, "")}
    parsed, _form = parse(data, scope)
    page = BUILDERS[slug](parsed, scope)
    return {
        "report": slug, "title": page.title, "start": parsed.start, "end": parsed.end,
        "tables": [
            {
                "key": t.key, "title": str(t.title), "columns": [c.key for c in t.columns], "labels": [str(c.label) for c in t.columns],
                "rows": [{c.key: _json(row.get(c.key)) for c in t.columns} for row in t.rows],
            }
            for t in page.tables
        ],
    }
