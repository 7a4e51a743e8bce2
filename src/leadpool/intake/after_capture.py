"""What follows a capture without anyone waiting for it: the owner's other notification channels and the
duplicate review. Queued in the capture's own commit, run by the worker."""

from __future__ import annotations

from datetime import datetime

from django.tasks import task

from leadpool.customers import matching
from leadpool.customers.models import Customer
from leadpool.notify import channels
from leadpool.worker import enqueue_on_commit


def queue(*, customer_id: int, notification_id: int | None, review: dict) -> None:
    """`review`: `conflicts` (profile ids), `look_near` and `at` (ISO text) of `matching.review_after_capture`."""
    enqueue_on_commit(follow_capture, customer_id, notification_id, review)


@task()
def follow_capture(customer_id: int, notification_id: int | None, review: dict) -> int:
    """Fan the owner's notification out and queue possible duplicates. Running it twice changes nothing more:
    deliveries are idempotent per notification and channel, and the review queue keeps each pair once."""
    if notification_id is not None:
        channels.enqueue_deliveries(notification_id)
    customer = Customer.objects.filter(pk=customer_id).first()
    if customer is None or customer.merged_into_id:
        # Merged meanwhile: the merge itself settled which profiles are one person.
        return 0
    at = datetime.fromisoformat(review["at"]) if review.get("at") else None
    return matching.review_after_capture(
        customer, conflicts=review.get("conflicts", ()), look_near=review.get("look_near", True), at=at
    )
