"""Hotline call records: a known caller's call lands on their customer, an unknown caller becomes a lead."""

from __future__ import annotations

from leadpool.accounts.models import User
from leadpool.customers.models import CapturePoint, Phone
from leadpool.customers.normalize import normalize_phone
from leadpool.intake.inbox import payload_key
from leadpool.intake.process import Malformed

from .common import capture_answer, check_leadpool_signature, from_timestamp, item_payload, lead_input

verify = check_leadpool_signature


def _get(payload: dict, *names, default=""):
    for name in names:
        if payload.get(name) not in (None, ""):
            return payload[name]
    return default


def deliveries(request, config, payload: dict, body: bytes) -> list[tuple[str, dict]]:
    if not _get(payload, "caller", "from", "caller_number"):
        raise Malformed("Thiếu số gọi đến (missing caller).")
    call_id = _get(payload, "call_id", "callid", "uuid", "id")
    return [(str(call_id) if call_id else payload_key(body), {})]


def _agent(callee: str):
    result = normalize_phone(callee)
    if not result.ok:
        return None
    for user in User.objects.filter(is_active=True).exclude(phone=""):
        other = normalize_phone(user.phone)
        if other.ok and other.e164 == result.e164:
            return user
    return None


def handle(item) -> dict:
    payload = item_payload(item)
    caller = str(_get(payload, "caller", "from", "caller_number"))
    callee = str(_get(payload, "callee", "to", "extension", "destination"))
    started = from_timestamp(_get(payload, "start", "start_time", "started_at", default=None)) or item.received_at
    try:
        duration = int(float(_get(payload, "duration", "billsec", "talk_time", default=0)))
    except (TypeError, ValueError):
        duration = 0
    recording = str(_get(payload, "recording_url", "recording", "record_url"))[:500]
    number = normalize_phone(caller)
    if not number.ok:
        raise Malformed(f"Số gọi đến không hợp lệ: {caller} ({number.error})")
    known = Phone.objects.filter(e164=number.e164).select_related("customer").first()
    if known is not None:
        from leadpool.sales.actions import log_activity
        from leadpool.sales.models import Activity

        customer = known.customer
        while customer.merged_into_id:
            customer = customer.merged_into
        activity = log_activity(
            customer,
            by=_agent(callee),
            kind=Activity.Kind.CALL,
            at=started,
            call_direction=Activity.Direction.INBOUND,
            call_outcome=Activity.CallOutcome.REACHED if duration > 0 else Activity.CallOutcome.NO_ANSWER,
            duration_seconds=duration,
            recording_url=recording,
            body=f"Cuộc gọi đến hotline {callee}".strip(),
            channel="hotline",
        )
        return {"customer_id": customer.pk, "activity_id": activity.pk, "created": False,
                "owner": customer.owner.username if customer.owner else None}
    data = lead_input(
        item,
        phones=[caller],
        name=str(_get(payload, "caller_name", "name")),
        capture_point=CapturePoint.HOTLINE,
        external_id=str(_get(payload, "call_id", "callid", "uuid", "id")),
        answers={"callee": callee, "duration": duration, "recording_url": recording, "start": started.isoformat()},
        received_at=started,
    )
    return capture_answer(data)
