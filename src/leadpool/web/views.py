"""Pages that belong to no single part of the product: the web-app manifest and service worker."""

from django.http import HttpResponse, JsonResponse
from django.templatetags.static import static
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET


@require_GET
@cache_control(max_age=3600)
def manifest(request):
    return JsonResponse(
        {
            "id": "/",
            "name": "Leadpool",
            "short_name": "Leadpool",
            "description": "Khách hàng của tôi: gọi nhanh, ghi chép, chăm sóc đúng hẹn.",
            "start_url": "/",
            "scope": "/",
            "display": "standalone",
            "orientation": "portrait",
            "background_color": "#f5f6f8",
            "theme_color": "#0d6efd",
            "lang": "vi",
            "icons": [
                {"src": static("leadpool/icon-192.png"), "sizes": "192x192", "type": "image/png", "purpose": "any"},
                {"src": static("leadpool/icon-512.png"), "sizes": "512x512", "type": "image/png", "purpose": "any"},
                {"src": static("leadpool/icon-512.png"), "sizes": "512x512", "type": "image/png", "purpose": "maskable"},
            ],
            "shortcuts": [
                {"name": "Việc hôm nay", "url": "/"},
                {"name": "Đừng quên", "url": "/sales/dont-forget/"},
                {"name": "Thông báo", "url": "/notifications/"},
            ],
        },
        content_type="application/manifest+json",
    )


@require_GET
def service_worker(request):
    from django.template.loader import render_to_string

    response = HttpResponse(render_to_string("web/sw.js"), content_type="application/javascript")
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache"
    return response
