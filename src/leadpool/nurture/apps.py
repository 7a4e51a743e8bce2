from django.apps import AppConfig


class NurtureConfig(AppConfig):
    """Nurture messages that go out by themselves: e-mail, SMS and Zalo ZNS steps of care scripts."""

    name = "leadpool.nurture"
    label = "nurture"
    verbose_name = "Chăm sóc tự động"
