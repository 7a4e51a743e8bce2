"""A normalized lead becomes part of one customer: match, attach, tag, assign, tell the owner."""

from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import datetime

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from leadpool.audit import log as audit
from leadpool.customers.models import (
    DIGITAL_CHANNELS,
    Assignment,
    CapturePoint,
    Customer,
    Email,
    Lead,
    Phone,
    Project,
    Source,
    Status,
)
from leadpool.customers.normalize import clean_name, name_key, normalize_email, normalize_phone
from leadpool.customers.ownership import assign
from leadpool.notify.service import notify
from leadpool.rotation import distribution, facts

from . import after_capture


@dataclass
class LeadInput:
    """What a channel hands over once it has parsed its request."""

    source: Source
    name: str = ""
    phones: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    projects: list[Project] = field(default_factory=list)
    channel: str = ""
    capture_point: str = CapturePoint.FORM
    external_id: str = ""
    campaign_id: str = ""
    campaign: str = ""
    adset_id: str = ""
    ad_id: str = ""
    form_id: str = ""
    answers: dict = field(default_factory=dict)
    note: str = ""
    utm: dict = field(default_factory=dict)
    consent_text: str = ""
    consent_at: datetime | None = None
    consent_channel: str = ""
    raw_payload: dict = field(default_factory=dict)
    is_test: bool = False
    received_at: datetime | None = None
    inbox_item: object | None = None
    # A profile the channel already knows this person by (a Zalo user who wrote before), used
    # when no phone or e-mail matches.
    match_customer: Customer | None = None


@dataclass
class CaptureResult:
    customer: Customer
    lead: Lead
    created: bool
    owner: object | None
    invalid_phones: list[tuple[str, str]]
    # Other profiles that share a phone or e-mail with this lead: candidates for the merge review.
    conflicts: list[int] = field(default_factory=list)


def _normalized(data: LeadInput):
    phones, invalid = [], []
    for raw in data.phones:
        if raw is None or str(raw).strip() == "":
            continue
        result = normalize_phone(raw)
        if result.ok:
            if result.e164 not in {p[0] for p in phones}:
                phones.append((result.e164, str(raw).strip()[:40], result.kind))
        else:
            invalid.append((str(raw)[:60], result.error or "invalid"))
    emails = []
    for raw in data.emails:
        email = normalize_email(raw)
        if email and email not in emails:
            emails.append(email)
    return phones, emails, invalid


def _match(phones, emails) -> tuple[int | None, dict[str, int], dict[str, int]]:
    """Exact match only: a normalized phone first, then a normalized email. A name alone never matches.

    Returns the matching profile's id and which of the numbers and addresses are already on a profile
    (number → customer id).
    """
    taken_phones: dict[str, int] = {}
    taken_emails: dict[str, int] = {}
    found = None
    if phones:
        rows = list(Phone.objects.filter(e164__in=[p[0] for p in phones]).order_by("created_at", "id").values_list("e164", "customer_id"))
        taken_phones = dict(rows)
        if rows:
            found = rows[0][1]
    if emails:
        rows = list(Email.objects.filter(address__in=emails).order_by("created_at", "id").values_list("address", "customer_id"))
        taken_emails = dict(rows)
        if found is None and rows:
            found = rows[0][1]
    return found, taken_phones, taken_emails


def _locked(pk: int) -> Customer:
    """The profile `pk` stands for (its survivor, when it was merged), locked until the transaction ends, read
    once with the owner and team the assignment looks at."""
    while True:
        customer = Customer.objects.select_for_update(of=("self",)).select_related("owner", "team").get(pk=pk)
        if not customer.merged_into_id:
            return customer
        pk = customer.merged_into_id


_NEW_STATUS_KEY = "intake:status:new"


def _new_status() -> Status:
    """The catalog's "new" status (read on every new customer, changed almost never)."""
    status = cache.get(_NEW_STATUS_KEY)
    if status is None:
        status = Status.objects.get(key="new")
        cache.set(_NEW_STATUS_KEY, status, 60)
    return status


@receiver(post_save, sender=Status, dispatch_uid="intake_capture_status_saved")
@receiver(post_delete, sender=Status, dispatch_uid="intake_capture_status_deleted")
def _statuses_changed(**kwargs) -> None:
    cache.delete(_NEW_STATUS_KEY)


def _known_if(created: bool, customer: Customer, lead: Lead, projects: list[Project]):
    """For a customer created by this capture, rotation need not read back what cannot exist yet."""
    if not created:
        return nullcontext()
    digital = lead.channel in DIGITAL_CHANNELS and not lead.is_test
    return facts.brand_new(
        facts.BrandNew(
            customer_id=customer.pk,
            projects=list(dict.fromkeys((p.code, p.phase) for p in projects)),
            digital_lead_at=lead.received_at if digital else None,
        )
    )


