"""Website capture through the generic webhook: the snippet's envelope, CORS, the served script, the channel page."""

import json
import re

from django.test import Client

from leadpool.customers.models import Lead
from leadpool.intake.models import ChannelConfig, InboxItem

ORIGIN = "https://nha-dep.example"


def envelope(**over):
    data = {
        "_leadpool": "capture/1",
        "kind": "form",
        "capture_point": "",
        "fields": [
            {"name": "your-name", "id": "n", "type": "text", "autocomplete": "", "label": "Họ và tên", "placeholder": "",
             "value": "Ngô Thị Hạnh"},
            {"name": "your-phone", "id": "p", "type": "tel", "autocomplete": "", "label": "Số điện thoại",
             "placeholder": "", "value": "0912 345 678"},
            {"name": "budget", "id": "", "type": "select", "autocomplete": "", "label": "Ngân sách", "placeholder": "",
             "value": "3-5 tỷ"},
            {"name": "du_an", "id": "", "type": "hidden", "autocomplete": "", "label": "", "placeholder": "",
             "value": "song-han"},
        ],
        "form": {"id": "dang-ky", "name": "", "action": "/thank-you"},
        "page": {"url": "https://nha-dep.example/lotus?utm_source=facebook", "title": "Lotus",
                 "referrer": "https://l.facebook.com/", "landing": "https://nha-dep.example/lotus?utm_source=facebook",
                 "first_referrer": "https://l.facebook.com/"},
        "tracking": {"utm_source": "facebook", "utm_medium": "cpc", "utm_campaign": "lotus-t11", "fbclid": "IwAR0",
                     "aff": "KOL7"},
        "sent_at": "2026-11-23T03:00:00.000Z",
    }
    data.update(over)
    return data


def beacon(config, data, origin=ORIGIN):
    """What navigator.sendBeacon sends: a text/plain JSON body, with the landing page's Origin."""
    return Client().post(f"/intake/hook/generic/{config.token}/", data=json.dumps(data).encode(),
                         content_type="text/plain;charset=UTF-8", headers={"Origin": origin})


def test_a_snippet_submit_is_stored_raw_then_becomes_a_lead(world, channels, django_capture_on_commit_callbacks, run_tasks):
    data = envelope()
    with django_capture_on_commit_callbacks(execute=True):
        response = beacon(channels["generic"], data)
    assert response.status_code == 200, response.content
    assert response["Access-Control-Allow-Origin"] == "*"
    item = InboxItem.objects.get()
    assert json.loads(bytes(item.body)) == data and item.content_type.startswith("text/plain")
    assert item.headers.get("content-type", "").startswith("text/plain")
    run_tasks()
    item.refresh_from_db()
    assert item.state == "processed", item.error
    lead = Lead.objects.get()
    assert lead.customer.name == "Ngô Thị Hạnh"
    assert lead.customer.phones.get().e164 == "+84912345678"
    assert lead.capture_point == "affiliate"  # an affiliate code and no capture point asked for
    assert lead.utm == {
        "utm_source": "facebook", "utm_medium": "cpc", "utm_campaign": "lotus-t11", "fbclid": "IwAR0", "aff": "KOL7",
        "page_url": "https://nha-dep.example/lotus?utm_source=facebook", "referrer": "https://l.facebook.com/",
        "landing_url": "https://nha-dep.example/lotus?utm_source=facebook", "first_referrer": "https://l.facebook.com/",
    }
    assert lead.campaign == "lotus-t11" and lead.form_id == "dang-ky"
    assert lead.answers == {"budget": "3-5 tỷ"}
    assert [p.code for p in lead.projects.all()] == ["song-han"]
    assert lead.raw_payload == data
    assert lead.source == channels["generic"].source


