"""Fanpage comments on the page webhook: a comment with a number becomes a lead (and is hidden when the page
asks), one without is kept for marketing; the Graph API is faked at the HTTP boundary."""

import hashlib
import hmac
import json
from datetime import timedelta
from urllib.parse import parse_qs

import httpx
import pytest
import respx
import time_machine
from django.utils import timezone

from leadpool.customers.models import CapturePoint, Customer, Lead
from leadpool.intake.models import InboxItem, PageComment

GRAPH = "https://graph.facebook.com/v21.0"
PAGE = "1001"


def comment_value(message="Cho em xin giá căn 2PN, sđt 0912 345 678", *, comment_id="777_888", verb="add",
                  author=("24242424", "Trần Thị Bình"), post_id=f"{PAGE}_777", promotion="inactive"):
    # Meta's documented `feed` change for a comment (Webhooks for Pages, field "feed", item "comment").
    return {
        "from": {"id": author[0], "name": author[1]},
        "post": {"status_type": "added_photos", "is_published": True, "updated_time": "2025-01-01T00:00:00+0000",
                 "permalink_url": f"https://www.facebook.com/{PAGE}/posts/777", "promotion_status": promotion,
                 "id": post_id},
        "message": message,
        "post_id": post_id,
        "comment_id": comment_id,
        "created_time": 1735689600,
        "item": "comment",
        "parent_id": post_id,
        "verb": verb,
    }


def feed(*values, page_id=PAGE):
    return {"object": "page", "entry": [{"id": page_id, "time": 1735689600,
                                         "changes": [{"field": "feed", "value": v} for v in values]}]}


