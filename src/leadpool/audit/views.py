"""The managers' audit page: search the log by action, person, target and time."""

from datetime import datetime, time
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import render
from django.utils import timezone
from django.utils.dateparse import parse_date

from leadpool.accounts import access

from .labels import ACTION_LABELS
from .log import verify
from .models import AuditEntry

FILTERS = ("q", "action", "actor", "target", "since", "until")


def _day_start(value: str, *, end: bool = False):
    day = parse_date(value) if value else None
    if day is None:
        return None
    return timezone.make_aware(datetime.combine(day, time.max if end else time.min))


def search(params: dict) -> "object":
    qs = AuditEntry.objects.all()
    if params.get("q"):
        q = params["q"]
        match = Q(action__icontains=q) | Q(actor_label__icontains=q) | Q(target_id=q) | Q(target_type__icontains=q)
        if _looks_like_ip(q):
            match |= Q(ip=q)
        qs = qs.filter(match)
    if params.get("action"):
        qs = qs.filter(action__startswith=params["action"])
    if params.get("actor"):
        qs = qs.filter(actor_label=params["actor"])
    if params.get("target"):
        kind, _, pk = params["target"].partition(":")
        qs = qs.filter(target_type=kind, target_id=pk) if pk else qs.filter(target_type=kind)
    since = _day_start(params.get("since", ""))
    if since:
        qs = qs.filter(at__gte=since)
    until = _day_start(params.get("until", ""), end=True)
    if until:
        qs = qs.filter(at__lte=until)
    return qs.order_by("-id")


def _looks_like_ip(value: str) -> bool:
    import ipaddress

    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


@login_required
def audit_list(request):
    if not access.may_configure(request.user):
        raise PermissionDenied
    params = {k: request.GET.get(k, "").strip() for k in FILTERS}
    page = Paginator(search(params), 50).get_page(request.GET.get("page"))
    for entry in page.object_list:
        entry.label = ACTION_LABELS.get(entry.action, entry.action)
    context = {
        "page": page,
        "filters": params,
        "querystring": urlencode({k: v for k, v in params.items() if v}),
        "actions": sorted(ACTION_LABELS.items()),
        "chain": verify() if request.GET.get("verify") else None,
    }
    template = "audit/list.html#results" if request.htmx else "audit/list.html"
    return render(request, template, context)
