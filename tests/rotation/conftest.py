"""Rotation stories: a plain working Monday, people on duty, care given, rules changed."""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from leadpool.accounts.models import Attendance
from leadpool.rotation.worktime import VN

MONDAY = datetime(2026, 12, 7, 9, 0, tzinfo=VN)  # a plain working Monday, far from any holiday


@pytest.fixture
def clock():
    """clock.at(dt) moves time there (and keeps it still); clock.by(**delta) moves it on."""
    traveller = time_machine.travel(MONDAY, tick=False)
    shift = traveller.start()

    class Clock:
        def at(self, when):
            shift.move_to(when)
            return when

        def by(self, **delta):
            return self.at(timezone.now() + timedelta(**delta))

        @property
        def now(self):
            return timezone.now()

    yield Clock()
    traveller.stop()


@pytest.fixture
def on_duty(world):
    """on_duty(*users) checks people in today (default: the three salespeople of team A)."""

    def _on(*users):
        for user in users or (world.sale1, world.sale2, world.sale3):
            Attendance.objects.get_or_create(user=user, day=timezone.localdate())

    return _on


@pytest.fixture
def give_care():
    """give_care(customer, minimum=True): a real call with a note, a message, a second call."""
    from leadpool.sales.actions import log_activity

    def _care(customer, *, minimum: bool = True):
        by = customer.owner
        log_activity(customer, by=by, kind="call", call_outcome="reached", duration_seconds=95, body=f"Tư vấn căn 2PN cho khách #{customer.pk}, gửi bảng giá")
        if minimum:
            log_activity(customer, by=by, kind="message", body="Đã gửi tài liệu qua Zalo", channel="zalo")
            log_activity(customer, by=by, kind="call", call_outcome="reached", duration_seconds=60)

    return _care


@pytest.fixture
def into(world):
    """into(customer, "in_care", **details): the owner moves the customer to a status."""
    from leadpool.customers.models import Customer, Status
    from leadpool.sales.actions import change_status

    def _into(customer, key, by=None, **details):
        customer = Customer.objects.select_related("status").get(pk=customer.pk)
        change_status(customer, to=Status.objects.get(key=key), by=by or customer.owner, details=details)
        customer.refresh_from_db()
        return customer

    return _into


@pytest.fixture
def set_rules(world):
    """set_rules(**changes) saves a new rule version and recomputes the clocks of open customers."""
    from leadpool.rotation import rulesets
    from leadpool.rotation.models import RuleSet

    def _set(**changes):
        data = RuleSet.current().as_dict()
        data.update(changes)
        row = rulesets.save_version(data, by=world.manager, note="test")
        rulesets.recompute_task.call()
        return row

    return _set
