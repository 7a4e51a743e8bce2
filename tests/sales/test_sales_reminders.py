"""Follow-up due: the owner is told once, through the bell (and their channels), by a periodic task."""

from datetime import datetime, timedelta

import time_machine
from django.utils import timezone

from leadpool.customers.models import Assignment
from leadpool.customers.ownership import assign
from leadpool.notify.models import Notification
from leadpool.sales import actions
from leadpool.sales.reminders import remind_due
from leadpool.worker import PERIODIC


def test_due_follow_up_is_reminded_once(world, owned):
    customer = owned(name="Khách Hẹn Gọi")
    due = timezone.now() + timedelta(hours=2)
    actions.schedule_follow_up(customer, by=world.sale1, due_at=due, note="Gọi lại báo giá")
    before = Notification.objects.filter(kind="follow_up.due").count()
    assert remind_due() == 0
    with time_machine.travel(due + timedelta(minutes=1)):
        assert remind_due() == 1
        assert remind_due() == 0
    note = Notification.objects.filter(kind="follow_up.due").exclude(pk__in=[]).latest("id")
    assert Notification.objects.filter(kind="follow_up.due").count() == before + 1
    assert note.user == world.sale1 and "Khách Hẹn Gọi" in note.title and "Gọi lại báo giá" in note.body


def test_reminder_goes_to_the_current_owner_and_groups_many(world, owned):
    due = timezone.now() + timedelta(hours=1)
    first = owned(owner=world.sale2)
    actions.schedule_follow_up(first, by=world.sale2, due_at=due)
    # Rotation gives the new owner fresh care expectations: the previous owner's plan is cancelled, not inherited.
    assign(first, to=world.sale1, reason=Assignment.Reason.ROTATION, by=world.leader_a)
    for _ in range(3):
        actions.schedule_follow_up(owned(), by=world.sale1, due_at=due)
    with time_machine.travel(due + timedelta(minutes=1)):
        assert remind_due() == 3
    notes = Notification.objects.filter(kind="follow_up.due")
    assert [n.user for n in notes] == [world.sale1]
    assert notes[0].title == "3 việc chăm sóc đến hạn"


def test_done_follow_ups_are_not_reminded(world, owned):
    morning = timezone.make_aware(datetime(2026, 11, 24, 9, 0))  # a call that morning carries out the 10:00 one
    with time_machine.travel(morning, tick=False):
        customer = owned()
        due = timezone.now() + timedelta(hours=1)
        actions.schedule_follow_up(customer, by=world.sale1, due_at=due)
        actions.log_activity(customer, by=world.sale1, kind="call", call_outcome="reached", duration_seconds=40)
    with time_machine.travel(due + timedelta(minutes=1), tick=False):
        assert remind_due() == 0


def test_a_call_the_day_before_does_not_carry_out_tomorrows_follow_up(world, owned):
    evening = timezone.make_aware(datetime(2026, 11, 24, 23, 30))
    with time_machine.travel(evening, tick=False):
        customer = owned()
        due = timezone.now() + timedelta(hours=1)  # 00:30 the next day
        actions.schedule_follow_up(customer, by=world.sale1, due_at=due)
        actions.log_activity(customer, by=world.sale1, kind="call", call_outcome="reached", duration_seconds=40)
    with time_machine.travel(due + timedelta(minutes=1), tick=False):
        assert remind_due() == 1


def test_reminder_task_is_periodic_and_runs_in_the_worker(world, owned, run_tasks):
    assert PERIODIC["sales.follow_up_reminders"][1] == "leadpool.sales.tasks.remind_follow_ups"
    from leadpool.sales.tasks import remind_follow_ups

    customer = owned()
    due = timezone.now() + timedelta(minutes=30)
    actions.schedule_follow_up(customer, by=world.sale1, due_at=due)
    with time_machine.travel(due + timedelta(minutes=1)):
        result = remind_follow_ups.enqueue()
        run_tasks()
        result.refresh()
        assert result.return_value == 1
