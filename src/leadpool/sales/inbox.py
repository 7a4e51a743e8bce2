"""My customers, by urgency: not yet called, follow-ups due, hold deadline soonest, then the rest.

The order is computed in SQL over the owner's customers only (their owner index), so the page stays
fast whatever the size of the whole customer table.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlencode

from django.db.models import (
    Case,
    Count,
    DateTimeField,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from leadpool.accounts import access
from leadpool.customers import search
from leadpool.customers.models import Lead

from .actions import end_of_local_day
from .models import FollowUp

UNCALLED, DUE, HOLD, REST = 0, 1, 2, 3
BUCKETS = {UNCALLED: "uncalled", DUE: "due", HOLD: "hold", REST: "rest"}
VIEWS = {"uncalled": UNCALLED, "due": DUE, "hold": HOLD, "rest": REST}
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


def annotate_urgency(qs: QuerySet, now: datetime) -> QuerySet:
    """Add waiting_since, next_follow_up, bucket and sort_at to a customer queryset."""
    # A lead is waiting for its first call when no call answered it and nobody has been in touch since it came.
    waiting = (
        Lead.objects.filter(customer=OuterRef("pk"), first_call_at__isnull=True)
        .filter(received_at__gt=Coalesce(OuterRef("last_contact_at"), Value(EPOCH)))
        .order_by("received_at")
        .values("received_at")[:1]
    )
    next_follow_up = (
        FollowUp.objects.filter(customer=OuterRef("pk"), done_at__isnull=True, cancelled_at__isnull=True)
        .order_by("due_at")
        .values("due_at")[:1]
    )
    tomorrow = end_of_local_day(now)
    qs = qs.annotate(
        waiting_since=Subquery(waiting, output_field=DateTimeField()),
        next_follow_up=Subquery(next_follow_up, output_field=DateTimeField()),
    )
    return qs.annotate(
        bucket=Case(
            When(waiting_since__isnull=False, then=Value(UNCALLED)),
            When(next_follow_up__lt=tomorrow, then=Value(DUE)),
            When(next_deadline_at__isnull=False, then=Value(HOLD)),
            default=Value(REST),
            output_field=IntegerField(),
        ),
        sort_at=Case(
            When(bucket=UNCALLED, then=F("waiting_since")),
            When(bucket=DUE, then=F("next_follow_up")),
            When(bucket=HOLD, then=F("next_deadline_at")),
            default=Coalesce("last_contact_at", "created_at"),
            output_field=DateTimeField(),
        ),
    )


@dataclass
class Filters:
    q: str = ""
    project: str = ""
    status: str = ""
    source: str = ""
    view: str = ""  # uncalled, due, hold, rest, dont_forget

    @classmethod
    def from_request(cls, get) -> "Filters":
        return cls(**{k: (get.get(k) or "").strip()[:100] for k in ("q", "project", "status", "source", "view")})

    def querystring(self, **override) -> str:
        values = {**self.__dict__, **override}
        return urlencode({k: v for k, v in values.items() if v})


def owned(viewer, owner) -> QuerySet:
    """The owner's customers, as far as the viewer may see them (a leader sees their members')."""
    return access.customers_for(viewer).filter(owner=owner)


def customers(viewer, owner, filters: Filters, now: datetime | None = None) -> QuerySet:
    now = now or timezone.now()
    qs = search.filter_customers(
        owned(viewer, owner), q=filters.q or None, status=filters.status or None,
        project=filters.project or None, source=filters.source or None,
    )
    if filters.view == "dont_forget":
        qs = qs.filter(dont_forget=True)
    qs = annotate_urgency(qs, now)
    if filters.view in VIEWS:
        qs = qs.filter(bucket=VIEWS[filters.view])
    return qs


def counts(viewer, owner, filters: Filters, now: datetime | None = None) -> dict[str, int]:
    """How many customers sit in each bucket (and are flagged Đừng quên), in one query."""
    base = customers(viewer, owner, Filters(q=filters.q, project=filters.project, status=filters.status,
                                            source=filters.source), now)
    totals = base.aggregate(
        uncalled=Count("pk", filter=Q(bucket=UNCALLED)),
        due=Count("pk", filter=Q(bucket=DUE)),
        hold=Count("pk", filter=Q(bucket=HOLD)),
        rest=Count("pk", filter=Q(bucket=REST)),
        dont_forget=Count("pk", filter=Q(dont_forget=True)),
    )
    totals["all"] = totals["uncalled"] + totals["due"] + totals["hold"] + totals["rest"]
    return totals


def page(qs: QuerySet, number: int, size: int) -> tuple[list, bool]:
    """One page in urgency order, with the rows a card needs; no COUNT query (the bucket totals give it)."""
    number = max(1, number)
    rows = list(
        qs.select_related("status", "latest_source")
        .prefetch_related("phones", "projects")
        .order_by("bucket", "sort_at", "pk")[(number - 1) * size : number * size + 1]
    )
    return rows[:size], len(rows) > size
