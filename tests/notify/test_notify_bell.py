"""The bell and its settings: unread count for htmx polling, list, open, preferences, push subscribe/unsubscribe."""

import json

from leadpool.notify.models import Notification, Preference, PushSubscription
from leadpool.notify.service import notify

from .conftest import PUSH_ENDPOINT


def test_bell_count_refreshes_itself(world, login):
    client = login(world.sale1)
    html = client.get("/").content.decode()
    assert 'hx-get="/notifications/count/"' in html and 'hx-trigger="every 30s"' in html
    assert client.get("/notifications/count/").content == b""
    notify(world.sale1, kind="customer.assigned", title="Khách mới: An", url="/customers/1/")
    notify(world.sale1, kind="follow_up.due", title="Đến hạn chăm sóc: Bình")
    notify(world.sale2, kind="customer.assigned", title="Không phải của tôi")
    assert client.get("/notifications/count/").content == b"2"


def test_list_open_and_read_all(world, login):
    client = login(world.sale1)
    first = notify(world.sale1, kind="customer.assigned", title="Khách mới: An", url="/customers/7/")
    notify(world.sale1, kind="customer.rotated_in", title="Nhận khách đảo: Bình")
    other = notify(world.sale2, kind="customer.assigned", title="Của người khác")
    html = client.get("/notifications/").content.decode()
    assert "Khách mới: An" in html and "Nhận khách đảo: Bình" in html and "Của người khác" not in html
    response = client.post(f"/notifications/{first.pk}/open/")
    assert response.status_code == 302 and response["Location"] == "/customers/7/"
    first.refresh_from_db()
    assert first.read_at is not None
    assert client.post(f"/notifications/{other.pk}/open/").status_code == 404
    client.post("/notifications/read-all/")
    assert not Notification.objects.filter(user=world.sale1, read_at__isnull=True).exists()
    assert Notification.objects.filter(user=world.sale2, read_at__isnull=True).count() == 1


def test_an_outside_url_is_never_followed(world, login):
    note = notify(world.sale1, kind="x", title="x", url="https://evil.example/")
    response = login(world.sale1).post(f"/notifications/{note.pk}/open/")
    assert response["Location"] == "/notifications/"


def test_each_person_chooses_their_channels(world, login):
    client = login(world.sale1)
    page = client.get("/notifications/settings/").content.decode()
    assert 'id="push-card"' in page and "notify/push.js" in page and "data-vapid-key=" in page
    refused = client.post("/notifications/settings/", {"push": "on", "telegram": "on"})
    assert refused.status_code == 200 and "Cần mã chat Telegram" in refused.content.decode()
    client.post("/notifications/settings/", {"email": "on", "telegram": "on", "telegram_chat_id": "12345"})
    pref = Preference.objects.get(user=world.sale1)
    assert (pref.push, pref.email, pref.telegram, pref.telegram_chat_id) == (False, True, True, "12345")


def test_push_subscribe_and_unsubscribe(world, login, browser_keys):
    client = login(world.sale1)
    body = {"endpoint": PUSH_ENDPOINT, "expirationTime": None, "keys": {"p256dh": browser_keys.p256dh, "auth": browser_keys.auth}}
    created = client.post("/notifications/push/subscribe/", json.dumps(body), content_type="application/json")
    assert created.status_code == 201
    again = client.post("/notifications/push/subscribe/", json.dumps(body), content_type="application/json")
    assert again.status_code == 200 and PushSubscription.objects.count() == 1
    assert client.post("/notifications/push/subscribe/", json.dumps({"endpoint": "http://insecure/"}),
                       content_type="application/json").status_code == 400
    assert client.post("/notifications/push/subscribe/", "nonsense", content_type="application/json").status_code == 400
    other = login(world.sale2).post("/notifications/push/unsubscribe/", json.dumps({"endpoint": PUSH_ENDPOINT}),
                                    content_type="application/json")
    assert other.json() == {"deleted": 0}
    gone = client.post("/notifications/push/unsubscribe/", json.dumps({"endpoint": PUSH_ENDPOINT}),
                       content_type="application/json")
    assert gone.json() == {"deleted": 1} and not PushSubscription.objects.exists()


def test_send_a_test_notification(world, login):
    client = login(world.sale1)
    client.post("/notifications/settings/test/")
    assert Notification.objects.filter(user=world.sale1, kind="test").count() == 1


def test_bell_pages_need_a_login(client):
    assert client.get("/notifications/count/").status_code == 302
    assert client.post("/notifications/push/subscribe/", "{}", content_type="application/json").status_code == 302
