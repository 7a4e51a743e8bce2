"""Possible duplicates (pure rules, exhaustively) and the review queue after captures and imports."""

from hypothesis import given
from hypothesis import strategies as st

from leadpool.customers import matching
from leadpool.customers.matching import Profile, near_pairs, phone_neighbours, phone_relation
from leadpool.intake.models import DuplicateCandidate


def test_phone_relation_kinds():
    assert phone_relation("+84912345678", "+84912345679") == "phone_typo"
    assert phone_relation("+84912345678", "+84912345687") == "phone_swap"
    assert phone_relation("+84912345678", "+84921345678") == "phone_swap"
    assert phone_relation("+84912345678", "+84912345678") is None
    assert phone_relation("+84912345678", "+84912345600") is None
    assert phone_relation("+84912345678", "+84913245768") is None


@given(st.text("0123456789", min_size=9, max_size=9), st.integers(0, 8), st.sampled_from("0123456789"))
def test_every_single_typo_is_a_neighbour_and_found_by_blocking(nsn, position, digit):
    a = "+84" + nsn
    b = "+84" + nsn[:position] + digit + nsn[position + 1 :]
    if a == b:
        assert b not in phone_neighbours(a)
        return
    assert b in phone_neighbours(a)
    pairs = near_pairs([Profile(1, "nguyen van an", (a,)), Profile(2, "nguyen van an", (b,))])
    assert [(p.a, p.b, p.reason) for p in pairs] == [(1, 2, "phone_typo")]


@given(st.text("0123456789", min_size=9, max_size=9), st.integers(0, 7))
def test_every_adjacent_swap_is_found(nsn, i):
    swapped = nsn[:i] + nsn[i + 1] + nsn[i] + nsn[i + 2 :]
    pairs = near_pairs([Profile(1, "an", ("+84" + nsn,)), Profile(2, "an", ("+84" + swapped,))])
    if swapped == nsn:
        assert pairs == []
    else:
        assert [p.reason for p in pairs] == ["phone_swap"]


def test_a_name_alone_or_a_near_phone_alone_is_never_a_candidate():
    assert near_pairs([Profile(1, "an", ("+84912345678",)), Profile(2, "an", ("+84987654321",))]) == []
    assert near_pairs([Profile(1, "an", ("+84912345678",)), Profile(2, "binh", ("+84912345679",))]) == []


def test_email_local_part_but_not_generic_ones():
    pairs = near_pairs([Profile(1, "a", emails=("tranthimai88@gmail.com",)), Profile(2, "b", emails=("tranthimai88@yahoo.com",))])
    assert [(p.a, p.b, p.reason) for p in pairs] == [(1, 2, "email_local")]
    assert near_pairs([Profile(1, "a", emails=("info@a.vn",)), Profile(2, "b", emails=("info@b.vn",))]) == []


def test_capture_queues_near_duplicates_for_review(world, make_customer, run_tasks):
    first = make_customer("0912345678", name="Nguyễn Văn An").customer
    second = make_customer("0912345687", name="nguyen van an").customer      # swapped digits, same folded name
    make_customer("0912345670", name="Trần Bình")                              # near phone, other name: nothing
    # The review is the worker's: the capture's caller does not wait for it.
    assert not DuplicateCandidate.objects.exists()
    run_tasks()
    candidate = DuplicateCandidate.objects.get()
    assert (candidate.customer_id, candidate.other_id, candidate.reason) == (first.pk, second.pk, "phone_swap")
    assert first.pk != second.pk  # never merged automatically


def test_the_review_after_a_capture_runs_twice_without_a_second_pair(world, make_customer, run_tasks):
    from django_tasks_db.models import DBTaskResult

    from leadpool.intake import after_capture

    make_customer("0912345678", name="Hoa")
    make_customer("0912345679", name="Hoa")
    run_tasks()
    assert DuplicateCandidate.objects.count() == 1
    last = DBTaskResult.objects.filter(task_path__endswith="follow_capture").latest("enqueued_at")
    after_capture.follow_capture.call(*last.args_kwargs["args"], **last.args_kwargs["kwargs"])
    assert DuplicateCandidate.objects.count() == 1


def test_the_review_skips_a_profile_merged_before_the_worker_got_to_it(world, make_customer, run_tasks):
    from leadpool.customers.merge import merge

    first = make_customer("0912345678", name="Hoa").customer
    second = make_customer("0912345679", name="Hoa").customer
    merge(first, second, by=world.manager, reason="cùng người")
    run_tasks()
    assert not DuplicateCandidate.objects.filter(state="open").exclude(customer=first, other=second).exists()


def test_scan_after_import_finds_pairs_once(world, make_customer):
    a = make_customer("0912345678", name="Lê Hoa").customer
    b = make_customer("0912345679", name="Lê Hoa").customer
    DuplicateCandidate.objects.all().delete()
    assert matching.scan([a.pk, b.pk]) == 1
    assert matching.scan([a.pk, b.pk]) == 0