def capture(data: LeadInput, *, by=None) -> CaptureResult:
    """Attach one lead to its customer (creating the customer when the person is new) and assign it.

    Retries once when a concurrent request created the same person between our lookup and our insert.
    """
    for attempt in range(3):
        try:
            # The audit entries of a capture are written at its end: the audit chain's lock is then held only
            # for the last moments of the transaction, not from the assignment on.
            with transaction.atomic(), audit.batched():
                return _capture(data, by=by)
        except IntegrityError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _capture(data: LeadInput, *, by=None) -> CaptureResult:
    now = data.received_at or timezone.now()
    phones, emails, invalid = _normalized(data)
    found, taken_phones, taken_emails = _match(phones, emails)
    if found is None and data.match_customer is not None:
        found = data.match_customer.pk
    created = found is None
    name = clean_name(data.name)
    if created:
        customer = Customer.objects.create(
            name=name,
            name_key=name_key(name),
            status=_new_status(),
            status_entered_at=now,
            first_source=data.source,
            latest_source=data.source,
            first_lead_at=now,
            last_lead_at=now,
            is_test=data.is_test,
            created_at=now,
        )
    else:
        customer = _locked(found)
        updates = {"latest_source": data.source, "last_lead_at": max(now, customer.last_lead_at or now)}
        if not customer.name and name:
            updates.update(name=name, name_key=name_key(name))
        if customer.is_test and not data.is_test:
            updates["is_test"] = False
        for key, value in updates.items():
            setattr(customer, key, value)
        customer.save(update_fields=[*updates, "updated_at"])

    # A number or address already on another profile is not moved here: that is a merge decision.
    added = 0
    for e164, raw, kind in phones:
        if e164 not in taken_phones:
            Phone.objects.create(customer=customer, e164=e164, raw=raw, kind=kind, created_at=now)
            added += 1
    for email in emails:
        if email not in taken_emails:
            Email.objects.create(customer=customer, address=email, created_at=now)
            added += 1
    conflicts = {cid for cid in [*taken_phones.values(), *taken_emails.values()] if cid != customer.pk}

    projects = list(data.projects)
    if not projects and data.source.default_project_id:
        projects = [data.source.default_project]

    # Who gets the customer is decided before the lead is written, so the lead is written once, with the
    # owner it arrived to. Nothing the choice reads depends on this lead.
    owner = customer.owner
    keeps_owner = owner is not None and not created
    handover = None
    if keeps_owner and hasattr(distribution, "owner_for_returning"):
        # SPEC 13: a returning customer stays with its owner only while the hold runs.
        chosen, handover, keeps_owner = distribution.owner_for_returning(customer, at=now)
        if not keeps_owner:
            owner = chosen
    reassign = created or customer.owner is None or not keeps_owner
    team = why = None
    if reassign:
        team = customer.team or distribution.team_for(projects, data.source)
        if handover is not None:
            why = handover
        elif created:
            # Nobody has held a brand-new customer, so nobody is cooling off from it.
            owner, why = distribution.Distributor(team, at=now).choose(customer.pk, cooling=set())
        else:
            owner, why = distribution.choose_owner(team, customer=customer, at=now)

    lead = Lead.objects.create(
        customer=customer,
        inbox_item=data.inbox_item,
        source=data.source,
        channel=data.channel or data.source.channel,
        capture_point=data.capture_point,
        external_id=data.external_id[:120],
        campaign_id=data.campaign_id[:64],
        campaign=data.campaign[:200],
        adset_id=data.adset_id[:64],
        ad_id=data.ad_id[:64],
        form_id=data.form_id[:64],
        name=(data.name or "")[:160],
        phone_raw=", ".join(str(p) for p in data.phones if p)[:60],
        email_raw=", ".join(e for e in data.emails if e)[:254],
        phone_invalid_reason="; ".join(f"{raw}: {why}" for raw, why in invalid)[:120],
        answers=data.answers,
        note=data.note,
        utm=data.utm,
        consent_text=data.consent_text,
        consent_at=data.consent_at or (now if data.consent_text else None),
        consent_channel=data.consent_channel or (data.channel or data.source.channel if data.consent_text else ""),
        raw_payload=data.raw_payload,
        is_test=data.is_test,
        is_returning=not created,
        received_at=now,
        owner_at_arrival=owner,
    )
    if projects:
        lead.projects.add(*projects)
        customer.projects.add(*projects)

    note = None
    if reassign:
        reason = Assignment.Reason.NEW if created else Assignment.Reason.RETURNING
        if owner is None:
            reason = Assignment.Reason.POOL
        with _known_if(created, customer, lead, projects):
            assign(customer, to=owner, team=team, reason=reason, by=by, rule="distribution", explanation=why, at=now,
                   fresh=created)
        if owner is not None:
            note = notify(
                owner,
                kind="customer.assigned" if created else "customer.returning",
                title=f"{'Khách mới' if created else 'Khách quay lại'}: {customer.name or customer.pk}",
                body=f"Từ {data.source.name}" + (f" · {data.campaign}" if data.campaign else ""),
                url=f"/customers/{customer.pk}/",
                customer=customer,
                deliver=False,
            )
    else:
        note = notify(
            owner,
            kind="customer.returning",
            title=f"Khách quay lại: {customer.name or customer.pk}",
            body=f"Qua {data.source.name}" + (f" · dự án {', '.join(p.name for p in projects)}" if projects else ""),
            url=f"/customers/{customer.pk}/",
            customer=customer,
            deliver=False,
        )
    result = CaptureResult(
        customer=customer, lead=lead, created=created, owner=owner, invalid_phones=invalid, conflicts=sorted(conflicts)
    )
    # The owner's push / e-mail / Telegram and the duplicate review run in the worker: the caller waits only for
    # the customer and its owner. Possible duplicates go to the review queue; a name alone never merges anything.
    # The task's arguments hold ids only: no phone number or address lingers in the queue (erasure, SPEC).
    after_capture.queue(
        customer_id=customer.pk,
        notification_id=note.pk if note is not None else None,
        review={"conflicts": result.conflicts, "look_near": added > 0, "at": now.isoformat()},
    )
    return result
