// changes.js: the Changes tab's "comment as prompt". Tapping a diff line
// marks it and puts a button under it; the button fills the session's input
// with "file:line: " and focuses it, ready for the person's words. Nothing
// is sent: the person reviews and sends as usual.
(function () {
  "use strict";
  var picked = null, btn = null;

  function input() {
    return document.querySelector('#input-form [name="text"]');
  }

  function clear() {
    if (picked) picked.classList.remove("picked");
    if (btn) btn.remove();
    picked = btn = null;
  }

  function pick(line) {
    clear();
    picked = line;
    line.classList.add("picked");
    btn = document.createElement("button");
    btn.type = "button";
    btn.className = "dl-comment";
    btn.textContent = input() ? "Comment as prompt: " + line.dataset.ref : "Only a live session takes prompts";
    btn.disabled = !input();
    btn.dataset.ref = line.dataset.ref;
    line.after(btn);
  }

  function comment(ref) {
    var box = input();
    if (!box) return;
    // In keys mode every change to the box is typed into the program: go
    // back to line mode first, so the reference waits for the person.
    var lineMode = document.querySelector('#input-form [data-mode="line"]');
    if (lineMode && lineMode.getAttribute("aria-pressed") !== "true") lineMode.click();
    box.value = ref + ": ";
    box.focus();
    if (box.setSelectionRange) box.setSelectionRange(box.value.length, box.value.length);
    clear();
  }

  document.addEventListener("click", function (e) {
    var b = e.target.closest(".dl-comment");
    if (b) { comment(b.dataset.ref); return; }
    var line = e.target.closest(".dl[data-ref]");
    if (line) {
      if (line === picked) clear(); else pick(line);
    }
  });
})();
