// Draws every <div data-chart="LineChart" data-series="[...]"> with Chartkick (no inline script: strict CSP).
(function () {
  "use strict";
  function draw() {
    if (!window.Chartkick) { return; }
    document.querySelectorAll("[data-chart]:not([data-drawn])").forEach(function (el) {
      var kind = el.dataset.chart;
      if (!window.Chartkick[kind]) { return; }
      var data = JSON.parse(el.dataset.series || "[]");
      var options = JSON.parse(el.dataset.options || "{}");
      options.thousands = options.thousands || ".";
      options.decimal = options.decimal || ",";
      options.height = options.height || (window.innerWidth < 576 ? "220px" : "300px");
      new window.Chartkick[kind](el, data, options);
      el.dataset.drawn = "1";
    });
  }
  document.addEventListener("DOMContentLoaded", draw);
  document.addEventListener("htmx:afterSettle", draw);
})();
