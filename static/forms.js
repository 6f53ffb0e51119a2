// Busy forms: a form with data-busy="Signing in…" disables its submit
// button and shows that text while the request is on its way (a login
// takes about a second: argon2 is slow on purpose), so a second tap
// does not send it again. Without script the form still posts as usual.
(function () {
  "use strict";
  document.addEventListener("submit", function (e) {
    var f = e.target;
    if (!f.matches || !f.matches("form[data-busy]") || e.defaultPrevented) return;
    var b = f.querySelector("button[type=submit], button:not([type])");
    if (!b || b.disabled) return;
    b.dataset.idle = b.textContent;
    b.textContent = f.dataset.busy;
    f.setAttribute("aria-busy", "true");
    // Disabled after the submit event has built the request: disabling the
    // button inside it does not cancel the submission.
    setTimeout(function () { b.disabled = true; }, 0);
  });
  // Back to the page from the browser's cache (the back button): the
  // button works again.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-busy][aria-busy]").forEach(function (f) {
      var b = f.querySelector("button[data-idle]");
      if (b) { b.disabled = false; b.textContent = b.dataset.idle; }
      f.removeAttribute("aria-busy");
    });
  });
})();
