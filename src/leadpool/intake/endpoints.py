"""Public webhook endpoints: /intake/hook/<kind>/<token>/ for every connected channel.

Every request is stored before it is judged; a rejection is stored too and answered with a message.
"""

from __future__ import annotations

from django.conf import settings
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt

from leadpool import ratelimit
from leadpool.audit.log import client_ip

from . import connections, process
from .channels import facebook, generic, google, hotline, tiktok, zalo
from .channels.common import parse_body
from .inbox import bounded_body, store
from .models import InboxItem

MODULES = {
    "facebook": facebook,
    "google": google,
    "zalo": zalo,
    "tiktok": tiktok,
    "ladipage": generic,
    "generic": generic,
    "hotline": hotline,
}
UNKNOWN_TOKEN_LIMIT_PER_MINUTE = 30


def max_body_bytes() -> int:
    return settings.LEADPOOL.get("MAX_WEBHOOK_BYTES", 256_000)


def _reject(request, *, kind, config, body, status, message, verified=None) -> JsonResponse:
    stored = store(
        request, channel=kind, body=body, config=config, verified=verified,
        state=InboxItem.State.REJECTED, error=message,
    )
    return JsonResponse({"detail": message, "inbox_id": stored.item.pk}, status=status)


def _ip(request) -> str:
    return client_ip(request) or "?"


@csrf_exempt
def hook(request, kind: str, token: str):
    module = MODULES.get(kind)
    if module is None:
        return JsonResponse({"detail": f"Kênh “{kind}” không được hỗ trợ (unknown channel)."}, status=404)
    config = connections.by_token(kind, token)
    if config is None or not config.active:
        verdict = ratelimit.hit(f"intake:ip:{_ip(request)}", limit=UNKNOWN_TOKEN_LIMIT_PER_MINUTE)
        if not verdict.allowed:
            return ratelimit.too_many(verdict)
        # Kept (bounded) so a lead sent to a mistyped or switched-off connection can still be found and replayed.
        body, _too_large = bounded_body(request, max_body_bytes())
        message = "Kết nối không tồn tại hoặc đã tắt (unknown or disabled token)."
        return _reject(request, kind=kind, config=config, body=body, status=404, message=message, verified=False)

    verdict = ratelimit.hit(f"intake:config:{config.pk}", limit=config.rate_limit_per_minute)
    if not verdict.allowed:
        return ratelimit.too_many(
            verdict, f"Quá {config.rate_limit_per_minute} yêu cầu/phút cho kết nối này, vui lòng gửi lại sau."
        )

    if request.method == "GET" and hasattr(module, "handshake"):
        return module.handshake(request, config)
    if request.method != "POST":
        response = JsonResponse({"detail": "Chỉ nhận POST (only POST is accepted)."}, status=405)
        response["Allow"] = "POST"
        return response

    body, too_large = bounded_body(request, max_body_bytes())
    if too_large:
        return _reject(request, kind=kind, config=config, body=body, status=413, message=too_large)

    payload, parse_error = None, None
    try:
        payload = parse_body(request.content_type, body)
    except process.Malformed as exc:
        parse_error = str(exc)
    problem = module.verify(request, config, body, payload)
    if problem:
        return _reject(request, kind=kind, config=config, body=body, status=403, message=problem, verified=False)
    if parse_error:
        return _reject(request, kind=kind, config=config, body=body, status=400, message=parse_error)
    try:
        parts = module.deliveries(request, config, payload, body)
    except process.Malformed as exc:
        return _reject(request, kind=kind, config=config, body=body, status=400, message=str(exc), verified=True)

    enqueue = getattr(module, "enqueue", process.enqueue)
    items = []
    for key, meta in parts:
        stored = store(request, channel=kind, body=body, key=key, config=config, verified=True, meta=meta,
                       on_created=enqueue)
        items.append(
            {
                "inbox_id": stored.item.pk,
                "duplicate": not stored.created,
                "state": stored.item.state,
                **({"result": stored.item.response} if stored.item.response else {}),
            }
        )
    return JsonResponse({"received": len(items), "items": items}, status=200)
