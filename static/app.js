// ct's hand-written script for every page: what htmx cannot do by itself
// (the session page's terminal pane has its own, session.js).
// - clear an error toast after a few seconds;
// - say so while the live stream is down (the page keeps showing the last
//   screen it had, which would otherwise look live);
// - keep the live stream connected while the page is shown, and closed
//   while it is not.
(function () {
  "use strict";
  // Copy buttons (data-copy="#id"): put the element's text on the
  // clipboard and say so; without a clipboard (plain http on another host)
  // select the text instead, for a long-press copy.
  document.addEventListener("click", function (e) {
    var b = e.target.closest && e.target.closest("button[data-copy]");
    if (!b) return;
    var el = document.querySelector(b.getAttribute("data-copy"));
    if (!el) return;
    var done = function () { b.textContent = "Copied"; setTimeout(function () { b.textContent = "Copy"; }, 2000); };
    var select = function () {
      var r = document.createRange(); r.selectNodeContents(el);
      var sel = window.getSelection(); sel.removeAllRanges(); sel.addRange(r);
      b.textContent = "Selected: copy it";
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(el.textContent.trim()).then(done, select);
    } else {
      select();
    }
  });
  // Live streams: htmx's SSE extension opens them through
  // htmx.createEventSource. Ours reconnects by itself, 1 s doubling to 4 s
  // (jittered), like ct wrap, instead of the extension's backoff that
  // reaches 64 s (a page stayed "offline" long after the hub was back); and
  // it closes while the page is hidden or closing, so the hub stops
  // counting this viewer at once (presence), reopening when it is shown.
  var sources = [];
  function LiveSource(url) {
    this.url = url; this.listeners = {}; this.readyState = 0;
    this.onopen = null; this.onerror = null;
    this.es = null; this.timer = 0; this.delay = 1000; this.closed = false;
    sources.push(this);
    this.connect();
  }
  LiveSource.prototype.connect = function () {
    var self = this;
    clearTimeout(this.timer); this.timer = 0;
    if (this.closed || this.es || document.visibilityState === "hidden") return;
    var es = new EventSource(this.url, { withCredentials: true });
    this.es = es;
    Object.keys(this.listeners).forEach(function (type) {
      self.listeners[type].forEach(function (fn) { es.addEventListener(type, fn); });
    });
    es.onopen = function (e) { self.readyState = 1; self.delay = 1000; if (self.onopen) self.onopen(e); };
    es.onerror = function (e) {
      if (self.es !== es) return;
      es.close(); self.es = null; self.readyState = 0; // never CLOSED: the extension must not retry too
      if (self.onerror) self.onerror(e);
      self.timer = setTimeout(function () { self.connect(); }, self.delay * (0.75 + Math.random() * 0.5));
      self.delay = Math.min(self.delay * 2, 4000);
    };
  };
  LiveSource.prototype.suspend = function () {
    clearTimeout(this.timer); this.timer = 0;
    if (this.es) { this.es.close(); this.es = null; }
    this.readyState = 0;
  };
  LiveSource.prototype.close = function () {
    this.suspend(); this.closed = true; this.readyState = 2;
    sources = sources.filter(function (s) { return s !== this; }, this);
  };
  LiveSource.prototype.addEventListener = function (type, fn) {
    (this.listeners[type] = this.listeners[type] || []).push(fn);
    if (this.es) this.es.addEventListener(type, fn);
  };
  LiveSource.prototype.removeEventListener = function (type, fn) {
    this.listeners[type] = (this.listeners[type] || []).filter(function (f) { return f !== fn; });
    if (this.es) this.es.removeEventListener(type, fn);
  };
  if (window.htmx) htmx.createEventSource = function (url) { return new LiveSource(url); };
  function away() { sources.forEach(function (s) { s.suspend(); }); }
  function back() { sources.forEach(function (s) { s.delay = 1000; s.connect(); }); }
  document.addEventListener("visibilitychange", function () { document.visibilityState === "hidden" ? away() : back(); });
  window.addEventListener("pagehide", away);
  window.addEventListener("pageshow", function (e) { if (e.persisted) back(); });

  document.addEventListener("htmx:sseError", function () { document.body.classList.add("sse-down"); });
  document.addEventListener("htmx:sseOpen", function () { document.body.classList.remove("sse-down"); });
  // A live reload of the inbox list keeps the messages the person opened open.
  var openMsgs = [];
  document.addEventListener("htmx:beforeSwap", function (e) {
    if (e.detail.target && e.detail.target.id === "inbox-list") {
      openMsgs = Array.prototype.map.call(e.detail.target.querySelectorAll("details[open]"), function (d) { return d.id; });
    }
  });
  document.addEventListener("htmx:afterSwap", function (e) {
    if (!e.detail.target || e.detail.target.id !== "inbox-list") return;
    openMsgs.forEach(function (id) { var d = document.getElementById(id); if (d) d.open = true; });
  });
  var flashTimer;
  document.addEventListener("htmx:afterSwap", function (e) {
    if (e.detail.target && e.detail.target.id === "flash") {
      clearTimeout(flashTimer);
      flashTimer = setTimeout(function () { e.detail.target.innerHTML = ""; }, 5000);
    }
  });
})();

// The installable app: the service worker (offline page, cached shell,
// notifications), and the settings page's "Enable on this device".
(function () {
  "use strict";
  if (!("serviceWorker" in navigator)) return;
  var ready = navigator.serviceWorker.register("/sw.js", { scope: "/" });
  ready.catch(function () { /* not a secure context: no offline page, no push */ });

  function b64ToBytes(s) {
    s = s.replace(/-/g, "+").replace(/_/g, "/");
    while (s.length % 4) s += "=";
    var raw = atob(s), out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
    return out;
  }
  function say(msg) {
    var el = document.getElementById("push-state");
    if (el) el.textContent = msg;
  }
  function post(url, body) {
    return fetch(url, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body), credentials: "same-origin" })
      .then(function (r) { if (!r.ok) return r.text().then(function (t) { throw new Error(t || r.statusText); }); });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var tz = document.getElementById("tz");
    if (tz && !tz.value && window.Intl) tz.value = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
    var on = document.getElementById("push-enable"), off = document.getElementById("push-disable");
    if (!on) return;
    if (!("PushManager" in window)) {
      say("This browser cannot receive push notifications here (on iPhone, add ct to the Home Screen first; the hub must be on HTTPS).");
      on.disabled = true;
    }
    on.addEventListener("click", function () {
      Notification.requestPermission().then(function (perm) {
        if (perm !== "granted") throw new Error("notifications are blocked for this site in the browser's settings");
        return navigator.serviceWorker.ready;
      }).then(function (reg) {
        return reg.pushManager.getSubscription().then(function (sub) {
          return sub || reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: b64ToBytes(on.dataset.vapid) });
        });
      }).then(function (sub) {
        return post("/settings/push", sub.toJSON());
      }).then(function () { say("Notifications are on for this device."); })
        .catch(function (err) { say("Could not turn notifications on: " + err.message); });
    });
    off.addEventListener("click", function () {
      navigator.serviceWorker.ready.then(function (reg) { return reg.pushManager.getSubscription(); })
        .then(function (sub) {
          if (!sub) return;
          return post("/settings/push/delete", { endpoint: sub.endpoint }).then(function () { return sub.unsubscribe(); });
        }).then(function () { say("Notifications are off for this device."); })
        .catch(function (err) { say("Could not turn notifications off: " + err.message); });
    });
  });
})();
