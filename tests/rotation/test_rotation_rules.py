"""The pure rotation rule: hold times per status, phases, keeps, first-call limits, warnings, verdicts."""

from dataclasses import replace
from datetime import date, datetime, timedelta

from leadpool.rotation import rules as r
from leadpool.rotation import worktime as w

VN = w.VN
CAL = w.default_calendar(days_off=[date(2026, 9, 1), date(2026, 9, 2)])
RULES = r.Rules(version=1)
CARED = r.Care(calls=2, contacts=3, interactions=1, notes=1, follow_ups_done=0)


def at(y, mo, d, h, mi=0):
    return datetime(y, mo, d, h, mi, tzinfo=VN)


def facts(status="in_care", anchor=None, **kw):
    return r.Facts(customer_id=1, status_key=status, status_kind=kw.pop("kind", "open"), owner_id=kw.pop("owner", 7),
                   hold_anchor_at=anchor or at(2026, 11, 23, 10), **kw)


def test_in_care_holds_three_working_days():
    assert r.hold_end(facts("in_care"), RULES, CAL) == at(2026, 11, 26, 10)


def test_no_answer_rotates_like_in_care():
    assert r.hold_end(facts("no_answer"), RULES, CAL) == at(2026, 11, 26, 10)


def test_net_holds_seven_working_days():
    # Mon 23/11 10:00 + 7 working days (Sat counts, Sun not): 24,25,26,27,28,30/11, 1/12
    assert r.hold_end(facts("net"), RULES, CAL) == at(2026, 12, 1, 10)


def test_appointment_counts_from_the_appointment_date():
    f = facts("appointment", appointment_at=at(2026, 12, 2, 15))
    assert r.hold_end(f, RULES, CAL) == w.add_working_days(CAL, at(2026, 12, 2, 15), 7) == at(2026, 12, 10, 15)


def test_appointment_without_date_counts_from_entry():
    assert r.hold_end(facts("appointment"), RULES, CAL) == at(2026, 12, 1, 10)


def test_launch_phase_halves_hold_times():
    f = facts("in_care", projects=[("lotus", "launch")])
    assert r.hold_end(f, RULES, CAL) == w.add_working_days(CAL, at(2026, 11, 23, 10), 1.5)
    assert r.hold_end(f, RULES, CAL) < r.hold_end(facts("in_care"), RULES, CAL)
    net = facts("net", projects=[("lotus", "launch"), ("other", "nurture")])
    assert r.hold_end(net, RULES, CAL) == w.add_working_days(CAL, at(2026, 11, 23, 10), 3.5)


def test_project_override_beats_its_phase():
    rules = replace(RULES, project_factors={"lotus": 2.0})
    f = facts("in_care", projects=[("lotus", "launch")])
    # 3 × 2 = 6 working days: 24, 25, 26, 27, 28 (Saturday), 30/11
    assert r.hold_end(f, rules, CAL) == at(2026, 11, 30, 10)


def test_no_hold_for_won_nurture_unowned_or_new():
    assert r.hold_end(facts("deposit", kind="won"), RULES, CAL) is None
    assert r.hold_end(facts("no_need", kind="nurture"), RULES, CAL) is None
    assert r.hold_end(facts("in_care", owner=None), RULES, CAL) is None
    assert r.hold_end(facts("new"), RULES, CAL) is None


def test_keep_sets_its_own_deadline_until_the_status_moves():
    kept = facts("in_care", kept_until=at(2026, 12, 4, 17), kept_at=at(2026, 11, 26, 11))
    assert r.hold_end(kept, RULES, CAL) == at(2026, 12, 4, 17)
    moved_after = replace(kept, hold_anchor_at=at(2026, 11, 27, 9))
    assert r.hold_end(moved_after, RULES, CAL) == w.add_working_days(CAL, at(2026, 11, 27, 9), 3)


def test_first_call_limit_in_working_minutes():
    f = facts("new", uncalled_digital_lead_at=at(2026, 11, 23, 17, 20))
    assert r.first_call_due(f, RULES, CAL) == at(2026, 11, 24, 8, 20)
    assert r.first_call_due(facts("new"), RULES, CAL) is None


