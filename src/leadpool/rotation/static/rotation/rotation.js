// The rotation list: pick many candidates at once for one decision.
(function () {
  function count() {
    var n = document.querySelectorAll('.bulk-pick:checked').length;
    var out = document.getElementById('picked');
    if (out) out.textContent = n;
  }
  document.addEventListener('change', function (e) {
    if (e.target && e.target.id === 'pick-all') {
      document.querySelectorAll('.bulk-pick').forEach(function (box) { box.checked = e.target.checked; });
    }
    if (e.target && (e.target.classList.contains('bulk-pick') || e.target.id === 'pick-all')) count();
  });
  document.addEventListener('htmx:afterSwap', count);
})();
