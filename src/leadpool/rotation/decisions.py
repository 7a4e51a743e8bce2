"""The leader's decisions on rotation candidates: keep, rotate (the system picks), reassign (the leader picks)."""

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from leadpool.accounts import access
from leadpool.accounts.models import Membership, Role
from leadpool.audit import log as audit
from leadpool.customers.models import Assignment, Customer, Status
from leadpool.customers.ownership import assign
from leadpool.notify.service import notify

from . import config, deadlines
from .distribution import Distributor, cooling_off_ids
from .models import Candidate, Clock, Violation

KEEP, ROTATE, REASSIGN = "keep", "rotate", "reassign"


def visible_candidates(user):
    """Candidates (in any state) whose customer this user may see."""
    return Candidate.objects.filter(customer__in=access.customers_for(user))


def _check(candidate: Candidate, by) -> Customer:
    if candidate.state != Candidate.State.OPEN:
        raise ValidationError("Khách này đã được quyết định.")
    customer = Customer.objects.select_for_update().get(pk=candidate.customer_id)
    if by is not None and not access.may_decide_rotation(by, customer):
        raise PermissionDenied
    return customer


def _label(customer: Customer) -> str:
    return customer.name or f"#{customer.pk}"


def keep(candidate: Candidate, *, by, reason: str, until: datetime, at: datetime | None = None) -> Candidate:
    """The leader keeps the customer with its owner, for a reason, until a new deadline."""
    at = at or timezone.now()
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Giữ khách cần có lý do."})
    if until is None or until <= at:
        raise ValidationError({"until": "Hạn mới phải ở sau thời điểm hiện tại."})
    with transaction.atomic():
        customer = _check(candidate, by)
        Candidate.objects.filter(pk=candidate.pk).update(
            state=Candidate.State.KEPT, decided_at=at, decided_by=by, decision_reason=reason, keep_until=until
        )
        Clock.objects.update_or_create(customer_id=customer.pk, defaults={"kept_until": until, "kept_at": at})
        audit.record(
            "rotation.kept",
            actor=by,
            target=customer,
            data={"candidate": candidate.pk, "owner": customer.owner_id, "reason": reason, "until": until, "rule": candidate.rule},
        )
        deadlines.refresh(customer, now=at)
        notify(
            customer.owner,
            kind="rotation_kept",
            title=f"Được giữ khách: {_label(customer)}",
            body=f"Đến {timezone.localtime(until):%H:%M %d/%m/%Y}. Lý do: {reason}",
            url=f"/customers/{customer.pk}/",
            customer=customer,
        )
    candidate.refresh_from_db()
    return candidate


def rotate(candidate: Candidate, *, by=None, reason: str = "", auto: bool = False, distributor: Distributor | None = None,
           at: datetime | None = None) -> Candidate:
    """The system picks the new owner by the ranking; nobody on duty parks the customer in the team's pool."""
    at = at or timezone.now()
    with transaction.atomic():
        customer = _check(candidate, by)
        distributor = distributor or Distributor(customer.team, at=at)
        to, why = distributor.choose(customer.pk, exclude={customer.owner_id} if customer.owner_id else set())
        state = Candidate.State.AUTO_ROTATED if auto else Candidate.State.ROTATED
        text = reason or ("Tự động đảo: quá hạn quyết định" if auto else "Trưởng nhóm quyết định đảo khách")
        _hand_over(customer, candidate, to=to, by=by, reason=Assignment.Reason.ROTATION, note=text, why=why, at=at)
        Candidate.objects.filter(pk=candidate.pk).update(
            state=state, decided_at=at, decided_by=by, decision_reason=text, new_owner=to
        )
    candidate.refresh_from_db()
    return candidate


def reassign(candidate: Candidate, *, by, to, reason: str = "", at: datetime | None = None) -> Candidate:
    """The leader picks the new owner themself, among the team's active salespeople."""
    at = at or timezone.now()
    with transaction.atomic():
        customer = _check(candidate, by)
        if to is None or to.pk == customer.owner_id:
            raise ValidationError({"to": "Chọn một người khác người đang giữ khách."})
        is_member = Membership.objects.filter(
            team_id=customer.team_id, user=to, active=True, user__is_active=True, user__role=Role.SALES
        ).exists()
        if not is_member:
            raise ValidationError({"to": "Người nhận phải là thành viên đang hoạt động của đội."})
        rules = config.current_rules()
        if to.pk in cooling_off_ids([customer.pk], at=at, rules=rules).get(customer.pk, set()):
            raise ValidationError({"to": "Người này từng giữ khách và đang trong thời gian không được nhận lại."})
        text = (reason or "").strip() or "Trưởng nhóm phân lại"
        why = {"method": "leader", "chosen": to.pk, "why": f"Trưởng nhóm chọn: {text}", "rule_version": rules.version, "people": []}
        _hand_over(customer, candidate, to=to, by=by, reason=Assignment.Reason.REASSIGN, note=text, why=why, at=at)
        Candidate.objects.filter(pk=candidate.pk).update(
            state=Candidate.State.REASSIGNED, decided_at=at, decided_by=by, decision_reason=text, new_owner=to
        )
    candidate.refresh_from_db()
    return candidate


