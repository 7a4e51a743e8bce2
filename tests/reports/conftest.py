"""A small fixed March 2026 written row by row with known times, so every figure can be worked out by hand.

All times are Asia/Ho_Chi_Minh. Team A (Lotus): sale1, sale2, sale3. Team B (Sông Hàn): sale4.

| customer | first lead                         | owner on arrival | first call | path                                    |
|----------|------------------------------------|------------------|------------|-----------------------------------------|
| c1       | 02/03 09:00 facebook FB-Lotus-1    | sale1            | +10 min    | new→in_care→net→appointment*→deposit    |
| c1 again | 04/03 15:00 google GG-Search (ret.)| sale1            | +30 min    |                                         |
| c2       | 02/03 10:00 facebook FB-Lotus-1    | sale2            | +50 min    | new→in_care→no_need (leaves at rank 2)  |
| c3       | 03/03 00:30 google GG-Search       | sale1            | never      | new; rotated to sale2 on 06/03          |
| c4       | 03/03 09:00 facebook FB-SH (B)     | sale4            | +20 min    | new→net→booking                         |
| c5       | 04/03 14:00 hotline (not digital)  | sale4            | +5 min     | new→in_care                             |
| c7       | 04/03 16:00 facebook, test lead    | sale1            | —          |                                         |
| c8       | 04/03 17:00 facebook, no project, invalid phone | sale3 | never | taken back (first call) to sale2  |
| c9       | 20/02 09:00 facebook (outside March)| sale1           | —          | new→net                                 |
| dup      | merged into c5 on 05/03            |                  |            |                                         |
Rotation list: c3 listed 05/03 (A, rotated by the leader), c5 07/03 (B, kept), c8 09/03 (A, neglected care, undecided).
(* net→appointment has no activity behind it: not an upgrade.)
"""

from datetime import date, datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from leadpool.accounts.models import Attendance
from leadpool.customers.models import Assignment, Customer, Lead, MergeRecord, Phone, Status
from leadpool.reports.models import AdSpend
from leadpool.rotation.models import Candidate
from leadpool.sales.models import Activity, FollowUp, StatusChange

VN = ZoneInfo("Asia/Ho_Chi_Minh")
MARCH_DAY = date(2026, 3, 1)


def at(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=VN)


class Builder:
    def __init__(self, world):
        self.world = world
        self.status = {s.key: s for s in Status.objects.all()}
        self.n = 0

    def customer(self, *, when, source, owner, team, project=None, campaign="", digital_channel=None, is_test=False,
                 phone_invalid="", first_call=None, name="Khách"):
        self.n += 1
        c = Customer.objects.create(
            name=f"{name} {self.n}", status=self.status["new"], status_entered_at=when, owner=owner, owner_since=when,
            team=team, first_source=source, latest_source=source, first_lead_at=when, last_lead_at=when,
            created_at=when, is_test=is_test,
        )
        number = self.n if not Phone.objects.filter(e164=f"+8490{self.n:07d}").exists() else 1000 + Phone.objects.count()
        Phone.objects.create(customer=c, e164=f"+8490{number:07d}", raw=f"090{number:07d}")
        Assignment.objects.create(customer=c, user=owner, team=team, started_at=when, reason=Assignment.Reason.NEW)
        self.lead(c, when=when, source=source, owner=owner, project=project, campaign=campaign, is_test=is_test,
                  phone_invalid=phone_invalid, first_call=first_call, channel=digital_channel)
        return c

    def lead(self, c, *, when, source, owner, project=None, campaign="", is_test=False, phone_invalid="", first_call=None,
             returning=False, channel=None):
        lead = Lead.objects.create(
            customer=c, source=source, channel=channel or source.channel, campaign=campaign, received_at=when,
            is_test=is_test, is_returning=returning, phone_invalid_reason=phone_invalid, first_call_at=first_call,
            owner_at_arrival=owner,
        )
        if project:
            lead.projects.add(project)
            c.projects.add(project)
        if returning:  # as capture does for a known person
            c.latest_source, c.last_lead_at = source, when
            c.save(update_fields=["latest_source", "last_lead_at", "updated_at"])
        return lead

    def call(self, c, by, when, flagged=""):
        return Activity.objects.create(customer=c, author=by, kind=Activity.Kind.CALL, occurred_at=when, created_at=when,
                                       call_outcome="reached", duration_seconds=60, flagged=flagged)

    def move(self, c, by, to, when, backed=True):
        StatusChange.objects.create(customer=c, from_status=c.status, to_status=self.status[to], by=by, at=when,
                                    backed_by_activity=backed)
        c.status = self.status[to]
        c.status_entered_at = when
        c.save(update_fields=["status", "status_entered_at", "updated_at"])

    def reassign(self, c, to, when, reason):
        Assignment.objects.filter(customer=c, ended_at__isnull=True).update(ended_at=when, end_reason=reason)
        Assignment.objects.create(customer=c, user=to, team=c.team, started_at=when, reason=reason)
        c.owner = to
        c.save(update_fields=["owner", "updated_at"])


