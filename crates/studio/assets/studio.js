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

  // Tree: the filter box keeps the tables whose name holds the text and opens their
  // schemas; emptied, it restores the schemas that were open before. (Enter still
  // searches on the home page.)
  var filter = document.querySelector("nav.tree form.tree-filter input");
  var filtering = false;
  var before = null;
  if (filter) {
    filter.addEventListener("input", function () {
      var text = filter.value.trim().toLowerCase();
      var schemas = document.querySelectorAll("nav.tree details.schema");
      if (text && !filtering) {
        before = [];
        schemas.forEach(function (d) { before.push(d.open); });
      }
      filtering = !!text;
      schemas.forEach(function (d, i) {
        var any = false;
        d.querySelectorAll("li").forEach(function (li) {
          var name = li.querySelector(".name");
          var hit = !text || (name && name.textContent.toLowerCase().indexOf(text) >= 0);
          li.hidden = !hit;
          any = any || hit;
        });
        d.hidden = !!text && !any;
        if (text) d.open = any;
        else if (before) d.open = before[i];
      });
      if (!text) before = null;
    });
  }
})();

// Diagram: pan (drag) and zoom (wheel, buttons) by moving the SVG's viewBox. Without
// this script the diagram is drawn at full size in a scrolling box.
(function () {
  "use strict";
  var wrap = document.querySelector(".erd-wrap");
  var svg = wrap && wrap.querySelector("svg.erd");
  if (!svg) return;
  var full = svg.viewBox.baseVal;
  var drawing = { x: full.x, y: full.y, w: full.width, h: full.height };
  wrap.classList.add("pannable");
  svg.setAttribute("width", "100%");
  svg.setAttribute("height", "100%");
  // "Fit": the whole drawing, but never enlarged past its actual size.
  function fitted() {
    var cw = svg.clientWidth || drawing.w, ch = svg.clientHeight || drawing.h;
    var scale = Math.min(cw / drawing.w, ch / drawing.h, 1);
    var w = cw / scale, h = ch / scale;
    return { x: drawing.x - (w - drawing.w) / 2, y: drawing.y - (h - drawing.h) / 2, w: w, h: h };
  }
  var home = fitted();
  var view = { x: home.x, y: home.y, w: home.w, h: home.h };

  function apply() {
    svg.setAttribute("viewBox", view.x + " " + view.y + " " + view.w + " " + view.h);
  }
  // The drawing's point under a point of the screen.
  function toDrawing(clientX, clientY) {
    var m = svg.getScreenCTM();
    if (!m) return { x: view.x + view.w / 2, y: view.y + view.h / 2 };
    var p = svg.createSVGPoint();
    p.x = clientX;
    p.y = clientY;
    return p.matrixTransform(m.inverse());
  }
  function zoom(factor, at) {
    var w = Math.min(Math.max(view.w * factor, 80), Math.max(home.w, drawing.w) * 4);
    var f = w / view.w;
    view.x = at.x - (at.x - view.x) * f;
    view.y = at.y - (at.y - view.y) * f;
    view.w = w;
    view.h = view.h * f;
    apply();
  }
  function centre() {
    return { x: view.x + view.w / 2, y: view.y + view.h / 2 };
  }

  var tools = document.createElement("div");
  tools.className = "erd-tools";
  [["+", "Zoom in", function () { zoom(1 / 1.25, centre()); }],
   ["−", "Zoom out", function () { zoom(1.25, centre()); }],
   ["Fit", "Show the whole diagram", function () { view = fitted(); apply(); }],
   ["1:1", "Actual size", function () {
     var c = centre();
     view.w = svg.clientWidth;
     view.h = svg.clientHeight;
     view.x = c.x - view.w / 2;
     view.y = c.y - view.h / 2;
     apply();
   }]].forEach(function (t) {
    var b = document.createElement("button");
    b.type = "button";
    b.textContent = t[0];
    b.title = t[1];
    b.setAttribute("aria-label", t[1]);
    b.addEventListener("click", t[2]);
    tools.appendChild(b);
  });
  wrap.insertBefore(tools, svg);
  apply();

  wrap.addEventListener("wheel", function (e) {
    e.preventDefault();
    zoom(e.deltaY > 0 ? 1.15 : 1 / 1.15, toDrawing(e.clientX, e.clientY));
  }, { passive: false });

  var drag = null;
  svg.addEventListener("pointerdown", function (e) {
    if (e.button !== 0 || e.target.closest("a")) return;
    drag = { x: e.clientX, y: e.clientY, view: { x: view.x, y: view.y }, id: e.pointerId };
    svg.setPointerCapture(e.pointerId);
    wrap.classList.add("dragging");
  });
  svg.addEventListener("pointermove", function (e) {
    if (!drag || e.pointerId !== drag.id) return;
    var m = svg.getScreenCTM();
    var scale = m ? m.a : 1;
    view.x = drag.view.x - (e.clientX - drag.x) / scale;
    view.y = drag.view.y - (e.clientY - drag.y) / scale;
    apply();
  });
  function stop(e) {
    if (!drag || e.pointerId !== drag.id) return;
    drag = null;
    wrap.classList.remove("dragging");
  }
  svg.addEventListener("pointerup", stop);
  svg.addEventListener("pointercancel", stop);
})();
