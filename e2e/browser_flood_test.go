package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// histAccount is a JS expression: the lines #hist stands for (a marker its
// count, a line one) and the first screen row's text.
const histAccount = `(() => { let n = 0;
  for (const e of document.getElementById('hist').children) n += e.classList.contains('gap') ? +e.dataset.n : 1;
  return {lines: n, first: document.querySelector('#rows > div').textContent.trim(), entries: document.getElementById('hist').children.length,
    keep: +document.getElementById('hist').dataset.keep}; })()`

// TestBrowserFloodBounded: during seq 1 200000 an open session page holds
// no more history than a reload shows, marks what it skipped with a real
// count ("… N lines skipped — full log"), and still handles taps; after it,
// every line of output is accounted for (shown or counted in a marker),
// live and after a reload.
func TestBrowserFloodBounded(t *testing.T) {
	h := StartHub(t, t.TempDir(), "127.0.0.1:0")
	fl := StartFlood(t, h.URL, "floodbox")
	id := fl.ID
	b := StartPhone(t)
	Login(t, b, h.URL, "admin", AdminPassword)
	lat, f := fl.Run(t, b, h.URL)
	b.Screenshot(t, "/tmp/ct-shots/flood-phone.png")
	t.Logf("flood: at most %d history entries, %d rows in all; click→handler during it: %v", f.MaxHist, f.MaxAll, lat)
	wait := `(() => { const a = ` + histAccount + `; return /^\d+$/.test(a.first) && a.lines === +a.first; })()`
	check := func(when string) {
		b.WaitJS(t, 15*time.Second, when+": every line before the screen accounted for in #hist", wait, `JSON.stringify(`+histAccount+`)`)
		a := Eval[struct {
			Lines, Entries, Keep int
			First                string
		}](t, b, histAccount)
		if a.Keep <= 0 || a.Entries > a.Keep+1 {
			t.Fatalf("%s: #hist holds %d entries; a reload shows at most %d (data-keep %d and a marker)", when, a.Entries, a.Keep+1, a.Keep)
		}
		if n := Eval[int](t, b, `[...document.querySelectorAll('#hist > .gap')].filter(g => g.querySelector('a[download]').getAttribute('href') === '/api/v1/sessions/`+id+`/log' && /\d lines skipped/.test(g.innerText)).length`); n == 0 {
			t.Fatalf("%s: no '… N lines skipped — full log' marker linking the log: %s", when, Eval[string](t, b, `document.getElementById('hist').firstElementChild.outerHTML`))
		}
	}
	check("live")
	Eval[bool](t, b, `(() => { const g = document.querySelectorAll('#hist > .gap'); g[g.length - 1].scrollIntoView({block: 'center'}); return true; })()`)
	b.Screenshot(t, "/tmp/ct-shots/flood-marker-phone.png")
	keep := Eval[int](t, b, `+document.getElementById('hist').dataset.keep`)
	if f.MaxHist > keep+1 {
		t.Fatalf("during the flood the page held %d history entries; a reload shows at most %d", f.MaxHist, keep+1)
	}
	if f.GapSeen <= 0 && Eval[int](t, b, `document.querySelectorAll('#hist > .gap').length`) == 0 {
		t.Fatal("no skipped-lines marker during or after the flood")
	}
	b.Do(t, "reload", chromedp.Reload())
	b.WaitJS(t, 15*time.Second, "the page back", `!!document.getElementById('rows') && document.getElementById('rows').innerText.includes('flood-done')`, `document.body.innerText.slice(0, 400)`)
	check("reload")
	if got := Eval[string](t, b, `document.querySelector('#hist > .gap .n').textContent`); !strings.Contains(got, ",") {
		t.Fatalf("the marker's count %q has no thousands separator", got)
	}
}

// dropStream closes the session page's EventSource as a lost connection
// does, and lets the htmx SSE extension see the error: it reconnects after
// its backoff (half a second first).
const dropStream = `(() => { const el = document.querySelector('[sse-connect]');
  const es = el['htmx-internal-data'].sseEventSource; es.close(); es.onerror(new Event('error')); return true; })()`

// A page that lost its stream while lines scrolled off gets the screen
// back on reconnecting, and marks the lines it never got with their count.
func TestBrowserReconnectMarksMissedLines(t *testing.T) {
	h := StartHub(t, t.TempDir(), "127.0.0.1:0")
	cue := filepath.Join(t.TempDir(), "go")
	StartWrap(t, nil, "--hub", h.URL, "--name", "gapbox", "--", "bash", "-c",
		`echo gap-ready; while [ ! -e `+cue+` ]; do sleep 0.05; done; seq 1 3000; echo gap-done; exec sleep 600`)
	s := SessionFor(t, h.URL, "gapbox")
	b := StartPhone(t)
	Login(t, b, h.URL, "admin", AdminPassword)
	openSession(t, b, h.URL, s.ID, "gap-ready")
	Eval[bool](t, b, dropStream)
	if err := os.WriteFile(cue, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	WaitFor(t, 15*time.Second, "the hub's screen to show gap-done", func() bool {
		return strings.Contains(Get(h.URL+"/api/v1/sessions/"+s.ID+"/screen"), "gap-done")
	})
	b.WaitJS(t, 30*time.Second, "the page back with the screen", `document.getElementById('rows').innerText.includes('gap-done')`, `document.getElementById('rows').innerText`)
	wait := `(() => { const a = ` + histAccount + `; return /^\d+$/.test(a.first) && a.lines === +a.first; })()`
	b.WaitJS(t, 10*time.Second, "the missed lines counted in a marker", wait, `JSON.stringify(`+histAccount+`)`)
	if n := Eval[int](t, b, `document.querySelectorAll('#hist > .gap').length`); n != 1 {
		t.Fatalf("%d skipped-lines markers, want the one for the lines missed while offline", n)
	}
}
