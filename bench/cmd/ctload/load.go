package main

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/ct-dev/ct/bench"
	"github.com/ct-dev/ct/wsdial"
)

// result is what one load run measured.
type result struct {
	window         time.Duration // the writing phase, start to end
	hubCPU         time.Duration // hub utime+stime over the window
	hubCPUTotal    time.Duration // ... until the store had caught up
	machineBusy    float64       // fraction of all cores busy over the window
	selfCPU        time.Duration // this process (the viewers) over the window
	wrapCPU        time.Duration // all wraps and their writers, whole run
	hwmKB          int64
	delays         []float64 // ms, every viewer update carrying a timestamp
	viewerEvents   int
	viewerBytes    int64
	viewerErrs     []string
	catchUp        time.Duration // writing end until every session was complete
	complete       int           // sessions whose store holds every byte
	stored, want   int64         // bytes over all sessions
	dropped        int64
	wrapComplaints []string
	timeline       []string
}

// source is one session's output: a ct wrap process running the writer,
// or a simulated wrap in this process (-sim).
type source interface {
	// finish waits up to settle for the session to end and returns the CPU
	// it used outside this process and what it complained of.
	finish(settle time.Duration) (time.Duration, string)
	stop() // ends it now and waits
}

type wrapRun struct {
	cmd    *exec.Cmd
	stderr bytes.Buffer
	done   chan struct{}
}

func (w *wrapRun) finish(settle time.Duration) (time.Duration, string) {
	select {
	case <-w.done:
	case <-time.After(settle):
	}
	var cpu time.Duration
	if ps := w.cmd.ProcessState; ps != nil {
		cpu = ps.UserTime() + ps.SystemTime()
	}
	return cpu, strings.TrimSpace(w.stderr.String())
}

func (w *wrapRun) stop() { _ = w.cmd.Process.Kill(); <-w.done }

func (s *simWrap) finish(settle time.Duration) (time.Duration, string) {
	select {
	case <-s.done:
		if s.err != nil {
			return 0, s.err.Error()
		}
		return 0, ""
	case <-time.After(settle):
		return 0, "still running after -settle"
	}
}

func (s *simWrap) stop() { <-s.done }

