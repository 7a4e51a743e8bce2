from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "leadpool.reports"
    label = "reports"
