from django.apps import AppConfig


class SalesConfig(AppConfig):
    name = "leadpool.sales"
    label = "sales"
    verbose_name = "Bán hàng"

    def ready(self) -> None:
        from django.db.models.signals import m2m_changed

        from leadpool.customers.models import Customer
        from leadpool.worker import periodic

        periodic("sales.dont_forget", 3600, "leadpool.sales.tasks.flag_dont_forget")
        periodic("sales.follow_up_reminders", 300, "leadpool.sales.tasks.remind_follow_ups")
        m2m_changed.connect(_projects_joined, sender=Customer.projects.through, dispatch_uid="sales.care.projects")


def _projects_joined(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    """Joining a project starts its care scripts; the rule itself lives in sales.care."""
    if action != "post_add" or reverse or not pk_set:
        return
    from leadpool.sales import care

    care.projects_joined(instance, pk_set)
