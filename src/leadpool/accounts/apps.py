from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "leadpool.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        # Wire the token copy's forgetting to saves and deletes in every process, not only those serving the API.
        from . import tokens  # noqa: F401
