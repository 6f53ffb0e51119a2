package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ct-dev/ct/db"
	"github.com/ct-dev/ct/e2e"
)

// The approvals benchmark (issue 3): a permission prompt's round trip with
// no person in it. Per round: `ct hook PermissionRequest` starts with a Bash
// payload → its prompt appears on the approvals page's SSE stream → the
// decision is posted → the hook prints the allow JSON and exits. Each round
// also spawns `ct hook` with no socket (it returns at once): the process
// start floor, measured in the same run. Run it with
//
//	go test ./bench/ -run x -bench Approval -benchtime 200x
//
// and add -approval-history N to start the hub with N answered prompts
// already stored (a hub in use for a while).
//
// It reports percentiles as custom metrics and logs a table; it never
// asserts times, only that every round completed correctly.

// approvalPayload is what Claude Code sends a PermissionRequest hook for a
// Bash call (shape from ../shared/claude-code-notes.md).
const approvalPayload = `{"session_id":"6f1c2a0e-4b7d-4a43-9d0e-2f6b9c1d8e55",` +
	`"transcript_path":"/home/dev/.claude/projects/-home-dev-app/6f1c2a0e-4b7d-4a43-9d0e-2f6b9c1d8e55.jsonl",` +
	`"cwd":"/home/dev/app","permission_mode":"default","hook_event_name":"PermissionRequest",` +
	`"tool_name":"Bash","tool_input":{"command":"go test ./... 2>&1 | tail -n 40",` +
	`"description":"Run the test suite and show the last lines"},` +
	`"permission_suggestions":[{"type":"addRules","rules":[{"toolName":"Bash","ruleContent":"go test:*"}],` +
	`"behavior":"allow","destination":"localSettings"}]}`

// approvalRoundTimeout bounds each wait of a round, so a lost prompt fails
// the benchmark instead of hanging it.
const approvalRoundTimeout = 10 * time.Second

// approvalWarmup rounds run before the measured ones: the first connects
// the hook bridge and creates the store's buckets.
const approvalWarmup = 5

// approvalSpacing is the quiet before each measured round (see the loop).
const approvalSpacing = time.Second

var approvalCardID = regexp.MustCompile(`id="p-([0-9a-z]+)"`)

var flagApprovalHistory = flag.Int("approval-history", 0,
	"answered prompts stored in the hub before the approvals benchmark starts")

// BenchmarkApprovalRoundTrip measures a permission prompt's round trip
// through a real hub and wrap; see the comment at the top of this file.
func BenchmarkApprovalRoundTrip(b *testing.B) { approvalBench(b, "claude", approvalPayload) }

