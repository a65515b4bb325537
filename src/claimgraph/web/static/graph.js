// Provenance graph: zoom and pan by changing the SVG viewBox; a click on a node shows its
// documents and claims beside the graph. Text from the ledger goes in via textContent only.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var svg = document.getElementById("graph");
    if (!svg) { return; }
    var panel = document.getElementById("nodepanel");
    var start = svg.viewBox.baseVal;
    var home = { x: start.x, y: start.y, w: start.width, h: start.height };
    var box = { x: home.x, y: home.y, w: home.w, h: home.h };

    function apply() { svg.setAttribute("viewBox", [box.x, box.y, box.w, box.h].join(" ")); }
    function zoom(factor, cx, cy) {
      if (cx === undefined) { cx = box.x + box.w / 2; cy = box.y + box.h / 2; }
      var w = Math.min(Math.max(box.w * factor, 80), home.w * 8);
      var h = w * box.h / box.w;
      box.x = cx - (cx - box.x) * (w / box.w); box.y = cy - (cy - box.y) * (h / box.h);
      box.w = w; box.h = h; apply();
    }
    function point(event) {
      var r = svg.getBoundingClientRect();
      return { x: box.x + (event.clientX - r.left) / r.width * box.w, y: box.y + (event.clientY - r.top) / r.height * box.h };
    }

    document.querySelectorAll("[data-zoom]").forEach(function (button) {
      button.addEventListener("click", function () {
        var what = button.getAttribute("data-zoom");
        if (what === "in") { zoom(0.8); } else if (what === "out") { zoom(1.25); }
        else { box = { x: home.x, y: home.y, w: home.w, h: home.h }; apply(); }
      });
    });
    svg.addEventListener("wheel", function (event) {
      event.preventDefault();
      var p = point(event);
      zoom(event.deltaY < 0 ? 0.9 : 1.1, p.x, p.y);
    }, { passive: false });
    document.addEventListener("keydown", function (event) {
      var tag = (event.target.tagName || "").toLowerCase();
      if (tag === "input" || tag === "select" || tag === "textarea") { return; }
      if (event.key === "+" || event.key === "=") { zoom(0.8); }
      else if (event.key === "-") { zoom(1.25); }
      else if (event.key === "0") { box = { x: home.x, y: home.y, w: home.w, h: home.h }; apply(); }
    });

    var drag = null, moved = false;
    svg.addEventListener("pointerdown", function (event) {
      if (event.button !== 0) { return; }
      drag = { x: event.clientX, y: event.clientY, bx: box.x, by: box.y }; moved = false;
    });
    window.addEventListener("pointermove", function (event) {
      if (!drag) { return; }
      var r = svg.getBoundingClientRect();
      var dx = (event.clientX - drag.x) / r.width * box.w, dy = (event.clientY - drag.y) / r.height * box.h;
      if (Math.abs(event.clientX - drag.x) + Math.abs(event.clientY - drag.y) > 4) { moved = true; svg.classList.add("dragging"); }
      if (moved) { box.x = drag.bx - dx; box.y = drag.by - dy; apply(); }
    });
    window.addEventListener("pointerup", function () { drag = null; svg.classList.remove("dragging"); });

    function el(tag, text, attrs) {
      var node = document.createElement(tag);
      if (text !== undefined && text !== null) { node.textContent = text; }
      Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
      return node;
    }

    function showSource(name, link) {
      document.querySelectorAll(".node.active").forEach(function (n) { n.classList.remove("active"); });
      link.classList.add("active");
      panel.replaceChildren(el("p", "Loading…", { "class": "muted" }));
      fetch("/api/source?limit=20&name=" + encodeURIComponent(name), { headers: { "Accept": "application/json" }, credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (data) {
          if (data.error) { panel.replaceChildren(el("p", data.error.message, { "class": "error" })); return; }
          var out = [el("h3", data.name)];
          var grade = el("p", "Reliability " + data.grade + " — " + data.grade_meaning + " ");
          grade.appendChild(el("a", "open / set grade", { href: "/source?name=" + encodeURIComponent(data.name) }));
          out.push(grade);
          out.push(el("h4", "Documents (" + data.documents.length + ")"));
          var docs = el("ul", null, { "class": "plain" });
          data.documents.forEach(function (d) { var li = el("li"); li.appendChild(el("a", d.title, { href: "/documents/" + encodeURIComponent(d.id) })); docs.appendChild(li); });
          out.push(docs);
          out.push(el("h4", "Claims (" + data.claims.total + ")"));
          var claims = el("ul", null, { "class": "plain" });
          data.claims.items.forEach(function (c) {
            var li = el("li");
            li.appendChild(el("a", c.text.length > 140 ? c.text.slice(0, 140) + "…" : c.text, { href: "/documents/" + encodeURIComponent(c.document_id) + "#claim-" + c.id }));
            claims.appendChild(li);
          });
          out.push(claims);
          panel.replaceChildren.apply(panel, out);
        })
        .catch(function () { panel.replaceChildren(el("p", "Could not load this source.", { "class": "error" })); });
    }

    svg.querySelectorAll("a.node").forEach(function (link) {
      link.addEventListener("click", function (event) {
        if (moved) { event.preventDefault(); return; }
        if (link.getAttribute("data-kind") === "document") { return; }  // a document opens its page
        event.preventDefault();
        showSource(link.getAttribute("data-name"), link);
      });
      link.addEventListener("keydown", function (event) {
        if (event.key === "Enter" && event.shiftKey) { window.location = link.getAttribute("href"); }
      });
    });
  });
})();
