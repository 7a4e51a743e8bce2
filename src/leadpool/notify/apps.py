from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "leadpool.notify"
    label = "notify"
    verbose_name = "Thông báo"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        post_migrate.connect(_ensure_vapid_keys, sender=self, dispatch_uid="notify.vapid")


def _ensure_vapid_keys(sender, **kwargs) -> None:
    """Set-up generates the Web Push key pair once (kept in the database, never in the repository)."""
    from .vapid import ensure_keys

    ensure_keys()
