"""Remarketing audiences: a segment of customers as an ad platform's hashed customer-list file."""

import csv
import hashlib
import io
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from itertools import zip_longest

from django.db.models import Exists, OuterRef, Q

from leadpool.accounts import access
from leadpool.customers.models import Email, Lead, Phone

from .summaries import day_bounds


@dataclass(frozen=True)
class Platform:
    key: str
    label: str
    phone_header: str
    email_header: str
    phone_plus: bool  # whether the platform hashes E.164 with its "+"


# Meta wants digits only (country code, no "+"); Google Customer Match and TikTok hash E.164 with "+".
PLATFORMS = {
    "facebook": Platform("facebook", "Facebook / Meta", "phone", "email", phone_plus=False),
    "google": Platform("google", "Google Ads Customer Match", "Phone", "Email", phone_plus=True),
    "tiktok": Platform("tiktok", "TikTok Ads", "Phone_SHA256", "Email_SHA256", phone_plus=True),
}


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def hashed_phone(e164: str, platform: Platform) -> str:
    value = e164.strip().replace(" ", "")
    if not value.startswith("+"):
        value = "+" + value
    return sha256(value if platform.phone_plus else value[1:])


def hashed_email(address: str) -> str:
    return sha256(address.strip().lower())


@dataclass(frozen=True)
class Segment:
    project_id: int | None = None
    status_id: int | None = None
    source_id: int | None = None
    start: date | None = None
    end: date | None = None


def segment_customers(user, segment: Segment):
    """Live customers in the segment who may be contacted: consent not withdrawn, not erased, not tests."""
    qs = access.customers_for(user).filter(consent_withdrawn_at__isnull=True, erased_at__isnull=True, is_test=False)
    if segment.project_id:
        qs = qs.filter(projects__id=segment.project_id)
    if segment.status_id:
        qs = qs.filter(status_id=segment.status_id)
    if segment.source_id:
        qs = qs.filter(Q(first_source_id=segment.source_id) | Q(latest_source_id=segment.source_id))
    if segment.start and segment.end:
        lo, hi = day_bounds(segment.start, segment.end)
        qs = qs.filter(Exists(Lead.objects.filter(customer_id=OuterRef("pk"), received_at__gte=lo, received_at__lt=hi)))
    return qs.distinct()


def audience_rows(user, segment: Segment, platform: Platform) -> list[tuple[str, str]]:
    """One row per customer (a phone and an e-mail of the same person), more rows for extra numbers or addresses."""
    ids = segment_customers(user, segment).values("pk")
    phones: dict[int, list[str]] = defaultdict(list)
    emails: dict[int, list[str]] = defaultdict(list)
    for customer_id, e164 in Phone.objects.filter(customer_id__in=ids).order_by("customer_id", "id").values_list("customer_id", "e164"):
        phones[customer_id].append(hashed_phone(e164, platform))
    for customer_id, address in Email.objects.filter(customer_id__in=ids).order_by("customer_id", "id").values_list("customer_id", "address"):
        emails[customer_id].append(hashed_email(address))
    rows: list[tuple[str, str]] = []
    for customer_id in sorted(set(phones) | set(emails)):
        rows.extend(zip_longest(phones[customer_id], emails[customer_id], fillvalue=""))
    return rows


def audience_csv(rows: list[tuple[str, str]], platform: Platform) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([platform.phone_header, platform.email_header])
    writer.writerows(rows)
    return buffer.getvalue()
