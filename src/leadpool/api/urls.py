"""The JSON API at /api/v1/: one router per part of the product, all behind the same auth."""

from ninja import NinjaAPI

from .auth import SessionOrToken

api = NinjaAPI(
    title="Leadpool API",
    version="1.0.0",
    description="Leads in, customers out. Every answer is scoped by the caller's role.",
    auth=SessionOrToken(),
    urls_namespace="api",
)

from .customers import router as customers_router  # noqa: E402

api.add_router("/customers", customers_router)
api.add_router("/leads", "leadpool.api.leads.router")
api.add_router("/rotation", "leadpool.api.rotation.router")
api.add_router("/sales", "leadpool.api.sales.router")
api.add_router("/reports", "leadpool.api.reports.router")
