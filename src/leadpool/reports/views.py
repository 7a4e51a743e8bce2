"""Report pages: parse the filters, check who may see what, ask the queries, render or export."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Sum
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from leadpool.accounts import access
from leadpool.accounts.models import Role, Team
from leadpool.audit import log as audit
from leadpool.customers.display import phone_for

from . import audiences, drill, queries, spend, summaries, targets
from .exports import FORMATS, export_response
from .filters import parse
from .forms import AudienceForm, SpendForm, SpendImportForm, TargetForm
from .scope import REPORT_ROLES, Scope, may_open, require, scope_for
from .tables import BUILDERS, HINTS, TITLES, report_url

PAGE_SIZE = 25


def _links(user) -> list[dict]:
    return [
        {"slug": slug, "title": TITLES[slug], "hint": HINTS[slug], "url": report_url(slug)}
        for slug in REPORT_ROLES if may_open(user, slug)
    ]


def _context(request, **extra) -> dict:
    return {
        "refreshed_at": summaries.last_refreshed(), "may_export": access.may_export(request.user),
        "report_links": _links(request.user), **extra,
    }


@login_required
def index(request):
    user = request.user
    if user.role == Role.SALES and not user.is_manager:
        query = request.GET.urlencode()
        return redirect(reverse("reports:me") + (f"?{query}" if query else ""))
    return render(request, "reports/index.html", _context(request, cards=_links(user)))


@login_required
@transaction.atomic  # one snapshot for every figure of the page (and room for speed's SET LOCAL work_mem)
def report(request, slug: str):
    if slug not in BUILDERS:
        raise Http404
    scope = require(request.user, slug)
    filters, form = parse(request.GET, scope)
    page = BUILDERS[slug](filters, scope)
    return render(request, "reports/report.html", _context(
        request, page=page, form=form, filters=filters, slug=slug, querystring=filters.query(), charts=page.charts,
        tables=[{"table": t, "body": t.body_html()} for t in page.tables],
        hide_team=slug == "cost",
    ))


@login_required
def export(request, slug: str, table: str, fmt: str):
    if not access.may_export(request.user):
        raise PermissionDenied(_("Chỉ quản lý được xuất dữ liệu."))
    if slug not in BUILDERS or fmt not in FORMATS:
        raise Http404
    scope = require(request.user, slug)
    filters, _form = parse(request.GET, scope)
    page = BUILDERS[slug](filters, scope)
    chosen = next((t for t in page.tables if t.key == table), None)
    if chosen is None:
        raise Http404
    return export_response(chosen, fmt, name=f"{slug}-{table}", request=request, filters=filters.params())


def _phone(user, customer) -> str:
    phones = list(customer.phones.all())
    if not phones:
        return ""
    return phone_for(user, customer, phones[0].e164)


@login_required
def lead_list(request):
    scope = scope_for(request.user)
    filters, _form = parse(request.GET, scope)
    qs = drill.leads_behind(request.user, filters, scope, request.GET)
    qs = qs.select_related("source", "customer", "owner_at_arrival").prefetch_related("customer__phones").order_by("-received_at", "-id")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [{"lead": lead, "phone": _phone(request.user, lead.customer)} for lead in page.object_list]
    return render(request, "reports/lead_list.html", _context(
        request, page=page, rows=rows, filters=filters, querystring=_without_page(request),
    ))


@login_required
def customer_list(request):
    scope = scope_for(request.user)
    filters, _form = parse(request.GET, scope)
    qs = drill.customers_behind(request.user, filters, scope, request.GET)
    qs = qs.select_related("status", "owner", "first_source").prefetch_related("phones").order_by("-created_at", "-id")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [{"customer": c, "phone": _phone(request.user, c)} for c in page.object_list]
    return render(request, "reports/customer_list.html", _context(
        request, page=page, rows=rows, filters=filters, querystring=_without_page(request),
    ))


def _without_page(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


@login_required
def me(request):
    """A person's own figures: speed to lead, work done, targets."""
    user = request.user
    own = Scope(user, (), (user.pk,))
    filters, form = parse(request.GET, None)
    speed = queries.speed(filters, own)
    mine = next((r for r in speed["people"] if r["user_id"] == user.pk), None)
    work = queries.effectiveness(filters.with_(team_id=None), Scope(user, None, (user.pk,)))
    figures = next((r for r in work["rows"] if r["user_id"] == user.pk), None)
    return render(request, "reports/me.html", _context(
        request, form=form, filters=filters, speed=mine, limit=speed["limit"], figures=figures,
        kpi=targets.progress_for(user, filters.end),
    ))


# --- targets ----------------------------------------------------------------------------------------------


