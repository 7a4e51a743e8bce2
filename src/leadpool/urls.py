"""Top-level routes: each part of the product brings its own urls module."""

from django.contrib import admin
from django.urls import include, path

from leadpool.api.urls import api
from leadpool.ops.health import health

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("customers/", include("leadpool.customers.urls")),
    path("intake/", include("leadpool.intake.urls")),
    path("sales/", include("leadpool.sales.urls")),
    path("rotation/", include("leadpool.rotation.urls")),
    path("reports/", include("leadpool.reports.urls")),
    path("notifications/", include("leadpool.notify.urls")),
    path("audit/", include("leadpool.audit.urls")),
    path("security/", include("leadpool.security.urls")),
    path("health", health, name="health"),
    path("webhooks/", include("leadpool.webhooks.urls")),
    path("conversations/", include("leadpool.conversations.urls")),
    path("nurture/", include("leadpool.nurture.urls")),
    path("", include("leadpool.web.urls")),
]
