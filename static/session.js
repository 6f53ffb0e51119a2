// The session page's terminal pane: what htmx cannot do by itself.
// - place the live screen in view, top first (scrollback above it only when
//   the person scrolls up to read it);
// - zoom (fit width, 100 %, pinch) by scaling the pane's font, for anyone;
// - fit: the wheel holder sizes the program's PTY to this pane;
// - keys mode: every keystroke goes to the program as typed;
// - a refused line keeps its text; input is off while someone else drives
//   or the page has lost its stream;
// - under a flood, #hist keeps as many entries as a reload shows (its
//   data-keep, the hub's screen.MaxHistory): older ones fold into one
//   "… N lines skipped — full log" marker, and layout work waits for the
//   next frame, once however many updates came.
(function () {
  "use strict";
  var $ = function (id) { return document.getElementById(id); };
  var root, pane, scr, form, line, note, id;

  // --- Placement: the live screen, top first. -----------------------------
  var follow = true; // false once the person scrolled up into history
  function liveTarget() {
    var rows = $("rows");
    if (!rows) return 0;
    var target = rows.offsetTop;
    var cur = rows.querySelector(".cur"), end = cur && cur.closest("#rows > div");
    if (!end) { // no visible cursor: the last row with text
      for (var r = rows.lastElementChild; r; r = r.previousElementSibling) {
        if (r.textContent.trim() !== "") { end = r; break; }
      }
    }
    if (end) {
      var bottom = end.offsetTop + end.offsetHeight + 8;
      if (bottom - target > pane.clientHeight) target = bottom - pane.clientHeight;
    }
    return target;
  }
  function place() {
    if (pane && follow) pane.scrollTop = liveTarget();
  }

  // --- History: bounded as a reload shows it. ------------------------------
  function lines(el) { return el.classList.contains("gap") ? (parseInt(el.dataset.n, 10) || 0) : 1; }
  function setGap(el, n) {
    el.dataset.n = String(n);
    el.querySelector(".n").textContent = n.toLocaleString("en-US");
  }
  // account marks the history lines the page never got: an event's #histn
  // says where its lines start (from) and end (total); lines from what
  // the page had up to from were missed (a resync after a full buffer, a
  // reconnect, a frame a new viewer took), so a marker goes before this
  // event's k entries.
  var have = -1;
  function account() {
    var m = $("histn"), hist = $("hist"), tpl = $("gap-tpl");
    if (!m || !hist || !tpl) return;
    var from = +m.dataset.from, total = +m.dataset.total, k = +m.dataset.k;
    if (have >= 0 && from > have) {
      var mark = tpl.content.firstElementChild.cloneNode(true), kids = hist.children;
      setGap(mark, from - have);
      hist.insertBefore(mark, kids[kids.length - k] || null);
    }
    if (total > have) have = total;
  }
  // trimHistory keeps the newest data-keep entries and one marker before
  // them that counts everything older (as a reload renders it), dropping
  // the rest in one DOM range operation.
  function trimHistory() {
    var hist = $("hist"), tpl = $("gap-tpl");
    if (!hist || !tpl) return;
    var keep = parseInt(hist.dataset.keep, 10) || 2000, kids = hist.children;
    var over = kids.length - keep - 1;
    if (over <= 0) return;
    var n = 0;
    for (var i = 0; i <= over; i++) n += lines(kids[i]);
    var range = document.createRange();
    range.setStartBefore(kids[0]);
    range.setEndAfter(kids[over]);
    range.deleteContents();
    var first = hist.firstElementChild;
    if (first && first.classList.contains("gap")) { setGap(first, n + lines(first)); return; }
    var mark = tpl.content.firstElementChild.cloneNode(true);
    setGap(mark, n);
    hist.insertBefore(mark, first);
  }
  // Layout reads (place) and the input state wait for the next frame:
  // a flood's updates each cost a swap, never a forced layout.
  var frame = 0;
  function soon() {
    if (frame) return;
    frame = requestAnimationFrame(function () {
      frame = 0;
      if (scr) scr.classList.toggle("ended", ended()); // an ended program draws no cursor
      place(); driving();
    });
  }

  // --- Zoom: how big this page draws the screen. ---------------------------
  var zoom = "100", pinchPx = 0, baseFont = 0;
  function applyZoom() {
    scr.style.fontSize = "";
    baseFont = parseFloat(getComputedStyle(scr).fontSize);
    if (zoom === "width") {
      var pad = 16, natural = scr.scrollWidth - pad, avail = pane.clientWidth - pad;
      if (natural > avail) scr.style.fontSize = (baseFont * avail / natural * 0.995) + "px";
    } else if (zoom === "pinch" && pinchPx) {
      scr.style.fontSize = pinchPx + "px";
    }
    document.querySelectorAll(".term-tools .zoom").forEach(function (b) {
      b.setAttribute("aria-pressed", String(b.dataset.zoom === zoom));
    });
    place();
  }
  function setZoom(z) {
    zoom = z;
    try { localStorage.setItem("ct-zoom", z); } catch (e) { /* private mode */ }
    applyZoom();
  }
  // Two fingers on the pane scale its font (the page itself stays put).
  var pinch = null;
  function dist(t) { return Math.hypot(t[0].clientX - t[1].clientX, t[0].clientY - t[1].clientY); }
  function onTouchStart(e) {
    if (e.touches.length === 2) pinch = { d: dist(e.touches), f: parseFloat(getComputedStyle(scr).fontSize) };
  }
  function onTouchMove(e) {
    if (!pinch || e.touches.length !== 2) return;
    e.preventDefault();
    pinchPx = Math.max(4, Math.min(32, pinch.f * dist(e.touches) / pinch.d));
    zoom = "pinch";
    scr.style.fontSize = pinchPx + "px";
  }
  function onTouchEnd() { if (pinch) { pinch = null; setZoom(zoom); } }

  // --- Sending: one request at a time, in order. --------------------------
  function post(url, fields) {
    return fetch(url, { method: "POST", body: new URLSearchParams(fields), credentials: "same-origin" })
      .then(function (r) {
        if (r.ok) return r;
        return r.text().then(function (t) {
          var doc = new DOMParser().parseFromString(t, "text/html");
          var p = doc.querySelector(".card.error p");
          var err = new Error(p ? p.textContent : "The hub refused it (" + r.status + ").");
          err.status = r.status;
          throw err;
        });
      });
  }
  function say(msg) { if (note) note.textContent = msg || ""; }

  // --- Fit: the program's PTY sized to this pane. --------------------------
  var fitBtn, fitOn = false, fitTimer;
  function measure() {
    var m = document.createElement("span");
    m.textContent = "MMMMMMMMMMMMMMMMMMMM";
    m.style.cssText = "position:absolute;visibility:hidden;white-space:pre";
    scr.appendChild(m);
    var w = m.getBoundingClientRect().width / 20, h = m.getBoundingClientRect().height;
    m.remove();
    var lh = parseFloat(getComputedStyle(scr).lineHeight);
    return { w: w, h: isNaN(lh) ? h : lh };
  }
  function fitSize() {
    var m = measure(), cs = getComputedStyle(scr);
    var padX = parseFloat(cs.paddingLeft) + parseFloat(cs.paddingRight);
    var padY = parseFloat(cs.paddingTop) + parseFloat(cs.paddingBottom);
    return { cols: Math.floor((pane.clientWidth - padX - 2) / m.w), rows: Math.floor((pane.clientHeight - padY - 2) / m.h) };
  }
  function setFit(on) {
    fitOn = on;
    if (fitBtn) fitBtn.setAttribute("aria-pressed", String(on));
    try { on ? sessionStorage.setItem("ct-fit-" + id, "1") : sessionStorage.removeItem("ct-fit-" + id); } catch (e) { /* private mode */ }
  }
  function fitNow() {
    var sz = fitSize();
    root.dataset.fitCols = sz.cols; root.dataset.fitRows = sz.rows;
    return post("/s/" + id + "/fit", { cols: sz.cols, rows: sz.rows })
      .then(function () { setFit(true); if (zoom === "width") setZoom("100"); })
      .catch(function (err) { setFit(false); say(err.message); });
  }
  function onFitClick() {
    if (fitOn) { setFit(false); post("/s/" + id + "/fit", { action: "off" }).catch(function (err) { say(err.message); }); return; }
    fitNow();
  }

  // --- Input: line or keys, and who may type. -----------------------------
  var mode = "line", queue = "", busy = false;
  var SENTINEL = "\u200b"; // keeps a phone's Backspace firing on an "empty" field
  function flush() {
    if (busy || !queue) return;
    var data = queue;
    queue = "";
    busy = true;
    post("/s/" + id + "/input", { raw: data })
      .then(function () { busy = false; flush(); })
      .catch(function (err) { busy = false; queue = ""; say(err.status ? err.message : "Not sent: the hub cannot be reached."); driving(); });
  }
  function sendRaw(s) { if (s) { queue += s; flush(); } }
  var named = { Enter: "\r", Backspace: "\x7f", Escape: "\x1b", ArrowUp: "\x1b[A", ArrowDown: "\x1b[B",
    ArrowRight: "\x1b[C", ArrowLeft: "\x1b[D", Home: "\x1b[H", End: "\x1b[F", PageUp: "\x1b[5~",
    PageDown: "\x1b[6~", Delete: "\x1b[3~", Insert: "\x1b[2~" };
  // keyBytes is what a terminal sends for a keydown, or null to let the
  // browser handle it (a phone's composing keyboard, Cmd shortcuts, paste).
  function keyBytes(e) {
    if (e.isComposing || e.keyCode === 229 || e.metaKey || (e.ctrlKey && e.shiftKey)) return null;
    var k = e.key, s = named[k];
    if (k === "Tab") s = e.shiftKey ? "\x1b[Z" : "\t";
    if (s === undefined && Array.from(k).length === 1) s = k;
    if (s === undefined) return null;
    if (e.ctrlKey && k.length === 1) {
      var c = k.toUpperCase().charCodeAt(0);
      if (c >= 64 && c <= 95) s = String.fromCharCode(c - 64);
      else if (k === " " || k === "2") s = "\x00";
      else if (k === "/") s = "\x1f";
      else return null;
    }
    return e.altKey ? "\x1b" + s : s;
  }
  // ended: the program has exited (the status bar says so); keys on the
  // screen go nowhere.
  function ended() { var st = $("status") || $("share-status"); return !!st && st.dataset.status === "ended"; } // a share page has only its status line
  function onKeyDown(e) {
    if (ended() || (mode !== "keys" && e.currentTarget === line)) return;
    var s = keyBytes(e);
    if (s === null) return;
    e.preventDefault();
    sendRaw(s);
    if (e.currentTarget === line) echo = s;
  }
  // echo is a key keydown already sent: a browser that still inserts its
  // character (some synthetic key events do) must not send it twice. It
  // lasts until the key comes up.
  var echo = "";
  function onInput(e) { // a phone keyboard's text, when keydown said nothing
    if (mode !== "keys") return;
    var v = line.value.split(SENTINEL).join("");
    if (echo && v === echo) { echo = ""; line.value = SENTINEL; return; }
    if (e.inputType && e.inputType.indexOf("delete") === 0 && v === "") sendRaw("\x7f");
    else sendRaw(v.replace(/\r?\n/g, "\r"));
    line.value = SENTINEL;
  }
  function onPaste(e) {
    if (mode !== "keys" && e.currentTarget === line) return;
    e.preventDefault();
    sendRaw((e.clipboardData.getData("text") || "").replace(/\r?\n/g, "\r"));
  }
  function setMode(m) {
    mode = m;
    form.classList.toggle("mode-keys", m === "keys");
    form.classList.toggle("mode-line", m !== "keys");
    form.querySelectorAll(".mode button").forEach(function (b) { b.setAttribute("aria-pressed", String(b.dataset.mode === m)); });
    line.placeholder = m === "keys" ? "Keys go straight to the program" : "Type a line, Enter sends it";
    line.setAttribute("enterkeyhint", m === "keys" ? "enter" : "send");
    line.value = m === "keys" ? SENTINEL : line.value.split(SENTINEL).join("");
    try { localStorage.setItem("ct-input-mode", m); } catch (e) { /* private mode */ }
  }
  // driving disables input while someone else holds the wheel or the page
  // has lost its stream, and says why; the typed text stays.
  function driving() {
    var pr = $("presence");
    if (!pr || !form) return;
    var holder = pr.dataset.holder, me = pr.dataset.me, down = document.body.classList.contains("sse-down");
    var other = holder && holder !== me;
    var off = other || down;
    line.disabled = off;
    form.querySelectorAll("button").forEach(function (b) { if (!b.closest(".mode")) b.disabled = off; });
    form.classList.toggle("blocked", !!off);
    if (down) say("Lost the connection to the hub: nothing you type is sent until it is back.");
    else if (other) say(holder + " is driving — ask for the wheel.");
    else if (form.classList.contains("was-blocked")) say("");
    form.classList.toggle("was-blocked", !!off);
    if (fitOn && holder !== me) setFit(false); // the hub gave the size back
  }

  function init() {
    root = $("session"); pane = $("term-wrap"); scr = $("scr");
    if (!root || !pane || !scr) return;
    id = root.dataset.id;
    account(); // the page's own history numbers
    form = $("input-form"); line = $("line"); note = $("input-note"); fitBtn = $("fit-pty");
    pane.addEventListener("scroll", function () { follow = pane.scrollTop >= liveTarget() - 24; }, { passive: true });
    pane.addEventListener("touchstart", onTouchStart, { passive: true });
    pane.addEventListener("touchmove", onTouchMove, { passive: false });
    pane.addEventListener("touchend", onTouchEnd);
    document.querySelectorAll(".term-tools .zoom").forEach(function (b) {
      b.addEventListener("click", function () { setZoom(b.dataset.zoom); });
    });
    try { zoom = localStorage.getItem("ct-zoom") || "100"; } catch (e) { /* private mode */ }
    if (zoom === "pinch") zoom = "100";
    applyZoom();
    if (fitBtn) {
      fitBtn.addEventListener("click", onFitClick);
      var again = false;
      try { again = sessionStorage.getItem("ct-fit-" + id) === "1"; } catch (e) { /* private mode */ }
      var pr = $("presence");
      if (again && pr && pr.dataset.holder === pr.dataset.me) fitNow();
      else setFit(root.dataset.fitBy !== "" && root.dataset.fitBy === root.dataset.me);
    }
    // The screen itself takes keys when clicked (a desktop's keyboard).
    pane.addEventListener("keydown", onKeyDown);
    pane.addEventListener("paste", onPaste);
    if (form) {
      line.addEventListener("keydown", onKeyDown);
      line.addEventListener("input", onInput);
      line.addEventListener("keyup", function () { echo = ""; });
      line.addEventListener("paste", onPaste);
      form.querySelectorAll(".mode button").forEach(function (b) {
        b.addEventListener("click", function () { setMode(b.dataset.mode); line.focus(); });
      });
      var m = "line";
      try { m = localStorage.getItem("ct-input-mode") || "line"; } catch (e) { /* private mode */ }
      setMode(m);
      driving();
    }
    place();
  }
  document.addEventListener("DOMContentLoaded", init);
  document.addEventListener("htmx:sseMessage", function () { account(); trimHistory(); soon(); });
  document.addEventListener("htmx:sseError", driving);
  document.addEventListener("htmx:sseOpen", driving);
  window.addEventListener("resize", function () {
    if (!pane) return;
    applyZoom();
    if (fitOn) { clearTimeout(fitTimer); fitTimer = setTimeout(fitNow, 300); }
  });
  // A line the hub refused (someone else drives, the program is offline)
  // keeps its text: only a line that was taken is cleared.
  document.addEventListener("htmx:afterRequest", function (e) {
    var elt = e.detail.elt;
    if (!form || !elt || !form.contains(elt)) return;
    var xhr = e.detail.xhr, refused = !e.detail.successful || (xhr && xhr.getResponseHeader("HX-Retarget") === "#flash");
    if (refused) {
      var flash = $("flash");
      say(flash && flash.textContent.trim() ? flash.textContent.trim() : "Not sent: the hub cannot be reached.");
      if (flash) flash.innerHTML = "";
      driving();
      return;
    }
    if (elt === form && mode === "line") { line.value = ""; line.focus(); }
    say("");
  });
  // In keys mode Enter goes to the program as a key, never submits the form.
  // (Capture phase, stopped here: htmx listens on the form itself.)
  document.addEventListener("submit", function (e) {
    if (form && e.target === form && mode === "keys") { e.preventDefault(); e.stopPropagation(); }
  }, true);
})();
