"""Sending the automatic steps that are due: claim, check consent, quiet hours and the daily cap, send,
and write every send, delivery result and failure on the customer's timeline."""

from datetime import UTC, datetime, timedelta

from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from leadpool.customers.models import Lead
from leadpool.notify.mail import base_url
from leadpool.sales.models import Activity

from . import config, content, providers, rules, unsubscribe
from .models import Channel, DailyCount, Send

CHANNEL_LABEL = {"email": "E-mail", "sms": "SMS", "zns": "Zalo ZNS"}
STALE_CLAIM = timedelta(minutes=15)
BATCH = 500


# --- The timeline ----------------------------------------------------------------------------


def record(customer_id: int, channel: str, body: str, *, at: datetime) -> Activity:
    """An automatic activity: authored by nobody, so it never counts as a salesperson's care."""
    return Activity.objects.create(
        customer_id=customer_id, author=None, kind=Activity.Kind.NURTURE, channel=CHANNEL_LABEL[channel],
        body=body, created_at=at, occurred_at=at,
    )


def _clock(at: datetime) -> str:
    return date_format(timezone.localtime(at), "H:i d/m/Y")


# --- The daily cap ---------------------------------------------------------------------------


def reserve(channel: str, day, cap: int) -> bool:
    """Take one of the day's places for a channel; False once the cap is reached (one atomic UPDATE)."""
    if cap <= 0:
        return False
    DailyCount.objects.bulk_create([DailyCount(channel=channel, day=day)], ignore_conflicts=True)
    return DailyCount.objects.filter(channel=channel, day=day, used__lt=cap).update(used=F("used") + 1) == 1


def release(channel: str, day) -> None:
    """Give the place back: a refused message did not go out."""
    DailyCount.objects.filter(channel=channel, day=day, used__gt=0).update(used=F("used") - 1)


# --- One send --------------------------------------------------------------------------------


def recipient_of(customer, channel: str) -> str:
    if channel == "email":
        email = customer.emails.first()
        return email.address if email else ""
    phone = customer.phones.first()
    return phone.e164 if phone and phone.e164.startswith("+") else ""


def consents_of(customer) -> list[rules.Consent]:
    rows = Lead.objects.filter(customer=customer).values_list("consent_at", "consent_channel")
    return [rules.Consent(at, channel or "") for at, channel in rows]


def tracking_id(send: Send) -> str:
    return f"lp-{send.pk}"


def _finish(send: Send, state: str, now: datetime, **fields) -> None:
    Send.objects.filter(pk=send.pk).update(state=state, updated_at=now, claimed_at=None, **fields)


def _provider_for(send: Send):
    if send.channel == "sms":
        from .providers.esms import EsmsProvider

        callback = base_url() + reverse("nurture:esms_callback", args=[unsubscribe.callback_token(send.pk)])
        return EsmsProvider(callback_url=callback)
    return providers.for_channel(send.channel)


def process(send_id: int, now: datetime | None = None) -> str | None:
    """Try one due send. Returns its new state, or None when another worker has it or it is not due."""
    now = now or timezone.now()
    claimed = Send.objects.filter(pk=send_id, state=Send.State.PENDING, next_try_at__lte=now).update(
        state=Send.State.SENDING, claimed_at=now, updated_at=now
    )
    if not claimed:
        return None
    send = Send.objects.select_related("customer__owner", "step", "script").get(pk=send_id)
    customer, step = send.customer, send.step
    if step is None or not step.is_automatic or step.kind != send.channel or (send.script and not send.script.active):
        _finish(send, Send.State.CANCELLED, now, error="Bước chăm sóc đã bị xoá, tắt hoặc đổi loại.")
        return Send.State.CANCELLED
    allowed = rules.may_receive(
        send.channel, consents_of(customer), withdrawn=customer.consent_withdrawn_at is not None,
        erased=customer.erased_at is not None, merged=customer.merged_into_id is not None,
    )
    if not allowed:
        _finish(send, Send.State.SKIPPED, now, error="Khách chưa đồng ý nhận qua kênh này hoặc đã rút lại đồng ý.")
        return Send.State.SKIPPED
    to = recipient_of(customer, send.channel)
    if not to:
        _finish(send, Send.State.SKIPPED, now, error="Khách không có địa chỉ nhận cho kênh này.")
        return Send.State.SKIPPED
    start, end = config.quiet_hours()
    morning = rules.quiet_until(now, send.channel, start, end)
    if morning is not None:
        _finish(send, Send.State.PENDING, now, next_try_at=morning, error="Giờ yên lặng: để đến sáng mới gửi.")
        return Send.State.PENDING
    day = rules.local_day(now)
    if not reserve(send.channel, day, config.daily_cap(send.channel)):
        _finish(send, Send.State.PENDING, now, next_try_at=rules.next_day_opening(now, end),
                error="Đã hết hạn mức gửi trong ngày: để sang ngày mai.")
        return Send.State.PENDING

    link = unsubscribe.url_for(customer.pk, send.pk) if send.channel == "email" else ""
    message = content.build(step, content.customer_values(customer), tracking_id=tracking_id(send), unsubscribe_url=link)
    provider = _provider_for(send)
    result = provider.send(to, message)  # outside any transaction: a slow provider must not hold locks
    return _record_result(send, provider.name, to, message, result, day, now)


