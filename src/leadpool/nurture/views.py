"""Nurture pages: the unsubscribe link (no login), provider delivery callbacks, and today's sending page."""

import hmac
import json
from datetime import datetime, time, timedelta

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseForbidden
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from leadpool.accounts import access
from leadpool.accounts.models import Role
from leadpool.audit.log import client_ip
from leadpool.customers import privacy
from leadpool.customers.models import Customer
from leadpool.intake.inbox import store
from leadpool.intake.models import InboxItem

from . import config, rules, schedule, sending, unsubscribe
from .models import Channel, DailyCount, Send

# --- Unsubscribe -----------------------------------------------------------------------------


@csrf_exempt  # the signed token is the authority; mail apps POST here in one click (RFC 8058) without a form
@require_http_methods(["GET", "POST"])
def unsubscribe_view(request, token: str):
    data = unsubscribe.read(token)
    customer = Customer.objects.filter(pk=data["c"]).first() if data else None
    if customer is None:
        return render(request, "nurture/unsubscribe.html", {"invalid": True}, status=404)
    if request.method == "GET":
        # A GET only asks: link scanners in mailboxes open every link, and must not unsubscribe anyone.
        return render(request, "nurture/unsubscribe.html", {"done": customer.consent_withdrawn_at is not None})
    if customer.consent_withdrawn_at is None:
        customer = privacy.withdraw_consent(customer, by=None, channel="email_unsubscribe", ip=client_ip(request))
        now = timezone.now()
        schedule.cancel_all(customer, at=now)
        sending.record(customer.pk, "email", "Khách bấm huỷ đăng ký trong e-mail: đã rút lại đồng ý nhận tin.", at=now)
    return render(request, "nurture/unsubscribe.html", {"done": True})


# --- Delivery callbacks ----------------------------------------------------------------------


def _kept(request, channel: str, body: bytes):
    """Every provider callback is kept verbatim in the lead inbox before it is judged, like any webhook."""
    return store(request, channel=channel, body=body).item


def _judged(item, response: HttpResponse, *, error: str = "") -> HttpResponse:
    state = InboxItem.State.REJECTED if error else InboxItem.State.PROCESSED
    InboxItem.objects.filter(pk=item.pk).update(
        state=state, error=error, verified=not error, processed_at=timezone.now(), attempts=1,
        response={"status": response.status_code},
    )
    return response


@require_GET
def esms_callback(request, token: str):
    """eSMS calls the CallbackUrl we gave with each message (GET, query string); the token names the send."""
    item = _kept(request, "esms", request.META.get("QUERY_STRING", "").encode())
    send_id = unsubscribe.read_callback_token(token)
    send = Send.objects.filter(pk=send_id).first() if send_id else None
    if send is None:
        return _judged(item, HttpResponseForbidden("bad token"), error="bad token")
    sms_id = request.GET.get("SMSID", "")
    if send.provider_message_id and sms_id and sms_id != send.provider_message_id:
        return _judged(item, HttpResponseBadRequest("SMSID does not match"), error="SMSID does not match")
    status = request.GET.get("SendStatus", "")
    success, failed = _int(request.GET.get("SendSuccess")), _int(request.GET.get("SendFailed"))
    if status == "5" and success > 0:
        sending.delivery_result(send, delivered=True)
    elif status == "4" or (status == "5" and failed > 0):
        sending.delivery_result(send, delivered=False, detail=f"eSMS SendStatus {status}, SendFailed {failed}")
    # 1, 2, 7: still on the way; the final callback follows.
    return _judged(item, HttpResponse("OK"))


def _int(value) -> int:
    try:
        return int(value or 0)
    except ValueError:
        return 0


@csrf_exempt
@require_POST
def zalo_callback(request):
    """The OA webhook's "user_received_message" event for a ZNS message, signed like every OA event."""
    settings = config.provider_settings("ZNS")
    secret, app_id = str(settings.get("OA_SECRET", "")), str(settings.get("APP_ID", ""))
    body = request.body
    item = _kept(request, "zns", body)
    try:
        payload = json.loads(body)
    except ValueError:
        return _judged(item, HttpResponseBadRequest("bad json"), error="bad json")
    if not secret or not isinstance(payload, dict):
        return _judged(item, HttpResponseForbidden("not configured"), error="not configured")
    from leadpool.intake.channels.zalo import signature

    header = request.headers.get("X-ZEvent-Signature", "")
    given = header.split("=", 1)[1] if header.startswith("mac=") else header
    expected = signature(app_id or str(payload.get("app_id", "")), body, str(payload.get("timestamp", "")), secret)
    if not hmac.compare_digest(expected, given):
        return _judged(item, HttpResponseForbidden("bad signature"), error="bad signature")
    if payload.get("event_name") == "user_received_message":
        sending.zns_received(payload)
    return _judged(item, HttpResponse("OK"))


# --- Today's sending, for leaders and managers -----------------------------------------------


def _may_watch(user) -> bool:
    return user.is_manager or user.role == Role.LEADER


@login_required
def today(request):
    if not _may_watch(request.user):
        raise PermissionDenied
    now = timezone.now()
    day = rules.local_day(now)
    start = datetime.combine(day, time(0), rules.VN)
    end = start + timedelta(days=1)
    mine = Send.objects.filter(customer__in=access.customers_for(request.user))
    used = dict(DailyCount.objects.filter(day=day).values_list("channel", "used"))
    caps = [
        {"channel": label, "used": used.get(value, 0), "cap": config.daily_cap(value),
         "percent": min(100, round(100 * used.get(value, 0) / max(1, config.daily_cap(value))))}
        for value, label in Channel.choices
    ]
    by_channel = {
        row["channel"]: row
        for row in mine.filter(sent_at__gte=start, sent_at__lt=end).values("channel").annotate(
            sent=Count("pk"), delivered=Count("pk", filter=Q(state=Send.State.DELIVERED)),
            undelivered=Count("pk", filter=Q(state=Send.State.UNDELIVERED)),
        )
    }
    for row in caps:
        value = next(v for v, label in Channel.choices if label == row["channel"])
        row.update(by_channel.get(value, {"sent": 0, "delivered": 0, "undelivered": 0}))
    rows = mine.select_related("customer", "script")
    context = {
        "day": day,
        "caps": caps,
        "sent": list(rows.filter(sent_at__gte=start, sent_at__lt=end).order_by("-sent_at")[:100]),
        "failures": list(
            rows.filter(updated_at__gte=start, updated_at__lt=end)
            .filter(Q(state__in=[Send.State.FAILED, Send.State.UNDELIVERED]) | Q(state=Send.State.PENDING, attempts__gt=0))
            .order_by("-updated_at")[:100]
        ),
        "waiting": list(
            rows.filter(state=Send.State.PENDING, attempts=0, next_try_at__gt=now, next_try_at__lt=end + timedelta(days=1))
            .exclude(error="").order_by("next_try_at")[:100]
        ),
        "skipped": mine.filter(state=Send.State.SKIPPED, updated_at__gte=start, updated_at__lt=end).count(),
        "quiet": config.quiet_hours(),
    }
    return render(request, "nurture/today.html", context)
