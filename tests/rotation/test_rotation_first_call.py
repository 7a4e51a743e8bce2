"""Speed to lead: a digital lead not called within 30 working minutes is taken back and handed on."""

from datetime import datetime

from leadpool.customers.models import Assignment, Customer
from leadpool.notify.models import Notification
from leadpool.rotation import sweep
from leadpool.rotation.models import Violation
from leadpool.rotation.worktime import VN
from leadpool.sales.actions import log_activity

from .conftest import MONDAY


def at(y, mo, d, h, mi=0):
    return datetime(y, mo, d, h, mi, tzinfo=VN)


def fresh(customer):
    return Customer.objects.get(pk=customer.pk)


def test_inside_working_hours_warned_ten_minutes_before_then_reclaimed(world, make_customer, clock, on_duty):
    on_duty()
    c = make_customer().customer
    first = c.owner
    assert first in {world.sale1, world.sale2, world.sale3}
    c = fresh(c)
    assert (c.next_deadline_kind, c.next_deadline_at) == ("first_call_warning", at(2026, 12, 7, 9, 20))

    clock.at(at(2026, 12, 7, 9, 19))
    assert sweep.sweep().first_call_warnings == 0
    clock.at(at(2026, 12, 7, 9, 20))
    assert sweep.sweep().first_call_warnings == 1
    assert sweep.sweep().first_call_warnings == 0  # idempotent: warned once
    warning = Notification.objects.get(user=first, kind="speed_to_lead")
    assert "10 phút" in warning.body
    assert (fresh(c).next_deadline_kind, fresh(c).next_deadline_at) == ("first_call", at(2026, 12, 7, 9, 30))

    clock.at(at(2026, 12, 7, 9, 29))
    assert sweep.sweep().reclaimed == 0 and fresh(c).owner == first
    clock.at(at(2026, 12, 7, 9, 30))
    assert sweep.sweep().reclaimed == 1
    c = fresh(c)
    assert c.owner not in (None, first) and c.owner.memberships.filter(team=world.team_a).exists()
    row = Assignment.objects.get(customer=c, ended_at__isnull=True)
    assert row.reason == Assignment.Reason.FIRST_CALL and row.rule == "first_call:30m"
    assert row.explanation["chosen"] == c.owner.pk
    assert first.pk in {p["user"] for p in row.explanation["people"] if not p["eligible"]}
    violation = Violation.objects.get(kind=Violation.Kind.FIRST_CALL)
    assert violation.user == first and violation.customer_id == c.pk
    assert Notification.objects.filter(user=first, kind="rotated_out").exists()
    assert Notification.objects.filter(user=c.owner, kind="rotated_in").exists()
    # The new owner gets a fresh 30 minutes.
    assert (c.next_deadline_kind, c.next_deadline_at) == ("first_call_warning", at(2026, 12, 7, 9, 50))
    assert sweep.sweep().reclaimed == 0


def test_a_call_in_time_keeps_the_customer(world, make_customer, clock, on_duty):
    on_duty()
    c = make_customer().customer
    first = c.owner
    clock.at(at(2026, 12, 7, 9, 25))
    log_activity(c, by=first, kind="call", call_outcome="no_answer", duration_seconds=0)
    assert fresh(c).next_deadline_kind == ""
    clock.at(at(2026, 12, 7, 10, 0))
    report = sweep.sweep()
    assert report.reclaimed == 0 and fresh(c).owner == first
    assert not Violation.objects.exists()


def test_outside_working_hours_the_clock_waits_for_the_morning(world, make_customer, clock, on_duty):
    clock.at(at(2026, 12, 7, 18, 0))
    on_duty()
    c = make_customer().customer
    first = c.owner
    assert fresh(c).next_deadline_at == at(2026, 12, 8, 8, 20)  # warning 10 minutes before 08:30
    clock.at(at(2026, 12, 7, 23, 0))
    assert sweep.sweep().reclaimed == 0
    clock.at(at(2026, 12, 8, 8, 0))
    on_duty()
    sweep.sweep()
    clock.at(at(2026, 12, 8, 8, 29))
    assert sweep.sweep().reclaimed == 0 and fresh(c).owner == first
    clock.at(at(2026, 12, 8, 8, 30))
    assert sweep.sweep().reclaimed == 1
    assert fresh(c).owner not in (None, first)


def test_across_a_public_holiday(world, make_customer, clock, on_duty):
    # Monday 31/8/2026 17:20; 1 and 2/9 are National Day: the 30 minutes end on Thursday 3/9 08:20.
    clock.at(at(2026, 8, 31, 17, 20))
    on_duty()
    c = make_customer().customer
    first = c.owner
    assert fresh(c).next_deadline_at == at(2026, 9, 3, 8, 10)
    clock.at(at(2026, 9, 2, 16, 0))
    assert sweep.sweep().reclaimed == 0 and sweep.sweep().first_call_warnings == 0
    clock.at(at(2026, 9, 3, 8, 10))
    on_duty()
    assert sweep.sweep().first_call_warnings == 1
    clock.at(at(2026, 9, 3, 8, 19))
    assert sweep.sweep().reclaimed == 0
    clock.at(at(2026, 9, 3, 8, 20))
    assert sweep.sweep().reclaimed == 1 and fresh(c).owner != first


def test_nobody_else_on_duty_sends_the_reclaimed_customer_to_the_pool(world, make_customer, clock, on_duty):
    on_duty(world.sale1)
    c = make_customer().customer
    assert c.owner == world.sale1
    clock.at(MONDAY.replace(minute=30))
    assert sweep.sweep().reclaimed == 1
    c = fresh(c)
    assert c.owner is None and c.team == world.team_a
    assert Assignment.objects.get(customer=c, ended_at__isnull=True).reason == Assignment.Reason.POOL
    from leadpool.sales.attendance import check_in

    check_in(world.sale2)
    assert fresh(c).owner == world.sale2
    assert Assignment.objects.get(customer=c, ended_at__isnull=True).reason == Assignment.Reason.POOL
    assert Violation.objects.filter(user=world.sale1, kind="first_call").count() == 1


def test_non_digital_lead_has_no_first_call_clock(world, make_customer, clock, on_duty):
    on_duty()
    c = make_customer(src=world.hotline).customer
    assert fresh(c).next_deadline_kind == ""
