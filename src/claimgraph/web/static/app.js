// claimgraph pages: claim selection in the document reader, and keyboard shortcuts.
// Everything here is progressive: without JS, links and :target still work.
(function () {
  "use strict";
  function claimLinks() { return Array.prototype.slice.call(document.querySelectorAll("a.claim[data-claim]")); }

  function show(id, focusPanel) {
    var detail = document.getElementById("claim-" + id);
    if (!detail) { return; }
    // One panel at a time. replaceState does not move :target, so a panel opened by the URL's
    // #claim-… (which the stylesheet shows) is hidden here by hand when another one is chosen.
    document.querySelectorAll(".claim-detail").forEach(function (el) {
      el.classList.toggle("shown", el === detail);
      el.style.display = el !== detail && el.matches(":target") ? "none" : "";
    });
    document.querySelectorAll("a.claim.selected").forEach(function (el) { el.classList.remove("selected"); });
    claimLinks().forEach(function (el) { if (el.dataset.claim === id) { el.classList.add("selected"); } });
    if (focusPanel) { detail.focus({ preventScroll: true }); }
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a.claim[data-claim]");
    if (!link || !document.getElementById("claim-" + link.dataset.claim)) { return; }  // another window: follow the link
    event.preventDefault();
    history.replaceState(null, "", "#claim-" + link.dataset.claim);
    show(link.dataset.claim, false);
  });

  function step(direction) {
    var firsts = claimLinks().filter(function (el) { return el.id && el.id.indexOf("at-") === 0; });
    if (!firsts.length) { return; }
    var current = firsts.findIndex(function (el) { return el.classList.contains("selected"); });
    var next = firsts[(current + direction + firsts.length) % firsts.length];
    if (!document.getElementById("claim-" + next.dataset.claim)) { window.location = next.getAttribute("href"); return; }
    next.focus();
    next.scrollIntoView({ block: "center" });
    history.replaceState(null, "", "#claim-" + next.dataset.claim);
    show(next.dataset.claim, false);
  }

  document.addEventListener("keydown", function (event) {
    var tag = (event.target.tagName || "").toLowerCase();
    if (tag === "input" || tag === "textarea" || tag === "select" || event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (event.key === "/") { var q = document.getElementById("q"); if (q) { event.preventDefault(); q.focus(); } }
    else if (event.key === "j") { step(1); }
    else if (event.key === "k") { step(-1); }
  });

  function showHash() {
    if (location.hash.indexOf("#claim-") === 0) { show(decodeURIComponent(location.hash.slice(7)), false); }
  }
  document.addEventListener("DOMContentLoaded", showHash);
  window.addEventListener("hashchange", showHash);  // back/forward, or a link to another claim of this page
})();
