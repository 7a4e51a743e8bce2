"""POST /api/v1/leads, the manual form, the inbox page, replay from the command line, limits."""

import html
import json
from io import StringIO
from unittest import mock

import pytest
from django.core.management import call_command
from django.test import Client, override_settings

from leadpool.accounts.models import ApiToken
from leadpool.customers.models import Customer, Lead
from leadpool.intake.models import InboxItem


@pytest.fixture
def api(world):
    _row, token = ApiToken.issue(user=world.mkt, name="landing", scopes=["leads:write"])
    client = Client(headers={"Authorization": f"Bearer {token}"})

    def _post(payload, **extra):
        body = payload if isinstance(payload, bytes) else json.dumps(payload)
        return client.post("/api/v1/leads", data=body, content_type="application/json", **extra)

    return _post


def test_api_creates_then_repeats_the_same_answer(world, api):
    payload = {"name": "Lý Thị Mai", "phone": "0912 345 678", "email": "mai@example.com", "source": "facebook_ads",
               "project": "lotus", "campaign": "Tết", "note": "gọi buổi tối", "consent": "Đồng ý nhận tư vấn",
               "external_id": "crm-42"}
    first = api(payload)
    assert first.status_code == 201, first.content
    body = first.json()
    assert body["created"] is True and body["owner"] in {"sale1", "sale2", "sale3"}
    again = api(payload)
    assert again.status_code == 200 and again.json() == body
    assert Lead.objects.count() == 1 and InboxItem.objects.filter(channel="api").count() == 1
    lead = Lead.objects.get()
    assert lead.consent_text == "Đồng ý nhận tư vấn" and lead.consent_at is not None
    assert lead.channel == "api" and lead.source.key == "facebook_ads"
    other = api({**payload, "external_id": "crm-43", "email": ""})
    assert other.status_code == 201 and other.json()["created"] is False
    assert other.json()["customer_id"] == body["customer_id"]


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (b"{oops", "JSON"),
        ({"name": "A"}, "phone or email"),
        ({"phone": "0912345678", "source": "nope"}, "unknown source"),
        ({"phone": "0912345678", "project": "nope"}, "unknown project"),
        ({"phone": "0912345678", "colour": "red"}, "unknown fields"),
        ({"phone": ["0912345678"]}, "must be a string"),
    ],
)
def test_api_malformed_is_stored_rejected_with_400(world, api, payload, message):
    response = api(payload)
    assert response.status_code == 400
    assert message in response.json()["detail"]
    item = InboxItem.objects.get()
    assert item.state == "rejected" and item.by == world.mkt


def test_api_needs_a_token_with_the_scope(world):
    assert Client().post("/api/v1/leads", data="{}", content_type="application/json").status_code == 401
    _row, token = ApiToken.issue(user=world.mkt, scopes=["customers:read"])
    response = Client(headers={"Authorization": f"Bearer {token}"}).post(
        "/api/v1/leads", data=json.dumps({"phone": "0912345678"}), content_type="application/json"
    )
    assert response.status_code == 403


def test_api_processing_failure_answers_202_and_replay_fixes_it(world, api):
    with mock.patch("leadpool.intake.capture._capture", side_effect=RuntimeError("database hiccup")):
        response = api({"phone": "0912345678", "external_id": "x-1"})
    assert response.status_code == 202
    item = InboxItem.objects.get()
    assert item.state == "failed" and "database hiccup" in item.error
    out = StringIO()
    call_command("inbox", "replay", stdout=out)
    assert "1 items replayed: 1 processed" in out.getvalue()
    item.refresh_from_db()
    assert item.state == "processed"
    repeat = api({"phone": "0912345678", "external_id": "x-1"})
    assert repeat.status_code == 200 and repeat.json() == item.response


@override_settings(LEADPOOL={"MAX_WEBHOOK_BYTES": 200, "MAX_API_LEAD_BYTES": 200})
def test_body_size_limits_answer_413_and_store_the_rejection(world, api, channels, post):
    big = {"phone": "0912345678", "note": "x" * 500}
    api_response = api(big)
    assert api_response.status_code == 413
    response = post(channels["generic"], big)
    assert response.status_code == 413 and "quá lớn" in response.json()["detail"]
    assert InboxItem.objects.filter(state="rejected").count() == 2
    for answered in (api_response, response):
        item = InboxItem.objects.get(pk=answered.json()["inbox_id"])
        assert answered.json()["detail"] == item.error and "tối đa 200" in item.error


