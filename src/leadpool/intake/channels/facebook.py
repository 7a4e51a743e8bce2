"""Facebook Lead Ads: the verification handshake, signed leadgen notifications, leads fetched from the Graph API.

A notification only says that a lead exists (its leadgen_id); the answers are fetched with the page's
access token by a background task that retries with back-off while Meta is unreachable.
"""

from __future__ import annotations

import logging
from datetime import timedelta

import httpx
from django.conf import settings
from django.db import transaction
from django.http import HttpResponse, JsonResponse
from django.tasks import task
from django.utils import timezone

from leadpool.customers.models import CapturePoint
from leadpool.intake import connections, process
from leadpool.intake.fields import split_flat
from leadpool.intake.inbox import payload_key
from leadpool.intake.models import ChannelConfig, InboxItem
from leadpool.intake.process import REPLAYABLE, Malformed, RetryLater, accept

from . import messenger, page_feed
from .common import capture_answer, from_timestamp, hmac_hex, lead_input, same

logger = logging.getLogger("leadpool.intake.facebook")

GRAPH_FIELDS = "id,created_time,ad_id,ad_name,adset_id,adset_name,campaign_id,campaign_name,form_id,field_data,is_organic,platform"
MAX_ATTEMPTS = 6
FIRST_BACKOFF_SECONDS = 30
TEST_MARK = "<test lead"
# Graph error codes that mean "slow down / try later" rather than "this will never work".
TRANSIENT_CODES = {1, 2, 4, 17, 32, 341, 613}
# Deliveries that are not lead-form notifications, by meta["kind"]: the module that handles them.
OTHER_KINDS = {"message": messenger, "comment": page_feed}


def graph_url() -> str:
    return settings.LEADPOOL.get("FACEBOOK_GRAPH_URL", "https://graph.facebook.com/v21.0")


def handshake(request, config) -> HttpResponse:
    """Meta's GET subscription check: echo hub.challenge when hub.verify_token is ours."""
    mode = request.GET.get("hub.mode")
    token = request.GET.get("hub.verify_token", "")
    if mode == "subscribe" and config.verify_token and same(config.verify_token, token):
        return HttpResponse(request.GET.get("hub.challenge", ""), content_type="text/plain")
    return JsonResponse({"detail": "verify_token không đúng (wrong verify token)."}, status=403)


def verify(request, config, body: bytes, payload: dict | None) -> str | None:
    header = request.headers.get("X-Hub-Signature-256", "")
    if not config.secret:
        return "Chưa cấu hình app secret cho kết nối này (no app secret configured)."
    if not header.startswith("sha256="):
        return "Thiếu chữ ký X-Hub-Signature-256 (missing signature)."
    if not same(hmac_hex(config.secret, body), header[len("sha256="):]):
        return "Chữ ký X-Hub-Signature-256 không đúng (bad signature)."
    return None


def deliveries(request, config, payload: dict, body: bytes) -> list[tuple[str, dict]]:
    if payload.get("object") != "page" or not isinstance(payload.get("entry"), list):
        raise Malformed("Không phải thông báo của Page (expected object=page with entry[]).")
    out = []
    for entry in payload["entry"]:
        entry = entry or {}
        for change in entry.get("changes") or []:
            value = (change or {}).get("value") or {}
            if change.get("field") != "leadgen" or not value.get("leadgen_id"):
                continue
            meta = {k: str(value.get(k, "")) for k in ("page_id", "form_id", "ad_id", "adgroup_id", "created_time")}
            meta["page_id"] = meta["page_id"] or str(entry.get("id", ""))
            out.append((str(value["leadgen_id"]), meta))
        # One callback URL receives every field the page is subscribed to: chats and comments too.
        out.extend(messenger.deliveries(entry, config))
        out.extend(page_feed.deliveries(entry, config))
    if not out:
        # Other Page fields carry no lead; kept all the same, once.
        return [(payload_key(body), {"ignored": "không có thay đổi leadgen (no leadgen change)"})]
    return out


def enqueue(item: InboxItem) -> None:
    pk = item.pk
    if item.meta.get("kind") in OTHER_KINDS:
        process.enqueue(item)  # nothing to fetch: the event carries its content
        return
    transaction.on_commit(lambda: fetch_lead.enqueue(pk))


def _page_config(item) -> ChannelConfig | None:
    return connections.facebook_page(item.meta.get("page_id"), item.config)


