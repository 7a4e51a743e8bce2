"""Leader decisions: keep with a new deadline, rotate, reassign, escalation, auto-rotation, cap, exclusions, 404s."""

from datetime import datetime

import pytest
from django.core.exceptions import ValidationError

from leadpool.audit.models import AuditEntry
from leadpool.customers.models import Assignment, Customer
from leadpool.notify.models import Notification
from leadpool.rotation import decisions, distribution, sweep
from leadpool.rotation.models import Candidate
from leadpool.rotation.worktime import VN


def at(y, mo, d, h, mi=0):
    return datetime(y, mo, d, h, mi, tzinfo=VN)


def fresh(customer):
    return Customer.objects.select_related("status", "owner").get(pk=customer.pk)


@pytest.fixture
def candidate(world, make_customer, clock, on_duty, give_care, into):
    """A cared-for customer in care since Monday 9:10, listed on Thursday 10/12 9:10."""

    def _make(**kw):
        clock.at(at(2026, 12, 7, 9, 0))
        on_duty()
        c = make_customer(**kw).customer
        clock.at(at(2026, 12, 7, 9, 5))
        give_care(c)
        clock.at(at(2026, 12, 7, 9, 10))
        into(c, "in_care")
        clock.at(at(2026, 12, 10, 9, 10))
        on_duty()
        sweep.sweep()
        return Candidate.objects.select_related("customer__team").get(customer=c, state="open")

    return _make


def test_keep_with_reason_and_new_deadline(world, candidate, clock):
    cand = candidate()
    owner = cand.owner
    with pytest.raises(ValidationError):
        decisions.keep(cand, by=world.leader_a, reason="", until=at(2026, 12, 14, 17))
    with pytest.raises(ValidationError):
        decisions.keep(cand, by=world.leader_a, reason="Khách đang chờ vay", until=at(2026, 12, 9, 17))
    decisions.keep(cand, by=world.leader_a, reason="Khách đang chờ duyệt vay", until=at(2026, 12, 14, 17))
    cand.refresh_from_db()
    assert (cand.state, cand.decided_by, cand.keep_until) == ("kept", world.leader_a, at(2026, 12, 14, 17))
    c = fresh(cand.customer)
    assert c.owner == owner
    assert (c.next_deadline_kind, c.next_deadline_at) == ("hold_warning", at(2026, 12, 13, 17))
    assert AuditEntry.objects.filter(action="rotation.kept", target_id=str(c.pk)).exists()
    assert Notification.objects.filter(user=owner, kind="rotation_kept").exists()
    clock.at(at(2026, 12, 14, 16, 59))
    sweep.sweep()
    assert not Candidate.objects.filter(customer=c, state="open").exists()
    clock.at(at(2026, 12, 14, 17, 0))
    sweep.sweep()
    again = Candidate.objects.get(customer=c, state="open")
    assert again.rule == "keep:in_care"


def test_rotate_hands_over_with_fresh_status_and_clock_and_tells_both(world, candidate, clock, login):
    cand = candidate()
    previous = cand.owner
    decisions.rotate(cand, by=world.leader_a)
    cand.refresh_from_db()
    c = fresh(cand.customer)
    assert cand.state == "rotated" and cand.new_owner == c.owner
    assert c.owner not in (None, previous) and c.status.key == "in_care"
    row = Assignment.objects.get(customer=c, ended_at__isnull=True)
    assert (row.reason, row.rule, row.decided_by) == ("rotation", "hold:in_care:3d", world.leader_a)
    assert row.explanation["method"] == "ranking" and row.explanation["chosen"] == c.owner.pk
    ranked = {p["user"]: p for p in row.explanation["people"]}
    assert not ranked[previous.pk]["eligible"] and "không được nhận lại" in ranked[previous.pk]["reason"]
    assert Notification.objects.filter(user=previous, kind="rotated_out").exists()
    assert Notification.objects.filter(user=c.owner, kind="rotated_in").exists()
    assert AuditEntry.objects.filter(action="customer.assigned", target_id=str(c.pk), data__reason="rotation").exists()
    assert AuditEntry.objects.filter(action="rotation.decided", target_id=str(c.pk)).exists()
    # A fresh hold clock from the hand-over: 3 working days from Thursday 9:10.
    from leadpool.rotation.models import Clock

    clock_row = Clock.objects.get(pk=c.pk)
    assert clock_row.hold_anchor_at == at(2026, 12, 10, 9, 10) and clock_row.calls == 0  # fresh care expectations
    # The previous owner loses access at once: page and API answer 404; the new owner opens both.
    assert login(previous).get(f"/customers/{c.pk}/").status_code == 404
    assert login(previous).get(f"/api/v1/customers/{c.pk}").status_code == 404
    assert login(c.owner).get(f"/customers/{c.pk}/").status_code == 200
    assert login(c.owner).get(f"/api/v1/customers/{c.pk}").status_code == 200


