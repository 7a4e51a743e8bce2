"""Hold times per status under the company calendar, warnings, candidates with evidence, neglected care."""

from datetime import datetime

from leadpool.customers.models import Customer
from leadpool.notify.models import Notification
from leadpool.rotation import sweep
from leadpool.rotation.models import Candidate, Violation
from leadpool.rotation.worktime import VN
from leadpool.sales.actions import log_activity


def at(y, mo, d, h, mi=0):
    return datetime(y, mo, d, h, mi, tzinfo=VN)


def fresh(customer):
    return Customer.objects.get(pk=customer.pk)


def cared_in_care(make_customer, give_care, into, clock, *, minimum=True, **kw):
    c = make_customer(**kw).customer
    clock.at(at(2026, 12, 7, 9, 5))
    give_care(c, minimum=minimum)
    clock.at(at(2026, 12, 7, 9, 10))
    return into(c, "in_care")


def test_three_days_in_care_warned_a_day_before_then_listed(world, make_customer, clock, on_duty, give_care, into):
    on_duty()
    c = cared_in_care(make_customer, give_care, into, clock)
    assert (c.next_deadline_kind, c.next_deadline_at) == ("hold_warning", at(2026, 12, 9, 9, 10))
    clock.at(at(2026, 12, 9, 9, 9))
    assert sweep.sweep().hold_warnings == 0
    clock.at(at(2026, 12, 9, 9, 10))
    assert sweep.sweep().hold_warnings == 1
    assert sweep.sweep().hold_warnings == 0
    note = Notification.objects.get(user=c.owner, kind="hold_warning")
    assert "Sắp hết thời gian giữ" in note.title
    assert (fresh(c).next_deadline_kind, fresh(c).next_deadline_at) == ("hold", at(2026, 12, 10, 9, 10))

    clock.at(at(2026, 12, 10, 9, 9))
    assert sweep.sweep().candidates == 0
    clock.at(at(2026, 12, 10, 9, 10))
    report = sweep.sweep()
    assert report.candidates == 1 and report.neglected == 0
    cand = Candidate.objects.get(customer=c)
    assert cand.kind == "hold" and cand.state == "open" and cand.owner == c.owner and cand.team == world.team_a
    assert cand.rule == "hold:in_care:3d"
    assert [i["ok"] for i in cand.evidence["checklist"]] == [True, True, True]
    assert cand.evidence["days_held"] == 3.0 and cand.evidence["care"]["calls"] == 2
    assert Notification.objects.filter(user=world.leader_a, kind="rotation_candidates").exists()
    assert fresh(c).next_deadline_kind == "candidate" and fresh(c).owner == c.owner  # the leader decides
    assert sweep.sweep().candidates == 0  # idempotent


def test_minimum_care_missing_is_listed_apart_and_counted(world, make_customer, clock, on_duty, give_care, into):
    on_duty()
    c = cared_in_care(make_customer, give_care, into, clock, minimum=False)
    clock.at(at(2026, 12, 10, 9, 10))
    report = sweep.sweep()
    assert report.neglected == 1 and report.candidates == 0
    cand = Candidate.objects.get(customer=c)
    assert cand.kind == "neglected"
    assert "Follow-up 0/2 lần" in cand.evidence["missing_care"]
    v = Violation.objects.get(kind="neglected_care")
    assert v.user == c.owner and v.customer_id == c.pk


def test_net_holds_seven_working_days(world, make_customer, clock, on_duty, give_care, into):
    on_duty()
    c = cared_in_care(make_customer, give_care, into, clock)
    clock.at(at(2026, 12, 8, 10, 0))
    log_activity(c, by=c.owner, kind="note", body="Khách có nhu cầu thật, tài chính phù hợp")
    c = into(c, "net", next_follow_up_at="2026-12-11T09:00")
    # Tue 8/12 10:00 + 7 working days: 9, 10, 11, 12 (Sat), 14, 15, 16/12
    clock.at(at(2026, 12, 16, 9, 59))
    sweep.sweep()
    assert not Candidate.objects.filter(customer=c).exists()
    clock.at(at(2026, 12, 16, 10, 0))
    assert sweep.sweep().candidates == 1
    cand = Candidate.objects.get(customer=c)
    assert cand.rule == "hold:net:7d" and {i["key"] for i in cand.evidence["checklist"]} == {"care_plan", "follow_up_scheduled"}