def _summary(send: Send, message: content.Content) -> str:
    if send.channel == "email":
        return f"“{message.subject}”"
    if send.channel == "zns":
        return f"mẫu {message.template_id}"
    return f"“{message.text[:160]}”"


def _record_result(send, provider_name, to, message, result, day, now) -> str:
    attempts = send.attempts + 1
    label = CHANNEL_LABEL[send.channel]
    with transaction.atomic():
        if result.ok:
            _finish(send, Send.State.SENT, now, attempts=attempts, sent_at=now, recipient=to, provider=provider_name,
                    provider_message_id=result.message_id[:80], error="")
            record(send.customer_id, send.channel, f"Đã tự động gửi {label} {_summary(send, message)}.", at=now)
            return Send.State.SENT
        release(send.channel, day)
        if rules.should_retry(result.retryable, attempts, config.max_attempts()):
            again = rules.retry_at(now, attempts)
            _finish(send, Send.State.PENDING, now, attempts=attempts, next_try_at=again, recipient=to,
                    provider=provider_name, error=result.error)
            record(send.customer_id, send.channel,
                   f"Gửi {label} lỗi (lần {attempts}): {result.error}. Sẽ thử lại lúc {_clock(again)}.", at=now)
            return Send.State.PENDING
        _finish(send, Send.State.FAILED, now, attempts=attempts, recipient=to, provider=provider_name,
                error=result.error)
        record(send.customer_id, send.channel, f"Gửi {label} thất bại, không thử lại: {result.error}.", at=now)
        return Send.State.FAILED


# --- The periodic pass -----------------------------------------------------------------------


def give_up_stale(now: datetime) -> int:
    """A worker that died mid-send leaves its claim: the message may have gone, so it is not sent again."""
    stale = list(
        Send.objects.filter(state=Send.State.SENDING, claimed_at__lt=now - STALE_CLAIM).values_list("pk", "customer_id", "channel")
    )
    for pk, customer_id, channel in stale:
        if Send.objects.filter(pk=pk, state=Send.State.SENDING).update(
            state=Send.State.FAILED, error="Bị gián đoạn khi đang gửi; không gửi lại để tránh gửi trùng.", updated_at=now
        ):
            record(customer_id, channel, f"Gửi {CHANNEL_LABEL[channel]} bị gián đoạn; không gửi lại để tránh trùng.", at=now)
    return len(stale)


def send_due(now: datetime | None = None, batch: int = BATCH) -> dict:
    """Every pending send whose time has come, oldest first. Safe to run twice or in two workers at once."""
    now = now or timezone.now()
    counts: dict[str, int] = {"stale": give_up_stale(now)}
    ids = list(
        Send.objects.filter(state=Send.State.PENDING, next_try_at__lte=now).order_by("next_try_at", "pk")
        .values_list("pk", flat=True)[:batch]
    )
    for pk in ids:
        state = process(pk, now)
        if state is not None:
            counts[state] = counts.get(state, 0) + 1
    return counts


# --- Delivery results ------------------------------------------------------------------------


def delivery_result(send: Send, *, delivered: bool, detail: str = "", at: datetime | None = None) -> bool:
    """A provider's word on a sent message. Only the first result counts: a repeated callback changes nothing."""
    at = at or timezone.now()
    state = Send.State.DELIVERED if delivered else Send.State.UNDELIVERED
    with transaction.atomic():
        changed = Send.objects.filter(pk=send.pk, state=Send.State.SENT).update(
            state=state, delivered_at=at, updated_at=at, error="" if delivered else detail[:300]
        )
        if not changed:
            return False
        label = CHANNEL_LABEL[send.channel]
        if delivered:
            record(send.customer_id, send.channel, f"{label} tự động đã đến khách.", at=at)
        else:
            record(send.customer_id, send.channel, f"{label} tự động không đến được khách: {detail}.", at=at)
    return True


def zns_received(payload: dict) -> bool:
    """An OA webhook "user_received_message" event: the ZNS message named by msg_id (or our tracking_id) arrived.
    Public so the Zalo OA webhook of intake can hand the event over as well."""
    message = payload.get("message") or {}
    msg_id, tracking = str(message.get("msg_id", "")), str(message.get("tracking_id", ""))
    query = Q(provider_message_id=msg_id) if msg_id else Q(pk__in=[])
    if tracking.startswith("lp-") and tracking[3:].isdigit():
        query |= Q(pk=int(tracking[3:]))
    send = Send.objects.filter(query, channel=Channel.ZNS).first()
    if send is None:
        return False
    at = None
    if str(message.get("delivery_time", "")).isdigit():
        at = datetime.fromtimestamp(int(message["delivery_time"]) / 1000, tz=UTC)
    return delivery_result(send, delivered=True, at=at)
