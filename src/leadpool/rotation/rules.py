"""The rotation rule itself (pure): a customer's facts and the rule set in, a deadline or a verdict out."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from . import worktime
from .worktime import Calendar

# What keeping a customer requires, per requirement key: the label shown on the care checklist.
REQUIREMENTS = {
    "call": "Có lịch sử gọi",
    "interaction": "Có tương tác thực tế",
    "note": "Có ghi chú chăm sóc",
    "care_plan": "Có kế hoạch chăm sóc",
    "follow_up_scheduled": "Có lịch follow-up cụ thể",
    "appointment_confirmed": "Có xác nhận lịch hẹn",
    "follow_up_after_appointment": "Có follow-up sau hẹn",
}

DEFAULT_STATUSES = {
    "in_care": {"hold_days": 3, "rule": "no_progress", "requires": ["call", "interaction", "note"]},
    "no_answer": {"hold_days": 3, "rule": "no_progress", "requires": ["call", "interaction", "note"]},
    "net": {"hold_days": 7, "rule": "no_progress", "requires": ["care_plan", "follow_up_scheduled"]},
    "appointment": {
        "hold_days": 7,
        "rule": "from_appointment",
        "requires": ["appointment_confirmed", "follow_up_after_appointment"],
    },
}
DEFAULT_PHASE_FACTORS = {"nurture": 1.0, "pre_launch": 1.0, "launch": 0.5, "handover": 1.0}
DEFAULT_WEIGHTS = {"attendance": 1.0, "speed": 1.0, "on_time": 1.0, "progress": 1.0}

# Kinds of stored deadlines (Customer.next_deadline_kind).
FIRST_CALL_WARNING = "first_call_warning"
FIRST_CALL = "first_call"
HOLD_WARNING = "hold_warning"
HOLD = "hold"
CANDIDATE = "candidate"
SWEPT_KINDS = (FIRST_CALL_WARNING, FIRST_CALL, HOLD_WARNING, HOLD)


@dataclass(frozen=True)
class Rules:
    """One version of the company's rotation rule (see RuleSet for the editable, audited record)."""

    version: int = 0
    first_call_minutes: int = 30
    first_call_warning_minutes: int = 10
    hold_warning_hours: int = 24
    statuses: dict = field(default_factory=lambda: {k: dict(v) for k, v in DEFAULT_STATUSES.items()})
    phase_factors: dict = field(default_factory=lambda: dict(DEFAULT_PHASE_FACTORS))
    project_factors: dict = field(default_factory=dict)
    min_follow_ups: int = 2
    decision_hours: int = 24
    auto_rotate: bool = False
    open_cap: int = 150
    cooling_off_days: int | None = None
    status_after_rotation: str = "in_care"
    status_after_rotation_map: dict = field(default_factory=lambda: {"no_answer": "new"})
    require_check_in: bool = True
    weights: dict = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    ranking_band: float = 0.15

    def hold_days(self, status_key: str) -> float | None:
        spec = self.statuses.get(status_key)
        if not spec or not spec.get("hold_days"):
            return None
        return float(spec["hold_days"])

    def hold_rule(self, status_key: str) -> str:
        spec = self.statuses.get(status_key) or {}
        return spec.get("rule", "none") if spec.get("hold_days") else "none"

    def requires(self, status_key: str) -> list[str]:
        return list((self.statuses.get(status_key) or {}).get("requires", []))

    def factor(self, projects: list[tuple[str, str]]) -> float:
        """The hold-time factor for a customer's projects as (code, phase): the most urgent project wins."""
        factors = [
            float(self.project_factors[code]) if code in self.project_factors else float(self.phase_factors.get(phase, 1.0))
            for code, phase in projects
        ]
        return min(factors) if factors else 1.0

    def status_after(self, status_key: str) -> str:
        return self.status_after_rotation_map.get(status_key, self.status_after_rotation)


@dataclass(frozen=True)
class Care:
    """What was really done for the customer under its current owner (flagged activities excluded)."""

    calls: int = 0  # calls logged, answered or not
    contacts: int = 0  # calls, messages, meetings, e-mails: every attempt to reach the customer
    interactions: int = 0  # reached calls with a duration, messages, meetings, e-mails
    notes: int = 0  # care notes, or calls with a written note
    follow_ups_done: int = 0
    follow_up_scheduled: bool = False  # an open follow-up ahead
    contacts_after_appointment: int = 0
    flagged: int = 0  # activities that did not count (zero-second calls, copied notes...)

    @property
    def follow_ups(self) -> int:
        """Follow-ups: scheduled ones done, or contacts after the first one, whichever is more."""
        return max(self.follow_ups_done, self.contacts - 1, 0)


@dataclass(frozen=True)
class Facts:
    customer_id: int
    status_key: str
    status_kind: str  # open, won, nurture
    owner_id: int | None
    hold_anchor_at: datetime  # when the hold clock started: status entered under the current owner
    projects: list[tuple[str, str]] = field(default_factory=list)
    appointment_at: datetime | None = None
    uncalled_digital_lead_at: datetime | None = None  # start of the first-call clock, None when nothing waits
    care: Care = field(default_factory=Care)
    kept_until: datetime | None = None
    kept_at: datetime | None = None
    open_candidate: bool = False
    warned: frozenset = frozenset()  # (kind, deadline) pairs already warned about


