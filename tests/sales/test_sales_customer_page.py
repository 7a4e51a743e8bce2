"""The customer page for its owner: quick actions update the page in place; history is only ever added to."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from leadpool.customers.models import Assignment, Status
from leadpool.customers.ownership import assign
from leadpool.sales import actions
from leadpool.sales.models import Activity, FollowUp, StatusChange

HX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "timeline-wrap"}


def test_owner_sees_quick_actions_with_tel_and_zalo(world, owned, login):
    customer = owned("0912345678", name="Phạm Thu Hà", answers={"Ngân sách": "3-5 tỷ"})
    html = login(world.sale1).get(f"/customers/{customer.pk}/").content.decode()
    assert 'href="tel:+84912345678"' in html
    assert 'href="https://zalo.me/0912345678"' in html
    assert 'id="quick-actions"' in html and 'id="call-form"' in html
    assert "3-5 tỷ" in html  # what the lead asked, before the first call
    assert 'data-since="' in html  # not yet called: the wait is counting


def test_log_call_updates_the_timeline_in_place(world, owned, login):
    customer = owned()
    client = login(world.sale1)
    response = client.post(f"/sales/customers/{customer.pk}/call/",
                           {"call_outcome": "reached", "duration": "3:20", "body": "Khách hỏi giá căn 2PN"}, **HX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<ul class="timeline"')  # the primary swap is the timeline itself
    assert "Khách hỏi giá căn 2PN" in html and "3′20″" in html
    assert 'id="quick-actions" hx-swap-oob="true"' in html and "Đã ghi cuộc gọi." in html
    assert 'id="status-badge"' in html and 'id="last-contact"' in html
    call = Activity.objects.get(customer=customer, kind="call")
    assert (call.call_outcome, call.duration_seconds, call.author) == ("reached", 200, world.sale1)
    customer.refresh_from_db()
    assert customer.last_contact_at == call.occurred_at


@pytest.mark.parametrize("outcome", ["reached", "no_answer", "busy", "wrong_number", "call_back"])
def test_every_call_outcome_can_be_logged(outcome, world, owned, login):
    customer = owned()
    data = {"call_outcome": outcome, "duration": "1" if outcome == "reached" else ""}
    login(world.sale1).post(f"/sales/customers/{customer.pk}/call/", data, **HX)
    assert Activity.objects.get(customer=customer, kind="call").call_outcome == outcome


def test_reached_without_duration_is_sent_back_with_the_error(world, owned, login):
    customer = owned()
    html = login(world.sale1).post(f"/sales/customers/{customer.pk}/call/", {"call_outcome": "reached"}, **HX)
    html = html.content.decode()
    assert "cho biết cuộc gọi dài bao lâu" in html
    assert 'id="qa-call" autocomplete="off" checked' in html  # the form stays open
    assert not Activity.objects.filter(customer=customer, kind="call").exists()


def test_note_and_message(world, owned, login):
    customer = owned()
    client = login(world.sale1)
    client.post(f"/sales/customers/{customer.pk}/note/", {"body": "Khách thích view sông"}, **HX)
    client.post(f"/sales/customers/{customer.pk}/message/", {"channel": "zalo", "body": "Đã gửi bảng giá"}, **HX)
    kinds = list(Activity.objects.filter(customer=customer).values_list("kind", "channel", "body"))
    assert ("note", "", "Khách thích view sông") in kinds
    assert ("message", "zalo", "Đã gửi bảng giá") in kinds
    customer.refresh_from_db()
    assert customer.last_contact_at is not None  # a message is a contact; a note is not


def test_change_to_net_needs_a_follow_up_date_and_schedules_it(world, owned, login):
    customer = owned()
    client = login(world.sale1)
    refused = client.post(f"/sales/customers/{customer.pk}/status/", {"to": "net"}, **HX).content.decode()
    assert "Bắt buộc với trạng thái này." in refused and 'name="next_follow_up_at"' in refused
    customer.refresh_from_db()
    assert customer.status.key == "new"
    html = client.post(f"/sales/customers/{customer.pk}/status/",
                       {"to": "net", "next_follow_up_at": "2030-02-01T09:30", "note": "Tài chính ổn"}, **HX)
    html = html.content.decode()
    customer.refresh_from_db()
    assert customer.status.key == "net"
    assert "Mới → NET" in html and "Ngày giờ chăm sóc tiếp theo: 01/02/2030 09:30" in html
    assert '<span id="status-badge" class="badge text-bg-primary" hx-swap-oob="true">NET</span>' in html
    assert FollowUp.objects.filter(customer=customer, done_at__isnull=True).count() == 1
    assert 'id="follow-ups" hx-swap-oob="true"' in html and "01/02/2030" in html


def test_deposit_amount_and_no_need_reason(world, owned, login):
    customer = owned()
    client = login(world.sale1)
    client.post(f"/sales/customers/{customer.pk}/status/", {"to": "deposit", "amount": "100 triệu", "deal_date": "2030-01-05"}, **HX)
    change = StatusChange.objects.get(customer=customer)
    assert change.details["amount"] == "100000000" and change.details["deal_date"] == "2030-01-05"
    other = owned()
    client.post(f"/sales/customers/{other.pk}/status/", {"to": "no_need", "reason": "Đã mua nơi khác"}, **HX)
    assert StatusChange.objects.get(customer=other).reason == "Đã mua nơi khác"


def test_disallowed_move_is_explained(world, owned, login):
    customer = owned()
    Status.objects.filter(key="new").update(allowed_next=["in_care"])
    html = login(world.sale1).post(f"/sales/customers/{customer.pk}/status/", {"to": "net", "next_follow_up_at": "2030-01-01T09:00"}, **HX)
    assert "Không thể chuyển sang trạng thái này." in html.content.decode()


def test_schedule_follow_up_and_meeting_result(world, owned, login):
    customer = owned()
    client = login(world.sale1)
    tomorrow = timezone.localtime() + timedelta(days=1)
    client.post(f"/sales/customers/{customer.pk}/follow-up/",
                {"due_at": tomorrow.strftime("%Y-%m-%dT%H:%M"), "kind": "meeting", "note": "Xem nhà mẫu"}, **HX)
    follow_up = FollowUp.objects.get(customer=customer)
    assert follow_up.kind == "meeting" and follow_up.owner == world.sale1
    with time_machine.travel(follow_up.due_at + timedelta(hours=1)):
        client = login(world.sale1)  # a new day, a new session
        client.post(f"/sales/customers/{customer.pk}/meeting/", {"result": "Khách ưng căn B12", "body": "Về bàn với vợ"}, **HX)
    meeting = Activity.objects.get(customer=customer, kind="meeting")
    assert meeting.meeting_result == "Khách ưng căn B12"
    follow_up.refresh_from_db()
    assert follow_up.done_activity == meeting and follow_up.on_time is True


def test_corrections_are_new_activities(world, owned, login):
    customer = owned()
    client = login(world.sale1)
    client.post(f"/sales/customers/{customer.pk}/call/", {"call_outcome": "no_answer"}, **HX)
    original = Activity.objects.get(customer=customer, kind="call")
    html = client.post(f"/sales/customers/{customer.pk}/activities/{original.pk}/correct/",
                       {"body": "Thực ra khách nghe máy 2 phút", "call_outcome": "reached", "duration": "2"}, **HX).content.decode()
    assert "đã được đính chính" in html and "Thực ra khách nghe máy 2 phút" in html
    original.refresh_from_db()
    assert original.call_outcome == "no_answer"  # untouched
    fix = Activity.objects.get(corrects=original)
    assert (fix.call_outcome, fix.duration_seconds, fix.occurred_at) == ("reached", 120, original.occurred_at)
    with pytest.raises(ValueError):
        original.delete()
    with pytest.raises(ValueError):
        original.body = "sửa"
        original.save()


def test_previous_owners_notes_are_folded_with_a_toggle(world, owned, login):
    with time_machine.travel(timezone.now() - timedelta(days=5)):
        customer = owned(owner=world.sale2)
        actions.log_activity(customer, by=world.sale2, kind="note", body="Ghi chú của người cũ")
    assign(customer, to=world.sale1, reason=Assignment.Reason.ROTATION, by=world.leader_a)
    html = login(world.sale1).get(f"/customers/{customer.pk}/").content.decode()
    assert "data-toggle-folded" in html and "Hiện 1 ghi chú của người phụ trách trước" in html
    folded = html[html.index('data-folded="1"') - 200: html.index('data-folded="1"') + 400]
    assert "folded" in folded and "Ghi chú của người cũ" in folded
    assert "sales/sales.js" in html  # the toggle's behaviour, loaded without inline script
    assert login(world.sale2).get(f"/customers/{customer.pk}/").status_code == 404  # the old owner lost access


def test_others_cannot_act(world, owned, login):
    customer = owned(owner=world.sale1)
    assert login(world.sale2).post(f"/sales/customers/{customer.pk}/note/", {"body": "x"}, **HX).status_code == 404
    assert login(world.sale4).get(f"/sales/customers/{customer.pk}/status/fields/", {"to": "net"}).status_code == 404
    assert login(world.mkt).post(f"/sales/customers/{customer.pk}/note/", {"body": "x"}, **HX).status_code == 403
    assert login(world.mkt).post(f"/sales/customers/{customer.pk}/status/", {"to": "in_care"}, **HX).status_code == 403
    mkt_page = login(world.mkt).get(f"/customers/{customer.pk}/").content.decode()
    assert 'id="quick-actions"' not in mkt_page
    assert login(world.leader_a).post(f"/sales/customers/{customer.pk}/note/", {"body": "Trưởng nhóm"}, **HX).status_code == 200
    assert not Activity.objects.filter(body="x").exists()


def test_without_javascript_the_forms_still_work(world, owned, login):
    customer = owned()
    response = login(world.sale1).post(f"/sales/customers/{customer.pk}/note/", {"body": "Không có htmx"})
    assert response.status_code == 302 and response["Location"] == f"/customers/{customer.pk}/"


def test_customer_page_query_count_is_bounded(world, owned, login, django_assert_max_num_queries):
    customer = owned()
    for n in range(15):
        actions.log_activity(customer, by=world.sale1, kind="note", body=f"ghi chú {n}")
        actions.schedule_follow_up(customer, by=world.sale1, due_at=timezone.now() + timedelta(days=n + 1))
    client = login(world.sale1)
    client.get(f"/customers/{customer.pk}/")
    with django_assert_max_num_queries(24):
        assert client.get(f"/customers/{customer.pk}/").status_code == 200
    with django_assert_max_num_queries(45):
        assert client.post(f"/sales/customers/{customer.pk}/note/", {"body": "thêm"}, **HX).status_code == 200


def test_an_empty_correction_is_refused_with_a_reason(world, owned, login):
    customer = owned()
    client = login(world.sale1)
    client.post(f"/sales/customers/{customer.pk}/note/", {"body": "Ghi chú gốc"}, **HX)
    original = Activity.objects.get(customer=customer, kind="note")
    html = client.post(f"/sales/customers/{customer.pk}/activities/{original.pk}/correct/", {"body": ""}, **HX)
    assert 'id="work-error"' in html.content.decode() and "Chưa lưu đính chính" in html.content.decode()
    assert not Activity.objects.filter(corrects=original).exists()


def test_team_overview_weeks(world, login):
    client = login(world.leader_a)
    assert client.get("/sales/team/", {"day": "2026-01-07"}).status_code == 200
    assert client.get("/sales/team/", {"day": "nonsense"}).status_code == 200
    assert client.get("/sales/team/", {"day": "2999-01-01"}).status_code == 200  # the future is today


@pytest.mark.parametrize("name, form_id", [("call", "call-form"), ("note", "note-form"), ("message", "message-form"),
                                           ("status", "status-form"), ("follow_up", "follow-up-form"),
                                           ("meeting", "meeting-form")])
def test_each_quick_action_panel_loads_when_opened(name, form_id, world, owned, login):
    customer = owned()
    page = login(world.sale1).get(f"/customers/{customer.pk}/").content.decode()
    if name != "call":  # only the call form is on the page at first; the others load on opening
        assert f'id="{form_id}"' not in page and f'/sales/customers/{customer.pk}/panel/{name}/' in page
    html = login(world.sale1).get(f"/sales/customers/{customer.pk}/panel/{name}/").content.decode()
    assert f'id="{form_id}"' in html
    assert login(world.sale2).get(f"/sales/customers/{customer.pk}/panel/{name}/").status_code == 404
    assert login(world.mkt).get(f"/sales/customers/{customer.pk}/panel/{name}/").content.decode() == \
        "Bạn chỉ được xem khách hàng này."
