// Web Push on this device: ask permission, subscribe with the server's VAPID key, tell the server (no inline script: CSP).
(function () {
  "use strict";
  var card = document.getElementById("push-card");
  if (!card) { return; }
  var state = document.getElementById("push-state");
  var enable = document.getElementById("push-enable");
  var disable = document.getElementById("push-disable");

  function csrf() {
    var headers = JSON.parse(document.body.getAttribute("hx-headers") || "{}");
    return headers["X-CSRFToken"] || "";
  }
  function keyBytes(base64) {
    var padded = (base64 + "===".slice((base64.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = atob(padded);
    var out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) { out[i] = raw.charCodeAt(i); }
    return out;
  }
  function post(url, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
      body: JSON.stringify(body)
    });
  }
  function show(subscribed) {
    enable.hidden = subscribed;
    disable.hidden = !subscribed;
    state.textContent = subscribed ? "Thiết bị này đang nhận thông báo." : "Thiết bị này chưa nhận thông báo.";
  }
  if (!("serviceWorker" in navigator) || !("PushManager" in window)) {
    state.textContent = "Trình duyệt này không hỗ trợ thông báo đẩy. Trên iPhone: thêm Leadpool vào Màn hình chính trước.";
    return;
  }
  navigator.serviceWorker.register("/sw.js").then(function () { return navigator.serviceWorker.ready; }).then(function (reg) {
    return reg.pushManager.getSubscription().then(function (sub) { show(!!sub); return reg; });
  }).then(function (reg) {
    enable.addEventListener("click", function () {
      Notification.requestPermission().then(function (permission) {
        if (permission !== "granted") { state.textContent = "Bạn chưa cho phép thông báo."; return; }
        return reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(card.dataset.vapidKey) })
          .then(function (sub) { return post(card.dataset.subscribeUrl, sub.toJSON()); })
          .then(function (r) { if (!r.ok) { throw new Error(r.status); } show(true); });
      }).catch(function () { state.textContent = "Không bật được thông báo, vui lòng thử lại."; });
    });
    disable.addEventListener("click", function () {
      reg.pushManager.getSubscription().then(function (sub) {
        if (!sub) { show(false); return; }
        return post(card.dataset.unsubscribeUrl, { endpoint: sub.endpoint }).then(function () { return sub.unsubscribe(); })
          .then(function () { show(false); });
      });
    });
  }).catch(function () { state.textContent = "Không đăng ký được service worker."; });
})();
