"""The generic webhook and Ladipage: any landing page posting JSON or a form."""

import json

from django.test import override_settings

from leadpool.customers.models import Customer, Lead
from leadpool.intake.models import InboxItem


def test_json_post_becomes_a_lead_after_the_task_runs(world, channels, post, run_tasks):
    response = post(channels["generic"], {"ho_ten": "Trần Thị Bình", "so_dien_thoai": "0987 654 321", "du_an": "song-han", "utm_source": "zalo"})
    assert response.status_code == 200, response.content
    item = InboxItem.objects.get()
    assert item.state == "received" and item.verified is True
    assert b"0987 654 321" in bytes(item.body)
    run_tasks()
    item.refresh_from_db()
    assert item.state == "processed", item.error
    lead = Lead.objects.get()
    assert lead.customer.name == "Trần Thị Bình"
    assert lead.utm == {"utm_source": "zalo"}
    assert item.response["customer_id"] == lead.customer_id
    assert lead.customer.owner in {world.sale4, world.sale5}


def test_form_post_and_duplicate_delivery(world, channels, post, run_tasks):
    body = b"name=Le+Van+C&phone=0912345678&email=c%40example.com"
    first = post(channels["ladipage"], body, content_type="application/x-www-form-urlencoded")
    again = post(channels["ladipage"], body, content_type="application/x-www-form-urlencoded")
    assert first.status_code == again.status_code == 200
    assert again.json()["items"][0]["duplicate"] is True
    run_tasks()
    assert InboxItem.objects.count() == 1
    assert Lead.objects.count() == 1 and Customer.objects.count() == 1
    assert Lead.objects.get().capture_point == "landing_page"


def test_malformed_json_is_stored_rejected_with_400(world, channels, post):
    response = post(channels["generic"], b"{not json")
    assert response.status_code == 400
    assert "JSON" in response.json()["detail"]
    item = InboxItem.objects.get()
    assert item.state == "rejected" and bytes(item.body) == b"{not json"


def test_unknown_token_is_stored_and_answered_404(world, channels, post):
    response = post(channels["generic"], {"phone": "0912345678"}, path="/intake/hook/generic/nope/")
    assert response.status_code == 404
    assert InboxItem.objects.get().state == "rejected"
    item = InboxItem.objects.get()
    assert b"0912345678" in bytes(item.body), "the lead must be kept to be found later"
    assert response.json() == {"detail": item.error, "inbox_id": item.pk} and "unknown or disabled" in item.error


def test_disabled_connection_keeps_the_body_of_what_it_refuses(world, channels, post):
    config = channels["generic"]
    config.active = False
    config.save()
    response = post(config, {"phone": "0912345678", "name": "Vẫn gửi"})
    assert response.status_code == 404 and "đã tắt" in response.json()["detail"]
    item = InboxItem.objects.get()
    assert item.state == "rejected" and item.config == config and item.verified is False
    assert json.loads(bytes(item.body)) == {"phone": "0912345678", "name": "Vẫn gửi"}
    assert Lead.objects.count() == 0


@override_settings(LEADPOOL_PROXY_COUNT=1)
def test_the_sender_address_is_read_through_the_trusted_proxy(world, channels, post):
    response = post(channels["generic"], {"phone": "0912345678"}, headers={"X-Forwarded-For": "203.0.113.9"})
    assert response.status_code == 200
    assert InboxItem.objects.get().remote_addr == "203.0.113.9"


def test_a_connection_switched_off_refuses_at_once_and_one_made_elsewhere_is_found_at_once(world, channels, post):
    """Connections are read from a per-process copy: a change here is seen by the next request, and one this
    process never heard of (made by another process, no signal here) is looked up in the database."""
    from leadpool.intake.models import ChannelConfig

    config = channels["generic"]
    assert post(config, {"so_dien_thoai": "0912345678", "id": "on-1"}).status_code == 200
    config.active = False
    config.save(update_fields=["active"])
    assert post(config, {"so_dien_thoai": "0912345679", "id": "off-1"}).status_code == 404
    [elsewhere] = ChannelConfig.objects.bulk_create(  # bulk_create sends no post_save: as if made in another process
        [ChannelConfig(kind="generic", name="Landing mới", source=config.source, project=world.lotus, token="made-elsewhere")]
    )
    assert post(elsewhere, {"so_dien_thoai": "0912345670", "id": "new-1"}).status_code == 200
