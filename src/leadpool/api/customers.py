"""Customers through the API: list and detail, scoped exactly like the web pages."""

from django.db.models import Prefetch
from django.http import Http404
from ninja import Query, Router, Schema

from leadpool.accounts import access
from leadpool.customers import search
from leadpool.customers.display import phone_for
from leadpool.customers.models import Lead

from .auth import require_scope
from .schemas import CustomerDetail, Error, Page

router = Router(tags=["customers"])


class CustomerFilters(Schema):
    q: str | None = None
    status: str | None = None
    project: str | None = None
    source: str | None = None
    page: int = 1
    page_size: int = 25


def summary(customer, user) -> dict:
    phones = list(customer.phones.all())
    return {
        "id": customer.pk,
        "name": customer.name,
        "phone": phone_for(user, customer, phones[0].e164) if phones else None,
        "status": {"key": customer.status.key, "label": customer.status.label, "kind": customer.status.kind},
        "owner": customer.owner.username if customer.owner else None,
        "projects": [p.code for p in customer.projects.all()],
        "first_source": customer.first_source.key if customer.first_source else None,
        "latest_source": customer.latest_source.key if customer.latest_source else None,
        "created_at": customer.created_at,
        "last_contact_at": customer.last_contact_at,
    }


@router.get("/", response={200: Page, 403: Error}, summary="List customers the caller may see")
def list_customers(request, filters: Query[CustomerFilters]):
    require_scope(request, "customers:read")
    page_size = max(1, min(filters.page_size, 200))
    page = max(1, filters.page)
    qs = search.filter_customers(
        access.customers_for(request.user),
        q=filters.q,
        status=filters.status,
        project=filters.project,
        source=filters.source,
    )
    total = qs.count()
    rows = (
        qs.select_related("status", "owner", "first_source", "latest_source")
        .prefetch_related("phones", "projects")
        .order_by("-created_at", "-id")[(page - 1) * page_size : page * page_size]
    )
    return {"count": total, "page": page, "page_size": page_size, "results": [summary(c, request.user) for c in rows]}


@router.get("/{int:customer_id}", response={200: CustomerDetail, 403: Error, 404: Error}, summary="One customer")
def get_customer(request, customer_id: int):
    require_scope(request, "customers:read")
    qs = access.customers_for(request.user).select_related("status", "owner", "first_source", "latest_source")
    qs = qs.prefetch_related(
        "phones", "emails", "projects", "groups",
        Prefetch("leads", queryset=Lead.objects.select_related("source").prefetch_related("projects")),
    )
    customer = qs.filter(pk=customer_id).first()
    if customer is None:
        raise Http404("Không tìm thấy khách hàng.")
    data = summary(customer, request.user)
    data.update(
        phones=[phone_for(request.user, customer, p.e164) for p in customer.phones.all()],
        emails=[e.address for e in customer.emails.all()] if access.may_see_full_phone(request.user, customer) else [],
        groups=[str(g) for g in customer.groups.all()],
        leads=[
            {
                "id": lead.pk,
                "channel": lead.channel,
                "source": lead.source.key,
                "capture_point": lead.capture_point,
                "campaign": lead.campaign,
                "projects": [p.code for p in lead.projects.all()],
                "answers": lead.answers,
                "received_at": lead.received_at,
                "is_test": lead.is_test,
            }
            for lead in customer.leads.all()
        ],
    )
    return data
