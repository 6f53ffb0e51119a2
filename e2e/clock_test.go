package e2e

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// The simulation clock (issue 19 item 7) through real ct mcp processes on
// a real hub: an agent that subscribes gets ticks at the speed set, in
// order, each one step of sim_time; one that did not subscribe gets none;
// a pause stops them; the report counts each peer's actions per tick.
func TestMCPSimulationClock(t *testing.T) {
	h := StartHub(t, t.TempDir(), "127.0.0.1:0", "--clock-tick", "200ms")
	p1, p2 := newCoordPeer(t, h, "tok-sim1"), newCoordPeer(t, h, "tok-sim2")
	one, two := startMCPAgent(t, p1, "cccccccc-1111"), startMCPAgent(t, p2, "dddddddd-2222")

	var st struct {
		Running, Paused, Subscribed bool
		Tick                        uint64
		Speed                       int
	}
	mustJSON(t, one.must("clock", map[string]any{"subscribe": true}), &st)
	if !st.Subscribed || st.Running {
		t.Fatalf("after subscribing, before clock_set: %+v", st)
	}
	if out, isErr := one.call("clock_set", map[string]any{"speed": 5}); !isErr {
		t.Fatalf("speed 5 accepted: %s", out)
	}
	start := "2030-01-01T09:00:00Z"
	mustJSON(t, one.must("clock_set", map[string]any{"speed": 10, "start": start}), &st)
	if !st.Running || st.Speed != 10 {
		t.Fatalf("clock_set x10: %+v", st)
	}
	// Actions during the run, counted for the report.
	one.must("lock", map[string]any{"name": "sim-lock", "ttl_seconds": 60})
	one.must("add_todo", map[string]any{"title": "simulate"})

	ticks := waitTicks(t, one, 5)
	t0, _ := time.Parse(time.RFC3339, start)
	for i, tk := range ticks {
		if tk.Speed != 10 || (i > 0 && tk.Tick != ticks[i-1].Tick+1) {
			t.Fatalf("ticks out of order or at the wrong speed: %+v", ticks)
		}
		if want := t0.Add(time.Duration(tk.Tick) * 200 * time.Millisecond); !tk.SimTime.Equal(want) {
			t.Fatalf("tick %d at sim_time %s, want %s (one 200ms step a tick)", tk.Tick, tk.SimTime, want)
		}
	}
	// two never asked: its wait brings no tick even though ticks are flowing.
	var page struct{ Events []json.RawMessage }
	mustJSON(t, two.must("wait_for_events", map[string]any{"types": []string{"tick"}, "timeout_s": 1}), &page)
	if len(page.Events) != 0 {
		t.Fatalf("an unsubscribed peer got ticks: %s", page.Events)
	}

	mustJSON(t, one.must("clock_pause", nil), &st)
	if !st.Paused || st.Running {
		t.Fatalf("clock_pause: %+v", st)
	}
	paused := st.Tick
	var after tickPage
	mustJSON(t, one.must("wait_for_events", map[string]any{"types": []string{"tick"}, "timeout_s": 1}), &after)
	for _, e := range after.Events {
		if e.Tick.Tick > paused {
			t.Fatalf("tick %d after pausing at %d", e.Tick.Tick, paused)
		}
	}

	var rep struct {
		Ticks  uint64
		Rows   []struct{ Tick uint64 }
		Totals map[string]map[string]int
	}
	mustJSON(t, two.must("clock_report", nil), &rep)
	var lockBy string
	for peer, kinds := range rep.Totals {
		if kinds["lock"] == 1 && kinds["todo"] == 1 {
			lockBy = peer
		}
	}
	if lockBy == "" || len(rep.Rows) == 0 || rep.Ticks < 5 {
		t.Fatalf("report: %+v, want one peer with a lock and a todo", rep)
	}
	mustJSON(t, one.must("clock_resume", nil), &st)
	if !st.Running {
		t.Fatalf("clock_resume: %+v", st)
	}
	if more := waitTicks(t, one, 1); more[0].Tick <= paused {
		t.Fatalf("after resume: tick %d, want after %d", more[0].Tick, paused)
	}
}

type simTick struct {
	Tick    uint64
	SimTime time.Time `json:"sim_time"`
	Speed   int
}

type tickPage struct {
	Events []struct{ Tick *simTick }
	Next   uint64
}

// waitTicks long-polls wait_for_events for tick events until n arrived.
func waitTicks(t *testing.T, a *mcpAgent, n int) []simTick {
	t.Helper()
	var got []simTick
	var since any
	for range 50 {
		args := map[string]any{"types": []string{"tick"}, "timeout_s": 10}
		if since != nil {
			args["since"] = since
		}
		var page tickPage
		mustJSON(t, a.must("wait_for_events", args), &page)
		for _, e := range page.Events {
			got = append(got, *e.Tick)
		}
		if len(got) >= n {
			return got
		}
		since = page.Next
	}
	t.Fatalf("only %d ticks arrived", len(got))
	return nil
}

func mustJSON(t *testing.T, s string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(s), v); err != nil {
		t.Fatalf("%v: %s", err, s)
	}
}

// ct clock from the command line: set, report and a bad speed's error.
func TestCLIClock(t *testing.T) {
	h := StartHub(t, t.TempDir(), "127.0.0.1:0")
	p := newCoordPeer(t, h, "clocky")
	if out, err := p.ct(t, "clock", "set", "7"); err == nil || !strings.Contains(out, "use 1, 10 or 100") {
		t.Fatalf("speed 7: %v %s", err, out)
	}
	var st struct {
		Running bool
		Speed   int
	}
	mustJSON(t, strings.TrimSpace(p.must(t, "clock", "set", "100")), &st)
	if !st.Running || st.Speed != 100 {
		t.Fatalf("ct clock set 100: %+v", st)
	}
	p.must(t, "lock", "cli-clock")
	var rep struct{ Totals map[string]map[string]int }
	mustJSON(t, strings.TrimSpace(p.must(t, "clock", "report")), &rep)
	if rep.Totals["clocky"]["lock"] != 1 {
		t.Fatalf("report: %+v", rep)
	}
	mustJSON(t, strings.TrimSpace(p.must(t, "clock", "pause")), &st)
	if st.Running {
		t.Fatalf("paused: %+v", st)
	}
}
