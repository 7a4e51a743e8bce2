"""The pure distribution ranking: eligibility, scores, weighted round-robin, fairness and its reasons."""

import itertools
from collections import Counter
from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from leadpool.rotation import ranking
from leadpool.rotation.ranking import Person

W = {"attendance": 1, "speed": 1, "on_time": 1, "progress": 1}


def people(n=5, **kw):
    return [Person(user_id=i + 1, name=f"p{i + 1}", attendance_days=20, working_days=20, **kw) for i in range(n)]


def hand_out(team, n, **kw):
    counts = Counter()
    for customer_id in range(1, n + 1):
        choice = ranking.rank(team, customer_id=customer_id, weights=W, cap=kw.get("cap", 0), band=0.15)
        if choice.chosen is None:
            counts[None] += 1
            continue
        counts[choice.chosen.user_id] += 1
        team = ranking.received_after(team, choice.chosen.user_id)
    return counts


def test_fairness_10000_assignments_among_equals_within_5_percent():
    counts = hand_out(people(7), 10_000)
    assert sum(counts.values()) == 10_000
    low, high = min(counts.values()), max(counts.values())
    assert (high - low) / high <= 0.05, counts
    assert high - low <= 1


def test_better_workers_get_more_among_the_best_band():
    team = [replace(p, median_first_call_minutes=5.0) for p in people(2)] + [replace(people(1)[0], user_id=3, median_first_call_minutes=40.0)]
    counts = hand_out(team, 3000)
    assert counts[1] > counts[3] and counts[2] > counts[3]
    assert abs(counts[1] - counts[2]) <= 1


def test_far_below_the_best_gets_nothing_while_best_are_available():
    team = people(2) + [Person(user_id=9, name="lazy", attendance_days=1, working_days=20, median_first_call_minutes=120,
                               on_time_share=0.0, moved_up_share=0.0)]
    counts = hand_out(team, 100)
    assert counts[9] == 0
    choice = ranking.rank(team, customer_id=1, weights=W, cap=0)
    lazy = next(s for s in choice.ordered if s.person.user_id == 9)
    assert lazy.eligible and not lazy.in_best and "thấp hơn nhóm dẫn đầu" in lazy.reason


def test_not_checked_in_cooling_off_inactive_and_capped_are_excluded_with_reasons():
    team = [
        Person(user_id=1, checked_in=False),
        Person(user_id=2, cooling_off=True),
        Person(user_id=3, active=False),
        Person(user_id=4, open_customers=10),
        Person(user_id=5, open_customers=9),
    ]
    choice = ranking.rank(team, customer_id=42, weights=W, cap=10)
    assert choice.chosen.user_id == 5
    reasons = {s.person.user_id: s.reason for s in choice.ordered}
    assert reasons[1] == "Chưa chấm công hôm nay"
    assert "không được nhận lại" in reasons[2]
    assert reasons[3] == "Không còn hoạt động trong đội"
    assert reasons[4] == "Đã đủ 10 khách đang xử lý"


def test_nobody_eligible_means_the_pool():
    choice = ranking.rank([Person(user_id=1, checked_in=False)], customer_id=1, weights=W, cap=0)
    assert choice.chosen is None and "kho của đội" in choice.why


def test_check_in_requirement_can_be_turned_off():
    choice = ranking.rank([Person(user_id=1, checked_in=False)], customer_id=1, weights=W, cap=0, require_check_in=False)
    assert choice.chosen.user_id == 1


def test_ties_never_follow_creation_order():
    team = people(6)
    firsts = Counter(ranking.rank(team, customer_id=c, weights=W, cap=0).chosen.user_id for c in range(1, 601))
    assert len(firsts) == 6  # every one of the equals goes first for some customers
    assert max(firsts.values()) < 200
    for perm in itertools.islice(itertools.permutations(team), 20):
        assert ranking.rank(list(perm), customer_id=77, weights=W, cap=0).chosen.user_id == ranking.rank(
            team, customer_id=77, weights=W, cap=0
        ).chosen.user_id


def test_fewest_received_goes_first_among_equals():
    team = [replace(p, received=p.user_id) for p in people(4)]
    assert ranking.rank(team, customer_id=5, weights=W, cap=0).chosen.user_id == 1


def test_explanation_lists_everyone_with_reasons():
    team = people(3) + [Person(user_id=9, name="off", checked_in=False)]
    choice = ranking.rank(team, customer_id=1, weights=W, cap=0)
    data = choice.explanation(rule_version=3)
    assert data["rule_version"] == 3 and data["chosen"] == choice.chosen.user_id
    assert {p["user"] for p in data["people"]} == {1, 2, 3, 9}
    assert data["people"][0]["user"] == choice.chosen.user_id and data["people"][0]["reason"].startswith("Được chọn")
    assert set(data["people"][0]["parts"]) == {"attendance", "speed", "on_time", "progress"}


def test_newcomers_are_scored_neutral():
    s, parts = ranking.score(Person(user_id=1, attendance_days=0, working_days=0), W)
    assert parts["speed"] == parts["on_time"] == parts["progress"] == ranking.NEUTRAL


@settings(max_examples=30, deadline=None)
@given(n=st.integers(min_value=2, max_value=9), customers=st.integers(min_value=50, max_value=400))
def test_equals_share_within_one(n, customers):
    counts = hand_out(people(n), customers)
    assert max(counts.values()) - min(counts.get(i, 0) for i in range(1, n + 1)) <= 1
