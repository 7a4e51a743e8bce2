"""Rotation pages and API: the leader's list and decisions, bounded queries, who may see what, what-if, command."""

from datetime import datetime
from io import StringIO

import pytest
from django.core.management import call_command

from leadpool.customers.models import Customer
from leadpool.rotation import sweep
from leadpool.rotation.models import Candidate, RuleSet
from leadpool.rotation.worktime import VN


def at(y, mo, d, h, mi=0):
    return datetime(y, mo, d, h, mi, tzinfo=VN)


@pytest.fixture
def listed(world, make_customer, clock, on_duty, give_care, into):
    """n candidates of team A listed on Thursday 10/12 (every other one with minimum care missing)."""

    def _make(n=3):
        on_duty()
        rows = []
        for i in range(n):
            c = make_customer().customer
            give_care(c, minimum=i % 2 == 0)
            rows.append(into(c, "in_care"))
        clock.at(at(2026, 12, 10, 10, 0))
        on_duty()
        sweep.sweep()
        return rows

    return _make


def test_leader_list_shows_evidence_with_bounded_queries(world, listed, login, django_assert_max_num_queries):
    listed(6)
    leader = login(world.leader_a)
    with django_assert_max_num_queries(25):
        page = leader.get("/rotation/")
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count('class="card mb-2 candidate-card') == 3
    assert "Có lịch sử gọi" in html and "Hoạt động gần đây" in html
    neglected = leader.get("/rotation/?kind=neglected").content.decode()
    assert neglected.count('class="card mb-2 candidate-card') == 3 and "Chưa đủ chăm sóc tối thiểu" in neglected
    # Another team's leader sees none of them; a salesperson may not open the list at all.
    other = login(world.leader_b).get("/rotation/").content.decode()
    assert 'class="card mb-2 candidate-card' not in other
    assert login(world.sale1).get("/rotation/").status_code == 404