// approvalBench runs the round trip through a wrap of a fake agent called
// program (so ct wrap picks that agent's adapter and injects its hooks),
// with payload as the PermissionRequest hook's stdin.
func approvalBench(b *testing.B, program, payload string) {
	bin := e2e.Binary(b)
	data := b.TempDir()
	if n := *flagApprovalHistory; n > 0 {
		seedPromptHistory(b, data, n)
	}
	hub := e2e.StartHub(b, data, "127.0.0.1:0")
	dir := b.TempDir()
	fake := filepath.Join(dir, program) // named as the agent, so ct wrap injects its hooks
	script := "#!/bin/sh\necho \"SOCK=$CT_HOOK_SOCK\"\nexec sleep 3600\n"
	if err := os.WriteFile(fake, []byte(script), 0o755); err != nil {
		b.Fatal(err)
	}
	// The wrap's runtime dir (socket, settings) goes in dir, removed after the wrap is killed.
	e2e.StartWrap(b, []string{"XDG_RUNTIME_DIR=" + dir, "TMPDIR=" + dir},
		"--hub", hub.URL, "--name", "benchbox", "--", fake)
	s := e2e.SessionFor(b, hub.URL, "benchbox")
	sockRE := regexp.MustCompile(`SOCK=(\S+)`)
	var sock string
	e2e.WaitFor(b, 15*time.Second, "the fake claude's SOCK= line in the session log", func() bool {
		m := sockRE.FindStringSubmatch(e2e.Get(hub.URL + "/api/v1/sessions/" + s.ID + "/log"))
		if m != nil {
			sock = m[1]
		}
		return sock != ""
	})

	ctx, cancel := context.WithCancel(context.Background())
	b.Cleanup(cancel)
	authed := bearer{token: hub.Token, next: http.DefaultTransport}
	events, err := followApprovals(ctx, &http.Client{Transport: authed}, hub.URL)
	if err != nil {
		b.Fatal(err)
	}
	rig := &approvalRig{bin: bin, sock: sock, hubURL: hub.URL, events: events, seen: map[string]bool{}, payload: payload,
		client: &http.Client{Transport: authed, Timeout: approvalRoundTimeout}}

	// Warm-up; the first rounds may find the bridge not yet connected to the
	// hub (the hook then ends with no decision), so retry until one works.
	deadline := time.Now().Add(15 * time.Second)
	for done := 0; done < approvalWarmup; {
		_, err := rig.round()
		switch {
		case err == nil:
			done++
		case errors.Is(err, errNoDecision) && done == 0 && time.Now().Before(deadline):
		default:
			b.Fatalf("warm-up round: %v", err)
		}
	}

	loadStart := LoadAvg()
	var floor, visible, decide, total, closed []float64
	for b.Loop() {
		// A person answers prompts seconds apart: let the approvals list's
		// refresh pacing (a burst of 3, then one per 250 ms: handlers'
		// coalescer) recover from the rounds before, or back-to-back rounds
		// measure the flood pacing instead of one prompt's trip.
		time.Sleep(approvalSpacing)
		f, err := rig.floor()
		if err != nil {
			b.Fatal(err)
		}
		r, err := rig.round()
		if err != nil {
			b.Fatal(err)
		}
		floor = append(floor, Ms(f))
		visible = append(visible, Ms(r.visible))
		decide = append(decide, Ms(r.decided-r.visible))
		total = append(total, Ms(r.done))
		closed = append(closed, Ms(r.closed-r.posted))
	}
	b.StopTimer()
	loadEnd := LoadAvg()

	// Nothing may be left waiting: every prompt was answered through the hub.
	if got := strings.TrimSpace(e2e.Get(hub.URL + "/api/v1/prompts?state=pending")); got != "[]" {
		b.Fatalf("pending prompts after the run: %s", got)
	}

	series := []struct {
		name, what string
		xs         []float64
	}{
		{"visible", "hook start → prompt visible on SSE", visible},
		{"decide", "visible → decision POST answered", decide},
		{"total", "hook start → hook exit (allow JSON)", total},
		{"floor", "spawn floor: ct hook, no socket", floor},
		{"closed", "decision POST → card gone on SSE", closed},
	}
	var tbl strings.Builder
	// One b.Log of at most ten lines: the testing package trims longer benchmark logs.
	fmt.Fprintf(&tbl, "%s approval round trip, %d prompts; load average %s → %s\n", program, len(total), loadStart, loadEnd)
	fmt.Fprintf(&tbl, "%-38s %7s %7s %7s %7s\n", "milliseconds", "p50", "p90", "p99", "max")
	for _, x := range series {
		p50, p90, p99, mx := Percentile(x.xs, 50), Percentile(x.xs, 90), Percentile(x.xs, 99), slices.Max(x.xs)
		fmt.Fprintf(&tbl, "%-38s %7.2f %7.2f %7.2f %7.2f\n", x.what, p50, p90, p99, mx)
		if x.name == "closed" {
			continue // context only; the four headline series are the metrics
		}
		b.ReportMetric(p50, x.name+"-p50-ms")
		b.ReportMetric(p90, x.name+"-p90-ms")
		b.ReportMetric(p99, x.name+"-p99-ms")
		b.ReportMetric(mx, x.name+"-max-ms")
	}
	// The pending list is rendered from a scan of every stored prompt, so
	// show whether visibility drifts as the store fills during the run.
	if q := len(visible) / 4; q > 0 {
		fmt.Fprintf(&tbl, "visible p50: first quarter %.2f, last quarter %.2f\n",
			Percentile(visible[:q], 50), Percentile(visible[len(visible)-q:], 50))
	}
	b.Log(strings.TrimSuffix(tbl.String(), "\n"))
}

