"""Follow-up reminders: each owner is told once when their follow-ups fall due."""

from collections import defaultdict

from django.db import transaction
from django.utils import timezone

from leadpool.notify.service import notify

from .models import FollowUp

BATCH = 2000


def remind_due(now=None) -> int:
    """Notify the current owner of every open follow-up now due, then mark them reminded. Idempotent."""
    now = now or timezone.now()
    with transaction.atomic():
        due = list(
            FollowUp.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(reminded_at__isnull=True, done_at__isnull=True, cancelled_at__isnull=True, due_at__lte=now)
            .select_related("customer")
            .order_by("due_at")[:BATCH]
        )
        if not due:
            return 0
        by_owner = defaultdict(list)
        for follow_up in due:
            if follow_up.customer.owner_id and follow_up.customer.merged_into_id is None:
                by_owner[follow_up.customer.owner_id].append(follow_up)
        from leadpool.accounts.models import User

        owners = User.objects.in_bulk(list(by_owner))
        for owner_id, items in by_owner.items():
            owner = owners.get(owner_id)
            if owner is None:
                continue
            if len(items) == 1:
                item = items[0]
                customer = item.customer
                notify(
                    owner,
                    kind="follow_up.due",
                    title=f"Đến hạn chăm sóc: {customer.name or customer.pk}",
                    body=f"{item.get_kind_display()}" + (f" · {item.note}" if item.note else ""),
                    url=f"/customers/{customer.pk}/",
                    customer=customer,
                )
            else:
                notify(
                    owner,
                    kind="follow_up.due",
                    title=f"{len(items)} việc chăm sóc đến hạn",
                    body=", ".join(str(i.customer.name or i.customer.pk) for i in items[:5]) + ("…" if len(items) > 5 else ""),
                    url="/?view=due",
                )
        FollowUp.objects.filter(pk__in=[f.pk for f in due]).update(reminded_at=now)
    return len(due)
