// A share link's page: when its stream fails, ask the hub whether the link
// still works; once it was revoked or has expired (404/410) say so and stop
// reconnecting (the stream's element leaves the page, which makes htmx's
// SSE extension close its source on the next error).
(function () {
  "use strict";
  var checking = false;
  document.addEventListener("htmx:sseError", function () {
    var root = document.getElementById("session");
    if (checking || !root || !root.hasAttribute("sse-connect")) return;
    checking = true;
    fetch(location.pathname, { method: "HEAD", cache: "no-store", credentials: "omit" }).then(function (res) {
      checking = false;
      if (res.status !== 404 && res.status !== 410) return; // a network blip: the stream reconnects
      var copy = root.cloneNode(true);
      copy.removeAttribute("sse-connect");
      copy.removeAttribute("hx-ext");
      root.replaceWith(copy);
      var st = document.getElementById("share-state");
      if (st) {
        st.textContent = "This share link was revoked or has expired: the screen is as it was last seen.";
        st.classList.add("warn");
      }
      document.body.classList.add("share-ended");
    }, function () { checking = false; });
  });
})();
