"""Audit entries written on signals: log-ins, failed log-ins and changes to the configuration catalogs."""

from django.apps import apps
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db.models.signals import post_delete, post_save

from . import log
from .context import current_actor, current_request

# The catalogs and rules a manager configures. Other parts may append "app_label.Model" names here
# before apps are ready (e.g. rotation rules); unknown names are skipped.
CONFIG_MODELS = [
    "customers.Project",
    "customers.Source",
    "customers.Group",
    "customers.Status",
    "accounts.Team",
    "accounts.Membership",
    "rotation.RuleSet",
    "rotation.Rule",
    "rotation.HoldRule",
    "rotation.Calendar",
    "rotation.Holiday",
    "webhooks.Subscription",
]


def _ip(request) -> str | None:
    return log.client_ip(request)


def on_login(sender, request, user, **kwargs) -> None:
    log.record("auth.login", actor=user, target=user, ip=_ip(request))


def on_login_failed(sender, credentials, request=None, **kwargs) -> None:
    # Django already replaced the password with asterisks; only the name tried is kept.
    log.record("auth.login_failed", data={"username": str(credentials.get("username", ""))[:150]}, ip=_ip(request))


def on_config_saved(sender, instance, created, raw=False, **kwargs) -> None:
    if raw:  # fixtures being loaded
        return
    log.record(
        "config.created" if created else "config.changed",
        actor=current_actor(),
        target=instance,
        data={"model": sender._meta.label, "object": str(instance)[:200]},
        ip=_ip(current_request()),
    )


def on_config_deleted(sender, instance, **kwargs) -> None:
    log.record(
        "config.deleted",
        actor=current_actor(),
        target=instance,
        data={"model": sender._meta.label, "object": str(instance)[:200]},
        ip=_ip(current_request()),
    )


def connect() -> None:
    user_logged_in.connect(on_login, dispatch_uid="audit_login")
    user_login_failed.connect(on_login_failed, dispatch_uid="audit_login_failed")
    for label in CONFIG_MODELS:
        try:
            model = apps.get_model(label)
        except (LookupError, ValueError):
            continue
        post_save.connect(on_config_saved, sender=model, dispatch_uid=f"audit_config_saved_{label}")
        post_delete.connect(on_config_deleted, sender=model, dispatch_uid=f"audit_config_deleted_{label}")
