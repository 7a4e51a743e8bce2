// Leadpool's own script: small behaviours that need no inline script (the CSP forbids it).
(function () {
  "use strict";
  // Live timers: <span data-since="ISO time"> shows minutes elapsed; data-until counts down.
  function pad(n) { return n < 10 ? "0" + n : "" + n; }
  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-since]").forEach(function (el) {
      var mins = Math.max(0, Math.floor((now - Date.parse(el.dataset.since)) / 60000));
      el.textContent = mins < 120 ? mins + "′" : Math.floor(mins / 60) + "h" + pad(mins % 60);
    });
    document.querySelectorAll("[data-until]").forEach(function (el) {
      var mins = Math.floor((Date.parse(el.dataset.until) - now) / 60000);
      var sign = mins < 0 ? "−" : "";
      var m = Math.abs(mins);
      el.textContent = sign + (m >= 1440 ? Math.floor(m / 1440) + "d " + Math.floor((m % 1440) / 60) + "h" : Math.floor(m / 60) + "h" + pad(m % 60));
      el.classList.toggle("text-danger", mins < 0);
    });
  }
  document.addEventListener("DOMContentLoaded", tick);
  document.addEventListener("htmx:afterSettle", tick);
  setInterval(tick, 30000);
  // Confirm buttons: <button data-confirm="…">
  document.addEventListener("click", function (e) {
    var el = e.target.closest("[data-confirm]");
    if (el && !window.confirm(el.dataset.confirm)) { e.preventDefault(); e.stopPropagation(); }
  }, true);
  if ("serviceWorker" in navigator && document.body.dataset.sw !== "off") {
    navigator.serviceWorker.register("/sw.js").catch(function () {});
  }
})();
