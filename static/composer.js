// The transcript tab's composer: Ctrl/Cmd-Enter sends (Enter adds a line,
// as on a phone), the chosen files are named with their sizes and refused
// here when over the hub's limits, and the hub's answer shows under the box.
(function () {
  "use strict";
  var $ = function (id) { return document.getElementById(id); };
  var box, form, prompt, note, files, sending = false;

  function say(msg, ok) { if (note) { note.textContent = msg; note.classList.toggle("ok", !!ok); } }
  function size(n) { return n >= 1048576 ? (n / 1048576).toFixed(1) + " MB" : Math.ceil(n / 1024) + " KB"; }

  // chosen names every file picked (camera and files together), refusing
  // here what the hub would refuse: too many, or one over the limit.
  function chosen(input) {
    var max = Number(box.dataset.max || 0), most = Number(box.dataset.files || 4), all = [];
    files.forEach(function (f) { all = all.concat(Array.prototype.slice.call(f.files || [])); });
    var big = all.filter(function (f) { return max && f.size > max; })[0];
    if (big || all.length > most) {
      input.value = "";
      chosen(null);
      say(big ? big.name + " is " + size(big.size) + "; attach at most " + size(max) + "."
        : all.length + " files chosen; attach at most " + most + " to one prompt.");
      return;
    }
    var names = all.map(function (f) { return f.name + " · " + size(f.size); }).join(", ");
    $("att-name").textContent = all.length > 1 ? all.length + " files: " + names : names;
    $("att-name").title = names; // the whole list, where the line is cut
    if (input) say("");
  }

  function init() {
    box = $("composer-box"); form = $("composer");
    if (!box || !form) return;
    prompt = $("prompt"); note = $("compose-note");
    files = [$("att-camera"), $("att-file")].filter(Boolean);
    files.forEach(function (f) { f.addEventListener("change", function () { chosen(f); }); });
    // A command from the menu goes into the prompt as "/name ", in place of
    // a command already at its start; nothing is sent until Send.
    var menu = $("cmd-menu");
    if (menu) menu.addEventListener("click", function (e) {
      var b = e.target.closest && e.target.closest(".cmd");
      if (!b) return;
      prompt.value = "/" + b.dataset.cmd + " " + prompt.value.replace(/^\/\S*\s*/, "");
      menu.open = false;
      prompt.focus();
      prompt.setSelectionRange(prompt.value.length, prompt.value.length);
    });
    prompt.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); if (!sending) form.requestSubmit(); }
    });
  }

  // The transcript follows new entries while it is scrolled to its end
  // (or the person just sent something), like a chat.
  var follow = true;
  function tx() { return $("transcript"); }
  function atEnd(el) { return el.scrollHeight - el.scrollTop - el.clientHeight < 48; }
  function toEnd() { var el = tx(); if (el) el.scrollTop = el.scrollHeight; }

  document.addEventListener("DOMContentLoaded", function () {
    init();
    var el = tx();
    if (el) el.addEventListener("scroll", function () { follow = atEnd(el); }, { passive: true });
  });
  document.addEventListener("htmx:sseMessage", function () { if (follow) toEnd(); });
  document.addEventListener("htmx:beforeRequest", function (e) {
    if (!box || !box.contains(e.detail.elt)) return;
    if (e.detail.elt === form) {
      sending = true;
      $("compose-send").disabled = true;
      say(files.some(function (f) { return f.value; }) ? "Sending the files…" : "Sending…");
    }
  });
  document.addEventListener("htmx:afterRequest", function (e) {
    if (!box || !box.contains(e.detail.elt)) return;
    var xhr = e.detail.xhr, refused = !e.detail.successful || (xhr && xhr.getResponseHeader("HX-Retarget") === "#flash");
    if (e.detail.elt === form) { sending = false; $("compose-send").disabled = false; }
    if (refused) {
      var flash = $("flash");
      say(flash && flash.textContent.trim() ? flash.textContent.trim() : "Not sent: the hub cannot be reached.");
      if (flash) flash.innerHTML = "";
      return;
    }
    if (e.detail.elt === form) {
      prompt.value = "";
      files.forEach(function (f) { f.value = ""; });
      $("att-name").textContent = "";
      say("Sent.", true);
      follow = true;
      toEnd();
    } else {
      say("");
    }
  });
})();
