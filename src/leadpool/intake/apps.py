from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "leadpool.intake"
    label = "intake"
