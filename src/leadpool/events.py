"""A tiny in-process event bus so parts of the product react to each other without importing each other.

`customer_changed` fires (inside the writing transaction) after anything that matters to a customer's
clocks: assignment, status change, activity logged, follow-up scheduled. Rotation listens to recompute
the stored next deadline; notifications and outgoing webhooks may listen too.
"""

from collections import defaultdict
from collections.abc import Callable

_listeners: dict[str, list[Callable]] = defaultdict(list)


def listen(event: str, func: Callable) -> None:
    if func not in _listeners[event]:
        _listeners[event].append(func)


def emit(event: str, **payload) -> None:
    for func in list(_listeners[event]):
        func(**payload)


def customer_changed(customer, *, why: str, by=None, **details) -> None:
    emit("customer_changed", customer=customer, why=why, by=by, **details)
