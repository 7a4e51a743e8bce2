"""Who should get a customer (pure): salespeople's figures in, an ordered choice with reasons out.

Scored on attendance, speed to first call, follow-ups on time and real progress; held under a cap;
weighted round-robin among the best so equals share equally; ties broken by a hash of
(customer, person), never by seniority or the order people were created.
"""

import hashlib
from dataclasses import dataclass, field

# Median first call at or under FAST scores 1, at or over SLOW scores 0, linear between.
FAST_MINUTES = 5.0
SLOW_MINUTES = 120.0
# A newcomer without figures yet is scored in the middle, neither favoured nor punished.
NEUTRAL = 0.5


@dataclass(frozen=True)
class Person:
    user_id: int
    name: str = ""
    username: str = ""
    active: bool = True
    checked_in: bool = True
    attendance_days: int = 0  # days checked in over the last 30 days
    working_days: int = 26  # working days in the same window
    median_first_call_minutes: float | None = None
    on_time_share: float | None = None  # follow-ups done on time / follow-ups due
    moved_up_share: float | None = None  # customers moved up (with activity behind) / customers held
    open_customers: int = 0  # may be counted only up to the cap: whoever reached it is not handed more
    received: int = 0  # customers handed to this person by distribution over the recent window
    cooling_off: bool = False  # held this customer before and is still in the cooling-off period


@dataclass(frozen=True)
class Scored:
    person: Person
    score: float
    parts: dict
    eligible: bool
    reason: str
    in_best: bool = False
    turn: float = 0.0  # lower goes first: received per unit of weight


@dataclass
class Choice:
    chosen: Person | None
    ordered: list[Scored] = field(default_factory=list)
    why: str = ""
    cap: int = 0

    def explanation(self, *, rule_version: int = 0) -> dict:
        """What is stored in Assignment.explanation, for a leader to read later."""
        return {
            "method": "ranking",
            "rule_version": rule_version,
            "chosen": self.chosen.user_id if self.chosen else None,
            "why": self.why,
            "people": [
                {
                    "user": s.person.user_id,
                    "name": s.person.name,
                    "username": s.person.username,
                    "score": round(s.score, 3),
                    "parts": {k: round(v, 3) for k, v in s.parts.items()},
                    "open": s.person.open_customers,
                    # At the cap the count stopped there: the person holds at least that many.
                    "open_at_least": bool(self.cap and s.person.open_customers >= self.cap),
                    "received": s.person.received,
                    "eligible": s.eligible,
                    "best": s.in_best,
                    "reason": s.reason,
                }
                for s in self.ordered
            ],
        }


def _clamp(x: float) -> float:
    return max(0.0, min(1.0, x))


def parts(p: Person) -> dict:
    attendance = _clamp(p.attendance_days / p.working_days) if p.working_days else NEUTRAL
    if p.median_first_call_minutes is None:
        speed = NEUTRAL
    else:
        speed = _clamp((SLOW_MINUTES - p.median_first_call_minutes) / (SLOW_MINUTES - FAST_MINUTES))
    on_time = NEUTRAL if p.on_time_share is None else _clamp(p.on_time_share)
    progress = NEUTRAL if p.moved_up_share is None else _clamp(p.moved_up_share)
    return {"attendance": attendance, "speed": speed, "on_time": on_time, "progress": progress}


def score(p: Person, weights: dict) -> tuple[float, dict]:
    values = parts(p)
    total = sum(max(0.0, float(weights.get(k, 0))) for k in values)
    if total <= 0:
        return NEUTRAL, values
    return sum(values[k] * max(0.0, float(weights.get(k, 0))) for k in values) / total, values


def tie_break(customer_id: int | None, user_id: int) -> str:
    """Fair and stable: the same customer and person always hash the same, unrelated to who joined first."""
    return hashlib.sha256(f"{customer_id}:{user_id}".encode()).hexdigest()


def rank(
    people: list[Person],
    *,
    customer_id: int | None,
    weights: dict,
    cap: int,
    band: float = 0.15,
    require_check_in: bool = True,
) -> Choice:
    """Order everyone: eligible people in the best band by their turn, then the rest, each with a reason."""
    scored: list[Scored] = []
    for p in people:
        s, values = score(p, weights)
        if not p.active:
            reason = "Không còn hoạt động trong đội"
        elif p.cooling_off:
            reason = "Từng giữ khách này, đang trong thời gian không được nhận lại"
        elif require_check_in and not p.checked_in:
            reason = "Chưa chấm công hôm nay"
        elif cap and p.open_customers >= cap:
            reason = f"Đã đủ {cap} khách đang xử lý"
        else:
            reason = ""
        scored.append(Scored(p, s, values, eligible=not reason, reason=reason))

    eligible = [s for s in scored if s.eligible]
    if not eligible:
        why = "Không có ai đủ điều kiện đang làm việc: khách chờ trong kho của đội"
        return Choice(None, sorted(scored, key=lambda s: (-s.score, tie_break(customer_id, s.person.user_id))), why, cap)

    best_score = max(s.score for s in eligible)
    ordered_eligible = []
    for s in eligible:
        in_best = s.score >= best_score - band - 1e-9
        weight = max(s.score, 0.05)
        turn = (s.person.received + 1) / weight if in_best else float("inf")
        reason = (
            f"Nhóm điểm cao nhất; đã nhận {s.person.received} khách gần đây"
            if in_best
            else f"Điểm thấp hơn nhóm dẫn đầu ({s.score:.2f} < {best_score - band:.2f})"
        )
        ordered_eligible.append(Scored(s.person, s.score, s.parts, True, reason, in_best, turn))
    ordered_eligible.sort(key=lambda s: (not s.in_best, s.turn, -s.score, tie_break(customer_id, s.person.user_id)))
    chosen = ordered_eligible[0]
    rest = sorted((s for s in scored if not s.eligible), key=lambda s: (-s.score, tie_break(customer_id, s.person.user_id)))
    why = (
        f"{chosen.person.name or chosen.person.user_id}: điểm {chosen.score:.2f} trong nhóm dẫn đầu, "
        f"đến lượt theo vòng chia có trọng số ({chosen.person.received} khách gần đây, "
        f"{chosen.person.open_customers} đang xử lý)"
    )
    ordered_eligible[0] = Scored(chosen.person, chosen.score, chosen.parts, True, "Được chọn: " + chosen.reason, True, chosen.turn)
    return Choice(chosen.person, ordered_eligible + rest, why, cap)


def received_after(people: list[Person], user_id: int) -> list[Person]:
    """The same figures once `user_id` has been handed one more customer (for handing out many at once)."""
    from dataclasses import replace

    return [
        replace(p, received=p.received + 1, open_customers=p.open_customers + 1) if p.user_id == user_id else p
        for p in people
    ]
