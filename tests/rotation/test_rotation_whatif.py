"""What-if: a draft rule's effect on today's customers, counted in one grouped query, matching the sweep."""

from dataclasses import replace
from datetime import datetime

from leadpool.rotation import config, sweep, whatif
from leadpool.rotation.models import Candidate, RuleSet
from leadpool.rotation.worktime import VN


def at(y, mo, d, h, mi=0):
    return datetime(y, mo, d, h, mi, tzinfo=VN)


def build(make_customer, give_care, into, clock, n=4, **kw):
    rows = []
    for i in range(n):
        clock.at(at(2026, 12, 7, 9, 10 + i))
        c = make_customer(**kw).customer
        give_care(c, minimum=i % 2 == 0)
        rows.append(into(c, "in_care"))
    return rows


def test_counts_now_and_within_seven_days(world, make_customer, clock, on_duty, give_care, into):
    on_duty()
    build(make_customer, give_care, into, clock)
    clock.at(at(2026, 12, 9, 9, 0))
    rules = config.current_rules()
    p = whatif.preview(rules)
    assert p.total.open == 4 and p.total.current_now == 0 and p.total.current_week == 4
    halved = replace(rules, phase_factors={**rules.phase_factors, "nurture": 0.5})
    p = whatif.preview(halved)
    # Halved: 1.5 working days from Monday 9:10-9:13 → Tuesday ~13:55: all four are due by Wednesday 9:00.
    assert p.total.draft_now == 4 and p.total.current_now == 0
    assert p.total.draft_neglected_now == 2
    assert len(p.teams) == 1 and p.teams[0].team == "Đội A"
    assert sum(r.draft_now for r in p.rows) == 4
    assert {r.owner_id for r in p.rows} <= {world.sale1.pk, world.sale2.pk, world.sale3.pk}
    assert all(r.owner.endswith(f"({r.owner.split('(')[-1]}") and "(sale" in r.owner for r in p.rows)
    assert RuleSet.objects.count() == 1  # nothing saved


def test_preview_agrees_with_the_sweep(world, make_customer, clock, on_duty, give_care, into):
    on_duty()
    build(make_customer, give_care, into, clock, n=3)
    build(make_customer, give_care, into, clock, n=2, project=world.songhan)
    world.songhan.phase = "launch"
    world.songhan.save()
    from leadpool.rotation.rulesets import recompute_task

    recompute_task.call()
    for moment in (at(2026, 12, 8, 14, 0), at(2026, 12, 10, 9, 11), at(2026, 12, 10, 9, 20)):
        clock.at(moment)
        predicted = whatif.preview(config.current_rules()).total.current_now
        sweep.sweep()
        assert Candidate.objects.filter(state="open").count() == predicted


def test_kept_customers_follow_their_new_deadline(world, make_customer, clock, on_duty, give_care, into):
    from leadpool.rotation import decisions

    on_duty()
    build(make_customer, give_care, into, clock, n=1)
    clock.at(at(2026, 12, 10, 10, 0))
    sweep.sweep()
    cand = Candidate.objects.get()
    decisions.keep(cand, by=world.leader_a, reason="Khách đi công tác", until=at(2026, 12, 21, 9))
    p = whatif.preview(config.current_rules())
    assert p.total.current_now == 0 and p.total.current_week == 0
    clock.at(at(2026, 12, 15, 9))
    assert whatif.preview(config.current_rules()).total.current_week == 1
