"""No gaming: care that is not real (zero-second calls, copied notes, raises with no activity) is flagged."""

import re

from leadpool.sales.models import Activity

from .models import Violation

MIN_COPIED_LENGTH = 15
CLAIMED_REACH = {"reached", "call_back", ""}


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", (text or "").strip().lower())


def activity_flag(kind: str, *, duration_seconds: int | None, call_outcome: str, body: str, seen_bodies: set[str]) -> str:
    """Why this activity does not count as care, or "" when it counts (pure)."""
    if kind == Activity.Kind.CALL and duration_seconds == 0 and call_outcome in CLAIMED_REACH:
        return Violation.Kind.ZERO_SECOND_CALL
    text = _norm(body)
    if kind in (Activity.Kind.NOTE, Activity.Kind.CALL) and len(text) >= MIN_COPIED_LENGTH and text in seen_bodies:
        return Violation.Kind.COPIED_NOTE
    return ""


FLAG_TEXT = {
    Violation.Kind.ZERO_SECOND_CALL: "Cuộc gọi 0 giây: không tính là chăm sóc",
    Violation.Kind.COPIED_NOTE: "Ghi chú trùng với ghi chú đã viết: không tính là chăm sóc",
    Violation.Kind.STATUS_WITHOUT_ACTIVITY: "Nâng trạng thái mà không có hoạt động nào: không tính là tiến triển",
}


def check_activity(activity: Activity, customer) -> str:
    """Flag a just-written activity that does not count; record it for the leader."""
    if activity.author_id is None or activity.kind == Activity.Kind.SYSTEM:
        return ""
    seen: set[str] = set()
    text = _norm(activity.body)
    if len(text) >= MIN_COPIED_LENGTH:
        others = (
            Activity.objects.filter(author_id=activity.author_id, kind__in=[Activity.Kind.NOTE, Activity.Kind.CALL])
            .exclude(pk=activity.pk)
            .filter(body__iexact=activity.body.strip())
        )
        if others.exists():
            seen.add(text)
    flag = activity.flagged or activity_flag(
        activity.kind,
        duration_seconds=activity.duration_seconds,
        call_outcome=activity.call_outcome,
        body=activity.body,
        seen_bodies=seen,
    )
    if not flag:
        return ""
    if not activity.flagged:
        # Written in the same transaction as the activity: this is its flag "when it is written".
        Activity.objects.filter(pk=activity.pk).update(flagged=FLAG_TEXT.get(flag, flag)[:120])
        activity.flagged = FLAG_TEXT.get(flag, flag)[:120]
    kind = flag if flag in Violation.Kind.values else Violation.Kind.ZERO_SECOND_CALL
    Violation.objects.create(
        user_id=activity.author_id, customer=customer, team_id=customer.team_id, kind=kind,
        detail=FLAG_TEXT.get(flag, flag)[:300], activity_id=activity.pk,
    )
    return flag


def check_status_change(change, customer) -> bool:
    """A raise in rank with no activity behind it is flagged to the leader and is not progress."""
    if change.backed_by_activity or change.by_id is None or change.from_status_id is None:
        return False
    if change.by_id != customer.owner_id:  # a leader's or the system's move is not the owner gaming
        return False
    before, after = change.from_status.rank, change.to_status.rank
    if before is None or after is None or after <= before:
        return False
    Violation.objects.create(
        user_id=change.by_id, customer=customer, team_id=customer.team_id, kind=Violation.Kind.STATUS_WITHOUT_ACTIVITY,
        detail=f"{change.from_status.label} → {change.to_status.label}: {FLAG_TEXT[Violation.Kind.STATUS_WITHOUT_ACTIVITY]}"[:300],
    )
    return True
