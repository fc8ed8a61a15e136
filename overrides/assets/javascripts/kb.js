/* kbtools: the home page's search box and the audience filter in search (overrides/README.md).
   Both drive Material's own search; nothing here talks to another host. Without this script
   the home page's box still works: it submits ?q=, and Material opens its search with it. */
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
    q.dispatchEvent(new KeyboardEvent("keyup", { bubbles: true }));
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

  /* The audience filter: results whose badges do not name the chosen audience are hidden. */
  function chosen() {
    var on = document.querySelector('input[name="kb-audience"]:checked');
    return on ? on.value : "";
  }

  function applyFilter() {
    var list = document.querySelector(".md-search-result__list");
    var note = document.querySelector(".kb-search-filter__note");
    if (!list) return;
    var audience = chosen();
    /* Material renders results in pages as the visitor scrolls; each page is filtered as it
       arrives, so the note says what is shown rather than counting a partial list. */
    Array.prototype.forEach.call(list.children, function (item) {
      item.hidden = !!audience && item.querySelector(".md-tag--" + audience) === null;
    });
    if (note) {
      note.textContent = audience && list.children.length
        ? "Showing answers for " + audience + "s only."
        : "";
    }
  }

  function wireFilter() {
    var filter = document.querySelector(".kb-search-filter");
    var list = document.querySelector(".md-search-result__list");
    if (!filter || filter.dataset.kbWired) return;
    filter.dataset.kbWired = "1";
    try {
      var saved = sessionStorage.getItem(KEY) || "";
      var box = filter.querySelector('input[value="' + saved + '"]');
      if (box) box.checked = true;
    } catch (e) { /* storage may be off: the filter starts at "Everyone" */ }
    filter.addEventListener("change", function () {
      try { sessionStorage.setItem(KEY, chosen()); } catch (e) { /* see above */ }
      applyFilter();
    });
    if (list) new MutationObserver(applyFilter).observe(list, { childList: true });
  }

  /* Wiring waits until the browser is idle: nothing here is needed for the first paint. */
  function wire() {
    var later = window.requestIdleCallback || function (f) { return setTimeout(f, 1); };
    later(function () { wireHero(); wireFilter(); });
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
