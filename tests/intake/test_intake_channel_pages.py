"""The channel connection pages: list with webhook URLs and paste guides, create/edit with write-only secrets."""

import pytest

from leadpool.audit.models import AuditEntry
from leadpool.intake.channel_views import ChannelForm, paste_guide
from leadpool.intake.models import ChannelConfig
from tests.factories import source


def _form(world, **over):
    data = {
        "kind": "generic", "name": "Landing Lotus", "source": source("ladipage").pk, "project": world.lotus.pk,
        "external_id": "", "secret": "", "app_id": "", "verify_token": "", "access_token": "",
        "rate_limit_per_minute": 600, "active": "on",
    }
    data.update(over)
    return {k: v for k, v in data.items() if v is not None}


def test_empty_state_explains_what_a_connection_is(world, login):
    page = login(world.mkt).get("/intake/channels/")
    assert page.status_code == 200
    assert "Chưa có kết nối nào" in page.text
    assert "URL webhook riêng" in page.text
    assert "/intake/channels/new/" in page.text


@pytest.mark.parametrize("who", ["sale1", "leader_a", "leader_b"])
def test_other_roles_get_404(world, login, who):
    config = ChannelConfig.objects.create(kind="generic", name="Web", source=source("website"))
    client = login(getattr(world, who))
    assert client.get("/intake/channels/").status_code == 404
    assert client.get("/intake/channels/new/").status_code == 404
    assert client.post("/intake/channels/new/", _form(world)).status_code == 404
    assert client.get(f"/intake/channels/{config.pk}/").status_code == 404
    assert client.post(f"/intake/channels/{config.pk}/toggle/").status_code == 404
    assert ChannelConfig.objects.count() == 1 and ChannelConfig.objects.get().active


