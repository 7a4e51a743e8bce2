from django.apps import AppConfig


class NurtureConfig(AppConfig):
    """Nurture messages that go out by themselves: e-mail, SMS and Zalo ZNS steps of care scripts."""

    name = "leadpool.nurture"
    label = "nurture"
    verbose_name = "Chăm sóc tự động"

    def ready(self) -> None:
        from leadpool.worker import periodic

        periodic("nurture.send_due", 60, "leadpool.nurture.tasks.send_due")
