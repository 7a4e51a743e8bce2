"""Care scripts: steps become follow-ups due on their days; a script runs once; leaving its status stops it."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from leadpool.customers.models import Status
from leadpool.sales import actions, care
from leadpool.sales.models import CareScript, CareStep, FollowUp

VN = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.mark.parametrize(
    "start, offset, due",
    [
        (datetime(2026, 11, 23, 15, 0, tzinfo=VN), 0, datetime(2026, 11, 23, 15, 0, tzinfo=VN)),
        (datetime(2026, 11, 23, 15, 0, tzinfo=VN), 1, datetime(2026, 11, 24, 9, 0, tzinfo=VN)),
        (datetime(2026, 11, 23, 23, 30, tzinfo=VN), 30, datetime(2026, 12, 23, 9, 0, tzinfo=VN)),
        # 20:00 UTC is already the next day in Vietnam: offsets count from Vietnam's date.
        (datetime(2026, 11, 23, 20, 0, tzinfo=ZoneInfo("UTC")), 1, datetime(2026, 11, 25, 9, 0, tzinfo=VN)),
    ],
)
def test_step_due(start, offset, due):
    assert care.step_due(start, offset) == due


def test_nurture_statuses_get_the_default_long_term_script(db):
    script = CareScript.objects.get(name="Nuôi dưỡng dài hạn")
    assert set(script.statuses.values_list("key", flat=True)) == {"no_need", "wrong_target"}
    offsets = list(script.steps.values_list("day_offset", flat=True))
    assert offsets == sorted(offsets) and offsets[0] == 30 and offsets[-1] == 365


def test_entering_no_need_starts_the_nurture_script_for_the_owner(world, owned):
    customer = owned()
    actions.change_status(customer, to=Status.objects.get(key="no_need"), by=world.sale1, reason="Chưa có nhu cầu")
    steps = list(FollowUp.objects.filter(customer=customer).order_by("due_at"))
    assert len(steps) == 6
    assert all(s.script_step.startswith("script:") and s.owner == world.sale1 for s in steps)
    first = timezone.localtime(steps[0].due_at)
    assert first.date() == timezone.localdate() + timedelta(days=30) and first.hour == 9


def test_moving_between_statuses_of_one_script_does_not_double_it(world, owned):
    customer = owned()
    actions.change_status(customer, to=Status.objects.get(key="no_need"), by=world.sale1, reason="a")
    actions.change_status(customer, to=Status.objects.get(key="wrong_target"), by=world.sale1, reason="b")
    assert FollowUp.objects.filter(customer=customer, cancelled_at__isnull=True).count() == 6


def test_leaving_the_status_stops_the_script(world, owned):
    customer = owned()
    actions.change_status(customer, to=Status.objects.get(key="no_need"), by=world.sale1, reason="a")
    actions.change_status(customer, to=Status.objects.get(key="in_care"), by=world.sale1)
    assert FollowUp.objects.filter(customer=customer, cancelled_at__isnull=True).count() == 0
    assert FollowUp.objects.filter(customer=customer, cancelled_at__isnull=False).count() == 6  # kept, not deleted


def test_a_manager_defined_script_on_a_status(world, owned):
    script = CareScript.objects.create(name="Chăm NET")
    script.statuses.add(Status.objects.get(key="net"))
    CareStep.objects.create(script=script, day_offset=0, kind="message", note="Gửi bảng tính dòng tiền")
    CareStep.objects.create(script=script, day_offset=2, kind="call", note="Gọi chốt lịch xem nhà")
    customer = owned()
    actions.change_status(customer, to=Status.objects.get(key="net"), by=world.sale1,
                          details={"next_follow_up_at": "2030-01-01T09:00"})
    notes = set(FollowUp.objects.filter(customer=customer).values_list("note", flat=True))
    assert {"Gửi bảng tính dòng tiền", "Gọi chốt lịch xem nhà"} <= notes


def test_joining_a_project_starts_its_script(world, make_customer):
    script = CareScript.objects.create(name="Chăm Sông Hàn")
    script.projects.add(world.songhan)
    CareStep.objects.create(script=script, day_offset=1, kind="call", note="Gọi giới thiệu Sông Hàn")
    customer = make_customer("0988000111", project=world.lotus).customer
    assert not FollowUp.objects.filter(customer=customer).exists()
    make_customer("0988000111", project=world.songhan)  # comes back about another project
    assert FollowUp.objects.filter(customer=customer, note="Gọi giới thiệu Sông Hàn").count() == 1
    customer.projects.add(world.songhan)  # already there: nothing doubles
    assert FollowUp.objects.filter(customer=customer, note="Gọi giới thiệu Sông Hàn").count() == 1


def test_a_script_given_a_project_after_leads_arrived_starts_for_the_next_one(world, make_customer):
    """Which projects have scripts is kept per process: attaching one is seen by the very next capture."""
    make_customer("0988000222", project=world.songhan)  # the copy is loaded: no project has a script yet
    script = CareScript.objects.create(name="Chăm Sông Hàn")
    CareStep.objects.create(script=script, day_offset=1, kind="call", note="Gọi giới thiệu Sông Hàn")
    script.projects.add(world.songhan)
    customer = make_customer("0988000333", project=world.songhan).customer
    assert FollowUp.objects.filter(customer=customer, note="Gọi giới thiệu Sông Hàn").count() == 1
    script.active = False
    script.save()
    later = make_customer("0988000444", project=world.songhan).customer
    assert not FollowUp.objects.filter(customer=later).exists()


def test_inactive_scripts_do_nothing(world, owned):
    CareScript.objects.update(active=False)
    customer = owned()
    actions.change_status(customer, to=Status.objects.get(key="no_need"), by=world.sale1, reason="a")
    assert not FollowUp.objects.filter(customer=customer).exists()


def test_script_step_due_today_appears_in_the_inbox(world, owned, login):
    script = CareScript.objects.create(name="Gọi ngay")
    script.statuses.add(Status.objects.get(key="in_care"))
    CareStep.objects.create(script=script, day_offset=0, kind="call", note="Gọi tư vấn lần 2")
    customer = owned()
    actions.log_activity(customer, by=world.sale1, kind="call", call_outcome="reached", duration_seconds=30)
    actions.change_status(customer, to=Status.objects.get(key="in_care"), by=world.sale1,
                          at=timezone.now() + timedelta(seconds=1))
    html = login(world.sale1).get("/").content.decode()
    assert f'data-customer="{customer.pk}" data-bucket="due"' in html


def test_care_script_admin(world, login):
    client = login(world.manager)
    assert client.get("/admin/sales/carescript/").status_code == 200
    script = CareScript.objects.first()
    page = client.get(f"/admin/sales/carescript/{script.pk}/change/").content.decode()
    assert "Gọi tròn một năm" in page
