"""Installable web app: a manifest with icons, and a service worker that shows pushes and never caches customer pages."""

from django.contrib.staticfiles import finders


def test_manifest(client):
    response = client.get("/manifest.webmanifest")
    assert response["Content-Type"] == "application/manifest+json"
    data = response.json()
    assert data["display"] == "standalone" and data["start_url"] == "/" and data["lang"] == "vi"
    sizes = {icon["sizes"] for icon in data["icons"]}
    assert {"192x192", "512x512"} <= sizes
    assert any(icon["purpose"] == "maskable" for icon in data["icons"])
    for icon in data["icons"]:
        assert finders.find(icon["src"].removeprefix("/static/")), icon["src"]


def test_service_worker(client):
    response = client.get("/sw.js")
    assert response["Content-Type"] == "application/javascript"
    assert response["Service-Worker-Allowed"] == "/"
    body = response.content.decode()
    assert 'addEventListener("push"' in body and 'addEventListener("notificationclick"' in body
    assert "/static/bootstrap/css/bootstrap.min.css" in body
    assert 'request.mode === "navigate"' in body  # pages: network only, an offline notice when there is none


def test_pages_link_the_manifest(world, login):
    html = login(world.sale1).get("/").content.decode()
    assert '<link rel="manifest" href="/manifest.webmanifest">' in html
