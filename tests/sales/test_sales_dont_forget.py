"""Đừng quên: no contact for N days (default 30) flags a customer; the periodic task is set-based and idempotent."""

from datetime import timedelta

import time_machine
from django.utils import timezone

from leadpool.customers.models import Customer
from leadpool.sales import actions
from leadpool.sales.dont_forget import sweep
from leadpool.worker import PERIODIC


def _flag(customer) -> bool:
    return Customer.objects.get(pk=customer.pk).dont_forget


def test_flagged_at_exactly_day_30(world, owned):
    start = timezone.now().replace(microsecond=0)
    with time_machine.travel(start, tick=False):
        customer = owned()
        actions.log_activity(customer, by=world.sale1, kind="call", call_outcome="reached", duration_seconds=60)
    with time_machine.travel(start + timedelta(days=30) - timedelta(seconds=1), tick=False):
        assert sweep() == {"flagged": 0, "cleared": 0}
        assert not _flag(customer)
    with time_machine.travel(start + timedelta(days=30), tick=False):
        assert sweep()["flagged"] == 1
        assert _flag(customer)
        assert sweep() == {"flagged": 0, "cleared": 0}  # idempotent


def test_never_contacted_counts_from_the_first_lead(world, owned):
    start = timezone.now().replace(microsecond=0)
    with time_machine.travel(start, tick=False):
        customer = owned()
    with time_machine.travel(start + timedelta(days=29, hours=23), tick=False):
        sweep()
        assert not _flag(customer)
    with time_machine.travel(start + timedelta(days=30), tick=False):
        sweep()
        assert _flag(customer)


def test_a_note_is_not_contact_but_a_call_clears_the_flag(world, owned):
    start = timezone.now().replace(microsecond=0)
    with time_machine.travel(start, tick=False):
        customer = owned()
    with time_machine.travel(start + timedelta(days=31), tick=False):
        sweep()
        actions.log_activity(customer, by=world.sale1, kind="note", body="nhớ gọi")
        assert _flag(customer)
        actions.log_activity(customer, by=world.sale1, kind="call", call_outcome="no_answer")
        assert not _flag(customer)
        assert sweep() == {"flagged": 0, "cleared": 0}


def test_sweep_clears_a_flag_when_contact_was_recorded_elsewhere(world, owned):
    customer = owned()
    Customer.objects.filter(pk=customer.pk).update(dont_forget=True)
    assert sweep() == {"flagged": 0, "cleared": 1}
    assert not _flag(customer)


def test_days_come_from_settings(world, owned, settings):
    settings.LEADPOOL = {**settings.LEADPOOL, "DONT_FORGET_DAYS": 7}
    start = timezone.now().replace(microsecond=0)
    with time_machine.travel(start, tick=False):
        customer = owned()
    with time_machine.travel(start + timedelta(days=7), tick=False):
        sweep()
        assert _flag(customer)


def test_periodic_task_is_registered_and_runs_in_the_worker(world, owned, run_tasks):
    assert PERIODIC["sales.dont_forget"] == (3600, "leadpool.sales.tasks.flag_dont_forget")
    from leadpool.sales.tasks import flag_dont_forget

    start = timezone.now().replace(microsecond=0)
    with time_machine.travel(start, tick=False):
        customer = owned()
    with time_machine.travel(start + timedelta(days=30), tick=False):
        result = flag_dont_forget.enqueue()
        run_tasks()
        result.refresh()
        assert result.return_value == {"flagged": 1, "cleared": 0}
    assert _flag(customer)


def test_owner_has_a_dont_forget_list(world, owned, login):
    forgotten = owned(name="Khách Bị Quên")
    fresh = owned(name="Khách Mới Liên Hệ")
    Customer.objects.filter(pk=forgotten.pk).update(dont_forget=True)
    client = login(world.sale1)
    html = client.get("/sales/dont-forget/").content.decode()
    assert "Khách Bị Quên" in html and "Khách Mới Liên Hệ" not in html
    assert fresh.pk not in [int(x) for x in __import__("re").findall(r'data-customer="(\d+)"', html)]
    home = client.get("/").content.decode()
    assert 'data-bucket="dont_forget"' in home
