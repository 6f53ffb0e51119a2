package bench

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/ct-dev/ct/e2e"
)

// Benchmark settings; pass them after the package, e.g.
// go test ./bench -run '^$' -bench . -benchtime 1x -reps 3.
var (
	flagReps    = flag.Int("reps", 5, "paired repetitions per benchmark (baseline and ct in each)")
	flagSize    = flag.Int64("size", 100<<20, "bytes of the generated output file")
	flagKeys    = flag.Int("keys", 1000, "keystrokes per run of the latency benchmark")
	flagLatReps = flag.Int("latreps", 3, "repetitions of the latency benchmark")
	flagLatOnly = flag.String("latonly", "", "run only the latency series whose name contains this (e.g. \"back to back\")")
	flagSpool   = flag.Int64("spool", 0, "ct wrap --spool in the throughput benchmark; 0: twice the file, so a hub slower than the PTY is measured rather than dropped (16777216 is the default a person gets)")
)

var (
	dataOnce sync.Once
	dataDir  string
	data     DataFile
	dataErr  error
)

func TestMain(m *testing.M) {
	flag.Parse()
	// The wraps' undelivered tails (and the ct flush each leaves behind)
	// stay in this run's own state directory, never the user's.
	state, err := os.MkdirTemp("", "ct-bench-state-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := os.Setenv("XDG_STATE_HOME", state); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	KillFlushers(state)
	os.RemoveAll(state)
	if dataDir != "" {
		os.RemoveAll(dataDir)
	}
	os.Exit(code)
}

// dataFileFor generates the shared output file once per test process.
func dataFileFor(b *testing.B) DataFile {
	b.Helper()
	dataOnce.Do(func() {
		dataDir, dataErr = os.MkdirTemp("", "ct-bench-data-")
		if dataErr == nil {
			data, dataErr = WriteDataFile(filepath.Join(dataDir, "out.txt"), *flagSize, 1)
		}
	})
	if dataErr != nil {
		b.Fatal(dataErr)
	}
	return data
}

// say prints a report line at once and in full (a benchmark's b.Log output
// is cut after ten lines and shown only at its end).
func say(format string, args ...any) {
	fmt.Printf("    "+format+"\n", args...)
}

// runResult is one timed run of a command whose stdout the benchmark drains.
type runResult struct {
	Exit     time.Duration // start to process exit
	LastByte time.Duration // start to the last stdout byte read
	Bytes    int64         // stdout bytes
	CPU      time.Duration // user+system of the process and its reaped children
	Stderr   string
}

// runDrained runs name args with stdin /dev/null and stdout a pipe read as
// fast as possible into nothing (the "same sink" for ct and its baseline).
func runDrained(name string, args ...string) (runResult, error) {
	cmd := exec.Command(name, args...)
	devnull, err := os.Open(os.DevNull)
	if err != nil {
		return runResult{}, err
	}
	defer devnull.Close()
	cmd.Stdin = devnull
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return runResult{}, err
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return runResult{}, err
	}
	var r runResult
	drained := make(chan struct{})
	go func() {
		defer close(drained)
		buf := make([]byte, 256<<10)
		for {
			n, err := out.Read(buf)
			if n > 0 {
				r.Bytes += int64(n)
				r.LastByte = time.Since(start)
			}
			if err != nil {
				return
			}
		}
	}()
	<-drained // Wait closes the pipe, so read it to EOF first
	werr := cmd.Wait()
	r.Exit = time.Since(start)
	r.Stderr = stderr.String()
	r.CPU = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	if werr != nil {
		return r, fmt.Errorf("%s: %v; stderr: %s", name, werr, r.Stderr)
	}
	return r, nil
}

// runBare runs the baseline: the file through a bare PTY made by script(1).
func runBare(file string) (runResult, error) {
	return runDrained("script", "-qfc", "cat "+file, "/dev/null")
}

// ctBinary is the ct under test: $CT_BENCH_BIN when set (to measure a
// given build, e.g. one made from a clean checkout of a commit), else one
// built from this checkout by the e2e harness.
func ctBinary(b *testing.B) string {
	b.Helper()
	if p := os.Getenv("CT_BENCH_BIN"); p != "" {
		return p
	}
	return e2e.Binary(b)
}

// freshHub starts a hub on an empty store; stop kills it and removes the store.
func freshHub(b *testing.B) (h *HubProc, stop func()) {
	b.Helper()
	h, stop, err := TempHub(ctBinary(b))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(stop)
	return h, stop
}

// machineToken mints a machine token on h for ct wrap --name machine.
func machineToken(b *testing.B, h *HubProc, machine string) string {
	b.Helper()
	tok, err := h.MachineToken(machine)
	if err != nil {
		b.Fatal(err)
	}
	return tok
}

// sessionOf waits until the hub lists a live session of node and returns
// its id.
func sessionOf(b *testing.B, h *HubProc, node string) string {
	b.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); {
		list, _ := ListSessions(h.Client(), h.URL)
		for _, s := range list {
			if s.Node == node && s.Status == "live" { // listed offline until its connection takes input
				return s.ID
			}
		}
		time.Sleep(20 * time.Millisecond) // polling interval
	}
	b.Fatalf("no live session of %s on the hub after 30 s", node)
	return ""
}

// drain discards a response body, so keep-alive connections are reused.
func drain(r io.ReadCloser) {
	_, _ = io.Copy(io.Discard, r)
	r.Close()
}

// wrapProc is a ct wrap whose stdin is a pipe held open and whose output is
// discarded (the latency benchmark reads the screen from the hub).
type wrapProc struct {
	cmd  *exec.Cmd
	in   io.WriteCloser
	done chan struct{}
}

func startWrap(bin string, args ...string) (*wrapProc, error) {
	cmd := exec.Command(bin, append([]string{"wrap"}, args...)...)
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	w := &wrapProc{cmd: cmd, in: in, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(w.done) }()
	return w, nil
}

func (w *wrapProc) kill() {
	_ = w.cmd.Process.Kill()
	<-w.done
	w.in.Close()
}
