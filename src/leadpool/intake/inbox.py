"""Storing arrivals: every request is written verbatim, in its own transaction, before anything reads it."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone

from leadpool.audit.log import client_ip

from .models import InboxItem

# Headers worth keeping to judge a delivery later. Credentials (Cookie, Authorization) never are.
KEPT_HEADERS = {
    "content-type", "content-length", "user-agent", "x-forwarded-for", "x-real-ip", "idempotency-key",
    "x-hub-signature-256", "x-hub-signature", "x-zevent-signature", "x-tiktok-signature", "x-leadpool-signature",
    "x-request-id",
}


def kept_headers(request) -> dict:
    if request is None:
        return {}
    return {k.lower(): v[:500] for k, v in request.headers.items() if k.lower() in KEPT_HEADERS}


def bounded_body(request, limit: int) -> tuple[bytes, str | None]:
    """The request body, at most `limit` bytes of it, and the rejection message when it is larger.

    A body declared larger than the limit is not read at all; one that only turns out larger is cut to the limit,
    so what is stored of a rejected delivery stays bounded.
    """
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        return b"", f"Nội dung quá lớn: {declared} byte, tối đa {limit} (body too large)."
    body = request.body
    if len(body) > limit:
        return body[:limit], f"Nội dung quá lớn: {len(body)} byte, tối đa {limit} (body too large)."
    return body, None


def payload_key(body: bytes) -> str:
    """The idempotency key of channels whose payload carries no id of its own."""
    return "sha256:" + hashlib.sha256(body).hexdigest()


@dataclass
class Stored:
    item: InboxItem
    created: bool
    extra: list[InboxItem] = field(default_factory=list)


def store(
    request,
    *,
    channel: str,
    body: bytes,
    key: str | None = None,
    config=None,
    source=None,
    verified: bool | None = None,
    state: str = InboxItem.State.RECEIVED,
    error: str = "",
    meta: dict | None = None,
    by=None,
    content_type: str | None = None,
    on_created=None,
) -> Stored:
    """Write one arrival. A second delivery with the same (channel, key) stores nothing and returns the first.

    `on_created(item)` runs inside the item's own transaction when it is new: queueing its processing there
    costs no second commit.
    """
    item = InboxItem(
        channel=channel,
        config=config,
        source=source or (config.source if config is not None else None),
        received_at=timezone.now(),
        method=getattr(request, "method", "") or "",
        path=(request.get_full_path() if request is not None else "")[:300],
        content_type=(content_type if content_type is not None else getattr(request, "content_type", "") or "")[:120],
        headers=kept_headers(request),
        body=body,
        remote_addr=client_ip(request),
        idempotency_key=(key[:200] if key else None),
        verified=verified,
        state=state,
        error=error,
        meta=meta or {},
        by=by if by is not None and getattr(by, "pk", None) else None,
    )
    try:
        with transaction.atomic():
            item.save()
            if on_created is not None:
                on_created(item)
    except IntegrityError:
        first = InboxItem.objects.filter(channel=channel, idempotency_key=item.idempotency_key).first()
        if first is None:  # pragma: no cover - the unique constraint is the only integrity rule here
            raise
        return Stored(first, False)
    return Stored(item, True)
