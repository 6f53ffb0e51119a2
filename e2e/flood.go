package e2e

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Flood is a session that floods its screen on cue: it prints flood-ready,
// waits for its go file, then runs seq 1 200000 and prints flood-done (the
// flood of issue 15's finding 5). TestBrowserFloodBounded and bench's
// BenchmarkFloodTapLatency share it.
type Flood struct {
	ID     string
	goFile string
}

// StartFlood starts the flooding wrap named name on the hub at hubURL.
func StartFlood(t testing.TB, hubURL, name string) *Flood {
	t.Helper()
	f := &Flood{goFile: filepath.Join(t.TempDir(), "go")}
	// The shell polls for the file: the cue must not depend on stdin, which
	// ct wrap reads for the local terminal.
	script := `echo flood-ready; while [ ! -e ` + f.goFile + ` ]; do sleep 0.05; done; seq 1 200000; echo flood-done; exec sleep 600`
	StartWrap(t, nil, "--hub", hubURL, "--name", name, "--", "bash", "-c", script)
	f.ID = SessionFor(t, hubURL, name).ID
	return f
}

// floodWatch is installed in the open session page: it records the most
// history entries and screen rows the page ever held, the largest
// skipped-lines marker seen during the flood, and each click on the 100%
// button's wall-clock time (ms since the epoch, the clock the test reads).
const floodWatch = `(() => {
  const f = window.ctFlood = {maxHist: 0, maxAll: 0, gapSeen: 0, clicks: []};
  new MutationObserver(() => {
    const h = document.getElementById('hist').children.length, r = document.getElementById('rows').children.length;
    f.maxHist = Math.max(f.maxHist, h); f.maxAll = Math.max(f.maxAll, h + r);
    const g = document.querySelector('#hist > .gap');
    if (g && !document.getElementById('rows').innerText.includes('flood-done')) f.gapSeen = Math.max(f.gapSeen, +g.dataset.n);
  }).observe(document.getElementById('scr'), {childList: true, subtree: true});
  document.querySelector('.term-tools [data-zoom="100"]').addEventListener('click', () => {
    f.clicks.push({at: performance.timeOrigin + performance.now(), during: !document.getElementById('rows').innerText.includes('flood-done')});
  });
  return true;
})()`

// zoomButtonAt is where the 100% button is now (the status bar above it
// grows a note when the screen skips a burst).
const zoomButtonAt = `(() => { const r = document.querySelector('.term-tools [data-zoom="100"]').getBoundingClientRect();
  return [r.left + r.width / 2, r.top + r.height / 2]; })()`

// FloodWatch is what the page recorded during the flood.
type FloodWatch struct {
	MaxHist, MaxAll, GapSeen int
}

// Run opens the session in b (logged in), starts the flood and clicks the
// 100% zoom button until flood-done shows. It returns the click→handler
// latencies of the clicks the page handled during the flood (from the
// input being dispatched to the handler running) and what the page held.
func (f *Flood) Run(t testing.TB, b *Browser, hubURL string) ([]time.Duration, FloodWatch) {
	t.Helper()
	b.Do(t, "open the session", chromedp.Navigate(hubURL+"/s/"+f.ID))
	b.WaitJS(t, 15*time.Second, "flood-ready on the screen",
		`!!document.getElementById('rows') && document.getElementById('rows').innerText.includes('flood-ready')`, `document.body.innerText`)
	Eval[bool](t, b, floodWatch)
	if err := os.WriteFile(f.goFile, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	var lat []time.Duration
	for n := 1; ; n++ {
		// Raw input at the button's place: a selector query would itself
		// wait for a busy page before the click is even sent.
		sent := clickZoom(t, b, n)
		c := Eval[struct {
			At     float64
			During bool
		}](t, b, `window.ctFlood.clicks[`+strconv.Itoa(n-1)+`]`)
		if !c.During {
			break
		}
		lat = append(lat, time.UnixMicro(int64(c.At*1000)).Sub(sent))
	}
	return lat, Eval[FloodWatch](t, b, `window.ctFlood`)
}

// clickZoom clicks the 100% button (raw input at its place: a selector
// query would itself wait for a busy page before the click is even sent)
// until the page has handled n clicks, and returns when the click that
// landed was sent. A click that missed because the button moved (the
// status bar above it grows a note when the screen skips a burst) is sent
// again at the new place.
func clickZoom(t testing.TB, b *Browser, n int) time.Time {
	t.Helper()
	handled := `window.ctFlood.clicks.length >= ` + strconv.Itoa(n)
	deadline := time.Now().Add(20 * time.Second)
	for {
		xy := Eval[[2]float64](t, b, zoomButtonAt)
		sent := time.Now()
		b.Do(t, "click 100% during the flood", chromedp.MouseClickXY(xy[0], xy[1]))
		for {
			if Eval[bool](t, b, handled) {
				return sent
			}
			if Eval[[2]float64](t, b, zoomButtonAt) != xy {
				break // it moved: click it where it is now
			}
			if time.Now().After(deadline) {
				t.Fatalf("a click on the 100%% button was not handled in 20 s: %s", Eval[string](t, b, `JSON.stringify(window.ctFlood)`))
			}
			time.Sleep(20 * time.Millisecond) // polling the page; nothing to wait on from Go
		}
	}
}