// load runs one measured load: it is one long sequence (start wraps, start
// viewers, sample, stop, collect) kept in one function so the order of
// what is measured reads top to bottom.
func load(cfg config, bin, self string, h *bench.HubProc) (*result, error) {
	ctx, cancel := waitCtx(cfg)
	defer cancel()
	client := h.Client()
	// Everyone starts writing at once, after every wrap and viewer is in place
	// (about 30 ms of setup per wrap on 2 cores, plus margin).
	start := time.Now().Add(5*time.Second + time.Duration(cfg.wraps)*40*time.Millisecond)
	devnull, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		return nil, err
	}
	defer devnull.Close()
	target, alone := h.URL, cfg.hub != ""
	if alone {
		target = cfg.hub
	}
	wraps := make([]source, cfg.wraps)
	wsURL, err := wsdial.URL(target, "/ws/wrap")
	if err != nil {
		return nil, err
	}
	for i := range wraps {
		name := fmt.Sprintf("load%03d", i)
		tok := "none"
		if !alone {
			if tok, err = h.MachineToken(name); err != nil {
				return nil, err
			}
		}
		if cfg.sim && alone {
			wraps[i] = startSimAlone(ctx, cfg, start)
			continue
		}
		if cfg.sim {
			wraps[i] = startSim(ctx, cfg, wsURL, tok, name, start)
			continue
		}
		w := &wrapRun{done: make(chan struct{})}
		w.cmd = exec.Command(bin, "wrap", "--hub", target, "--token", tok, "--name", name, "--",
			self, "writer", "-rate", strconv.Itoa(cfg.rate), "-duration", cfg.duration.String(),
			"-line", strconv.Itoa(cfg.line), "-tick", cfg.tick.String(), "-start", strconv.FormatInt(start.UnixNano(), 10))
		w.cmd.Stdin, w.cmd.Stdout, w.cmd.Stderr = devnull, devnull, &w.stderr
		if err := w.cmd.Start(); err != nil {
			return nil, err
		}
		go func() { _ = w.cmd.Wait(); close(w.done) }()
		wraps[i] = w
	}
	defer func() {
		cancel()
		for _, w := range wraps {
			w.stop()
		}
	}()
	var ids []string
	viewers := []*viewer{}
	if !alone {
		if ids, err = waitSessions(client, h.URL, cfg.wraps, start); err != nil {
			return nil, err
		}
		viewers = make([]*viewer, cfg.viewers)
	}
	for j := range viewers {
		v := &viewer{from: start.UnixNano(), started: make(chan struct{})}
		viewers[j] = v
		url := fmt.Sprintf("%s/events/s/%s?v=load%d", h.URL, ids[j%len(ids)], j)
		go v.run(ctx, client, url)
		<-v.started
	}
	if time.Now().After(start) {
		return nil, fmt.Errorf("setup took past the start time; the machine is too busy or -wraps too large")
	}
	time.Sleep(time.Until(start)) // the writers' shared start
	r := &result{}
	cpu0, _ := bench.ProcCPU(h.Pid())
	busy0, total0, _ := bench.MachineCPU()
	self0 := bench.SelfCPU()
	end := start.Add(cfg.duration)
	stored := func() int64 { return 0 }
	if !alone {
		stored = func() int64 {
			list, _ := bench.ListSessions(client, h.URL)
			var n int64
			for _, s := range list {
				n += s.Bytes
			}
			return n
		}
	}
	r.timeline = sample(h.Pid(), start, end, stored)
	cpu1, _ := bench.ProcCPU(h.Pid())
	busy1, total1, _ := bench.MachineCPU()
	r.window = time.Since(start)
	r.hubCPU, r.selfCPU = cpu1-cpu0, bench.SelfCPU()-self0
	if total1 > total0 {
		r.machineBusy = float64(busy1-busy0) / float64(total1-total0)
	}
	r.want = int64(totalLines(cfg.rate, cfg.duration, cfg.line)) * int64(cfg.line+1) // \n leaves a PTY as \r\n
	if !alone {
		r.catchUp, r.complete, r.stored, r.dropped = waitStored(client, h.URL, ids, r.want, end, cfg.settle)
	}
	r.want *= int64(cfg.wraps)
	cpu2, _ := bench.ProcCPU(h.Pid())
	r.hubCPUTotal = cpu2 - cpu0
	r.hwmKB, _ = bench.ProcStatusKB(h.Pid(), "VmHWM")
	for _, w := range wraps {
		cpu, complaint := w.finish(cfg.settle)
		r.wrapCPU += cpu
		if complaint != "" {
			r.wrapComplaints = append(r.wrapComplaints, complaint)
		}
	}
	cancel()
	for _, v := range viewers {
		v.mu.Lock()
		r.delays = append(r.delays, v.delays...)
		r.viewerEvents += v.events
		r.viewerBytes += v.bytes
		if v.err != nil {
			r.viewerErrs = append(r.viewerErrs, v.err.Error())
		}
		v.mu.Unlock()
	}
	return r, nil
}

// waitSessions waits until the hub lists n sessions and returns their ids
// in node-name order.
func waitSessions(client *http.Client, hubURL string, n int, until time.Time) ([]string, error) {
	for {
		list, err := bench.ListSessions(client, hubURL)
		if err == nil && len(list) >= n {
			byNode := map[string]string{}
			for _, s := range list {
				byNode[s.Node] = s.ID
			}
			ids := make([]string, 0, n)
			for i := range n {
				ids = append(ids, byNode[fmt.Sprintf("load%03d", i)])
			}
			return ids, nil
		}
		if time.Now().After(until) {
			return nil, fmt.Errorf("only %d of %d wraps connected before the start time", len(list), n)
		}
		time.Sleep(50 * time.Millisecond) // polling interval
	}
}

// waitStored polls until every session has ended with want bytes stored, or
// settle passes after end.
func waitStored(client *http.Client, hubURL string, ids []string, want int64, end time.Time, settle time.Duration) (catchUp time.Duration, complete int, stored, dropped int64) {
	for {
		complete, stored, dropped = 0, 0, 0
		list, _ := bench.ListSessions(client, hubURL)
		mine := map[string]bool{}
		for _, id := range ids {
			mine[id] = true
		}
		for _, s := range list {
			if !mine[s.ID] {
				continue
			}
			stored += s.Bytes
			dropped += s.Dropped
			if s.Status == "ended" && s.Bytes == want && s.Dropped == 0 {
				complete++
			}
		}
		if complete == len(ids) || time.Now().After(end.Add(settle)) {
			return time.Since(end), complete, stored, dropped
		}
		time.Sleep(100 * time.Millisecond) // polling interval
	}
}

