// What the site does in the browser, each where its page asks for it: the side-by-side view of a
// change page's edits, and from a document's texts pack (texts.json: each distinct piece, a line
// or a sentence, once; each version as runs of piece numbers) an earlier version's text and the comparison
// of any two versions. Pages read fine without it.
// Policy text is hostile input: everything is built with DOM calls and text nodes, links only
// for http(s) and mailto targets, and no markup from the text is ever parsed as HTML.
"use strict";
(function () {
  function get(url) {
    return fetch(url).then(function (r) {
      if (!r.ok) throw new Error("HTTP " + r.status);
      return r.json();
    });
  }

  // a version's paragraphs: its pieces joined, split at blank lines
  function paragraphs(pack, versionId) {
    var v = null;
    for (var i = 0; i < pack.versions.length; i++) if (pack.versions[i].id === versionId) v = pack.versions[i];
    if (!v) return null;
    var out = [];
    v.runs.forEach(function (run) {
      for (var k = 0; k < run[1]; k++) out.push(pack.pieces[run[0] + k]);
    });
    return out.join("").split("\n\n");
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  // ------------------------------------------------------------ Markdown as policies use it

  var INLINE = /\\([\\`*_{}\[\]()#+\-.!|<>~])|!\[([^\]\n]*)\]\([^)\n]*\)|\[((?:[^\[\]\n]|\[[^\]\n]*\])*)\]\(\s*<?([^)\s>]*)>?(?:\s+"[^"\n]*")?\s*\)|<((?:https?|mailto):[^>\s]+)>|\*\*(\S(?:[^*]*\S)?)\*\*|__(\S(?:[^_]*\S)?)__|\*(\S(?:[^*]*\S)?)\*|`([^`\n]+)`/g;

  function safeHref(url) {
    return /^(https?:|mailto:)/i.test(url) ? url : null;
  }

  function inline(parent, text) {
    var at = 0;
    var m;
    INLINE.lastIndex = 0;
    var re = new RegExp(INLINE.source, "g");
    while ((m = re.exec(text)) !== null) {
      if (m.index > at) parent.appendChild(document.createTextNode(text.slice(at, m.index)));
      if (m[1] !== undefined) parent.appendChild(document.createTextNode(m[1]));
      else if (m[2] !== undefined) parent.appendChild(el("span", "img-alt", "[image" + (m[2] ? ": " + m[2] : "") + "]"));
      else if (m[3] !== undefined) {
        var href = safeHref(m[4]);
        var a = el(href ? "a" : "span");
        if (href) {
          a.setAttribute("href", href);
          a.setAttribute("rel", "nofollow noopener noreferrer");
        }
        inline(a, m[3]);
        parent.appendChild(a);
      } else if (m[5] !== undefined) {
        var auto = el("a", null, m[5]);
        auto.setAttribute("href", m[5]);
        auto.setAttribute("rel", "nofollow noopener noreferrer");
        parent.appendChild(auto);
      } else if (m[6] !== undefined || m[7] !== undefined) {
        var s = el("strong");
        inline(s, m[6] !== undefined ? m[6] : m[7]);
        parent.appendChild(s);
      } else if (m[8] !== undefined) {
        var em = el("em");
        inline(em, m[8]);
        parent.appendChild(em);
      } else if (m[9] !== undefined) parent.appendChild(el("code", null, m[9]));
      at = re.lastIndex;
    }
    if (at < text.length) parent.appendChild(document.createTextNode(text.slice(at)));
  }

  var ITEM = /^(\s*)([-*+\u2022]|\d{1,9}[.)])\s+/;
  var CELLS = /(?:^|[^\\])\|/;

  function cells(line) {
    var parts = [];
    var cur = "";
    for (var i = 0; i < line.length; i++) {
      if (line[i] === "\\" && i + 1 < line.length) { cur += line[i] + line[i + 1]; i++; continue; }
      if (line[i] === "|") { parts.push(cur); cur = ""; continue; }
      cur += line[i];
    }
    parts.push(cur);
    if (parts.length && !parts[0].trim()) parts.shift();
    if (parts.length && !parts[parts.length - 1].trim()) parts.pop();
    return parts.map(function (c) { return c.trim(); });
  }

  var outline = []; // [level in the policy, level on the page] of the headings above

  function renderBlock(into, md) {
    var lines = md.split("\n");
    var i = 0;
    while (i < lines.length) {
      var line = lines[i];
      if (!line.trim()) { i++; continue; }
      var fence = /^ {0,3}(`{3,}|~{3,})/.exec(line);
      if (fence) {
        var code = [];
        i++;
        while (i < lines.length && lines[i].indexOf(fence[1]) !== 0) code.push(lines[i++]);
        i++;
        into.appendChild(el("pre", null, code.join("\n")));
        continue;
      }
      var h = /^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
      if (h) {
        // below the page's <h1>, and one level below the heading it belongs to (as site.py's outline)
        var level = h[1].length;
        while (outline.length && outline[outline.length - 1][0] >= level) outline.pop();
        var shown = Math.min(outline.length ? outline[outline.length - 1][1] + 1 : 2, 6);
        outline.push([level, shown]);
        var head = el("h" + shown);
        inline(head, h[2]);
        into.appendChild(head);
        i++;
        continue;
      }
      if (/^ {0,3}([-*_])(\s*\1){2,}\s*$/.test(line)) { into.appendChild(el("hr")); i++; continue; }
      if (/^\s*\|/.test(line)) {
        var rows = [];
        while (i < lines.length && /^\s*\|/.test(lines[i])) rows.push(lines[i++]);
        var table = el("table");
        var body = el("tbody");
        rows.forEach(function (r, k) {
          if (/^\s*\|?\s*:?-{2,}/.test(r) && !/[^\s|:-]/.test(r)) return;
          var header = k === 0 && rows.length > 1 && /^\s*\|?\s*:?-{2,}/.test(rows[1]);
          var tr = el("tr");
          cells(r).forEach(function (c) {
            var cell = el(header ? "th" : "td");
            inline(cell, c);
            tr.appendChild(cell);
          });
          if (header) {
            var thead = el("thead");
            thead.appendChild(tr);
            table.appendChild(thead);
          } else body.appendChild(tr);
        });
        table.appendChild(body);
        var wrap = el("div", "scroll");
        wrap.appendChild(table);
        into.appendChild(wrap);
        continue;
      }
      var item = ITEM.exec(line);
      if (item) {
        var ordered = /\d/.test(item[2]);
        var list = el(ordered ? "ol" : "ul");
        while (i < lines.length && lines[i].trim()) {
          var it = ITEM.exec(lines[i]);
          if (it) {
            var li = el("li");
            if (ordered) li.setAttribute("value", parseInt(it[2], 10));
            inline(li, lines[i].slice(it[0].length));
            list.appendChild(li);
          } else if (list.lastChild) {
            list.lastChild.appendChild(document.createTextNode(" "));
            inline(list.lastChild, lines[i].trim());
          }
          i++;
        }
        into.appendChild(list);
        continue;
      }
      // a paragraph: this line (whatever it starts with: nothing above took it) and the lines
      // after it that start no block of their own
      var para = [line.replace(/^\s*>\s?/, "").trim()];
      i++;
      while (i < lines.length && lines[i].trim() && !ITEM.test(lines[i]) && !/^ {0,3}(\||#{1,6}\s)/.test(lines[i])) {
        para.push(lines[i].replace(/^\s*>\s?/, "").trim());
        i++;
      }
      var p = el(/^\s*>/.test(line) ? "blockquote" : "p");
      inline(p, para.join(" "));
      into.appendChild(p);
    }
  }

  // ------------------------------------------------------------ a version's text

  function showVersion(article) {
    var id = article.getAttribute("data-version");
    return get(article.getAttribute("data-pack")).then(function (pack) {
      var blocks = paragraphs(pack, id);
      if (!blocks) throw new Error("version " + id + " is not in the texts file");
      var fallback = article.querySelector(".fallback");
      if (fallback) article.removeChild(fallback);
      blocks.forEach(function (block) { renderBlock(article, block); });
    });
  }

  // ------------------------------------------------------------ comparing two versions

  // the longest common subsequence of two arrays, as [op, item] with op "=", "-" or "+"
  function diff(a, b, same) {
    var head = 0;
    while (head < a.length && head < b.length && same(a[head], b[head])) head++;
    var tail = 0;
    while (tail < a.length - head && tail < b.length - head && same(a[a.length - 1 - tail], b[b.length - 1 - tail])) tail++;
    var out = [];
    var k;
    for (k = 0; k < head; k++) out.push(["=", a[k], b[k]]);
    var x = a.slice(head, a.length - tail);
    var y = b.slice(head, b.length - tail);
    var n = x.length;
    var m = y.length;
    if (n && m && n * m <= 4000000) {
      var w = m + 1;
      var len = new Uint16Array((n + 1) * w);
      for (var i = n - 1; i >= 0; i--) {
        for (var j = m - 1; j >= 0; j--) {
          len[i * w + j] = same(x[i], y[j]) ? len[(i + 1) * w + j + 1] + 1 : Math.max(len[(i + 1) * w + j], len[i * w + j + 1]);
        }
      }
      i = 0;
      j = 0;
      while (i < n && j < m) {
        if (same(x[i], y[j])) { out.push(["=", x[i], y[j]]); i++; j++; }
        else if (len[(i + 1) * w + j] >= len[i * w + j + 1]) out.push(["-", x[i++]]);
        else out.push(["+", y[j++]]);
      }
      while (i < n) out.push(["-", x[i++]]);
      while (j < m) out.push(["+", y[j++]]);
    } else {
      x.forEach(function (v) { out.push(["-", v]); });
      y.forEach(function (v) { out.push(["+", v]); });
    }
    for (k = a.length - tail; k < a.length; k++) out.push(["=", a[k], b[k - a.length + b.length]]);
    return out;
  }

  function plain(md) {
    return md
      .replace(/^ {0,3}#{1,6}\s+/gm, "")
      .replace(/^\s*[-*+\u2022]\s+/gm, "\u2022 ")
      .replace(/!\[([^\]\n]*)\]\([^)\n]*\)/g, "[image: $1]")
      .replace(/\[((?:[^\[\]\n]|\[[^\]\n]*\])*)\]\(\s*<?([^)\s>]*)>?[^)\n]*\)/g, "$1 ($2)")
      .replace(/\*\*|__|`/g, "")
      .replace(/\\([\\`*_{}\[\]()#+\-.!|<>~])/g, "$1")
      .replace(/\s*\n\s*/g, " ")
      .trim();
  }

  function words(text) {
    return text.match(/\s+|[^\s.,;:!?()"']+|[.,;:!?()"']/g) || [];
  }

  function marked(into, pieces) {
    pieces.forEach(function (p) {
      if (p[0] === "=") { into.appendChild(document.createTextNode(p[1])); return; }
      into.appendChild(el(p[0] === "-" ? "del" : "ins", null, p[1]));
    });
  }

  function wordDiff(old, neu) {
    var a = words(old);
    var b = words(neu);
    var ops = a.length * b.length <= 250000 ? diff(a, b, function (p, q) { return p === q; }) : null;
    var out = [];
    if (!ops) return [["-", old], ["+", neu]];
    ops.forEach(function (o) {
      var t = o[1];
      if (out.length && out[out.length - 1][0] === o[0]) out[out.length - 1][1] += t;
      else out.push([o[0], t]);
    });
    return out;
  }

  function heading(md) {
    var h = /^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$/m.exec(md);
    return h ? plain(h[1]) : null;
  }

  function compareVersions(pack, a, b, result) {
    var A = paragraphs(pack, a);
    var B = paragraphs(pack, b);
    while (result.firstChild) result.removeChild(result.firstChild);
    if (!A || !B) {
      result.appendChild(el("p", null, "Pick two versions of this document."));
      return;
    }
    var ops = diff(A, B, function (p, q) { return p === q; });
    var changed = 0;
    var section = null;
    var k = 0;
    var shownSection = null;
    while (k < ops.length) {
      if (ops[k][0] === "=") {
        var hd = heading(ops[k][2]);
        if (hd) section = hd;
        k++;
        continue;
      }
      var dels = [];
      var ins = [];
      while (k < ops.length && ops[k][0] !== "=") {
        (ops[k][0] === "-" ? dels : ins).push(ops[k][1]);
        k++;
      }
      if (section !== shownSection || shownSection === null) {
        result.appendChild(el("h2", "pw-where", section || "Top of the document"));
        shownSection = section;
      }
      var pairs = Math.max(dels.length, ins.length);
      for (var p = 0; p < pairs; p++) {
        var edit = el("div", "pw-edit");
        var para = el("p");
        var old = p < dels.length ? plain(dels[p]) : null;
        var neu = p < ins.length ? plain(ins[p]) : null;
        if (old !== null && neu !== null) {
          edit.appendChild(el("p", "pw-badge", "changed"));
          marked(para, wordDiff(old, neu));
        } else if (old !== null) {
          edit.appendChild(el("p", "pw-badge", "removed"));
          marked(para, [["-", old]]);
        } else {
          edit.appendChild(el("p", "pw-badge", "added"));
          marked(para, [["+", neu]]);
        }
        edit.appendChild(para);
        result.appendChild(edit);
        changed++;
        var hn = neu !== null ? heading(ins[p]) : null;
        if (hn) section = hn;
      }
    }
    var label = function (id) {
      for (var i = 0; i < pack.versions.length; i++) if (pack.versions[i].id === id) return when(pack.versions[i].at);
      return id;
    };
    var summary = el("p", "lede", changed === 0 ? "These two versions have the same text." :
      changed + " paragraph" + (changed === 1 ? " differs" : "s differ") + " between the text of " + label(a) + " and that of " + label(b) + ".");
    result.insertBefore(summary, result.firstChild);
  }

  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

  function when(iso) {
    var m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(iso || "");
    return m ? +m[3] + " " + MONTHS[+m[2] - 1] + " " + m[1] + ", " + m[4] + ":" + m[5] + " UTC" : iso;
  }

  function setUpCompare(form) {
    var result = document.getElementById("result");
    var a = document.getElementById("a");
    var b = document.getElementById("b");
    var params = new URL(window.location.href).searchParams;
    function pick(select, value) {
      for (var i = 0; i < select.options.length; i++) if (select.options[i].value === value) select.selectedIndex = i;
    }
    result.appendChild(el("p", "fallback", "Loading the texts…"));
    return get(form.getAttribute("data-pack")).then(function (pack) {
      var newest = pack.versions.slice().reverse();
      [a, b].forEach(function (select) {
        newest.forEach(function (v) {
          var summary = v.summary.length > 70 ? v.summary.slice(0, 69) + "…" : v.summary;
          var option = el("option", null, when(v.at) + ": " + summary);
          option.value = v.id;
          select.appendChild(option);
        });
      });
      b.selectedIndex = 0;
      a.selectedIndex = Math.min(1, newest.length - 1);
      if (params.get("b")) {
        pick(b, params.get("b"));
        if (!params.get("a") && b.selectedIndex + 1 < b.options.length) a.selectedIndex = b.selectedIndex + 1;
      }
      if (params.get("a")) pick(a, params.get("a"));
      function run() {
        compareVersions(pack, a.value, b.value, result);
      }
      form.addEventListener("submit", function (e) {
        e.preventDefault();
        var url = new URL(window.location.href);
        url.searchParams.set("a", a.value);
        url.searchParams.set("b", b.value);
        window.history.replaceState(null, "", url.toString());
        run();
      });
      run();
    });
  }

  function fail(where, e) {
    var message = "The texts could not be loaded (" + (e && e.message ? e.message : e) + ").";
    while (where.firstChild) where.removeChild(where.firstChild);
    where.appendChild(el("p", "failed", message));
    if (window.console) window.console.error(message);
  }

  // ------------------------------------------------------------ side by side

  // the edits of a change page in two columns: the old text (without what was added) and the
  // new (without what was removed), built from the page's own compact view
  function sideBySide(compact) {
    var table = el("table", "pw-sbs");
    var head = el("thead");
    var tr = el("tr");
    ["Before", "After"].forEach(function (t) {
      var th = el("th", null, t);
      th.setAttribute("scope", "col");
      tr.appendChild(th);
    });
    head.appendChild(tr);
    table.appendChild(head);
    var body = el("tbody");
    function side(node, drop) {
      var copy = node.cloneNode(true);
      Array.prototype.forEach.call(copy.querySelectorAll(drop), function (d) { d.parentNode.removeChild(d); });
      return copy;
    }
    Array.prototype.forEach.call(compact.querySelectorAll(".pw-where, .pw-edit"), function (node) {
      var row = el("tr");
      if (node.classList.contains("pw-where")) {
        if (node.closest("details")) return;
        var th = el("th", null, node.textContent);
        th.setAttribute("colspan", "2");
        th.setAttribute("scope", "colgroup");
        row.className = "pw-where";
        row.appendChild(th);
      } else {
        var before = el("td");
        var after = el("td");
        if (!node.classList.contains("pw-added")) before.appendChild(side(node, "ins, .pw-badge"));
        if (!node.classList.contains("pw-removed")) after.appendChild(side(node, "del"));
        row.appendChild(before);
        row.appendChild(after);
      }
      body.appendChild(row);
    });
    table.appendChild(body);
    var wrap = el("div", "scroll");
    wrap.appendChild(table);
    wrap.hidden = true;
    var button = el("button", "pw-toggle", "Side by side");
    button.setAttribute("type", "button");
    button.setAttribute("aria-pressed", "false");
    button.addEventListener("click", function () {
      var on = button.getAttribute("aria-pressed") !== "true";
      button.setAttribute("aria-pressed", on ? "true" : "false");
      compact.hidden = on;
      wrap.hidden = !on;
    });
    compact.parentNode.insertBefore(wrap, compact);
    compact.parentNode.insertBefore(button, wrap);
  }

  var compact = document.querySelector("#edits-body > .pw-compact");
  if (compact && compact.querySelector(".pw-edit")) sideBySide(compact);
  var article = document.getElementById("text");
  if (article && article.getAttribute("data-pack")) showVersion(article).catch(function (e) { fail(article, e); });
  var form = document.getElementById("compare");
  if (form && form.getAttribute("data-pack")) setUpCompare(form).catch(function (e) { fail(document.getElementById("result"), e); });
})();
