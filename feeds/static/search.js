// The site's search: Pagefind's index (in pagefind/, one bundle per language and period, listed
// in the form's data-bundles), queried in the browser. Results are built with DOM calls and
// text nodes only: indexed text comes from crawled pages and is never parsed as HTML.
"use strict";
(function () {
  var form = document.getElementById("search");
  var input = document.getElementById("q");
  var list = document.getElementById("results");
  var status = document.getElementById("search-status");
  if (!form || !input || !list || !status) return;
  var LIMIT = 50;
  var bundles = [];
  try {
    bundles = JSON.parse(form.getAttribute("data-bundles") || "[]");
  } catch (e) {
    bundles = [];
  }
  var engine = null;
  var asked = 0;

  function absolute(path) {
    return new URL(path, window.location.href).href;
  }

  function load() {
    if (!bundles.length) return Promise.reject(new Error("the site has no search index yet"));
    var first = bundles[0];
    return import(absolute(first.path + "pagefind.js")).then(function (pagefind) {
      return pagefind.options({ excerptLength: 24 }).then(function () {
        var merged = bundles.slice(1).map(function (b) {
          return pagefind.mergeIndex(absolute(b.path), { language: b.lang });
        });
        return Promise.all(merged).then(function () {
          return pagefind;
        });
      });
    });
  }

  // an excerpt is the indexed text with <mark> around the words found: only those two tags
  // become elements, everything else stays text
  function excerpt(into, html) {
    var parts = String(html || "").split(/(<mark>|<\/mark>)/);
    var marked = false;
    for (var i = 0; i < parts.length; i++) {
      if (parts[i] === "<mark>") { marked = true; continue; }
      if (parts[i] === "</mark>") { marked = false; continue; }
      if (!parts[i]) continue;
      if (marked) {
        var m = document.createElement("mark");
        m.textContent = parts[i];
        into.appendChild(m);
      } else {
        into.appendChild(document.createTextNode(parts[i]));
      }
    }
  }

  function row(d) {
    var li = document.createElement("li");
    li.className = "change";
    var what = document.createElement("p");
    what.className = "what";
    var a = document.createElement("a");
    a.setAttribute("href", d.url);
    a.textContent = (d.meta && d.meta.title) || d.url;
    what.appendChild(a);
    li.appendChild(what);
    if (d.excerpt) {
      var snippet = document.createElement("p");
      snippet.className = "snippet";
      excerpt(snippet, d.excerpt);
      li.appendChild(snippet);
    }
    var when = document.createElement("p");
    when.className = "when";
    var meta = d.meta || {};
    if (meta.date) {
      var t = document.createElement("time");
      t.setAttribute("datetime", meta.date);
      t.textContent = meta.date;
      when.appendChild(t);
      when.appendChild(document.createTextNode(" "));
    }
    var badge = document.createElement("span");
    badge.className = "badge";
    badge.textContent = meta.kind === "document" ? "document" : meta.significance || "change";
    when.appendChild(badge);
    li.appendChild(when);
    return li;
  }

  function show(query) {
    var mine = ++asked;
    if (!query.trim()) {
      while (list.firstChild) list.removeChild(list.firstChild);
      status.textContent = "Type words to search the changed text, headlines, sections and titles.";
      return Promise.resolve();
    }
    status.textContent = "Searching…";
    return engine.search(query).then(function (found) {
      var hits = (found && found.results) || [];
      return Promise.all(hits.slice(0, LIMIT).map(function (r) { return r.data(); })).then(function (rows) {
        if (mine !== asked) return; // a later query already answered
        while (list.firstChild) list.removeChild(list.firstChild);
        rows.forEach(function (d) { list.appendChild(row(d)); });
        status.textContent = hits.length === 0 ? "Nothing found." :
          hits.length + (hits.length === 1 ? " result" : " results") +
          (hits.length > LIMIT ? ", the first " + LIMIT + " shown." : ".");
      });
    });
  }

  var timer = null;
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var url = new URL(window.location.href);
      url.searchParams.set("q", input.value);
      window.history.replaceState(null, "", url.toString());
      if (engine) show(input.value);
    }, 150);
  });
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    if (engine) show(input.value);
  });

  input.value = new URL(window.location.href).searchParams.get("q") || "";
  status.textContent = "Loading the search index…";
  load()
    .then(function (pagefind) {
      engine = pagefind;
      return show(input.value);
    })
    .catch(function (e) {
      status.textContent = "The search index could not be loaded (" + (e && e.message ? e.message : e) + ").";
    });
})();
