// Search over search-index.json, in the browser. Results are built with DOM calls and
// textContent only: indexed text comes from crawled pages and is never parsed as HTML.
"use strict";
(function () {
  var input = document.getElementById("q");
  var list = document.getElementById("results");
  var status = document.getElementById("search-status");
  if (!input || !list || !status || !window.fetch) return;
  var LIMIT = 100;
  var index = null;

  function fold(s) {
    return s.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function show(query) {
    while (list.firstChild) list.removeChild(list.firstChild);
    var terms = fold(query).split(/\s+/).filter(Boolean);
    if (!terms.length) {
      status.textContent = index.length + " documents and changes indexed. Type to search.";
      return;
    }
    var found = 0;
    for (var i = 0; i < index.length; i++) {
      var row = index[i];
      var ok = terms.every(function (t) { return row.haystack.indexOf(t) >= 0; });
      if (!ok) continue;
      found++;
      if (found > LIMIT) continue;
      var li = document.createElement("li");
      li.className = "change";
      if (row.d) {
        var time = document.createElement("time");
        time.textContent = row.d;
        li.appendChild(time);
        li.appendChild(document.createTextNode(" "));
      }
      var badge = document.createElement("span");
      badge.className = "badge";
      badge.textContent = row.k === "document" ? "document" : row.g;
      li.appendChild(badge);
      li.appendChild(document.createTextNode(" "));
      var a = document.createElement("a");
      a.setAttribute("href", row.u);
      var strong = document.createElement("strong");
      strong.textContent = row.t;
      a.appendChild(strong);
      a.appendChild(document.createTextNode(row.k === "document" ? " (" + row.s + ")" : ": " + row.s));
      li.appendChild(a);
      list.appendChild(li);
    }
    status.textContent = found === 0 ? "Nothing found." :
      found + (found === 1 ? " result" : " results") + (found > LIMIT ? ", the first " + LIMIT + " shown." : ".");
  }

  var timer = null;
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var url = new URL(window.location.href);
      url.searchParams.set("q", input.value);
      window.history.replaceState(null, "", url.toString());
      if (index) show(input.value);
    }, 120);
  });

  input.value = new URL(window.location.href).searchParams.get("q") || "";
  status.textContent = "Loading the search index…";
  fetch("search-index.json")
    .then(function (r) {
      if (!r.ok) throw new Error("HTTP " + r.status);
      return r.json();
    })
    .then(function (rows) {
      index = rows.map(function (row) {
        row.haystack = fold([row.t, row.s, row.g, row.d || ""].join(" "));
        return row;
      });
      show(input.value);
    })
    .catch(function (e) {
      status.textContent = "The search index could not be loaded (" + e.message + ").";
    });
})();
