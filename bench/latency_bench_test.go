package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"

	"github.com/creack/pty"
	"github.com/r3labs/sse/v2"
)

// BenchmarkKeystrokeLatency measures keystroke → screen: a keystroke posted to
// POST /api/v1/sessions/{id}/input travels hub → wrap → PTY, whose line
// discipline echoes it, back wrap → hub → emulator → SSE. Each keystroke is a
// distinct character, so its arrival in an SSE event is unambiguous. Each
// repetition (-latreps) runs, in the same process, the baselines (a bare
// loopback SSE event, back to back and with gaps; a bare PTY echo) and ct
// back to back (the next POST as soon as the last one is answered: a fast
// typist or a paste) and with gaps of 5-120 ms (human typing).
// Goal (issue 17): p50 ≤ 0.5 ms and p99 ≤ 2 ms in both, i.e. within 2.5× of
// the loopback SSE event with the same gaps.
func BenchmarkKeystrokeLatency(b *testing.B) {
	n := *flagKeys
	type series struct {
		name       string
		floor      int // index of the baseline this series is compared with, or -1
		run        func() (lat, post []float64, missing int)
		all, post  []float64
		p50s, p99s []float64
		missing    int
		cpu        keyCPU // summed over repetitions (ct series only)
	}
	var ss []*series
	ct := func(i, lo, hi int) func() ([]float64, []float64, int) {
		return func() ([]float64, []float64, int) {
			lat, post, missing, cpu := keystrokes(b, n, lo, hi)
			ss[i].cpu.add(cpu)
			return lat, post, missing
		}
	}
	floor := func(lo, hi int) func() ([]float64, []float64, int) {
		return func() ([]float64, []float64, int) { return sseLoopback(b, n, lo, hi), nil, 0 }
	}
	ss = []*series{
		{name: "floor: SSE event, back to back", floor: -1, run: floor(0, 0)},
		{name: "floor: SSE event, gaps 5-120", floor: -1, run: floor(5, 120)},
		{name: "baseline: bare PTY echo", floor: -1, run: func() ([]float64, []float64, int) { return ptyEcho(b, n, 5, 30), nil, 0 }},
		{name: "baseline: HTTP POST, gaps 5-120", floor: -1, run: func() ([]float64, []float64, int) { return postLoopback(b, n, 5, 120), nil, 0 }},
		{name: "ct, back to back", floor: 0, run: ct(4, 0, 0)},
		{name: "ct, gaps 5-120 ms", floor: 1, run: ct(5, 5, 120)},
	}
	for i := range *flagLatReps {
		for _, s := range ss {
			if !strings.Contains(s.name, *flagLatOnly) {
				continue
			}
			lat, post, missing := s.run()
			s.all, s.post, s.missing = append(s.all, lat...), append(s.post, post...), s.missing+missing
			s.p50s, s.p99s = append(s.p50s, Percentile(lat, 50)), append(s.p99s, Percentile(lat, 99))
			say("rep %d %-32s p50 %7.3f  p90 %7.3f  p99 %7.3f  max %8.3f ms  (%d samples, %d missing; load %s)", i, s.name,
				Percentile(lat, 50), Percentile(lat, 90), Percentile(lat, 99), Percentile(lat, 100), len(lat), missing, LoadAvg())
		}
	}
	say("all repetitions pooled (ms); per-repetition p50 and p99 as median (min-max):")
	for _, s := range ss {
		say("%-32s p50 %7.3f  p90 %7.3f  p99 %7.3f  max %8.3f | p50 %s  p99 %s | missing %d",
			s.name, Percentile(s.all, 50), Percentile(s.all, 90), Percentile(s.all, 99), Percentile(s.all, 100),
			Summarise(s.p50s).Format("%.3f"), Summarise(s.p99s).Format("%.3f"), s.missing)
		if len(s.post) > 0 {
			say("%-32s POST round trip alone: p50 %.3f  p99 %.3f", "", Percentile(s.post, 50), Percentile(s.post, 99))
		}
		if s.cpu.keys > 0 {
			say("%-32s CPU per keystroke: hub %.0f µs, wrap %.0f µs (load-independent; /proc, 10 ms ticks)", "", s.cpu.hubUS(), s.cpu.wrapUS())
		}
	}
	for _, s := range ss {
		if s.floor < 0 || len(s.all) == 0 || len(ss[s.floor].all) == 0 {
			continue
		}
		p50, p99 := Summarise(s.p50s).Median, Summarise(s.p99s).Median
		f50 := Summarise(ss[s.floor].p50s).Median
		say("%s: median p50 %.3f ms = %.2f× the floor (%.3f ms), goal ≤ 0.5 ms / 2.5×: %v; median p99 %.3f ms, goal ≤ 2 ms: %v",
			s.name, p50, p50/f50, f50, p50 <= 0.5 || p50 <= 2.5*f50, p99, p99 <= 2)
	}
	b.ReportMetric(Percentile(ss[4].all, 50), "p50-ms")
	b.ReportMetric(Percentile(ss[4].all, 99), "p99-ms")
	b.ReportMetric(Percentile(ss[5].all, 50), "gaps-p50-ms")
	b.ReportMetric(Percentile(ss[5].all, 99), "gaps-p99-ms")
	b.ReportMetric(Percentile(ss[1].all, 50), "sse-gaps-p50-ms")
	b.ReportMetric(Percentile(ss[3].all, 50), "post-gaps-p50-ms")
	for _, m := range []struct {
		s    *series
		name string
	}{{ss[4], ""}, {ss[5], "gaps-"}} {
		if m.s.cpu.keys > 0 {
			b.ReportMetric(m.s.cpu.hubUS(), m.name+"hub-cpu-us/key")
			b.ReportMetric(m.s.cpu.wrapUS(), m.name+"wrap-cpu-us/key")
		}
	}
}