@dataclass(frozen=True)
class Deadline:
    at: datetime | None
    kind: str  # one of the kinds above, or "" for none


def hold_start(facts: Facts, rules: Rules) -> datetime:
    if rules.hold_rule(facts.status_key) == "from_appointment" and facts.appointment_at is not None:
        return facts.appointment_at
    return facts.hold_anchor_at


def hold_end(facts: Facts, rules: Rules, cal: Calendar) -> datetime | None:
    """When this customer's hold runs out under its current owner; None when no hold applies."""
    if facts.owner_id is None or facts.status_kind != "open":
        return None
    if facts.kept_until is not None and facts.kept_at is not None and facts.kept_at >= facts.hold_anchor_at:
        return facts.kept_until  # a leader kept the customer until a date they chose
    days = rules.hold_days(facts.status_key)
    if days is None:
        return None
    return worktime.add_working_days(cal, hold_start(facts, rules), days * rules.factor(facts.projects))


def first_call_due(facts: Facts, rules: Rules, cal: Calendar) -> datetime | None:
    """The first-call limit for a digital lead nobody has called yet, counted in working minutes."""
    if facts.owner_id is None or facts.uncalled_digital_lead_at is None or facts.status_kind != "open":
        return None
    return worktime.add_working_minutes(cal, facts.uncalled_digital_lead_at, rules.first_call_minutes)


def warning_at(deadline: datetime, lead: timedelta, not_before: datetime) -> datetime:
    return max(deadline - lead, not_before)


def next_deadline(facts: Facts, rules: Rules, cal: Calendar) -> Deadline:
    """The next moment the sweep must act: a warning first, then the deadline it warns about."""
    if facts.open_candidate:
        return Deadline(None, CANDIDATE)
    options: list[Deadline] = []
    due = first_call_due(facts, rules, cal)
    if due is not None:
        if (FIRST_CALL, due) in facts.warned or rules.first_call_warning_minutes <= 0:
            options.append(Deadline(due, FIRST_CALL))
        else:
            start = facts.uncalled_digital_lead_at
            options.append(Deadline(warning_at(due, timedelta(minutes=rules.first_call_warning_minutes), start), FIRST_CALL_WARNING))
    end = hold_end(facts, rules, cal)
    if end is not None:
        if (HOLD, end) in facts.warned or rules.hold_warning_hours <= 0:
            options.append(Deadline(end, HOLD))
        else:
            start = hold_start(facts, rules)
            options.append(Deadline(warning_at(end, timedelta(hours=rules.hold_warning_hours), start), HOLD_WARNING))
    if not options:
        return Deadline(None, "")
    return min(options, key=lambda d: d.at)


def checklist(facts: Facts, rules: Rules) -> list[dict]:
    """The keep requirements of the customer's status, each ticked or not."""
    care = facts.care
    done = {
        "call": care.calls > 0,
        "interaction": care.interactions > 0,
        "note": care.notes > 0,
        "care_plan": care.notes > 0,
        "follow_up_scheduled": care.follow_up_scheduled or care.follow_ups_done > 0,
        "appointment_confirmed": facts.appointment_at is not None,
        "follow_up_after_appointment": care.contacts_after_appointment > 0,
    }
    return [{"key": key, "label": REQUIREMENTS.get(key, key), "ok": done.get(key, False)} for key in rules.requires(facts.status_key)]


def minimum_care(care: Care, rules: Rules) -> list[str]:
    """What is missing from the minimum care before rotation: called, consulted, followed up N times, notes."""
    missing = []
    if care.calls == 0:
        missing.append("Chưa gọi điện")
    if care.interactions == 0:
        missing.append("Chưa tư vấn (chưa có tương tác thực tế)")
    if care.follow_ups < rules.min_follow_ups:
        missing.append(f"Follow-up {care.follow_ups}/{rules.min_follow_ups} lần")
    if care.notes == 0:
        missing.append("Chưa cập nhật ghi chú")
    return missing


@dataclass(frozen=True)
class Verdict:
    kind: str  # "hold" (a rotation candidate) or "neglected" (past its hold without minimum care)
    rule: str
    checklist: list
    missing_care: list


def verdict(facts: Facts, rules: Rules, cal: Calendar, now: datetime) -> Verdict | None:
    """Past its hold time: a candidate for the leader, or neglected care when minimum care is missing."""
    end = hold_end(facts, rules, cal)
    if end is None or end > now or facts.open_candidate:
        return None
    missing = minimum_care(facts.care, rules)
    days = rules.hold_days(facts.status_key)
    factor = rules.factor(facts.projects)
    rule = f"hold:{facts.status_key}:{days:g}d" + (f"x{factor:g}" if factor != 1 else "")
    if facts.kept_until is not None and facts.kept_at is not None and facts.kept_at >= facts.hold_anchor_at:
        rule = f"keep:{facts.status_key}"
    return Verdict("neglected" if missing else "hold", rule, checklist(facts, rules), missing)


def first_call_violated(facts: Facts, rules: Rules, cal: Calendar, now: datetime) -> bool:
    due = first_call_due(facts, rules, cal)
    return due is not None and due <= now


def decision_deadline(listed_at: datetime, rules: Rules, cal: Calendar) -> datetime:
    """How long a leader has to decide before the candidate escalates, in working hours."""
    return worktime.add_working_minutes(cal, listed_at, rules.decision_hours * 60)
