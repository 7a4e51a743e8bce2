"""One timeline per customer: leads, activities, status changes and owner changes, newest first."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q

from leadpool.customers.models import Assignment, Customer
from leadpool.sales.models import Activity, StatusChange


@dataclass
class Entry:
    at: datetime
    kind: str  # lead, activity, status, assignment, chat
    obj: object
    folded: bool = False  # written under a previous owner: folded away by default for the new owner


def build(customer: Customer, *, viewer=None, limit: int = 200, chats: bool = False) -> list[Entry]:
    """chats: include Messenger/Zalo messages (only for people who may work the customer)."""
    entries: list[Entry] = []
    owner_since = customer.owner_since
    fold = viewer is not None and viewer.pk == customer.owner_id and owner_since is not None
    # The customer page has the leads prefetched already: reuse them rather than read them twice.
    prefetched = getattr(customer, "_prefetched_objects_cache", {}).get("leads")
    leads = list(prefetched)[:limit] if prefetched is not None else \
        customer.leads.select_related("source").prefetch_related("projects")[:limit]
    for lead in leads:
        entries.append(Entry(lead.received_at, "lead", lead))
    for act in Activity.objects.filter(customer=customer).select_related("author")[:limit]:
        folded = fold and act.occurred_at < owner_since and act.author_id != viewer.pk
        entries.append(Entry(act.occurred_at, "activity", act, folded))
    for change in StatusChange.objects.filter(customer=customer).select_related("from_status", "to_status", "by")[:limit]:
        entries.append(Entry(change.at, "status", change, fold and change.at < owner_since))
    for row in Assignment.objects.filter(customer=customer).select_related("user", "decided_by", "team")[:limit]:
        entries.append(Entry(row.started_at, "assignment", row))
    if chats:
        from leadpool.conversations.models import Message

        # A reply a person sent is already on the timeline as their message activity.
        sent_by_people = Q(direction=Message.Direction.OUT, state=Message.State.SENT, sent_by__isnull=False)
        messages = (
            Message.objects.filter(conversation__customer=customer).exclude(sent_by_people)
            .select_related("sent_by").order_by("-at")
        )
        for message in messages[:limit]:
            entries.append(Entry(message.at, "chat", message))
    entries.sort(key=lambda e: e.at, reverse=True)
    return entries[:limit]
