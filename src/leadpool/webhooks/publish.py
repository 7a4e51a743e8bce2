"""Turning what happens in Leadpool into deliveries: listen to the product's events, queue one delivery per subscriber."""

import uuid

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from leadpool import events
from leadpool.local_copy import LocalCopy

from .models import Delivery, Event, Subscription

# Owner changes that take a customer away from someone under the rotation rules.
ROTATION_REASONS = {"rotation", "first_call", "reassign"}


def customer_data(customer) -> dict:
    return {
        "id": customer.pk,
        "name": customer.name,
        "phones": list(customer.phones.values_list("e164", flat=True)),
        "emails": list(customer.emails.values_list("address", flat=True)),
        "status": customer.status.key,
        "owner": customer.owner.username if customer.owner_id else None,
        "team": customer.team.name if customer.team_id else None,
        "projects": list(customer.projects.values_list("code", flat=True)),
    }


def _load_subscribed() -> frozenset[str]:
    return frozenset(Subscription.objects.filter(active=True).values_list("event", flat=True).distinct())


# Which events anyone subscribes to is asked on every captured lead and changes almost never.
_subscribed = LocalCopy("webhooks:subscribed", _load_subscribed)


def subscribed_events() -> frozenset[str]:
    return _subscribed.get()


def publish(event: str, customer_id: int | None, details) -> None:
    """Queue deliveries of `event` after the writing transaction commits (nothing is sent for a rolled-back change).

    `details` is a callable returning the event's own data, called at commit time so it sees the final state.
    """
    if event not in subscribed_events():
        return
    occurred_at = timezone.now()

    def fan_out():
        from leadpool.customers.models import Customer

        from .delivery import deliver

        customer = (
            Customer.objects.select_related("status", "owner", "team").filter(pk=customer_id).first()
            if customer_id else None
        )
        payload = {
            "id": str(uuid.uuid4()),
            "event": event,
            "occurred_at": occurred_at.isoformat(),
            "data": {**details(), **({"customer": customer_data(customer)} if customer else {})},
        }
        ids = []
        for subscription in Subscription.objects.filter(event=event, active=True):
            row = Delivery.objects.create(
                subscription=subscription, event=event, customer=customer, payload=payload,
                next_attempt_at=timezone.now(),
            )
            ids.append(row.pk)
        for pk in ids:
            deliver.enqueue(pk)

    transaction.on_commit(fan_out)


def on_customer_changed(customer, *, why: str, by=None, **details) -> None:
    actor = getattr(by, "username", None)
    if why == "assigned":
        assignment = details.get("assignment")
        previous = details.get("previous")
        data = {
            "from": getattr(previous, "username", None),
            "to": getattr(assignment.user, "username", None) if assignment else None,
            "reason": getattr(assignment, "reason", ""),
            "by": actor,
        }
        publish(Event.CUSTOMER_ASSIGNED, customer.pk, lambda: data)
        if data["reason"] in ROTATION_REASONS:
            publish(Event.CUSTOMER_ROTATED, customer.pk, lambda: data)
    elif why == "status":
        change = details.get("change")
        data = {
            "from": change.from_status.key if change and change.from_status_id else None,
            "to": change.to_status.key if change else customer.status.key,
            "by": actor,
        }
        publish(Event.CUSTOMER_STATUS_CHANGED, customer.pk, lambda: data)


def on_lead_saved(sender, instance, created, raw=False, **kwargs) -> None:
    if not created or raw:
        return
    lead_id = instance.pk

    def details():
        from leadpool.customers.models import Lead

        lead = Lead.objects.select_related("source").get(pk=lead_id)
        return {
            "lead": {
                "id": lead.pk,
                "channel": lead.channel,
                "source": lead.source.key,
                "capture_point": lead.capture_point,
                "campaign": lead.campaign,
                "form_id": lead.form_id,
                "projects": list(lead.projects.values_list("code", flat=True)),
                "answers": lead.answers,
                "received_at": lead.received_at.isoformat(),
                "is_returning": lead.is_returning,
                "is_test": lead.is_test,
            }
        }

    publish(Event.LEAD_CREATED, instance.customer_id, details)


def connect() -> None:
    from leadpool.customers.models import Lead

    events.listen("customer_changed", on_customer_changed)
    post_save.connect(on_lead_saved, sender=Lead, dispatch_uid="webhooks_lead_created")
    post_save.connect(_subscribed.changed, sender=Subscription, dispatch_uid="webhooks_subscription_saved")
    post_delete.connect(_subscribed.changed, sender=Subscription, dispatch_uid="webhooks_subscription_deleted")
