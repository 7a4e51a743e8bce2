// Sizes the import progress bar from its data-percent (no inline styles under the CSP).
(function () {
  "use strict";
  function size() {
    document.querySelectorAll(".import-bar[data-percent]").forEach(function (bar) {
      bar.style.width = bar.dataset.percent + "%";
    });
  }
  document.addEventListener("DOMContentLoaded", size);
  document.addEventListener("htmx:afterSettle", size);
})();
