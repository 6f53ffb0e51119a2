// ct's service worker: keeps the app shell (styles, scripts, icons) for
// quick starts and an offline page, shows push notifications, and answers
// a notification's Approve/Deny with its signed single-use link. It never
// caches pages or API answers: they carry one person's live data.
"use strict";
var SHELL = "ct-shell-v1";
var ASSETS = [
  "/static/app.css", "/static/app.js", "/static/palette.css", "/static/pages.css", "/static/forms.js",
  "/static/vendor/htmx.min.js", "/static/vendor/sse.min.js",
  "/static/icons/icon-192.png", "/static/icons/icon-512.png",
  "/static/manifest.webmanifest", "/static/offline.html"
];

self.addEventListener("install", function (e) {
  e.waitUntil(caches.open(SHELL).then(function (c) { return c.addAll(ASSETS); }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (e) {
  e.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k !== SHELL; }).map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("fetch", function (e) {
  var req = e.request;
  if (req.method !== "GET") return;
  var url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  if (req.mode === "navigate") {
    // Pages: always the network (live data); the offline page when it fails.
    e.respondWith(fetch(req).catch(function () { return caches.match("/static/offline.html"); }));
    return;
  }
  if (url.pathname.indexOf("/static/") === 0) {
    // Shell assets: the cached copy at once, refreshed in the background.
    e.respondWith(caches.open(SHELL).then(function (c) {
      return c.match(req).then(function (hit) {
        var net = fetch(req).then(function (resp) {
          if (resp.ok) c.put(req, resp.clone());
          return resp;
        });
        if (hit) { net.catch(function () {}); return hit; }
        return net;
      });
    }));
  }
  // Everything else (SSE streams, the API) goes straight to the network.
});

self.addEventListener("push", function (e) {
  var m = {};
  try { m = e.data ? e.data.json() : {}; } catch (err) { m = { title: "ct", body: e.data ? e.data.text() : "" }; }
  var tag = m.tag || "ct";
  if (m.closed) {
    // Settled elsewhere: withdraw it where it is still showing.
    e.waitUntil(self.registration.getNotifications({ tag: tag }).then(function (list) {
      list.forEach(function (n) { n.close(); });
    }));
    return;
  }
  var actions = (m.actions || []).map(function (a) { return { action: a.action, title: a.title }; });
  e.waitUntil(self.registration.showNotification(m.title || "ct", {
    body: m.body || "", tag: tag, renotify: true, requireInteraction: actions.length > 0,
    icon: "/static/icons/icon-192.png", badge: "/static/icons/icon-192.png",
    data: { url: m.url || "/", actions: m.actions || [] }, actions: actions
  }));
});

self.addEventListener("notificationclick", function (e) {
  var n = e.notification;
  var d = n.data || {};
  n.close();
  var chosen = (d.actions || []).filter(function (a) { return a.action === e.action; })[0];
  if (chosen) {
    // Approve/Deny from the notification: the link is the credential, once.
    e.waitUntil(fetch(chosen.link, { method: "POST", credentials: "omit" }).then(function (resp) {
      return resp.text().then(function (text) {
        return self.registration.showNotification(resp.ok ? "ct" : "ct: not answered", { body: text.trim(), tag: n.tag, icon: "/static/icons/icon-192.png" });
      });
    }).catch(function () { return openURL(d.url); }));
    return;
  }
  e.waitUntil(openURL(d.url || "/"));
});

function openURL(url) {
  return self.clients.matchAll({ type: "window", includeUncontrolled: true }).then(function (wins) {
    for (var i = 0; i < wins.length; i++) {
      if ("navigate" in wins[i]) return wins[i].navigate(url).then(function (w) { return w && w.focus(); });
    }
    return self.clients.openWindow(url);
  });
}
