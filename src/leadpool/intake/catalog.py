"""Sources and projects by key, code or name: read for every arriving lead, changed rarely, kept per process.

Each process keeps its own copy and checks a generation stamp in the shared cache on every lookup; saving or
deleting a source or project bumps the stamp, so with Redis every process reloads at once. With the per-process
memory cache the other processes reload within `MAX_AGE` seconds. A name not in the copy is looked up in the
database, so something just created is found at once.
"""

from __future__ import annotations

import secrets
import time

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from leadpool.customers.models import Project, Source

MAX_AGE = 30
_GENERATION_KEY = "intake:catalog:generation"
_local: dict = {"generation": None, "loaded_at": 0.0, "sources": {}, "source_names": {}, "source_ids": {}, "projects": {},
               "project_names": {}}


def _generation() -> str:
    generation = cache.get(_GENERATION_KEY)
    if generation is None:
        generation = secrets.token_hex(8)
        cache.add(_GENERATION_KEY, generation, None)
        generation = cache.get(_GENERATION_KEY, generation)
    return generation


def _fresh() -> dict:
    generation = _generation()
    if _local["generation"] != generation or time.monotonic() - _local["loaded_at"] > MAX_AGE:
        sources, source_names, source_ids, projects, project_names = {}, {}, {}, {}, {}
        # Default ordering (by name) decides between two names that differ only in case, as .first() would.
        for source in Source.objects.select_related("default_project"):
            sources[source.key] = source
            source_ids[source.pk] = source
            source_names.setdefault(source.name.casefold(), source)
        for project in Project.objects.all():
            projects.setdefault(project.code.casefold(), project)
            project_names.setdefault(project.name.casefold(), project)
        _local.update(generation=generation, loaded_at=time.monotonic(), sources=sources, source_names=source_names,
                      source_ids=source_ids, projects=projects, project_names=project_names)
    return _local


def source(text: str) -> Source | None:
    """The source whose key is `text`, else whose name is `text` (any case)."""
    text = (text or "").strip()
    if not text:
        return None
    known = _fresh()
    found = known["sources"].get(text) or known["source_names"].get(text.casefold())
    if found is None:
        found = Source.objects.select_related("default_project").filter(key=text).first() or \
            Source.objects.select_related("default_project").filter(name__iexact=text).first()
    return found


def source_by_id(pk: int | None) -> Source | None:
    if pk is None:
        return None
    return _fresh()["source_ids"].get(pk) or Source.objects.select_related("default_project").filter(pk=pk).first()


def project(text: str) -> Project | None:
    """The project whose code is `text`, else whose name is `text` (any case)."""
    text = (text or "").strip()
    if not text:
        return None
    known = _fresh()
    found = known["projects"].get(text.casefold()) or known["project_names"].get(text.casefold())
    if found is None:
        found = Project.objects.filter(code__iexact=text).first() or Project.objects.filter(name__iexact=text).first()
    return found


@receiver(post_save, sender=Source, dispatch_uid="intake_catalog_source_saved")
@receiver(post_delete, sender=Source, dispatch_uid="intake_catalog_source_deleted")
@receiver(post_save, sender=Project, dispatch_uid="intake_catalog_project_saved")
@receiver(post_delete, sender=Project, dispatch_uid="intake_catalog_project_deleted")
def changed(**kwargs) -> None:
    cache.set(_GENERATION_KEY, secrets.token_hex(8), None)
    _local["generation"] = None