// seedPromptHistory stores n answered Bash prompts in the store at data, as
// a hub that has been in use for a while has them.
func seedPromptHistory(b *testing.B, data string, n int) {
	st, err := db.Open(data)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	var pr struct {
		ToolInput   json.RawMessage `json:"tool_input"`
		Suggestions json.RawMessage `json:"permission_suggestions"`
	}
	if err := json.Unmarshal([]byte(approvalPayload), &pr); err != nil {
		b.Fatal(err)
	}
	at := time.Now().Add(-time.Duration(n) * time.Minute).UTC()
	for i := range n {
		at = at.Add(time.Minute)
		p := db.Prompt{
			ID: fmt.Sprintf("%013x%08x", at.UnixMilli(), i), WrapID: fmt.Sprintf("%016x", i),
			SessionID: "history-session", Node: "oldbox", Kind: "hook", Agent: "claude", Tool: "Bash",
			Input: pr.ToolInput, Suggestions: pr.Suggestions, Mode: "default", Cwd: "/home/dev/app",
			State: db.PromptAllowed, Decision: "allow", DecidedBy: "someone on a phone", Device: "phone",
			CreatedAt: at, DecidedAt: at.Add(3 * time.Second),
		}
		if err := st.PutPrompt(p); err != nil {
			b.Fatal(err)
		}
	}
}

// errNoDecision: the hook ended before its prompt showed (bridge not up).
var errNoDecision = errors.New("ct hook ended before its prompt showed on the hub")

// approvalRig holds what every round uses.
type approvalRig struct {
	bin, sock, hubURL string
	payload           string // the hook's stdin
	client            *http.Client
	events            <-chan promptsEvent
	seen              map[string]bool // prompt ids already shown, so a new card is recognised
}

// approvalTimes are offsets from the hook's start.
type approvalTimes struct {
	visible, posted, decided, done, closed time.Duration
}

