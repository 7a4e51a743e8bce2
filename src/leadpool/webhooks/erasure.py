"""A person's erasure reaches what subscribers echoed back in their answers to our deliveries."""

from .models import Attempt


def scrub_attempts(customer_ids: list[int], traces) -> None:
    for pk, body in Attempt.objects.filter(delivery__customer_id__in=customer_ids).values_list("pk", "response_body"):
        clean = traces.scrub_text(body or "")
        if clean != body:
            Attempt.objects.filter(pk=pk).update(response_body=clean)
