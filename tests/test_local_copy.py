"""Per-process copies: loaded once, reloaded when any process says the rows changed, or when they are too old."""

from django.core.cache import cache

from leadpool.local_copy import LocalCopy


def _counting():
    loads = []

    def load():
        loads.append(1)
        return len(loads)

    return loads, load


def test_a_copy_is_loaded_once_and_again_after_a_change(db):
    loads, load = _counting()
    copy = LocalCopy("test:one", load)
    assert copy.get() == 1 and copy.get() == 1
    copy.changed()
    assert copy.get() == 2 and len(loads) == 2


def test_another_process_changing_the_rows_is_seen_through_the_shared_stamp(db):
    _loads, load = _counting()
    here = LocalCopy("test:shared", load)
    elsewhere = LocalCopy("test:shared", lambda: "unused")  # the same copy in another process
    assert here.get() == 1
    elsewhere.changed()  # bumps the stamp in the shared cache
    assert here.get() == 2


def test_a_copy_older_than_its_age_limit_is_reloaded():
    _loads, load = _counting()
    copy = LocalCopy("test:age", load, max_age=0)
    assert copy.get() == 1
    assert copy.get() == 2


def test_a_change_inside_a_transaction_is_announced_again_at_commit(db, django_capture_on_commit_callbacks):
    _loads, load = _counting()
    copy = LocalCopy("test:commit", load)
    copy.get()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        copy.changed()
    stamp = cache.get(copy.key)
    copy.get()  # a reload between the change and its commit
    for callback in callbacks:
        callback()
    assert cache.get(copy.key) != stamp
    assert copy.get() == 3
