"""Each status asks for exactly what the catalog says, on the page, in the service and through the admin."""

import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from leadpool.customers.models import Status
from leadpool.sales import actions
from leadpool.sales.models import Activity, FollowUp, StatusChange

REQUIRED = {
    "new": [],
    "ads_hot": [],
    "no_answer": [],
    "in_care": [],
    "net": ["next_follow_up_at"],
    "appointment": ["appointment_at", "appointment_place"],
    "deposit": ["amount", "deal_date"],
    "booking": ["amount", "deal_date"],
    "no_need": ["reason"],
    "wrong_target": ["reason"],
}
VALUES = {
    "next_follow_up_at": "2030-01-10T09:00",
    "appointment_at": "2030-01-12T15:30",
    "appointment_place": "Nhà mẫu Lotus",
    "amount": "50 triệu",
    "deal_date": "2030-01-15",
    "reason": "Khách đã mua dự án khác",
}


def _field_names(html: str) -> set[str]:
    names = set(re.findall(r'name="([a-z_]+)"', html))
    return names - {"csrfmiddlewaretoken", "to", "note"}


def test_the_default_catalog_holds_the_spec_requirements(db):
    assert {s.key: s.required_fields for s in Status.objects.all()} == REQUIRED


@pytest.mark.parametrize("key", sorted(REQUIRED))
def test_status_form_shows_exactly_the_required_fields(key, world, owned, login):
    customer = owned()
    if key == "new":
        actions.change_status(customer, to=Status.objects.get(key="in_care"), by=world.sale1)
    client = login(world.sale1)
    response = client.get(f"/sales/customers/{customer.pk}/status/fields/", {"to": key})
    assert response.status_code == 200
    assert _field_names(response.content.decode()) == set(REQUIRED[key])


@pytest.mark.parametrize("key", [k for k, fields in REQUIRED.items() if fields])
def test_a_move_without_the_required_fields_is_refused(key, world, owned):
    customer = owned()
    with pytest.raises(ValidationError) as caught:
        actions.change_status(customer, to=Status.objects.get(key=key), by=world.sale1)
    assert set(caught.value.message_dict) == set(REQUIRED[key])
    customer.refresh_from_db()
    assert customer.status.key == "new"
    assert not StatusChange.objects.filter(customer=customer).exists()


@pytest.mark.parametrize("key", sorted(k for k in REQUIRED if k != "new"))
def test_a_move_with_the_required_fields_is_kept_with_who_and_when(key, world, owned):
    customer = owned()
    details = {name: VALUES[name] for name in REQUIRED[key]}
    change = actions.change_status(customer, to=Status.objects.get(key=key), by=world.sale1, details=details)
    customer.refresh_from_db()
    assert customer.status.key == key
    assert change.by == world.sale1 and change.from_status.key == "new"
    assert set(REQUIRED[key]) <= set(change.details)


def test_net_schedules_its_next_follow_up_and_appointment_its_meeting(world, owned):
    customer = owned()
    actions.change_status(customer, to=Status.objects.get(key="net"), by=world.sale1,
                          details={"next_follow_up_at": VALUES["next_follow_up_at"]})
    follow_up = FollowUp.objects.get(customer=customer)
    assert timezone.localtime(follow_up.due_at).strftime("%Y-%m-%d %H:%M") == "2030-01-10 09:00"
    actions.change_status(customer, to=Status.objects.get(key="appointment"), by=world.sale1,
                          details={"appointment_at": VALUES["appointment_at"], "appointment_place": "Nhà mẫu"})
    meeting = FollowUp.objects.get(customer=customer, kind=FollowUp.Kind.MEETING)
    assert timezone.localtime(meeting.due_at).strftime("%H:%M") == "15:30"
    assert Activity.objects.filter(customer=customer, kind="follow_up", meeting_place="Nhà mẫu").exists()


def test_allowed_moves_are_enforced(world, owned):
    customer = owned()
    Status.objects.filter(key="new").update(allowed_next=["in_care", "no_answer"])
    customer.refresh_from_db()
    with pytest.raises(ValidationError):
        actions.change_status(customer, to=Status.objects.get(key="booking"), by=world.sale1,
                              details={"amount": "1 tỷ", "deal_date": "2030-01-01"})
    actions.change_status(customer, to=Status.objects.get(key="in_care"), by=world.sale1)


def test_a_raise_without_activity_is_marked_unbacked(world, owned):
    customer = owned()
    change = actions.change_status(customer, to=Status.objects.get(key="in_care"), by=world.sale1)
    assert change.backed_by_activity is False
    actions.log_activity(customer, by=world.sale1, kind="call", call_outcome="reached", duration_seconds=60,
                         at=timezone.now() + timedelta(seconds=1))
    change = actions.change_status(customer, to=Status.objects.get(key="net"), by=world.sale1,
                                   details={"next_follow_up_at": VALUES["next_follow_up_at"]},
                                   at=timezone.now() + timedelta(seconds=2))
    assert change.backed_by_activity is True


def test_status_admin_edits_rules_with_checkboxes(world, login):
    client = login(world.manager)
    status = Status.objects.get(key="net")
    page = client.get(f"/admin/customers/status/{status.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'type="checkbox" name="required_fields" value="next_follow_up_at"' in html
    assert 'name="allowed_next" value="appointment"' in html
    response = client.post(f"/admin/customers/status/{status.pk}/change/", {
        "key": "net", "label": "NET", "label_en": "NET", "kind": "open", "rank": 3, "position": 4, "color": "primary",
        "hold_rule": "no_progress", "hold_days": 5,
        "required_fields": ["next_follow_up_at", "reason"], "allowed_next": ["appointment", "no_need"],
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    status.refresh_from_db()
    assert status.required_fields == ["next_follow_up_at", "reason"]
    assert status.allowed_next == ["appointment", "no_need"]
    assert status.hold_days == 5


def test_status_admin_refuses_an_open_status_without_rank(world, login):
    client = login(world.manager)
    status = Status.objects.get(key="in_care")
    response = client.post(f"/admin/customers/status/{status.pk}/change/", {
        "key": "in_care", "label": "Đang chăm sóc", "kind": "open", "rank": "", "position": 3, "color": "info",
        "hold_rule": "no_progress", "hold_days": 3,
    })
    assert response.status_code == 200
    assert "Trạng thái đang xử lý cần có bậc." in response.content.decode()