def test_keep_rotate_reassign_through_the_page(world, listed, login):
    listed(6)
    leader = login(world.leader_a)
    cands = list(Candidate.objects.filter(state="open", kind="hold").order_by("id"))
    keep, rot, rea = cands
    r = leader.post(f"/rotation/{keep.pk}/decide/", {"action": "keep", "reason": "Khách chờ vay", "until": "2026-12-15T17:00"}, HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and "Giữ khách cho" in r.content.decode()
    r = leader.post(f"/rotation/{rot.pk}/decide/", {"action": "rotate"}, HTTP_HX_REQUEST="true")
    assert "Đã đảo cho" in r.content.decode()
    target = next(u for u in (world.sale1, world.sale2, world.sale3) if u.pk != rea.owner_id)
    r = leader.post(f"/rotation/{rea.pk}/decide/", {"action": "reassign", "to": target.pk, "reason": "Quen khách"})
    assert r.status_code == 302
    assert Customer.objects.get(pk=keep.customer_id).owner_id == keep.owner_id
    assert Customer.objects.get(pk=rot.customer_id).owner_id not in (None, rot.owner_id)
    assert Customer.objects.get(pk=rea.customer_id).owner == target
    # A keep without a reason is refused with a message, nothing changes.
    n = Candidate.objects.filter(state="open", kind="neglected").first()
    r = leader.post(f"/rotation/{n.pk}/decide/", {"action": "keep", "until": "2026-12-15T17:00"}, HTTP_HX_REQUEST="true")
    assert "Giữ khách cần có lý do" in r.content.decode() and Candidate.objects.get(pk=n.pk).state == "open"
    # The other team's leader cannot decide (404).
    assert login(world.leader_b).post(f"/rotation/{n.pk}/decide/", {"action": "rotate"}).status_code == 404


def test_bulk_decision_through_the_page(world, listed, login):
    listed(4)
    ids = list(Candidate.objects.filter(state="open").values_list("pk", flat=True))
    r = login(world.leader_a).post("/rotation/decide/", {"ids": ids, "action": "rotate", "kind": "hold"})
    assert r.status_code == 302
    assert not Candidate.objects.filter(state="open").exists()
    assert Candidate.objects.filter(state="rotated").count() == 4


def test_salesperson_sees_rotated_in_and_out_with_why(world, listed, login):
    listed(2)
    cand = Candidate.objects.filter(state="open").first()
    previous = cand.owner
    login(world.leader_a).post(f"/rotation/{cand.pk}/decide/", {"action": "rotate", "reason": "Không tiến triển sau 3 ngày"})
    new_owner = Customer.objects.get(pk=cand.customer_id).owner
    mine = login(previous).get("/rotation/mine/").content.decode()
    assert 'id="out-30">1<' in mine and "Không tiến triển sau 3 ngày" in mine
    theirs = login(new_owner).get("/rotation/mine/").content.decode()
    assert 'id="in-30">1<' in theirs and f"/customers/{cand.customer_id}/" in theirs


def test_ranking_explanation_for_an_assignment(world, listed, login):
    c = listed(1)[0]
    page = login(world.leader_a).get(f"/rotation/customers/{c.pk}/")
    html = page.content.decode()
    assert page.status_code == 200 and "chosen" in html and "chuyên cần" in html
    assert login(world.leader_b).get(f"/rotation/customers/{c.pk}/").status_code == 404


def test_api_candidates_and_decisions(world, listed, login):
    listed(4)
    api = login(world.leader_a)
    body = api.get("/api/v1/rotation/candidates?kind=hold").json()
    assert body["count"] == 2 and body["results"][0]["evidence"]["checklist"]
    first, second = body["results"]
    r = api.post(f"/api/v1/rotation/candidates/{first['id']}/decision", {"action": "keep", "reason": "Chờ vay",
                 "until": "2026-12-16T10:00:00+07:00"}, content_type="application/json")
    assert r.status_code == 200 and r.json()["done"] == [first["id"]]
    r = api.post("/api/v1/rotation/decisions", {"ids": [second["id"]], "action": "rotate"}, content_type="application/json")
    assert r.status_code == 200
    previous = second["owner"]
    cust = Customer.objects.get(pk=second["customer_id"])
    assert cust.owner.username != previous
    # Decided candidates leave the API's list, and deciding one again is a 404 (only open ones are listed).
    assert api.get("/api/v1/rotation/candidates?kind=hold").json()["count"] == 0
    assert api.post(f"/api/v1/rotation/candidates/{first['id']}/decision", {"action": "rotate"},
                    content_type="application/json").status_code == 404
    from leadpool.accounts.models import User

    old = login(User.objects.get(username=previous))
    assert old.get(f"/api/v1/customers/{cust.pk}").status_code == 404
    assert login(world.sale1).get("/api/v1/rotation/candidates").status_code == 403
    assert login(world.leader_b).post(f"/api/v1/rotation/candidates/{first['id']}/decision", {"action": "rotate"},
                                       content_type="application/json").status_code == 404


def test_whatif_page_previews_without_saving_and_saves_a_new_version(world, listed, login):
    listed(2)
    manager = login(world.manager)
    page = manager.get("/rotation/rules/")
    assert page.status_code == 200 and "whatif-table" in page.content.decode()
    form = {
        "first_call_minutes": 30, "first_call_warning_minutes": 10, "hold_warning_hours": 24, "hold_in_care": 3,
        "hold_no_answer": 3, "hold_net": 7, "hold_appointment": 7, "factor_nurture": 1, "factor_pre_launch": 1,
        "factor_launch": 0.5, "factor_handover": 1, "min_follow_ups": 2, "decision_hours": 24, "open_cap": 150,
        "status_after_rotation": "in_care", "require_check_in": "on", "note": "Rút ngắn",
    }
    r = manager.post("/rotation/rules/", {**form, "preview": "1"}, HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and 'id="preview"' in r.content.decode()
    assert RuleSet.objects.count() == 1
    r = manager.post("/rotation/rules/", {**form, "hold_in_care": 2, "save": "1"})
    assert r.status_code == 302 and RuleSet.current().version == 2
    assert RuleSet.current().statuses["in_care"]["hold_days"] == 2
    from leadpool.audit.models import AuditEntry

    assert AuditEntry.objects.filter(action="rotation.rules_changed").exists()
    assert login(world.leader_a).get("/rotation/rules/").status_code == 404


def test_rotate_command_dry_run_then_real(world, make_customer, clock, on_duty, give_care, into):
    on_duty()
    c = make_customer().customer
    give_care(c)
    into(c, "in_care")
    clock.at(at(2026, 12, 10, 10, 0))
    out = StringIO()
    call_command("rotate", "--dry-run", stdout=out)
    assert f"#{c.pk}" in out.getvalue() and "1 customer(s) would be listed" in out.getvalue()
    assert not Candidate.objects.exists()
    out = StringIO()
    call_command("rotate", stdout=out)
    assert "candidates=1" in out.getvalue() and Candidate.objects.count() == 1


def test_sweep_task_runs_in_the_worker(world, make_customer, clock, on_duty, give_care, into, run_tasks):
    from leadpool import worker
    from leadpool.rotation.sweep import sweep_task

    assert worker.PERIODIC["rotation.sweep"] == (60, "leadpool.rotation.sweep.sweep_task")
    on_duty()
    c = make_customer().customer
    give_care(c)
    into(c, "in_care")
    clock.at(at(2026, 12, 10, 10, 0))
    sweep_task.enqueue()
    assert run_tasks() >= 1
    assert Candidate.objects.filter(customer=c).exists()
