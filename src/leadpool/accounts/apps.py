from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "leadpool.accounts"
    label = "accounts"
    verbose_name = "Accounts"