def test_next_deadline_warns_first_then_acts():
    f = facts("new", uncalled_digital_lead_at=at(2026, 11, 23, 9))
    d = r.next_deadline(f, RULES, CAL)
    assert (d.kind, d.at) == (r.FIRST_CALL_WARNING, at(2026, 11, 23, 9, 20))
    warned = replace(f, warned=frozenset({(r.FIRST_CALL, at(2026, 11, 23, 9, 30))}))
    d = r.next_deadline(warned, RULES, CAL)
    assert (d.kind, d.at) == (r.FIRST_CALL, at(2026, 11, 23, 9, 30))


def test_hold_warning_one_day_before():
    d = r.next_deadline(facts("in_care"), RULES, CAL)
    assert (d.kind, d.at) == (r.HOLD_WARNING, at(2026, 11, 25, 10))
    warned = facts("in_care", warned=frozenset({(r.HOLD, at(2026, 11, 26, 10))}))
    assert r.next_deadline(warned, RULES, CAL) == r.Deadline(at(2026, 11, 26, 10), r.HOLD)


def test_warning_never_before_the_clock_started():
    rules = replace(RULES, hold_warning_hours=24 * 30)
    assert r.next_deadline(facts("in_care"), rules, CAL).at == at(2026, 11, 23, 10)


def test_open_candidate_has_no_deadline():
    assert r.next_deadline(facts("in_care", open_candidate=True), RULES, CAL) == r.Deadline(None, r.CANDIDATE)


def test_verdict_before_and_after_hold():
    f = facts("in_care", care=CARED)
    assert r.verdict(f, RULES, CAL, at(2026, 11, 26, 9, 59)) is None
    v = r.verdict(f, RULES, CAL, at(2026, 11, 26, 10))
    assert v.kind == "hold" and v.missing_care == [] and v.rule == "hold:in_care:3d"
    assert [i["ok"] for i in v.checklist] == [True, True, True]


def test_minimum_care_missing_is_neglected():
    v = r.verdict(facts("in_care", care=r.Care(calls=1, contacts=1)), RULES, CAL, at(2026, 11, 27, 9))
    assert v.kind == "neglected"
    assert "Chưa tư vấn (chưa có tương tác thực tế)" in v.missing_care
    assert "Follow-up 0/2 lần" in v.missing_care
    assert "Chưa cập nhật ghi chú" in v.missing_care


def test_minimum_follow_ups_is_configurable():
    care = r.Care(calls=1, contacts=2, interactions=1, notes=1)
    assert r.minimum_care(care, RULES) == ["Follow-up 1/2 lần"]
    assert r.minimum_care(care, replace(RULES, min_follow_ups=1)) == []
    assert r.minimum_care(replace(care, follow_ups_done=2), RULES) == []


def test_checklists_per_status():
    net = r.checklist(facts("net", care=r.Care(notes=1, follow_up_scheduled=True)), RULES)
    assert [(i["key"], i["ok"]) for i in net] == [("care_plan", True), ("follow_up_scheduled", True)]
    appt = r.checklist(facts("appointment", appointment_at=at(2026, 12, 1, 9), care=r.Care()), RULES)
    assert [(i["key"], i["ok"]) for i in appt] == [("appointment_confirmed", True), ("follow_up_after_appointment", False)]


def test_status_after_rotation():
    assert RULES.status_after("in_care") == "in_care"
    assert RULES.status_after("net") == "in_care"
    assert RULES.status_after("no_answer") == "new"


def test_decision_deadline_in_working_hours():
    assert r.decision_deadline(at(2026, 11, 27, 16), RULES, CAL) == w.add_working_minutes(CAL, at(2026, 11, 27, 16), 24 * 60)
    assert r.decision_deadline(at(2026, 11, 27, 16), RULES, CAL) > at(2026, 11, 27, 16) + timedelta(hours=24)