// round runs one prompt through the hub and answers it with allow.
func (a *approvalRig) round() (approvalTimes, error) {
	var rt approvalTimes
	h, err := startApprovalHook(a.bin, a.sock, a.payload)
	if err != nil {
		return rt, err
	}
	timeout := time.NewTimer(approvalRoundTimeout)
	defer timeout.Stop()
	var id string
	for id == "" {
		select {
		case ev, ok := <-a.events:
			if !ok {
				return rt, errors.New("the approvals SSE stream ended")
			}
			for _, x := range ev.ids {
				if !a.seen[x] {
					a.seen[x], id, rt.visible = true, x, ev.at.Sub(h.start)
				}
			}
		case <-h.exited:
			return rt, fmt.Errorf("%w (stdout %q, stderr %q)", errNoDecision, h.stdout.String(), h.stderr.String())
		case <-timeout.C:
			h.kill()
			return rt, fmt.Errorf("no new prompt on the approvals stream within %s", approvalRoundTimeout)
		}
	}

	rt.posted = time.Since(h.start)
	resp, err := a.client.Post(a.hubURL+"/api/v1/prompts/"+id+"/decision", "application/json",
		strings.NewReader(`{"decision":"allow"}`))
	if err != nil {
		h.kill()
		return rt, err
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	rt.decided = time.Since(h.start)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"decision":"allow"`) {
		h.kill()
		return rt, fmt.Errorf("decision on %s: %s %s", id, resp.Status, body)
	}

	select {
	case <-h.exited:
	case <-timeout.C:
		h.kill()
		return rt, fmt.Errorf("ct hook did not exit within %s of the decision", approvalRoundTimeout)
	}
	rt.done = h.end.Sub(h.start)
	if h.err != nil || !strings.Contains(h.stdout.String(), `"behavior":"allow"`) {
		return rt, fmt.Errorf("ct hook: %v; stdout %q, stderr %q", h.err, h.stdout.String(), h.stderr.String())
	}

	// Wait for the card to leave the pending list, so rounds do not overlap.
	for {
		select {
		case ev, ok := <-a.events:
			if !ok {
				return rt, errors.New("the approvals SSE stream ended")
			}
			if !slices.Contains(ev.ids, id) {
				rt.closed = ev.at.Sub(h.start)
				return rt, nil
			}
		case <-timeout.C:
			return rt, fmt.Errorf("prompt %s still pending on the stream %s after the decision", id, approvalRoundTimeout)
		}
	}
}

// floor times `ct hook PermissionRequest` with no socket: the same binary,
// arguments and payload, returning at once with no decision.
func (a *approvalRig) floor() (time.Duration, error) {
	h, err := startApprovalHook(a.bin, "", approvalPayload)
	if err != nil {
		return 0, err
	}
	select {
	case <-h.exited:
	case <-time.After(approvalRoundTimeout):
		h.kill()
		return 0, errors.New("ct hook with no socket did not exit")
	}
	if h.err != nil || h.stdout.Len() != 0 {
		return 0, fmt.Errorf("ct hook with no socket: %v; stdout %q", h.err, h.stdout.String())
	}
	return h.end.Sub(h.start), nil
}

// approvalHook is one `ct hook PermissionRequest` process, as Claude Code runs it.
type approvalHook struct {
	cmd            *exec.Cmd
	start, end     time.Time
	stdout, stderr bytes.Buffer
	err            error
	exited         chan struct{} // closed after end and err are set
}

func startApprovalHook(bin, sock, payload string) (*approvalHook, error) {
	h := &approvalHook{exited: make(chan struct{})}
	h.cmd = exec.Command(bin, "hook", "PermissionRequest")
	env := slices.DeleteFunc(os.Environ(), func(kv string) bool { return strings.HasPrefix(kv, "CT_HOOK_SOCK=") })
	if sock != "" {
		env = append(env, "CT_HOOK_SOCK="+sock)
	}
	h.cmd.Env = env
	h.cmd.Stdin = strings.NewReader(payload)
	h.cmd.Stdout, h.cmd.Stderr = &h.stdout, &h.stderr
	h.start = time.Now()
	if err := h.cmd.Start(); err != nil {
		return nil, err
	}
	// Wait also waits for the stdout copy, so end is when the answer is complete.
	go func() {
		h.err = h.cmd.Wait()
		h.end = time.Now()
		close(h.exited)
	}()
	return h, nil
}

func (h *approvalHook) kill() {
	_ = h.cmd.Process.Kill()
	<-h.exited
}

// promptsEvent is one "prompts" event of the approvals stream: the pending
// cards it shows, stamped when its terminating blank line was read.
type promptsEvent struct {
	at  time.Time
	ids []string
}

// followApprovals opens the approvals page's SSE stream (one connection for
// the whole run) and sends each "prompts" event on the returned channel,
// stamped by ReadEvents when its bytes arrived.
func followApprovals(ctx context.Context, client *http.Client, hubURL string) (<-chan promptsEvent, error) {
	body, err := Subscribe(ctx, client, hubURL+"/events/approvals?v=benchapprovals")
	if err != nil {
		return nil, err
	}
	// Buffered so the reader never waits on a round in progress; a round
	// consumes every event before the next starts.
	out := make(chan promptsEvent, 256)
	go func() {
		defer body.Close()
		defer close(out)
		_ = ReadEvents(body, func(ev Event) bool {
			if ev.Name == "prompts" {
				out <- promptsEvent{at: ev.At, ids: cardIDs(ev.Data)}
			}
			return true
		})
	}()
	return out, nil
}

// cardIDs lists the prompt ids of the cards in a rendered prompt list.
func cardIDs(html []byte) []string {
	var ids []string
	for _, m := range approvalCardID.FindAllSubmatch(html, -1) {
		ids = append(ids, string(m[1]))
	}
	return ids
}

// The card ids are what the benchmark waits on, so check how they are read.
func TestApprovalCardIDs(t *testing.T) {
	html := `<section id="pending" hx-swap-oob="true">` + "\n" +
		`<article id="p-019aa1b2c3d4e5f60a1b2c3d" class="card prompt state-pending"><p id="pin">x</p></article>` +
		`<article id="p-019aa1b2c3d4e5f60a1b2c3e" class="card prompt state-pending"></article></section>`
	got := cardIDs([]byte(html))
	if want := []string{"019aa1b2c3d4e5f60a1b2c3d", "019aa1b2c3d4e5f60a1b2c3e"}; !slices.Equal(got, want) {
		t.Fatalf("cardIDs = %q, want %q", got, want)
	}
	if got := cardIDs([]byte(`<section id="pending"><p class="sub">Nothing is waiting for an answer.</p></section>`)); got != nil {
		t.Fatalf("cardIDs of an empty list = %q", got)
	}
}
