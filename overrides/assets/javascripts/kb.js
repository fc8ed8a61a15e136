/* kbtools: the site's search (Pagefind's chunked index, in Material's search dialog) with its
   audience filter, and the home page's search box (overrides/README.md). Nothing here talks
   to another host. The home page's box submits ?q=, which opens the search on load. */
(function () {
  "use strict";

  var KEY = "kb-audience";

  function toggle() { return document.getElementById("__search"); }
  function query() { return document.querySelector(".md-search__input"); }

  /* Open Material's search dialog with `text` as the query, as if typed there. */
  function openSearch(text) {
    var t = toggle(), q = query();
    if (!t || !q) return false;
    if (!t.checked) t.click();
    q.value = text;
    q.dispatchEvent(new Event("input", { bubbles: true }));
    q.focus();
    q.setSelectionRange(text.length, text.length);
    return true;
  }

  /* The home page's search box hands over to the dialog as soon as the visitor types. */
  function wireHero() {
    var form = document.querySelector(".kb-hero-search");
    if (!form || form.dataset.kbWired) return;
    form.dataset.kbWired = "1";
    var input = form.querySelector("input");
    input.addEventListener("input", function () {
      if (input.value.trim() && openSearch(input.value)) input.value = "";
    });
    form.addEventListener("submit", function (e) {
      if (openSearch(input.value)) e.preventDefault();
    });
  }

  /* The site's search: Pagefind's index in pagefind/ at the site's root. The index is in
     chunks: a search loads the chunks of the words typed and the fragments of the results
     it shows (PAGE at a time, more as the visitor scrolls), never the whole site's text.
     Results are written in Material's own markup, so they look like Material's search. */
  var PAGE = 20;
  var ROOT = (function () {
    var base = ".";
    try { base = JSON.parse(document.getElementById("__config").textContent).base || "."; }
    catch (e) { /* no config: the page is at the root */ }
    return new URL(base.replace(/\/?$/, "/"), location.href);
  })();
  var engine = null;  /* the Pagefind module, once loaded */
  var state = { seq: 0, results: [], shown: 0, timer: 0, busy: false };

  function dialog() { return document.querySelector(".kb-search"); }

  function load() {
    if (!engine) {
      engine = import(new URL("pagefind/pagefind.js", ROOT).href).then(function (pf) {
        return Promise.resolve(pf.options({ baseUrl: ROOT.pathname })).then(function () {
          return pf;
        });
      });
    }
    return engine;
  }

  function chosen() {
    var on = document.querySelector('input[name="kb-audience"]:checked');
    return on ? on.value : "";
  }

  function say(text) {
    var meta = document.querySelector(".md-search-result__meta");
    if (meta) meta.textContent = text;
  }

  function counted(n) {
    var d = dialog();
    if (n === 0) return d.dataset.kbNone;
    if (n === 1) return d.dataset.kbOne;
    return d.dataset.kbOther.replace("#", String(n));
  }

  function labels() {
    try { return JSON.parse(dialog().dataset.kbLabels || "{}"); } catch (e) { return {}; }
  }

  function item(data, names) {
    var li = document.createElement("li");
    li.className = "md-search-result__item";
    var a = document.createElement("a");
    a.className = "md-search-result__link";
    a.tabIndex = -1;
    a.href = new URL(data.url, location.origin).href;
    var article = document.createElement("article");
    article.className = "md-search-result__article md-typeset";
    var icon = document.createElement("div");
    icon.className = "md-search-result__icon md-icon";
    var h1 = document.createElement("h1");
    h1.textContent = (data.meta && data.meta.title) || data.url;
    var p = document.createElement("p");
    p.innerHTML = data.excerpt;  /* Pagefind escapes the text; only its <mark> is markup */
    article.append(icon, h1, p);
    var audiences = (data.filters && data.filters.audience) || [];
    if (audiences.length) {
      var tags = document.createElement("nav");
      tags.className = "md-tags";
      Object.keys(names).forEach(function (key) {
        if (audiences.indexOf(key) < 0) return;
        var tag = document.createElement("span");
        tag.className = "md-tag md-tag--" + key;
        tag.textContent = names[key];
        tags.append(tag);
      });
      article.append(tags);
    }
    a.append(article);
    li.append(a);
    return li;
  }

  /* The next PAGE results of the current search, appended to the list. The first page
     replaces the previous search's list and count at once, when its results are there. */
  function more(first) {
    var list = document.querySelector(".md-search-result__list");
    if (!list || (state.busy && !first) || state.shown >= state.results.length) return;
    var seq = state.seq, names = labels();
    var next = state.results.slice(state.shown, state.shown + PAGE);
    state.busy = true;
    Promise.all(next.map(function (r) { return r.data(); })).then(function (all) {
      if (seq !== state.seq) return;
      state.busy = false;
      state.shown += next.length;
      if (first) {
        list.textContent = "";
        say(counted(state.results.length));
      }
      all.forEach(function (data) { list.append(item(data, names)); });
      note();
    }, function () { if (seq === state.seq) state.busy = false; });
  }

  function note() {
    var el = document.querySelector(".kb-search-filter__note");
    var audience = chosen();
    if (el) {
      el.textContent = audience && state.results.length
        ? "Showing answers for " + audience + "s only."
        : "";
    }
  }

  /* Pagefind finds the pages that have every word typed. A question in a visitor's words
     ("how does the prompt work when I change my password") often has one the answer does
     not: when fewer than a page of results have them all, pages with some of the words
     follow, those with more of them first. */
  function find(pf, text, options) {
    return pf.search(text, options).then(function (all) {
      var words = text.split(/\s+/).filter(Boolean);
      if (!all || all.results.length >= PAGE || words.length < 2) return all;
      return Promise.all(words.map(function (w) { return pf.search(w, options); }))
        .then(function (each) {
          var merged = all.results.slice(), seen = {}, some = {};
          merged.forEach(function (r) { seen[r.id] = true; });
          each.forEach(function (found) {
            (found ? found.results : []).forEach(function (r) {
              if (seen[r.id]) return;
              var hit = some[r.id] || (some[r.id] = { result: r, words: 0, score: 0 });
              hit.words += 1;
              hit.score += r.score;
            });
          });
          Object.keys(some).map(function (id) { return some[id]; })
            .sort(function (a, b) { return b.words - a.words || b.score - a.score; })
            .forEach(function (hit) { merged.push(hit.result); });
          return { results: merged };
        });
    });
  }

  function run() {
    var q = query(), list = document.querySelector(".md-search-result__list");
    if (!q || !list) return;
    var text = q.value.trim(), seq = ++state.seq, audience = chosen();
    if (!text) {
      state.results = []; state.shown = 0;
      list.textContent = "";
      say(dialog().dataset.kbPlaceholder);
      note();
      return;
    }
    load().then(function (pf) {
      return find(pf, text, audience ? { filters: { audience: audience } } : {});
    }).then(function (found) {
      if (seq !== state.seq || !found) return;
      state.results = found.results;
      state.shown = 0;
      if (state.results.length) {
        more(true);
      } else {
        list.textContent = "";
        say(counted(0));
        note();
      }
    }, function () {
      if (seq === state.seq) say("Search is not available right now.");
    });
  }

  function later() {
    clearTimeout(state.timer);
    state.timer = setTimeout(run, 120);
  }

  function wireSearch() {
    var d = dialog(), q = query(), t = toggle();
    if (!d || !q || d.dataset.kbWired) return;
    d.dataset.kbWired = "1";
    q.addEventListener("input", later);
    /* The desktop header shows the field itself: focusing it opens the dialog (Material's
       CSS opens it with the toggle; its script did this for its own search). */
    q.addEventListener("focus", function () {
      if (t && !t.checked) t.checked = true;
      load();
    });
    d.querySelector("form").addEventListener("submit", function (e) {
      e.preventDefault();
      var first = d.querySelector(".md-search-result__link");
      if (first) location.href = first.href;
    });
    d.querySelector("form").addEventListener("reset", function () {
      setTimeout(run, 0);
    });
    /* Following a result closes the dialog (instant navigation keeps the page's header). */
    d.querySelector(".md-search-result__list").addEventListener("click", function (e) {
      if (e.target.closest && e.target.closest("a") && t) t.checked = false;
    });
    var wrap = d.querySelector(".md-search__scrollwrap");
    if (wrap) wrap.addEventListener("scroll", function () {
      if (wrap.scrollTop + wrap.clientHeight > wrap.scrollHeight - 200) more();
    });
    if (t) t.addEventListener("change", function () {
      if (t.checked) { q.focus(); load(); }
    });
    /* Keys Material's search had: "/" or "s" opens, Escape closes (once per document:
       instant navigation swaps the dialog, not the document). */
    if (!document.documentElement.dataset.kbKeys) document.addEventListener("keydown", function (e) {
      var t = toggle(), q = query();
      var typing = /^(INPUT|TEXTAREA|SELECT)$/.test((e.target && e.target.tagName) || "");
      if (t && t.checked && e.key === "Escape") {
        t.checked = false;
        q.blur();
      } else if (t && q && !t.checked && !typing && (e.key === "/" || e.key === "s")) {
        e.preventDefault();
        t.checked = true;
        q.focus();
      }
    });
    document.documentElement.dataset.kbKeys = "1";
    var filter = d.querySelector(".kb-search-filter");
    try {
      var saved = sessionStorage.getItem(KEY) || "";
      var box = filter.querySelector('input[value="' + saved + '"]');
      if (box) box.checked = true;
    } catch (e) { /* storage may be off: the filter starts at "Everyone" */ }
    filter.addEventListener("change", function () {
      try { sessionStorage.setItem(KEY, chosen()); } catch (e) { /* see above */ }
      run();
    });
    say(d.dataset.kbPlaceholder);
    /* ?q=… (the home page's form without the script, shared links) opens the search. */
    var asked = new URLSearchParams(location.search).get("q");
    if (asked) openSearch(asked);
  }

  /* Wiring waits until the browser is idle: nothing here is needed for the first paint. */
  function wire() {
    var idle = window.requestIdleCallback || function (f) { return setTimeout(f, 1); };
    idle(function () { wireSearch(); wireHero(); });
  }

  /* navigation.instant swaps pages without reloading: Material's document$ says when. */
  if (typeof window.document$ !== "undefined") {
    window.document$.subscribe(wire);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", wire);
  } else {
    wire();
  }
})();
