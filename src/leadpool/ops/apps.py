from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Running the product: background workers, the shared periodic clock, health."""

    name = "leadpool.ops"
    label = "ops"
    verbose_name = "Vận hành"

    def ready(self) -> None:
        from leadpool.worker import periodic

        # Raw payloads past the retention period are emptied once an hour.
        periodic("privacy.retention", 3600, "leadpool.customers.privacy.retention_sweep")
