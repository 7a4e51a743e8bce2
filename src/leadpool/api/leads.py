"""POST /api/v1/leads: push one lead in. Stored raw first, idempotent on external_id."""

from __future__ import annotations

import os

from django.conf import settings
from ninja import Router, Schema, Status

from leadpool import ratelimit
from leadpool.intake import process
from leadpool.intake.channels import api as api_channel
from leadpool.intake.channels.common import parse_body
from leadpool.intake.inbox import bounded_body, store
from leadpool.intake.models import InboxItem

from .auth import require_scope
from .schemas import Error

router = Router(tags=["leads"])


class LeadIn(Schema):
    name: str = ""
    phone: str = ""
    email: str = ""
    source: str = "website"
    project: str = ""
    campaign: str = ""
    note: str = ""
    consent: str = ""
    external_id: str = ""


class LeadOut(Schema):
    customer_id: int
    lead_id: int
    created: bool
    owner: str | None


class Accepted(Schema):
    detail: str
    inbox_id: int


class Rejected(Schema):
    """A refusal names the stored inbox item, so the sender can quote it."""

    detail: str
    inbox_id: int


def _per_minute() -> int:
    return int(os.environ.get("LEADPOOL_API_LEADS_PER_MINUTE") or settings.LEADPOOL.get("API_LEADS_PER_MINUTE", 600))


def _limit() -> int:
    return settings.LEADPOOL.get("MAX_API_LEAD_BYTES", 64_000)


def _rejected(request, body: bytes, message: str, status: int = 400):
    stored = store(request, channel="api", body=body, state=InboxItem.State.REJECTED, error=message, by=request.user)
    return Status(status, {"detail": message, "inbox_id": stored.item.pk})


def _answer(item: InboxItem, *, first: bool):
    if item.state == InboxItem.State.PROCESSED:
        return Status(201 if first else 200, item.response)
    if item.state == InboxItem.State.REJECTED:
        return Status(400, {"detail": item.error, "inbox_id": item.pk})
    return Status(202, {"detail": "Đã nhận, chưa xử lý được; sẽ xử lý lại (stored, will be replayed).", "inbox_id": item.pk})


@router.post(
    "",
    response={200: LeadOut, 201: LeadOut, 202: Accepted, 400: Rejected, 403: Error, 413: Rejected, 429: Error},
    summary="Push one lead",
    description=(
        "Fields: name, phone, email, source (source key), project (code or name), campaign, note, consent, "
        "external_id. A phone or an e-mail is required. The same external_id again answers 200 with the first answer."
    ),
    openapi_extra={"requestBody": {"required": True, "content": {"application/json": {"schema": LeadIn.json_schema()}}}},
)
def push_lead(request):
    require_scope(request, "leads:write")
    verdict = ratelimit.hit(f"api:leads:{request.user.pk}", limit=_per_minute())
    if not verdict.allowed:
        return Status(429, {"detail": "Quá nhiều yêu cầu, vui lòng thử lại sau (rate limited)."})
    body, too_large = bounded_body(request, _limit())
    if too_large:
        return _rejected(request, body, too_large, 413)
    try:
        payload = parse_body(request.content_type or "application/json", body)
        api_channel.clean(payload)
    except process.Malformed as exc:
        return _rejected(request, body, str(exc))
    key = str(payload.get("external_id") or "").strip() or None
    stored = store(request, channel="api", body=body, key=key, by=request.user)
    item = stored.item
    if stored.created:
        item = process.accept(item)  # just written by this request: no need to read it back
    elif item.state in process.REPLAYABLE:
        item = process.accept(item.pk)
    return _answer(item, first=stored.created)