def _month(request) -> date:
    value = request.GET.get("month", "")
    try:
        year, month = (int(x) for x in value.split("-")[:2])
        return date(year, month, 1)
    except (ValueError, TypeError):
        return targets.month_start()


@login_required
def targets_page(request):
    scope = require(request.user, "targets")
    month = _month(request)
    teams = Team.objects.all() if scope.team_ids is None else Team.objects.filter(pk__in=scope.team_ids)
    people = access.users_for(request.user).filter(role__in=[Role.SALES, Role.LEADER]).order_by("username")
    if request.method == "POST":
        form = TargetForm(request.POST, users=people, teams=teams)
        if form.is_valid():
            data = form.cleaned_data
            targets.set_target(
                month=data["month"], by=request.user, user=data["user"], team=data["team"],
                **{k: data[k] for k in ("calls", "appointments", "deposits", "bookings")},
            )
            messages.success(request, _("Đã lưu chỉ tiêu."))
            return redirect(f"{request.path}?month={data['month']:%Y-%m}")
    else:
        form = TargetForm(initial={"month": month.strftime("%Y-%m")}, users=people, teams=teams)
    team_cards = [targets.team_progress(team, month) for team in teams]
    person_cards = [targets.progress_for(person, month) for person in people]
    return render(request, "reports/targets.html", _context(
        request, month=month, form=form, team_cards=team_cards, person_cards=person_cards,
        month_value=month.strftime("%Y-%m"),
    ))


# --- ad spend -----------------------------------------------------------------------------------------------


@login_required
def spend_page(request):
    scope = require(request.user, "spend")
    filters, filter_form = parse(request.GET, scope)
    entry, upload, errors = SpendForm(), SpendImportForm(), []
    if request.method == "POST":
        if request.POST.get("action") == "import":
            upload = SpendImportForm(request.POST, request.FILES)
            if upload.is_valid():
                parsed = spend.parse_csv(upload.cleaned_data["file"])
                if parsed.ok:
                    n = spend.import_rows(parsed, by=request.user, filename=request.FILES["file"].name)
                    messages.success(request, _("Đã nhập %(n)s dòng chi phí.") % {"n": n})
                    return redirect("reports:spend")
                errors = parsed.errors
        else:
            entry = SpendForm(request.POST)
            if entry.is_valid():
                d = entry.cleaned_data
                row = spend.save_spend(day=d["day"], source=d["source"], campaign=d["campaign"].strip(), project=d["project"],
                                       amount=d["amount"], by=request.user)
                audit.record("ad_spend.saved", actor=request.user, target=row, data={"amount": row.amount})
                messages.success(request, _("Đã lưu chi phí."))
                return redirect("reports:spend")
    qs = queries.spend_rows(filters).select_related("source", "project").order_by("-day", "source__name", "campaign")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    total = qs.aggregate(total=Sum("amount"))["total"] or 0
    return render(request, "reports/spend.html", _context(
        request, entry=entry, upload=upload, errors=errors, page=page, form=filter_form, filters=filters,
        total=total, querystring=filters.query(),
    ))


# --- audiences -------------------------------------------------------------------------------------------------


@login_required
def audiences_page(request):
    require(request.user, "audiences")
    form = AudienceForm(request.POST or None)
    count = None
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        segment = audiences.Segment(
            project_id=d["project"].pk if d["project"] else None, status_id=d["status"].pk if d["status"] else None,
            source_id=d["source"].pk if d["source"] else None, start=d["start"], end=d["end"],
        )
        platform = audiences.PLATFORMS[d["platform"]]
        rows = audiences.audience_rows(request.user, segment, platform)
        if request.POST.get("action") == "count":
            count = len(rows)
        else:
            audit.record("export", actor=request.user, ip=audit.client_ip(request), data={
                "what": "audience", "platform": platform.key, "rows": len(rows),
                "segment": {k: v for k, v in segment.__dict__.items() if v}, "hashed": True,
            })
            response = HttpResponse(audiences.audience_csv(rows, platform), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="audience-{platform.key}-{date.today():%Y%m%d}.csv"'
            return response
    return render(request, "reports/audiences.html", _context(request, form=form, count=count))


@require_POST
@login_required
def refresh_now(request):
    """A manager may bring the summaries up to date at once instead of waiting for the worker."""
    if not request.user.is_manager:
        raise PermissionDenied
    from .tasks import refresh_summaries

    refresh_summaries.enqueue()
    messages.info(request, _("Đã yêu cầu cập nhật số liệu; trang sẽ có số mới sau ít phút."))
    target = request.POST.get("next", "")
    return redirect(target if target.startswith("/reports/") else "reports:index")
