"""The salesperson's day: the inbox by urgency, Đừng quên, check-in, and the leader's team overview."""

from datetime import date, timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from leadpool.accounts import access
from leadpool.accounts.models import Role, User
from leadpool.customers.display import format_phone, mask_phone
from leadpool.customers.models import Project, Source, Status
from leadpool.reports.targets import progress_for, team_progress

from . import attendance, inbox

PAGE_SIZE = 25
TABS = [
    ("", gettext_lazy("Tất cả"), "light"),
    ("uncalled", gettext_lazy("⚡ Chưa gọi"), "danger"),
    ("due", gettext_lazy("⏰ Đến hạn"), "warning"),
    ("hold", gettext_lazy("⏳ Sắp hết hạn giữ"), "primary"),
    ("rest", gettext_lazy("Còn lại"), "light"),
    ("dont_forget", gettext_lazy("📌 Đừng quên"), "secondary"),
]


@login_required
def my_day(request):
    """The home page: each role starts where its work is."""
    user = request.user
    if user.is_manager or user.role == Role.LEADER:
        if "member" in request.GET or request.GET.get("mine"):
            return inbox_view(request)
        return team_overview(request)
    if user.role == Role.MARKETING:
        return marketing_home(request)
    return inbox_view(request)


def _member(request) -> User:
    """Whose inbox: one's own, or (for a leader or manager) a member of a team they oversee."""
    raw = request.GET.get("member", "")
    if not raw or not raw.isdigit() or int(raw) == request.user.pk:
        return request.user
    if request.user.role not in (Role.LEADER, Role.MANAGER) and not request.user.is_manager:
        raise Http404
    member = access.users_for(request.user).filter(pk=int(raw)).first()
    if member is None:
        raise Http404
    return member


@login_required
def inbox_view(request):
    member = _member(request)
    filters = inbox.Filters.from_request(request.GET)
    now = timezone.now()
    try:
        number = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        number = 1
    box = inbox.build(request.user, member, filters, now)
    rows, has_next = box.page(number, PAGE_SIZE)
    full = access.may_see_full_phone(request.user, None)
    # Built once here rather than looked up per card in the template (the inbox is the most used page).
    url_pattern = reverse("customers:detail", args=[987654321])
    cards = []
    for customer in rows:
        phones = list(customer.phones.all())
        names = [customer.latest_source.name] if customer.latest_source else []
        names += [p.name for p in customer.projects.all()]
        cards.append({
            "c": customer,
            "url": url_pattern.replace("987654321", str(customer.pk)),
            "subtitle": " · ".join(names),
            "bucket": inbox.BUCKETS[customer.bucket],
            "phone": phones[0].e164 if phones and full else "",
            "phone_shown": (format_phone(phones[0].e164) if full else mask_phone(phones[0].e164)) if phones else "",
            "overdue": customer.next_follow_up is not None and customer.next_follow_up < now,
        })
    counts = box.counts
    member_query = f"&member={member.pk}" if member.pk != request.user.pk else ""
    context = {
        "member": member,
        "own": member.pk == request.user.pk,
        "tabs": [
            {"key": key, "label": label, "color": color, "count": counts[key if key else "all"],
             "active": filters.view == key, "query": filters.querystring(view=key) + member_query}
            for key, label, color in TABS
        ],
        "filters": filters,
        "cards": cards,
        "page_number": number,
        "has_next": has_next,
        "qs_base": filters.querystring() + member_query,
        "first_call_minutes": settings.LEADPOOL.get("FIRST_CALL_MINUTES", 30),
        "now": now,
    }
    if request.htmx and request.htmx.target == "inbox-results":
        return render(request, "sales/my_day.html#results", context)
    context.update(
        kpi=progress_for(member),
        checked_in=attendance.today(request.user),
        projects=Project.objects.filter(active=True),
        statuses=Status.objects.all(),
        sources=Source.objects.filter(active=True),
        team=access.users_for(request.user).filter(role__in=[Role.SALES, Role.LEADER]).order_by("username")
        if request.user.is_manager or request.user.role == Role.LEADER else [],
    )
    return render(request, "sales/my_day.html", context)


@login_required
def dont_forget(request):
    """The owner's Đừng quên list: the inbox filtered to the flagged customers."""
    request.GET = request.GET.copy()
    request.GET["view"] = "dont_forget"
    return inbox_view(request)


