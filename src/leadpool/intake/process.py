"""Processing a stored inbox item: its channel turns it into leads, capture attaches them to customers."""

from __future__ import annotations

import logging
import traceback
from importlib import import_module

from django.db import transaction
from django.tasks import task
from django.utils import timezone

from leadpool.worker import enqueue_on_commit

from . import catalog, connections
from .models import InboxItem

logger = logging.getLogger("leadpool.intake")

HANDLERS = {
    "facebook": "leadpool.intake.channels.facebook",
    "facebook_hook": "leadpool.intake.channels.facebook",
    "google": "leadpool.intake.channels.google",
    "zalo": "leadpool.intake.channels.zalo",
    "tiktok": "leadpool.intake.channels.tiktok",
    "ladipage": "leadpool.intake.channels.generic",
    "generic": "leadpool.intake.channels.generic",
    "hotline": "leadpool.intake.channels.hotline",
    "api": "leadpool.intake.channels.api",
    "manual": "leadpool.intake.channels.api",
}

REPLAYABLE = {InboxItem.State.RECEIVED, InboxItem.State.FAILED}


class Malformed(Exception):
    """The item can never become a lead as it is: stored as rejected with this message."""


class RetryLater(Exception):
    """A passing failure (the platform's API is down): try again after a pause."""


def handler_for(channel: str):
    return import_module(HANDLERS[channel])


class _TakenMeanwhile(Exception):
    """Someone else processed the item while we did: our work is rolled back, theirs stands."""


def accept(item: int | InboxItem) -> InboxItem:
    """Process one item if it still needs it. Running it twice changes nothing the second time.

    By id (the worker, a replay) the item is read and locked first. An item this request has just stored is
    passed as it is: nobody else has had a chance to process it, so it is not read back; the closing UPDATE
    only applies while the item is still unprocessed, and a concurrent replay that got there first wins.
    """
    fresh = isinstance(item, InboxItem)
    item_id = item.pk if fresh else item
    try:
        with transaction.atomic():
            if not fresh:
                item = InboxItem.objects.select_for_update().get(pk=item_id)
                # Its connection and source come from the per-process copies every request reads.
                if item.config_id is not None:
                    item.config = connections.by_id(item.config_id)
                if item.source_id is not None:
                    item.source = catalog.source_by_id(item.source_id)
            if item.state not in REPLAYABLE:
                return item
            response = handler_for(item.channel).handle(item)
            item.state = InboxItem.State.PROCESSED
            item.response = response or {}
            item.error = ""
            item.attempts += 1
            item.processed_at = timezone.now()
            done = InboxItem.objects.filter(pk=item.pk, state__in=REPLAYABLE).update(
                state=item.state, response=item.response, error="", attempts=item.attempts,
                processed_at=item.processed_at,
            )
            if not done:
                raise _TakenMeanwhile
            return item
    except _TakenMeanwhile:
        return InboxItem.objects.get(pk=item_id)
    except Malformed as exc:
        return _finish(item_id, InboxItem.State.REJECTED, str(exc))
    except RetryLater as exc:
        return _finish(item_id, InboxItem.State.FAILED, str(exc))
    except Exception as exc:
        logger.exception("inbox item %s failed", item_id)
        detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        return _finish(item_id, InboxItem.State.FAILED, detail[:2000])


def _finish(item_id: int, state: str, error: str) -> InboxItem:
    item = InboxItem.objects.get(pk=item_id)
    item.state = state
    item.error = error
    item.attempts += 1
    item.processed_at = timezone.now()
    item.save(update_fields=["state", "error", "attempts", "processed_at"])
    return item


@task()
def process_item(item_id: int) -> str:
    item = accept(item_id)
    return item.state


def enqueue(item: InboxItem) -> None:
    """Queue processing once the item's own transaction has committed (in that same commit, with the database
    task backend)."""
    enqueue_on_commit(process_item, item.pk)


def replay(item: InboxItem, *, inline: bool = False) -> InboxItem:
    """Run a failed (or never processed) item again, now or in the background."""
    if item.state not in REPLAYABLE:
        return item
    if inline:
        return accept(item.pk)
    enqueue(item)
    return item