def fetch(item: InboxItem) -> dict:
    """The lead from the Graph API. RetryLater on passing trouble, RuntimeError when it will not work as set up."""
    config = _page_config(item)
    if config is None or not config.access_token:
        raise RuntimeError(f"Chưa có page access token cho page {item.meta.get('page_id') or '?'} (no page access token).")
    try:
        response = httpx.get(
            f"{graph_url()}/{item.idempotency_key}",
            params={"access_token": config.access_token, "fields": GRAPH_FIELDS},
            timeout=10,
        )
    except httpx.TransportError as exc:
        raise RetryLater(f"Không kết nối được Graph API: {exc}") from exc
    if response.status_code == 200:
        return response.json()
    try:
        error = response.json().get("error", {})
    except ValueError:
        error = {}
    message = f"Graph API {response.status_code}: {error.get('message') or response.text[:200]}"
    if response.status_code >= 500 or response.status_code == 429 or error.get("code") in TRANSIENT_CODES:
        raise RetryLater(message)
    raise RuntimeError(message)


def backoff(attempt: int) -> timedelta:
    return timedelta(seconds=FIRST_BACKOFF_SECONDS * 2 ** max(0, attempt - 1))


@task()
def fetch_lead(item_id: int) -> str:
    """Fetch outside any transaction (a slow Graph call must not hold locks), then process."""
    item = InboxItem.objects.get(pk=item_id)
    if item.state not in REPLAYABLE or item.meta.get("ignored"):
        return accept(item_id).state
    if "graph" not in item.meta:
        try:
            graph = fetch(item)
        except RetryLater as exc:
            item.attempts += 1
            item.error = str(exc)
            if item.attempts >= MAX_ATTEMPTS:
                item.state = InboxItem.State.FAILED
                item.save(update_fields=["attempts", "error", "state"])
                return item.state
            item.save(update_fields=["attempts", "error"])
            fetch_lead.using(run_after=timezone.now() + backoff(item.attempts)).enqueue(item_id)
            return "retry"
        except RuntimeError as exc:
            item.attempts += 1
            item.state = InboxItem.State.FAILED
            item.error = str(exc)
            item.save(update_fields=["attempts", "error", "state"])
            return item.state
        item.meta = {**item.meta, "graph": graph}
        item.save(update_fields=["meta"])
    return accept(item_id).state


def field_values(field_data: list) -> dict:
    """Meta's field_data ([{name, values: [...]}]) as a flat dict of first values."""
    flat = {}
    for row in field_data or []:
        if isinstance(row, dict) and row.get("name"):
            values = row.get("values") or [""]
            flat[str(row["name"])] = values[0] if len(values) == 1 else ", ".join(map(str, values))
    return flat


def handle(item) -> dict:
    if item.meta.get("ignored"):
        return {"ignored": item.meta["ignored"]}
    if item.meta.get("kind") in OTHER_KINDS:
        return OTHER_KINDS[item.meta["kind"]].handle(item)
    graph = item.meta.get("graph") or fetch(item)
    if not isinstance(graph, dict) or not isinstance(graph.get("field_data"), list):
        raise Malformed("Graph API không trả về field_data (no field_data in the lead).")
    values = field_values(graph["field_data"])
    is_test = any(str(v).lower().startswith(TEST_MARK) for v in values.values())
    flat = split_flat(values)
    config = _page_config(item)
    if config is not None and config.pk != getattr(item.config, "pk", None):
        item.config = config
    data = lead_input(
        item,
        flat=flat,
        external_id=str(graph.get("id") or item.idempotency_key),
        campaign_id=str(graph.get("campaign_id", "")),
        campaign=str(graph.get("campaign_name", "")) or flat.get("campaign", ""),
        adset_id=str(graph.get("adset_id") or item.meta.get("adgroup_id", "")),
        ad_id=str(graph.get("ad_id") or item.meta.get("ad_id", "")),
        form_id=str(graph.get("form_id") or item.meta.get("form_id", "")),
        capture_point=CapturePoint.LEAD_FORM,
        is_test=is_test,
        received_at=from_timestamp(graph.get("created_time")) or item.received_at,
        raw_payload={"notification": item.meta, "lead": graph},
    )
    if is_test:
        # Test leads carry placeholder text, not numbers; they are recorded, marked and still attached.
        data.phones = [p for p in data.phones if not p.lower().startswith(TEST_MARK)]
        data.emails = [e for e in data.emails if not e.lower().startswith(TEST_MARK)]
        if not data.phones and not data.emails:
            data.emails = [f"test-lead-{data.external_id}@facebook.invalid"]
    return capture_answer(data)
