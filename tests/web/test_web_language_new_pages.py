"""The pages that came with chats, fanpage comments, website capture and automatic care read fully in English.

Two checks per page: no catalog msgid still shows (the translation exists and is used), and no Vietnamese
letter is left once the data the page shows (names, messages, projects, statuses, sources) is taken out —
that second check is what catches text nobody wrapped for translation.
"""

import re
from datetime import datetime

import httpx
import pytest
import respx
import time_machine
from django.utils import timezone, translation

from leadpool.accounts.models import User
from leadpool.conversations.models import Conversation, Message
from leadpool.customers.models import Customer, Lead, Project, Source, Status
from leadpool.intake.models import ChannelConfig, PageComment
from leadpool.nurture import sending
from leadpool.nurture.models import Send
from leadpool.nurture.unsubscribe import token_for
from tests.conversations.conftest import messenger_chat  # noqa: F401  (fixture)
from tests.intake.conftest import channels, post  # noqa: F401  (fixtures)
from tests.nurture.conftest import (  # noqa: F401  (fixtures)
    EMAIL_STEP,
    ESMS_SEND,
    SMS_STEP,
    VN,
    consenting,
    enter_no_need,
    esms_ok,
    nurture_settings,
    script,
)

from .test_web_language import _choose, _page, _untranslated, _visible_text

pytestmark = pytest.mark.django_db

VIETNAMESE = re.compile(r"[àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ]", re.I)


def _data() -> set[str]:
    """What people typed or the platforms sent: shown as it is in either language."""
    from leadpool.accounts.models import Team
    from leadpool.sales.models import Activity, CareScript, CareStep, FollowUp, StatusChange

    values: set[str] = set()
    for model, fields in [
        (Customer, ["name"]), (Project, ["name"]), (Status, ["label"]), (Source, ["name"]), (Team, ["name"]),
        (ChannelConfig, ["name"]), (Message, ["text"]), (PageComment, ["message", "from_name"]),
        (Lead, ["campaign", "note", "name"]), (Send, ["error"]), (CareScript, ["name"]), (CareStep, ["note"]),
        (Activity, ["body"]), (FollowUp, ["note"]), (StatusChange, ["reason"]),
    ]:
        for row in model.objects.values_list(*fields):
            values.update(v for v in row if v)
    for mapping in [*Lead.objects.values_list("answers", flat=True),
                    *ChannelConfig.objects.values_list("ad_campaigns", flat=True)]:
        values.update(str(v) for v in (mapping or {}).values())
    values.update(str(user) for user in User.objects.all())
    return values


def _without_data(page: str) -> str:
    for value in sorted((v for v in _data() if len(v) >= 3), key=len, reverse=True):
        page = page.replace(value, " ")
    page = re.sub(r"<pre\b.*?</pre>", " ", page, flags=re.S)  # sample payloads for developers, not interface text
    return page.replace("Tiếng Việt", " ")  # the language menu names each language in its own


def _vietnamese_left(page: str) -> list[str]:
    """Words with Vietnamese letters, each with a little context to find it by."""
    text = re.sub(r"\s+", " ", _visible_text(page))
    return sorted({text[max(0, m.start() - 30):m.end() + 30]
                   for m in re.finditer(r"\w+", text) if VIETNAMESE.search(m.group())})


def _assert_english(page: str) -> None:
    assert '<html lang="en">' in page
    page = _without_data(page)
    with translation.override("en"):
        leftover = [m for m in _untranslated(page) if translation.gettext(m) != m]  # "App secret" is English already
    assert leftover == [], leftover
    vietnamese = _vietnamese_left(page)
    assert vietnamese == [], vietnamese


@respx.mock
def test_customer_page_with_a_messenger_chat_is_in_english(world, messenger_chat, login):  # noqa: F811
    conversation, customer = messenger_chat
    client = login(customer.owner)
    _choose(client, "en")
    hx = {"HX-Request": "true", "HX-Target": "conversations"}
    panel = client.get(f"/conversations/customers/{customer.pk}/", headers=hx).content.decode()
    assert "Conversations" in panel and "You can reply until" in panel
    for page in (_page(client, f"/customers/{customer.pk}/"), _page(client, f"/conversations/customers/{customer.pk}/")):
        _assert_english(page)
    # The reply window closed: the explanation is in English too.
    Conversation.objects.filter(pk=conversation.pk).update(last_inbound_at=timezone.now() - timezone.timedelta(days=2))
    closed = _page(client, f"/conversations/customers/{customer.pk}/")
    assert "no longer lets the page reply" in closed
    _assert_english(closed)
    sent = client.post(f"/conversations/{conversation.pk}/reply/", {"text": "Dạ em chào chị"}, headers=hx)
    assert "The reply window on this platform has closed" in sent.content.decode()