def test_rate_limit_per_source_answers_429_with_message(world, channels, post):
    config = channels["generic"]
    config.rate_limit_per_minute = 2
    config.save()
    from django.core.cache import cache

    cache.clear()
    codes = [post(config, {"phone": f"091234567{i}"}).status_code for i in range(3)]
    assert codes == [200, 200, 429]
    assert "yêu cầu/phút" in post(config, {"phone": "0912345670"}).json()["detail"]


def test_manual_entry_by_salesperson_and_returning_customer(world, login, make_customer):
    existing = make_customer("0912345678").customer
    client = login(world.sale4)
    page = client.get("/intake/new/")
    assert page.status_code == 200 and "Nhập lead thủ công" in page.content.decode()
    response = client.post("/intake/new/", {"name": "Khách Mới", "phone": "0987 111 222", "source": world.google.pk,
                                            "project": world.songhan.pk, "consent": "on"})
    assert response.status_code == 302
    lead = Lead.objects.get(channel="manual")
    assert lead.capture_point == "manual" and lead.consent_text and lead.inbox_item.by == world.sale4
    again = client.post("/intake/new/", {"name": "An", "phone": "+84912345678", "source": world.google.pk})
    assert again.status_code == 302
    assert Lead.objects.filter(customer=existing).count() == 2 and Customer.objects.count() == 2


def test_manual_entry_form_errors(world, login):
    client = login(world.mkt)
    response = client.post("/intake/new/", {"name": "X", "phone": "12", "source": world.google.pk})
    assert response.status_code == 200 and "ngắn" in response.content.decode()
    assert InboxItem.objects.count() == 0


def test_an_empty_inbox_points_to_the_connections(world, login):
    page = login(world.mkt).get("/intake/inbox/").content.decode()
    assert "Chưa có lead nào đến" in page and 'href="/intake/channels/"' in page


def test_each_arrival_says_who_it_was_and_where_it_went(world, login, channels, post, run_tasks):
    post(channels["generic"], {"name": "Lê Thị Dung", "phone": "0987 654 321"})
    post(channels["generic"], {"name": "Dung", "phone": "+84 987 654 321", "email": "dung@example.com"})
    run_tasks()
    dung = Customer.objects.get()
    page = html.unescape(login(world.mkt).get("/intake/inbox/").content.decode())
    assert f"Lê Thị Dung · 0987 654 321 · khách mới → {dung.owner}" in page
    assert f"Dung · +84 987 654 321 · khách cũ → {dung.owner}" in page


def test_inbox_is_for_marketing_and_managers(world, login, channels, post, django_assert_max_num_queries):
    for i in range(30):
        post(channels["generic"], {"phone": f"09123456{i:02d}"})
    assert login(world.sale1).get("/intake/inbox/").status_code == 403
    client = login(world.mkt)
    with django_assert_max_num_queries(12):
        page = client.get("/intake/inbox/")
    item = InboxItem.objects.order_by("-received_at", "-id").first()
    assert page.status_code == 200 and f"#{item.pk} · generic" in page.content.decode()
    detail = client.get(f"/intake/inbox/{item.pk}/")
    assert detail.status_code == 200 and "0912345" in detail.content.decode()


def test_a_just_stored_item_processed_meanwhile_by_someone_else_is_not_processed_twice(world):
    """The API processes the item it has just stored without reading it back; a replay that got there first
    (say from the inbox page) wins, and the request's own work is rolled back."""
    from leadpool.intake import process
    from leadpool.intake.inbox import store

    body = json.dumps({"name": "An", "phone": "0912345678", "source": "facebook_ads", "project": "lotus"}).encode()
    stored = store(None, channel="api", body=body, key="race-1", by=world.mkt, content_type="application/json")
    process.accept(stored.item.pk)  # the replay, first
    assert stored.item.state == "received"  # the request's copy does not know
    item = process.accept(stored.item)
    assert item.state == "processed" and item.attempts == 1
    assert Lead.objects.count() == 1 and Customer.objects.count() == 1