// sample prints a line every 10 s of the hub's CPU and memory, the bytes it
// has stored and the machine's load until end, and returns the lines.
func sample(pid int, start, end time.Time, stored func() int64) []string {
	var lines []string
	prevCPU, _ := bench.ProcCPU(pid)
	prevBusy, prevTotal, _ := bench.MachineCPU()
	prev := time.Now()
	for t := start.Add(10 * time.Second); ; t = t.Add(10 * time.Second) {
		if t.After(end) {
			t = end
		}
		time.Sleep(time.Until(t))
		cpu, _ := bench.ProcCPU(pid)
		busy, total, _ := bench.MachineCPU()
		rss, _ := bench.ProcStatusKB(pid, "VmRSS")
		now := time.Now()
		line := fmt.Sprintf("t=%4.0fs  hub %.2f cores  machine %3.0f%% busy  hub RSS %d MiB  stored %.1f MB",
			now.Sub(start).Seconds(), (cpu-prevCPU).Seconds()/now.Sub(prev).Seconds(),
			100*float64(busy-prevBusy)/float64(max(total-prevTotal, 1)), rss>>10, float64(stored())/1e6)
		fmt.Println(line)
		lines = append(lines, line)
		prevCPU, prevBusy, prevTotal, prev = cpu, busy, total, now
		if !t.Before(end) {
			return lines
		}
	}
}

func (r *result) print(cfg config) {
	w := r.window.Seconds()
	fmt.Printf("\nwriting window %.1f s; offered load %.1f MB/s into the hub\n", w, float64(cfg.wraps*cfg.rate)/1e6)
	if cfg.hub != "" {
		fmt.Printf("machine        %.0f%% of all cores busy over the window with the load generator alone (wraps pointed at %s); wraps+writers used %.1f s CPU in all, this process (simulated wraps, -sim) %.1f s = %.2f cores\n",
			100*r.machineBusy, cfg.hub, r.wrapCPU.Seconds(), r.selfCPU.Seconds(), r.selfCPU.Seconds()/w)
		return
	}
	fmt.Printf("hub CPU        %.1f s over the window = %.2f cores (%.1f s until the store caught up)\n", r.hubCPU.Seconds(), r.hubCPU.Seconds()/w, r.hubCPUTotal.Seconds())
	fmt.Printf("hub peak RSS   %d MiB (VmHWM)\n", r.hwmKB>>10)
	fmt.Printf("machine        %.0f%% of all cores busy over the window; wraps+writers used %.1f s CPU in all, the viewers (this process) %.1f s\n", 100*r.machineBusy, r.wrapCPU.Seconds(), r.selfCPU.Seconds())
	fmt.Printf("viewers        %d updates (%.1f/s per viewer), %.1f MB; errors: %d\n", r.viewerEvents, float64(r.viewerEvents)/w/float64(max(cfg.viewers, 1)), float64(r.viewerBytes)/1e6, len(r.viewerErrs))
	fmt.Printf("update delay   p50 %.0f ms  p90 %.0f ms  p99 %.0f ms  max %.0f ms  (%d timestamped updates)\n",
		bench.Percentile(r.delays, 50), bench.Percentile(r.delays, 90), bench.Percentile(r.delays, 99), bench.Percentile(r.delays, 100), len(r.delays))
	fmt.Printf("store          %d of %d sessions complete, %d of %d bytes, %d dropped; caught up %.1f s after the writing ended\n",
		r.complete, cfg.wraps, r.stored, r.want, r.dropped, r.catchUp.Seconds())
	for i, c := range r.wrapComplaints {
		if i == 5 {
			fmt.Printf("... and %d more wraps complained\n", len(r.wrapComplaints)-5)
			break
		}
		fmt.Printf("wrap said: %s\n", c)
	}
	for _, e := range r.viewerErrs[:min(len(r.viewerErrs), 5)] {
		fmt.Printf("viewer error: %s\n", e)
	}
}
