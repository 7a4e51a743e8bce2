"""The connected channels as arriving requests read them: a per-process copy of every ChannelConfig with its
source and project, by path token, by id and by Facebook page. Any save or delete of a connection, source or
project bumps the copy (see `local_copy`)."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save

from leadpool.customers.models import Project, Source
from leadpool.local_copy import LocalCopy

from .models import ChannelConfig


def _load() -> dict:
    by_token, by_id, by_page = {}, {}, {}
    # Default ordering (kind, name) decides between two active connections of one page, as `.first()` did.
    for config in ChannelConfig.objects.select_related("source", "project"):
        by_token[(config.kind, config.token)] = config
        by_id[config.pk] = config
        if config.active and config.external_id:
            by_page.setdefault((config.kind, config.external_id), config)
    return {"token": by_token, "id": by_id, "page": by_page}


_copy = LocalCopy("intake:connections", _load)
for _model in (ChannelConfig, Source, Project):
    post_save.connect(_copy.changed, sender=_model, dispatch_uid=f"intake_connections_saved_{_model.__name__}")
    post_delete.connect(_copy.changed, sender=_model, dispatch_uid=f"intake_connections_deleted_{_model.__name__}")


# A connection not in the copy is looked up in the database: one created a moment ago in another process is found.
_rows = ChannelConfig.objects.select_related("source", "project")


def by_token(kind: str, token: str) -> ChannelConfig | None:
    """The connection a webhook URL names (active or not: a switched-off one is answered, and its request kept)."""
    return _copy.get()["token"].get((kind, token)) or _rows.filter(kind=kind, token=token).first()


def by_id(pk: int | None) -> ChannelConfig | None:
    if pk is None:
        return None
    return _copy.get()["id"].get(pk) or _rows.filter(pk=pk).first()


def facebook_page(page_id: str, fallback: ChannelConfig | None) -> ChannelConfig | None:
    """The active connection of this page (one app may post every page's events to one URL), else `fallback`."""
    if page_id:
        kind = ChannelConfig.Kind.FACEBOOK
        found = _copy.get()["page"].get((kind, page_id)) or \
            _rows.filter(kind=kind, external_id=page_id, active=True).first()
        if found is not None:
            return found
    return fallback