@pytest.fixture
def march(world):
    w = world
    b = Builder(w)
    fb, gg, hl = w.facebook, w.google, w.hotline
    c1 = b.customer(when=at(2, 9), source=fb, owner=w.sale1, team=w.team_a, project=w.lotus, campaign="FB-Lotus-1",
                    first_call=at(2, 9, 10))
    b.call(c1, w.sale1, at(2, 9, 10))
    b.move(c1, w.sale1, "in_care", at(2, 10))
    b.move(c1, w.sale1, "net", at(3, 9))
    b.move(c1, w.sale1, "appointment", at(4, 9), backed=False)
    b.lead(c1, when=at(4, 15), source=gg, owner=w.sale1, project=w.lotus, campaign="GG-Search", returning=True,
           first_call=at(4, 15, 30))
    b.call(c1, w.sale1, at(4, 15, 30))
    b.move(c1, w.sale1, "deposit", at(5, 9))

    c2 = b.customer(when=at(2, 10), source=fb, owner=w.sale2, team=w.team_a, project=w.lotus, campaign="FB-Lotus-1",
                    first_call=at(2, 10, 50))
    b.call(c2, w.sale2, at(2, 10, 50))
    b.move(c2, w.sale2, "in_care", at(2, 11))
    b.move(c2, w.sale2, "no_need", at(3, 10))

    c3 = b.customer(when=at(3, 0, 30), source=gg, owner=w.sale1, team=w.team_a, project=w.lotus, campaign="GG-Search")
    b.call(c3, w.sale1, at(3, 11), flagged="cuộc gọi 0 giây")
    b.reassign(c3, w.sale2, at(6, 9), Assignment.Reason.ROTATION)

    c4 = b.customer(when=at(3, 9), source=fb, owner=w.sale4, team=w.team_b, project=w.songhan, campaign="FB-SH",
                    first_call=at(3, 9, 20))
    b.call(c4, w.sale4, at(3, 9, 20))
    b.move(c4, w.sale4, "net", at(3, 12))
    b.move(c4, w.sale4, "booking", at(6, 9))

    c5 = b.customer(when=at(4, 14), source=hl, owner=w.sale4, team=w.team_b, project=w.songhan, first_call=at(4, 14, 5))
    b.call(c5, w.sale4, at(4, 14, 5))
    b.move(c5, w.sale4, "in_care", at(4, 14, 10))

    c7 = b.customer(when=at(4, 16), source=fb, owner=w.sale1, team=w.team_a, project=w.lotus, campaign="FB-Lotus-1",
                    is_test=True)
    c8 = b.customer(when=at(4, 17), source=fb, owner=w.sale3, team=w.team_a, campaign="FB-Lotus-1",
                    phone_invalid="abc: invalid")
    b.reassign(c8, w.sale2, at(4, 17, 31), Assignment.Reason.FIRST_CALL)

    c9 = b.customer(when=at(20, 9, month=2), source=fb, owner=w.sale1, team=w.team_a, project=w.lotus,
                    campaign="FB-Lotus-1")
    b.move(c9, w.sale1, "net", at(21, 9, month=2))

    dup = Customer.objects.create(name="Trùng", status=b.status["new"], created_at=at(4, 12), team=w.team_b)
    dup.merged_into = c5
    dup.save()
    MergeRecord.objects.create(survivor=c5, duplicate=dup, at=at(5, 8))

    # The rotation sweep's list: c3 (team A, rotated by the leader), c5 (team B, kept), c8 (team A, neglected, undecided).
    for c, team, owner, kind, state, listed in (
        (c3, w.team_a, w.sale1, "hold", "rotated", at(5, 9)),
        (c5, w.team_b, w.sale4, "hold", "kept", at(7, 9)),
        (c8, w.team_a, w.sale2, "neglected", "open", at(9, 9)),
    ):
        Candidate.objects.create(customer=c, team=team, owner=owner, status_key=c.status.key, kind=kind, state=state,
                                 rule="test", due_at=listed, listed_at=listed, decide_by=at(12, 9))

    # Follow-ups of sale1: one on time, one done a day late, one never done.
    FollowUp.objects.create(customer=c1, owner=w.sale1, due_at=at(3, 10), done_at=at(3, 18))
    FollowUp.objects.create(customer=c1, owner=w.sale1, due_at=at(4, 10), done_at=at(5, 9))
    FollowUp.objects.create(customer=c3, owner=w.sale1, due_at=at(5, 10))
    for day in (2, 3, 4):
        Attendance.objects.create(user=w.sale1, day=date(2026, 3, day), checked_in_at=at(day, 8))
    Attendance.objects.create(user=w.sale2, day=date(2026, 3, 2), checked_in_at=at(2, 8))

    for day, source, campaign, project, amount in (
        (date(2026, 3, 2), fb, "FB-Lotus-1", w.lotus, 1_000_000),
        (date(2026, 3, 3), fb, "FB-Lotus-1", w.lotus, 2_000_000),
        (date(2026, 3, 3), fb, "FB-SH", w.songhan, 1_500_000),
        (date(2026, 3, 3), gg, "GG-Search", w.lotus, 600_000),
        (date(2026, 2, 20), gg, "GG-Search", w.lotus, 9_999),
    ):
        AdSpend.objects.create(day=day, source=source, campaign=campaign, project=project, amount=amount)
    return SimpleNamespace(w=w, c1=c1, c2=c2, c3=c3, c4=c4, c5=c5, c7=c7, c8=c8, c9=c9, dup=dup)


@pytest.fixture
def built(march):
    """The March world with its summaries rebuilt, seen from 10 March noon."""
    import time_machine

    from leadpool.reports import summaries

    with time_machine.travel(at(10, 12), tick=False):
        summaries.rebuild()
    return march


@pytest.fixture
def march_filters():
    from leadpool.reports.filters import Filters

    return Filters(start=date(2026, 3, 1), end=date(2026, 3, 31))
