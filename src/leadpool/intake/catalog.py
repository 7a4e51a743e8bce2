"""Sources and projects by key, code or name: read for every arriving lead, changed rarely, kept per process.

A per-process copy (see `local_copy`): saving or deleting a source or project bumps its generation, so with Redis
every process reloads at once, with the per-process memory cache within 30 seconds. A name not in the copy is
looked up in the database, so something just created is found at once.
"""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save

from leadpool.customers.models import Project, Source
from leadpool.local_copy import LocalCopy


def _load() -> dict:
    sources, source_names, source_ids, projects, project_names = {}, {}, {}, {}, {}
    # Default ordering (by name) decides between two names that differ only in case, as .first() would.
    for source in Source.objects.select_related("default_project"):
        sources[source.key] = source
        source_ids[source.pk] = source
        source_names.setdefault(source.name.casefold(), source)
    for project in Project.objects.all():
        projects.setdefault(project.code.casefold(), project)
        project_names.setdefault(project.name.casefold(), project)
    return {"sources": sources, "source_names": source_names, "source_ids": source_ids, "projects": projects,
            "project_names": project_names}


_copy = LocalCopy("intake:catalog", _load)
for _model in (Source, Project):
    post_save.connect(_copy.changed, sender=_model, dispatch_uid=f"intake_catalog_saved_{_model.__name__}")
    post_delete.connect(_copy.changed, sender=_model, dispatch_uid=f"intake_catalog_deleted_{_model.__name__}")


def _fresh() -> dict:
    return _copy.get()


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
