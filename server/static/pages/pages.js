// fupin pages: small enhancements only; every page works without this file.
(function () {
  "use strict";

  // Report view: clicking a highlighted span lists every fact covering it.
  var pop = null;
  function closePop() {
    if (pop) { pop.remove(); pop = null; }
    document.querySelectorAll("a.hl.on, .facts li.on").forEach(function (el) { el.classList.remove("on"); });
  }
  function showFacts(a) {
    closePop();
    var slugs = (a.getAttribute("data-facts") || "").split(/\s+/).filter(Boolean);
    if (!slugs.length) { return false; }
    pop = document.createElement("div");
    pop.className = "popover";
    pop.setAttribute("role", "dialog");
    var ul = document.createElement("ul");
    slugs.forEach(function (slug) {
      var li = document.getElementById("fact-" + slug);
      if (!li) { return; }
      li.classList.add("on");
      var item = document.createElement("li");
      var kind = li.querySelector(".kind");
      var link = li.querySelector("a:not(.quote)");
      if (kind) { item.appendChild(document.createTextNode(kind.textContent + " ")); }
      if (link) { item.appendChild(link.cloneNode(true)); }
      ul.appendChild(item);
    });
    pop.appendChild(ul);
    document.body.appendChild(pop);
    var r = a.getBoundingClientRect();
    pop.style.left = Math.max(8, Math.min(window.scrollX + r.left, window.scrollX + document.documentElement.clientWidth - pop.offsetWidth - 8)) + "px";
    pop.style.top = (window.scrollY + r.bottom + 6) + "px";
    a.classList.add("on");
    return true;
  }
  document.addEventListener("click", function (ev) {
    var a = ev.target.closest ? ev.target.closest("a.hl") : null;
    if (a) {
      if (showFacts(a)) { ev.preventDefault(); }
      return;
    }
    if (pop && !pop.contains(ev.target)) { closePop(); }
  });
  document.addEventListener("keydown", function (ev) { if (ev.key === "Escape") { closePop(); } });

  // Report view: when the address names an annotation, mark its spans.
  function markTarget() {
    var id = decodeURIComponent(location.hash.slice(1));
    if (id.indexOf("a-") !== 0) { return; }
    var slug = id.slice(2);
    document.querySelectorAll("a.hl").forEach(function (a) {
      var on = (" " + a.getAttribute("data-facts") + " ").indexOf(" " + slug + " ") >= 0;
      a.classList.toggle("on", on);
    });
  }
  window.addEventListener("hashchange", markTarget);
  markTarget();

  // Entity pages: click the IRI to select it for copying.
  document.querySelectorAll("code.copy").forEach(function (el) {
    el.addEventListener("click", function () {
      var range = document.createRange();
      range.selectNodeContents(el);
      var sel = window.getSelection();
      sel.removeAllRanges();
      sel.addRange(range);
    });
  });
})();
