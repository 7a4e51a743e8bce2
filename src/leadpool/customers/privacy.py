"""A person's rights over their data: withdraw consent, be erased, get a copy; and raw payloads expire.

Erasure keeps every row (so reports still count the lead, the call, the status change) and replaces
the personal values in them. Besides the fields known to hold personal data, every row that points at
the customer has its text and JSON searched for the person's names, phones and e-mails, so tables added
later by other parts of the product are covered as long as they reference the customer.
"""

import json
import re
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import models, transaction
from django.db.models.functions import Coalesce
from django.tasks import task
from django.utils import timezone

from leadpool.audit import log as audit

from .models import Customer, Email, Lead, MergeRecord, Phone

ERASED = "[đã xoá]"
RAW_RETENTION_DAYS_DEFAULT = 180


# --- Pure helpers ---------------------------------------------------------------------------


def phone_pattern(e164: str) -> re.Pattern | None:
    """A pattern that finds a phone however it was written: +84 912 345 678, 0912.345.678, 84912345678."""
    digits = re.sub(r"\D", "", e164)
    if digits.startswith("84") and len(digits) > 9:
        core = digits[2:]
        prefix = r"(?:\(?\+?84\)?|0)?"
    else:
        core = digits
        prefix = r"\+?"
    if len(core) < 6:
        return None
    sep = r"[\s.\-()]*"
    return re.compile(prefix + sep + sep.join(core))


@dataclass
class Traces:
    """What identifies a person in free text: their names, e-mails and phone numbers."""

    words: set[str] = field(default_factory=set)
    phones: list[re.Pattern] = field(default_factory=list)

    def add_word(self, value: str | None) -> None:
        value = (value or "").strip()
        if len(value) >= 3 and value != ERASED:
            self.words.add(value)
            self.words.add(value.lower())

    def add_phone(self, value: str | None) -> None:
        pattern = phone_pattern(value or "")
        if pattern is not None and pattern.pattern not in {p.pattern for p in self.phones}:
            self.phones.append(pattern)

    def scrub_text(self, text: str) -> str:
        for pattern in self.phones:
            text = pattern.sub(ERASED, text)
        # Longest first so "Nguyễn Văn An" goes before "An".
        for word in sorted(self.words, key=len, reverse=True):
            if word in text:
                text = text.replace(word, ERASED)
        return text

    def scrub_value(self, value):
        """Scrub a JSON-like value, keeping its shape."""
        if isinstance(value, str):
            return self.scrub_text(value)
        if isinstance(value, list):
            return [self.scrub_value(v) for v in value]
        if isinstance(value, dict):
            return {self.scrub_text(str(k)): self.scrub_value(v) for k, v in value.items()}
        return value


# --- Consent --------------------------------------------------------------------------------


def marketing_contactable(qs: models.QuerySet) -> models.QuerySet:
    """Customers marketing may still contact (remarketing lists, campaigns): consent not withdrawn, not erased."""
    return qs.filter(consent_withdrawn_at__isnull=True, erased_at__isnull=True)


def withdraw_consent(customer: Customer, *, by, channel: str = "", ip: str | None = None) -> Customer:
    """The person no longer agrees to be contacted by marketing. Sales care they asked for goes on."""
    now = timezone.now()
    with transaction.atomic():
        customer = Customer.objects.select_for_update().get(pk=customer.pk)
        if customer.consent_withdrawn_at is None:
            customer.consent_withdrawn_at = now
            customer.save(update_fields=["consent_withdrawn_at", "updated_at"])
            cancelled = _cancel_automated_follow_ups(customer, now)
            audit.record(
                "customer.consent_withdrawn",
                actor=by,
                target=customer,
                data={"channel": channel[:40], "automated_follow_ups_cancelled": cancelled},
                ip=ip,
            )
    return customer


def _cancel_automated_follow_ups(customer: Customer, now) -> int:
    from leadpool.sales.models import FollowUp

    # Scripted (automatic nurture) steps are marketing's voice; a follow-up a salesperson set by hand is not.
    return (
        FollowUp.objects.filter(customer=customer, done_at__isnull=True, cancelled_at__isnull=True)
        .exclude(script_step="")
        .update(cancelled_at=now)
    )


# --- Erasure --------------------------------------------------------------------------------


def _profiles(customer: Customer) -> list[Customer]:
    """The customer and every duplicate merged into it: the same person, erased together."""
    found = {customer.pk: customer}
    frontier = [customer.pk]
    while frontier:
        dups = list(Customer.objects.filter(merged_into_id__in=frontier).exclude(pk__in=list(found)))
        found.update((d.pk, d) for d in dups)
        frontier = [d.pk for d in dups]
    return list(found.values())


