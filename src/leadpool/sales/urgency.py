"""What needs doing first (pure): a customer's clocks in, an urgency bucket and a sort key out."""

from datetime import UTC, datetime
from typing import NamedTuple

UNCALLED, DUE, HOLD, REST = 0, 1, 2, 3
BUCKETS = {UNCALLED: "uncalled", DUE: "due", HOLD: "hold", REST: "rest"}


class Facts(NamedTuple):
    pk: int
    waiting_since: datetime | None  # the oldest lead nobody has answered yet
    next_follow_up: datetime | None  # the earliest open follow-up
    next_deadline_at: datetime | None  # the hold (or first-call) deadline rotation keeps
    last_contact_at: datetime | None
    created_at: datetime
    dont_forget: bool = False


def classify(facts: Facts, end_of_today: datetime) -> tuple[int, datetime]:
    """Not yet called (oldest wait first), then follow-ups due by tonight (earliest first),
    then the soonest hold deadline, then the rest (longest without contact first)."""
    if facts.waiting_since is not None:
        return UNCALLED, facts.waiting_since
    if facts.next_follow_up is not None and facts.next_follow_up < end_of_today:
        return DUE, facts.next_follow_up
    if facts.next_deadline_at is not None:
        return HOLD, facts.next_deadline_at
    return REST, facts.last_contact_at or facts.created_at


def rank(all_facts: list[Facts], end_of_today: datetime) -> list[tuple[int, Facts]]:
    """Every customer with its bucket, most urgent first; ties fall to the older profile (lower id)."""
    # Times from the database are UTC: compare against UTC too (same tzinfo, no offset look-ups).
    end_of_today = end_of_today.astimezone(UTC)
    keyed = []
    for facts in all_facts:
        bucket, at = classify(facts, end_of_today)
        keyed.append((bucket, at, facts.pk, facts))
    keyed.sort(key=lambda item: (item[0], item[1], item[2]))
    return [(bucket, facts) for bucket, _at, _pk, facts in keyed]


def tally(ranked: list[tuple[int, Facts]]) -> dict[str, int]:
    counts = {name: 0 for name in BUCKETS.values()}
    counts["dont_forget"] = 0
    for bucket, facts in ranked:
        counts[BUCKETS[bucket]] += 1
        counts["dont_forget"] += facts.dont_forget
    counts["all"] = len(ranked)
    return counts