def test_no_answer_goes_back_to_new_after_rotation(world, make_customer, clock, on_duty, give_care, into):
    on_duty()
    c = make_customer().customer
    give_care(c)
    clock.at(at(2026, 12, 7, 9, 30))
    into(c, "no_answer")
    clock.at(at(2026, 12, 10, 9, 30))
    on_duty()
    sweep.sweep()
    cand = Candidate.objects.get(customer=c, state="open")
    decisions.rotate(cand, by=world.leader_a)
    assert fresh(c).status.key == "new"


def test_previous_owners_are_excluded_for_good_and_the_last_goes_to_the_pool(world, candidate, clock, on_duty, give_care, into):
    cand = candidate()
    holders = [cand.owner]
    for _ in range(2):
        decisions.rotate(Candidate.objects.get(pk=cand.pk), by=world.leader_a)
        c = fresh(cand.customer)
        assert c.owner not in holders
        holders.append(c.owner)
        cand = Candidate.objects.create(customer=c, team=c.team, owner=c.owner, status_key="in_care", rule="hold:in_care:3d",
                                        due_at=clock.now, decide_by=clock.now)
    assert set(holders) == {world.sale1, world.sale2, world.sale3}
    decisions.rotate(cand, by=world.leader_a)
    c = fresh(cand.customer)
    assert c.owner is None and Assignment.objects.get(customer=c, ended_at__isnull=True).reason == "pool"


def test_cooling_off_period_ends(world, candidate, set_rules, clock):
    set_rules(cooling_off_days=30)
    cand = candidate()
    first = cand.owner
    decisions.rotate(cand, by=world.leader_a)
    c = fresh(cand.customer)
    from leadpool.rotation.config import current_rules
    from leadpool.rotation.distribution import cooling_off_ids

    assert first.pk in cooling_off_ids([c.pk], at=clock.now, rules=current_rules())[c.pk]
    clock.by(days=31)
    assert first.pk not in cooling_off_ids([c.pk], at=clock.now, rules=current_rules()).get(c.pk, set())


def test_reassign_picks_a_team_member_not_in_cooling_off(world, candidate):
    cand = candidate()
    previous = cand.owner
    other = next(u for u in (world.sale1, world.sale2, world.sale3) if u != previous)
    with pytest.raises(ValidationError):
        decisions.reassign(cand, by=world.leader_a, to=world.sale4, reason="khác đội")
    with pytest.raises(ValidationError):
        decisions.reassign(cand, by=world.leader_a, to=previous, reason="chính người đang giữ")
    decisions.reassign(cand, by=world.leader_a, to=other, reason="Bạn này quen khu vực Thủ Đức")
    c = fresh(cand.customer)
    assert c.owner == other
    row = Assignment.objects.get(customer=c, ended_at__isnull=True)
    assert (row.reason, row.note, row.decided_by) == ("reassign", "Bạn này quen khu vực Thủ Đức", world.leader_a)
    assert Candidate.objects.get(pk=cand.pk).state == "reassigned"


def test_other_teams_leader_may_not_decide(world, candidate):
    from django.core.exceptions import PermissionDenied

    cand = candidate()
    with pytest.raises(PermissionDenied):
        decisions.rotate(cand, by=world.leader_b)
    assert Candidate.objects.get(pk=cand.pk).state == "open"


