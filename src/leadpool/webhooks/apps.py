from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    """Outgoing webhooks: subscribers told about leads, assignments, status changes and rotations."""

    name = "leadpool.webhooks"
    label = "webhooks"
    verbose_name = "Webhook gửi đi"

    def ready(self) -> None:
        from leadpool.worker import periodic

        from . import publish

        publish.connect()
        from leadpool.customers import privacy

        from .erasure import scrub_attempts

        if scrub_attempts not in privacy.ERASURE_HOOKS:
            privacy.ERASURE_HOOKS.append(scrub_attempts)
        periodic("webhooks.retry_due", 30, "leadpool.webhooks.delivery.retry_due")
