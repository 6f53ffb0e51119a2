package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// BenchmarkWrapOverhead times `ct wrap --hub URL -- cat FILE` (hub connected)
// against `script -qfc 'cat FILE' /dev/null`, both draining stdout into the
// same pipe reader. A third run, wrap with its hub unreachable, separates
// wrap's own cost from the connected hub's. Each repetition runs all three,
// in an order that rotates so drift cancels out. Besides wall time it sums
// CPU time (process and children, plus the hub's for the connected run),
// which other load on a shared machine disturbs far less. Goals (issue 17.3):
// the connected wrap's own CPU (wrap+cat) ≤ 1.10× script+cat's, and the wall
// ratio with the hub on the same cores ≤ 1.3. The hub's CPU is reported on
// its own, per 100 MiB.
func BenchmarkWrapOverhead(b *testing.B) {
	f := dataFileFor(b)
	bin := ctBinary(b)
	var bare, wrap, alone, ratio, ratioAlone, sink, bareCPU, wrapCPU, aloneCPU, hubCPU []float64
	for i := range *flagReps {
		h, stop := freshHub(b)
		tok := machineToken(b, h, "overhead")
		nowhere := closedURL(b)
		var rb, rw, ra runResult
		var hc time.Duration
		check := func(what string, r runResult, err error) {
			if err == nil && r.Bytes != f.PTYSize {
				err = fmt.Errorf("%s: stdout had %d bytes, want %d", what, r.Bytes, f.PTYSize)
			}
			if err != nil {
				b.Fatal(err)
			}
		}
		runs := []func(){
			func() { r, err := runBare(f.Path); rb = r; check("script", r, err) },
			func() {
				c0, _ := ProcCPU(h.Pid())
				r, err := runDrained(bin, "wrap", "--hub", h.URL, "--token", tok, "--name", "overhead", "--", "cat", f.Path)
				c1, _ := ProcCPU(h.Pid())
				rw, hc = r, c1-c0
				check("ct wrap", r, err)
			},
			func() {
				r, err := runDrained(bin, "wrap", "--hub", nowhere, "--name", "alone", "--", "cat", f.Path)
				ra = r
				KillFlushers(os.Getenv("XDG_STATE_HOME")) // it left one delivering its tail to nowhere
				check("ct wrap (no hub)", r, err)
			},
		}
		for k := range runs {
			runs[(i+k)%len(runs)]()
		}
		stop()
		if s := strings.TrimSpace(rw.Stderr); s != "" {
			say("rep %d: the connected ct wrap said: %s", i, s)
		}
		bare, wrap, alone = append(bare, rb.Exit.Seconds()), append(wrap, rw.Exit.Seconds()), append(alone, ra.Exit.Seconds())
		sink = append(sink, rw.LastByte.Seconds())
		ratio = append(ratio, rw.Exit.Seconds()/rb.Exit.Seconds())
		ratioAlone = append(ratioAlone, ra.Exit.Seconds()/rb.Exit.Seconds())
		bareCPU, wrapCPU, aloneCPU = append(bareCPU, rb.CPU.Seconds()), append(wrapCPU, rw.CPU.Seconds()), append(aloneCPU, ra.CPU.Seconds())
		hubCPU = append(hubCPU, hc.Seconds())
		say("rep %d: bare %.2fs (%.1f MiB/s, cpu %.2fs) | wrap+hub %.2fs, last byte %.2fs (cpu wrap %.2fs, hub %.2fs) ratio %.2f | wrap, no hub %.2fs (cpu %.2fs) ratio %.2f | load %s",
			i, rb.Exit.Seconds(), MiBps(f.Size, rb.Exit), rb.CPU.Seconds(), rw.Exit.Seconds(), rw.LastByte.Seconds(), rw.CPU.Seconds(), hc.Seconds(), ratio[i],
			ra.Exit.Seconds(), ra.CPU.Seconds(), ratioAlone[i], LoadAvg())
	}
	r, ra := Summarise(ratio), Summarise(ratioAlone)
	// Goal 3 is the wrap's own CPU with the hub on another core: wrap+cat of
	// the connected run against script+cat. The hub's CPU is its own figure
	// (per 100 MiB), never added in: on this box it shares the cores, but
	// the goal is what the wrap costs the workstation.
	bareMed := Summarise(bareCPU).Median
	wrapRatio, aloneRatio := Summarise(wrapCPU).Median/bareMed, Summarise(aloneCPU).Median/bareMed
	sumRatio := (Summarise(wrapCPU).Median + Summarise(hubCPU).Median) / bareMed
	hubPer100 := Summarise(hubCPU).Median * per100MiB(f.Size)
	say("file %d bytes (%d after the PTY); %d repetitions; median (min-max)", f.Size, f.PTYSize, len(ratio))
	say("wall s:  bare %s | wrap, hub connected %s (last byte at the sink %s) | wrap, no hub %s",
		Summarise(bare).Format("%.2f"), Summarise(wrap).Format("%.2f"), Summarise(sink).Format("%.2f"), Summarise(alone).Format("%.2f"))
	say("cpu s:   bare (script+cat) %s | wrap+cat connected %s + hub %s | wrap+cat no hub %s",
		Summarise(bareCPU).Format("%.2f"), Summarise(wrapCPU).Format("%.2f"), Summarise(hubCPU).Format("%.2f"), Summarise(aloneCPU).Format("%.2f"))
	say("ratio wall connected/bare %s  goal ≤ 1.3 met: %v | no hub/bare %s | cpu wrap(connected)/bare %.2f goal ≤ 1.10 met: %v, wrap (no hub)/bare %.2f, (wrap+hub)/bare %.2f | hub cpu %.2f s per 100 MiB",
		r.Format("%.2f"), r.Median <= 1.3, ra.Format("%.2f"), wrapRatio, wrapRatio <= 1.10, aloneRatio, sumRatio, hubPer100)
	b.ReportMetric(r.Median, "ratio")
	b.ReportMetric(ra.Median, "nohub-ratio")
	b.ReportMetric(wrapRatio, "wrap-cpu-ratio")
	b.ReportMetric(aloneRatio, "nohub-cpu-ratio")
	b.ReportMetric(sumRatio, "wrap+hub-cpu-ratio")
	b.ReportMetric(hubPer100, "hub-cpu-s/100MiB")
	b.ReportMetric(float64(f.Size)/(1<<20)/Summarise(bare).Median, "bare-MiB/s")
}

