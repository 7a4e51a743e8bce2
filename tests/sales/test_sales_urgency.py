"""The urgency order as a pure function: every bucket boundary, tie-breaks and the tallies."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from leadpool.sales.urgency import DUE, HOLD, REST, UNCALLED, Facts, classify, rank, tally

VN = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=VN)
TONIGHT = datetime(2026, 11, 24, 0, 0, tzinfo=VN)


def facts(pk=1, *, waiting=None, follow_up=None, deadline=None, contact=None, created=NOW - timedelta(days=9),
          dont_forget=False) -> Facts:
    return Facts(pk, waiting, follow_up, deadline, contact, created, dont_forget)


def test_waiting_for_a_first_call_comes_before_everything():
    assert classify(facts(waiting=NOW, follow_up=NOW - timedelta(days=1), deadline=NOW), TONIGHT) == (UNCALLED, NOW)


def test_follow_up_due_until_midnight_local():
    assert classify(facts(follow_up=TONIGHT - timedelta(seconds=1)), TONIGHT)[0] == DUE
    assert classify(facts(follow_up=NOW - timedelta(days=3)), TONIGHT)[0] == DUE  # overdue
    assert classify(facts(follow_up=TONIGHT), TONIGHT)[0] == REST  # tomorrow's is not today's work
    assert classify(facts(follow_up=TONIGHT, deadline=NOW + timedelta(days=2)), TONIGHT)[0] == HOLD


def test_hold_then_rest_by_longest_silence():
    assert classify(facts(deadline=NOW + timedelta(hours=3)), TONIGHT) == (HOLD, NOW + timedelta(hours=3))
    contact = NOW - timedelta(days=4)
    assert classify(facts(contact=contact), TONIGHT) == (REST, contact)
    assert classify(facts(), TONIGHT) == (REST, NOW - timedelta(days=9))  # never contacted: since created


def test_rank_orders_within_buckets_and_breaks_ties_by_id():
    items = [
        facts(1, contact=NOW - timedelta(days=1)),
        facts(2, deadline=NOW + timedelta(days=3)),
        facts(3, deadline=NOW + timedelta(hours=1)),
        facts(4, follow_up=NOW + timedelta(hours=2)),
        facts(5, follow_up=NOW - timedelta(hours=2)),
        facts(6, waiting=NOW - timedelta(minutes=5)),
        facts(7, waiting=NOW - timedelta(minutes=40)),
        facts(9, contact=NOW - timedelta(days=20)),
        facts(8, contact=NOW - timedelta(days=20)),
    ]
    assert [f.pk for _b, f in rank(items, TONIGHT)] == [7, 6, 5, 4, 3, 2, 8, 9, 1]


def test_tally():
    ranked = rank([facts(1, waiting=NOW), facts(2, dont_forget=True), facts(3, follow_up=NOW, dont_forget=True)], TONIGHT)
    assert tally(ranked) == {"uncalled": 1, "due": 1, "hold": 0, "rest": 1, "dont_forget": 2, "all": 3}


moments = st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 1, 1)).map(lambda d: d.replace(tzinfo=UTC))


@settings(deadline=None)  # a shared, busy machine: judge the property, not the speed
@given(st.lists(st.tuples(st.none() | moments, st.none() | moments, st.none() | moments, st.none() | moments),
                max_size=40))
def test_rank_is_a_total_order_with_buckets_ascending(rows):
    items = [facts(i, waiting=w, follow_up=f, deadline=d, contact=c) for i, (w, f, d, c) in enumerate(rows)]
    ranked = rank(items, TONIGHT)
    assert sorted(f.pk for _b, f in ranked) == list(range(len(items)))
    buckets = [b for b, _f in ranked]
    assert buckets == sorted(buckets)
    assert tally(ranked)["all"] == len(items)