def test_anonymous_is_sent_to_login(world, client):
    response = client.get("/intake/channels/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_menu_entry_only_for_marketing_and_managers(world, login):
    assert "Kênh kết nối" in login(world.mkt).get("/").text
    assert "Kênh kết nối" in login(world.manager).get("/").text
    assert "Kênh kết nối" not in login(world.sale1).get("/").text
    assert "Kênh kết nối" not in login(world.leader_a).get("/").text


def test_marketing_creates_a_generic_connection_and_reads_its_url(world, login):
    client = login(world.mkt)
    response = client.post("/intake/channels/new/", _form(world))
    assert response.status_code == 302
    config = ChannelConfig.objects.get()
    assert (config.kind, config.name, config.source.key, config.project, config.active) == (
        "generic", "Landing Lotus", "ladipage", world.lotus, True)
    assert len(config.token) >= 24
    page = client.get("/intake/channels/")
    url = f"http://testserver/intake/hook/generic/{config.token}/"
    assert url in page.text
    assert "curl -X POST" in page.text
    assert "Ladipage" in page.text and "Lotus Garden" in page.text
    assert AuditEntry.objects.filter(action="intake.channel_created", target_id=str(config.pk)).exists()


def test_the_listed_url_accepts_a_lead(world, login, post):
    login(world.mkt).post("/intake/channels/new/", _form(world))
    config = ChannelConfig.objects.get()
    response = post(config, {"name": "Trần Thị B", "phone": "0912000111"})
    assert response.status_code == 200, response.content


def test_google_needs_its_key_and_never_shows_it_again(world, login):
    client = login(world.manager)
    missing = client.post("/intake/channels/new/", _form(world, kind="google", name="Form Lotus", source=world.google.pk))
    assert missing.status_code == 200
    assert "cần “Khóa bí mật”" in missing.text
    assert not ChannelConfig.objects.exists()

    ok = client.post("/intake/channels/new/", _form(world, kind="google", name="Form Lotus", source=world.google.pk,
                                                     secret="g-key-very-secret"))
    assert ok.status_code == 302
    config = ChannelConfig.objects.get()
    assert config.secret == "g-key-very-secret"
    listing = client.get("/intake/channels/").text
    edit = client.get(f"/intake/channels/{config.pk}/").text
    for text in (listing, edit):
        assert "g-key-very-secret" not in text
    assert "đã đặt" in listing and "đã đặt" in edit.lower()
    assert f"/intake/hook/google/{config.token}/" in listing

    # Saving the form with the secret left blank keeps it; typing a new one replaces it.
    client.post(f"/intake/channels/{config.pk}/", _form(world, kind="google", name="Form Lotus 2", source=world.google.pk))
    config.refresh_from_db()
    assert (config.name, config.secret) == ("Form Lotus 2", "g-key-very-secret")
    client.post(f"/intake/channels/{config.pk}/", _form(world, kind="google", name="Form Lotus 2", source=world.google.pk,
                                                        secret="new-key"))
    config.refresh_from_db()
    assert config.secret == "new-key"
    assert AuditEntry.objects.filter(action="intake.channel_changed", target_id=str(config.pk)).count() == 2


def test_audit_never_holds_the_secret(world, login):
    login(world.mkt).post("/intake/channels/new/", _form(world, kind="google", source=world.google.pk, secret="top-secret-key"))
    entry = AuditEntry.objects.get(action="intake.channel_created")
    assert "top-secret-key" not in str(entry.data)
    assert "secret" in entry.data["fields"]


@pytest.mark.parametrize(
    ("over", "field", "message"),
    [
        ({"name": ""}, "name", "This field is required"),
        ({"source": ""}, "source", "This field is required"),
        ({"kind": "nope"}, "kind", "nope"),
        ({"rate_limit_per_minute": 0}, "rate_limit_per_minute", "Ít nhất 1"),
        ({"kind": "facebook"}, "external_id", "cần"),
        ({"kind": "facebook", "external_id": "1001"}, "secret", "cần"),
        ({"kind": "facebook", "external_id": "1001", "secret": "s"}, "access_token", "cần"),
        ({"kind": "zalo", "secret": "s"}, "app_id", "cần"),
    ],
)
def test_validation(world, over, field, message):
    form = ChannelForm(data=_form(world, **over))
    assert not form.is_valid()
    assert field in form.errors
    if message not in ("This field is required", "nope"):
        assert message in " ".join(form.errors[field])


def test_facebook_gets_a_verify_token_to_paste(world, login):
    client = login(world.mkt)
    client.post("/intake/channels/new/", _form(world, kind="facebook", name="Trang Lotus", source=world.facebook.pk,
                                               external_id="1001", secret="app-secret", access_token="PAGE-TOKEN"))
    config = ChannelConfig.objects.get()
    assert len(config.verify_token) >= 16
    page = client.get("/intake/channels/").text
    assert config.verify_token in page
    assert "leadgen" in page and "Callback URL" in page
    assert "app-secret" not in page and "PAGE-TOKEN" not in page
    # The handshake Meta makes with that verify token succeeds.
    answer = client.get(f"/intake/hook/facebook/{config.token}/",
                        {"hub.mode": "subscribe", "hub.verify_token": config.verify_token, "hub.challenge": "42"})
    assert answer.status_code == 200 and answer.content == b"42"


def test_edit_changes_project_and_keeps_token(world, login):
    config = ChannelConfig.objects.create(kind="ladipage", name="LP", source=source("ladipage"), project=world.lotus)
    token = config.token
    response = login(world.mkt).post(f"/intake/channels/{config.pk}/", _form(world, kind="ladipage", name="LP Sông Hàn",
                                                                             project=world.songhan.pk))
    assert response.status_code == 302
    config.refresh_from_db()
    assert (config.name, config.project, config.token) == ("LP Sông Hàn", world.songhan, token)


def test_edit_unknown_connection_is_404(world, login):
    assert login(world.mkt).get("/intake/channels/999999/").status_code == 404


def test_deactivate_then_the_url_refuses_leads(world, login, post):
    config = ChannelConfig.objects.create(kind="generic", name="Web", source=source("website"))
    client = login(world.mkt)
    assert client.get(f"/intake/channels/{config.pk}/toggle/").status_code == 405
    assert client.post(f"/intake/channels/{config.pk}/toggle/").status_code == 302
    config.refresh_from_db()
    assert not config.active
    assert "Đã tắt" in client.get("/intake/channels/").text
    assert post(config, {"name": "X", "phone": "0912000222"}).status_code == 404
    client.post(f"/intake/channels/{config.pk}/toggle/")
    config.refresh_from_db()
    assert config.active
    assert AuditEntry.objects.filter(action="intake.channel_deactivated").count() == 1


@pytest.mark.parametrize("kind", [k for k, _ in ChannelConfig.Kind.choices])
def test_every_kind_has_a_paste_guide_with_the_url(world, kind):
    config = ChannelConfig(kind=kind, name="x", source=source("website"), token="tok")
    rows = paste_guide(config, "https://crm.example/intake/hook/x/tok/")
    assert rows[0]["value"] == "https://crm.example/intake/hook/x/tok/"


def test_list_queries_do_not_grow_with_connections(world, login, django_assert_max_num_queries):
    for n in range(12):
        ChannelConfig.objects.create(kind="generic", name=f"Web {n}", source=source("website"), project=world.lotus)
    client = login(world.mkt)
    client.get("/intake/channels/")
    with django_assert_max_num_queries(12):
        page = client.get("/intake/channels/")
    assert page.text.count("webhook-url") == 12


def test_the_form_speaks_vietnamese(world, login):
    page = login(world.mkt).get("/intake/channels/new/").text
    assert "Nguồn *" in page and "Dự án" in page and "Khóa bí mật" in page
    assert "Source" not in page and "Project<" not in page


def test_facebook_page_options_for_chats_and_comments_are_set_on_the_form(world, login):
    client = login(world.mkt)
    fb = _form(world, kind="facebook", name="Trang Lotus", source=world.facebook.pk, external_id="1001",
               secret="app-secret", access_token="PAGE-TOKEN", lead_on_first_message="on",
               hide_comments_with_phone="on", ad_campaigns="120210000000001 = Lotus T11\n\n  120210000000002=Lotus T12 ")
    assert client.post("/intake/channels/new/", fb).status_code == 302
    config = ChannelConfig.objects.get()
    assert config.lead_on_first_message and config.hide_comments_with_phone
    assert config.ad_campaigns == {"120210000000001": "Lotus T11", "120210000000002": "Lotus T12"}
    edit = client.get(f"/intake/channels/{config.pk}/").text
    assert "120210000000001 = Lotus T11" in edit and "feed, messages" in client.get("/intake/channels/").text

    bad = client.post(f"/intake/channels/{config.pk}/", {**fb, "ad_campaigns": "120210000000001 Lotus T11\nok = fine"})
    assert bad.status_code == 200 and "Dòng 1 chưa đúng dạng" in bad.text
    # Unticked boxes switch the options off again.
    off = {k: v for k, v in fb.items() if k not in ("lead_on_first_message", "hide_comments_with_phone")}
    client.post(f"/intake/channels/{config.pk}/", off)
    config.refresh_from_db()
    assert not config.lead_on_first_message and not config.hide_comments_with_phone
