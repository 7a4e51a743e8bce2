"""Google Ads lead forms, Zalo OA, TikTok lead forms and the hotline, each asserting what is stored."""

import hashlib
import hmac
import json

from leadpool.customers.models import Customer, Lead
from leadpool.intake.models import InboxItem
from leadpool.sales.models import Activity


def google_payload(lead_id="TeSter-123", key="g-key-lotus", phone="0912345678", is_test=False):
    # Google's documented webhook body for lead form extensions.
    return {
        "lead_id": lead_id, "api_version": "1.0", "form_id": 555, "campaign_id": 777, "google_key": key,
        "is_test": is_test, "gcl_id": "gclid-1", "adgroup_id": 888, "creative_id": 999,
        "user_column_data": [
            {"column_name": "Full Name", "string_value": "Phạm Minh Đức", "column_id": "FULL_NAME"},
            {"column_name": "User Phone", "string_value": phone, "column_id": "PHONE_NUMBER"},
            {"column_name": "User Email", "string_value": "duc@example.com", "column_id": "EMAIL"},
            {"column_name": "Ngân sách?", "string_value": "3-5 tỷ", "column_id": "budget"},
        ],
    }


def test_google_lead_form_happy_path(world, channels, post, run_tasks):
    response = post(channels["google"], google_payload())
    assert response.status_code == 200
    run_tasks()
    item = InboxItem.objects.get()
    assert item.state == "processed" and item.idempotency_key == "TeSter-123"
    lead = Lead.objects.get()
    assert lead.customer.name == "Phạm Minh Đức" and lead.answers == {"Ngân sách?": "3-5 tỷ"}
    assert lead.campaign_id == "777" and lead.form_id == "555" and lead.capture_point == "lead_form"
    assert "google_key" not in lead.raw_payload and not lead.is_test


def test_google_wrong_key_is_stored_and_403(world, channels, post):
    response = post(channels["google"], google_payload(key="guess"))
    assert response.status_code == 403 and "google_key" in response.json()["detail"]
    item = InboxItem.objects.get()
    assert item.state == "rejected" and item.verified is False
    assert Lead.objects.count() == 0


def test_google_duplicate_and_test_lead(world, channels, post, run_tasks):
    post(channels["google"], google_payload(is_test=True))
    post(channels["google"], google_payload(is_test=True))
    run_tasks()
    assert InboxItem.objects.count() == 1
    assert Lead.objects.get().is_test


def test_google_malformed_body(world, channels, post):
    response = post(channels["google"], {"google_key": "g-key-lotus", "form_id": 555})
    assert response.status_code == 400 and "lead_id" in response.json()["detail"]
    assert InboxItem.objects.get().state == "rejected"


def zalo_signed(payload: dict, app_id="4321", secret="zalo-oa-secret"):
    body = json.dumps(payload, ensure_ascii=False).encode()
    mac = hashlib.sha256(app_id.encode() + body + str(payload["timestamp"]).encode() + secret.encode()).hexdigest()
    return body, {"X-ZEvent-Signature": f"mac={mac}"}


def test_zalo_user_submit_info_becomes_lead(world, channels, post, run_tasks):
    body, headers = zalo_signed({
        "app_id": "4321", "event_name": "user_submit_info", "timestamp": "1735689600000",
        "sender": {"id": "zalo-user-1"}, "recipient": {"id": "oa-1"},
        "info": {"name": "Võ Thị Hoa", "phone": "84912000111", "address": "Q7", "city": "HCM"},
    })
    assert post(channels["zalo"], body, headers=headers).status_code == 200
    run_tasks()
    lead = Lead.objects.get()
    assert lead.customer.phones.get().e164 == "+84912000111"
    assert lead.external_id == "zalo-user-1" and lead.answers["city"] == "HCM"


def test_zalo_messages_from_one_user_land_on_one_customer(world, channels, post, run_tasks):
    for n, text in enumerate(["Cho em xin giá căn 2PN", "Số em là 0903 111 222 nhé"]):
        body, headers = zalo_signed({
            "app_id": "4321", "event_name": "user_send_text", "timestamp": f"173568960{n}000",
            "sender": {"id": "zalo-user-2"}, "message": {"text": text, "msg_id": f"m{n}"},
        })
        assert post(channels["zalo"], body, headers=headers).status_code == 200
        run_tasks()
    assert Customer.objects.count() == 1
    customer = Customer.objects.get()
    assert customer.leads.count() == 2 and customer.phones.get().e164 == "+84903111222"


def test_zalo_bad_signature_and_follow_event(world, channels, post, run_tasks):
    body, headers = zalo_signed({"app_id": "4321", "event_name": "follow", "timestamp": "1", "follower": {"id": "u"}})
    assert post(channels["zalo"], body, headers={"X-ZEvent-Signature": "mac=deadbeef"}).status_code == 403
    assert post(channels["zalo"], body, headers=headers).status_code == 200
    run_tasks()
    states = sorted(InboxItem.objects.values_list("state", flat=True))
    assert states == ["processed", "rejected"] and Lead.objects.count() == 0


def tiktok_signed(payload: dict, secret="tt-secret"):
    body = json.dumps(payload).encode()
    return body, {"X-TikTok-Signature": hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()}


def test_tiktok_lead_form(world, channels, post, run_tasks):
    body, headers = tiktok_signed({
        "lead_id": "tt-1", "advertiser_id": "adv", "form_id": "f1", "campaign_id": "c1", "campaign_name": "TT Lotus",
        "create_time": 1735689600,
        "field_data": [{"field_name": "name", "value": "Đỗ Văn Tài"}, {"field_name": "phone_number", "value": "0977 888 999"}],
    })
    assert post(channels["tiktok"], body, headers=headers).status_code == 200
    assert post(channels["tiktok"], body, headers={"X-TikTok-Signature": "00"}).status_code == 403
    run_tasks()
    lead = Lead.objects.get()
    assert lead.campaign == "TT Lotus" and lead.customer.name == "Đỗ Văn Tài" and lead.channel == "tiktok"


def test_hotline_known_caller_becomes_call_activity(world, channels, post, run_tasks, make_customer):
    known = make_customer("0912345678").customer
    world.sale1.phone = "028 3812 3456"
    world.sale1.save()
    post(channels["hotline"], {"call_id": "c-1", "caller": "+84912345678", "callee": "02838123456",
                               "start": "2025-01-02T03:04:05Z", "duration": 95, "recording_url": "https://pbx.example/r/1.mp3"})
    run_tasks()
    call = Activity.objects.get(customer=known)
    assert call.kind == "call" and call.call_direction == "in" and call.duration_seconds == 95
    assert call.recording_url.endswith("1.mp3") and call.author == world.sale1
    assert Lead.objects.filter(customer=known).count() == 1


def test_hotline_unknown_caller_becomes_hotline_lead(world, channels, post, run_tasks):
    post(channels["hotline"], {"call_id": "c-2", "caller": "0938 000 111", "callee": "1900", "duration": 0})
    run_tasks()
    lead = Lead.objects.get()
    assert lead.source == world.hotline and lead.capture_point == "hotline"
    assert lead.customer.owner in {world.sale1, world.sale2, world.sale3}
    assert Activity.objects.count() == 0


def test_hotline_malformed_caller_rejected_at_processing(world, channels, post, run_tasks):
    post(channels["hotline"], {"call_id": "c-3", "caller": "abc", "callee": "1900"})
    run_tasks()
    item = InboxItem.objects.get()
    assert item.state == "rejected" and "abc" in item.error