@respx.mock
def test_automatic_care_page_is_in_english(world, consenting, script, enter_no_need, login):  # noqa: F811
    respx.post(ESMS_SEND).mock(side_effect=[httpx.Response(200, json=esms_ok()),
                                            httpx.Response(200, json={"CodeResult": "108", "ErrorMessage": "Bad phone"})])
    with time_machine.travel(datetime(2026, 11, 23, 10, 0, tzinfo=VN), tick=False):
        script([(0, "email", EMAIL_STEP), (0, "sms", SMS_STEP)])
        an = consenting("0912345678", "an@example.vn")
        binh = consenting("0987654321", "", name="Trần Thị Bình")
        enter_no_need(an)
        enter_no_need(binh)
        sending.send_due()
        client = login(world.leader_a)
        _choose(client, "en")
        page = _page(client, "/nurture/")
        assert "Automatic care today" in page and "Errors and retries" in page
        _assert_english(page)
        _assert_english(_page(client, f"/customers/{an.pk}/"))
    unsubscribe = _page(client, f"/nurture/u/{token_for(an.pk)}/")
    assert "Unsubscribe" in unsubscribe
    _assert_english(unsubscribe)


def test_page_comments_are_in_english(world, channels, login, make_customer):  # noqa: F811
    facebook = channels["facebook"]
    lead = make_customer("0912345678").lead
    now = timezone.now()
    make = PageComment.objects.create
    make(config=facebook, page_id="1001", comment_id="c1", post_id="1001_777", post_url="https://facebook.com/1001_777",
         from_name="Lê Văn Cường", message="Giá căn 2PN? 0912345678", has_phone=True, phones=["0912345678"],
         lead=lead, hidden_at=now)
    make(config=facebook, page_id="1001", comment_id="c2", post_id="1001_777", from_name="",
         message="Còn căn góc không ạ?", hide_error="(#200) Permissions error", removed_at=now)
    make(config=facebook, page_id="1001", comment_id="c3", post_id="1001_778", from_name="Hoa", message="Có số",
         has_phone=True, phones=["0987654321"], lead=lead, hide_error="x")
    client = login(world.mkt)
    _choose(client, "en")
    page = _page(client, "/intake/comments/")
    assert "Page comments" in page and "Facebook user" in page and "Hidden on the page" in page
    _assert_english(page)
    _assert_english(_page(client, "/intake/comments/?post=nope"))
    PageComment.objects.all().delete()
    _assert_english(_page(client, "/intake/comments/"))


def test_channel_connections_with_capture_and_messenger_options_are_in_english(world, channels, login):  # noqa: F811
    client = login(world.manager)
    _choose(client, "en")
    listing = _page(client, "/intake/channels/")
    assert "Website lead capture" in listing and "Hosted form page" in listing
    _assert_english(listing)
    for kind in ("facebook", "generic"):
        _assert_english(_page(client, f"/intake/channels/{channels[kind].pk}/"))
    _assert_english(_page(client, "/intake/channels/new/"))
    bad = client.post(f"/intake/channels/{channels['facebook'].pk}/", {
        "kind": "facebook", "name": "Trang Lotus", "source": world.facebook.pk, "project": world.lotus.pk,
        "external_id": "1001", "ad_campaigns": "120210000000001 Lotus", "rate_limit_per_minute": 600, "active": "on",
    })
    assert "is not in the form “ad ID = campaign name”" in bad.content.decode()


def test_hosted_form_is_in_english(world, channels, client):  # noqa: F811
    token = channels["generic"].token
    _choose(client, "en")
    form = _page(client, f"/intake/f/{token}/")
    assert "Request a consultation" in form and "I agree that" in form
    _assert_english(form)
    response = client.post(f"/intake/f/{token}/", {"name": "", "phone": "12", "email": "x@", "note": ""})
    assert response.status_code == 200
    errors = response.content.decode()
    assert "Please enter your full name." in errors and "Please tick the consent box" in errors
    _assert_english(errors)
    _assert_english(_page(client, f"/intake/f/{token}/?sent=1"))


def test_reports_and_menu_name_the_new_parts_in_english(world, login, make_customer):
    make_customer()
    client = login(world.manager)
    _choose(client, "en")
    page = _page(client, "/reports/leads/")
    assert "Leads by capture point" in page
    for label in ("Automatic care", "Page comments", "Channel connections", "Lead inbox"):
        assert label in page
    _assert_english(page)
