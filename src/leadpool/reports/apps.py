"""Reports: dashboards, targets, ad spend, audiences and the summary tables behind them."""

from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "leadpool.reports"
    label = "reports"

    def ready(self) -> None:
        from leadpool import worker

        worker.periodic("reports.refresh", 300, "leadpool.reports.tasks.refresh_summaries")
        worker.periodic("reports.rebuild", 86_400, "leadpool.reports.tasks.rebuild_summaries")