def traces_of(customer_ids: list[int]) -> Traces:
    traces = Traces()
    for name, key in Customer.objects.filter(pk__in=customer_ids).values_list("name", "name_key"):
        traces.add_word(name)
        traces.add_word(key)
    for e164, raw in Phone.objects.filter(customer_id__in=customer_ids).values_list("e164", "raw"):
        traces.add_phone(e164)
        traces.add_phone(raw)
    for (address,) in Email.objects.filter(customer_id__in=customer_ids).values_list("address"):
        traces.add_word(address)
    for name, phone_raw, email_raw in Lead.objects.filter(customer_id__in=customer_ids).values_list(
        "name", "phone_raw", "email_raw"
    ):
        traces.add_word(name)
        for part in re.split(r"[,;]", phone_raw or ""):
            traces.add_phone(part)
        for part in re.split(r"[,;]", email_raw or ""):
            traces.add_word(part)
    return traces


def _text_fields(model) -> list[models.Field]:
    keep = (models.CharField, models.TextField, models.JSONField)
    return [
        f for f in model._meta.concrete_fields
        if isinstance(f, keep) and not f.primary_key and not f.choices and not f.unique
    ]


def _scrub_rows(qs: models.QuerySet, traces: Traces) -> int:
    """Replace the person's traces in every text and JSON column of these rows, row by row."""
    fields = _text_fields(qs.model)
    if not fields:
        return 0
    changed = 0
    for row in qs.values("pk", *[f.attname for f in fields]):
        updates = {}
        for f in fields:
            value = row[f.attname]
            if value in (None, "", {}, []):
                continue
            clean = traces.scrub_value(value)
            if clean != value:
                updates[f.attname] = clean
        if updates:
            qs.model._base_manager.filter(pk=row["pk"]).update(**updates)
            changed += 1
    return changed


def _related_models():
    """Every model with a foreign key to Customer, with the name of that key."""
    from django.apps import apps

    for model in apps.get_models():
        for f in model._meta.concrete_fields:
            if f.is_relation and f.many_to_one and f.related_model is Customer and model is not Customer:
                yield model, f.name


def erase(customer: Customer, *, by, reason: str = "", ip: str | None = None) -> dict:
    """Scrub a person's personal data everywhere it is held; keep the rows so reports still count."""
    now = timezone.now()
    with transaction.atomic():
        profiles = _profiles(customer)
        ids = [c.pk for c in profiles]
        traces = traces_of(ids)
        counts: dict[str, int] = {"profiles": len(ids)}

        leads = Lead.objects.filter(customer_id__in=ids)
        lead_ids = list(leads.values_list("pk", flat=True))
        inbox_ids = [pk for pk in leads.values_list("inbox_item_id", flat=True) if pk]
        counts["leads"] = leads.update(
            name=ERASED, phone_raw="", email_raw="", phone_invalid_reason="", answers={}, note="", raw_payload={}
        )
        counts["inbox_items"] = _scrub_inbox(inbox_ids)
        for phone in Phone.objects.filter(customer_id__in=ids):
            Phone.objects.filter(pk=phone.pk).update(e164=f"erased-{phone.pk}", raw="")
        counts["phones"] = len(traces.phones)
        counts["emails"] = 0
        for email in Email.objects.filter(customer_id__in=ids):
            Email.objects.filter(pk=email.pk).update(address=f"erased-{email.pk}@erased.invalid")
            counts["emails"] += 1
        counts["activities"] = _scrub_known(
            "sales.Activity", ids, body="", meeting_place="", meeting_result="", recording_url=""
        )
        counts["follow_ups"] = _scrub_known("sales.FollowUp", ids, note="")
        counts["status_changes"] = _scrub_known("sales.StatusChange", ids, reason="", details={})
        MergeRecord.objects.filter(models.Q(survivor_id__in=ids) | models.Q(duplicate_id__in=ids)).update(moved={})

        # Everything else that points at the customer: notifications, webhook deliveries, rotation
        # evidence, messages... Their personal values are found and replaced wherever they appear.
        for model, fk in _related_models():
            counts[model._meta.label_lower] = counts.get(model._meta.label_lower, 0) + _scrub_rows(
                model._base_manager.filter(**{f"{fk}_id__in": ids}), traces
            )
        counts["admin_log"] = _scrub_admin_log(ids, traces)
        Customer.objects.filter(pk__in=ids).update(
            name=ERASED, name_key="", note="", erased_at=now,
            consent_withdrawn_at=Coalesce("consent_withdrawn_at", models.Value(now)),
        )
        _after_erase(ids, traces)
        counts["audit_entries_redacted"] = len(_redact_audit(ids, lead_ids, traces, by=by))
        # The fact is audited, never the data: only ids and counts go into the (immutable) log.
        audit.record(
            "customer.erased",
            actor=by,
            target=customer,
            data={"profiles": ids, "counts": {k: v for k, v in counts.items() if v}, "reason": reason[:200]},
            ip=ip,
        )
    return counts


