"""Finding customers: by phone in any writing, by name with or without accents, by e-mail; plus filters."""

import re

from django.db.models import Q, QuerySet

from .models import Customer, Email, Phone
from .normalize import name_key, normalize_email, phone_query_variants

_DIGITS = re.compile(r"\D+")


def text_query(q: str) -> Q:
    q = (q or "").strip()
    if not q:
        return Q()
    digits = _DIGITS.sub("", q)
    looks_like_phone = len(digits) >= 4 and len(digits) >= len(q.replace(" ", "")) - 3
    if looks_like_phone:
        full = [v for v in phone_query_variants(q) if v.startswith("+") and len(v) >= 11]
        if full:  # a whole number: an exact, indexed lookup
            return Q(pk__in=Phone.objects.filter(e164__in=full).values("customer_id"))
        # A fragment someone remembers (the last digits): a contains match.
        return Q(pk__in=Phone.objects.filter(e164__contains=digits.lstrip("0")).values("customer_id"))
    if "@" in q:
        email = normalize_email(q)
        emails = Email.objects.filter(address=email) if email else Email.objects.filter(address__startswith=q.lower())
        return Q(pk__in=emails.values("customer_id"))
    key = name_key(q)
    return Q(name_key__contains=key) if key else Q()


def filter_customers(
    qs: QuerySet,
    *,
    q: str | None = None,
    status: str | None = None,
    project: str | None = None,
    source: str | None = None,
    owner: str | None = None,
    group: str | None = None,
) -> QuerySet:
    if q:
        qs = qs.filter(text_query(q))
    if status:
        qs = qs.filter(status__key=status)
    if project:
        qs = qs.filter(projects__code=project) if not project.isdigit() else qs.filter(projects__id=project)
    if source:
        qs = qs.filter(Q(first_source__key=source) | Q(latest_source__key=source)) if not source.isdigit() else qs.filter(
            Q(first_source_id=source) | Q(latest_source_id=source)
        )
    if owner:
        if owner == "none":
            qs = qs.filter(owner__isnull=True)
        elif owner.isdigit():
            qs = qs.filter(owner_id=owner)
        else:
            qs = qs.filter(owner__username=owner)
    if group and group.isdigit():
        qs = qs.filter(pk__in=Customer.groups.through.objects.filter(
            Q(group_id=group) | Q(group__parent_id=group)).values("customer_id"))
    return qs