def test_appointment_holds_seven_days_from_the_appointment_date(world, make_customer, clock, on_duty, give_care, into):
    on_duty()
    c = cared_in_care(make_customer, give_care, into, clock)
    clock.at(at(2026, 12, 8, 10, 0))
    c = into(c, "appointment", appointment_at="2026-12-10T15:00", appointment_place="Nhà mẫu Lotus")
    # Thursday 10/12 15:00 + 7 working days: 11, 12 (Sat), 14, 15, 16, 17, 18/12 → Friday 18/12 15:00.
    clock.at(at(2026, 12, 18, 14, 59))
    sweep.sweep()
    assert not Candidate.objects.filter(customer=c).exists()
    clock.at(at(2026, 12, 18, 15, 0))
    assert sweep.sweep().candidates == 1
    cand = Candidate.objects.get(customer=c)
    checklist = {i["key"]: i["ok"] for i in cand.evidence["checklist"]}
    assert checklist == {"appointment_confirmed": True, "follow_up_after_appointment": False}


def test_launch_phase_halves_the_hold(world, make_customer, clock, on_duty, give_care, into):
    world.lotus.phase = "launch"
    world.lotus.save()
    on_duty()
    c = cared_in_care(make_customer, give_care, into, clock)
    # Mon 9:10 + 1.5 working days: Tuesday 9:10 + 285 minutes = 13:55
    clock.at(at(2026, 12, 8, 13, 54))
    sweep.sweep()
    assert not Candidate.objects.filter(customer=c).exists()
    clock.at(at(2026, 12, 8, 13, 55))
    sweep.sweep()
    assert Candidate.objects.get(customer=c).rule == "hold:in_care:3d"


def test_progress_restarts_the_clock_but_a_raise_without_activity_does_not(world, make_customer, clock, on_duty, give_care, into):
    on_duty()
    c = cared_in_care(make_customer, give_care, into, clock)
    clock.at(at(2026, 12, 9, 11, 0))
    c = into(c, "net", next_follow_up_at="2026-12-12T09:00")  # no activity since entering in care
    flag = Violation.objects.get(kind="status_no_activity")
    assert flag.user == c.owner
    # Not progress: the in-care clock (Mon 9:10 → Thu 9:10) keeps running, now judged by NET's length.
    assert fresh(c).next_deadline_at == at(2026, 12, 15, 9, 10) or fresh(c).next_deadline_kind == "hold_warning"
    from leadpool.rotation.models import Clock

    assert Clock.objects.get(pk=c.pk).hold_anchor_at == at(2026, 12, 7, 9, 10)


def test_zero_second_calls_do_not_count_as_care(world, make_customer, clock, on_duty):
    on_duty()
    c = make_customer().customer
    owner = c.owner
    a = log_activity(c, by=owner, kind="call", call_outcome="reached", duration_seconds=0)
    assert a.flagged
    from leadpool.rotation.models import Clock

    clock_row = Clock.objects.get(pk=c.pk)
    assert (clock_row.calls, clock_row.interactions, clock_row.flagged) == (0, 0, 1)
    assert Violation.objects.get(kind="zero_second_call").user == owner


def test_copied_note_flagged_for_the_same_author(world, make_customer, clock, on_duty):
    on_duty(world.sale1)
    c1 = make_customer().customer
    c2 = make_customer().customer
    assert c1.owner == c2.owner == world.sale1
    text = "Khách quan tâm căn 2 phòng ngủ, hẹn gọi lại cuối tuần"
    log_activity(c1, by=world.sale1, kind="note", body=text)
    log_activity(c2, by=world.sale1, kind="note", body=text)
    from leadpool.rotation.models import Clock
    from leadpool.sales.models import Activity

    assert Activity.objects.get(customer=c2, kind="note").flagged
    assert not Activity.objects.get(customer=c1, kind="note").flagged
    assert Clock.objects.get(pk=c2.pk).notes == 0 and Clock.objects.get(pk=c1.pk).notes == 1
    assert Violation.objects.get(kind="copied_note").customer_id == c2.pk
