from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "leadpool.intake"
    label = "intake"

    def ready(self) -> None:
        # The catalog's signal receivers must run in every process that edits sources or projects.
        from . import catalog  # noqa: F401
