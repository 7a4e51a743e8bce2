from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "leadpool.audit"
    label = "audit"

    def ready(self) -> None:
        from . import signals

        signals.connect()
