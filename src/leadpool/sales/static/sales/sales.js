// The salesperson's pages: the previous owners' notes toggle and self-submitting selects (no inline script: CSP).
(function () {
  "use strict";
  document.addEventListener("click", function (e) {
    var button = e.target.closest("[data-toggle-folded]");
    if (!button) { return; }
    var wrap = document.getElementById("timeline-wrap");
    var shown = wrap.classList.toggle("show-folded");
    button.setAttribute("aria-pressed", shown ? "true" : "false");
    button.textContent = shown ? button.dataset.showLabel : button.dataset.hideLabel;
  });
  document.addEventListener("change", function (e) {
    if (e.target.matches("select[data-autosubmit]")) { e.target.form.submit(); }
  });
  // After a quick action is saved, bring the fresh timeline into view on a phone.
  document.addEventListener("htmx:afterSwap", function (e) {
    if (e.detail.target && e.detail.target.id === "timeline-wrap" && document.getElementById("work-flash")) {
      var flash = document.getElementById("work-flash");
      if (flash && window.innerWidth < 992) { flash.scrollIntoView({ block: "nearest" }); }
    }
  });
})();
