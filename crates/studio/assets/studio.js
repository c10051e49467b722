// strata studio: small progressive enhancements. Every page works without this file.
(function () {
  "use strict";

  // Filter rows: offer only the operators the chosen column's type supports.
  function syncOperators(row) {
    var column = row.querySelector('select[name="fc"]');
    var op = row.querySelector('select[name="fo"]');
    if (!column || !op) return;
    var chosen = column.options[column.selectedIndex];
    var allowed = chosen && chosen.dataset.ops ? chosen.dataset.ops.split(" ") : null;
    for (var i = 0; i < op.options.length; i++) {
      var o = op.options[i];
      o.hidden = !!allowed && allowed.indexOf(o.value) < 0;
    }
    if (op.options[op.selectedIndex] && op.options[op.selectedIndex].hidden) {
      for (var j = 0; j < op.options.length; j++) {
        if (!op.options[j].hidden) { op.selectedIndex = j; break; }
      }
    }
    var value = row.querySelector('input[name="fv"]');
    if (value) value.disabled = op.value === "null" || op.value === "notnull";
  }

  document.querySelectorAll("form.filters .filter").forEach(function (row) {
    syncOperators(row);
    row.addEventListener("change", function () { syncOperators(row); });
  });

  // Filters: a disabled value field is not sent, but the server pairs fc/fo/fv
  // by position, so send an empty value instead.
  document.querySelectorAll("form.filters").forEach(function (form) {
    form.addEventListener("submit", function () {
      form.querySelectorAll('input[name="fv"]').forEach(function (i) { i.disabled = false; });
    });
  });

  // Console: Ctrl+Enter (or Cmd+Enter) runs the statement.
  var console = document.getElementById("console");
  if (console) {
    var area = console.querySelector("textarea");
    area.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
        e.preventDefault();
        console.querySelector('button[value="run"]').click();
      }
    });
  }

  // Tree: remember which schemas are open while moving between pages.
  var key = "strata-studio-open";
  var open = [];
  try { open = JSON.parse(sessionStorage.getItem(key) || "[]"); } catch (e) { open = []; }
  document.querySelectorAll("nav.tree details.schema").forEach(function (d) {
    if (open.indexOf(d.dataset.schema) >= 0) d.open = true;
    d.addEventListener("toggle", function () {
      var names = [];
      document.querySelectorAll("nav.tree details.schema").forEach(function (x) { if (x.open) names.push(x.dataset.schema); });
      try { sessionStorage.setItem(key, JSON.stringify(names)); } catch (e) { /* storage off */ }
    });
  });
})();
