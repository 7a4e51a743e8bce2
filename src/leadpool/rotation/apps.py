"""Rotation: the company's đảo khách rule, its clocks, the sweep and the leader's decisions."""

from django.apps import AppConfig


class RotationConfig(AppConfig):
    name = "leadpool.rotation"
    label = "rotation"
    verbose_name = "Đảo khách"

    def ready(self) -> None:
        from leadpool import events, worker

        from . import deadlines, pool

        events.listen("customer_changed", deadlines.on_customer_changed)
        events.listen("checked_in", pool.on_checked_in)
        worker.periodic("rotation.sweep", 60, "leadpool.rotation.sweep.sweep_task")
