"""Merging two profiles: everything moves to the survivor, with a record and an audit entry."""

import pytest
from django.core.exceptions import ValidationError

from leadpool.audit.models import AuditEntry
from leadpool.customers.merge import merge
from leadpool.customers.models import Assignment, Customer, Group, MergeRecord
from leadpool.intake.models import DuplicateCandidate
from leadpool.sales import actions
from leadpool.sales.models import Activity, FollowUp, StatusChange


def test_merge_moves_everything_and_keeps_a_record(world, make_customer, run_tasks):
    survivor = make_customer("0912345678", name="Nguyễn Văn An", emails=["an@example.com"]).customer
    duplicate = make_customer("0912345687", name="Nguyen Van An", project=world.songhan, emails=["an2@example.com"]).customer
    run_tasks()  # the worker's duplicate review
    group = Group.objects.create(name="VIP")
    duplicate.groups.add(group)
    actions.log_activity(duplicate, by=duplicate.owner, kind=Activity.Kind.CALL, duration_seconds=30)
    from leadpool.customers.models import Status

    actions.change_status(duplicate, to=Status.objects.get(key="in_care"), by=duplicate.owner)
    from django.utils import timezone

    actions.schedule_follow_up(duplicate, by=duplicate.owner, due_at=timezone.now())
    assert DuplicateCandidate.objects.filter(state="open").count() == 1

    record = merge(survivor, duplicate, by=world.manager, reason="khách xác nhận")

    duplicate.refresh_from_db()
    assert duplicate.merged_into == survivor and duplicate.owner is None
    assert survivor.leads.count() == 2
    assert set(survivor.phones.values_list("e164", flat=True)) == {"+84912345678", "+84912345687"}
    assert survivor.emails.count() == 2
    assert set(survivor.projects.values_list("code", flat=True)) == {"lotus", "song-han"}
    assert list(survivor.groups.all()) == [group]
    assert Activity.objects.filter(customer=duplicate).count() == 0 and Activity.objects.filter(customer=survivor).count() >= 2
    assert StatusChange.objects.filter(customer=survivor).count() == 1
    assert FollowUp.objects.filter(customer=survivor).count() == 1
    assert Assignment.objects.filter(customer=duplicate).count() == 0
    moved = Assignment.objects.filter(customer=survivor)
    assert moved.count() == 2 and moved.filter(ended_at__isnull=True).count() == 1
    assert record.moved["counts"]["leads"] == 1 and record.moved["duplicate"]["name"] == "Nguyen Van An"
    assert MergeRecord.objects.get() == record
    assert AuditEntry.objects.filter(action="customer.merged").count() == 1
    assert DuplicateCandidate.objects.get().state == "merged"
    assert Customer.objects.live().count() == 1


def test_merged_profile_is_found_again_through_its_survivor(world, make_customer):
    survivor = make_customer("0912345678").customer
    duplicate = make_customer("0987654321").customer
    merge(survivor, duplicate, by=world.manager)
    again = make_customer("0987654321")
    assert again.customer == survivor and not again.created


def test_merge_refuses_itself_and_twice(world, make_customer):
    a = make_customer("0912345678").customer
    b = make_customer("0987654321").customer
    with pytest.raises(ValidationError):
        merge(a, a)
    merge(a, b)
    with pytest.raises(ValidationError):
        merge(a, b)


def test_review_queue_and_merge_page(world, login, make_customer, django_assert_max_num_queries, run_tasks):
    first = make_customer("0912345678", name="Hoa").customer
    second = make_customer("0912345679", name="Hoa").customer
    run_tasks()
    assert login(world.sale1).get("/customers/duplicates/").status_code == 403
    manager = login(world.manager)
    with django_assert_max_num_queries(10):
        queue = manager.get("/customers/duplicates/")
    assert f"/customers/{first.pk}/merge/{second.pk}/" in queue.content.decode()
    page = manager.get(f"/customers/{first.pk}/merge/{second.pk}/")
    assert page.status_code == 200 and "Giữ hồ sơ này" in page.content.decode()
    response = manager.post(f"/customers/{first.pk}/merge/{second.pk}/", {"survivor": second.pk, "reason": "cùng người"})
    assert response.status_code == 302 and response.url == f"/customers/{second.pk}/"
    first.refresh_from_db()
    assert first.merged_into == second
    assert manager.get("/customers/duplicates/").content.decode().count("/merge/") == 0


def test_dismiss_and_leader_scope(world, login, make_customer, run_tasks):
    a = make_customer("0912345678", name="Hoa").customer
    make_customer("0912345679", name="Hoa")
    run_tasks()
    candidate = DuplicateCandidate.objects.get()
    assert login(world.leader_b).get(f"/customers/{a.pk}/merge/{candidate.other_id}/").status_code == 404
    response = login(world.leader_a).post(f"/customers/duplicates/{candidate.pk}/dismiss/")
    assert response.status_code == 302
    candidate.refresh_from_db()
    assert candidate.state == "dismissed" and candidate.decided_by == world.leader_a
