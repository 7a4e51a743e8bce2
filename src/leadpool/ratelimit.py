"""A fixed-window rate limit on the shared cache (Redis when REDIS_URL is set, so all processes agree)."""

import time
from dataclasses import dataclass

from django.core.cache import cache


@dataclass
class Verdict:
    allowed: bool
    remaining: int
    retry_after: int


def hit(key: str, *, limit: int, window_seconds: int = 60) -> Verdict:
    """Count one request under `key`; refuse once `limit` requests were seen in the current window."""
    window = int(time.time() // window_seconds)
    bucket = f"rl:{key}:{window}"
    if cache.add(bucket, 1, timeout=window_seconds + 5):
        count = 1
    else:
        try:
            count = cache.incr(bucket)
        except ValueError:  # expired between add and incr
            cache.set(bucket, 1, timeout=window_seconds + 5)
            count = 1
    retry = window_seconds - int(time.time() % window_seconds)
    return Verdict(allowed=count <= limit, remaining=max(0, limit - count), retry_after=retry)


def too_many(verdict: Verdict, message: str = "Quá nhiều yêu cầu, vui lòng thử lại sau."):
    from django.http import JsonResponse

    response = JsonResponse({"detail": message, "retry_after": verdict.retry_after}, status=429)
    response["Retry-After"] = str(verdict.retry_after)
    return response
