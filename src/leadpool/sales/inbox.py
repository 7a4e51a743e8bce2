"""My customers, by urgency: not yet called, follow-ups due, hold deadline soonest, then the rest.

Each of the owner's customers' clocks is read in one query (through the owner index, so the size of the
whole customer table does not matter); the ranking itself is the pure sales.urgency, and only the page
shown is then loaded in full.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlencode

from django.db.models import (
    Case,
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
from leadpool.customers.models import Customer, Lead

from .actions import end_of_local_day
from .models import FollowUp
from .urgency import BUCKETS, DUE, HOLD, REST, UNCALLED, Facts, rank, tally  # noqa: F401

VIEWS = {"uncalled": UNCALLED, "due": DUE, "hold": HOLD, "rest": REST}
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
FACTS = ("pk", "waiting_since", "next_follow_up", "next_deadline_at", "last_contact_at", "created_at", "dont_forget")


def _clocks(qs: QuerySet) -> QuerySet:
    """Add waiting_since (oldest unanswered lead) and next_follow_up (earliest open follow-up)."""
    # A lead waits for its first call when no call answered it and nobody has been in touch since it came.
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
    # Only a customer with a lead newer than its last contact can be waiting: look at leads for those alone.
    may_wait = Q(last_contact_at__isnull=True) | Q(last_lead_at__gt=F("last_contact_at"))
    return qs.annotate(
        waiting_since=Case(
            When(may_wait, then=Subquery(waiting, output_field=DateTimeField())),
            default=None,
            output_field=DateTimeField(),
        ),
        next_follow_up=Subquery(next_follow_up, output_field=DateTimeField()),
    )


def annotate_urgency(qs: QuerySet, now: datetime) -> QuerySet:
    """The same buckets as urgency.classify, in SQL, for grouped figures (a leader's team overview)."""
    return _clocks(qs).annotate(
        bucket=Case(
            When(waiting_since__isnull=False, then=Value(UNCALLED)),
            When(next_follow_up__lt=end_of_local_day(now), then=Value(DUE)),
            When(next_deadline_at__isnull=False, then=Value(HOLD)),
            default=Value(REST),
            output_field=IntegerField(),
        )
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


@dataclass
class Inbox:
    counts: dict[str, int]
    ranked: list[tuple[int, Facts]]  # after the view (bucket tab) filter

    def page(self, number: int, size: int) -> tuple[list, bool]:
        """One page of customers in urgency order, with what a card needs, plus whether more follow."""
        number = max(1, number)
        chosen = self.ranked[(number - 1) * size : number * size]
        by_pk = {
            c.pk: c
            for c in Customer.objects.filter(pk__in=[f.pk for _b, f in chosen])
            .select_related("status", "latest_source")
            .prefetch_related("phones", "projects")
        }
        rows = []
        for bucket, facts in chosen:
            customer = by_pk.get(facts.pk)
            if customer is None:  # merged away between the two reads
                continue
            customer.bucket = bucket
            customer.waiting_since = facts.waiting_since
            customer.next_follow_up = facts.next_follow_up
            rows.append(customer)
        return rows, len(self.ranked) > number * size


def build(viewer, owner, filters: Filters, now: datetime | None = None) -> Inbox:
    """Read every customer's clocks in one query (the owner's customers only), rank them in Python."""
    now = now or timezone.now()
    qs = search.filter_customers(
        owned(viewer, owner), q=filters.q or None, status=filters.status or None,
        project=filters.project or None, source=filters.source or None,
    )
    all_facts = [Facts._make(row) for row in _clocks(qs).order_by().values_list(*FACTS)]
    ranked = rank(all_facts, end_of_local_day(now))
    counts = tally(ranked)
    if filters.view == "dont_forget":
        ranked = [(b, f) for b, f in ranked if f.dont_forget]
    elif filters.view in VIEWS:
        ranked = [(b, f) for b, f in ranked if b == VIEWS[filters.view]]
    return Inbox(counts=counts, ranked=ranked)