// closedURL is a hub URL nothing listens on.
func closedURL(b *testing.B) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return "http://" + addr
}

// BenchmarkHubThroughput times the same file from the start of ct wrap until
// the hub's stored log holds every byte and the session has ended, checks the
// log equals the file after PTY translation, and notes when the hub's screen
// showed the file's last line. Each repetition is paired with a bare PTY run
// (alternating which goes first). Goals (issue 17.2): ≥ 0.6× the bare PTY
// rate, every byte present, hub CPU ≤ 1.5 s per 100 MiB.
//
// The wrap gets a spool that holds the whole file (-spool): the hub is slower
// than a bare PTY, and with the default 16 MiB spool a 100 MiB cat outruns it
// by more than that, so the wrap drops the oldest unsent output and declares
// it (pty.dropped), as designed. Such a run is counted as "spool overflowed"
// and kept out of the figures. A run whose stored bytes plus declared drops
// are not the file's size lost bytes without saying so: that fails the
// benchmark, since it is a trust bug, not a slow run.
func BenchmarkHubThroughput(b *testing.B) {
	f := dataFileFor(b)
	bin := ctBinary(b)
	var bareRate, hubRate, ratio, screenAt, logAt, hubCPU []float64
	overflowed := 0 // runs whose spool dropped (declared) output
	for i := range *flagReps {
		var rb runResult
		var t throughput
		var err error
		bareRun := func() {
			if err == nil {
				rb, err = runBare(f.Path)
			}
		}
		ctRun := func() {
			if err == nil {
				h, stop := freshHub(b)
				t, err = throughputRun(b, bin, h, f)
				stop()
			}
		}
		if i%2 == 0 {
			bareRun()
			ctRun()
		} else {
			ctRun()
			bareRun()
		}
		if err != nil {
			b.Fatal(err)
		}
		br := MiBps(f.Size, rb.Exit)
		if !t.complete {
			overflowed++
			say("rep %d: bare %.1f MiB/s | SPOOL OVERFLOWED: the session ended after %.2fs with %d of %d bytes stored and the other %d declared dropped by the wrap (ct wrap said %q) | load %s",
				i, br, t.log.Seconds(), t.stored, f.PTYSize, t.dropped, t.wrapSaid, LoadAvg())
			continue
		}
		hr := MiBps(f.Size, t.log)
		bareRate, hubRate, ratio = append(bareRate, br), append(hubRate, hr), append(ratio, hr/br)
		logAt, screenAt = append(logAt, t.log.Seconds()), append(screenAt, t.screen.Seconds())
		hubCPU = append(hubCPU, t.hubCPU.Seconds())
		say("rep %d: bare %.1f MiB/s | hub log complete %.2fs = %.1f MiB/s, ratio %.2f | screen showed the end %.2fs | wrap exit %.2fs | hub cpu %.2fs | log verified: %d bytes, sha256 equal | load %s",
			i, br, t.log.Seconds(), hr, hr/br, t.screen.Seconds(), t.wrapExit.Seconds(), t.hubCPU.Seconds(), f.PTYSize, LoadAvg())
	}
	r := Summarise(ratio)
	say("median (min-max) of %d: bare PTY %s MiB/s | hub log %s MiB/s (%s s) | screen caught up at %s s | hub cpu %s s",
		len(ratio), Summarise(bareRate).Format("%.1f"), Summarise(hubRate).Format("%.1f"), Summarise(logAt).Format("%.2f"), Summarise(screenAt).Format("%.2f"), Summarise(hubCPU).Format("%.2f"))
	hubPer100 := Summarise(hubCPU).Median * per100MiB(f.Size)
	say("ratio hub/bare %s  goal ≥ 0.6 met: %v | hub cpu %.2f s per 100 MiB, goal ≤ 1.5 met: %v | repetitions whose spool overflowed (declared drops, not in the figures above; wrap --spool %d): %d of %d",
		r.Format("%.2f"), r.Median >= 0.6 && overflowed == 0, hubPer100, hubPer100 <= 1.5, spoolFor(f), overflowed, *flagReps)
	b.ReportMetric(r.Median, "ratio")
	b.ReportMetric(Summarise(hubRate).Median, "hub-MiB/s")
	b.ReportMetric(Summarise(screenAt).Median, "screen-s")
	b.ReportMetric(hubPer100, "hub-cpu-s/100MiB")
	b.ReportMetric(float64(overflowed), "overflowed")
}