// keyCPU is the CPU the hub and the wrap spent on a run's keystrokes: unlike
// latency, it hardly moves with the box's load, so A/B runs on a busy
// machine still compare.
type keyCPU struct {
	hub, wrap time.Duration
	keys      int
}

func (c *keyCPU) add(o keyCPU) { c.hub, c.wrap, c.keys = c.hub+o.hub, c.wrap+o.wrap, c.keys+o.keys }

func (c keyCPU) hubUS() float64  { return float64(c.hub.Microseconds()) / float64(c.keys) }
func (c keyCPU) wrapUS() float64 { return float64(c.wrap.Microseconds()) / float64(c.keys) }

// procCPUs reads the CPU used so far by the processes pids.
func procCPUs(b *testing.B, pids ...int) []time.Duration {
	out := make([]time.Duration, len(pids))
	for i, pid := range pids {
		d, err := ProcCPU(pid)
		if err != nil {
			b.Fatal(err)
		}
		out[i] = d
	}
	return out
}

// gapper paces sends with uniformly random gaps in [lo, hi] ms.
type gapper struct {
	r      *rand.Rand
	lo, hi int
	next   time.Time
}

func newGapper(lo, hi int) *gapper {
	return &gapper{r: rand.New(rand.NewPCG(2, 3)), lo: lo, hi: hi, next: time.Now()}
}

// wait sleeps until the next send is due (pacing, not synchronisation) and
// schedules the one after.
func (g *gapper) wait() {
	time.Sleep(time.Until(g.next))
	ms := g.lo + g.r.IntN(g.hi-g.lo+1)
	g.next = time.Now().Add(time.Duration(ms) * time.Millisecond)
}

