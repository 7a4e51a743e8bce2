"""Đừng quên: customers with no contact for N days are flagged, in two set-based statements."""

from datetime import timedelta

from django.conf import settings
from django.db.models.functions import Coalesce
from django.utils import timezone

from leadpool.customers.models import Customer


def days() -> int:
    return int(settings.LEADPOOL.get("DONT_FORGET_DAYS", 30))


def cutoff(now, n_days: int):
    """A customer last touched at or before this moment is forgotten."""
    return now - timedelta(days=n_days)


def sweep(now=None, n_days: int | None = None) -> dict:
    """Flag the forgotten, clear the flag of those contacted since. Running it twice changes nothing."""
    now = now or timezone.now()
    limit = cutoff(now, days() if n_days is None else n_days)
    # Never contacted: the clock starts at the first lead (or the profile's creation).
    last_touch = Coalesce("last_contact_at", "first_lead_at", "created_at")
    live = Customer.objects.live()
    flagged = live.filter(dont_forget=False).alias(last_touch=last_touch).filter(last_touch__lte=limit).update(
        dont_forget=True
    )
    cleared = live.filter(dont_forget=True).alias(last_touch=last_touch).filter(last_touch__gt=limit).update(
        dont_forget=False
    )
    return {"flagged": flagged, "cleared": cleared}
