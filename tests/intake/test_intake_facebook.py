"""Facebook Lead Ads: handshake, signature, Graph API fetch with retries, test leads."""

import hashlib
import hmac
import json
from datetime import timedelta

import httpx
import respx
import time_machine
from django.utils import timezone

from leadpool.customers.models import Customer, Lead
from leadpool.intake.models import InboxItem

GRAPH = "https://graph.facebook.com/v21.0"


def notification(leadgen_id="444", page_id="1001"):
    return {
        "object": "page",
        "entry": [{"id": page_id, "time": 1735689600, "changes": [{"field": "leadgen", "value": {
            "ad_id": "2001", "form_id": "3001", "leadgen_id": leadgen_id, "created_time": 1735689600,
            "page_id": page_id, "adgroup_id": "4001"}}]}],
    }


def signed(body: bytes, secret="fb-app-secret") -> dict:
    return {"X-Hub-Signature-256": "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()}


def graph_lead(leadgen_id="444", phone="+84 912 345 678", name="Nguyễn Văn An"):
    # Meta's documented shape: GET /{lead-id} → field_data: [{name, values: [...]}]
    return {
        "id": leadgen_id, "created_time": "2025-01-01T00:00:00+0000", "ad_id": "2001", "adset_id": "4001",
        "campaign_id": "5001", "campaign_name": "Lotus mở bán", "form_id": "3001",
        "field_data": [
            {"name": "full_name", "values": [name]},
            {"name": "phone_number", "values": [phone]},
            {"name": "email", "values": ["an@example.com"]},
            {"name": "ban_quan_tam_can_ho_may_phong_ngu?", "values": ["2 phòng ngủ"]},
        ],
    }


def test_handshake_echoes_challenge_only_with_our_verify_token(world, channels, client):
    url = f"/intake/hook/facebook/{channels['facebook'].token}/"
    ok = client.get(url, {"hub.mode": "subscribe", "hub.verify_token": "verify-me", "hub.challenge": "1158201444"})
    assert ok.status_code == 200 and ok.content == b"1158201444"
    bad = client.get(url, {"hub.mode": "subscribe", "hub.verify_token": "nope", "hub.challenge": "1"})
    assert bad.status_code == 403


@respx.mock
def test_signed_notification_fetches_lead_and_captures_it(world, channels, post, run_tasks):
    route = respx.get(f"{GRAPH}/444").mock(return_value=httpx.Response(200, json=graph_lead()))
    body = json.dumps(notification()).encode()
    response = post(channels["facebook"], body, headers=signed(body))
    assert response.status_code == 200
    item = InboxItem.objects.get()
    assert item.idempotency_key == "444" and item.verified is True and item.state == "received"
    run_tasks()
    item.refresh_from_db()
    assert item.state == "processed", item.error
    assert route.calls.last.request.url.params["access_token"] == "PAGE-TOKEN"
    lead = Lead.objects.get()
    assert lead.external_id == "444" and lead.campaign == "Lotus mở bán" and lead.form_id == "3001"
    assert lead.answers["ban_quan_tam_can_ho_may_phong_ngu?"] == "2 phòng ngủ"
    assert lead.raw_payload["lead"]["field_data"][0]["values"] == ["Nguyễn Văn An"]
    assert lead.customer.phones.get().e164 == "+84912345678"
    assert not lead.is_test
    assert list(lead.projects.all()) == [world.lotus]


def test_bad_signature_is_stored_and_answered_403(world, channels, post):
    body = json.dumps(notification()).encode()
    response = post(channels["facebook"], body, headers=signed(body, secret="wrong"))
    assert response.status_code == 403
    item = InboxItem.objects.get()
    assert item.state == "rejected" and item.verified is False and bytes(item.body) == body
    assert Lead.objects.count() == 0


@respx.mock
def test_duplicate_delivery_changes_nothing(world, channels, post, run_tasks):
    respx.get(f"{GRAPH}/444").mock(return_value=httpx.Response(200, json=graph_lead()))
    body = json.dumps(notification()).encode()
    post(channels["facebook"], body, headers=signed(body))
    run_tasks()
    again = post(channels["facebook"], body, headers=signed(body))
    run_tasks()
    assert again.json()["items"][0]["duplicate"] is True
    assert InboxItem.objects.count() == 1 and Lead.objects.count() == 1


@respx.mock
def test_graph_outage_retries_with_backoff_then_succeeds(world, channels, post, run_tasks):
    route = respx.get(f"{GRAPH}/444").mock(
        side_effect=[httpx.Response(503, json={"error": {"message": "down", "code": 2}}), httpx.ConnectError("boom"),
                     httpx.Response(200, json=graph_lead())]
    )
    body = json.dumps(notification()).encode()
    post(channels["facebook"], body, headers=signed(body))
    run_tasks()
    item = InboxItem.objects.get()
    assert item.state == "received" and item.attempts == 1 and "503" in item.error
    run_tasks()  # the retry waits for its back-off: nothing runs yet
    assert route.call_count == 1
    with time_machine.travel(timezone.now() + timedelta(seconds=31)):
        run_tasks()
    item.refresh_from_db()
    assert route.call_count == 2 and item.attempts == 2
    with time_machine.travel(timezone.now() + timedelta(seconds=61 + 31)):
        run_tasks()
    item.refresh_from_db()
    assert item.state == "processed", item.error
    assert Customer.objects.count() == 1


@respx.mock
def test_expired_token_fails_then_replay_after_fix_succeeds(world, channels, post, run_tasks, login):
    respx.get(f"{GRAPH}/444").mock(
        side_effect=[httpx.Response(400, json={"error": {"message": "Invalid OAuth access token.", "code": 190}}),
                     httpx.Response(200, json=graph_lead())]
    )
    body = json.dumps(notification()).encode()
    post(channels["facebook"], body, headers=signed(body))
    run_tasks()
    item = InboxItem.objects.get()
    assert item.state == "failed" and "Invalid OAuth" in item.error
    assert Lead.objects.count() == 0
    page = login(world.manager).get("/intake/inbox/?state=failed")
    assert f"#{item.pk}".encode() in page.content
    response = login(world.manager).post(f"/intake/inbox/{item.pk}/replay/")
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.state == "processed" and item.attempts == 2
    assert Lead.objects.get().inbox_item == item


@respx.mock
def test_test_leads_are_recorded_and_marked(world, channels, post, run_tasks):
    test_lead = graph_lead(phone="<test lead: dummy data for phone_number>", name="<test lead: dummy data for full_name>")
    test_lead["field_data"][2]["values"] = ["<test lead: dummy data for email>"]
    respx.get(f"{GRAPH}/444").mock(return_value=httpx.Response(200, json=test_lead))
    body = json.dumps(notification()).encode()
    post(channels["facebook"], body, headers=signed(body))
    run_tasks()
    lead = Lead.objects.get()
    assert lead.is_test and lead.customer.is_test


def test_notification_without_leadgen_is_kept_and_ignored(world, channels, post, run_tasks):
    payload = {"object": "page", "entry": [{"id": "1001", "changes": [{"field": "feed", "value": {}}]}]}
    body = json.dumps(payload).encode()
    post(channels["facebook"], body, headers=signed(body))
    run_tasks()
    item = InboxItem.objects.get()
    assert item.state == "processed" and "ignored" in item.response
    assert Lead.objects.count() == 0


def test_malformed_signed_body_is_rejected_400(world, channels, post):
    body = b'{"object": "user"}'
    response = post(channels["facebook"], body, headers=signed(body))
    assert response.status_code == 400
    assert InboxItem.objects.get().state == "rejected"
