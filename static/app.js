// ct's only hand-written script: what htmx cannot do by itself.
// - keep the terminal pinned to its bottom while new output arrives, unless
//   the person scrolled up to read history;
// - clear and refocus the line input after it was sent;
// - clear an error toast after a few seconds;
// - say so while the live stream is down (the page keeps showing the last
//   screen it had, which would otherwise look live).
(function () {
  "use strict";
  var pinned = true;
  function pane() { return document.getElementById("term-wrap"); }
  function toBottom() { var p = pane(); if (p && pinned) p.scrollTop = p.scrollHeight; }
  document.addEventListener("DOMContentLoaded", function () {
    var p = pane();
    if (!p) return;
    p.addEventListener("scroll", function () {
      pinned = p.scrollTop + p.clientHeight >= p.scrollHeight - 24;
    }, { passive: true });
    toBottom();
  });
  document.addEventListener("htmx:sseMessage", toBottom);
  // The pane changes height when the phone's keyboard or browser bars come
  // and go; stay at the bottom through that too.
  window.addEventListener("resize", toBottom);
  document.addEventListener("htmx:sseError", function () { document.body.classList.add("sse-down"); });
  document.addEventListener("htmx:sseOpen", function () { document.body.classList.remove("sse-down"); });
  document.addEventListener("htmx:afterRequest", function (e) {
    var form = e.detail.elt;
    if (form && form.id === "input-form" && e.detail.successful) {
      var line = document.getElementById("line");
      if (line) { line.value = ""; line.focus(); }
    }
  });
  var flashTimer;
  document.addEventListener("htmx:afterSwap", function (e) {
    if (e.detail.target && e.detail.target.id === "flash") {
      clearTimeout(flashTimer);
      flashTimer = setTimeout(function () { e.detail.target.innerHTML = ""; }, 5000);
    }
  });
})();