def test_the_page_chooses_the_capture_point(world, channels, django_capture_on_commit_callbacks, run_tasks):
    for point, phone in (("popup", "0912000001"), ("contact_page", "0912000002"), ("", "0912000003")):
        data = envelope(capture_point=point, tracking={"utm_source": "google"})
        data["fields"][1]["value"] = phone
        with django_capture_on_commit_callbacks(execute=True):
            assert beacon(channels["generic"], data).status_code == 200
    chat = envelope(kind="chat", capture_point="chatbox", fields=[
        {"name": "name", "type": "text", "autocomplete": "name", "label": "Họ và tên", "value": "Khách chat"},
        {"name": "phone", "type": "tel", "autocomplete": "tel", "label": "Số điện thoại", "value": "0912000004"},
    ])
    with django_capture_on_commit_callbacks(execute=True):
        assert beacon(channels["generic"], chat).status_code == 200
    run_tasks()
    points = dict(Lead.objects.values_list("customer__phones__e164", "capture_point"))
    assert points == {"+84912000001": "popup", "+84912000002": "contact_page", "+84912000003": "form",
                      "+84912000004": "chatbox"}


def test_a_form_without_phone_or_email_is_kept_and_rejected(world, channels, django_capture_on_commit_callbacks, run_tasks):
    data = envelope(fields=[{"name": "q", "type": "search", "value": "căn hộ 2PN"}])
    with django_capture_on_commit_callbacks(execute=True):
        assert beacon(channels["generic"], data).status_code == 200
    run_tasks()
    item = InboxItem.objects.get()
    assert item.state == "rejected" and "số điện thoại" in item.error
    assert Lead.objects.count() == 0


def test_a_page_on_another_site_is_not_told_who_got_the_customer(world, channels, django_capture_on_commit_callbacks,
                                                                   run_tasks):
    data = envelope()
    with django_capture_on_commit_callbacks(execute=True):
        beacon(channels["generic"], data)
    run_tasks()
    again = beacon(channels["generic"], data)
    assert again.status_code == 200
    item = again.json()["items"][0]
    assert item["duplicate"] is True and "result" not in item
    # A server-to-server sender (no Origin) still gets the full answer, as before.
    direct = Client().post(f"/intake/hook/generic/{channels['generic'].token}/", data=json.dumps(data).encode(),
                           content_type="text/plain")
    assert direct.json()["items"][0]["result"]["customer_id"] == Lead.objects.get().customer_id


def test_the_preflight_is_answered_for_json_senders(world, channels):
    response = Client().options(f"/intake/hook/generic/{channels['generic'].token}/", headers={
        "Origin": ORIGIN, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"})
    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "POST" in response["Access-Control-Allow-Methods"]
    assert "Content-Type" in response["Access-Control-Allow-Headers"]
    assert InboxItem.objects.count() == 0


def test_errors_are_readable_across_origins_too(world, channels):
    response = Client().post("/intake/hook/generic/nope/", data=b'{"phone": "0912345678"}', content_type="text/plain",
                             headers={"Origin": ORIGIN})
    assert response.status_code == 404 and response["Access-Control-Allow-Origin"] == "*"
    assert InboxItem.objects.get().state == "rejected"


def test_ladipage_and_other_kinds_keep_their_endpoint(world, channels, post):
    response = post(channels["ladipage"], {"name": "A", "phone": "0912345678"}, headers={"Origin": ORIGIN})
    assert response.status_code == 200 and "Access-Control-Allow-Origin" not in response


def test_the_script_is_served_by_leadpool_itself(db):
    response = Client().get("/intake/capture.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert "max-age" in response["Cache-Control"] and response["Cross-Origin-Resource-Policy"] == "cross-origin"
    text = response.content.decode()
    assert "sendBeacon" in text and "/intake/hook/generic/" in text
    # Nothing third-party: the only addresses are the placeholder of the how-to and the SVG namespace.
    assert set(re.findall(r"https?://[^\s\"'/]+", text)) == {"https://LEADPOOL", "http://www.w3.org"}


def test_the_channel_page_shows_the_snippet_and_the_hosted_form(world, channels, login):
    page = login(world.mkt).get("/intake/channels/")
    assert page.status_code == 200
    config = channels["generic"]
    assert (f'&lt;script src="http://testserver/intake/capture.js" data-token="{config.token}" async&gt;&lt;/script&gt;'
            in page.text)
    assert f"http://testserver/intake/f/{config.token}/?aff=MA_AFFILIATE" in page.text
    assert 'data-capture="popup"' in page.text and 'data-widget="chat"' in page.text
    # Only the generic connection has it.
    assert page.text.count('class="capture-howto') == ChannelConfig.objects.filter(kind="generic").count() == 1