@login_required
@require_POST
def check_in(request):
    row = attendance.check_in(request.user)
    messages.success(request, _("Đã chấm công lúc %(time)s. Chúc một ngày nhiều khách!")
                     % {"time": timezone.localtime(row.checked_in_at).strftime("%H:%M")})
    return _back(request)


@login_required
@require_POST
def check_out(request):
    row = attendance.check_out(request.user)
    if row is None:
        messages.error(request, _("Bạn chưa chấm công hôm nay."))
    else:
        messages.success(request, _("Đã ghi giờ về."))
    return _back(request)


def _back(request):
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    return redirect(target)


def _team_figures(viewer, member_ids: list[int], now) -> dict[int, dict]:
    """Per member: open customers, not yet called, follow-ups due, Đừng quên — one grouped query."""
    qs = inbox.annotate_urgency(access.customers_for(viewer).filter(owner_id__in=member_ids), now)
    # Grouped by the bucket itself, so each customer's clocks are computed once.
    rows = qs.values("owner_id", "bucket").annotate(
        n=Count("pk"),
        open=Count("pk", filter=Q(status__kind=Status.Kind.OPEN)),
        dont_forget=Count("pk", filter=Q(dont_forget=True)),
    ).order_by()
    figures: dict[int, dict] = {}
    for row in rows:
        person = figures.setdefault(row["owner_id"], {"total": 0, "open": 0, "uncalled": 0, "due": 0, "dont_forget": 0})
        person["total"] += row["n"]
        person["open"] += row["open"]
        person["dont_forget"] += row["dont_forget"]
        if row["bucket"] == inbox.UNCALLED:
            person["uncalled"] += row["n"]
        elif row["bucket"] == inbox.DUE:
            person["due"] += row["n"]
    return figures


@login_required
def team_overview(request):
    """A leader's (or manager's) day: who checked in, who has customers waiting for a first call."""
    user = request.user
    if not (user.is_manager or user.role == Role.LEADER):
        raise PermissionDenied
    teams = list(access.teams_for(user).prefetch_related("memberships__user"))
    try:
        end = min(date.fromisoformat(request.GET.get("day", "")), timezone.localdate())
    except ValueError:
        end = timezone.localdate()
    days = attendance.window(7, end)
    now = timezone.now()
    member_ids = sorted({m.user_id for t in teams for m in t.memberships.all() if m.active})
    figures = _team_figures(user, member_ids, now)
    people = {u.pk: u for u in access.users_for(user).filter(pk__in=member_ids)}
    record = {r.user.pk: r for r in attendance.team_record(people.values(), days)}
    sections = []
    for team in teams:
        members = []
        for m in sorted(team.memberships.all(), key=lambda m: m.user.username):
            if not m.active or m.user_id not in record:
                continue
            row = record[m.user_id]
            row.figures = figures.get(m.user_id, {})
            members.append(row)
        present = sum(1 for r in members if r.today)
        sections.append({"team": team, "members": members, "present": present, "kpi": team_progress(team)})
    context = {
        "sections": sections,
        "days": days,
        "end": end,
        "prev_day": (end - timedelta(days=7)).isoformat(),
        "next_day": (end + timedelta(days=7)).isoformat() if end < timezone.localdate() else "",
        "checked_in": attendance.today(user),
        "links": _links(["rotation:candidates", "reports:index", "customers:list"]),
        "now": now,
    }
    return render(request, "sales/team.html", context)


def _links(names: list[str]) -> list[dict]:
    labels = {
        "rotation:candidates": _("Danh sách đảo khách"),
        "reports:index": _("Báo cáo"),
        "customers:list": _("Tất cả khách hàng"),
        "intake:inbox": _("Hộp nhận lead"),
        "intake:import": _("Nhập file"),
        "admin:index": _("Cấu hình"),
    }
    links = []
    for name in names:
        try:
            links.append({"url": reverse(name), "label": labels.get(name, name)})
        except NoReverseMatch:
            continue  # that part of the product is not installed
    return links


@login_required
def marketing_home(request):
    today_start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    leads = access.leads_for(request.user)
    context = {
        "today": leads.filter(received_at__gte=today_start).count(),
        "week": leads.filter(received_at__gte=today_start - timedelta(days=6)).count(),
        "links": _links(["intake:inbox", "intake:import", "reports:index", "customers:list"]),
    }
    return render(request, "sales/marketing_home.html", context)
