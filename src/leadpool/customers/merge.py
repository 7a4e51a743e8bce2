"""Merging two profiles of one person: everything moves onto the survivor, the duplicate points at it.

Nothing is deleted: the duplicate stays as a row with merged_into set, a MergeRecord says what moved,
and the audit log says who decided.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from leadpool import events
from leadpool.audit import log as audit

from .models import Assignment, Customer, Email, Lead, MergeRecord, Phone

# Relations handled explicitly below (or that must stay with the duplicate).
_SPECIAL = {("customers", "customer", "merged_into"), ("customers", "mergerecord", "survivor"),
            ("customers", "mergerecord", "duplicate"), ("intake", "duplicatecandidate", "customer"),
            ("intake", "duplicatecandidate", "other")}


def _snapshot(customer: Customer) -> dict:
    return {
        "name": customer.name,
        "status": customer.status.key,
        "owner": customer.owner_id,
        "team": customer.team_id,
        "first_source": customer.first_source_id,
        "latest_source": customer.latest_source_id,
        "created_at": customer.created_at.isoformat(),
        "note": customer.note,
    }


def _move_relations(survivor: Customer, duplicate: Customer) -> dict[str, int]:
    """Every row of any app pointing at the duplicate now points at the survivor."""
    moved: dict[str, int] = {}
    for rel in Customer._meta.related_objects:
        model = rel.related_model
        key = (model._meta.app_label, model._meta.model_name, rel.field.name)
        if key in _SPECIAL:
            continue
        if rel.many_to_many:
            continue
        if not isinstance(rel.field, models.ForeignKey):
            continue
        name = f"{model._meta.label_lower}.{rel.field.name}"
        qs = model._base_manager.filter(**{rel.field.name: duplicate})
        try:
            with transaction.atomic():
                count = qs.update(**{rel.field.name: survivor})
        except IntegrityError:
            # A one-per-customer row (the survivor already has its own): keep the duplicate's where it is.
            count = 0
        if count:
            moved[name] = count
    for field in ("projects", "groups"):
        rows = list(getattr(duplicate, field).all())
        if rows:
            getattr(survivor, field).add(*rows)
            moved[field] = len(rows)
    return moved


def may_merge(user, survivor: Customer, duplicate: Customer) -> bool:
    """Managers merge anything; a leader merges profiles of their own team."""
    from leadpool.accounts import access

    if user.is_manager:
        return True
    if not user.is_leader:
        return False
    visible = access.customers_for(user).filter(pk__in=[survivor.pk, duplicate.pk]).count()
    return visible == 2


def merge(survivor: Customer, duplicate: Customer, *, by=None, reason: str = "", at=None) -> MergeRecord:
    """Fold `duplicate` into `survivor`. One transaction; the duplicate keeps merged_into=survivor."""
    at = at or timezone.now()
    if survivor.pk == duplicate.pk:
        raise ValidationError("Không thể gộp một hồ sơ với chính nó.")
    with transaction.atomic():
        locked = {c.pk: c for c in Customer.objects.select_for_update().filter(pk__in=[survivor.pk, duplicate.pk])}
        survivor = Customer.objects.select_related("status").get(pk=survivor.pk)
        duplicate = Customer.objects.select_related("status").get(pk=duplicate.pk)
        if len(locked) != 2 or survivor.merged_into_id or duplicate.merged_into_id:
            raise ValidationError("Một trong hai hồ sơ đã được gộp trước đó.")
        snapshot = _snapshot(duplicate)
        counts = {
            "leads": Lead.objects.filter(customer=duplicate).count(),
            "phones": Phone.objects.filter(customer=duplicate).count(),
            "emails": Email.objects.filter(customer=duplicate).count(),
        }
        # The duplicate's open ownership ends here; its history moves with everything else.
        Assignment.objects.filter(customer=duplicate, ended_at__isnull=True).update(
            ended_at=at, end_reason=Assignment.Reason.MERGE
        )
        moved = _move_relations(survivor, duplicate)
        Customer.objects.filter(merged_into=duplicate).update(merged_into=survivor)

        updates: dict = {}
        if duplicate.first_lead_at and (survivor.first_lead_at is None or duplicate.first_lead_at < survivor.first_lead_at):
            updates["first_lead_at"] = duplicate.first_lead_at
            updates["first_source_id"] = duplicate.first_source_id
        if duplicate.last_lead_at and (survivor.last_lead_at is None or duplicate.last_lead_at > survivor.last_lead_at):
            updates["last_lead_at"] = duplicate.last_lead_at
            updates["latest_source_id"] = duplicate.latest_source_id
        if duplicate.last_contact_at and (survivor.last_contact_at is None or duplicate.last_contact_at > survivor.last_contact_at):
            updates["last_contact_at"] = duplicate.last_contact_at
        if not survivor.name and duplicate.name:
            updates.update(name=duplicate.name, name_key=duplicate.name_key)
        if duplicate.note:
            updates["note"] = "\n".join(filter(None, [survivor.note, duplicate.note]))
        if survivor.is_test and not duplicate.is_test:
            updates["is_test"] = False
        if updates:
            for key, value in updates.items():
                setattr(survivor, key, value)
            survivor.save(update_fields=[*updates, "updated_at"])

        duplicate.merged_into = survivor
        duplicate.owner = None
        duplicate.owner_since = None
        duplicate.save(update_fields=["merged_into", "owner", "owner_since", "updated_at"])

        if survivor.owner_id is None and snapshot["owner"] is not None:
            from django.contrib.auth import get_user_model

            from .ownership import assign

            # The survivor waited in a pool while the duplicate had someone caring for the person.
            previous_owner = get_user_model().objects.get(pk=snapshot["owner"])
            assign(survivor, to=previous_owner, reason=Assignment.Reason.MERGE, by=by, rule="merge", at=at)

        from leadpool.intake.models import DuplicateCandidate

        pair = DuplicateCandidate.objects.filter(
            models.Q(customer=duplicate) | models.Q(other=duplicate), state=DuplicateCandidate.State.OPEN
        )
        pair.filter(models.Q(customer=survivor) | models.Q(other=survivor)).update(
            state=DuplicateCandidate.State.MERGED, decided_at=at, decided_by=by
        )
        # Other open suggestions about the duplicate now concern a profile that no longer stands alone.
        pair.update(state=DuplicateCandidate.State.DISMISSED, decided_at=at, decided_by=by)

        record = MergeRecord.objects.create(
            survivor=survivor, duplicate=duplicate, by=by, at=at, reason=reason[:200],
            moved={"counts": {**counts, **moved}, "duplicate": snapshot},
        )
        audit.record(
            "customer.merged",
            actor=by,
            target=survivor,
            data={"duplicate": duplicate.pk, "reason": reason, "moved": {**counts, **moved}},
        )
        events.customer_changed(survivor, why="merged", by=by, duplicate=duplicate)
    return record