def _hand_over(customer: Customer, candidate: Candidate | None, *, to, by, reason: str, note: str, why: dict, at) -> None:
    """Assign, give the fitting status and a fresh clock, tell both people. Inside the caller's transaction."""
    previous = customer.owner
    rule = candidate.rule if candidate else reason
    assign(customer, to=to, reason=reason if to is not None else Assignment.Reason.POOL, by=by, rule=rule, note=note,
           explanation=why, at=at)
    apply_status_after_rotation(customer, by=by, at=at)
    audit.record(
        "rotation.decided",
        actor=by,
        target=customer,
        data={"candidate": candidate.pk if candidate else None, "decision": reason, "from": previous.pk if previous else None,
              "to": to.pk if to else None, "rule": rule, "reason": note},
    )
    if previous is not None:
        notify(
            previous,
            kind="rotated_out",
            title=f"Khách đã được đảo: {_label(customer)}",
            body=f"Lý do: {note}",
            url="/rotation/mine/",
        )
    if to is not None:
        notify(
            to,
            kind="rotated_in",
            title=f"Khách đảo về bạn: {_label(customer)}",
            body="Hãy coi như khách mới: chủ động liên hệ lại.",
            url=f"/customers/{customer.pk}/",
            customer=customer,
        )


def apply_status_after_rotation(customer: Customer, *, by, at) -> None:
    """The rotated customer starts over in the fitting status (default in care; no answer becomes new)."""
    from leadpool.sales.actions import change_status

    rules = config.current_rules()
    current = Status.objects.get(pk=customer.status_id)
    if current.kind != Status.Kind.OPEN:
        return
    target = Status.objects.filter(key=rules.status_after(current.key)).first()
    customer.status = current
    if target is None or target.pk == current.pk:
        deadlines.refresh(customer, now=at)  # same status: the fresh clock runs from the new owner's start
        return
    try:
        change_status(customer, to=target, by=by, reason="Đảo khách: bắt đầu lại với chủ mới", at=at)
    except ValidationError:
        deadlines.refresh(customer, now=at)


def reclaim_first_call(customer: Customer, *, at: datetime, rules, distributor: Distributor | None = None) -> Assignment | None:
    """No call within the first-call limit: taken back at once, handed on, the violation kept against the owner."""
    with transaction.atomic():
        customer = Customer.objects.select_for_update().get(pk=customer.pk)
        first_owner = customer.owner
        if first_owner is None:
            return None
        Violation.objects.create(
            user=first_owner, customer=customer, team_id=customer.team_id, kind=Violation.Kind.FIRST_CALL, at=at,
            detail=f"Không gọi trong {rules.first_call_minutes} phút làm việc",
        )
        distributor = distributor or Distributor(customer.team, at=at, rules=rules)
        to, why = distributor.choose(customer.pk, exclude={first_owner.pk})
        note = f"Không có cuộc gọi nào trong {rules.first_call_minutes} phút làm việc. Không lý do = không giữ khách."
        row = assign(
            customer, to=to, reason=Assignment.Reason.FIRST_CALL if to is not None else Assignment.Reason.POOL, by=None,
            rule=f"first_call:{rules.first_call_minutes}m", note=note, explanation=why, at=at,
        )
        notify(first_owner, kind="rotated_out", title=f"Khách bị thu hồi: {_label(customer)}", body=note, url="/rotation/mine/")
        if to is not None:
            notify(
                to, kind="rotated_in", title=f"Khách mới cần gọi ngay: {_label(customer)}",
                body="Khách vừa được chuyển cho bạn vì chưa được gọi kịp thời.", url=f"/customers/{customer.pk}/",
                customer=customer,
            )
    return row


def decide_many(candidates: list[Candidate], *, action: str, by, reason: str = "", until=None, to=None) -> dict:
    """One decision for many candidates; each is its own transaction so one refusal does not undo the rest."""
    done, failed = [], []
    distributors: dict[int | None, Distributor] = {}
    for candidate in candidates:
        try:
            if action == KEEP:
                keep(candidate, by=by, reason=reason, until=until)
            elif action == ROTATE:
                team_id = candidate.team_id
                if team_id not in distributors:
                    distributors[team_id] = Distributor(candidate.customer.team)
                rotate(candidate, by=by, reason=reason, distributor=distributors[team_id])
            elif action == REASSIGN:
                reassign(candidate, by=by, to=to, reason=reason)
            else:
                raise ValidationError("Quyết định không hợp lệ.")
            done.append(candidate.pk)
        except (ValidationError, PermissionDenied) as exc:
            failed.append((candidate.pk, _message(exc)))
    return {"done": done, "failed": failed}


def _message(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(exc.messages)
    return "Không có quyền quyết định khách này."
