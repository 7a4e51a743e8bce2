"""The nurture background work: send the automatic steps that are due (idempotent, registered as periodic)."""

from django.tasks import task


@task
def send_due() -> dict:
    from .sending import send_due as run

    return run()
