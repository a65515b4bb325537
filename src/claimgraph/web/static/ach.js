// claimgraph ACH matrix: a changed rating is saved through the JSON API right away and the
// scores are refreshed in place. Without JS each cell is a small form with a Set button.
(function () {
  "use strict";
  var table, status, queue = Promise.resolve();

  function say(text, failed, reload) {
    status.textContent = text;
    status.classList.toggle("failed", !!failed);
    if (reload) {
      var link = document.createElement("a");
      link.href = location.pathname + location.search;
      link.textContent = "Reload to re-order the columns";
      status.appendChild(document.createTextNode(" "));
      status.appendChild(link);
    }
  }

  function request(method, url, body) {
    var options = { method: method, credentials: "same-origin", headers: { "X-Claimgraph-CSRF": "1", "Accept": "application/json" } };
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    return fetch(url, options).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) {
          throw new Error((data && data.error && data.error.message) || ("HTTP " + response.status));
        }
        return data;
      });
    });
  }

  function refreshScores() {
    return request("GET", table.dataset.api + "?prefill=false").then(function (matrix) {
      var order = matrix.hypotheses.map(function (h) { return h.id; });
      matrix.hypotheses.forEach(function (h) {
        table.querySelectorAll("td[data-score]").forEach(function (td) {
          if (td.dataset.h !== h.id) { return; }
          var value = String(parseFloat(Number(h[td.dataset.score]).toPrecision(6)));  // as Python's %g
          var strong = td.querySelector("strong");
          (strong || td).textContent = value;
        });
      });
      table.querySelectorAll("td[data-diag]").forEach(function (td) {
        var value = matrix.diagnosticity[td.dataset.diag] || 0;
        td.querySelector("meter").value = value;
        td.querySelector(".dval").textContent = value.toFixed(2);
      });
      var shown = Array.prototype.map.call(table.querySelectorAll("th.hyp"), function (th) { return th.dataset.h; });
      return shown.join(" ") !== order.join(" ");
    });
  }

  function save(select) {
    var cell = select.closest("td");
    var previous = select.dataset.saved;
    var rating = select.value;
    var author = document.getElementById("ach-author");
    cell.classList.add("saving");
    queue = queue.then(function () {
      return request("POST", "/api/ach/cells", {
        hypothesis: select.dataset.h, cluster: select.dataset.cluster, rating: rating,
        author: author && author.value.trim() ? author.value.trim() : undefined
      }).then(function (made) {
        select.dataset.saved = made.rating;
        cell.className = "cell s-" + made.rating + " o-" + made.origin;
        cell.title = "Set by " + made.set_by + " at " + made.set_at;
        var blank = select.querySelector("option[value='']");
        if (blank) { blank.remove(); }
        return refreshScores().then(function (reordered) {
          say("Saved " + made.rating + "." + (reordered ? " The ranking of the hypotheses changed." : ""), false, reordered);
        });
      }).catch(function (error) {
        select.value = previous;
        say("Not saved: " + error.message, true);
      }).then(function () { cell.classList.remove("saving"); });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    table = document.getElementById("ach-matrix");
    status = document.getElementById("ach-status");
    if (!table || !status || !window.fetch) { return; }
    table.classList.add("live");
    table.querySelectorAll(".cellform select").forEach(function (select) {
      select.dataset.saved = select.value;
      select.addEventListener("change", function () { save(select); });
    });
  });
})();