// keyRunes returns n distinct single-width letters outside ASCII, so none can
// be mistaken for HTML markup or status text in an event.
func keyRunes(n int) []rune {
	var out []rune
	for r := rune(0xC0); len(out) < n && r < 0x2000; r++ {
		if unicode.IsLetter(r) && !unicode.Is(unicode.Lm, r) &&
			unicode.In(r, unicode.Latin, unicode.Greek, unicode.Cyrillic, unicode.Armenian) {
			out = append(out, r)
		}
	}
	return out
}

// keystrokes runs one ct latency session: a hub, a wrap running cat, an SSE
// client on the session's page stream, and n keystrokes posted with gaps.
func keystrokes(b *testing.B, n, gapLo, gapHi int) (lat, post []float64, missing int, cpu keyCPU) {
	runes := keyRunes(n)
	if len(runes) < n {
		b.Fatalf("only %d distinct key characters; use -keys %d or less", len(runes), len(runes))
	}
	index := make(map[rune]int, n)
	for i, r := range runes {
		index[r] = i
	}
	h, stop := freshHub(b)
	defer stop()
	w, err := startWrap(ctBinary(b), "--hub", h.URL, "--token", machineToken(b, h, "latency"), "--name", "latency", "--", "cat")
	if err != nil {
		b.Fatal(err)
	}
	defer w.kill()
	id := sessionOf(b, h, "latency")
	client := h.Client()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	body, err := Subscribe(ctx, client, h.URL+"/events/s/"+id+"?v=benchlatency")
	if err != nil {
		b.Fatal(err)
	}
	var mu sync.Mutex
	seen := make([]time.Time, n)
	seenCount := 0
	first := make(chan struct{})
	var once sync.Once
	go ReadEvents(body, func(ev Event) bool {
		once.Do(func() { close(first) })
		mu.Lock()
		defer mu.Unlock()
		for _, r := range string(ev.Data) {
			if k, ok := index[r]; ok && seen[k].IsZero() {
				seen[k] = ev.At
				seenCount++
			}
		}
		return true
	})
	select {
	case <-first: // the page stream's initial screen: the viewer is in place
	case <-time.After(15 * time.Second):
		b.Fatal("no first SSE event within 15 s")
	}
	sent := make([]time.Time, n)
	pids := []int{h.Cmd.Process.Pid, w.cmd.Process.Pid}
	cpu0 := procCPUs(b, pids...)
	g := newGapper(gapLo, gapHi)
	for k := range n {
		g.wait()
		payload, _ := json.Marshal(map[string]string{"text": string(runes[k])})
		sent[k] = time.Now()
		resp, err := client.Post(h.URL+"/api/v1/sessions/"+id+"/input", "application/json", bytes.NewReader(payload))
		if err != nil {
			b.Fatal(err)
		}
		code := resp.StatusCode
		drain(resp.Body)
		post = append(post, Ms(time.Since(sent[k])))
		if code != http.StatusOK {
			b.Fatalf("keystroke %d: POST input answered %d", k, code)
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		mu.Lock()
		done := seenCount == n
		mu.Unlock()
		if done || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond) // polling for stragglers
	}
	cpu1 := procCPUs(b, pids...)
	cpu = keyCPU{hub: cpu1[0] - cpu0[0], wrap: cpu1[1] - cpu0[1], keys: n}
	mu.Lock()
	for k := range n {
		if seen[k].IsZero() {
			missing++
			continue
		}
		lat = append(lat, Ms(seen[k].Sub(sent[k])))
	}
	mu.Unlock()
	// End cat: finish the line, then EOF, so wrap exits before the hub goes.
	if resp, err := client.Post(h.URL+"/api/v1/sessions/"+id+"/input", "application/json", strings.NewReader(`{"keys":["Enter","Ctrl-D"]}`)); err == nil {
		drain(resp.Body)
	}
	select {
	case <-w.done:
	case <-time.After(15 * time.Second):
		b.Fatal("ct wrap did not exit after cat got EOF")
	}
	return lat, post, missing, cpu
}