// spoolFor is the --spool the throughput benchmark gives ct wrap.
func spoolFor(f DataFile) int64 {
	if *flagSpool > 0 {
		return *flagSpool
	}
	return 2 * f.PTYSize
}

// per100MiB scales a figure measured over size bytes to 100 MiB.
func per100MiB(size int64) float64 { return float64(100<<20) / float64(size) }

type throughput struct {
	log, screen, wrapExit, hubCPU time.Duration
	stored, dropped               int64
	complete                      bool // every byte stored, none dropped, content verified
	// !complete means declared drops: stored+dropped is the file's size
	// (anything else is an error from throughputRun).
	wrapSaid string // ct wrap's stderr
}

// throughputRun runs one ct wrap -- cat FILE against hub h and times when the
// store caught up (polling the session every 10 ms) and when a viewer's SSE
// stream first showed the file's last line.
type res struct {
	r   runResult
	err error
}

func throughputRun(b *testing.B, bin string, h *HubProc, f DataFile) (throughput, error) {
	var t throughput
	client := h.Client()
	tok := machineToken(b, h, "tput")
	cpu0, _ := ProcCPU(h.Pid())
	start := time.Now()
	wrapDone := make(chan res, 1)
	go func() {
		r, err := runDrained(bin, "wrap", "--hub", h.URL, "--token", tok, "--name", "tput", "--spool", strconv.FormatInt(spoolFor(f), 10), "--", "cat", f.Path)
		wrapDone <- res{r, err}
	}()
	deadline := start.Add(3 * time.Minute)
	var id string
	for id == "" {
		list, _ := ListSessions(client, h.URL)
		for _, s := range list {
			if s.Node == "tput" {
				id = s.ID
			}
		}
		if time.Now().After(deadline) {
			return t, fmt.Errorf("no session on the hub after 3 minutes")
		}
		time.Sleep(10 * time.Millisecond) // polling interval, not synchronisation
	}
	// A viewer watches the session page, as a phone would; the screen has
	// caught up when an update shows the file's last line.
	screenDone := make(chan time.Duration, 1)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	body, err := Subscribe(ctx, client, h.URL+"/events/s/"+id+"?v=tput")
	if err != nil {
		return t, err
	}
	go ReadEvents(body, func(ev Event) bool {
		if bytes.Contains(ev.Data, []byte(f.LastLine)) {
			screenDone <- ev.At.Sub(start)
			return false
		}
		return true
	})
	// The session's end is its last event: once stored, the log is final.
	var wrapped *res
	var wrapGone time.Time
	for {
		s, err := GetSession(client, h.URL, id)
		if err == nil {
			t.stored, t.dropped = s.Bytes, s.Dropped
			if s.Status == "ended" {
				t.log = time.Since(start)
				break
			}
		}
		if wrapped == nil {
			select {
			case w := <-wrapDone:
				wrapped, wrapGone = &w, time.Now()
			default:
			}
		}
		if time.Now().After(deadline) || wrapped != nil && time.Since(wrapGone) > 30*time.Second {
			return t, fmt.Errorf("the session never ended on the hub (stored %d bytes, %d dropped)", t.stored, t.dropped)
		}
		time.Sleep(10 * time.Millisecond) // polling interval
	}
	cpu1, _ := ProcCPU(h.Pid())
	t.hubCPU = cpu1 - cpu0
	if wrapped == nil {
		w := <-wrapDone
		wrapped = &w
	}
	if wrapped.err != nil {
		return t, wrapped.err
	}
	t.wrapExit, t.wrapSaid = wrapped.r.Exit, strings.TrimSpace(wrapped.r.Stderr)
	t.complete = t.stored == f.PTYSize && t.dropped == 0
	if t.stored+t.dropped != f.PTYSize {
		return t, fmt.Errorf("LOST BYTES: the session ended with %d bytes stored and %d declared dropped, but the wrap's PTY gave %d (ct wrap said %q)",
			t.stored, t.dropped, f.PTYSize, t.wrapSaid)
	}
	select {
	case t.screen = <-screenDone:
	case <-time.After(time.Minute):
		return t, fmt.Errorf("no screen update showed %q within a minute of the log being complete", f.LastLine)
	}
	if txt := getText(client, h.URL+"/api/v1/sessions/"+id+"/screen"); !strings.Contains(txt, f.LastLine) {
		return t, fmt.Errorf("GET /screen does not show %q:\n%s", f.LastLine, txt)
	}
	if !t.complete {
		return t, nil
	}
	resp, err := client.Get(h.URL + "/api/v1/sessions/" + id + "/log")
	if err != nil {
		return t, err
	}
	n, sum, err := HashReader(resp.Body)
	resp.Body.Close()
	if err != nil || n != f.PTYSize || sum != f.PTYHash {
		return t, fmt.Errorf("stored log: %d bytes sha256 %s (err %v); want %d bytes sha256 %s", n, sum, err, f.PTYSize, f.PTYHash)
	}
	return t, nil
}

// getText returns the body of a GET ("" on error).
func getText(client *http.Client, url string) string {
	resp, err := client.Get(url)
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}
