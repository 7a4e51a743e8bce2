"""The salesperson's background work: Đừng quên and follow-up reminders (both idempotent)."""

from django.tasks import task


@task
def flag_dont_forget() -> dict:
    from .dont_forget import sweep

    return sweep()


@task
def remind_follow_ups() -> int:
    from .reminders import remind_due

    return remind_due()
