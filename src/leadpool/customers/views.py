"""Customer list and customer page: parse, ask access, render."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import render

from leadpool.accounts import access
from leadpool.audit import log as audit
from leadpool.sales.page import work_context

from . import search
from .display import format_phone, mask_phone, zalo_link
from .models import Group, Lead, Project, Source, Status


def _filters(request) -> dict:
    keys = ("q", "status", "project", "source", "owner", "group")
    return {k: request.GET.get(k, "").strip() for k in keys}


@login_required
def customer_list(request):
    filters = _filters(request)
    qs = search.filter_customers(access.customers_for(request.user), **{k: v or None for k, v in filters.items()})
    qs = qs.select_related("status", "owner", "latest_source").prefetch_related("phones", "projects")
    qs = qs.order_by("-created_at", "-id")
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    full = access.may_see_full_phone(request.user, None)
    rows = []
    for customer in page.object_list:
        phones = list(customer.phones.all())
        phone = ""
        if phones:
            phone = format_phone(phones[0].e164) if full else mask_phone(phones[0].e164)
        rows.append({"customer": customer, "phone": phone})
    context = {
        "page": page,
        "rows": rows,
        "filters": filters,
        "querystring": "&".join(f"{k}={v}" for k, v in filters.items() if v),
        "statuses": Status.objects.all(),
        "projects": Project.objects.filter(active=True),
        "sources": Source.objects.all(),
        "groups": Group.objects.select_related("parent"),
        "owners": access.users_for(request.user).filter(role__in=["sales", "leader"]),
    }
    template = "customers/list.html#results" if request.htmx else "customers/list.html"
    return render(request, template, context)


@login_required
def customer_detail(request, customer_id: int):
    """The customer page: profile, leads, one timeline, and (for whoever may work on it) the quick actions."""
    customer = (
        access.customers_for(request.user)
        .select_related("status", "owner", "team", "first_source", "latest_source")
        .prefetch_related(
            "phones", "emails", "projects", "groups__parent",
            Prefetch("leads", queryset=Lead.objects.select_related("source").prefetch_related("projects")),
        )
        .filter(pk=customer_id)
        .first()
    )
    if customer is None:
        raise Http404
    full = access.may_see_full_phone(request.user, customer)
    phones = [
        {
            "e164": p.e164 if full else "",
            "shown": format_phone(p.e164) if full else mask_phone(p.e164),
            "zalo": zalo_link(p.e164) if full else "",
            "kind": p.kind,
        }
        for p in customer.phones.all()
    ]
    if full and phones and access.full_phone_view_is_audited(request.user, customer):
        audit.record("customer.phone_viewed", actor=request.user, target=customer, ip=audit.client_ip(request))
    leads = list(customer.leads.all())
    # Speed to lead: the oldest lead nobody has answered yet (no call since it came, no contact since).
    waiting = [
        lead.received_at for lead in leads
        if lead.first_call_at is None and (customer.last_contact_at is None or lead.received_at > customer.last_contact_at)
    ]
    context = work_context(request, customer, can_work=access.may_work_on(request.user, customer))
    context.update(
        phones=phones,
        emails=[e.address for e in customer.emails.all()] if full else [],
        waiting_since=min(waiting) if waiting else None,
    )
    return render(request, "customers/detail.html", context)