// sseLoopback is the floor for any SSE screen update: an r3labs server set up
// as the hub sets it up, on 127.0.0.1, one client; publish → event parsed.
func sseLoopback(b *testing.B, n, gapLo, gapHi int) []float64 {
	srv := sse.New()
	srv.AutoReplay, srv.SplitData, srv.AutoStream = false, true, true
	ts := httptest.NewServer(srv)
	defer ts.Close()
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	body, err := Subscribe(ctx, http.DefaultClient, ts.URL+"/?stream=bench")
	if err != nil {
		b.Fatal(err)
	}
	got := make(chan Event, 16)
	go ReadEvents(body, func(ev Event) bool { got <- ev; return true })
	// The subscription is registered asynchronously: publish a warm-up event
	// until one arrives.
	for warm := false; !warm; {
		srv.TryPublish("bench", &sse.Event{Data: []byte("warm-up")})
		select {
		case <-got:
			warm = true
		case <-time.After(50 * time.Millisecond):
		}
	}
	var lat []float64
	g := newGapper(gapLo, gapHi)
	for k := range n {
		g.wait()
		t0 := time.Now()
		srv.TryPublish("bench", &sse.Event{ID: []byte(strconv.Itoa(k)), Data: []byte("<div>" + strconv.Itoa(k) + "</div>")})
		want := strconv.Itoa(k)
		for done := false; !done; {
			select {
			case ev := <-got:
				// A second warm-up event may still be queued: only this
				// event's own ID counts.
				if done = ev.ID == want; done {
					lat = append(lat, Ms(ev.At.Sub(t0)))
				}
			case <-time.After(5 * time.Second):
				b.Fatalf("event %d not received", k)
			}
		}
	}
	return lat
}

// postLoopback is what the POST that carries a keystroke costs alone: a
// plain net/http server on 127.0.0.1 in this process whose handler reads
// the body and answers {"ok":true}, one keep-alive client, round trips
// with gaps. A keystroke from a browser or a script pays it before ct does
// anything; after a pause, on a virtual machine whose idle cores sleep, it
// is several times the SSE floor (BENCHMARKS.md, issue 17).
func postLoopback(b *testing.B, n, gapLo, gapHi int) []float64 {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"ok":true}`)
	}))
	defer ts.Close()
	client := &http.Client{Transport: &http.Transport{}}
	defer client.CloseIdleConnections()
	post := func() {
		resp, err := client.Post(ts.URL+"/input", "application/json", strings.NewReader(`{"text":"k"}`))
		if err != nil {
			b.Fatal(err)
		}
		drain(resp.Body)
	}
	post() // the connection is open before the first measured one
	var lat []float64
	g := newGapper(gapLo, gapHi)
	for range n {
		g.wait()
		t0 := time.Now()
		post()
		lat = append(lat, Ms(time.Since(t0)))
	}
	return lat
}

// ptyEcho is the floor for a keystroke's echo: a byte written to a PTY
// running cat, read back from the echo, no ct involved.
func ptyEcho(b *testing.B, n, gapLo, gapHi int) []float64 {
	cmd := exec.Command("cat")
	m, err := pty.Start(cmd)
	if err != nil {
		b.Fatal(err)
	}
	defer func() { m.Close(); _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	buf := make([]byte, 64)
	var lat []float64
	g := newGapper(gapLo, gapHi)
	for k := range n {
		g.wait()
		c := byte('a' + k%26)
		t0 := time.Now()
		if _, err := m.Write([]byte{c}); err != nil {
			b.Fatal(err)
		}
		for got := false; !got; {
			nr, err := m.Read(buf)
			if err != nil && err != io.EOF {
				b.Fatal(err)
			}
			got = bytes.IndexByte(buf[:nr], c) >= 0
		}
		lat = append(lat, Ms(time.Since(t0)))
		if k%26 == 25 {
			_, _ = m.Write([]byte{0x15}) // Ctrl-U: keep the line buffer short
		}
	}
	return lat
}
