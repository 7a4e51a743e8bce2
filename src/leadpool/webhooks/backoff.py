"""When to try a failed delivery again (pure)."""

from datetime import timedelta

MAX_ATTEMPTS = 8
FIRST_RETRY = timedelta(seconds=30)
LONGEST_WAIT = timedelta(hours=6)


def next_wait(attempts_made: int) -> timedelta | None:
    """30 s, 1 min, 2 min, 4 min … capped at 6 h; None once MAX_ATTEMPTS have been made."""
    if attempts_made >= MAX_ATTEMPTS:
        return None
    return min(FIRST_RETRY * (2 ** max(0, attempts_made - 1)), LONGEST_WAIT)