def signed(body: bytes, secret="fb-app-secret") -> dict:
    return {"X-Hub-Signature-256": "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()}


@pytest.fixture
def deliver(channels, post, run_tasks):
    def _deliver(payload, *, secret="fb-app-secret", run=True):
        body = json.dumps(payload, ensure_ascii=False).encode()
        response = post(channels["facebook"], body, headers=signed(body, secret))
        if run:
            run_tasks()
        return response

    return _deliver


@pytest.fixture
def hiding(channels):
    config = channels["facebook"]
    config.hide_comments_with_phone = True
    config.save()
    return config


def hide_route(*responses):
    return respx.post(f"{GRAPH}/777_888").mock(side_effect=list(responses) or [httpx.Response(200, json={"success": True})])


@respx.mock
def test_comment_with_a_number_becomes_a_lead_and_is_hidden_when_configured(world, hiding, deliver):
    route = hide_route()
    response = deliver(feed(comment_value()))
    assert response.status_code == 200
    item = InboxItem.objects.get()
    assert item.idempotency_key == "comment:777_888:add" and item.state == "processed", item.error
    lead = Lead.objects.get()
    assert lead.capture_point == CapturePoint.COMMENT
    assert lead.external_id == "777_888" and lead.name == "Trần Thị Bình"
    assert lead.answers["post_id"] == f"{PAGE}_777" and lead.answers["comment"].startswith("Cho em xin giá")
    assert lead.customer.phones.get().e164 == "+84912345678"
    assert list(lead.projects.all()) == [world.lotus]
    comment = PageComment.objects.get()
    assert comment.lead == lead and comment.has_phone and comment.phones == ["0912 345 678"]
    assert comment.hidden_at is not None and comment.hide_attempts == 1
    # POST /{comment-id} with is_hidden=true and the page access token.
    assert route.call_count == 1
    sent = parse_qs(route.calls.last.request.content.decode())
    assert sent == {"is_hidden": ["true"], "access_token": ["PAGE-TOKEN"]}


@respx.mock
def test_comment_with_a_number_is_not_hidden_unless_the_page_asks(world, channels, deliver):
    route = hide_route()
    deliver(feed(comment_value()))
    assert Lead.objects.count() == 1
    assert route.call_count == 0 and PageComment.objects.get().hidden_at is None


@respx.mock
def test_comment_without_a_number_is_kept_not_dropped(world, hiding, deliver):
    route = hide_route()
    deliver(feed(comment_value("Dự án này bàn giao khi nào vậy ad? 😍 Giá 3,2 tỷ đúng không")))
    assert InboxItem.objects.get().state == "processed"
    assert Lead.objects.count() == 0 and Customer.objects.count() == 0
    comment = PageComment.objects.get()
    assert not comment.has_phone and comment.lead is None and comment.from_name == "Trần Thị Bình"
    assert comment.post_url.endswith("/posts/777")
    assert route.call_count == 0


@respx.mock
def test_bad_signature_is_stored_and_answered_403(world, hiding, deliver):
    route = hide_route()
    response = deliver(feed(comment_value()), secret="wrong")
    assert response.status_code == 403
    item = InboxItem.objects.get()
    assert item.state == "rejected" and item.verified is False
    assert Lead.objects.count() == 0 and PageComment.objects.count() == 0 and route.call_count == 0


@respx.mock
def test_redelivered_event_changes_nothing(world, hiding, deliver):
    route = hide_route()
    payload = feed(comment_value())
    deliver(payload)
    again = deliver(payload)
    assert again.status_code == 200 and again.json()["items"][0]["duplicate"] is True
    assert InboxItem.objects.count() == 1 and Lead.objects.count() == 1 and PageComment.objects.count() == 1
    assert route.call_count == 1


@respx.mock
def test_hiding_retries_with_backoff_while_graph_is_down(world, hiding, deliver, run_tasks):
    route = hide_route(
        httpx.Response(503, json={"error": {"message": "Service unavailable", "code": 2}}),
        httpx.ConnectError("boom"),
        httpx.Response(200, json={"success": True}),
    )
    deliver(feed(comment_value()))
    comment = PageComment.objects.get()
    assert comment.hidden_at is None and comment.hide_attempts == 1 and "503" in comment.hide_error
    run_tasks()  # the retry waits for its back-off
    assert route.call_count == 1
    with time_machine.travel(timezone.now() + timedelta(seconds=31)):
        run_tasks()
    assert route.call_count == 2
    with time_machine.travel(timezone.now() + timedelta(seconds=61 + 31)):
        run_tasks()
    comment.refresh_from_db()
    assert route.call_count == 3 and comment.hidden_at is not None and comment.hide_error == ""
    assert Lead.objects.count() == 1


@respx.mock
def test_hiding_refused_by_graph_is_recorded_not_retried(world, hiding, deliver, run_tasks):
    route = hide_route(httpx.Response(400, json={"error": {"message": "(#200) Permissions error", "code": 200}}))
    deliver(feed(comment_value()))
    with time_machine.travel(timezone.now() + timedelta(hours=1)):
        run_tasks()
    comment = PageComment.objects.get()
    assert route.call_count == 1 and comment.hidden_at is None and "Permissions error" in comment.hide_error
    assert Lead.objects.count() == 1  # the lead does not depend on hiding


def test_the_pages_own_reply_is_never_a_lead(world, channels, deliver):
    deliver(feed(comment_value("Anh/chị gọi hotline 0909 123 456 để được tư vấn ạ", author=(PAGE, "Trang Lotus"))))
    item = InboxItem.objects.get()
    assert item.state == "processed" and "ignored" in item.response
    assert Lead.objects.count() == 0 and PageComment.objects.count() == 0


def test_other_feed_items_are_stored_once_and_ignored(world, channels, deliver):
    reaction = {"item": "reaction", "verb": "add", "reaction_type": "like", "post_id": f"{PAGE}_777",
                "from": {"id": "24242424", "name": "Bình"}, "created_time": 1735689600}
    deliver(feed(reaction))
    item = InboxItem.objects.get()
    assert item.state == "processed" and "ignored" in item.response
    assert PageComment.objects.count() == 0


def test_an_edit_that_adds_a_number_makes_the_lead_once(world, channels, deliver):
    deliver(feed(comment_value("Giá bao nhiêu ạ")))
    assert Lead.objects.count() == 0
    deliver(feed(comment_value("Giá bao nhiêu ạ, zalo 0987654321", verb="edited")))
    deliver(feed(comment_value("Giá bao nhiêu ạ, zalo 0987654321 gọi sau 5h", verb="edited")))
    comment = PageComment.objects.get()
    assert comment.edited_at is not None and comment.message.endswith("sau 5h")
    lead = Lead.objects.get()
    assert comment.lead == lead and lead.customer.phones.get().e164 == "+84987654321"


def test_removed_comment_is_marked_and_its_lead_kept(world, channels, deliver):
    deliver(feed(comment_value()))
    deliver(feed({"item": "comment", "verb": "remove", "comment_id": "777_888", "post_id": f"{PAGE}_777",
                  "parent_id": f"{PAGE}_777", "from": {"id": "24242424", "name": "Trần Thị Bình"},
                  "created_time": 1735689700}))
    comment = PageComment.objects.get()
    assert comment.removed_at is not None and comment.message.startswith("Cho em xin giá")
    assert Lead.objects.count() == 1


def test_ad_comment_takes_the_campaign_mapped_to_the_ads_post(world, channels, deliver):
    config = channels["facebook"]
    config.ad_campaigns = {f"{PAGE}_999": "Lotus mở bán tháng 1"}
    config.save()
    deliver(feed(comment_value("Quan tâm, 0912345678", comment_id="999_1", post_id=f"{PAGE}_999",
                               promotion="active")))
    lead = Lead.objects.get()
    assert lead.campaign == "Lotus mở bán tháng 1" and lead.answers["post_promotion"] == "active"
    assert lead.answers["post_id"] == f"{PAGE}_999"


def test_several_comments_in_one_delivery_are_each_kept(world, channels, deliver):
    deliver(feed(comment_value("0912345678", comment_id="777_1"),
                 comment_value("Còn căn góc không?", comment_id="777_2", author=("555", "Lê Văn Cường")),
                 comment_value("sdt0987654321", comment_id="777_3", author=("556", "Phạm Dũng"))))
    assert InboxItem.objects.filter(state="processed").count() == 3
    assert PageComment.objects.count() == 3 and Lead.objects.count() == 2