def test_undecided_candidate_escalates_to_the_manager(world, candidate, clock):
    cand = candidate()
    # Listed Thursday 9:10; 24 working hours: Thu 500 + Fri 570 + Sat 240 + Mon 130 minutes → Monday 14/12 10:10.
    assert cand.decide_by == at(2026, 12, 14, 10, 10)
    clock.at(at(2026, 12, 14, 10, 9))
    assert sweep.sweep().escalated == 0
    clock.at(at(2026, 12, 14, 10, 10))
    assert sweep.sweep().escalated == 1
    assert sweep.sweep().escalated == 0
    cand.refresh_from_db()
    assert cand.escalated_at == at(2026, 12, 14, 10, 10) and cand.state == "open"
    assert Notification.objects.filter(user=world.manager, kind="rotation_escalated").exists()


def test_auto_rotation_when_switched_on(world, candidate, clock, set_rules, on_duty):
    set_rules(auto_rotate=True)
    cand = candidate()
    previous = cand.owner
    clock.at(at(2026, 12, 14, 10, 10))
    on_duty()
    report = sweep.sweep()
    assert report.auto_rotated == 1
    cand.refresh_from_db()
    c = fresh(cand.customer)
    assert cand.state == "auto_rotated" and cand.decided_by is None
    assert c.owner not in (None, previous)
    assert Assignment.objects.get(customer=c, ended_at__isnull=True).decided_by is None


def test_neglected_care_is_never_auto_rotated(world, make_customer, clock, on_duty, give_care, into, set_rules):
    set_rules(auto_rotate=True)
    on_duty()
    c = make_customer().customer
    give_care(c, minimum=False)
    into(c, "in_care")
    clock.at(at(2026, 12, 10, 9, 0))
    sweep.sweep()
    cand = Candidate.objects.get(customer=c)
    assert cand.kind == "neglected"
    clock.at(at(2026, 12, 15, 9, 0))
    on_duty()
    report = sweep.sweep()
    assert report.auto_rotated == 0 and report.escalated == 1
    assert fresh(c).owner == cand.owner


def test_auto_rotation_off_leaves_it_to_the_leader(world, candidate, clock):
    cand = candidate()
    clock.at(at(2026, 12, 15, 10, 0))
    assert sweep.sweep().auto_rotated == 0
    assert Candidate.objects.get(pk=cand.pk).state == "open" and fresh(cand.customer).owner == cand.owner


def test_the_cap_keeps_full_hands_out(world, make_customer, set_rules, on_duty, clock):
    set_rules(open_cap=2)
    on_duty()
    owners = [make_customer().customer.owner for _ in range(7)]
    counts = {u: owners.count(u) for u in (world.sale1, world.sale2, world.sale3)}
    assert counts == {world.sale1: 2, world.sale2: 2, world.sale3: 2}
    assert owners.count(None) == 1
    person, why = distribution.choose_owner(world.team_a)
    assert person is None and all("Đã đủ 2 khách" in p["reason"] for p in why["people"])


def test_bulk_decisions_each_on_its_own(world, make_customer, clock, on_duty, give_care, into):
    on_duty()
    rows = []
    for _ in range(3):
        c = make_customer().customer
        give_care(c)
        into(c, "in_care")
        rows.append(c)
    clock.at(at(2026, 12, 10, 10, 0))
    on_duty()
    sweep.sweep()
    cands = list(Candidate.objects.select_related("customer__team").filter(state="open"))
    assert len(cands) == 3
    result = decisions.decide_many(cands, action="rotate", by=world.leader_a)
    assert len(result["done"]) == 3 and not result["failed"]
    for cand in cands:
        assert fresh(cand.customer).owner != cand.owner
    result = decisions.decide_many(cands, action="rotate", by=world.leader_a)
    assert result["done"] == [] and len(result["failed"]) == 3  # already decided


def test_returning_customer_goes_to_current_owner(world, make_customer, on_duty):
    on_duty()
    first = make_customer("0912345678").customer
    again = make_customer("0912345678").customer
    assert again.pk == first.pk and fresh(again).owner == first.owner


def test_returning_customer_goes_through_the_ranking_once_the_hold_has_run_out(world, candidate, clock):
    cand = candidate()
    c = fresh(cand.customer)
    user, why, keeps = distribution.owner_for_returning(c)
    assert not keeps and user not in (None, cand.owner) and why["method"] == "ranking"


def test_returning_customer_stays_with_owner_while_the_hold_runs(world, make_customer, clock, on_duty, give_care, into):
    on_duty()
    c = make_customer().customer
    give_care(c)
    c = into(c, "in_care")
    user, why, keeps = distribution.owner_for_returning(c)
    assert keeps and user == c.owner
