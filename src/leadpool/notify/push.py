"""Web Push: encrypt and post one message to one browser's push service (pywebpush over requests)."""

import json

from pywebpush import WebPushException, webpush

from . import vapid
from .models import PushSubscription

GONE = {404, 410}  # the browser dropped the subscription: forget it


def send(subscription: PushSubscription, payload: dict, *, timeout: float = 10) -> tuple[str, str]:
    """Returns (state, error): "sent", "gone" (subscription removed) or "failed"."""
    try:
        webpush(
            subscription.info(),
            data=json.dumps(payload, ensure_ascii=False),
            vapid_private_key=vapid.signer(),
            vapid_claims=vapid.claims(),
            ttl=3600,
            timeout=timeout,
        )
    except WebPushException as exc:
        status = getattr(exc.response, "status_code", None)
        if status in GONE:
            return "gone", f"HTTP {status}"
        return "failed", (f"HTTP {status}: " if status else "") + str(exc)[:250]
    except Exception as exc:  # network trouble: try again later
        return "failed", f"{type(exc).__name__}: {exc}"[:300]
    return "sent", ""
