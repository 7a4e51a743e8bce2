from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "leadpool.audit"
    label = "audit"
