{% load static %}// Leadpool service worker: installable app shell, an offline notice, and Web Push notifications.
// Customer pages are never cached (personal data stays on the server); only static files are.
var CACHE = "leadpool-static-v2";
var SHELL = [
  "{% static 'bootstrap/css/bootstrap.min.css' %}",
  "{% static 'leadpool/app.css' %}",
  "{% static 'leadpool/app.js' %}",
  "{% static 'leadpool/icon-192.png' %}"
];
var OFFLINE = "<!doctype html><html lang=\"vi\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">" +
  "<title>Mất kết nối · Leadpool</title></head><body style=\"font-family:sans-serif;padding:2rem;text-align:center\">" +
  "<h1 style=\"font-size:1.25rem\">Không có kết nối mạng</h1><p>Leadpool cần mạng để mở dữ liệu khách hàng. " +
  "Vui lòng thử lại khi có sóng.</p></body></html>";

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return Promise.all(SHELL.map(function (url) { return cache.add(url).catch(function () {}); }));
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k !== CACHE; }).map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (request.mode === "navigate") {
    event.respondWith(fetch(request).catch(function () {
      return new Response(OFFLINE, { headers: { "Content-Type": "text/html; charset=utf-8" } });
    }));
    return;
  }
  if (url.pathname.indexOf("/static/") === 0) {
    event.respondWith(caches.match(request).then(function (hit) {
      return hit || fetch(request).then(function (response) {
        if (response.ok) {
          var copy = response.clone();
          caches.open(CACHE).then(function (cache) { cache.put(request, copy); });
        }
        return response;
      });
    }));
  }
});

self.addEventListener("push", function (event) {
  var data = {};
  try { data = event.data ? event.data.json() : {}; } catch (e) { data = { title: event.data && event.data.text() }; }
  event.waitUntil(self.registration.showNotification(data.title || "Leadpool", {
    body: data.body || "",
    data: { url: data.url || "/" },
    icon: "{% static 'leadpool/icon-192.png' %}",
    badge: "{% static 'leadpool/icon-192.png' %}",
    tag: data.id ? "leadpool-" + data.id : undefined,
    renotify: false,
    requireInteraction: data.kind === "speed_to_lead"
  }));
});

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  var target = new URL((event.notification.data && event.notification.data.url) || "/", self.location.origin).href;
  event.waitUntil(self.clients.matchAll({ type: "window", includeUncontrolled: true }).then(function (windows) {
    for (var i = 0; i < windows.length; i++) {
      if ("focus" in windows[i]) { windows[i].navigate(target); return windows[i].focus(); }
    }
    return self.clients.openWindow(target);
  }));
});