def _redact_audit(ids: list[int], lead_ids: list[int], traces: Traces, *, by) -> list[int]:
    """Free text other parts wrote into audit entries about this person (a status change's reason...)."""
    from leadpool.audit.models import AuditEntry

    about = models.Q(target_type="customers.customer", target_id__in=[str(pk) for pk in ids]) | models.Q(
        target_type="customers.lead", target_id__in=[str(pk) for pk in lead_ids]
    )
    return audit.redact(AuditEntry.objects.filter(about).order_by("id"), traces.scrub_value, actor=by, reason="erasure")


def _scrub_known(label: str, ids: list[int], **values) -> int:
    from django.apps import apps

    try:
        model = apps.get_model(label)
    except LookupError:
        return 0
    # A queryset update: activities are append-only for people, not for the law.
    return model._base_manager.filter(customer_id__in=ids).update(**values)


def _scrub_inbox(inbox_ids: list[int]) -> int:
    from leadpool.intake.models import InboxItem

    if not inbox_ids:
        return 0
    fields = {f.name for f in InboxItem._meta.concrete_fields}
    values = {"body": b"", "headers": {}, "response": {}, "remote_addr": None, "error": ""}
    if "meta" in fields:
        values["meta"] = {}
    count = InboxItem.objects.filter(pk__in=inbox_ids).update(**values)
    # A GET webhook may carry the person in its query string.
    for pk, path in InboxItem.objects.filter(pk__in=inbox_ids).values_list("pk", "path"):
        if "?" in (path or ""):
            InboxItem.objects.filter(pk=pk).update(path=path.split("?", 1)[0])
    return count


def _scrub_admin_log(ids: list[int], traces: Traces) -> int:
    from django.contrib.admin.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    kinds = ContentType.objects.get_for_models(Customer, Lead, Phone, Email).values()
    qs = LogEntry.objects.filter(content_type__in=list(kinds))
    return _scrub_rows(qs, traces)


# Other parts of the product may register a callable(ids, traces) for data not linked by a foreign key.
ERASURE_HOOKS: list = []


def _after_erase(ids: list[int], traces: Traces) -> None:
    for hook in ERASURE_HOOKS:
        hook(ids, traces)


# --- Export ---------------------------------------------------------------------------------


def _rows(qs: models.QuerySet) -> list[dict]:
    return [json.loads(json.dumps(row, default=str)) for row in qs.values()]


def personal_data(customer: Customer) -> dict:
    """Everything held about one person, as plain JSON-ready data."""
    from leadpool.intake.models import InboxItem

    ids = [c.pk for c in _profiles(customer)]
    leads = Lead.objects.filter(customer_id__in=ids)
    inbox = InboxItem.objects.filter(pk__in=[pk for pk in leads.values_list("inbox_item_id", flat=True) if pk])
    data = {
        "exported_at": timezone.now().isoformat(),
        "customer": _rows(Customer.objects.filter(pk__in=ids)),
        "phones": _rows(Phone.objects.filter(customer_id__in=ids)),
        "emails": _rows(Email.objects.filter(customer_id__in=ids)),
        "leads": _rows(leads),
        "inbox_items": [
            {"id": item.pk, "channel": item.channel, "received_at": item.received_at.isoformat(), "body": item.text}
            for item in inbox
        ],
    }
    for model, fk in _related_models():
        key = model._meta.label_lower
        if key in {"customers.phone", "customers.email", "customers.lead"}:
            continue
        rows = _rows(model._base_manager.filter(**{f"{fk}_id__in": ids}))
        if rows:
            data.setdefault(key, []).extend(rows)
    return data


def export(customer: Customer, *, by, ip: str | None = None) -> dict:
    data = personal_data(customer)
    audit.record(
        "customer.personal_data_exported", actor=by, target=customer, data={"sections": sorted(data)}, ip=ip
    )
    return data


# --- Retention ------------------------------------------------------------------------------


def retention_days() -> int:
    return int(settings.LEADPOOL.get("RAW_RETENTION_DAYS", RAW_RETENTION_DAYS_DEFAULT))


def scrub_expired_raw_payloads(*, now=None, batch: int = 1000) -> dict:
    """Raw payloads older than the retention period are emptied; the parsed lead stays."""
    from leadpool.intake.models import InboxItem

    now = now or timezone.now()
    cutoff = now - timedelta(days=retention_days())
    counts = {"leads": 0, "inbox_items": 0}
    while True:
        ids = list(
            Lead.objects.filter(received_at__lt=cutoff).exclude(raw_payload={}).values_list("pk", flat=True)[:batch]
        )
        if not ids:
            break
        counts["leads"] += Lead.objects.filter(pk__in=ids).update(raw_payload={})
    while True:
        ids = list(
            InboxItem.objects.filter(received_at__lt=cutoff).exclude(body=b"").values_list("pk", flat=True)[:batch]
        )
        if not ids:
            break
        counts["inbox_items"] += InboxItem.objects.filter(pk__in=ids).update(body=b"", headers={})
    if counts["leads"] or counts["inbox_items"]:
        audit.record("retention.scrubbed", data={"before": cutoff.isoformat(), **counts})
    return counts


@task
def retention_sweep() -> dict:
    return scrub_expired_raw_payloads()
