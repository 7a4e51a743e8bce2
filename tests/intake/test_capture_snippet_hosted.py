"""The hosted form page /intake/f/<token>/: validation in Vietnamese, CSRF, raw storing, capture point, thanks."""

from urllib.parse import parse_qs, urlencode

import pytest
from django.test import Client

from leadpool.customers.models import Lead
from leadpool.intake.models import InboxItem


def url(config, query=""):
    return f"/intake/f/{config.token}/" + (f"?{query}" if query else "")


def submit(config, data, query="", client=None, capture=None):
    """Posted as a browser posts a plain form: urlencoded."""
    client = client or Client()
    body = urlencode(data)
    form = "application/x-www-form-urlencoded"
    if capture is None:
        return client.post(url(config, query), body, content_type=form)
    with capture(execute=True):
        return client.post(url(config, query), body, content_type=form)


GOOD = {"name": "Vũ Minh Tâm", "phone": "0912 345 678", "email": "tam@example.com", "note": "Cần căn 2PN", "consent": "on"}


def test_the_page_is_mobile_first_and_carries_the_affiliate_code(world, channels):
    page = Client().get(url(channels["generic"], "ref=KOL9&utm_source=zalo&utm_campaign=t11&evil=1"))
    assert page.status_code == 200
    text = page.text
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in text
    assert "Sông Hàn Residence" in text  # the connection's project
    assert 'name="aff" value="KOL9"' in text
    assert '<input type="hidden" name="utm_source" value="zalo">' in text and 'name="evil"' not in text
    assert 'name="csrfmiddlewaretoken"' in text
    assert "<script" not in text  # nothing to allow under the CSP


@pytest.mark.parametrize("token_of", ["unknown", "inactive", "facebook"])
def test_only_active_generic_connections_have_a_form(world, channels, token_of):
    if token_of == "unknown":
        token = "nope"
    elif token_of == "inactive":
        channels["generic"].active = False
        channels["generic"].save()
        token = channels["generic"].token
    else:
        token = channels["facebook"].token
    assert Client().get(f"/intake/f/{token}/").status_code == 404


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"name": ""}, "name", "Vui lòng nhập họ và tên."),
        ({"phone": ""}, "phone", "Vui lòng nhập số điện thoại để chúng tôi gọi lại."),
        ({"phone": "12345"}, "phone", "Số điện thoại chưa đúng. Vui lòng nhập số di động Việt Nam"),
        ({"phone": "0912 345 678 999"}, "phone", "Số điện thoại chưa đúng"),
        ({"email": "tam@"}, "email", "E-mail chưa đúng định dạng, ví dụ ten@example.com."),
        ({"consent": None}, "consent", "Vui lòng đánh dấu đồng ý để chúng tôi được liên hệ với anh/chị."),
        ({"note": "x" * 1001}, "note", "Lời nhắn tối đa 1000 ký tự."),
    ],
)
def test_invalid_posts_show_clear_vietnamese_errors_and_store_nothing(world, channels, change, field, message):
    data = {**GOOD, **change}
    data = {k: v for k, v in data.items() if v is not None}
    page = submit(channels["generic"], data)
    assert page.status_code == 200
    assert message in page.text
    assert f'id="id_{field}"' in page.text and "is-invalid" in page.text
    assert "Vui lòng kiểm tra lại" in page.text
    assert InboxItem.objects.count() == 0
    # What the person typed stays in the form.
    if field != "name":
        assert 'value="Vũ Minh Tâm"' in page.text


def test_a_post_without_the_csrf_token_is_refused(world, channels):
    client = Client(enforce_csrf_checks=True)
    assert client.post(url(channels["generic"]), GOOD).status_code == 403
    page = client.get(url(channels["generic"]))
    token = page.text.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    response = client.post(url(channels["generic"]), {**GOOD, "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert InboxItem.objects.count() == 1


def test_a_valid_post_is_stored_raw_thanked_and_becomes_an_affiliate_lead(world, channels,
                                                                          django_capture_on_commit_callbacks, run_tasks):
    config = channels["generic"]
    data = {**GOOD, "aff": "KOL9", "utm_source": "zalo", "utm_campaign": "t11"}
    response = submit(config, data, "ref=KOL9&utm_source=zalo", capture=django_capture_on_commit_callbacks)
    assert response.status_code == 302 and response["Location"] == url(config, "sent=1")
    thanks = Client().get(response["Location"])
    assert "Cảm ơn anh/chị đã đăng ký!" in thanks.text and "<form" not in thanks.text

    item = InboxItem.objects.get()
    assert item.channel == "generic" and item.config == config and item.state == "received"
    assert item.meta["via"] == "hosted_form"
    assert parse_qs(bytes(item.body).decode())["phone"] == ["0912 345 678"]  # the post exactly as it came
    run_tasks()
    item.refresh_from_db()
    assert item.state == "processed", item.error
    lead = Lead.objects.get()
    assert lead.capture_point == "affiliate"
    assert lead.customer.name == "Vũ Minh Tâm" and lead.customer.phones.get().e164 == "+84912345678"
    assert lead.customer.emails.get().address == "tam@example.com"
    assert lead.note == "Cần căn 2PN"
    assert lead.consent_text.startswith("Tôi đồng ý để đơn vị tư vấn lưu") and lead.consent_at is not None
    assert lead.utm["aff"] == "KOL9" and lead.utm["utm_source"] == "zalo" and lead.campaign == "t11"
    assert lead.utm["page_url"].endswith(url(config, "ref=KOL9&utm_source=zalo"))
    assert lead.form_id == "hosted_form" and lead.answers == {}
    assert "csrfmiddlewaretoken" not in lead.raw_payload
    assert [p.code for p in lead.projects.all()] == ["song-han"]


def test_without_an_affiliate_code_the_capture_point_is_form(world, channels, django_capture_on_commit_callbacks,
                                                             run_tasks):
    assert submit(channels["generic"], GOOD, capture=django_capture_on_commit_callbacks).status_code == 302
    run_tasks()
    assert Lead.objects.get().capture_point == "form"


def test_a_bot_filling_the_hidden_field_is_kept_as_rejected(world, channels, django_capture_on_commit_callbacks, run_tasks):
    response = submit(channels["generic"], {**GOOD, "website": "http://spam.example"},
                      capture=django_capture_on_commit_callbacks)
    assert response.status_code == 302  # the bot learns nothing
    run_tasks()
    item = InboxItem.objects.get()
    assert item.state == "rejected" and "spam" in item.error
    assert Lead.objects.count() == 0
