"""The team's pool: customers nobody eligible was on duty to take, handed out as people check in."""

from django.db import transaction
from django.utils import timezone

from leadpool.accounts.models import Membership, Team
from leadpool.customers.models import Assignment, Customer, Status
from leadpool.customers.ownership import assign
from leadpool.notify.service import notify

from .distribution import Distributor, cooling_off_ids

BATCH = 500


def waiting(team: Team):
    open_ids = Status.objects.filter(kind=Status.Kind.OPEN).values_list("pk", flat=True)
    return Customer.objects.live().filter(team=team, owner__isnull=True, status_id__in=open_ids).order_by("created_at", "id")


def hand_out(team: Team, *, at=None, limit: int = BATCH) -> int:
    """Give the team's waiting customers to whoever the ranking picks among people on duty now."""
    at = at or timezone.now()
    customers = list(waiting(team)[:limit])
    if not customers:
        return 0
    distributor = Distributor(team, at=at)
    cooling = cooling_off_ids([c.pk for c in customers], at=at, rules=distributor.rules)
    given = 0
    for customer in customers:
        to, why = distributor.choose(customer.pk, cooling=cooling.get(customer.pk, set()))
        if to is None:
            continue
        with transaction.atomic():
            assign(customer, to=to, reason=Assignment.Reason.POOL, rule="pool", note="Từ kho của đội", explanation=why, at=at)
            notify(to, kind="customer.assigned", title=f"Khách từ kho của đội: {customer.name or customer.pk}",
                   url=f"/customers/{customer.pk}/", customer=customer)
        given += 1
    return given


def on_checked_in(user=None, **_) -> None:
    if user is None:
        return
    for team in Team.objects.filter(pk__in=Membership.objects.filter(user=user, active=True).values("team_id")):
        hand_out(team)
