package bench

import (
	"bytes"
	"encoding/json"
	"flag"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ct-dev/ct/e2e"
)

var (
	flagAttachMiB    = flag.Int("attach-mib", 64, "BenchmarkAttachFirstFrame: MiB the node session prints before ct attach is timed")
	flagAttachRounds = flag.Int("attach-rounds", 20, "BenchmarkAttachFirstFrame: attaches measured")
)

// attachMark is what the session prints last; the command line that
// prints it reads END-%s, so only the output matches.
const attachMark = "END-ATTACH"

// BenchmarkAttachFirstFrame: a session started on a real ct node prints
// -attach-mib MiB (a file through cat, all stored by a real hub), then
// `ct attach` is run -attach-rounds times and timed from its start to the
// moment its output shows the session's last line. Baseline in the same
// rounds: `ct attach` with no session (it lists the node's sessions over
// the same socket and exits), the process and socket floor. ct attach reads
// the node's in-memory tail (ptywrap's mirrorTail), never the hub's log, so
// the figure must not grow with -attach-mib.
//
//	go test ./bench -run '^$' -bench AttachFirstFrame -benchtime 1x -attach-mib 64
func BenchmarkAttachFirstFrame(b *testing.B) {
	bin := ctBinary(b)
	h, _ := freshHub(b)
	file := filepath.Join(b.TempDir(), "out.txt")
	if _, err := WriteDataFile(file, int64(*flagAttachMiB)<<20, 3); err != nil {
		b.Fatal(err)
	}
	sock := startBenchNode(b, bin, h, "attachbench")
	id := spawnBench(b, h, "attachbench", map[string]string{"command": "bash", "prompt": "cat " + file + "; printf 'END-%s\\n' ATTACH"})
	waitScreen(b, h, id, attachMark, 5*time.Minute)
	var first, floor []float64
	for range b.N {
		for range *flagAttachRounds {
			floor = append(floor, timeAttach(b, bin, sock, "", id)) // the list names the session
			first = append(first, timeAttach(b, bin, sock, id, attachMark))
		}
	}
	b.Logf("ct attach after %d MiB of output, ms (load average %s)\n"+
		"    %-36s %8s %8s %8s\n    %-36s %8.2f %8.2f %8.2f\n    %-36s %8.2f %8.2f %8.2f",
		*flagAttachMiB, LoadAvg(), "", "p50", "p90", "max",
		"start → last line shown", Percentile(first, 50), Percentile(first, 90), Percentile(first, 100),
		"floor: ct attach (list) → session named", Percentile(floor, 50), Percentile(floor, 90), Percentile(floor, 100))
	b.ReportMetric(Percentile(first, 50), "attach-p50-ms")
	b.ReportMetric(Percentile(floor, 50), "floor-p50-ms")
}

// startBenchNode runs ct node name against h (bash allowed, rooted in a temp
// dir) and waits until the hub lists it online; it returns its socket.
func startBenchNode(b *testing.B, bin string, h *HubProc, name string) string {
	b.Helper()
	tok, err := h.MachineToken(name)
	if err != nil {
		b.Fatal(err)
	}
	dir, err := os.MkdirTemp("", "ctb") // unix socket paths are short: not b.TempDir()
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { os.RemoveAll(dir) })
	sock := filepath.Join(dir, "rt", "node.sock")
	cmd := exec.Command(bin, "node", "--hub", h.URL, "--name", name, "--socket", sock, "--allow", "bash", "--root", dir)
	cmd.Env = append(os.Environ(), "CT_TOKEN="+tok)
	var logs e2e.SafeBuffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }() // reaps the node; Cleanup waits for it
	b.Cleanup(func() { _ = cmd.Process.Kill(); <-done })
	for deadline := time.Now().Add(30 * time.Second); ; {
		var l struct {
			Nodes []struct {
				Name   string
				Node   bool
				Online bool
			}
		}
		if err := getJSON(h.Client(), h.URL+"/api/v1/nodes", &l); err == nil {
			for _, n := range l.Nodes {
				if n.Name == name && n.Node && n.Online {
					return sock
				}
			}
		}
		if time.Now().After(deadline) {
			b.Fatalf("ct node %s never came online:\n%s", name, logs.String())
		}
		time.Sleep(20 * time.Millisecond) // polling interval
	}
}

// spawnBench starts a session on node through the hub's API.
func spawnBench(b *testing.B, h *HubProc, node string, req map[string]string) string {
	b.Helper()
	body, _ := json.Marshal(req)
	resp, err := h.Client().Post(h.URL+"/api/v1/nodes/"+node+"/sessions", "application/json", bytes.NewReader(body))
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		SessionID string `json:"session_id"`
		Error     string `json:"error"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&out)
	if out.SessionID == "" {
		b.Fatalf("start a session on %s: %s %s", node, resp.Status, out.Error)
	}
	return out.SessionID
}

// waitScreen polls the session's screen on the hub until it shows want.
func waitScreen(b *testing.B, h *HubProc, id, want string, limit time.Duration) {
	b.Helper()
	for deadline := time.Now().Add(limit); time.Now().Before(deadline); {
		resp, err := h.Client().Get(h.URL + "/api/v1/sessions/" + id + "/screen")
		if err == nil {
			s, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if strings.Contains(string(s), want) {
				return
			}
		}
		time.Sleep(50 * time.Millisecond) // polling interval
	}
	b.Fatalf("session %s never showed %q within %s", id, want, limit)
}

// timeAttach runs ct attach (on session id, or the list without one) and
// returns the milliseconds from its start until its output shows want.
func timeAttach(b *testing.B, bin, sock, id, want string) float64 {
	b.Helper()
	args := []string{"attach", "--socket", sock}
	if id != "" {
		args = append(args, id)
	}
	cmd := exec.Command(bin, args...)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	seen := &markWriter{want: []byte(want), seen: make(chan time.Time, 1)}
	cmd.Stdout = seen
	start := time.Now()
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	var at time.Time
	select {
	case at = <-seen.seen:
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		b.Fatalf("ct attach %s never showed %q", id, want)
	}
	_, _ = stdin.Write([]byte{0x1d}) // Ctrl-]: detach
	stdin.Close()
	_ = cmd.Wait()
	return float64(at.Sub(start).Microseconds()) / 1000
}

// markWriter stamps the first time want appears in what is written.
type markWriter struct {
	mu   sync.Mutex // os/exec copies stdout from one goroutine; the lock keeps it obviously safe
	buf  []byte
	want []byte
	seen chan time.Time // cap 1: the first match
	done bool
}

func (m *markWriter) Write(p []byte) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.done {
		m.buf = append(m.buf, p...)
		if bytes.Contains(m.buf, m.want) {
			m.done = true
			m.seen <- time.Now()
			m.buf = nil
		} else if len(m.buf) > 1<<20 {
			m.buf = append([]byte(nil), m.buf[len(m.buf)-len(m.want):]...) // keep what could start a match
		}
	}
	return len(p), nil
}
