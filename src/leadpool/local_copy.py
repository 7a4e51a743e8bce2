"""Per-process copies of rarely changed rows that every request reads (webhook subscriptions, API tokens).

Each process keeps its copy and checks a generation stamp in the shared cache on every read; a change bumps the
stamp (`changed()`, wired to the models' save and delete signals), so with Redis every process reloads at once.
With the per-process memory cache the other processes reload within `max_age` seconds.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.db import transaction


class LocalCopy:
    def __init__(self, name: str, load: Callable[[], Any], *, max_age: float = 30):
        self.key = f"local-copy:{name}:generation"
        self.load = load
        self.max_age = max_age
        self._generation: str | None = None
        self._loaded_at = 0.0
        self._value: Any = None

    def _current_generation(self) -> str:
        generation = cache.get(self.key)
        if generation is None:
            cache.add(self.key, secrets.token_hex(8), None)
            generation = cache.get(self.key)
        return generation

    def get(self) -> Any:
        generation = self._current_generation()
        if self._generation != generation or time.monotonic() - self._loaded_at > self.max_age:
            self._value = self.load()
            self._generation, self._loaded_at = generation, time.monotonic()
        return self._value

    def changed(self, **signal_kwargs) -> None:
        self._bump()
        # Again once the change is committed: a process that reloaded in between read the rows as they were.
        transaction.on_commit(self._bump)

    def _bump(self) -> None:
        cache.set(self.key, secrets.token_hex(8), None)
        self._generation = None
