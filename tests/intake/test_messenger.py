"""Messenger on the page webhook: click-to-Messenger ads, chats that become leads, re-deliveries, signatures."""

import hashlib
import hmac
import json
import time

import httpx
import respx

from leadpool.conversations.models import Conversation, Message
from leadpool.customers.models import Customer, Lead
from leadpool.intake.models import InboxItem

GRAPH = "https://graph.facebook.com/v21.0"
PAGE = "1001"
PSID = "6543210987654321"
AD = "120210000000000001"
# Assignment goes to people on duty today: events happen minutes ago (Meta's timestamps are in milliseconds).
NOW_MS = int((time.time() - 600) * 1000)


def signed(body: bytes, secret="fb-app-secret") -> dict:
    return {"X-Hub-Signature-256": "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()}


def webhook(*events, page_id=PAGE) -> bytes:
    # Meta's page webhook: object=page, entry[].messaging[] with one event each (documented shape).
    return json.dumps({"object": "page", "entry": [
        {"id": page_id, "time": NOW_MS, "messaging": [event]} for event in events
    ]}).encode()


def ad_referral(ad_id=AD):
    return {"ref": "lotus-2pn", "ad_id": ad_id, "source": "ADS", "type": "OPEN_THREAD",
            "ads_context_data": {"ad_title": "Lotus Garden - căn 2PN", "photo_url": "https://scontent.example/ad.jpg",
                                 "post_id": f"{PAGE}_987"}}


def message(mid, text, *, psid=PSID, ts=NOW_MS, referral=None, attachments=None):
    event = {"sender": {"id": psid}, "recipient": {"id": PAGE}, "timestamp": ts,
             "message": {"mid": mid, **({"text": text} if text is not None else {})}}
    if attachments:
        event["message"]["attachments"] = attachments
    if referral:
        event["referral"] = referral
    return event


def deliver(post, channels, *events):
    body = webhook(*events)
    return post(channels["facebook"], body, headers=signed(body))


def configure(channels, **fields):
    config = channels["facebook"]
    config.ad_campaigns = {AD: "Lotus mở bán tháng 1"}
    for name, value in fields.items():
        setattr(config, name, value)
    config.save()
    return config


def test_ad_conversation_that_gives_a_number_becomes_one_customer_with_the_ads_campaign(
        world, channels, post, run_tasks):
    configure(channels)
    first = message("m_AAA1", "Chào shop, căn 2PN Lotus giá bao nhiêu ạ?", referral=ad_referral())
    assert deliver(post, channels, first).status_code == 200
    run_tasks()
    assert Lead.objects.count() == 0  # no number yet, and the page does not take a lead at the first message
    conversation = Conversation.objects.get()
    assert conversation.user_id == PSID and conversation.referral_ad_id == AD and conversation.customer is None

    later = message("m_AAA2", "sdt em 0912.345.678, gọi em sau 5h nhé", ts=NOW_MS + 60000)
    assert deliver(post, channels, later).status_code == 200
    run_tasks()
    lead = Lead.objects.get()
    assert lead.capture_point == "inbox_ads" and lead.ad_id == AD and lead.campaign == "Lotus mở bán tháng 1"
    assert lead.channel == "facebook" and list(lead.projects.all()) == [world.lotus]
    assert lead.answers["messenger_psid"] == PSID and lead.answers["ad_title"] == "Lotus Garden - căn 2PN"
    assert lead.note == "sdt em 0912 *** 678, gọi em sau 5h nhé"  # marketing reads leads' notes: no full number
    customer = Customer.objects.get()
    assert customer.phones.get().e164 == "+84912345678" and customer.owner is not None
    conversation.refresh_from_db()
    assert conversation.customer == customer
    assert list(conversation.messages.values_list("text", flat=True)) == [first["message"]["text"],
                                                                          later["message"]["text"]]
    # The same number again in the chat is not a new lead.
    deliver(post, channels, message("m_AAA3", "Số em 0912345678 đó ạ", ts=NOW_MS + 120000))
    run_tasks()
    assert Lead.objects.count() == 1 and Message.objects.count() == 3


@respx.mock
def test_the_same_person_later_filling_a_lead_form_lands_on_the_same_customer(world, channels, post, run_tasks):
    configure(channels)
    deliver(post, channels, message("m_B1", "Em tên Hoa, số 0987 654 321", referral=ad_referral()))
    run_tasks()
    chat_customer = Customer.objects.get()
    respx.get(f"{GRAPH}/777").mock(return_value=httpx.Response(200, json={
        "id": "777", "created_time": "2025-01-02T00:00:00+0000", "ad_id": "2001", "campaign_name": "Form Lotus",
        "form_id": "3001", "field_data": [{"name": "full_name", "values": ["Lê Thị Hoa"]},
                                          {"name": "phone_number", "values": ["+84987654321"]}]}))
    body = json.dumps({"object": "page", "entry": [{"id": PAGE, "time": 1735776000, "changes": [
        {"field": "leadgen", "value": {"leadgen_id": "777", "page_id": PAGE, "form_id": "3001", "ad_id": "2001",
                                       "adgroup_id": "4001", "created_time": 1735776000}}]}]}).encode()
    assert post(channels["facebook"], body, headers=signed(body)).status_code == 200
    run_tasks()
    assert Customer.objects.count() == 1
    assert sorted(Lead.objects.values_list("capture_point", flat=True)) == ["inbox_ads", "lead_form"]
    assert set(Lead.objects.values_list("customer", flat=True)) == {chat_customer.pk}


def test_first_message_makes_a_lead_where_the_page_says_so(world, channels, post, run_tasks):
    configure(channels, lead_on_first_message=True)
    deliver(post, channels, message("m_C1", "Cho mình xin bảng giá"))
    run_tasks()
    lead = Lead.objects.get()
    assert lead.capture_point == "message" and lead.ad_id == "" and lead.customer.phones.count() == 0
    assert Conversation.objects.get().customer == lead.customer
    # The number given afterwards joins the same profile.
    deliver(post, channels, message("m_C2", "0903 111 222", ts=NOW_MS + 100000))
    run_tasks()
    assert Customer.objects.count() == 1 and lead.customer.phones.get().e164 == "+84903111222"


def test_bad_signature_is_stored_and_answered_403(world, channels, post):
    body = webhook(message("m_D1", "0912345678"))
    response = post(channels["facebook"], body, headers=signed(body, secret="not-the-app-secret"))
    assert response.status_code == 403
    item = InboxItem.objects.get()
    assert item.state == "rejected" and item.verified is False and bytes(item.body) == body
    assert Conversation.objects.count() == 0 and Lead.objects.count() == 0


def test_a_redelivered_event_changes_nothing(world, channels, post, run_tasks):
    configure(channels)
    event = message("m_E1", "Số em 0912 000 111", referral=ad_referral())
    deliver(post, channels, event)
    run_tasks()
    again = deliver(post, channels, event)
    run_tasks()
    assert again.status_code == 200 and again.json()["items"][0]["duplicate"] is True
    assert InboxItem.objects.count() == 1 and Message.objects.count() == 1 and Lead.objects.count() == 1
    # Even a replay of a second stored copy finds the message by its mid.
    from leadpool.intake.process import accept

    item = InboxItem.objects.get()
    copy = InboxItem.objects.create(channel="facebook", idempotency_key="copy", body=item.body, config=item.config,
                                    meta=item.meta, verified=True)
    assert accept(copy.pk).response["duplicate"] is True
    assert Message.objects.count() == 1 and Lead.objects.count() == 1


def test_echo_delivery_and_read_are_stored_and_ignored(world, channels, post, run_tasks):
    echo = {"sender": {"id": PAGE}, "recipient": {"id": PSID}, "timestamp": NOW_MS,
            "message": {"is_echo": True, "app_id": 1517776481860111, "mid": "m_ECHO", "text": "Dạ em chào anh"}}
    delivery = {"sender": {"id": PSID}, "recipient": {"id": PAGE}, "timestamp": NOW_MS + 1,
                "delivery": {"mids": ["m_ECHO"], "watermark": NOW_MS}}
    read = {"sender": {"id": PSID}, "recipient": {"id": PAGE}, "timestamp": NOW_MS + 2,
            "read": {"watermark": NOW_MS}}
    response = deliver(post, channels, echo, delivery, read)
    assert response.status_code == 200 and response.json()["received"] == 3
    run_tasks()
    assert set(InboxItem.objects.values_list("state", flat=True)) == {"processed"}
    assert all("ignored" in r for r in InboxItem.objects.values_list("response", flat=True))
    assert Conversation.objects.count() == 0 and Lead.objects.count() == 0


def test_postback_and_attachment_are_kept_in_the_thread(world, channels, post, run_tasks):
    configure(channels)
    get_started = {"sender": {"id": PSID}, "recipient": {"id": PAGE}, "timestamp": NOW_MS,
                   "postback": {"mid": "m_PB1", "title": "Bắt đầu", "payload": "GET_STARTED",
                                "referral": ad_referral()}}
    photo = message("m_IMG1", None, ts=NOW_MS + 1000,
                    attachments=[{"type": "image", "payload": {"url": "https://scontent.example/p.jpg"}}])
    deliver(post, channels, get_started, photo)
    run_tasks()
    conversation = Conversation.objects.get()
    assert conversation.referral_ad_id == AD
    rows = list(conversation.messages.values_list("kind", "text", "attachments"))
    assert rows == [("postback", "Bắt đầu", []), ("message", "", [{"type": "image", "url": "https://scontent.example/p.jpg"}])]
